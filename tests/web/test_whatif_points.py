"""提升路径 on a points-based result (考核办法 province-assessment on the census rows of 河南 and 山西, 2010 and 2020,
served as `xianping serve --results` serves it): /api/units/{code}/whatif answers `kind: points` with the answer of
`xianping points whatif` for the same county (its CSV, read here with the csv module) and the summary of
`xianping analyse whatif --json`; one scenario evaluated again through `xianping evaluate` gives the total, class
rank and 先进县 announced; the index options (target rank, rank scope) are refused; the page offers only the year;
in chromium the 测算 button fills the items table with the API's numbers; schemathesis finds the points answer
conforming to the documented schema."""

from __future__ import annotations

import csv
import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from .test_score_sheet_profile import CHROMIUM, points_dash, points_results  # noqa: F401 - the module's fixtures

WHATIF = "/api/units/{}/whatif"
UNIT = "411122"   # 临颍县: 县 class, 2020 class rank 11, first after the 先进县 line (10 per class)


def _client(dash):
    from xianping.web.app import create_app

    return TestClient(create_app(dash), raise_server_exceptions=False)


def _cli(*args: str):
    from xianping.cli.main import app

    r = CliRunner().invoke(app, list(args))
    assert r.exit_code == 0, r.output
    return r


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _num(s: str):
    return None if s == "" else float(s)


@pytest.fixture(scope="module")
def cli_answer(points_results, tmp_path_factory):
    """`xianping points whatif` (its table) and `xianping analyse whatif --json` (its facts) for UNIT in 2020."""
    d = tmp_path_factory.mktemp("cli-whatif")
    data = str(points_results / "data.csv")
    _cli("points", "whatif", "-f", "province-assessment", "--data", data, "--unit", UNIT, "--year", "2020",
         "-o", str(d / "points.csv"))
    r = _cli("analyse", "whatif", "-f", "province-assessment", "--data", data, "--unit", UNIT, "--year", "2020",
             "--json", "-o", str(d / "analyse.csv"))
    return _csv(d / "points.csv"), json.loads(r.stdout[r.stdout.index("{"):])


def test_points_whatif_is_xianping_points_whatif(points_results, points_dash, cli_answer):  # noqa: F811
    table, summary = cli_answer
    r = _client(points_dash).get(WHATIF.format(UNIT), params={"year": "2020"})
    assert r.status_code == 200, r.text
    b = r.json()
    assert b["kind"] == "points" and b["unit_code"] == UNIT and b["unit_name"] == "临颍县" and b["year"] == "2020"
    assert b["summary"] == summary   # the facts exactly as `xianping analyse whatif --json` prints them
    # per item, the CLI's table as written
    assert [x["item"] for x in b["items"]] == [row["item"] for row in table]
    for x, row in zip(b["items"], table):
        for k in ("value", "value_then", "points", "points_then", "max_points", "total_then"):
            assert x[k] == _num(row[k]), (row["item"], k)
        assert (x["rank_then"], x["class_rank_then"]) == (int(float(row["rank_then"])), int(float(row["class_rank_then"])))
        assert x["advanced_then"] == (row["advanced_then"] == "true") and x["item_zh"] == row["item_zh"]
        # points gained, in decimal arithmetic on the CSV's text (to the hundredth, as published)
        assert Decimal(str(x["gain"])) == Decimal(row["points_then"]) - Decimal(row["points"]), row["item"]
        assert x["unit"] and x["name_zh"]
    # the county now: its row of <results>.scoresheet.csv; the 先进县 line is the total of the last 先进县 of its class
    sheet = [s for s in _csv(points_results / "results.scoresheet.csv") if s["year"] == "2020" and s["kind"] == "total"]
    mine = next(s for s in sheet if s["unit_code"] == UNIT)
    line = min(Decimal(s["points"]) for s in sheet if s["class"] == mine["class"] and "先进县" in s["award"])
    assert (b["total"], b["class_rank"], b["class_name"]) == (float(mine["points"]), int(float(mine["class_rank"])), "县")
    assert b["advanced"] is False and "先进县" not in mine["award"] and b["ranked_by"] == "class"
    assert Decimal(str(b["advanced_line"])) == line and Decimal(str(b["points_short"])) == line - Decimal(mine["points"])
    assert b["decimals"] == 2 and not b["vetoed"]
    # some items alone make it 先进县, others do not (a card with a real choice)
    assert {x["advanced_then"] for x in b["items"]} == {True, False}


