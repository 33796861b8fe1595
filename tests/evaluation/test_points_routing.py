"""`xianping robust` and `xianping analyse whatif` given a points-based framework (考核办法, `scoring:`): routed to the
points machinery (cli/points → robust/points, analysis/points_what_if), so they give the tables `xianping points
robust|whatif` give, byte for byte; the what-if's scenario totals and class ranks are those `xianping evaluate`
writes in the score sheet after the county's value is changed in the data file (the modified data re-evaluated,
independently of the what-if's batched scoring); options of an index analysis are refused with nothing written."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from xianping.cli.main import app

UNIT = "410823"  # 武陟县 (焦作), a 县


def _run(args):
    r = CliRunner().invoke(app, args)
    return r, r.output + (str(r.exception) if r.exception and not isinstance(r.exception, SystemExit) else "")


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    p = tmp_path_factory.mktemp("spec") / "class_points.yaml"
    p.write_text("name: class-points\ninputs:\n  - {name: class_points, kind: weights, level: 1, noise: 0.3}\n",
                 encoding="utf-8")
    return p


def _sheet(census_csv, tmp_path, name="r"):
    out = tmp_path / f"{name}.csv"
    r, text = _run(["evaluate", "-f", "province-assessment", "--data", str(census_csv), "--years", "2010,2020",
                    "--out", str(out), "--top", "0"])
    assert r.exit_code == 0, text
    return pd.read_csv(out.with_name(f"{name}.scoresheet.csv"), dtype={"unit_code": str, "year": str})


def test_robust_on_a_points_framework_is_the_points_robustness(census_csv, spec, tmp_path):
    r, text = _run(["robust", "-f", "province-assessment", "--data", str(census_csv), "--years", "2010,2020",
                    "--spec", str(spec), "-n", "12", "--seed", "5", "-o", str(tmp_path / "rob"), "--top", "3"])
    assert r.exit_code == 0, text
    assert "最不稳" in text and "P(先进县)" in text
    routed = (tmp_path / "rob" / "points_robust.csv").read_bytes()
    r, text = _run(["points", "robust", "-f", "province-assessment", "--data", str(census_csv), "--years", "2010,2020",
                    "-n", "12", "--seed", "5", "--noise", "0.3", "-o", str(tmp_path / "pr.csv")])
    assert r.exit_code == 0, text
    assert routed == (tmp_path / "pr.csv").read_bytes()  # one implementation: the same table
    man = json.loads((tmp_path / "rob" / "robust.manifest.json").read_text(encoding="utf-8"))
    assert man["kind"] == "points" and man["design"] == {**man["design"], "n": 12, "seed": 5, "noise": 0.3,
                                                         "input": "class_points"}
    assert man["programme"]["decimals"] == 2 and man["programme"]["ranking_mode"] == "within_class"
    # the nominal rank of every county-year is the rank of the score sheet `xianping evaluate` writes
    f = pd.read_csv(tmp_path / "pr.csv", dtype={"unit_code": str, "year": str}).set_index(["unit_code", "year"])
    tot = _sheet(census_csv, tmp_path).query("kind == 'total'").set_index(["unit_code", "year"])
    assert len(f) == len(tot) > 5000
    pd.testing.assert_series_equal(f["rank"], tot["rank"].reindex(f.index), check_names=False)
    assert (f["advanced"] == tot["award"].reindex(f.index).fillna("").str.contains("先进县")).all()


@pytest.mark.parametrize("spec_text,extra,message", [
    ("  - {name: agg, kind: aggregation, alternatives: [arithmetic, geometric]}\n", [], "not for points: agg (aggregation)"),
    ("  - {name: w2, kind: weights, level: 2, noise: 0.2}\n", [], "level 2"),
    ("  - {name: w, kind: weights, level: 1, noise: 0.2}\n", ["--design", "sobol"], "uncertainty design only"),
    ("  - {name: w, kind: weights, level: 1, noise: 0.2}\n", ["--engine", "dask"], "expected --engine process"),
])
def test_robust_refuses_what_points_do_not_have(census_csv, tmp_path, spec_text, extra, message):
    sp = tmp_path / "spec.yaml"
    sp.write_text("name: s\ninputs:\n" + spec_text, encoding="utf-8")
    r, text = _run(["robust", "-f", "province-assessment", "--data", str(census_csv), "--years", "2020",
                    "--spec", str(sp), "-n", "4", "-o", str(tmp_path / "o"), *extra])
    assert r.exit_code != 0 and message in " ".join(text.split()), text
    assert "Traceback" not in text and not (tmp_path / "o").exists()


def test_analyse_whatif_on_a_points_framework_is_the_points_what_if(census_csv, tmp_path):
    """The routed what-if equals `points whatif`; two of its scenarios, applied to the data file and evaluated
    again, give the total and class rank it announced (schooling: 功效系数 at 满意值 11 years — only this county's
    points move; college: 名次赋分 at the best value — every other county's rank points move too)."""
    r, text = _run(["analyse", "whatif", "-f", "province-assessment", "--data", str(census_csv), "--years", "2010,2020",
                    "--unit", UNIT, "--json", "-o", str(tmp_path / "aw.csv")])
    assert r.exit_code == 0, text
    summary = json.loads(r.stdout[r.stdout.index("{"):])
    r2, text2 = _run(["points", "whatif", "-f", "province-assessment", "--data", str(census_csv), "--years", "2010,2020",
                      "--unit", UNIT, "-o", str(tmp_path / "pw.csv")])
    assert r2.exit_code == 0, text2
    assert (tmp_path / "aw.csv").read_bytes() == (tmp_path / "pw.csv").read_bytes()
    w = pd.read_csv(tmp_path / "aw.csv").set_index("item")
    assert summary["kind"] == "points" and summary["unit"] == UNIT and summary["year"] == "2020"
    assert [x["item"] for x in summary["items"]] == list(w.index)

    sheet = _sheet(census_csv, tmp_path, "base")
    now = sheet[(sheet["unit_code"] == UNIT) & (sheet["year"] == "2020") & (sheet["kind"] == "total")].iloc[0]
    assert summary["total"] == pytest.approx(now["points"], abs=1e-9) and summary["class_rank"] == now["class_rank"]
    data = pd.read_csv(census_csv, dtype={"unit_code": str, "period": str})
    for item, indicator in (("schooling", "edu_years"), ("college", "college_share")):
        row = (data["unit_code"] == UNIT) & (data["period"] == "2020") & (data["indicator"] == indicator)
        assert row.sum() == 1
        changed = data.copy()
        changed.loc[row, "value"] = w.loc[item, "value_then"]
        path = tmp_path / f"{item}.csv"
        changed.to_csv(path, index=False)
        after = _sheet(path, tmp_path, f"after_{item}")
        mine = after[(after["unit_code"] == UNIT) & (after["year"] == "2020")].set_index("item")
        assert mine.loc[item, "points"] == pytest.approx(w.loc[item, "points_then"], abs=1e-9), item
        assert mine.loc["total", "points"] == pytest.approx(w.loc[item, "total_then"], abs=1e-9), item
        assert mine.loc["total", "class_rank"] == w.loc[item, "class_rank_then"], item
        assert ("先进县" in str(mine.loc["total", "award"])) == bool(w.loc[item, "advanced_then"]), item


def test_analyse_whatif_refuses_index_options_for_points(census_csv, tmp_path):
    r, text = _run(["analyse", "whatif", "-f", "province-assessment", "--data", str(census_csv), "--years", "2020",
                    "--unit", UNIT, "--scenario", "step", "--target-rank", "3", "-o", str(tmp_path / "w.csv")])
    assert r.exit_code != 0 and "--scenario, --target-rank" in text and "Traceback" not in text
    assert not (tmp_path / "w.csv").exists()
