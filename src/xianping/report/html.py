"""The HTML report: one self-contained file that works offline.

ECharts 5 (assets/echarts.min.js, Apache-2.0) and the shipped simplified county boundaries are inlined; chart
options are built with pyecharts and finished in the page (the map's per-province views are registered in the
browser from the same geometry, so it is stored once). Sections: county choropleth (national and per province,
legend, boundary credit), ranking bars, full ranking table, dimension trend lines, obstacle and coupling charts
when those results exist, the rank-interval plot when robustness results exist, and a county profile (radar,
trend, dimension table, obstacles) reached from the map, the bars and the table (`#county-<code>`).
"""

from __future__ import annotations

import html as _html
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from xianping.report.data import PROVINCE_EN, ReportData, province_name

PALETTE = ["#a50026", "#f46d43", "#fee08b", "#d9ef8b", "#66bd63", "#006837"]   # RdYlGn: low → high


# A result covering at least this many provinces is mapped as the whole country (a few provinces without data,
# such as Tibet or Taiwan, should not shrink a national map); fewer are mapped as the provinces they cover.
NATIONAL_MIN_PROVINCES = 20


def map_extent(provinces) -> list[str] | None:
    """The map's default view: None for the whole country (drawn with the 南海诸岛 inset), else the sorted
    2-digit codes of the provinces the result covers."""
    provs = sorted({str(p)[:2] for p in provinces})
    return None if len(provs) >= NATIONAL_MIN_PROVINCES else provs


def scs_inset() -> dict[str, Any]:
    """The 南海诸岛 inset (scripts/build_scs_inset.py): clipped county polygons, the dashed boundary line, the frame,
    and which codes and lines the main national view leaves to it."""
    ref = resources.files("xianping.report").joinpath("assets", "south_china_sea_inset.json")
    return json.loads(ref.read_text(encoding="utf-8"))


def _r(x, d=2):
    if x is None:
        return None
    x = float(x)
    return None if np.isnan(x) else round(x, d)


def _opts(chart) -> dict[str, Any]:
    return json.loads(chart.dump_options())


def _geometry(data: ReportData) -> tuple[dict[str, Any] | None, dict[str, str], str]:
    """(GeoJSON with only code/name/province properties, data code → boundary code, credit). Shipped boundaries that
    cannot be read (a broken install) leave the report without its map, named in its list of parts not made."""
    from xianping.analysis.boundaries import shipped_geometry, shipped_units
    from xianping.report.data import ReportFailure

    try:
        geo = shipped_geometry()
        su = shipped_units()
    except (OSError, ValueError, KeyError) as e:  # missing or damaged data file (gzip, JSON)
        data.failures.append(ReportFailure("县域地图 county map", f"边界数据无法读取 shipped boundaries unreadable: {e}"))
        return None, {}, ""
    for f in geo["features"]:
        p = f["properties"]
        f["properties"] = {"code": p["code"], "name": p.get("name", ""), "prov": p["code"][:2]}
    join = {}
    for u in data.units:
        b = su.resolve(u)
        if b is not None:
            join[u] = b
    credit = geo.get("attribution", "") or su.meta.get("attribution", "")
    return geo, join, credit


