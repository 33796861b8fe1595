/* 县评 dashboard: charts on server-rendered pages. ECharts is served by this server (/assets/echarts.min.js). */
(function () {
  'use strict';
  var XP = {};
  var PALETTE = ['#a50026', '#f46d43', '#fee08b', '#d9ef8b', '#66bd63', '#006837'];
  var SERIES = ['#b3261e', '#1f6feb', '#2e7d32', '#ef6c00', '#6a1b9a'];
  var charts = [];
  function data() { var el = document.getElementById('page-data'); return el ? JSON.parse(el.textContent) : null; }
  function chart(id) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    var c = echarts.init(el, null, {renderer: 'canvas'});
    charts.push(c);
    return c;
  }
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
  function getJSON(url) {
    return fetch(url, {headers: {'Accept': 'application/json'}}).then(function (r) {
      if (!r.ok) return r.json().then(function (b) { throw new Error(b.detail || r.statusText); });
      return r.json();
    });
  }
  var geoPromise = null;
  function geo() {
    if (!geoPromise) geoPromise = getJSON('/api/geo/counties').then(function (g) {
      // boundary lines (境界线) have no code: name them so they can be styled and left out of province views
      g.features.forEach(function (f, i) { var q = f.properties; if (!q.code) { q.code = 'line_' + i; q.line = 1; } });
      return g;
    });
    return geoPromise;
  }
  function fmt(x, d) { return x === null || x === undefined ? '—' : Number(x).toFixed(d === undefined ? 2 : d); }
  // text from the data (unit names, codes) goes into ECharts' HTML tooltips escaped
  function esc(s) { return String(s === undefined || s === null ? '' : s).replace(/[&<>"']/g, function (c) { return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]; }); }

  // The view of a map: the whole country (provs null) leaves the 三沙 districts and the dashed line south of 18°N to
  // the 南海诸岛 inset; a set of provinces shows only their counties (with the inset when 海南 is among them).
  var registered = {};
  function minLat(c) { return typeof c[0] === 'number' ? c[1] : Math.min.apply(null, c.map(minLat)); }
  function mapView(g, inset, provs) {
    var keep = {}, ex = {};
    (provs || []).forEach(function (p) { keep[p] = 1; });
    var withInset = !!inset && (!provs || keep['46'] === 1);
    if (withInset) inset.main_exclude_codes.forEach(function (c) { ex[c] = 1; });
    var name = 'xp_v_' + (provs ? provs.join('_') : 'all') + (withInset ? '_i' : '');
    if (!registered[name]) {
      echarts.registerMap(name, {type: 'FeatureCollection', features: g.features.filter(function (f) {
        var q = f.properties;
        if (ex[q.code]) return false;
        if (q.line) return !provs && (!withInset || minLat(f.geometry.coordinates) >= inset.main_exclude_lines_south_of);
        return !provs || keep[q.province] === 1;
      })});
      registered[name] = 1;
    }
    return {name: name, inset: withInset};
  }
  function insetSeries(inset, data) {
    if (!registered.xp_scs) { echarts.registerMap('xp_scs', inset); registered.xp_scs = 1; }
    var own = [{name: 'scs_frame', itemStyle: {areaColor: '#ffffff', borderColor: '#333333', borderWidth: 1},
                label: {show: true, formatter: inset.label, fontSize: 11, color: '#333'}, tooltip: {show: false}}];
    inset.features.forEach(function (f) { if (f.properties.kind === 'boundary_line') own.push({name: f.properties.code, itemStyle: {borderColor: '#444', borderWidth: 1.2}, tooltip: {show: false}}); });
    // grey outlines so that the islands, smaller than a pixel at this scale, still show
    return {type: 'map', id: 'scs-inset', name: '南海诸岛', map: 'xp_scs', nameProperty: 'code', roam: false, right: 14, bottom: 14, width: '15%', height: '32%', z: 4,
      itemStyle: {borderColor: '#9e9e9e', borderWidth: 0.4, areaColor: '#e0e0e0'}, emphasis: {label: {show: false}, itemStyle: {areaColor: '#ffd54f'}},
      select: {disabled: true}, label: {show: false}, data: own.concat(data)};
  }

  // ── ranking page ───────────────────────────────────────────────
  XP.rankingPage = function () {
    var form = document.getElementById('filters');
    ['f-year', 'f-province', 'f-city', 'f-type', 'f-tier', 'f-within', 'f-sort'].forEach(function (id) {
      var el = document.getElementById(id);
      if (!el) return;
      el.addEventListener('change', function () {
        if (id === 'f-province') { var c = document.getElementById('f-city'); if (c) c.value = ''; }
        form.submit();
      });
    });
    var d = data();
    var c = chart('topchart');
    if (c && d) {
      c.setOption({
        grid: {left: 90, right: 44, top: 10, bottom: 44},
        tooltip: {trigger: 'axis', axisPointer: {type: 'shadow'}},
        xAxis: {type: 'value', name: '得分 score', nameLocation: 'middle', nameGap: 22, scale: true},
        yAxis: {type: 'category', data: d.names, axisLabel: {fontSize: 11}},
        series: [{type: 'bar', data: d.scores, itemStyle: {color: '#b3261e'}, label: {show: true, position: 'right', fontSize: 10, formatter: function (p) { return fmt(p.value, 1); }}}]
      });
      c.on('click', function (p) { location.href = '/unit/' + d.codes[p.dataIndex]; });
    }
    var picks = document.querySelectorAll('input.pick');
    var go = document.getElementById('compare-go');
    var n = document.getElementById('pick-n');
    function chosen() { return Array.prototype.filter.call(picks, function (x) { return x.checked; }).map(function (x) { return x.value; }); }
    Array.prototype.forEach.call(picks, function (x) {
      x.addEventListener('change', function () {
        var s = chosen();
        if (s.length > 5) { x.checked = false; s = chosen(); }
        n.textContent = s.length;
        go.disabled = s.length < 2;
      });
    });
    if (go) go.addEventListener('click', function () { location.href = '/compare?units=' + chosen().join(','); });
  };

  // ── county profile ─────────────────────────────────────────────
  XP.unitPage = function () {
    var p = data();
    if (!p) return;
    var years = p.years.map(function (y) { return y.year; });
    var t = chart('trend');
    if (t) t.setOption({
      tooltip: {trigger: 'axis'}, legend: {data: ['得分 score', '全国均值 mean', '名次 rank']},
      grid: {left: 50, right: 55, top: 40, bottom: 30},
      xAxis: {type: 'category', data: years},
      yAxis: [{type: 'value', name: '得分 score', scale: true}, {type: 'value', name: '名次 rank', nameLocation: 'start', inverse: true, min: 1}],
      series: [
        {name: '得分 score', type: 'line', data: p.years.map(function (y) { return y.score; }), symbolSize: 9, itemStyle: {color: '#b3261e'}, label: {show: true, formatter: function (x) { return fmt(x.value, 1); }}},
        {name: '全国均值 mean', type: 'line', data: p.years.map(function (y) { return y.national_mean; }), lineStyle: {type: 'dashed'}, itemStyle: {color: '#888'}},
        {name: '名次 rank', type: 'line', yAxisIndex: 1, data: p.years.map(function (y) { return y.rank; }), symbolSize: 9, itemStyle: {color: '#1f6feb'}, label: {show: true, position: 'bottom'}}
      ]
    });
    var ti = years.indexOf(p.focus_year);
    var r = chart('radar');
    if (r && p.dimensions.length >= 3) r.setOption({
      tooltip: {}, legend: {data: [p.unit_name, '全国均值 national mean'], bottom: 0},
      radar: {indicator: p.dimensions.map(function (d) { return {name: d.name_zh + '\n' + d.name_en, max: 100}; }), radius: '62%', axisName: {color: '#333', fontSize: 11}},
      series: [{type: 'radar', data: [
        {name: p.unit_name, value: p.dimensions.map(function (d) { return d.scores[ti]; }), areaStyle: {opacity: 0.25}, itemStyle: {color: '#b3261e'}},
        {name: '全国均值 national mean', value: p.dimensions.map(function (d) { return d.national_mean[ti]; }), lineStyle: {type: 'dashed'}, itemStyle: {color: '#888'}}]}]
    });
    else if (r) r.setOption({xAxis: {type: 'category', data: p.dimensions.map(function (d) { return d.name_zh; })}, yAxis: {type: 'value'},
      series: [{type: 'bar', data: p.dimensions.map(function (d) { return d.scores[ti]; })}]});
    if (p.obstacles) {
      var o = chart('obstchart');
      var ind = p.obstacles.indicators.slice().reverse();
      if (o) o.setOption({
        tooltip: {trigger: 'axis', axisPointer: {type: 'shadow'}, valueFormatter: function (v) { return fmt(v, 1) + '%'; }},
        grid: {left: 130, right: 50, top: 10, bottom: 25},
        xAxis: {type: 'value', name: '%'},
        yAxis: {type: 'category', data: ind.map(function (x) { return x.name_zh; }), axisLabel: {fontSize: 11}},
        series: [{type: 'bar', data: ind.map(function (x) { return x.obstacle_pct; }), itemStyle: {color: '#ef6c00'}, label: {show: true, position: 'right', formatter: function (x) { return fmt(x.value, 1) + '%'; }}}]
      });
    }
    var nm = document.getElementById('neighmap');
    if (nm && p.boundary_code) {
      geo().then(function (g) {
        var want = {};
        want[p.boundary_code] = {n: p.unit_name, c: p.unit_code, s: (p.years[ti] || {}).score, r: (p.years[ti] || {}).rank, self: true};
        p.neighbours.forEach(function (x) { want[x.unit_code] = {n: x.unit_name, c: x.unit_code, s: x.score, r: x.rank}; });
        var feats = g.features.filter(function (f) { return want[f.properties.code]; });
        echarts.registerMap('xp_n' + p.unit_code, {type: 'FeatureCollection', features: feats});
        var vals = Object.keys(want).map(function (k) { return want[k].s; }).filter(function (v) { return v !== null && v !== undefined; });
        var m = chart('neighmap');
        m.setOption({
          tooltip: {formatter: function (x) { var d = x.data; return d ? esc(d.n) + '<br>得分 ' + fmt(d.value, 1) + ' · 第' + esc(d.r || '—') + '名' : esc(x.name); }},
          visualMap: {show: vals.length > 1, min: Math.floor(Math.min.apply(null, vals)), max: Math.ceil(Math.max.apply(null, vals)) + (vals.length > 1 ? 0 : 1), inRange: {color: PALETTE}, calculable: true, left: 0, bottom: 0, itemHeight: 80, textStyle: {fontSize: 10}},
          series: [{type: 'map', map: 'xp_n' + p.unit_code, nameProperty: 'code', roam: true,
            label: {show: true, fontSize: 10, formatter: function (x) { return x.data ? String(x.data.n) : ''; }},
            data: Object.keys(want).map(function (k) { var w = want[k]; return {name: k, value: w.s, n: w.n, r: w.r, c: w.c,
              itemStyle: w.self ? {borderColor: '#000', borderWidth: 2.5} : {}}; })}]
        });
        m.on('click', function (x) { if (x.data && !want[x.name].self) location.href = '/unit/' + x.data.c; });
      }).catch(function (e) { nm.textContent = '地图不可用 map unavailable: ' + e.message; });
    } else if (nm) { nm.innerHTML = '<p class="muted">无边界 <span class="en">no boundary for this unit</span></p>'; nm.style.height = 'auto'; }
    whatIf(p);
  };

  // 提升路径: one request to /api/units/{code}/whatif (a few seconds the first time); errors are shown in the card
  function el(tag, text, cls) { var e = document.createElement(tag); if (text !== undefined && text !== null) e.textContent = text; if (cls) e.className = cls; return e; }
  function withUnit(v, u) { return v === null || v === undefined ? '—' : (+Number(v).toPrecision(6)) + (u && u !== '1' ? ' ' + u : ''); }
  function indicatorCell(r) { var td = el('td', r.name_zh + ' '); td.appendChild(el('span', r.name_en, 'en')); return td; }
  function whatIf(p) {
    var go = document.getElementById('wi-go');
    if (!go) return;
    var status = document.getElementById('wi-status'), out = document.getElementById('wi-out');
    // a points-based result (考核办法) has no target rank or scope: the card has no such inputs and none are sent
    var points = document.getElementById('whatif').getAttribute('data-kind') === 'points';
    go.addEventListener('click', function () {
      var year = document.getElementById('wi-year').value, target = points ? '' : document.getElementById('wi-target').value;
      var scope = points ? 'nation' : (document.getElementById('wi-scope') || {}).value || 'nation';
      var url = '/api/units/' + encodeURIComponent(p.unit_code) + '/whatif?year=' + encodeURIComponent(year) + (target ? '&target=' + encodeURIComponent(target) : '') +
        (scope !== 'nation' ? '&scope=' + encodeURIComponent(scope) : '');
      var t0 = Date.now();
      go.disabled = true;
      go.textContent = '测算中…';
      status.className = 'note';
      status.textContent = '正在逐项重算 re-evaluating every county for each scenario …';
      var tick = setInterval(function () { status.textContent = '正在逐项重算 re-evaluating every county for each scenario … ' + Math.round((Date.now() - t0) / 1000) + ' s'; }, 1000);
      fetch(url, {headers: {'Accept': 'application/json'}}).then(function (r) {
        return r.json().catch(function () { return {detail: r.status + ' ' + r.statusText}; }).then(function (b) {
          if (!r.ok) throw new Error(b.detail || (r.status + ' ' + r.statusText));
          return b;
        });
      }).then(function (d) {
        if (d.kind === 'points') renderPointsWhatIf(d); else renderWhatIf(d);
        status.textContent = d.unit_name + ' ' + d.year + ' · 用时 ' + ((Date.now() - t0) / 1000).toFixed(1) + ' s · ' +
          (d.kind === 'points' ? d.items.length + ' 个情景 scenarios, each scoring every county again' : d.evaluations.total + ' 次重算 re-evaluations');
        out.hidden = false;
      }).catch(function (e) {
        out.hidden = true;
        status.className = 'msg error';
        status.textContent = '无法测算 could not compute: ' + e.message;
      }).then(function () {
        clearInterval(tick);
        go.disabled = false;
        go.innerHTML = '测算 <span class="en">compute</span>';
      });
    });
  }
  function renderWhatIf(d) {
    var where = {nation: '全国', province: '省内', prefecture: '市内', type: '同类县'}[d.scope] || '';
    document.getElementById('wi-head').textContent = d.year + '年 ' + where + '第' + d.rank + '名 / ' + d.ranked_units + ' (ranked ' + d.ranked_where + ') · 得分 score ' + fmt(d.score) +
      (d.rank > d.target_rank ? ' · 距前' + d.target_rank + '名还差 gap to rank ' + d.target_rank + ': ' + fmt(d.gap, 3) : ' · 已在前' + d.target_rank + '名 already in the top ' + d.target_rank);
    var lb = document.querySelector('#wi-levers tbody');
    lb.textContent = '';
    d.levers.forEach(function (r) {
      var tr = el('tr');
      tr.appendChild(indicatorCell(r));
      tr.appendChild(el('td', withUnit(r.current, r.unit), 'num'));
      var sc = el('td', withUnit(r.value, r.unit) + ' ');
      sc.appendChild(el('span', r.scenario_label, 'en'));
      tr.appendChild(sc);
      tr.appendChild(el('td', r.new_rank === null ? '—' : String(r.new_rank), 'num'));
      tr.appendChild(el('td', r.rank_gain === null ? '—' : (r.rank_gain > 0 ? '+' : '') + r.rank_gain, 'num' + (r.rank_gain > 0 ? ' up' : '')));
      lb.appendChild(tr);
    });
    if (!d.levers.length) { var tr0 = el('tr'); var td0 = el('td', '没有能提高得分的单项情景 no single-indicator scenario raises the score', 'muted'); td0.colSpan = 5; tr0.appendChild(td0); lb.appendChild(tr0); }
    document.getElementById('wi-needed-title').innerHTML = '';
    document.getElementById('wi-needed-title').appendChild(document.createTextNode('需要多大提升才能进入前' + d.target_rank + '名 '));
    document.getElementById('wi-needed-title').appendChild(el('span', 'value needed to reach rank ' + d.target_rank + ' by one indicator alone', 'en'));
    var nb = document.querySelector('#wi-needed tbody');
    nb.textContent = '';
    d.needed.forEach(function (r) {
      var tr = el('tr');
      tr.appendChild(indicatorCell(r));
      tr.appendChild(el('td', withUnit(r.current, r.unit), 'num'));
      tr.appendChild(el('td', r.reachable ? withUnit(r.needed, r.unit) : '—', 'num'));
      tr.appendChild(el('td', r.reachable && r.change_pct !== null ? (r.change_pct > 0 ? '+' : '') + fmt(r.change_pct, 1) + '%' : '—', 'num'));
      var why = el('td', r.reason_label + ' ', r.reachable ? '' : 'muted');
      var more = {reachable: '新排名 new rank ' + r.new_rank,
                  weight: '即使达到最优值 ' + withUnit(r.search_limit, r.unit) + ' 也只到第' + r.rank_at_limit + '名 even at the best value only rank ' + r.rank_at_limit,
                  at_best: '最优值 best value ' + withUnit(r.search_limit, r.unit)}[r.reason];
      why.appendChild(el('span', more || r.note, 'en'));
      why.title = r.note;
      tr.appendChild(why);
      nb.appendChild(tr);
    });
  }

  // the points what-if (kind points): per item the points gained and the new total, rank, class rank and 先进县
  function renderPointsWhatIf(d) {
    var dec = d.decimals, cls = d.class_name ? d.class_name + '类' : '';
    var rank = d.ranked_by === 'class' ? cls + '第' + d.class_rank + '名 (ranked within class)' : '第' + d.rank + '名' + (cls ? ' · ' + cls + '第' + d.class_rank + '名' : '');
    var line = d.advanced_line === null ? '' : d.advanced ? ' · 已是先进县 already advanced (先进县线 line ' + fmt(d.advanced_line, dec) + ')' :
      ' · 先进县线 advanced line ' + fmt(d.advanced_line, dec) + '，还差 short ' + fmt(d.points_short, dec) + ' 分';
    document.getElementById('wi-head').textContent = d.year + '年 ' + rank + ' · 总分 total ' + fmt(d.total, dec) + line +
      (d.vetoed ? ' · 一票否决 vetoed' : '');
    // ranked within class (分类排序): the rank is the class rank, one column says it
    var both = d.ranked_by !== 'class';
    document.getElementById('wi-class-rank').hidden = !both;
    var tb = document.querySelector('#wi-items tbody');
    tb.textContent = '';
    d.items.forEach(function (r) {
      var tr = el('tr');
      tr.setAttribute('data-item', r.item);
      var name = el('td', r.item_zh + ' ');
      name.appendChild(el('span', r.name_en, 'en'));
      tr.appendChild(name);
      tr.appendChild(el('td', withUnit(r.value, r.unit), 'num'));
      tr.appendChild(el('td', withUnit(r.value_then, r.unit), 'num'));
      tr.appendChild(el('td', fmt(r.points, dec) + ' → ' + fmt(r.points_then, dec) + ' / ' + fmt(r.max_points, dec), 'num'));
      tr.appendChild(el('td', r.gain > 0 ? '+' + fmt(r.gain, dec) : fmt(r.gain, dec), 'num' + (r.gain > 0 ? ' up' : '')));
      tr.appendChild(el('td', fmt(r.total_then, dec), 'num'));
      tr.appendChild(el('td', r.rank_then === null ? '—' : String(r.rank_then), 'num' + (r.rank_then !== null && d.rank !== null && r.rank_then < d.rank ? ' up' : '')));
      if (both) tr.appendChild(el('td', r.class_rank_then === null ? '—' : String(r.class_rank_then), 'num'));
      tr.appendChild(el('td', r.advanced_then ? (d.advanced ? '是 yes' : '是 yes · 新进 newly') : '否 no', r.advanced_then && !d.advanced ? 'up' : ''));
      tb.appendChild(tr);
    });
  }

  // ── national / provincial map ──────────────────────────────────
  XP.mapPage = function () {
    var st = data();
    var el = document.getElementById('map');
    if (!el) return;
    var m = chart('map');
    m.showLoading();
    var status = document.getElementById('map-status');
    var sel = document.getElementById('m-province');
    if (st.extent) sel.options[0].textContent = '结果范围 Area of the results';
    function draw() {
      var q = '/api/map?year=' + encodeURIComponent(st.year) + '&node=' + encodeURIComponent(st.node) + (st.province ? '&province=' + encodeURIComponent(st.province) : '');
      return Promise.all([geo(), getJSON(q)]).then(function (res) {
        var g = res[0], d = res[1];
        var provs = st.province ? [st.province] : st.extent;
        var v = mapView(g, st.inset, provs);
        var rows = d.rows.filter(function (r) { return r.boundary_code; }).map(function (r) { return {name: r.boundary_code, value: r.score, n: r.unit_name, c: r.unit_code, r: r.rank}; });
        var lines = provs ? [] : g.features.filter(function (f) { return f.properties.line; }).map(function (f) { return {name: f.properties.code, itemStyle: {borderColor: '#777', borderWidth: 0.8}, tooltip: {show: false}}; });
        var series = [{type: 'map', map: v.name, nameProperty: 'code', roam: true, top: 20, bottom: 20,
          itemStyle: {borderColor: '#fff', borderWidth: 0.2, areaColor: '#e0e0e0'}, emphasis: {label: {show: false}, itemStyle: {areaColor: '#ffd54f'}},
          data: rows.concat(lines)}];
        if (v.inset) series.push(insetSeries(st.inset, rows));
        m.hideLoading();
        m.setOption({
          tooltip: {trigger: 'item', formatter: function (x) { var r = x.data; return r && r.c ? esc(r.n) + ' ' + esc(r.c) + '<br>得分 score ' + fmt(r.value, 1) + '<br>名次 rank ' + esc(r.r || '—') : (esc(x.name) + ' 无数据 no data'); }},
          visualMap: {min: Math.floor(d.scale_min), max: Math.ceil(d.scale_max), inRange: {color: PALETTE}, calculable: true, left: 10, bottom: 10, text: ['高 high', '低 low']},
          series: series
        }, {replaceMerge: ['series']});
        document.getElementById('map-title').textContent = st.year;
        status.textContent = d.rows.length + ' 个县级单位 units · ' + st.year + ' · 色阶为各年共同范围 one colour scale for all years';
        el.setAttribute('data-year', st.year);
        el.setAttribute('data-view', provs ? provs.join(',') : 'national');
        el.setAttribute('data-inset', v.inset ? '1' : '0');
        var u = new URL(location.href);
        u.searchParams.set('year', st.year);
        if (st.province) u.searchParams.set('province', st.province); else u.searchParams.delete('province');
        u.searchParams.set('node', st.node);
        history.replaceState(null, '', u.toString());
      }).catch(function (e) { m.hideLoading(); status.textContent = '错误 error: ' + e.message; });
    }
    m.on('click', function (x) { if (x.data && x.data.c) location.href = '/unit/' + encodeURIComponent(x.data.c); });
    Array.prototype.forEach.call(document.querySelectorAll('#years button'), function (b) {
      b.addEventListener('click', function () {
        st.year = b.getAttribute('data-year');
        Array.prototype.forEach.call(document.querySelectorAll('#years button'), function (x) { x.classList.toggle('on', x === b); });
        draw();
      });
    });
    sel.addEventListener('change', function (e) { st.province = e.target.value || null; draw(); });
    document.getElementById('m-node').addEventListener('change', function (e) { st.node = e.target.value; draw(); });
    draw();
  };

  // ── compare ────────────────────────────────────────────────────
  XP.comparePage = function () {
    var c = data();
    if (!c) return;
    var T = c.years.length - 1;
    var r = chart('cradar');
    if (r) r.setOption({
      tooltip: {}, legend: {data: c.units.map(function (u) { return u.unit_name; }), bottom: 0},
      radar: {indicator: c.dimensions.map(function (d) { return {name: d.name_zh + '\n' + d.name_en, max: 100}; }), radius: '62%', axisName: {color: '#333', fontSize: 11}},
      series: [{type: 'radar', data: c.units.map(function (u, i) { return {name: u.unit_name, value: u.dimensions[T], itemStyle: {color: SERIES[i]}, areaStyle: {opacity: 0.08}}; })}]
    });
    var t = chart('ctrend');
    if (t) t.setOption({
      tooltip: {trigger: 'axis'}, legend: {data: c.units.map(function (u) { return u.unit_name; }), bottom: 0},
      grid: {left: 50, right: 30, top: 20, bottom: 50},
      xAxis: {type: 'category', data: c.years}, yAxis: {type: 'value', name: '名次 rank', inverse: true, min: 1},
      series: c.units.map(function (u, i) { return {name: u.unit_name, type: 'line', data: u.ranks, symbolSize: 8, itemStyle: {color: SERIES[i]}, label: {show: true}}; })
    });
  };

  window.XP = XP;
  XP.geo = geo; XP.mapView = mapView; XP.insetSeries = insetSeries;   // the map helpers, for dispatch.js
  // no inline script or handler anywhere (CSP script-src 'self'): the page names its entry in data-page on this
  // script's tag, and forms mark their behaviour with data attributes
  var entry = document.currentScript && document.currentScript.getAttribute('data-page');
  if (entry && XP[entry]) XP[entry]();
  document.querySelectorAll('select[data-autosubmit]').forEach(function (s) {
    s.addEventListener('change', function () { s.form.submit(); });
  });
  document.querySelectorAll('form[data-nosubmit]').forEach(function (f) {
    f.addEventListener('submit', function (e) { e.preventDefault(); });
  });
})();
