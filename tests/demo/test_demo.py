"""`xianping demo`: the bundled real panel loads through the import path and evaluates census-social."""

import csv
import gzip
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from xianping.demo.load_demo import bundled_panel_bytes, load_demo

EXCERPT_2020 = Path(__file__).parents[1] / "ingest" / "data" / "census_county_2020_excerpt.xlsx"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return load_demo(tmp_path_factory.mktemp("demo"))


def _panel():
    return list(csv.DictReader(bundled_panel_bytes().decode("utf-8").splitlines()))


def test_bundled_values_equal_the_census_source():
    """Source: census 2020 county table (Dong, Du & Liu 2022), rows copied verbatim into the test excerpt."""
    ws = openpyxl.load_workbook(EXCERPT_2020, read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    src = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    xiuwu = src[410821]
    panel = {(r["unit_code"], r["period"], r["indicator"]): float(r["value"]) for r in _panel()}
    assert panel[("410821", "2020", "pop_total")] == xiuwu["人口数_合计"] == 248585
    assert panel[("410821", "2020", "urbanisation_rate")] == pytest.approx(
        xiuwu["城镇人口"] / xiuwu["人口数_合计"] * 100, rel=1e-5)
    assert panel[("410821", "2020", "edu_years")] == pytest.approx(xiuwu["平均受教育年限_合计"])


def test_bundled_panel_is_linked_to_2024_codes():
    codes = {r["unit_code"] for r in _panel()}
    assert "410307" in codes and "410381" not in codes  # 偃师市 → 偃师区 (2021)
    assert "410306" not in codes  # 吉利区 merged into 孟津区 (2021)
    flags = {r["flags"] for r in _panel() if r["unit_code"] == "410308" and r["period"] == "2010"}
    assert any("crosswalk:merge" in f for f in flags)


def test_demo_store_and_results(demo):
    s = demo.summary
    periods = {row["period"]: row["units"] for row in s["per_period"]}
    assert periods["2010"] > 2700 and periods["2020"] > 2800
    cov = {row["indicator"]: row for row in s["coverage"]}
    assert cov["co2_per_capita"]["periods"] == "2010"
    rows = list(csv.DictReader(open(demo.results_path, encoding="utf-8")))
    assert {"unit_code", "unit_name", "year", "node", "score", "rank"} <= set(rows[0])
    root = [r for r in rows if r["node"] == "census_social" and r["year"] == "2020"]
    assert len(root) == len(demo.result.units)
    top = demo.result.top(30, year="2020")
    assert len(top) == 30 and top[0]["rank"] == 1
    manifest = json.loads(demo.results_path.with_suffix(".manifest.json").read_text(encoding="utf-8"))
    assert manifest["framework"]["name"] == "census-social" and len(manifest["framework"]["hash"]) == 64
    assert manifest["data"]["batches"][0]["file_name"] == "census_co2_panel.csv"
    assert manifest["steps"]["missing_years"]["carried_forward"][0]["indicator"] == "co2_per_capita"


def test_demo_is_idempotent(demo):
    again = load_demo(demo.out, evaluate_index=False)
    assert again.imports[0].already_imported


def test_demo_cli(tmp_path):
    """On an 80-column terminal: the 县域 Top 30 holds no city district, every name is printed whole (nothing cut with
    "…", no line past 80 cells), and the 县域 results are written beside the all-units ones."""
    from rich.cells import cell_len

    from xianping.reference.divisions import get_gazetteer, is_county_area

    out = subprocess.run([sys.executable, "-m", "xianping.cli.main", "demo", "--out", str(tmp_path / "d")],
                         capture_output=True, text=True, env={"COLUMNS": "80", "PATH": ""}, timeout=300)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "县域第一方阵 Top 30 of 2020" in text and "Biggest gains" in text
    assert "…" not in text and max(cell_len(line) for line in text.splitlines()) <= 80
    gaz = get_gazetteer()
    block = text[text.index("县域第一方阵"):text.index("分类考核")]
    rows = [line.split() for line in block.splitlines() if line.split() and line.split()[0].isdigit()]
    assert [int(r[0]) for r in rows] == list(range(1, 31))
    for r in rows:
        d = gaz.get(r[1], 2024)
        assert is_county_area(d.kind) and r[2] == d.name, r  # a 县域 unit, its name whole
    assert (tmp_path / "d" / "results.csv").exists()
    man = json.loads((tmp_path / "d" / "results_county.manifest.json").read_text(encoding="utf-8"))
    assert man["scope"]["units"] == "county" and man["scope"]["kinds_out"]["市辖区"] > 900
    county = [r for r in csv.DictReader(open(tmp_path / "d" / "results_county.csv", encoding="utf-8"))
              if r["node"] == "census_social" and r["year"] == "2020" and r["rank"] == "1"]
    assert county[0]["unit_code"] == rows[0][1]
