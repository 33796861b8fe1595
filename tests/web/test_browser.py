"""The dashboard in Debian's headless Chromium through Playwright (the Python package, `executable_path`, no
browser download), against a real uvicorn server on a free loopback port: load the ranking, filter by province
and type, open a county profile, switch the map year, download the workbook. Screenshots go to
test-artifacts/web/; any console error, page error or failed request fails the test."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (/usr/bin/chromium); "
                                "`.ci/run` installs it with apt-get")

CANVAS_INK = """(sel) => { const c = document.querySelector(sel + ' canvas'); if (!c) return -1;
  const x = c.getContext('2d'); const d = x.getImageData(0, 0, c.width, c.height).data; let ink = 0;
  for (let i = 0; i < d.length; i += 4 * 7) { if (d[i+3] > 0 && !(d[i] > 245 && d[i+1] > 245 && d[i+2] > 245)) ink++; }
  return ink; }"""


@pytest.fixture(scope="module")
def browser():
    pw_api = pytest.importorskip("playwright.sync_api")
    with pw_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True, locale="zh-CN")
    pg = ctx.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    pg.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    # offline: nothing but this server (no CDN, no fonts, no tiles)
    pg.on("request", lambda r: problems.append(f"external request: {r.url}")
          if not r.url.startswith((live_server, "data:", "blob:", "about:")) else None)
    pg.problems = problems
    yield pg
    ctx.close()
    assert not problems, problems


def shot(page, name: str, full: bool = False) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full)
    return path


def test_ranking_filter_profile(page, live_server):
    page.goto(live_server + "/", wait_until="load")
    page.wait_for_function("() => document.querySelector('#topchart canvas') !== null")
    page.wait_for_timeout(800)
    assert page.evaluate(CANVAS_INK, "#topchart") > 500
    rows = page.locator("#ranking tbody tr")
    assert rows.count() == 100
    shot(page, "01-ranking")

    with page.expect_navigation():
        page.select_option("#f-province", "41")
    assert "province=41" in page.url
    names = page.locator("#ranking tbody tr td:nth-child(4)").all_inner_texts()
    assert names and all(n.startswith("河南省") for n in names)
    with page.expect_navigation():
        page.select_option("#f-type", "县级市")
    types = page.locator("#ranking tbody tr td:nth-child(5)").all_inner_texts()
    assert types and set(types) == {"县级市"}
    assert "province=41" in page.url and "type=" in page.url
    page.wait_for_timeout(600)
    shot(page, "02-ranking-henan-county-cities", full=True)

    first = page.locator("#ranking tbody tr a.unit").first
    name = first.inner_text()
    with page.expect_navigation():
        first.click()
    assert "/unit/41" in page.url
    assert name in page.locator("#unit-title").inner_text()
    page.wait_for_function("() => document.querySelector('#neighmap canvas') !== null")
    page.wait_for_timeout(1200)
    for sel in ("#trend", "#radar", "#obstchart", "#neighmap"):
        assert page.evaluate(CANVAS_INK, sel) > 200, sel
    assert page.locator("#rank-interval").count() == 1
    shot(page, "03-profile", full=True)


def test_search_and_compare(page, live_server):
    page.goto(live_server + "/?q=焦作", wait_until="load")
    page.fill("#f-q", "修武")
    with page.expect_navigation():
        page.press("#f-q", "Enter")
    assert page.locator("#ranking tbody tr").count() == 1
    page.goto(live_server + "/?city=410800&province=41", wait_until="load")
    boxes = page.locator("input.pick")
    for k in range(3):
        boxes.nth(k).check()
    with page.expect_navigation():
        page.click("#compare-go")
    assert "/compare?units=" in page.url
    page.wait_for_function("() => document.querySelector('#cradar canvas') !== null")
    page.wait_for_timeout(900)
    assert page.evaluate(CANVAS_INK, "#cradar") > 200
    shot(page, "04-compare", full=True)


def test_map_year_switch(page, live_server):
    page.goto(live_server + "/map", wait_until="load")
    page.wait_for_function("() => document.getElementById('map').getAttribute('data-year') === '2020'", timeout=60_000)
    page.wait_for_timeout(1200)
    ink2020 = page.evaluate(CANVAS_INK, "#map")
    assert ink2020 > 5000
    shot(page, "05-map-2020")
    # the national map carries the 南海诸岛 inset: framed, bottom right, its dashed line among the inset's regions
    nat = page.evaluate(INSET_STATE)
    assert nat["view"] == "national" and nat["inset"] == "1", nat
    assert "460322" not in nat["main"] and "460322" in nat["inset_regions"] and "scs_line_1" in nat["inset_regions"]
    (x0, y0), (x1, y1) = nat["frame"]
    assert x0 > 0.6 * nat["width"] and y1 > 0.8 * nat["height"] and (x1 - x0) * (y1 - y0) < 0.1 * nat["width"] * nat["height"]
    page.click("#years button[data-year='2010']")
    page.wait_for_function("() => document.getElementById('map').getAttribute('data-year') === '2010'", timeout=30_000)
    page.wait_for_timeout(1200)
    assert "year=2010" in page.url
    assert page.locator("#map-title").inner_text() == "2010"
    shot(page, "06-map-2010")
    page.select_option("#m-province", "33")
    page.wait_for_function("() => location.search.indexOf('province=33') >= 0", timeout=30_000)
    page.wait_for_timeout(1200)
    shot(page, "07-map-zhejiang-2010")
    zj = page.evaluate(INSET_STATE)
    assert zj["view"] == "33" and zj["inset"] == "0" and zj["frame"] is None and {c[:2] for c in zj["main"]} == {"33"}


INSET_STATE = """() => { const el = document.getElementById('map'); const c = echarts.getInstanceByDom(el);
  const o = c.getOption(); const ids = o.series.map(s => s.id || '');
  const codes = (name) => echarts.getMap(name).geoJSON.features.map(f => f.properties.code);
  const k = ids.indexOf('scs-inset');
  return {view: el.getAttribute('data-view'), inset: el.getAttribute('data-inset'), width: el.clientWidth, height: el.clientHeight,
          main: codes(o.series[0].map), inset_regions: k >= 0 ? codes(o.series[k].map) : [],
          frame: k >= 0 ? [c.convertToPixel({seriesIndex: k}, [106.5, 23.6]), c.convertToPixel({seriesIndex: k}, [122.5, 2.8])] : null}; }"""


def test_download_workbook(page, live_server):
    import openpyxl

    page.goto(live_server + "/downloads?year=2020", wait_until="load")
    with page.expect_download(timeout=120_000) as dl:
        page.click("#dl-xlsx")
    d = dl.value
    assert d.suggested_filename.endswith(".xlsx")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / "ranking-2020.xlsx"
    d.save_as(str(target))
    wb = openpyxl.load_workbook(io.BytesIO(target.read_bytes()))
    assert wb.sheetnames
    shot(page, "08-downloads")


def test_framework_and_quality_pages(page, live_server):
    page.goto(live_server + "/framework", wait_until="load")
    assert page.locator("#fwtree tbody tr").count() > 10
    shot(page, "09-framework", full=True)
    page.goto(live_server + "/quality", wait_until="load")
    assert page.locator("#screened tbody tr").count() > 10
    shot(page, "10-quality")


def test_whatif_button(page, live_server, dash):
    """提升路径: the button says 测算中… while the what-if runs, then both tables show real indicators."""
    page.goto(live_server + "/unit/410882", wait_until="load")           # 沁阳市
    page.wait_for_function("() => document.querySelector('#trend canvas') !== null")
    page.fill("#wi-target", "50")                                         # an answer no other test asked for
    page.locator("#whatif").scroll_into_view_if_needed()
    page.click("#wi-go")
    assert page.locator("#wi-go").inner_text() == "测算中…" and page.locator("#wi-go").is_disabled()
    page.wait_for_selector("#wi-levers tbody tr", timeout=120_000)
    assert page.locator("#wi-go").is_enabled() and "测算" in page.locator("#wi-go").inner_text()
    names = {n.name_zh for n in dash.leaves}
    levers = page.locator("#wi-levers tbody tr td:first-child").all_inner_texts()
    assert levers and all(any(t.startswith(n) for n in names) for t in levers), levers
    assert page.locator("#wi-needed tbody tr").count() == len(dash.leaves)
    assert "进入前50名" in page.locator("#wi-needed-title").inner_text()
    assert "用时" in page.locator("#wi-status").inner_text()
    page.wait_for_timeout(300)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("#whatif").screenshot(path=str(ARTIFACTS / "11-whatif.png"))


def test_whatif_error_is_shown_in_the_page(page, live_server, dash):
    """When the data are gone the API answers 409; the page shows that message in the card (not the console).
    The 409 is the real answer of a dashboard whose data source is missing, served here through a route."""
    import dataclasses

    from fastapi.testclient import TestClient

    from xianping.web.app import create_app
    from xianping.web.data import Dashboard

    m = {**dash.data.manifest, "data": {**dash.data.manifest["data"], "path": "/nonexistent/xianping.duckdb"}}
    stale = TestClient(create_app(Dashboard(dataclasses.replace(dash.data, manifest=m)))).get("/api/units/410821/whatif")
    assert stale.status_code == 409
    page.route("**/api/units/410821/whatif*", lambda route: route.fulfill(status=409, body=stale.content,
                                                                          content_type="application/json"))
    page.goto(live_server + "/unit/410821", wait_until="load")
    page.click("#wi-go")
    page.wait_for_selector("#wi-status.error", timeout=30_000)
    msg = page.locator("#wi-status").inner_text()
    assert "无法测算" in msg and "/nonexistent/xianping.duckdb no longer exists" in msg
    assert page.locator("#wi-out").is_hidden() and page.locator("#wi-go").is_enabled()
    page.locator("#whatif").screenshot(path=str(ARTIFACTS / "12-whatif-error.png"))
    # the expected 409 (and Chromium's note of it) are the only problems allowed
    page.problems[:] = [p for p in page.problems if "409" not in p]


# ── the scope and the rank-within filter (issue 12) ────────────────────────────────────────────────────────
RANK_CELLS = "() => Array.from(document.querySelectorAll('#ranking tbody tr')).map(tr => [tr.getAttribute('data-code'), tr.querySelector('td').textContent.trim()])"


def test_rank_within_filter(page, live_server, dash):
    """Choosing 市内 in 排名范围 reloads the ranking with each prefecture's units numbered 1…N of N (as the API's
    within_rank), grouped, the scope's own rank beside them; choosing the scope again restores the 全国排名."""
    page.goto(live_server + "/?province=41", wait_until="load")
    assert "全国 县级单位" in page.locator("#scope").inner_text()
    assert page.locator("#rank-head").inner_text().startswith("全国排名")
    with page.expect_navigation():
        page.select_option("#f-within", "prefecture")
    assert "within=prefecture" in page.url and "province=41" in page.url
    assert page.locator("#rank-head").inner_text().startswith("市内名次")
    cells = page.evaluate(RANK_CELLS)
    want = {r["unit_code"]: r for r in dash.rankings("2020", "41", within="prefecture")}
    assert len(cells) == 100
    for code, text in cells:
        r = want[code]
        assert text == f"{r['within_rank']} / {r['within_ranked']}", (code, text)
    groups = [want[c]["prefecture_group"] for c, _ in cells]
    assert groups == sorted(groups) and cells[0][1].startswith("1 /")
    assert page.locator("#ranking thead th").nth(1).inner_text().startswith("全国排名")   # the scope's rank beside
    shot(page, "13-ranking-within-prefecture")
    with page.expect_navigation():
        page.select_option("#f-within", "scope")
    assert "within=scope" in page.url and page.locator("#rank-head").inner_text().startswith("全国排名")
    page.goto(live_server + "/unit/410821", wait_until="load")
    text = page.locator("#group-ranks").inner_text()
    last = dash.profile(dash.index["410821"])["years"][-1]
    assert f"全市第{last['rank_prefecture']}位（共{last['ranked_prefecture']}个）" in text and "焦作市" in text


def test_one_province_result_opens_within_the_province(browser, cache_dir, tmp_path):
    """A result ranked within 河南 says 省内排名 on the ranking and the profile, and its map opens on 河南."""
    from xianping.web.app import create_app

    from .one_province_server import henan_dashboard, serving

    _, d = henan_dashboard(cache_dir, tmp_path)
    with serving(create_app(d)) as url:
        ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        pg = ctx.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.goto(url + "/", wait_until="load")
        assert pg.locator("#rank-head").inner_text().startswith("省内排名")
        assert "河南省 县级单位" in pg.locator("#scope").inner_text()
        assert pg.evaluate(RANK_CELLS)[0][1] == f"1 / {len(d.data.ranked())}"
        pg.goto(url + "/unit/410821", wait_until="load")
        assert "省内排名" in pg.locator("#kpi-rank").inner_text()
        pg.goto(url + "/map", wait_until="load")
        pg.wait_for_function("() => document.getElementById('map').getAttribute('data-view') !== null", timeout=60_000)
        view = pg.locator("#map").get_attribute("data-view")
        pg.screenshot(path=str(ARTIFACTS / "14-henan-map.png"))
        ctx.close()
    assert errors == [] and view == "41"
