"""What would move my county (`xianping analyse whatif`): on the bundled real data (census-social, the demo panel
`census_co2_panel.csv.gz`, 2,838 counties) for 410104 管城回族区 (rank 45 in 2020), every scenario against the whole
independent path (the data file modified, written and evaluated by `xianping.evaluation.evaluate`), the value needed
to reach the 第一方阵 (it reaches rank ≤ 30, 99 % of the change does not), indicators that cannot do it alone,
batching = one by one, the CLI's tables and manifest, errors; and a toy framework whose answers are closed-form."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from xianping.analysis.what_if import RTOL, evaluate_changes, parse_scenarios, what_if
from xianping.cli.main import app
from xianping.evaluation import evaluate
from xianping.problems import XianpingInputError
from xianping.robust.load import load_model

DEMO = Path(__file__).resolve().parents[2] / "src" / "xianping" / "demo" / "data" / "census_co2_panel.csv.gz"
UNIT, YEAR = "410104", "2020"  # 河南省郑州市管城回族区, rank 45 of 2,835 in 2020
runner = CliRunner()


@pytest.fixture(scope="module")
def model():
    return load_model("census-social", data=DEMO)


@pytest.fixture(scope="module")
def wi(model):
    return what_if(model=model, unit=UNIT, year=YEAR)


@pytest.fixture(scope="module")
def panel():
    return pd.read_csv(DEMO, dtype={"unit_code": str, "period": str})


def _row(rows, indicator, scenario=None):
    return next(r for r in rows if r["指标 indicator"] == indicator and (scenario is None or r["scenario_code"] == scenario))


def _evaluate_modified(panel, tmp_path, indicator, value, name="mod.csv"):
    """The independent path: the long data file with one cell changed, written, and evaluated from scratch."""
    df = panel.copy()
    hit = (df["unit_code"] == UNIT) & (df["period"] == YEAR) & (df["indicator"] == indicator)
    assert hit.sum() == 1
    df.loc[hit, "value"] = value
    path = tmp_path / name
    df.to_csv(path, index=False)
    return evaluate("census-social", data=path)


def test_nominal_is_the_evaluation(wi, model):
    res = evaluate("census-social", data=DEMO)
    t, u = res.years.index(YEAR), res.units.index(UNIT)
    assert wi.nominal["rank"] == int(res.ranks[t, u, -1]) == 45
    assert wi.nominal["score"] == pytest.approx(res.scores[t, u, -1], abs=1e-12)
    assert wi.unit_name.endswith("管城回族区") and wi.target_rank == 30


@pytest.mark.parametrize("indicator,scenario", [
    ("urbanisation_rate", "step:10%"),       # positive, clipped at 100 % (the valid range)
    ("ageing_65", "step:10%"),               # negative: lowered by 10 %
    ("sex_ratio", "province_median"),        # moderate (optimal interval 103–107)
    ("housing_area_pc", "province_best"),
    ("college_share", "top_median"),
])
def test_scenario_equals_evaluating_the_modified_file(wi, panel, tmp_path, indicator, scenario):
    row = _row(wi.scenarios, indicator, scenario)
    value = row["情景值 scenario value"]
    assert value is not None and row["新排名 new rank"] is not None
    res = _evaluate_modified(panel, tmp_path, indicator, value)
    t, u = res.years.index(YEAR), res.units.index(UNIT)
    assert row["新得分 new score"] == pytest.approx(res.scores[t, u, -1], abs=1e-9)
    assert row["新排名 new rank"] == int(res.ranks[t, u, -1])
    assert row["进位 rank gain"] == 45 - int(res.ranks[t, u, -1])
    base = wi.nominal["scores"]
    for d in ("urbanisation", "human_capital", "population_structure", "living_conditions", "low_carbon"):
        col = next(k for k in row if k.startswith("Δ") and k.endswith(" " + d))
        assert row[col] == pytest.approx(res.scores[t, u, res.nodes.index(d)] - base[d], abs=1e-9)


def test_every_county_and_year_equals_the_evaluation(model, panel, tmp_path):
    """The whole re-evaluated panel, not only the county: the county as the new maximum of housing_area_pc (120 m²
    against 106.09) moves the pooled min–max anchor, so other counties' scores (both years) change too — as in the
    evaluation."""
    u, t = model.units.index(UNIT), model.years.index(YEAR)
    j = model.plan.indicators.index("housing_area_pc")
    assert np.nanmax(model.x[..., j]) < 120
    ev = evaluate_changes(model, t, u, [j], [120.0], full=True)
    res = _evaluate_modified(panel, tmp_path, "housing_area_pc", 120.0)
    np.testing.assert_allclose(ev["all_scores"][0], res.scores, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(ev["all_ranks"][0], res.ranks[..., -1])
    nominal = evaluate("census-social", data=DEMO)
    other = np.arange(len(model.units)) != u
    assert np.nanmax(np.abs(res.scores[0, other, -1] - nominal.scores[0, other, -1])) > 1e-6  # 2010 scores moved too


def test_needed_value_reaches_and_99_percent_does_not(wi, model, panel, tmp_path):
    row = _row(wi.needed, "urbanisation_rate")
    assert row["可达 reachable"] and row["新排名 new rank"] <= 30
    v0, need = row["当前值 current"], row["达到前30所需值 needed value"]
    assert row["所需变化% needed change %"] == pytest.approx((need - v0) / v0 * 100)
    u, t = model.units.index(UNIT), model.years.index(YEAR)
    j = model.plan.indicators.index("urbanisation_rate")
    short = v0 + 0.99 * (need - v0)
    ev = evaluate_changes(model, t, u, [j, j, j], [need, short, row["未达到值 value just short"]])
    assert ev["ranks"][0] <= 30 and ev["ranks"][1] > 30 and ev["ranks"][2] > 30
    # the bracket: the value just short is within RTOL of the needed change
    assert (need - row["未达到值 value just short"]) <= RTOL * (need - v0) + 1e-12
    res = _evaluate_modified(panel, tmp_path, "urbanisation_rate", need)   # and through the independent path
    assert res.ranks[res.years.index(YEAR), res.units.index(UNIT), -1] <= 30
    # every reachable indicator's needed value was evaluated: rank ≤ 30, and the summary lists it
    reach = [r for r in wi.needed if r["可达 reachable"]]
    assert {r["指标 indicator"] for r in reach} >= {"urbanisation_rate", "edu_years", "ageing_65"}
    assert all(r["新排名 new rank"] <= 30 for r in reach)
    assert _row(wi.needed, "ageing_65")["所需变化% needed change %"] < 0  # negative indicator: lowered
    assert [d["indicator"] for d in wi.summary["reachable_alone"]] == [r["指标 indicator"] for r in reach]


def test_not_reachable_alone_is_reported_with_the_reason(wi, model):
    row = _row(wi.needed, "nonfarm_employment_share")  # 98.9 % already; the best (99.9962 %) moves it to rank 42 only
    assert not row["可达 reachable"] and "not reachable by this indicator alone" in row["说明 note"]
    assert "weight" in row["说明 note"] and row["上限处排名 rank at limit"] > 30
    u, t = model.units.index(UNIT), model.years.index(YEAR)
    j = model.plan.indicators.index("nonfarm_employment_share")
    ev = evaluate_changes(model, t, u, [j], [row["搜索上限 search limit"]])
    assert ev["ranks"][0] == row["上限处排名 rank at limit"] > 30
    co2 = _row(wi.needed, "co2_per_capita")  # no 2020 CO₂ in the data: carried forward, cannot be changed in 2020
    assert not co2["可达 reachable"] and "carried forward" in co2["说明 note"]
    assert "nonfarm_employment_share" in wi.summary["not_reachable_alone"]


def test_batched_equals_one_by_one(model):
    u, t = model.units.index(UNIT), model.years.index(YEAR)
    cols = [model.plan.indicators.index(c) for c in ("urbanisation_rate", "ageing_65", "sex_ratio", "housing_area_pc", "edu_years")]
    vals = [100.0, 5.0, 104.0, 60.0, 13.0]
    batched = evaluate_changes(model, t, u, cols, vals, full=True)
    chunked = evaluate_changes(model, t, u, cols, vals, full=True, chunk=2)
    assert batched["calls"] == 1 and chunked["calls"] == 3
    for s, (c, v) in enumerate(zip(cols, vals)):
        one = evaluate_changes(model, t, u, [c], [v], full=True)
        np.testing.assert_allclose(batched["all_scores"][s], one["all_scores"][0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(chunked["all_scores"][s], one["all_scores"][0], rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(batched["all_ranks"][s], one["all_ranks"][0])


def test_scenario_table_and_summary(wi):
    gains = [r["进位 rank gain"] for r in wi.scenarios if r["进位 rank gain"] is not None]
    assert gains == sorted(gains, reverse=True) and gains[0] > 0
    levers = wi.summary["top_levers"]
    assert 0 < len(levers) <= 5 and levers[0]["rank_gain"] == gains[0]
    step = _row(wi.scenarios, "ageing_65", "step:10%")
    assert step["情景值 scenario value"] == pytest.approx(step["当前值 current"] * 0.9)
    urb = _row(wi.scenarios, "urbanisation_rate", "step:10%")
    assert urb["情景值 scenario value"] == 100.0 and "valid range" in urb["说明 note"]
    assert _row(wi.scenarios, "co2_per_capita", "step:10%")["新排名 new rank"] is None
    m = wi.manifest
    assert m["input"]["framework"]["hash"] and len(m["input"]["data"]["sha256"]) == 64
    assert m["settings"]["unit"] == UNIT and m["settings"]["year"] == YEAR and m["settings"]["target_rank"] == 30
    assert "re-evaluation" in m["settings"]["method"] and m["evaluation_settings"]["normalisation"]["method"] == "min_max"
    assert m["methods"]["panel"] == "pooled" and m["methods"]["nodes"]["census_social"]["weights"]["method"] == "equal"


def test_cli_writes_tables_and_manifest(tmp_path):
    out = tmp_path / "whatif.csv"
    res = runner.invoke(app, ["analyse", "whatif", "-f", "census-social", "--data", str(DEMO), "--unit", UNIT, "--year", YEAR,
                              "--scenario", "step:20%", "--scenario", "province_best", "--target-rank", "40",
                              "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.output[res.output.index("{"):])
    assert summary["unit"] == UNIT and summary["rank"] == 45 and summary["target_rank"] == 40
    table = pd.read_csv(out, dtype=str)
    for h in ("指标 indicator", "单位 unit", "当前值 current", "情景值 scenario value", "得分变化 Δscore", "新排名 new rank", "进位 rank gain"):
        assert h in table.columns
    assert set(table["scenario_code"]) == {"step:20%", "province_best"} and len(table) == 2 * 13
    needed = pd.read_csv(tmp_path / "whatif.needed.csv", dtype=str)
    assert "达到前40所需值 needed value" in needed.columns and "所需变化% needed change %" in needed.columns
    man = json.loads((tmp_path / "whatif.manifest.json").read_text(encoding="utf-8"))
    assert man["analysis"] == "whatif" and man["settings"]["scenarios"] == ["step:20%", "province_best"]
    assert man["input"]["framework"]["code"] == "census-social" and man["input"]["data"]["sha256"]
    assert man["evaluations"]["engine_calls"] >= 2


def test_errors(model, tmp_path):
    with pytest.raises(XianpingInputError, match=r"unit code '999999' is not in the data.*expected one of the 2838"):
        what_if(model=model, unit="999999", year=YEAR)
    with pytest.raises(XianpingInputError, match=r"year 2015 is not in the data: expected one of 2010, 2020"):
        what_if(model=model, unit=UNIT, year=2015)
    with pytest.raises(XianpingInputError, match=r"unit 320613 .*screened out in 2020: only 8% .*expected at least 50%"):
        what_if(model=model, unit="320613", year=YEAR)
    with pytest.raises(XianpingInputError, match=r"unknown scenario 'median'"):
        parse_scenarios("median")
    with pytest.raises(XianpingInputError, match=r"target rank 0"):
        what_if(model=model, unit=UNIT, year=YEAR, target_rank=0)
    res = runner.invoke(app, ["analyse", "whatif", "-f", "census-social", "--data", str(DEMO), "--unit", "999999",
                              "--out", str(tmp_path / "w.csv")])
    assert res.exit_code != 0 and not (tmp_path / "w.csv").exists()


# ---------------------------------------------------------------------------------------------
# a toy whose answers are computed by hand

TOY_FW = """\
code: toy-whatif
name_zh: 玩具
name_en: Toy
defaults:
  normalisation: {method: min_max, shift: none, panel: per_year}
  weights: equal
  aggregation: arithmetic
  scale: 100
