"""Moran's I, local Moran, Geary, Gi* and the shipped county weights.
Source: esda 2.8.2 tests/test_moran.py on libpysal's St Louis homicide data (stl_hr8893, stl.gal), published
I and p_norm, full esda statistics regenerated; to 1e-12."""

import numpy as np
import pytest
from libpysal.weights import W, lat2W

from xianping.analysis.autocorrelation import geary, getis_ord, local_moran, moran
from xianping.analysis.boundaries import shipped_units
from xianping.analysis.spatial_weights import build_weights

from .oracle_io import load_csv, load_json

STL = load_json("pysal_moran_stl/expected.json")


def _stl():
    y = np.array([float(r["HR8893"]) for r in load_csv("pysal_moran_stl/stl_hr8893.csv")])
    nb: dict[int, list[int]] = {i: [] for i in range(len(y))}
    for r in load_csv("pysal_moran_stl/stl_gal_neighbors.csv"):
        nb[int(r["i_row"])].append(int(r["j_row"]))
    return y, W(nb)


def test_global_moran_stl():
    y, w = _stl()
    r = moran(y, w, permutations=99, two_tailed=False)
    e = STL["esda_full"]
    assert r["moran_i"] == pytest.approx(STL["published"]["I"], abs=1e-12)
    assert r["p_norm"] == pytest.approx(STL["published"]["p_norm_one_tailed"], abs=1e-12)
    for ours, theirs in (("moran_i", "I"), ("expected", "EI"), ("variance_norm", "VI_norm"), ("variance_rand", "VI_rand"),
                         ("z_norm", "z_norm"), ("z_rand", "z_rand"), ("p_rand", "p_rand_one_tailed")):
        assert r[ours] == pytest.approx(e[theirs], abs=1e-12), ours
    assert 0 < r["p_sim"] < 0.05
    two = moran(y, w, permutations=0)
    assert two["p_rand"] == pytest.approx(2 * e["p_rand_one_tailed"], abs=1e-12)


def test_lattice_variances_binary():
    w = lat2W(3, 3)
    r = moran(np.arange(1, 10, dtype=float), w, permutations=0, transformation="b")
    lat = STL["lattice3x3_binary_rook_y1to9"]
    assert r["moran_i"] == pytest.approx(lat["esda_full"]["I"], abs=1e-12)
    assert r["variance_rand"] == pytest.approx(lat["published"]["VI_rand"], abs=1e-12)
    assert r["variance_norm"] == pytest.approx(lat["published"]["VI_norm"], abs=1e-12)


def test_local_moran_stl():
    y, w = _stl()
    r = local_moran(y, w, permutations=999, seed=1)
    assert r.values == pytest.approx(STL["local_moran"]["Is"], abs=1e-12)
    codes = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
    assert list(r.quadrant) == [codes[q] for q in STL["local_moran"]["quadrant_q"]]
    assert np.all((r.p_sim > 0) & (r.p_sim <= 0.5))
    # the strongest HH unit (I_i = 11.1) is significant; insignificant units are labelled as such
    i = int(np.argmax(r.values))
    assert r.cluster[i] == "HH" and r.p_sim[i] < 0.01
    assert set(r.cluster) <= {"HH", "LL", "HL", "LH", "不显著"}
    again = local_moran(y, w, permutations=999, seed=1)
    assert np.array_equal(again.p_sim, r.p_sim)   # seeded: reproducible


def test_conditional_permutation_matches_exact_distribution():
    # unit 0 has one neighbour (unit 3): its simulated lag is one of the other five values, uniformly, so the
    # folded pseudo p-value tends to min(P(sim ≥ obs), P(sim < obs)) (ties count as ≥, as in esda)
    y = np.array([0.0, 10.0, 1.0, 2.0, 3.0, 4.0])
    w = W({0: [3], 1: [2], 2: [1, 3], 3: [0, 2], 4: [5], 5: [4]})
    r = local_moran(y, w, permutations=20000, seed=3)
    z = y - y.mean()
    sims = z[0] * z[[1, 2, 3, 4, 5]]
    ge = np.mean(sims >= z[0] * z[3])
    assert r.p_sim[0] == pytest.approx(min(ge, 1 - ge), abs=0.01)


def test_geary_and_gi_star_stl():
    y, w = _stl()
    g = geary(y, w, permutations=99)
    assert 0 < g["geary_c"] < 1 and g["expected"] == 1.0
    gi = getis_ord(y, w, permutations=199, seed=2)
    assert gi.values.shape == y.shape and set(gi.cluster) <= {"hot", "cold", "不显著"}
    assert gi.cluster[int(np.argmax(gi.z))] == "hot"


def test_shipped_boundaries_and_weights():
    u = shipped_units()
    assert u.vintage == 2023 and len(u.codes) > 2800
    assert "410821" in u.queen and "410882" in u.queen["410821"] or u.queen["410821"]
    assert set(u.islands) >= {"长海县" and "210224", "330922"}          # 长海县, 嵊泗县 are islands
    assert u.resolve("540481") == "540422"                              # 米林县 → 米林市 (2023), 1:1 recode
    sw = build_weights(["410821", "410822", "410823", "410882", "210224", "999999"], "queen")
    assert sw.missing == ["999999"] and "210224" in sw.islands and "210224" not in sw.codes
    knn = build_weights(u.codes[:200], "knn:4")
    assert all(len(v) == 4 for v in knn.w.neighbors.values())
    band = build_weights(["110101", "110102", "120101", "310101"], "distance:150", islands="keep")
    assert band.w.neighbors[0] == [1, 2] and band.islands == ["310101"]


def test_island_kept_has_no_inference_and_is_never_significant():
    # unit 5 has no neighbour (islands="keep"): its lag is 0, nothing to permute, no analytic variance
    y = np.array([1.0, 2.0, 8.0, 9.0, 10.0, 50.0])
    w = W({0: [1], 1: [0, 2], 2: [1, 3], 3: [2, 4], 4: [3], 5: []}, silence_warnings=True)
    lm = local_moran(y, w, permutations=99, seed=1, alpha=1.0)
    gi = getis_ord(y, w, permutations=99, seed=1, alpha=1.0)
    for r in (lm, gi):
        assert np.isnan(r.p_sim[5]) and not r.significant[5] and r.cluster[5] == "不显著"
        assert np.all(~np.isnan(r.p_sim[:5]))
    assert np.isnan(lm.inference["z_conditional"][5]) and np.isnan(lm.inference["p_total_two_sided"][5])