def _payload(data: ReportData, year: str, join: dict[str, str]) -> dict[str, Any]:
    t = data.t(year)
    k = data.k(data.root.code)
    dims = data.dimensions
    kd = [data.k(d.code) for d in dims]
    rc = data.rank_change(year)
    groups = {r["unit_code"]: r for r in data.rank_rows(year)}   # 省内、市内、同类 ranks (report.data, the one place)
    units = []
    for i in data.ranked(year):
        g = groups[data.units[i]]
        u = {"c": data.units[i], "n": data.unit_names[i], "p": data.province(i), "b": join.get(data.units[i]),
             "s": _r(data.score[t, i, k]), "r": int(data.rank[t, i, k]),
             "rc": None if np.isnan(rc[i]) else int(rc[i]),
             "d": [_r(data.score[t, i, j]) for j in kd], "dr": [None if np.isnan(data.rank[t, i, j]) else int(data.rank[t, i, j]) for j in kd],
             "y": [_r(data.score[tt, i, k]) for tt in range(len(data.years))],
             "yr": [None if np.isnan(data.rank[tt, i, k]) else int(data.rank[tt, i, k]) for tt in range(len(data.years))]}
        # [rank, ranked in the group] within province, prefecture and kind; the prefecture's name and the kind
        u["pr"] = [g["rank_province"], g["ranked_province"]]
        u["fr"] = [g["rank_prefecture"], g["ranked_prefecture"]]
        u["fn"] = g["prefecture_name"]
        u["k"] = g["kind"]
        u["kr"] = [g["rank_kind"], g["ranked_kind"]]
        if data.unit_types:
            u["ty"] = data.unit_types[i]
        if g.get("rank_type") is not None:
            u["tyr"] = [g["rank_type"], g["ranked_type"]]
        if data.tiers_on:
            u["tier"] = data.tier_label(int(data.tier[t, i]))
        if data.type_rank is not None and not np.isnan(data.type_rank[t, i, k]):
            u["tr"] = int(data.type_rank[t, i, k])
        if data.obstacles is not None:
            O = data.obstacles["by_dim"][t, i]
            u["o"] = [_r(x * 100, 1) for x in O]
        if data.coupling is not None:
            u["D"] = _r(data.coupling["D"][t, i], 3)
            u["g"] = str(data.coupling["grade"][t, i])
        if data.rank_intervals is not None:
            lo, hi = data.rank_intervals["lo"][t, i], data.rank_intervals["hi"][t, i]
            if not np.isnan(lo):
                u["ri"] = [int(lo), int(hi)]
        units.append(u)
    provs = sorted({u["p"] for u in units})
    sc = data.scope
    scope = {"label": sc.get("label", ""), "rankLabel": data.rank_label, "level": sc.get("within_level", "none"),
             "unitsIn": sc.get("units_in", len(data.units)), "unitsOut": sc.get("units_out", 0),
             "within": sc.get("within_name") or "全国"}
    return {"year": year, "scope": scope, "top": data.top_n(30, year), "years": data.years, "base": data.base_year, "extent": map_extent(provs),
            "dims": [{"c": d.code, "zh": d.name_zh, "en": d.name_en} for d in dims],
            "obDims": [data.node(c).name_zh for c in data.obstacles["dims"]] if data.obstacles is not None else None,
            "provinces": [{"c": p, "zh": province_name(p), "en": PROVINCE_EN.get(p, "")} for p in provs],
            "units": units, "root": {"zh": data.root.name_zh, "en": data.root.name_en}}


