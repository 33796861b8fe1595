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
