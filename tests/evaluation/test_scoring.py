"""考核得分表: a points-based framework through `xianping evaluate`, on the bundled census panel.

The built-in `province-assessment` (四川 2019 "统一指标、分类赋权" shape) writes `<out>.scoresheet.csv` beside the
results; its rows add up to the total row for every unit-year, its items are recomputed here from the values in
the sheet with pandas (independently of the engine), and the file is listed in the manifest with its sha256."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xianping.evaluation import evaluate
from xianping.files import sha256_file

FW = Path(__file__).resolve().parents[2] / "src/xianping/frameworks/builtin/province-assessment.yaml"


@pytest.fixture(scope="module")
def written(census_csv, tmp_path_factory):
    from typer.testing import CliRunner

    from xianping.cli.main import app

    out = tmp_path_factory.mktemp("scoring") / "results.csv"
    r = CliRunner().invoke(app, ["evaluate", "-f", "province-assessment", "--data", str(census_csv),
                                 "--years", "2010,2020", "--out", str(out), "--top", "0"])
    assert r.exit_code == 0, r.output
    assert "score sheet" in r.output and "results.scoresheet.csv" in r.output
    sheet = pd.read_csv(out.with_name("results.scoresheet.csv"), dtype={"unit_code": str, "year": str})
    manifest = json.loads(out.with_name("results.manifest.json").read_text(encoding="utf-8"))
    return out, sheet, manifest


def test_rows_add_up_to_the_total_for_every_unit_year(written):
    _, sheet, _ = written
    assert list(sheet.columns[:2]) == ["unit_code", "unit_name"]
    assert {"unit_code", "year", "item", "kind", "points", "max_points"} <= set(sheet.columns)
    assert set(sheet["kind"]) == {"indicator", "bonus", "penalty", "veto", "total"}
    total = sheet[sheet["kind"] == "total"].set_index(["unit_code", "year"])["points"]
    parts = sheet[sheet["kind"] != "total"].groupby(["unit_code", "year"])["points"].sum()
    assert len(total) > 2 * 2700 and parts.index.sort_values().equals(total.index.sort_values())
    np.testing.assert_allclose(parts.reindex(total.index), total, atol=1e-9)
    # every item within its maximum; penalties negative or zero; indicator points never negative
    assert (sheet["points"] <= sheet["max_points"] + 1e-9).all()
    assert (sheet.loc[sheet["kind"] == "penalty", "points"] <= 0).all()
    assert (sheet.loc[sheet["kind"] == "indicator", "points"] >= 0).all()


def test_items_recomputed_from_the_published_rules(written):
    _, sheet, _ = written
    it = sheet[sheet["kind"] == "indicator"]
    # the sheet states points to the hundredth (decimals: 2, rounded half up): within half a hundredth of the rule
    close = functools.partial(np.testing.assert_allclose, rtol=0, atol=0.005 + 1e-9)
    # 分类赋权: full points per class (the YAML's class table), from the gazetteer kind
    full = {"urbanisation": {"市辖区": 25, "县级市": 20, "县": 15}, "schooling": {"市辖区": 20, "县级市": 20, "县": 20}}
    # "完成目标得满分，每低1个百分点扣0.5分，扣完为止", target 60 %
    u = it[it["item"] == "urbanisation"].dropna(subset=["value"])
    P = u["class"].map(full["urbanisation"])
    close(u["points"], np.maximum(P - 0.5 * np.maximum(60 - u["value"], 0), 0))
    # 功效系数法: 60 + 40 (x − 7)/(11 − 7), clipped to [0, 100], share of the item's points
    s = it[it["item"] == "schooling"].dropna(subset=["value"])
    c = np.clip(60 + 40 * (s["value"] - 7) / (11 - 7), 0, 100)
    close(s["points"], s["class"].map(full["schooling"]) * c / 100)
    # 名次赋分 (among all counties): first full points, 0.01 less per place, floor 3; ties share the place
    for year, g in it[(it["item"] == "college")].groupby("year"):
        g = g.dropna(subset=["value"])
        place = g["value"].rank(method="min", ascending=False)
        P = g["class"].map({"市辖区": 20, "县级市": 15, "县": 15})
        close(g["points"], np.maximum(P - 0.01 * (place - 1), 3))
    # growth vs the provincial mean: the first year evaluated has no previous census → nothing earned
    n = it[it["item"] == "nonfarm"]
    assert (n.loc[n["year"] == "2010", "points"] == 0).all()
    assert (n.loc[n["year"] == "2020", "points"] > 0).sum() > 500


def test_ranks_within_class_and_awards(written):
    _, sheet, _ = written
    tot = sheet[sheet["kind"] == "total"]
    for (year, cls), g in tot.groupby(["year", "class"]):
        expect = g["points"].where(~g["vetoed"]).rank(method="min", ascending=False)
        ok = ~g["vetoed"]
        np.testing.assert_allclose(g.loc[ok, "class_rank"], expect[ok])
        # 先进县: the ten best of each class (ties may add more)
        adv = g["award"].fillna("").str.contains("先进县")
        assert adv.sum() >= 10 and (g.loc[adv, "class_rank"] <= 10).all()
    first = tot["award"].fillna("").str.contains("第一方阵")
    assert first.groupby(tot["year"]).sum().tolist() == [30, 30]
    improved = tot["award"].fillna("").str.contains("进步县")
    assert improved[tot["year"] == "2010"].sum() == 0 and improved[tot["year"] == "2020"].sum() >= 10


def test_manifest_lists_the_sheet_and_every_parameter(written):
    out, sheet, manifest = written
    entry = manifest["files"]["scoresheet"]
    assert entry["file"] == "results.scoresheet.csv" and entry["rows"] == len(sheet)
    assert entry["sha256"] == sha256_file(out.with_name("results.scoresheet.csv"))
    prog = manifest["scoring"]["programme"]
    rule = prog["items"][0]["rule"]
    assert rule == {"kind": "target_completion", "target": 60.0, "deduct": 0.5, "step": 1.0, "floor": 0.0, "bonus": 0.0,
                    "bonus_cap": 0.0, "measure": "difference", "steps": "continuous", "better": "higher"}
    assert manifest["scoring"]["classes"]["kind"] == "evaluation_types"
    assert manifest["scoring"]["classes"]["types"]["kind"] == "gazetteer_kind"  # 市辖区 / 县级市 / 县


def test_veto_ranks_last_in_class_and_wins_nothing(census_csv, tmp_path):
    # the same programme with a veto any large county meets (sex ratio ≥ 110)
    text = FW.read_text(encoding="utf-8").replace("indicator: sex_ratio, threshold: 130", "indicator: sex_ratio, threshold: 110")
    fw = tmp_path / "veto.yaml"
    fw.write_text(text, encoding="utf-8")
    res = evaluate(fw, data=census_csv, years=[2020])
    paths = res.write(tmp_path / "r.csv")
    sheet = pd.read_csv(paths["scoresheet"], dtype={"unit_code": str})
    tot = sheet[sheet["kind"] == "total"]
    veto_rows = sheet[sheet["kind"] == "veto"]
    assert (veto_rows["vetoed"] == (veto_rows["value"] >= 110)).all()
    assert tot["vetoed"].sum() > 50
    for _, g in tot.groupby("class"):
        assert g.loc[g["vetoed"], "class_rank"].min() > g.loc[~g["vetoed"], "class_rank"].max()
    assert not tot.loc[tot["vetoed"], "award"].notna().any()


def test_an_index_framework_writes_no_score_sheet(census_csv, tmp_path):
    res = evaluate("census-social", data=census_csv, years=[2010])
    paths = res.write(tmp_path / "r.csv")
    assert "scoresheet" not in paths and not (tmp_path / "r.scoresheet.csv").exists()
    assert "scoresheet" not in json.loads((tmp_path / "r.manifest.json").read_text(encoding="utf-8"))["files"]


@pytest.fixture(scope="module")
def res(census_csv):
    return evaluate("province-assessment", data=census_csv, years=[2010, 2020])


def test_what_if_each_item_at_its_best(res):
    from xianping.analysis.points_what_if import points_what_if
    from xianping.evaluation.score_sheet import points_of, unit_classes

    pts, entry = points_of(res)
    cls, _ = unit_classes(res, entry["programme"])
    t = 1
    county = entry["programme"]["classes"].index("县")
    # the first county of the 县 class in 2020 after the ten 先进县: just below the 先进县 line
    below = np.where((cls == county) & (pts.rank_class[t] > 10), pts.rank_class[t], np.inf)
    u = int(np.argmin(below))
    w = points_what_if(res, res.units[u], 2020).set_index("item")
    assert w.attrs["class_rank"] == below[u] and not w.attrs["advanced"]
    assert w.attrs["points_short"] > 0
    full = dict(zip([it["code"] for it in entry["programme"]["items"]], pts.full[u]))
    # 功效系数法 at 满意值 11 years earns the full 20 points; no other unit's points move, so the total rises by the gap
    s = w.loc["schooling"]
    assert s["value_then"] == max(11.0, s["value"]) and s["points_then"] == pytest.approx(full["schooling"])
    assert s["total_then"] == pytest.approx(w.attrs["total"] + full["schooling"] - s["points"])
    # target completion at the target (60 %) earns the class's full points
    if w.loc["urbanisation", "value"] < 60:
        assert w.loc["urbanisation", "value_then"] == 60
    assert w.loc["urbanisation", "points_then"] == pytest.approx(full["urbanisation"])
    # 先进县 then ⇔ 10th or better in its class then (no veto here)
    assert (w["advanced_then"] == (w["class_rank_then"] <= 10)).all()
    gain = w["points_then"] - w["points"]
    if (gain > w.attrs["points_short"] + 0.5).any():
        assert w.loc[gain > w.attrs["points_short"] + 0.5, "advanced_then"].all()


def test_what_if_refuses_an_index_framework_and_unknown_units(res, census_csv):
    from xianping.analysis.points_what_if import points_what_if
    from xianping.problems import XianpingInputError

    with pytest.raises(XianpingInputError, match="unit 999999 was not evaluated"):
        points_what_if(res, "999999", 2020)
    with pytest.raises(XianpingInputError, match="no scoring section"):
        points_what_if(evaluate("census-social", data=census_csv, years=[2010]), "110101", 2010)


def test_robust_class_points(res):
    """Sampled class points: every class still totals 100; one sample batched equals the programme scored with that
    sample's points as its class table (the engine's sample axis is the plain evaluation, sample by sample)."""
    from xianping.engine.score_rules import score_points
    from xianping.evaluation.score_sheet import points_of, unit_classes
    from xianping.robust.points import points_robust

    r = points_robust(res, n=40, seed=3, noise=0.3, chunk=16)
    np.testing.assert_allclose(r.tables.sum(-1), 100)
    assert not np.allclose(r.tables[0], r.tables[1])
    pts, entry = points_of(res)
    prog = dict(entry["programme"])
    cls, _ = unit_classes(res, prog)
    s = 17  # in the second chunk
    prog["class_points"] = {c: dict(zip([it["code"] for it in prog["items"]], r.tables[s, i]))
                            for i, c in enumerate(prog["classes"])}
    one = score_points(res.prepared.denominated, list(res.plan.indicators), prog, classes=cls,
                       provinces=np.array([u[:2] for u in res.units]))
    np.testing.assert_allclose(r.ranks[s], one.rank)
    np.testing.assert_array_equal(r.advanced[s], one.awards["advanced"])
    f = r.frame
    assert ((f["rank_p05"] <= f["rank_median"]) & (f["rank_median"] <= f["rank_p95"])).all()
    # the nominal 先进县 are 先进县 in most samples; far-down counties in none
    assert f.loc[f["advanced"], "p_advanced"].mean() > 0.5
    assert (f.loc[f["rank"] > 200, "p_advanced"] == 0).all()


def test_score_sheet_in_the_workbook(written, tmp_path):
    from openpyxl import load_workbook

    from xianping.report.data import load_report_data
    from xianping.report.workbook import write_workbook

    out, sheet, _ = written
    data = load_report_data(out, rebuild=False, analysis=False)
    book = write_workbook(data, tmp_path / "book.xlsx", year=2020)
    ws = load_workbook(book, read_only=True)["考核得分表"]
    rows = list(ws.iter_rows(values_only=True))
    want = sheet[sheet["year"] == "2020"]
    body = [r for r in rows if r[0] is not None and r[2] == 2020]
    assert len(body) == len(want)
    # the total row of the county ranked first in the 县 class: points, class rank and award as in the CSV
    top = want[(want["kind"] == "total") & (want["class"] == "县") & (want["class_rank"] == 1)].iloc[0]
    row = next(r for r in body if r[0] == top["unit_code"] and r[6] == "总分")
    assert row[9] == pytest.approx(top["points"]) and row[14] == 1 and "先进县" in row[15]


def test_points_cli(census_csv, tmp_path):
    from typer.testing import CliRunner

    from xianping.cli.main import app

    w = tmp_path / "whatif.csv"
    r = CliRunner().invoke(app, ["points", "whatif", "-f", "province-assessment", "--data", str(census_csv),
                                 "--years", "2010,2020", "--unit", "410823", "-o", str(w)])
    assert r.exit_code == 0, r.output
    assert "先进县" in r.output and len(pd.read_csv(w)) == 6
    rb = tmp_path / "robust.csv"
    r = CliRunner().invoke(app, ["points", "robust", "-f", "province-assessment", "--data", str(census_csv),
                                 "--years", "2020", "-n", "8", "-o", str(rb)])
    assert r.exit_code == 0, r.output
    f = pd.read_csv(rb, dtype={"unit_code": str})
    assert len(f) > 2700 and f["p_advanced"].between(0, 1).all()
    # an index framework is refused with a message, nothing written
    bad = tmp_path / "bad.csv"
    r = CliRunner().invoke(app, ["points", "robust", "-f", "census-social", "--data", str(census_csv),
                                 "--years", "2010", "-n", "2", "-o", str(bad)])
    assert r.exit_code != 0 and "no scoring section" in (r.output + str(r.exception)) and not bad.exists()


def test_report_paragraph_where_the_county_lost_points(written):
    """The report's county section says the 考核 total, class rank, award and the three items with most points lost,
    each number as in the score sheet."""
    from xianping.report.data import load_report_data
    from xianping.report.narrative import narrative

    out, sheet, _ = written
    data = load_report_data(out, rebuild=False, analysis=False)
    rows = sheet[(sheet["unit_code"] == "410823") & (sheet["year"] == "2020")]
    total = rows[rows["kind"] == "total"].iloc[0]
    nar = narrative(data, year=2020, focus="410823")
    para = next(b.text for b in nar.blocks if b.text.startswith("按考核办法"))
    assert f"考核总分{total['points']:.2f}分" in para and f"在{total['class']}类中居第{int(total['class_rank'])}" in para
    worst = rows[rows["kind"] == "indicator"].sort_values("points_lost", ascending=False).head(3)
    for r in worst.itertuples():
        assert f"{r.item_zh}（满分{r.max_points:.2f}分，得{r.points:.2f}分，失{r.points_lost:.2f}分）" in para
    # the fills name the score-sheet cell each number came from
    assert any('"kind":"scoresheet"' in str(f.source) or (isinstance(f.source, dict) and f.source.get("kind") == "scoresheet")
               for f in nar.fills)


def test_classes_from_a_types_file(census_csv, tmp_path):
    """--types gives the classes (without --by-type): 焦作's 武陟县 put in 市辖区 gets that class's points table."""
    types = tmp_path / "types.csv"
    types.write_text("unit_code,type\n410823,市辖区\n", encoding="utf-8")
    res = evaluate("province-assessment", data=census_csv, years=[2020], types=str(types))
    sheet = pd.read_csv(res.write(tmp_path / "r.csv")["scoresheet"], dtype={"unit_code": str})
    wz = sheet[(sheet["unit_code"] == "410823") & (sheet["kind"] == "indicator")].set_index("item")
    assert (sheet.loc[sheet["unit_code"] == "410823", "class"] == "市辖区").all()
    assert wz.loc["urbanisation", "max_points"] == 25 and wz.loc["housing", "max_points"] == 10
    # units the file does not name are of no declared class ('未分类'): the items' own points (those of 县)
    other = sheet[(sheet["unit_code"] == "410822") & (sheet["kind"] == "indicator")].set_index("item")
    assert other.loc["urbanisation", "max_points"] == 15
    manifest = json.loads((tmp_path / "r.manifest.json").read_text(encoding="utf-8"))
    assert manifest["scoring"]["classes"]["kind"] == "evaluation_types"
    assert manifest["scoring"]["classes"]["unmatched_units"] == len(res.units) - 1