def test_a_scenario_evaluated_again_gives_what_the_api_says(points_results, points_dash, tmp_path):  # noqa: F811
    """schooling (功效系数) at the value for full points, written into the data file and evaluated again with
    `xianping evaluate`: the county's item points, total, class rank and 先进县 are those the API announced."""
    b = _client(points_dash).get(WHATIF.format(UNIT), params={"year": "2020"}).json()
    item = next(x for x in b["items"] if x["item"] == "schooling")
    assert item["advanced_then"] and item["gain"] > 0
    rows = _csv(points_results / "data.csv")
    hit = [r for r in rows if (r["unit_code"], r["period"], r["indicator"]) == (UNIT, "2020", item["indicator"])]
    assert len(hit) == 1
    hit[0]["value"] = repr(item["value_then"])
    with open(tmp_path / "data.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    _cli("evaluate", "-f", "province-assessment", "--data", str(tmp_path / "data.csv"), "--out", str(tmp_path / "r.csv"),
         "--top", "0")
    after = {s["item"]: s for s in _csv(tmp_path / "r.scoresheet.csv") if s["unit_code"] == UNIT and s["year"] == "2020"}
    assert float(after["schooling"]["points"]) == item["points_then"]
    assert float(after["total"]["points"]) == item["total_then"]
    assert int(float(after["total"]["class_rank"])) == item["class_rank_then"]
    assert "先进县" in after["total"]["award"]


def test_a_store_dashboard_gives_the_same_points_whatif(points_results, points_dash, tmp_path):  # noqa: F811
    """Served from a store (`xianping serve --store -f province-assessment`, evaluated by type): the same answer."""
    from xianping.ingest.run_import import import_table
    from xianping.store.duckdb_store import open_store
    from xianping.web.source import load_dashboard

    with open_store(tmp_path / "s.duckdb") as st:
        import_table(points_results / "data.csv", st, source="census")
    d = load_dashboard(store=tmp_path / "s.duckdb", framework="province-assessment", cache=tmp_path / "cache")
    assert d.data.manifest["data"]["kind"] == "store" and d.data.manifest["by_type"]
    a = _client(d).get(WHATIF.format(UNIT), params={"year": "2020"})
    b = _client(points_dash).get(WHATIF.format(UNIT), params={"year": "2020"})
    assert a.status_code == b.status_code == 200, a.text
    assert {**a.json(), "seconds": 0} == {**b.json(), "seconds": 0}


def test_points_whatif_is_cached_and_the_evaluation_rebuilt_once(points_dash, monkeypatch):  # noqa: F811
    import xianping.web.whatif_points as wp

    calls = []
    real = wp.compute
    monkeypatch.setattr(wp, "compute", lambda *a, **k: calls.append(a[1:]) or real(*a, **k))
    c = _client(points_dash)
    first = c.get(WHATIF.format(UNIT), params={"year": "2010"})
    assert first.status_code == 200 and first.json()["year"] == "2010"
    res = points_dash._wi_model
    assert res is not None and getattr(res.framework, "scoring", None) is not None
    again = c.get(WHATIF.format(UNIT), params={"year": "2010"})
    assert again.content == first.content and len(calls) == 1
    assert c.get(WHATIF.format("410823")).status_code == 200 and points_dash._wi_model is res


@pytest.mark.parametrize("params, status, words", [
    ({"target": 3}, 422, "target=3: a points-based result (考核办法) has no target rank or rank scope"),
    ({"scope": "province"}, 422, "scope=province: a points-based result"),
    ({"scope": "nation", "target": 5}, 422, "target=5, scope=nation"),
    ({"year": "1999"}, 422, "year '1999' was not evaluated"),
])
def test_index_options_are_refused_for_points(points_dash, params, status, words):  # noqa: F811
    r = _client(points_dash).get(WHATIF.format(UNIT), params=params)
    assert r.status_code == status, r.text
    assert words in r.json()["detail"] and "Traceback" not in r.text


def test_points_whatif_refuses_a_rebuild_that_is_not_the_page(points_dash):  # noqa: F811
    """Totals of the score sheet on the page that the rebuilt evaluation does not give, or data that are gone: 409."""
    from xianping.web.data import Dashboard

    sheet = points_dash.score_sheet.copy()
    sheet.loc[sheet["kind"].astype(str) == "total", "points"] += 0.01
    d = Dashboard(points_dash.data, origin=dict(points_dash.origin), score_sheet=sheet)
    r = _client(d).get(WHATIF.format(UNIT))
    assert r.status_code == 409 and "does not give the 考核得分表 totals shown here" in r.json()["detail"]
    assert d._wi_model is None
    m = {**points_dash.data.manifest, "data": {**points_dash.data.manifest["data"], "path": "/nonexistent/data.csv"}}
    d = Dashboard(dataclasses.replace(points_dash.data, manifest=m), score_sheet=points_dash.score_sheet)
    r = _client(d).get(WHATIF.format(UNIT))
    assert r.status_code == 409 and "/nonexistent/data.csv no longer exists" in r.json()["detail"]


