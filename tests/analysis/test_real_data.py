"""On the bundled real data (census 2010/2020 + CEADs CO₂, `xianping demo`): Moran's I and LISA of the
census-social index for 2020 over all counties with queen contiguity from the shipped boundaries, Dagum by
province and σ-convergence 2010 → 2020 — through the documented CLI commands (README, "Regional analysis")."""

import json
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from xianping.analysis.dagum import dagum
from xianping.analysis.gini import gini
from xianping.analysis.tables import from_results_csv
from xianping.cli.main import app
from xianping.demo.load_demo import load_demo

runner = CliRunner()


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    d = tmp_path_factory.mktemp("demo")
    loaded = load_demo(d)
    return loaded.results_path


def _json(res):
    assert res.exit_code == 0, res.output
    return json.loads(res.output[res.output.index("{"):])


def test_spatial_2020_queen(results, tmp_path):
    out = _json(runner.invoke(app, ["analyse", "spatial", "--results", str(results), "--year", "2020", "--weights", "queen",
                                    "--permutations", "999", "--out", str(tmp_path / "spatial.csv"), "--json"]))
    for k in ("moran_i", "expected", "variance_norm", "variance_rand", "z_rand", "p_rand", "p_sim", "geary_c"):
        assert k in out
    # the figures README's "Regional analysis" quotes (seed 12345, the default)
    assert out["n"] > 2700 and round(out["moran_i"], 3) == 0.570 and round(out["z_rand"], 1) == 49.3
    assert out["p_sim"] == pytest.approx(1 / 1000)
    assert round(out["geary_c"], 3) == 0.415 and round(out["geary_z_rand"], 1) == 45.0   # spdep's sign: z > 0 clustering
    assert out["expected"] == pytest.approx(-1 / (out["n"] - 1))
    assert "330922" in out["islands"] and len(out["islands"]) == 6   # 嵊泗县: no land neighbour, reported and left out
    assert {k: out["lisa"][k] for k in ("HH", "LL", "HL", "LH")} == {"HH": 357, "LL": 349, "HL": 45, "LH": 12}
    # spdep's scaling and its conditional analytic p: fewer counties are significant (README quotes these too)
    alt = _json(runner.invoke(app, ["analyse", "spatial", "--results", str(results), "--year", "2020", "--weights", "queen",
                                    "--permutations", "99", "--local-scaling", "spdep", "--lisa-p", "conditional",
                                    "--json"]))
    assert {k: alt["lisa"][k] for k in ("HH", "LL", "HL", "LH")} == {"HH": 259, "LL": 281, "HL": 34, "LH": 4}
    assert alt["moran_i"] == out["moran_i"]
    local = (tmp_path / "spatial.local.csv").read_text(encoding="utf-8").splitlines()
    assert len(local) == out["n"] + 1 and "lisa" in local[0]
    man = json.loads((tmp_path / "spatial.manifest.json").read_text(encoding="utf-8"))
    assert man["settings"]["weights"]["kind"] == "queen" and man["input"]["kind"] == "results_csv"


def test_dagum_by_province_and_sigma(results, tmp_path):
    out = _json(runner.invoke(app, ["analyse", "disparity", "--results", str(results), "--by", "province",
                                    "--out", str(tmp_path / "d.xlsx"), "--json"]))
    inp = from_results_csv(results)
    for t, y in enumerate(inp.years):
        v = inp.column(None)[t]
        ok = ~np.isnan(v)
        py = out["per_year"][y]
        assert py["dagum_G"] == pytest.approx(gini(v[ok]), abs=1e-12)
        assert py["dagum_Gw"] + py["dagum_Gnb"] + py["dagum_Gt"] == pytest.approx(py["dagum_G"], abs=1e-12)
        from xianping.analysis.regions import group_labels

        d = dagum(v[ok], np.array(group_labels(inp.units, "province"))[ok])
        assert len(d.groups) == 31 and py["dagum_Gnb"] == pytest.approx(d.Gnb, abs=1e-15)
    conv = _json(runner.invoke(app, ["analyse", "convergence", "--results", str(results), "--measure", "cv",
                                     "--out", str(tmp_path / "c.csv"), "--json"]))
    assert conv["sigma"]["converging"] and conv["sigma"]["last"] < conv["sigma"]["first"]
    assert conv["beta"]["beta"] < 0


def test_obstacles_coupling_markov_targets(results, tmp_path):
    ob = _json(runner.invoke(app, ["analyse", "obstacles", "--results", str(results), "--year", "2020", "--top", "3",
                                   "--out", str(tmp_path / "o.csv"), "--json"]))
    assert ob["indicators"] == 13
    cp = _json(runner.invoke(app, ["analyse", "coupling", "--results", str(results), "--subsystems", "urbanisation,human_capital",
                                   "--out", str(tmp_path / "c.csv"), "--json"]))
    assert 0 < cp["by_year"]["2020"]["mean_D"] < 1
    bad = runner.invoke(app, ["analyse", "coupling", "--results", str(results), "--variant", "three_subsystem_product",
                              "--out", str(tmp_path / "c.csv")])
    assert bad.exit_code != 0
    mk = _json(runner.invoke(app, ["analyse", "markov", "--results", str(results), "--k", "4", "--spatial",
                                   "--out", str(tmp_path / "m.csv"), "--json"]))
    assert np.allclose(np.sum(mk["P"], axis=1), 1) and mk["homogeneity"]["dof"] > 0
    spec = tmp_path / "t.yaml"
    spec.write_text("targets:\n  - {name: 前100, kind: top_n, indicator: census_social, n: 100, deadline: 2030}\n", encoding="utf-8")
    tg = _json(runner.invoke(app, ["analyse", "targets", "--targets", str(spec), "--results", str(results),
                                   "--out", str(tmp_path / "t.csv"), "--json"]))
    assert tg["前100"]["attained"] >= 100


def test_analyse_help_is_light():
    code = "import sys, xianping.cli.analyse\nprint(','.join(m for m in ['numpy','esda','libpysal','pandas','scipy'] if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
