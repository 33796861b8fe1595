"""The report's two readers of the 考核得分表 — the Word paragraph (report/score_text.py) and the workbook's 考核得分表
sheet (report/workbook.py) — read it through evaluation/score_sheet.read_score_sheet, so text comes back as written.

The programme is the built-in province-assessment with two item names that start like a formula ("-常住人口城镇化率",
"＝平均受教育年限"): `xianping evaluate` writes them with the apostrophe of excel_safe (OWASP CSV injection), and the
paragraph and the workbook show them without it; the numbers are those of the CSV, read here with the csv module."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "src" / "xianping" / "demo" / "data" / "census_co2_panel.csv.gz"
BUILTIN = ROOT / "src" / "xianping" / "frameworks" / "builtin" / "province-assessment.yaml"
UNIT = "410823"   # 武陟县: urbanisation and schooling are two of its three items with most points lost in 2020
NAMES = {"urbanisation": "-常住人口城镇化率", "schooling": "＝平均受教育年限"}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    d = tmp_path_factory.mktemp("sheet-reader")
    with gzip.open(DEMO, "rt", encoding="utf-8") as f, open(d / "data.csv", "w", encoding="utf-8", newline="") as g:
        rows = csv.reader(f)
        w = csv.writer(g)
        w.writerow(next(rows))
        w.writerows(r for r in rows if r[0][:2] in ("41", "14") and r[1] in ("2010", "2020"))
    text = BUILTIN.read_text(encoding="utf-8")
    for old, new in (("常住人口城镇化率\n      indicator", NAMES["urbanisation"]), ("平均受教育年限\n      indicator", NAMES["schooling"])):
        assert text.count("name_zh: " + old) == 1
        text = text.replace("name_zh: " + old, f'name_zh: "{new}"\n      indicator')
    (d / "fw.yaml").write_text(text, encoding="utf-8")
    from xianping.cli.main import app

    r = CliRunner().invoke(app, ["evaluate", "-f", str(d / "fw.yaml"), "--data", str(d / "data.csv"),
                                 "--out", str(d / "results.csv"), "--top", "0"])
    assert r.exit_code == 0, r.output
    with open(d / "results.scoresheet.csv", newline="", encoding="utf-8") as f:
        mine = [x for x in csv.DictReader(f) if x["unit_code"] == UNIT and x["year"] == "2020"]
    # as written: the formula-like names carry excel_safe's apostrophe in the CSV
    assert {x["item_zh"] for x in mine if x["item"] in NAMES} == {"'" + n for n in NAMES.values()}
    return d, mine


def test_word_paragraph_names_the_items_as_written(results):
    from xianping.report.data import load_report_data
    from xianping.report.narrative import narrative

    d, rows = results
    data = load_report_data(d / "results.csv", rebuild=False, analysis=False)
    para = next(b.text for b in narrative(data, year=2020, focus=UNIT).blocks if b.text.startswith("按考核办法"))
    worst = sorted((x for x in rows if x["kind"] == "indicator"), key=lambda x: -float(x["points_lost"]))[:3]
    assert {x["item"] for x in worst} >= set(NAMES)
    for x in worst:
        name = NAMES.get(x["item"], x["item_zh"])
        assert (f"{name}（满分{float(x['max_points']):.2f}分，得{float(x['points']):.2f}分，"
                f"失{float(x['points_lost']):.2f}分）") in para, para
    assert "'" not in para
    total = next(x for x in rows if x["kind"] == "total")
    assert f"考核总分{float(total['points']):.2f}分" in para


def test_workbook_sheet_shows_the_items_as_written(results, tmp_path):
    from openpyxl import load_workbook

    from xianping.report.data import load_report_data
    from xianping.report.workbook import write_workbook

    d, rows = results
    data = load_report_data(d / "results.csv", rebuild=False, analysis=False)
    ws = load_workbook(write_workbook(data, tmp_path / "book.xlsx", year=2020))["考核得分表"]
    mine = [r for r in ws.iter_rows() if r[0].value == UNIT and r[2].value == 2020]
    assert [(r[4].value, r[5].value) for r in mine] == [(x["item"], NAMES.get(x["item"], x["item_zh"])) for x in rows]
    for r in mine:
        if r[4].value in NAMES:   # the exact text, kept a text cell (excel_safe.guard), not a formula
            assert r[5].data_type == "s" and r[5].quotePrefix
    assert [r[9].value for r in mine] == [float(x["points"]) for x in rows]