def test_the_page_offers_the_points_whatif_only(points_dash, client):  # noqa: F811
    html = _client(points_dash).get(f"/unit/{UNIT}").text
    card = html[html.index('id="whatif"'):html.index("</div>\n", html.index('id="wi-method"'))]
    assert 'data-kind="points"' in card and 'id="wi-items"' in card and 'id="wi-go"' in card and 'id="wi-year"' in card
    assert 'id="wi-target"' not in card and 'id="wi-scope"' not in card and 'id="wi-levers"' not in card
    assert "第一方阵中位数" not in card and "满分值" in card
    index = client.get("/unit/410821").text   # an index result keeps its scenarios, target and scope
    assert 'data-kind="index"' in index and 'id="wi-target"' in index and 'id="wi-scope"' in index
    assert 'id="wi-items"' not in index


def test_openapi_offers_the_points_whatif_only(points_dash, client):  # noqa: F811
    """A points server documents the points answer and the year alone; an index server its scenarios' answer
    (kind index) with target and scope."""
    spec = _client(points_dash).get("/openapi.json").json()
    op = spec["paths"]["/api/units/{code}/whatif"]["get"]
    assert op["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/PointsWhatIf"}
    assert {p["name"] for p in op["parameters"]} == {"code", "year"} and {"200", "404", "409", "422"} <= set(op["responses"])
    props = spec["components"]["schemas"]["PointsWhatIf"]["properties"]
    assert {"kind", "items", "total", "class_rank", "advanced_line", "points_short", "summary"} <= set(props)
    assert "WhatIf" not in spec["components"]["schemas"]
    index = client.get("/openapi.json").json()
    iop = index["paths"]["/api/units/{code}/whatif"]["get"]
    assert {p["name"] for p in iop["parameters"]} == {"code", "year", "target", "scope"}
    assert "kind" in index["components"]["schemas"]["WhatIf"]["properties"] and "PointsWhatIf" not in index["components"]["schemas"]


def test_points_whatif_conforms_to_its_schema(points_dash):  # noqa: F811
    """schemathesis on a real server of the points result, the what-if operation only: generated requests with the
    real county (and none, or generated codes) — valid ones answer the documented PointsWhatIf, the rest 404/422."""
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from schemathesis import GenerationMode

    from xianping.web.app import create_app

    from .one_province_server import serving

    with serving(create_app(points_dash)) as url:
        op = next(r.ok() for r in schemathesis.openapi.from_url(url + "/openapi.json").get_all_operations()
                  if r.ok().path == "/api/units/{code}/whatif")

        def real(args):
            case, code = args
            if code is not None:
                case.path_parameters = {**(case.path_parameters or {}), "code": code}
            return case

        statuses = []
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=st.tuples(op.as_strategy(generation_mode=mode), st.sampled_from([None, UNIT])).map(real))
            @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def run(case):
                statuses.append(case.call_and_validate().status_code)

            run()
    assert 200 in statuses and 422 in statuses


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (/usr/bin/chromium)")
def test_points_whatif_in_the_browser(points_dash):  # noqa: F811
    """测算 on the county page: no target or scope box; the items table shows the API's points and totals."""
    pw_api = pytest.importorskip("playwright.sync_api")
    from xianping.web.app import create_app

    from .one_province_server import serving

    want = _client(points_dash).get(WHATIF.format(UNIT), params={"year": "2020"}).json()
    problems: list[str] = []
    with serving(create_app(points_dash)) as url, pw_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"])
        page = b.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{url}/unit/{UNIT}", wait_until="load")
        assert page.locator("#wi-target").count() == 0 and page.locator("#wi-scope").count() == 0
        page.locator("#whatif").scroll_into_view_if_needed()
        page.click("#wi-go")
        page.wait_for_selector("#wi-items tbody tr", timeout=120_000)
        cells = page.evaluate("() => Array.from(document.querySelectorAll('#wi-items tbody tr')).map("
                              "tr => [tr.getAttribute('data-item')].concat(Array.from(tr.cells).slice(3).map(c => c.textContent.trim())))")
        assert cells == [[x["item"], f"{x['points']:.2f} → {x['points_then']:.2f} / {x['max_points']:.2f}",
                          (f"+{x['gain']:.2f}" if x["gain"] > 0 else f"{x['gain']:.2f}"), f"{x['total_then']:.2f}",
                          str(x["rank_then"]), "是 yes · 新进 newly" if x["advanced_then"] else "否 no"]
                         for x in want["items"]]
        # ranked within class (分类排序): the new rank is the class rank, so the class-rank column is hidden
        assert want["ranked_by"] == "class" and all(x["rank_then"] == x["class_rank_then"] for x in want["items"])
        assert page.locator("#wi-class-rank").is_hidden()
        head = page.locator("#wi-head").inner_text()
        assert "县类第11名" in head and f"先进县线 advanced line {want['advanced_line']:.2f}" in head
        assert f"还差 short {want['points_short']:.2f}" in head and "用时" in page.locator("#wi-status").inner_text()
        wi = [u for u in requests if "/whatif" in u]
        assert wi and all("target=" not in u and "scope=" not in u for u in wi)
        art = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
        art.mkdir(parents=True, exist_ok=True)
        page.locator("#whatif").screenshot(path=str(art / "whatif-points.png"))
        b.close()
    assert not problems, problems