evaluation:
  tiers: {method: top_n, n: 2}
root:
  code: idx
  name_zh: 指数
  children:
    - {code: a, name_zh: 甲, indicator: {code: xa, unit: '1', direction: positive}}
    - {code: b, name_zh: 乙, indicator: {code: xb, unit: '1', direction: positive}}
"""
# z = 100·x/10 on both columns (min 0, max 10): A 100, B (60 + 70)/2 = 65, C (40 + 20)/2 = 30, D 0
TOY_DATA = "unit_code,year,xa,xb\n110101,2020,10,10\n110102,2020,6,7\n110105,2020,4,2\n110106,2020,0,0\n"


def test_toy_closed_form(tmp_path):
    fw, data = tmp_path / "fw.yaml", tmp_path / "data.csv"
    fw.write_text(textwrap.dedent(TOY_FW), encoding="utf-8")
    data.write_text(TOY_DATA, encoding="utf-8")
    w = what_if(fw, data=data, unit="110105", year=2020)
    assert w.nominal["rank"] == 3 and w.target_rank == 2 and w.nominal["score"] == pytest.approx(30)
    # reaching rank 2 = catching B (65, ties share the better rank): (40 + 10·x_b)/2 ≥ 65 ⇔ x_b ≥ 9
    nb = _row(w.needed, "xb")
    assert nb["可达 reachable"] and 9 <= nb["达到前2所需值 needed value"] <= 9 + RTOL * 7
    assert nb["所需变化% needed change %"] == pytest.approx(350, rel=1e-3) and nb["新排名 new rank"] == 2
    # x_a alone: at most (100 + 20)/2 = 60 < 65 at the column's max 10 — not reachable, weight too small
    na = _row(w.needed, "xa")
    assert not na["可达 reachable"] and na["搜索上限 search limit"] == 10 and "weight" in na["说明 note"]
    s = {r["scenario_code"]: r for r in w.scenarios if r["指标 indicator"] == "xb"}
    assert s["step:10%"]["情景值 scenario value"] == pytest.approx(2.2)
    assert s["step:10%"]["得分变化 Δscore"] == pytest.approx(1.0, abs=1e-12)              # z_b 20 → 22
    assert s["province_median"]["情景值 scenario value"] == 4.5                           # median(10, 7, 2, 0)
    assert s["province_median"]["新得分 new score"] == pytest.approx(42.5, abs=1e-12)
    assert s["top_median"]["情景值 scenario value"] == 8.5                                # median of A, B (top 2)
    assert s["top_median"]["新排名 new rank"] == 3
    assert s["province_best"]["新得分 new score"] == pytest.approx(70, abs=1e-12) and s["province_best"]["进位 rank gain"] == 1
    assert not any(k.startswith("Δ") for k in s["step:10%"])                            # two leaves, no dimensions


def test_data_driven_weights_react(panel, tmp_path):
    """census-social with entropy weights: a scenario changes the weights themselves, and still equals evaluating the
    modified file (the weights are recomputed inside every scenario's evaluation)."""
    src = Path(__file__).resolve().parents[2] / "src" / "xianping" / "frameworks" / "builtin" / "census-social.yaml"
    text = src.read_text(encoding="utf-8").replace("  weights: equal\n", "  weights: entropy\n")
    assert "weights: entropy" in text
    fw = tmp_path / "census-entropy.yaml"
    fw.write_text(text, encoding="utf-8")
    w = what_if(fw, data=DEMO, unit=UNIT, year=YEAR, scenarios="province_best")
    row = _row(w.scenarios, "housing_area_pc", "province_best")
    df = panel.copy()
    hit = (df["unit_code"] == UNIT) & (df["period"] == YEAR) & (df["indicator"] == "housing_area_pc")
    df.loc[hit, "value"] = row["情景值 scenario value"]
    df.to_csv(tmp_path / "mod.csv", index=False)
    res, nominal = evaluate(fw, data=tmp_path / "mod.csv"), evaluate(fw, data=DEMO)
    t, u = res.years.index(YEAR), res.units.index(UNIT)
    assert row["新得分 new score"] == pytest.approx(res.scores[t, u, -1], abs=1e-9)
    assert row["新排名 new rank"] == int(res.ranks[t, u, -1])
    assert np.max(np.abs(res.weights["living_conditions"] - nominal.weights["living_conditions"])) > 1e-6


def test_rank_within_province_as_provincial_assessments_count_it(model, panel, tmp_path):
    """--scope province: 管城回族区's rank among 河南省's ranked counties, the target counted there too; a scenario's new
    provincial rank equals evaluating the modified data file and ranking its 410xxx scores by hand (ties 'min')."""
    wp = what_if(model=model, unit=UNIT, year=YEAR, scope="province", target_rank=5)
    res = evaluate("census-social", data=DEMO)
    t, k = res.years.index(YEAR), res.nodes.index(res.root)
    henan = [i for i, c in enumerate(res.units) if c.startswith("41") and np.isfinite(res.scores[t, i, k])]
    score = res.scores[t, res.units.index(UNIT), k]
    assert wp.summary["rank"] == 1 + sum(res.scores[t, i, k] > score for i in henan)
    assert wp.summary["ranked_units"] == len(henan) and wp.summary["ranked_where"] == "in 河南省"
    assert wp.manifest["settings"]["rank_scope"] == "province" and "in 河南省" in wp.manifest["settings"]["ranks"]
    lever = wp.summary["top_levers"][0]
    mod = _evaluate_modified(panel, tmp_path, lever["indicator"], lever["value"])
    s = mod.scores[t, :, k]
    assert lever["new_rank"] == 1 + sum(s[i] > s[mod.units.index(UNIT)] for i in henan)
    with pytest.raises(XianpingInputError, match="scope 'county' is not known"):
        what_if(model=model, unit=UNIT, year=YEAR, scope="county")


def test_by_type_scores_with_the_types_overrides_as_evaluate_does(model, panel, tmp_path):
    """分类考核: with by_type the county is scored with its type's overrides (census-social weights 生态功能 counties
    differently: low_carbon 0.35 …) and ranked among its type — the nominal and a scenario equal
    `evaluate(by_type=True, types=…)` on the original and on the modified data file."""
    types = {c: ("生态功能" if c.startswith("52") else "重点发展") for c in model.units}  # 贵州 as the ecological type
    unit = "520102"
    w = what_if(model=model, unit=unit, year=YEAR, by_type=True, types=types, target_rank=10)
    res = evaluate("census-social", data=DEMO, by_type=True, types=types)
    t, i, k = res.years.index(YEAR), res.units.index(unit), res.nodes.index(res.root)
    assert w.summary["rank"] == int(res.by_type["ranks"][t, i, k]) and w.summary["ranked_where"] == "among 生态功能 units"
    assert w.summary["score"] == pytest.approx(res.by_type["values"][t, i, k], abs=1e-9)
    assert w.summary["score"] != pytest.approx(res.scores[t, i, k], abs=1e-6)  # the overrides do change the score
    lever = w.summary["top_levers"][0]
    df = panel.copy()
    hit = (df["unit_code"] == unit) & (df["period"] == YEAR) & (df["indicator"] == lever["indicator"])
    df.loc[hit, "value"] = lever["value"]
    df.to_csv(tmp_path / "mod.csv", index=False)
    mod = evaluate("census-social", data=tmp_path / "mod.csv", by_type=True, types=types)
    assert lever["new_rank"] == int(mod.by_type["ranks"][t, i, k])
    assert w.settings["by_type"] and "生态功能 type's overrides" in w.settings["ranks"]
    with pytest.raises(XianpingInputError, match="ranked among the county's type"):
        what_if(model=model, unit=unit, year=YEAR, by_type=True, scope="province")


# ---------------------------------------------------------------------------------------------
# the evaluation's tiers and scope (issue 12): --tiers sets 第一方阵 and the default target; --scope county / --within


def test_tiers_set_the_first_tier_and_the_default_target(tmp_path):
    """--tiers top_n:40 (ignored before): the default target is rank 40 and top_median is the median of the top 40."""
    out = tmp_path / "w.csv"
    res = runner.invoke(app, ["analyse", "whatif", "-f", "census-social", "--data", str(DEMO), "--unit", UNIT, "--year", YEAR,
                              "--scenario", "top_median", "--tiers", "top_n:40", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.output[res.output.index("{"):])
    assert summary["target_rank"] == 40 and summary["rank"] == 45
    man = json.loads((tmp_path / "w.manifest.json").read_text(encoding="utf-8"))
    assert man["settings"]["top_n"] == 40 and man["evaluation_settings"]["tiers"] == {"method": "top_n", "n": 40}
    table = pd.read_csv(out, dtype={"当前值 current": float, "情景值 scenario value": float})
    # the scenario value is the median over the 40 best of 2020, computed here from an independent evaluation
    ev = evaluate("census-social", data=DEMO)
    t = ev.years.index(YEAR)
    top40 = ev.ranks[t, :, -1] <= 40
    row = table[table["指标 indicator"] == "edu_years"].iloc[0]
    j = ev.plan.indicators.index("edu_years")
    assert row["情景值 scenario value"] == pytest.approx(float(np.median(ev.prepared.raw[t, top40, j])))
    assert "第一方阵（前40）" in row["情景 scenario"]
    bad = runner.invoke(app, ["analyse", "whatif", "-f", "census-social", "--data", str(DEMO), "--unit", UNIT, "--tiers", "top30"])
    assert bad.exit_code != 0 and "did you mean top_n:30" in bad.output + str(bad.exception)  # a located error, not ignored


def test_county_scope_within_the_province(model):
    """--scope county --within province:41: the county is ranked among 河南省's 县域 units, evaluated among them only
    (as `evaluate` with the same scope does), and the manifest records the scope."""
    st = {"scope": {"units": "county", "within": "province:41"}}
    w = what_if("census-social", data=DEMO, unit="410821", year=YEAR, scenarios="step", settings=st)
    ev = evaluate("census-social", data=DEMO, settings=st)
    i, t = ev.units.index("410821"), ev.years.index(YEAR)
    assert w.nominal["rank"] == int(ev.ranks[t, i, -1]) and w.nominal["score"] == pytest.approx(ev.scores[t, i, -1])
    assert w.summary["ranked_units"] == int(np.isfinite(ev.ranks[t, :, -1]).sum()) < 110
    assert w.manifest["scope"]["label"] == "河南省 县域" and "河南省 县域" in w.summary["ranked_where"]
    with pytest.raises(XianpingInputError, match="410104 河南省郑州市管城回族区 is outside the evaluation scope 河南省 县域"):  # 管城回族区 is a 市辖区: out of the 县域 scope
        what_if("census-social", data=DEMO, unit=UNIT, year=YEAR, settings=st)


def test_cli_old_scope_spelling_still_ranks_in_the_province(tmp_path):
    res = runner.invoke(app, ["analyse", "whatif", "-f", "census-social", "--data", str(DEMO), "--unit", UNIT, "--year", YEAR,
                              "--scenario", "step", "--scope", "province", "--target-rank", "5", "--out", str(tmp_path / "w.csv"), "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.output[res.output.index("{"):])
    assert summary["rank_scope"] == "province" and "河南省" in summary["ranked_where"]
    res = runner.invoke(app, ["analyse", "whatif", "-f", "census-social", "--data", str(DEMO), "--unit", UNIT,
                              "--scope", "province", "--rank-in", "type"])
    assert res.exit_code != 0 and "disagree" in res.output + str(res.exception)
