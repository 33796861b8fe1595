"""The 考核得分表 on the dashboard's county profile: a points-based result (`xianping evaluate -f province-assessment`
on the bundled census data of 河南 and 山西, 2010 and 2020) served as `xianping serve --results` serves it. The API's
`score_sheet` and the profile page give every row of the county's sheet exactly as `<results>.scoresheet.csv` has it
(read here with the csv module, apart from the code under test); a dashboard built from a store computes the same
sheet; an index result has none. In Debian's chromium the section shows the 2020 rows and the total."""

from __future__ import annotations

import csv
import gzip
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

DEMO = Path(__file__).resolve().parents[2] / "src" / "xianping" / "demo" / "data" / "census_co2_panel.csv.gz"
UNIT = "410823"  # 武陟县


@pytest.fixture(scope="module")
def points_results(tmp_path_factory):
    """Results of province-assessment on the census rows of 河南 (41) and 山西 (14): results.csv + scoresheet."""
    d = tmp_path_factory.mktemp("points-dash")
    with gzip.open(DEMO, "rt", encoding="utf-8") as f, open(d / "data.csv", "w", encoding="utf-8", newline="") as g:
        rows = csv.reader(f)
        w = csv.writer(g)
        w.writerow(next(rows))
        w.writerows(r for r in rows if r[0][:2] in ("41", "14") and r[1] in ("2010", "2020"))
    from xianping.cli.main import app

    r = CliRunner().invoke(app, ["evaluate", "-f", "province-assessment", "--data", str(d / "data.csv"),
                                 "--out", str(d / "results.csv"), "--top", "0"])
    assert r.exit_code == 0, r.output
    return d


def _csv_rows(path: Path, unit: str) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["unit_code"] == unit:
                out.setdefault(r["year"], []).append(r)
    return out


def _num(s: str):
    return None if s == "" else float(s)


@pytest.fixture(scope="module")
def points_dash(points_results, tmp_path_factory):
    from xianping.web.source import load_dashboard

    return load_dashboard(results=points_results / "results.csv", cache=tmp_path_factory.mktemp("cache"))


def test_profile_api_gives_the_county_score_sheet_as_written(points_results, points_dash):
    from xianping.web.app import create_app

    p = TestClient(create_app(points_dash)).get(f"/api/units/{UNIT}")
    assert p.status_code == 200
    sheet = p.json()["score_sheet"]
    want = _csv_rows(points_results / "results.scoresheet.csv", UNIT)
    assert [s["year"] for s in sheet] == sorted(want) == ["2010", "2020"]
    for s in sheet:
        rows = want[s["year"]]
        total = next(r for r in rows if r["kind"] == "total")
        assert s["total"] == float(total["points"]) and s["max_points"] == float(total["max_points"])
        assert s["points_lost"] == float(total["points_lost"]) and s["class"] == total["class"] == "县"
        assert s["decimals"] == 2  # province-assessment's scoring.decimals (the default), from the results' manifest
        assert s["class_rank"] == int(float(total["class_rank"])) and s["rank"] == int(float(total["rank"]))
        assert "；".join(s["award"]) == total["award"] and s["vetoed"] == (total["vetoed"] == "True")
        parts = [r for r in rows if r["kind"] != "total"]
        assert [(x["item"], x["kind"]) for x in s["rows"]] == [(r["item"], r["kind"]) for r in parts]
        for x, r in zip(s["rows"], parts):
            assert (x["points"], x["max_points"], x["points_lost"]) == (_num(r["points"]), _num(r["max_points"]),
                                                                        _num(r["points_lost"])), r
            assert x["item_zh"] == r["item_zh"] and x["rule"] == r["rule"]
        # the rows add up to the total as shown (points as published, to the hundredth)
        assert round(sum(x["points"] for x in s["rows"]), 2) == s["total"]


def test_profile_page_shows_the_score_sheet(points_results, points_dash):
    from xianping.web.app import create_app

    html = TestClient(create_app(points_dash)).get(f"/unit/{UNIT}").text
    assert 'id="score-sheet"' in html and "考核得分表" in html and "Score sheet (2020)" in html
    rows = _csv_rows(points_results / "results.scoresheet.csv", UNIT)["2020"]
    total = next(r for r in rows if r["kind"] == "total")
    assert f"<b>{float(total['points']):.2f}</b> / {float(total['max_points']):.2f}" in html
    for r in rows:
        if r["kind"] == "indicator":
            assert (f'data-item="{r["item"]}"><td>{r["item_zh"]}</td>' in html)
            assert f'<td class="num">{float(r["points"]):.2f}</td><td class="num">{float(r["max_points"]):.2f}</td>' \
                   f'<td class="num">{float(r["points_lost"]):.2f}</td>' in html


def test_a_store_dashboard_computes_the_same_sheet(points_results, points_dash, tmp_path):
    from xianping.ingest.run_import import import_table
    from xianping.store.duckdb_store import open_store
    from xianping.web.source import load_dashboard

    with open_store(tmp_path / "s.duckdb") as st:
        import_table(points_results / "data.csv", st, source="census")
    d = load_dashboard(store=tmp_path / "s.duckdb", framework="province-assessment", cache=tmp_path / "cache")
    i, j = d.codes.index(UNIT), points_dash.codes.index(UNIT)
    assert d.score_sheet_of(i) == points_dash.score_sheet_of(j)


def test_an_index_result_has_no_score_sheet(client):
    p = client.get("/api/units/410821").json()
    assert "score_sheet" in p and p["score_sheet"] is None
    assert 'id="score-sheet"' not in client.get("/unit/410821").text


CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (/usr/bin/chromium)")
def test_score_sheet_in_the_browser(points_results, points_dash):
    pw_api = pytest.importorskip("playwright.sync_api")
    from xianping.web.app import create_app

    from .one_province_server import serving

    rows = _csv_rows(points_results / "results.scoresheet.csv", UNIT)["2020"]
    problems: list[str] = []
    with serving(create_app(points_dash)) as url, pw_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"])
        page = b.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("request", lambda r: problems.append(f"external: {r.url}")
                if not r.url.startswith((url, "data:", "blob:", "about:")) else None)
        page.goto(f"{url}/unit/{UNIT}", wait_until="load")
        card = page.locator("#score-sheet")
        assert card.is_visible()
        cells = page.evaluate("() => Array.from(document.querySelectorAll('#score-sheet tbody tr')).map("
                              "tr => [tr.getAttribute('data-item'), tr.cells[4].textContent.trim()])")
        assert cells == [[r["item"], f"{float(r['points']):.2f}"] for r in rows if r["kind"] != "total"]
        total = next(r for r in rows if r["kind"] == "total")
        assert f"{float(total['points']):.2f}" in page.locator("#score-sheet-total").inner_text()
        art = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
        art.mkdir(parents=True, exist_ok=True)
        card.screenshot(path=str(art / "score-sheet-profile.png"))
        b.close()
    assert not problems, problems
