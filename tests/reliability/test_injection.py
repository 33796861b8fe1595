"""Injection (issue 13): a data file, a framework and a county-type file whose every text field starts with a
formula (=HYPERLINK(…), +1+1, -2+3, @SUM(A1), full-width ＝, a tab) and carries a script (<script>alert(1)</script>,
<img src=x onerror=alert(1)>). Everything xianping writes from them keeps the text as text:

* workbooks (the ranking workbook, analysis tables, the store export, the dashboard's download): openpyxl finds
  no formula cell, the hostile text is there verbatim as a quote-prefixed string, negative numbers stay numbers;
* CSV exports: a formula-like text starts with an apostrophe (OWASP), numbers untouched;
* the HTML report and the pages `xianping serve` gives for that result: Chromium (Playwright) sees no dialog while
  every county profile is opened and every chart's tooltip is shown, no tooltip holds an element, and the
  markup never appears raw in the page source.
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from report_browser import CHROMIUM, opened  # noqa: E402

FORMULAS = ['=HYPERLINK("http://example.invalid/?x="&A1,"点击")', "+1+1", "-2+3", "@SUM(A1)", "＝1+1", "\t=2+2"]
SCRIPTS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
RAW_MARKUP = ("<script>alert(1)", "<img src=x")
# real county codes (苏州, 绍兴), so the maps and the gazetteer know them
UNITS = ["320581", "320585", "320582", "320583", "320508", "320509", "320506", "320507", "330602", "330603",
         "330604", "330624", "330681", "330683"]

needs_browser = pytest.mark.skipif(CHROMIUM is None or __import__("importlib").util.find_spec("playwright") is None,
                                   reason="Debian's chromium and the playwright package are installed by .ci/run")


def hostile(i: int, word: str) -> str:
    """A formula start, a real word, a script: every text field of the inputs is one of these."""
    return f"{FORMULAS[i % len(FORMULAS)]}{word}{SCRIPTS[i % len(SCRIPTS)]}"


def _q(s: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t") + '"'


def _names(i: int, zh: str, en: str, indent: str) -> str:
    return f"{indent}name_zh: {_q(hostile(i, zh))}\n{indent}name_en: {_q(hostile(i + 1, en))}"


def framework_yaml() -> str:
    """Every name of the framework and of its nodes carries a formula start and a script."""
    def leaf(i, code, zh, en):
        return f"        - code: {code}\n          indicator: {code}\n" + _names(i, zh, en, "          ")

    return "\n".join([
        "code: injection-test", _names(0, "指数", "Index", ""), 'version: "0.1"',
        "defaults:", "  normalisation: {method: min_max, shift: none, panel: pooled}", "  weights: equal",
        "  aggregation: arithmetic", "  scale: 100",
        "root:", "  code: inj_index", _names(2, "综合", "Root", "  "), "  children:",
        "    - code: economy", _names(4, "经济", "Economy", "      "), "      children:",
        leaf(6, "gdp", "产值", "GDP"), leaf(8, "budget_revenue", "收入", "Revenue"),
        "    - code: society", _names(10, "社会", "Society", "      "), "      children:",
        leaf(12, "urbanisation_rate", "城镇化", "Urban"), leaf(14, "edu_years", "教育", "Schooling"), ""])


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """The hostile framework, data (negative revenue values included) and types; the evaluated result."""
    from xianping.evaluation import evaluate
    from xianping.reference.divisions import get_gazetteer

    gaz = get_gazetteer()
    d = tmp_path_factory.mktemp("injection")
    (d / "fw.yaml").write_text(framework_yaml(), encoding="utf-8")
    rng = np.random.default_rng(13)
    with open(d / "data.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["unit_code", "unit_name", "year", "gdp", "budget_revenue", "urbanisation_rate", "edu_years"])
        for i, u in enumerate(UNITS):
            for y in ("2022", "2023"):
                w.writerow([u, hostile(i, gaz.get(u, 2024).name), y, round(rng.uniform(500, 3000), 2),
                            round(rng.uniform(-60, 200), 2), round(rng.uniform(50, 90), 2), round(rng.uniform(8, 12), 2)])
    with open(d / "types.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["unit_code", "type"])
        for i, u in enumerate(UNITS):
            w.writerow([u, hostile(i + 1, f"类型{i % 2}")])
    res = evaluate(str(d / "fw.yaml"), data=str(d / "data.csv"), years=["2022", "2023"], by_type=True,
                   types=str(d / "types.csv"), settings={"tiers": {"method": "quantile", "k": 3}, "base_year": "2022"})
    res.write(d / "results.csv", base_year="2022")
    return {"dir": d, "results": d / "results.csv", "result": res}


@pytest.fixture(scope="module")
def report_data(inputs):
    from xianping.report.data import load_report_data

    data = load_report_data(inputs["results"])
    # the hostile text reached the report as data (else the test would prove nothing)
    assert data.unit_names[0].startswith(FORMULAS[0]) and SCRIPTS[0] in data.unit_names[0]
    assert data.unit_types and all(any(s in t for s in SCRIPTS) for t in data.unit_types)
    assert data.root.name_zh.startswith(FORMULAS[2])
    return data


def assert_no_formula(path: Path, must_hold: list[str] = ()) -> dict[str, int]:
    """No cell of any sheet is a formula; each text of `must_hold` is in some cell verbatim, as a quote-prefixed
    string. Returns counts of risky text cells and negative number cells seen."""
    import openpyxl

    from xianping.report.excel_safe import risky

    wb = openpyxl.load_workbook(path)
    seen = {"risky": 0, "negative": 0}
    texts = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (path.name, ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    texts.add(c.value)
                    if risky(c.value):
                        assert c.quotePrefix, (path.name, ws.title, c.coordinate, c.value)
                        seen["risky"] += 1
                elif isinstance(c.value, (int, float)) and c.value < 0:
                    seen["negative"] += 1
    for t in must_hold:
        assert t in texts, (path.name, t)
    return seen


def test_ranking_workbook_holds_text_not_formulas(report_data, tmp_path):
    from xianping.report.workbook import write_workbook

    path = write_workbook(report_data, tmp_path / "ranking.xlsx")
    seen = assert_no_formula(path, must_hold=[report_data.unit_names[0], report_data.unit_types[0], report_data.leaves[0].name_zh])
    assert seen["risky"] > 50
    assert seen["negative"] > 0          # negative revenue values (指标值) and negative rank changes stay numbers


def test_analysis_tables_xlsx_and_csv(report_data, tmp_path):
    from xianping.analysis.tables import write_tables

    rows = [{"unit_code": u, "unit_name": n, "type": t, "value": -2.5 - i}
            for i, (u, n, t) in enumerate(zip(report_data.units, report_data.unit_names, report_data.unit_types))]
    write_tables({"hostile": rows}, tmp_path / "t.xlsx", {"note": hostile(3, "清单")})
    assert assert_no_formula(tmp_path / "t.xlsx", must_hold=[rows[0]["unit_name"]])["negative"] == len(rows)
    write_tables({"hostile": rows}, tmp_path / "t.csv", {})
    with open(tmp_path / "t.csv", newline="", encoding="utf-8") as f:
        got = list(csv.DictReader(f))
    for r, g in zip(rows, got):
        assert g["unit_name"] == "'" + r["unit_name"] and g["type"] == "'" + r["type"]
        assert float(g["value"]) == r["value"]          # "-3.5", not "'-3.5"


def test_store_export_xlsx_and_csv(tmp_path):
    """Source and flag cells of a long table, stored and exported: text in the workbook, apostrophe in the CSV."""
    from xianping.ingest.run_import import import_table
    from xianping.store.duckdb_store import DuckDBStore

    src = tmp_path / "long.csv"
    with open(src, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["unit_code", "year", "indicator", "value", "source", "flags"])
        for i, u in enumerate(UNITS[:6]):
            w.writerow([u, "2023", "gdp_growth", -2.5 - i, hostile(i, "统计年鉴"), hostile(i + 1, "估算")])
    store = DuckDBStore(tmp_path / "s.duckdb")
    try:
        import_table(src, store)
        n = store.export(tmp_path / "e.xlsx")
        assert n == 6
        seen = assert_no_formula(tmp_path / "e.xlsx", must_hold=[hostile(0, "统计年鉴")])
        assert seen["negative"] == 6 and seen["risky"] >= 6
        store.export(tmp_path / "e.csv")
    finally:
        store.close()
    with open(tmp_path / "e.csv", newline="", encoding="utf-8") as f:
        got = list(csv.DictReader(f))
    assert len(got) == 6
    for g in got:
        assert g["source"].startswith("'") and any(s in g["source"] for s in SCRIPTS)
        assert float(g["value"]) < 0


def _cells(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [c for row in csv.reader(f) for c in row]


def assert_no_live_cell(path: Path) -> int:
    """No CSV cell starts with a formula character unless it is a plain number (a negative score change, say);
    returns how many cells carry the neutralising apostrophe."""
    from xianping.report.excel_safe import _NUMBER, FORMULA_START

    cells = _cells(path)
    live = [c for c in cells if c[:1] in FORMULA_START and len(c) > 1 and not _NUMBER.fullmatch(c.strip())]
    assert not live, (path.name, live[:5])
    return sum(c.startswith("'") for c in cells)


def test_results_csv_has_no_live_cell_and_round_trips(inputs, tmp_path):
    """The results and weights CSVs: every unit name, type and node name neutralised (OWASP apostrophe); read back
    by the report layer (which the dashboard uses) and by `analyse --results`, every text is the original exactly —
    a name that really starts with an apostrophe too; negative numbers stay numbers."""
    import copy

    from xianping.analysis.tables import from_results_csv
    from xianping.report.data import load_report_data

    res = copy.copy(inputs["result"])
    res.unit_names = list(res.unit_names)
    res.unit_names[1] = "'" + res.unit_names[1]        # a name that starts with the escape character itself
    res.unit_names[2] = "''两个" + SCRIPTS[0]
    res.unit_names[3] = "-2.5"                          # a name that is a plain number stays as it is
    res.write(tmp_path / "r.csv", base_year="2022")
    assert assert_no_live_cell(tmp_path / "r.csv") > 100
    assert_no_live_cell(tmp_path / "r.weights.csv")   # node codes and numbers only
    raw = _cells(tmp_path / "r.csv")
    assert "-2.5" in raw and any(c.startswith("-") and float(c) < 0 for c in raw if c[:1] == "-" and c != "-2.5")
    data = load_report_data(tmp_path / "r.csv", rebuild=False, analysis=False)
    assert data.unit_names == res.unit_names and data.units == list(res.units)
    assert data.unit_types == list(res.unit_types)
    names = {it.node.code: it.node.name_zh for it in res.framework.walk()}
    assert [nd.code for nd in data.nodes] == list(res.nodes) and {w["child"] for w in data.weights} <= set(names)
    inp = from_results_csv(tmp_path / "r.csv")
    assert list(inp.unit_names) == res.unit_names and list(inp.units) == list(res.units)
    assert inp.column_names == {c: names[c] for c in res.nodes}   # hostile node names, exact
    assert any(v[:1] in "=+-@" for v in inp.column_names.values())


def test_robust_csvs_have_no_live_cell_and_round_trip(tmp_path):
    """Unit codes from a user's table (formula starts, an apostrophe) in rank_stats.csv: neutralised, and the
    dashboard's reader (web.data.read_rank_stats) finds every unit's interval by its exact code."""
    from xianping.robust.run import robust
    from xianping.web.data import read_rank_stats

    bench = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_2800x40"
    rng = np.random.default_rng(1)
    x = np.round(rng.lognormal(0, 1, (40, 40)) * 100, 4)
    codes = [f"U{i:04d}" for i in range(40)]
    codes[:7] = [*FORMULAS[:5], "'quoted", "''twice"]
    with open(tmp_path / "b.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["uCode"] + [f"I{j + 1:02d}" for j in range(40)])
        w.writerows([c, *row] for c, row in zip(codes, x))
    r = robust(str(bench / "framework.yaml"), data=str(tmp_path / "b.csv"), spec=str(bench / "spec.yaml"), n=8, seed=1)
    assert list(r.units) == codes
    r.write(tmp_path / "rob")
    assert assert_no_live_cell(tmp_path / "rob" / "rank_stats.csv") == 7
    stats = read_rank_stats(tmp_path / "rob" / "rank_stats.csv", [str(y) for y in r.years], codes)
    assert not np.isnan(stats.lo).any() and not np.isnan(stats.nominal).any()


def test_word_sources_csv_has_no_live_cell(report_data, tmp_path):
    """report.sources.csv beside the Word report: its fields name the hostile types and units; no cell is live, and
    the negative values (score changes) stay numbers."""
    from xianping.report.run import write_report
    from xianping.report.word import _write_sources

    write_report(report_data, "docx", tmp_path / "r.docx")
    sources = tmp_path / "r.sources.csv"
    assert any(SCRIPTS[0] in c for c in _cells(sources))   # the hostile text is there (else this proves nothing)
    assert_no_live_cell(sources)
    assert any(c.startswith("-") and float(c) < 0 for c in _cells(sources) if c[:1] == "-")
    # a field whose text starts with a formula character, as a template may write one: neutralised
    from dataclasses import dataclass

    @dataclass
    class Fill:
        field: str
        text: str
        value: float
        source: dict
        missing: bool = False

    @dataclass
    class Nar:
        fills: list

    _write_sources(Nar([Fill("f1", "=1+1", 2.0, {}), Fill("'f2", "-x", -3.0, {})]), tmp_path / "s.csv")
    assert assert_no_live_cell(tmp_path / "s.csv") == 3 and "-3.0" in _cells(tmp_path / "s.csv")


# ── HTML: the report file and the served pages ─────────────────────────────────────────────────────────────
SHOW_TIPS = """(sel) => { const bad = []; let shown = 0;
  document.querySelectorAll(sel).forEach(el => { const c = echarts.getInstanceByDom(el); if (!c || !c.getOption()) return;
    (c.getOption().series || []).forEach((s, si) => { const n = Math.min((s.data || []).length, 40);
      for (let i = 0; i < n; i++) { c.dispatchAction({type: 'showTip', seriesIndex: si, dataIndex: i}); shown++;
        el.querySelectorAll('img, script, iframe, svg image').forEach(x => bad.push(el.id + ': ' + x.outerHTML)); } });
    c.dispatchAction({type: 'hideTip'}); });
  return {shown: shown, bad: bad}; }"""


@needs_browser
def test_html_report_runs_no_script(report_data, tmp_path):
    from xianping.report.html import write_html

    path = write_html(report_data, tmp_path / "report.html")
    page_source = path.read_text(encoding="utf-8")
    for m in RAW_MARKUP:
        assert m not in page_source, m           # escaped in HTML, \u003c in the page's JSON
    with opened(path.resolve().as_uri()) as (page, ev):
        codes = page.evaluate("() => Array.from(document.querySelectorAll('#rank-table tbody tr td:nth-child(2)')).map(t => t.textContent)")
        assert sorted(codes) == sorted(report_data.units[i] for i in report_data.ranked())
        types = []
        for c in codes:
            page.evaluate("(c) => { location.hash = 'county-' + c; }", c)
            page.wait_for_timeout(60)
            types.append(page.inner_text("#p-kv"))
        tips = page.evaluate(SHOW_TIPS, "[_echarts_instance_]")
        page.hover("#rank-table tbody tr:first-child a")
        page.wait_for_timeout(500)                # an onerror handler fires once the image fails
        table_text = page.inner_text("#rank-table")
    assert ev["dialogs"] == [] and ev["errors"] == [], ev
    assert tips["bad"] == [] and tips["shown"] > 50, tips
    # the text is shown as text: the county type in the profile, the names in the table
    assert any("<img src=x onerror=alert(1)>" in t for t in types) and any("<script>alert(1)</script>" in t for t in types)
    assert report_data.unit_names[0].strip() in table_text


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture(scope="module")
def served(inputs, tmp_path_factory):
    """`xianping serve --results …` on the hostile result, as a user starts it."""
    port = _free_port()
    cache = tmp_path_factory.mktemp("serve-cache")
    exe = Path(sys.executable).with_name("xianping")
    proc = subprocess.Popen([str(exe), "serve", "--results", str(inputs["results"]), "--port", str(port), "--cache", str(cache)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(url + "/openapi.json", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError("xianping serve did not start: " + proc.stdout.read().decode("utf-8", "replace")[-2000:])
            time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_served_pages_hold_no_raw_markup(served, report_data):
    pages = ["/", "/?q=" + urllib.parse.quote(report_data.unit_names[0][:8]), "/map", "/framework", "/quality", "/downloads",
             "/compare?units=" + ",".join(report_data.units[:3])] + [f"/unit/{u}" for u in report_data.units]
    for p in pages:
        html = urllib.request.urlopen(served + p, timeout=60).read().decode("utf-8")
        for m in RAW_MARKUP:
            assert m not in html, (p, m)
    assert "&lt;img src=x onerror=alert(1)&gt;" in urllib.request.urlopen(served + "/", timeout=60).read().decode("utf-8")


def test_served_workbook_download_holds_no_formula(served, tmp_path, report_data):
    path = tmp_path / "download.xlsx"
    path.write_bytes(urllib.request.urlopen(served + "/download/xlsx", timeout=300).read())
    assert assert_no_formula(path, must_hold=[report_data.unit_names[0]])["risky"] > 50


@needs_browser
def test_served_pages_run_no_script(served, report_data):
    visits = ["/", "/map", "/framework", "/quality", "/compare?units=" + ",".join(report_data.units[:3])] + \
             [f"/unit/{u}" for u in report_data.units[:6]]
    with opened(served + "/", ready="") as (page, ev):
        for v in visits:
            page.goto(served + v, wait_until="load")
            page.wait_for_timeout(1500 if v == "/map" else 400)     # the map fetches its geometry
            if page.evaluate("() => typeof echarts !== 'undefined'"):
                tips = page.evaluate(SHOW_TIPS, "[_echarts_instance_]")
                assert tips["bad"] == [], (v, tips)
        page.wait_for_timeout(500)
    assert ev["dialogs"] == [], ev
    assert ev["errors"] == [], ev
