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
    if (!geoPromise) geoPromise = getJSON('/api/geo/counties').then(function (g) { echarts.registerMap('xp_all', g); return g; });
    return geoPromise;
  }
  var registered = {};
  function provinceMap(g, p) {
    if (!p) return 'xp_all';
    var name = 'xp_p' + p;
    if (!registered[name]) {
      echarts.registerMap(name, {type: 'FeatureCollection', features: g.features.filter(function (f) { return f.properties.province === p; })});
      registered[name] = 1;
    }
    return name;
  }
  function fmt(x, d) { return x === null || x === undefined ? '—' : Number(x).toFixed(d === undefined ? 2 : d); }

  // ── ranking page ───────────────────────────────────────────────
  XP.rankingPage = function () {
    var form = document.getElementById('filters');
    ['f-year', 'f-province', 'f-city', 'f-type', 'f-tier', 'f-sort'].forEach(function (id) {
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
          tooltip: {formatter: function (x) { var d = x.data; return d ? d.n + '<br>得分 ' + fmt(d.value, 1) + ' · 第' + (d.r || '—') + '名' : x.name; }},
          visualMap: {show: vals.length > 1, min: Math.floor(Math.min.apply(null, vals)), max: Math.ceil(Math.max.apply(null, vals)) + (vals.length > 1 ? 0 : 1), inRange: {color: PALETTE}, calculable: true, left: 0, bottom: 0, itemHeight: 80, textStyle: {fontSize: 10}},
          series: [{type: 'map', map: 'xp_n' + p.unit_code, nameProperty: 'code', roam: true,
            label: {show: true, fontSize: 10, formatter: function (x) { return x.data ? x.data.n : ''; }},
            data: Object.keys(want).map(function (k) { var w = want[k]; return {name: k, value: w.s, n: w.n, r: w.r, c: w.c,
              itemStyle: w.self ? {borderColor: '#000', borderWidth: 2.5} : {}}; })}]
        });
        m.on('click', function (x) { if (x.data && !want[x.name].self) location.href = '/unit/' + x.data.c; });
      }).catch(function (e) { nm.textContent = '地图不可用 map unavailable: ' + e.message; });
    } else if (nm) { nm.innerHTML = '<p class="muted">无边界 <span class="en">no boundary for this unit</span></p>'; nm.style.height = 'auto'; }
  };

  // ── national / provincial map ──────────────────────────────────
  XP.mapPage = function () {
    var st = data();
    var el = document.getElementById('map');
    if (!el) return;
    var m = chart('map');
    m.showLoading();
    var status = document.getElementById('map-status');
    function draw() {
      var q = '/api/map?year=' + encodeURIComponent(st.year) + '&node=' + encodeURIComponent(st.node) + (st.province ? '&province=' + st.province : '');
      return Promise.all([geo(), getJSON(q)]).then(function (res) {
        var g = res[0], d = res[1];
        var name = provinceMap(g, st.province);
        m.hideLoading();
        m.setOption({
          tooltip: {trigger: 'item', formatter: function (x) { var r = x.data; return r ? r.n + ' ' + r.c + '<br>得分 score ' + fmt(r.value, 1) + '<br>名次 rank ' + (r.r || '—') : (x.name + ' 无数据 no data'); }},
          visualMap: {min: Math.floor(d.scale_min), max: Math.ceil(d.scale_max), inRange: {color: PALETTE}, calculable: true, left: 10, bottom: 10, text: ['高 high', '低 low']},
          series: [{type: 'map', map: name, nameProperty: 'code', roam: true, zoom: st.province ? 1.1 : 1.2,
            itemStyle: {borderColor: '#fff', borderWidth: 0.2, areaColor: '#e0e0e0'}, emphasis: {label: {show: false}, itemStyle: {areaColor: '#ffd54f'}},
            data: d.rows.filter(function (r) { return r.boundary_code; }).map(function (r) { return {name: r.boundary_code, value: r.score, n: r.unit_name, c: r.unit_code, r: r.rank}; })}]
        }, {replaceMerge: ['series']});
        document.getElementById('map-title').textContent = st.year;
        status.textContent = d.rows.length + ' 个县级单位 units · ' + st.year + ' · 色阶为各年共同范围 one colour scale for all years';
        el.setAttribute('data-year', st.year);
        var u = new URL(location.href);
        u.searchParams.set('year', st.year);
        if (st.province) u.searchParams.set('province', st.province); else u.searchParams.delete('province');
        u.searchParams.set('node', st.node);
        history.replaceState(null, '', u.toString());
      }).catch(function (e) { m.hideLoading(); status.textContent = '错误 error: ' + e.message; });
    }
    m.on('click', function (x) { if (x.data && x.data.c) location.href = '/unit/' + x.data.c; });
    Array.prototype.forEach.call(document.querySelectorAll('#years button'), function (b) {
      b.addEventListener('click', function () {
        st.year = b.getAttribute('data-year');
        Array.prototype.forEach.call(document.querySelectorAll('#years button'), function (x) { x.classList.toggle('on', x === b); });
        draw();
      });
    });
    document.getElementById('m-province').addEventListener('change', function (e) { st.province = e.target.value || null; draw(); });
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
})();
