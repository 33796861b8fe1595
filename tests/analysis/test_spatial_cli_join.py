"""`xianping analyse spatial --data FILE --boundaries B --join COL` with the analyst's table identified by county
names (no codes, names such as 新华区 and 鼓楼区 that fit several counties nationally) and polygons carrying only a
name column: joined on the names, unmatched names listed, nothing written without --out, the join and the local
Moran scaling recorded in the manifest.

The check that the join is right: the same polygons keyed by their GB/T 2260 code, with the data keyed by code, give
the same Moran's I, Geary's C and local I_i (the weights are built from the same geometry either way)."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from xianping.analysis.boundaries import shipped_geometry


def _cli(args, cwd):
    return subprocess.run([sys.executable, "-m", "xianping.cli.main", "analyse", "spatial", *args], capture_output=True,
                          text=True, cwd=cwd, env={**os.environ, "COLUMNS": "200"})


@pytest.fixture(scope="module")
def henan(tmp_path_factory):
    d = tmp_path_factory.mktemp("join")
    feats = [f for f in shipped_geometry()["features"] if f["properties"]["code"].startswith("4108")
             or f["properties"]["code"].startswith("4104") or f["properties"]["code"].startswith("4102")]
    names = [f["properties"]["name"] for f in feats]
    codes = [f["properties"]["code"] for f in feats]
    assert len(set(names)) == len(names) and {"新华区", "鼓楼区"} <= set(names)   # names that fit several counties in China
    for key, label in (("县名", names), ("code", codes)):
        fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": f["geometry"], "properties": {key: v}}
                                                        for f, v in zip(feats, label)]}
        (d / f"by_{key}.geojson").write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    rng = np.random.default_rng(4)
    vals = np.round(40000 + 8000 * rng.standard_normal(len(names)) + 20000 * (np.arange(len(names)) % 5 == 0))
    # by name: one county of another province that the polygons do not have, and rows in another order
    order = rng.permutation(len(names))
    (d / "by_name.csv").write_text("县名,人均GDP\n" + "".join(f"{names[i]},{vals[i]:.0f}\n" for i in order) + "昌黎县,35000\n",
                                   encoding="utf-8")
    (d / "by_code.csv").write_text("code,人均GDP\n" + "".join(f"{c},{v:.0f}\n" for c, v in zip(codes, vals)), encoding="utf-8")
    return d, names, codes


def test_join_by_name_column_nothing_written_without_out(henan):
    d, names, codes = henan
    before = set(os.listdir(d))
    # LISA clusters by the analytic p, which does not depend on the order of the rows (the permutation draws do)
    p = _cli(["--data", "by_name.csv", "--boundaries", "by_县名.geojson", "--join", "县名", "--permutations", "99",
              "--lisa-p", "conditional", "--json"], d)
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    out = json.loads(p.stdout)
    assert out["join"] == {"data_column": "县名", "boundaries_column": "县名", "matched": len(names), "unmatched": ["昌黎县"]}
    assert "昌黎县" in p.stderr and "left out" in p.stderr              # the unmatched name is said
    assert out["missing_boundaries"] == ["昌黎县"] and out["n"] == len(names)
    assert set(os.listdir(d)) == before                                # --json and no --out: no file written

    q = _cli(["--data", "by_code.csv", "--boundaries", "by_code.geojson", "--join", "code", "--permutations", "99",
              "--lisa-p", "conditional", "--json"], d)
    assert q.returncode == 0, q.stderr
    by_code = json.loads(q.stdout)
    for k in ("moran_i", "variance_rand", "z_rand", "p_rand_greater", "p_rand_less", "p_rand_two_sided", "geary_c", "geary_z_rand"):
        assert out[k] == pytest.approx(by_code[k], rel=1e-12), k
    assert out["lisa"] == by_code["lisa"]


def test_join_by_name_with_out_records_join_and_scaling(henan, tmp_path):
    d, names, _ = henan
    p = _cli(["--data", str(d / "by_name.csv"), "--boundaries", str(d / "by_县名.geojson"), "--join", "县名",
              "--permutations", "99", "--local-scaling", "spdep", "--lisa-p", "conditional", "--out", "s.csv"], tmp_path)
    assert p.returncode == 0, p.stderr
    man = json.loads((tmp_path / "s.manifest.json").read_text(encoding="utf-8"))
    st = man["settings"]
    assert st["local"]["scaling"] == "spdep" and st["local"]["significance"] == "conditional"
    assert "(n)" in st["local"]["scaling_formula"] and "E[C] − C" in st["geary"]["z_sign"]
    assert st["join"]["unmatched"] == ["昌黎县"]
    local = (tmp_path / "s.local.csv").read_text(encoding="utf-8").splitlines()
    head = local[0].split(",")
    for col in ("local_i", "z_i_conditional", "p_i_conditional_two_sided", "p_i_conditional_greater", "p_i_total_two_sided",
                "p_sim", "p_sim_greater", "p_sim_less", "gi_p_norm_two_sided"):
        assert col in head, col
    assert len(local) == len(names) + 1


def test_bad_local_scaling_is_refused(henan):
    d, _, _ = henan
    p = _cli(["--data", "by_name.csv", "--boundaries", "by_县名.geojson", "--join", "县名", "--local-scaling", "geoda"], d)
    assert p.returncode != 0 and "--local-scaling" in p.stderr and "Traceback" not in p.stderr


def test_spatial_markov_joins_by_name_too(henan, tmp_path):
    d, names, _ = henan
    rng = np.random.default_rng(9)
    rows = "".join(f"{n},{y},{40000 + 5000 * i % 7 + 1000 * rng.standard_normal():.0f}\n"
                   for i, n in enumerate(names) for y in (2018, 2019, 2020))
    (tmp_path / "panel.csv").write_text("县名,year,人均GDP\n" + rows, encoding="utf-8")
    p = _cli_markov(["--data", "panel.csv", "--boundaries", str(d / "by_县名.geojson"), "--join", "县名", "--spatial", "--k", "3",
                     "--json"], tmp_path)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["k"] == 3 and "homogeneity" in out


def _cli_markov(args, cwd):
    return subprocess.run([sys.executable, "-m", "xianping.cli.main", "analyse", "markov", *args], capture_output=True,
                          text=True, cwd=cwd, env={**os.environ, "COLUMNS": "200"})
