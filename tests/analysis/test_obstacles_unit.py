"""`xianping analyse obstacles --unit`: one county's obstacles on the bundled real data (census-social, 410821 修武县),
equal to its rows of the all-units run (the degrees and ranks are computed among all units), with its own summary."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from xianping.analysis.obstacles import for_unit
from xianping.analysis.run import run_obstacles
from xianping.analysis.tables import from_evaluation
from xianping.cli.main import app
from xianping.evaluation import evaluate
from xianping.problems import XianpingInputError

DEMO = Path(__file__).resolve().parents[2] / "src" / "xianping" / "demo" / "data" / "census_co2_panel.csv.gz"
runner = CliRunner()


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    res = evaluate("census-social", data=DEMO)
    path = tmp_path_factory.mktemp("obs") / "results.csv"
    res.write(path)
    return res, path


def test_one_unit_equals_its_rows_of_the_full_run(results):
    res, _ = results
    inp = from_evaluation(res)
    full = run_obstacles(inp, top=3)
    tables, summary, settings = for_unit(full, inp, "410821")
    for name, rows in full[0].items():
        assert tables[name] == [r for r in rows if r["unit_code"] == "410821"] and tables[name]
    y2020 = next(y for y in summary["years"] if y["year"] == "2020")
    first = next(r for r in full[0]["obstacles"] if r["unit_code"] == "410821" and r["year"] == "2020" and r["k"] == 1)
    assert y2020["obstacles"][0]["indicator"] == first["indicator"]
    assert y2020["obstacles"][0]["obstacle_pct"] == pytest.approx(first["obstacle_pct"])
    shares = [d["obstacle_pct"] for d in y2020["dimensions"]]
    assert shares == sorted(shares, reverse=True) and sum(shares) == pytest.approx(100)
    assert y2020["composite_rank"] == int(res.ranks[res.years.index("2020"), res.units.index("410821"), -1])
    assert summary["unit_name"] == "河南省焦作市修武县" and settings["unit"] == "410821"


def test_cli_unit(results, tmp_path):
    _, path = results
    out = tmp_path / "o.csv"
    r = runner.invoke(app, ["analyse", "obstacles", "--results", str(path), "--unit", "410821", "--year", "2020",
                            "--out", str(out), "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.output[r.output.index("{"):r.output.rindex("}") + 1])
    assert summary["unit"] == "410821" and [y["year"] for y in summary["years"]] == ["2020"]
    table = pd.read_csv(out, dtype=str)
    assert set(table["unit_code"]) == {"410821"} and len(table) == 3


def test_unit_not_in_the_input(results):
    res, path = results
    inp = from_evaluation(res)
    with pytest.raises(XianpingInputError, match=r"--unit '410381' is not in the input \(410381 is 河南省洛阳市偃师市"):
        for_unit(run_obstacles(inp, top=3, year="2020"), inp, "410381")
    r = runner.invoke(app, ["analyse", "obstacles", "--results", str(path), "--unit", "999999"])
    assert r.exit_code != 0 and "999999" in r.output + str(r.exception)
