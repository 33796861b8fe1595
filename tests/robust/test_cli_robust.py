"""`xianping robust`: rank_stats.csv (unit_code, nominal_rank, median_rank, q05, q95 …), sensitivity.csv with a Sobol
design, the manifest; errors without a traceback."""

from __future__ import annotations

import csv
import json

from typer.testing import CliRunner

from xianping.cli.main import app

from .conftest import BENCH


def _run(args):
    return CliRunner().invoke(app, ["robust", "--framework", str(BENCH / "framework.yaml"), "--spec",
                                    str(BENCH / "spec.yaml")] + args)


def test_cli_uncertainty_and_sobol(small_bench, tmp_path):
    r = _run(["--data", str(small_bench), "--n", "50", "--seed", "3", "--out", str(tmp_path / "u")])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(open(tmp_path / "u" / "rank_stats.csv", encoding="utf-8")))
    assert len(rows) == 300 and {"unit_code", "nominal_rank", "median_rank", "q05", "q95"} <= set(rows[0])
    assert not (tmp_path / "u" / "sensitivity.csv").exists()
    man = json.loads((tmp_path / "u" / "robust.manifest.json").read_text(encoding="utf-8"))
    assert man["design"]["seed"] == 3 and man["design"]["n"] == 50 and man["framework"]["hash"]
    r = _run(["--data", str(small_bench), "--n", "32", "--design", "sobol", "--out", str(tmp_path / "s")])
    assert r.exit_code == 0, r.output
    sens = list(csv.DictReader(open(tmp_path / "s" / "sensitivity.csv", encoding="utf-8")))
    assert [x["input"] for x in sens] == ["weights_indicators", "weights_groups", "aggregation"]
    assert "Sobol" in r.output


def test_cli_refuses_two_sources(small_bench, tmp_path):
    r = _run(["--data", str(small_bench), "--store", str(tmp_path / "x.duckdb"), "--n", "5", "--out", str(tmp_path / "o")])
    assert r.exit_code != 0


def test_cli_scope_options_as_evaluate(tmp_path):
    """robust --scope county --within prefecture:4108 ranks the units evaluate ranks with the same options: 焦作's
    县 and 县级市 only (no 市辖区, no 濮阳 unit), nominal ranks equal to evaluate's; a bad scope value is refused."""
    from pathlib import Path

    import pandas as pd

    from xianping.cli.scope_options import scope_settings
    from xianping.demo import load_demo
    from xianping.evaluation import evaluate
    from xianping.reference.divisions import get_gazetteer

    panel = Path(load_demo.__file__).parent / "data" / "census_co2_panel.csv.gz"
    df = pd.read_csv(panel, dtype={"unit_code": str, "period": str})
    data = tmp_path / "small.csv"
    df[df["unit_code"].str[:4].isin(["4108", "4109"])].to_csv(data, index=False)
    (tmp_path / "spec.yaml").write_text("name: w\ninputs:\n  - {name: w1, kind: weights, level: 1, noise: 0.25}\n",
                                        encoding="utf-8")
    args = ["robust", "-f", "census-social", "--data", str(data), "--spec", str(tmp_path / "spec.yaml"), "--n", "8",
            "--scope", "county", "--within", "prefecture:4108", "--out", str(tmp_path / "o")]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(open(tmp_path / "o" / "rank_stats.csv", encoding="utf-8")))
    gaz = get_gazetteer()
    want = {u for u in df["unit_code"].unique() if u.startswith("4108") and gaz.kind_of(u, 2024) not in (None, "市辖区")}
    assert {x["unit_code"] for x in rows} == want and len(want) >= 5
    res = evaluate("census-social", data=str(data),
                   settings=scope_settings({}, "county", "prefecture:4108", None))
    ranks = {x["unit_code"]: x["rank"] for x in res.top(len(res.units), year="2020")}
    assert {x["unit_code"]: int(float(x["nominal_rank"])) for x in rows if x["year"] == "2020"} == ranks
    assert "范围 scope" in r.output
    r = CliRunner().invoke(app, args[:-2] + ["--within", "city:41", "--out", str(tmp_path / "bad")])
    # (the console entry point prints the error; the app invoked directly hands back the exception)
    assert r.exit_code != 0 and "scope.within" in r.exception.report.as_text() and not (tmp_path / "bad").exists()