def _charts(data: ReportData, year: str, payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    from pyecharts import options as opts
    from pyecharts.charts import Bar, Line, Map, Radar

    units = payload["units"]
    scores = [u["s"] for u in units if u["s"] is not None]
    lo, hi = (min(scores), max(scores)) if scores else (0, 100)
    out: dict[str, dict[str, Any]] = {}
    if any(u["b"] for u in units):  # no unit on the shipped boundaries (towns, zones, a broken install): no map
        m = (Map(init_opts=opts.InitOpts(bg_color="#ffffff"))
             .add(f"{payload['root']['zh']} {payload['root']['en']}", [(u["b"], u["s"]) for u in units if u["b"]],
                  maptype="xp_counties", is_roam=True, is_map_symbol_show=False,
                  label_opts=opts.LabelOpts(is_show=False))
             .set_global_opts(
                 title_opts=opts.TitleOpts(title=f"{year}年县域综合得分 County scores, {year}",
                                           subtitle="点击县域查看概况 Click a county for its profile"),
                 visualmap_opts=opts.VisualMapOpts(min_=float(np.floor(lo)), max_=float(np.ceil(hi)), range_color=PALETTE,
                                                   is_calculable=True, pos_left="2%", pos_bottom="6%",
                                                   range_text=["高 High", "低 Low"], precision=1),
                 tooltip_opts=opts.TooltipOpts(trigger="item")))
        mo = _opts(m)
        s = mo["series"][0]
        s["nameProperty"] = "code"
        s["itemStyle"] = {"areaColor": "#d9d9d9", "borderColor": "#ffffff", "borderWidth": 0.2}
        s["emphasis"] = {"label": {"show": False}, "itemStyle": {"areaColor": "#2b8cbe"}}
        s["select"] = {"disabled": True}
        s["data"] = []       # filled in the page for the view shown (extent, province, 南海诸岛 inset)
        s["top"], s["bottom"] = 80, 16
        mo["legend"] = [{"show": False}]
        mo["visualMap"] = mo["visualMap"] if isinstance(mo["visualMap"], dict) else mo["visualMap"][0]
        mo["visualMap"]["textStyle"] = {"fontSize": 13}
        out["map"] = mo

    n_top = payload["top"]   # 前N名 with N no more than the units ranked
    top = units[:n_top][::-1]
    bar = (Bar(init_opts=opts.InitOpts(bg_color="#ffffff"))
           .add_xaxis([u["n"] for u in top])
           .add_yaxis("综合得分 Score", [u["s"] for u in top], label_opts=opts.LabelOpts(is_show=True, position="right"),
                      itemstyle_opts=opts.ItemStyleOpts(color="#2f6fa7"))
           .reversal_axis()
           .set_global_opts(title_opts=opts.TitleOpts(
                               title=f"{payload['scope']['rankLabel']}前{n_top}名 Top {n_top}, {year}",
                               subtitle=f"{payload['scope']['label']}，共{len(units)}个参与排名 {len(units)} ranked"),
                            xaxis_opts=opts.AxisOpts(name="得分 Score", min_=float(np.floor(min([u["s"] for u in top] or [0]) - 2))),
                            yaxis_opts=opts.AxisOpts(axislabel_opts=opts.LabelOpts(font_size=11)),
                            tooltip_opts=opts.TooltipOpts(trigger="axis")))
    bo = _opts(bar)
    bo["grid"] = {"left": 230, "right": 60, "top": 60, "bottom": 40}
    out["bars"] = bo

    dims = payload["dims"]
    radar = (Radar(init_opts=opts.InitOpts(bg_color="#ffffff"))
             .add_schema(schema=[opts.RadarIndicatorItem(name=f"{d['zh']}\n{d['en']}", max_=100) for d in dims])
             .add("县域 County", [units[0]["d"] if units else []], areastyle_opts=opts.AreaStyleOpts(opacity=0.3),
                  label_opts=opts.LabelOpts(is_show=False))
             .add("全部平均 Mean of all", [[_r(np.mean([u["d"][j] for u in units if u["d"][j] is not None])) for j in range(len(dims))]],
                  linestyle_opts=opts.LineStyleOpts(type_="dashed"), label_opts=opts.LabelOpts(is_show=False))
             .set_global_opts(legend_opts=opts.LegendOpts(pos_bottom="0")))
    out["radar"] = _opts(radar)

    yrs = payload["years"]
    tl = (Line(init_opts=opts.InitOpts(bg_color="#ffffff")).add_xaxis(yrs)
          .add_yaxis("综合得分 Score", [u for u in (units[0]["y"] if units else [])])
          .set_global_opts(title_opts=opts.TitleOpts(title="得分走势 Score by year"), yaxis_opts=opts.AxisOpts(min_=0, max_=100),
                           legend_opts=opts.LegendOpts(is_show=False),
                           tooltip_opts=opts.TooltipOpts(trigger="axis")))
    out["trend"] = _opts(tl)

    means = Line(init_opts=opts.InitOpts(bg_color="#ffffff")).add_xaxis(yrs)
    for d in [data.root] + data.dimensions:
        kk = data.k(d.code)
        vals = []
        for tt in range(len(yrs)):
            ok = ~np.isnan(data.rank[tt, :, -1])
            vals.append(_r(np.mean(data.score[tt, ok, kk])) if ok.any() else None)
        means.add_yaxis(f"{d.name_zh} {d.name_en}", vals, label_opts=opts.LabelOpts(is_show=len(yrs) <= 4))
    means.set_global_opts(title_opts=opts.TitleOpts(title="各维度平均得分走势 Mean score by dimension and year"),
                          legend_opts=opts.LegendOpts(pos_top="40", type_="scroll"),
                          yaxis_opts=opts.AxisOpts(name="平均得分 Mean score", min_=0, max_=100),
                          tooltip_opts=opts.TooltipOpts(trigger="axis"))
    mt = _opts(means)
    mt["grid"] = {"top": 100}
    out["means"] = mt

    if data.obstacles is not None:
        t = data.t(year)
        bd = data.obstacles["by_dim"][t]
        ok = ~np.isnan(bd).all(axis=1)
        names = [f"{data.node(c).name_zh}\n{data.node(c).name_en}" for c in data.obstacles["dims"]]
        ob = (Bar(init_opts=opts.InitOpts(bg_color="#ffffff")).add_xaxis(names)
              .add_yaxis("平均障碍度 Mean obstacle degree (%)", [_r(np.mean(bd[ok, j]) * 100, 1) for j in range(bd.shape[1])],
                         itemstyle_opts=opts.ItemStyleOpts(color="#d6604d"), label_opts=opts.LabelOpts(position="top"))
              .set_global_opts(title_opts=opts.TitleOpts(title=f"平均障碍度 Mean obstacle degree, {year}"),
                               legend_opts=opts.LegendOpts(is_show=False),
                               xaxis_opts=opts.AxisOpts(axislabel_opts=opts.LabelOpts(interval=0)),
                               yaxis_opts=opts.AxisOpts(name="障碍度 Obstacle degree (%)"), tooltip_opts=opts.TooltipOpts(trigger="axis")))
        oo = _opts(ob)
        oo["grid"] = {"left": 70, "right": 20, "bottom": 60}
        oo["xAxis"][0]["axisLabel"]["fontSize"] = 11
        out["obstacles"] = oo
    if data.coupling is not None:
        from xianping.analysis.coupling import GRADES

        labels = [g for _, g in GRADES]
        cb = Bar(init_opts=opts.InitOpts(bg_color="#ffffff")).add_xaxis(labels)
        for tt, y in enumerate(data.years):
            g = data.coupling["grade"][tt]
            cb.add_yaxis(f"{y}年 {y}", [int(np.sum(g == lab)) for lab in labels], label_opts=opts.LabelOpts(is_show=False))
        cb.set_global_opts(title_opts=opts.TitleOpts(title="耦合协调等级 Coupling coordination grades"),
                           xaxis_opts=opts.AxisOpts(axislabel_opts=opts.LabelOpts(rotate=30)),
                           yaxis_opts=opts.AxisOpts(name="县级单位数 Units"), tooltip_opts=opts.TooltipOpts(trigger="axis"),
                           legend_opts=opts.LegendOpts(pos_top="30"))
        co = _opts(cb)
        co["grid"] = {"top": 80, "bottom": 80}
        out["coupling"] = co
    if data.rank_intervals is not None:
        top = [u for u in units if "ri" in u][:n_top][::-1]
        ri = (Bar(init_opts=opts.InitOpts(bg_color="#ffffff")).add_xaxis([u["n"] for u in top])
              .add_yaxis("base", [u["ri"][0] for u in top], stack="ri", itemstyle_opts=opts.ItemStyleOpts(opacity=0),
                         label_opts=opts.LabelOpts(is_show=False))
              .add_yaxis("名次区间 Rank interval", [u["ri"][1] - u["ri"][0] for u in top], stack="ri",
                         itemstyle_opts=opts.ItemStyleOpts(color="#9ecae1"), label_opts=opts.LabelOpts(is_show=False))
              .reversal_axis()
              .set_global_opts(title_opts=opts.TitleOpts(title=f"名次区间 Rank intervals (robustness), {year}"),
                               xaxis_opts=opts.AxisOpts(name="名次 Rank"), legend_opts=opts.LegendOpts(pos_top="30")))
        rio = _opts(ri)
        rio["series"].append({"type": "scatter", "name": "名次 Rank", "data": [[u["r"], u["n"]] for u in top],
                              "itemStyle": {"color": "#08519c"}, "symbolSize": 7})
        rio["grid"] = {"left": 230, "right": 40, "top": 70}
        rio["legend"] = {"data": ["名次区间 Rank interval", "名次 Rank"], "top": 30}
        out["intervals"] = rio
    return out


def write_html(data: ReportData, out: str | Path, year=None, title: str | None = None) -> Path:
    """Write the self-contained HTML report for `year` (default: the latest)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    year = str(year or data.latest)
    geo, join, credit = _geometry(data)
    payload = _payload(data, year, join)
    charts = _charts(data, year, payload)
    if geo is None:
        charts.pop("map", None)
    echarts = resources.files("xianping.report").joinpath("assets", "echarts.min.js").read_text(encoding="utf-8")
    page = resources.files("xianping.report").joinpath("templates", "report.html").read_text(encoding="utf-8")
    title = title or f"{data.framework.get('name_zh', '')}评价报告（{year}年）"
    quality = data.quality_rows()

    def js(obj) -> str:
        # inside <script>: no '<', '>' or '&' at all, so no user text can close the element or open a comment
        return (json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
                .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))

    n_ranked = len(payload["units"])
    sc = payload["scope"]
    out_note = f"，范围外{sc['unitsOut']}个未参评 {sc['unitsOut']} outside" if sc["unitsOut"] else ""
    summary = (f"{_html.escape(data.framework.get('name_zh', ''))}（{_html.escape(data.framework.get('name_en', ''))}）· "
               f"评价范围 Scope: {_html.escape(sc['label'])}（{_html.escape(sc['rankLabel'])}；范围内{sc['unitsIn']}个"
               f"{_html.escape(out_note)}）· "
               f"{n_ranked} 个县级单位参与排名 county-level units ranked · {len(data.dimensions)} 个维度 dimensions · "
               f"{len(data.leaves)} 项指标 indicators · 年份 years {_html.escape(', '.join(data.years))}")
    notes = "".join(f"<li>{_html.escape(r['zh'])} {_html.escape(r['kind'])}: {_html.escape(str(r.get('unit_code') or ''))} "
                    f"{_html.escape(str(r.get('unit_name') or ''))} {_html.escape(str(r.get('year') or ''))} "
                    f"{_html.escape(str(r.get('indicator') or ''))} — {_html.escape(str(r.get('detail') or ''))}</li>"
                    for r in quality[:200])
    # parts that could not be made head the notes, as the Word report lists them (以下部分未能生成)
    notes = "".join(f"<li>以下部分未能生成 not made: {_html.escape(f.part)}（原因 reason: {_html.escape(f.reason)}）</li>"
                    for f in data.failures) + notes
    repl = {
        "{{TITLE}}": _html.escape(title),
        "{{SUMMARY}}": summary,
        "{{ECHARTS}}": echarts.replace("</script", "<\\/script"),
        "{{GEO}}": js(geo) if geo is not None else "null",
        "{{INSET}}": js(scs_inset()) if geo is not None else "null",
        "{{DATA}}": js(payload),
        "{{CHARTS}}": js(charts),
        "{{CREDIT}}": _html.escape(credit or "—"),
        "{{NOTES}}": notes or "<li>无 None</li>",
        "{{MANIFEST}}": _html.escape(json.dumps({k: v for k, v in data.manifest.items() if k not in ("framework",)},
                                                ensure_ascii=False, indent=1)[:20000]),
        "{{FRAMEWORK}}": _html.escape(f"{data.framework.get('code')} v{data.framework.get('version')} · hash {data.framework.get('hash', '')[:12]}"),
    }
    # one pass: a placeholder written inside user text ("{{DATA}}" in a name) is never expanded
    page = re.sub(r"\{\{[A-Z]+\}\}", lambda m: repl.get(m.group(0), m.group(0)), page)
    from xianping.files import write_text

    write_text(out, page)  # a temporary file renamed when complete: never half a page
    return out
