/* 县评 重点项目月调度 pages: the warnings map, the trend and the sectors (ECharts served by this server; the map
   helpers of dashboard.js — XP.geo, XP.mapView, XP.insetSeries — so the map draws as the dashboard's does). */
(function () {
  'use strict';
  var XP = window.XP || {};
  var COLOURS = {green: '#66bd63', yellow: '#fdd835', red: '#d73027', no_report: '#bdbdbd'};
  var LABELS = {green: '绿 on pace', yellow: '黄 behind', red: '红 far behind', no_report: '无报告 no report'};
  function data() { var el = document.getElementById('page-data'); return el ? JSON.parse(el.textContent) : null; }
  function esc(s) { return String(s === undefined || s === null ? '' : s).replace(/[&<>"']/g, function (c) { return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]; }); }
  function fmt(x, d) { return x === null || x === undefined ? '—' : Number(x).toFixed(d === undefined ? 1 : d); }
  var charts = [];
  function chart(id) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    var c = echarts.init(el, null, {renderer: 'canvas'});
    charts.push(c);
    return c;
  }
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });

  XP.dispatchMonth = function () {
    var d = data();
    if (!d) return;
    var t = chart('dtrend');
    if (t) t.setOption({
      tooltip: {trigger: 'axis', valueFormatter: function (v) { return fmt(v) + '%'; }},
      legend: {bottom: 0, data: ['完成率 completion', '时序进度 elapsed']}, grid: {left: 45, right: 20, top: 20, bottom: 45},
      xAxis: {type: 'category', data: d.trend.map(function (x) { return x.month; })}, yAxis: {type: 'value', name: '%'},
      series: [{name: '完成率 completion', type: 'line', data: d.trend.map(function (x) { return x.completion; }), itemStyle: {color: '#b3261e'}, label: {show: true, formatter: function (x) { return fmt(x.value); }}},
               {name: '时序进度 elapsed', type: 'line', data: d.trend.map(function (x) { return x.elapsed; }), lineStyle: {type: 'dashed'}, itemStyle: {color: '#888'}}]
    });
    var s = chart('dsector');
    if (s) s.setOption({
      tooltip: {trigger: 'axis', axisPointer: {type: 'shadow'}, valueFormatter: function (v) { return fmt(v) + '%'; }},
      grid: {left: 90, right: 40, top: 10, bottom: 25},
      xAxis: {type: 'value', name: '%'}, yAxis: {type: 'category', inverse: true, data: d.sectors.map(function (x) { return x.name; })},
      series: [{type: 'bar', data: d.sectors.map(function (x) { return {value: x.completion, itemStyle: {color: COLOURS[x.colour] || '#999'}}; }),
                label: {show: true, position: 'right', formatter: function (x) { return fmt(x.value) + '%'; }}}]
    });
    var el = document.getElementById('dmap');
    if (!el || !d.has_geo || !XP.geo || !XP.mapView) return;
    var m = chart('dmap');
    var status = document.getElementById('dmap-status');
    m.showLoading();
    XP.geo().then(function (g) {
      var v = XP.mapView(g, d.inset, d.provinces);
      var byCode = {};
      d.counties.forEach(function (c) { byCode[c.code] = c; });
      var rows = d.counties.map(function (c) { return {name: c.code, value: c.pace, c: c, itemStyle: {areaColor: COLOURS[c.colour] || '#eee'}}; });
      var series = [{type: 'map', map: v.name, nameProperty: 'code', roam: true, top: 10, bottom: 10,
        itemStyle: {borderColor: '#fff', borderWidth: 0.3, areaColor: '#f2f2f2'}, emphasis: {label: {show: false}, itemStyle: {areaColor: '#90caf9'}},
        select: {disabled: true}, data: rows}];
      if (v.inset) series.push(XP.insetSeries(d.inset, rows));
      m.hideLoading();
      m.setOption({
        tooltip: {trigger: 'item', formatter: function (x) { var c = x.data && x.data.c; return c ? esc(c.name) + ' ' + esc(c.code) + '<br>' + esc(LABELS[c.colour] || c.colour) + '<br>完成率 ' + fmt(c.completion) + '% · 时序差 ' + fmt(c.pace) : esc(x.name); }},
        series: series
      });
      el.setAttribute('data-drawn', String(rows.length));
      status.textContent = Object.keys(COLOURS).map(function (k) { return LABELS[k] + ' ' + d.counties.filter(function (c) { return c.colour === k; }).length; }).join(' · ');
      m.on('click', function (x) { if (x.data && x.data.c) location.href = '/dispatch/county/' + encodeURIComponent(x.data.c.code) + '?month=' + encodeURIComponent(d.month); });
    }).catch(function (e) { m.hideLoading(); status.textContent = '地图不可用 map unavailable: ' + e.message; });
  };

  var entry = document.currentScript && document.currentScript.getAttribute('data-page');
  if (entry && XP[entry]) XP[entry]();
})();
