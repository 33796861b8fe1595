"""Local and global Moran, Geary and Gi* against the numbers spdep prints in its own reference pages.

- Local Moran: spdep `localmoran` on the afcon data (r-spatial/spdep docs/reference/localmoran.md @ 6ed4b465,
  https://r-spatial.github.io/spdep/reference/localmoran.html): Ii, E.Ii, Var.Ii, Z.Ii (5 significant digits) and
  Pr(z != E(Ii)) (4 decimals) for all 42 countries; how the data were read back from that page:
  tests/analysis/oracles/spdep_afcon/README.md. Both scalings: "spdep" (n, mlvar=TRUE) and "esda" (n − 1).
- Global: spdep `moran.test` on the same data, and `moran.test` / `geary.test` on Columbus CRIME with 4-nearest-
  neighbour weights (docs/reference/moran.test.md, geary.test.md), under randomisation and normality; the less and
  two-sided p-values from the printed z by the normal law, written out here with math.erfc.
"""

import itertools
import math

import numpy as np
import pytest
from libpysal.weights import W

from xianping.analysis.autocorrelation import geary, getis_ord, local_moran, moran

from .oracle_io import load_csv, load_json

AF = load_json("spdep_afcon/expected.json")
CK = load_json("spdep_columbus_k4/expected.json")


def _afcon():
    names = [r["name"] for r in load_csv("spdep_afcon/afcon_totcon.csv")]
    y = np.array([float(r["totcon"]) for r in load_csv("spdep_afcon/afcon_totcon.csv")])
    pos = {n: i for i, n in enumerate(names)}
    nb: dict[int, list[int]] = {i: [] for i in range(len(names))}
    for r in load_csv("spdep_afcon/paper_nb.csv"):
        nb[pos[r["name"]]].append(pos[r["neighbour"]])
    return names, y, W(nb)


def _printed(value: float, digits: int = 5) -> float:
    """Half a unit in the last printed significant digit (R's printCoefmat with 5 significant digits)."""
    return 0.5 * 10 ** (math.floor(math.log10(abs(value))) - (digits - 1)) * 1.0001


def _upper(z: float) -> float:                    # P(Z ≥ z) for a standard normal, by hand
    return 0.5 * math.erfc(z / math.sqrt(2))


def test_local_moran_spdep_scaling_matches_printed_localmoran():
    names, y, w = _afcon()
    r = local_moran(y, w, permutations=0, scaling="spdep")
    inf = r.inference
    for i, row in enumerate(AF["localmoran"]):
        assert row["name"] == names[i]
        for ours, theirs in ((r.values[i], "Ii"), (inf["expected_conditional"][i], "E.Ii"),
                             (inf["variance_conditional"][i], "Var.Ii"), (inf["z_conditional"][i], "Z.Ii")):
            assert abs(ours - row[theirs]) <= _printed(row[theirs]), (row["name"], theirs, ours, row[theirs])
        assert abs(inf["p_conditional_two_sided"][i] - row["Pr(z != E(Ii))"]) <= 0.5e-4 + 1e-12, row["name"]
    # mean of I_i = global I when the weights sum to n (spdep prints mean(resI[,1]) = 0.4167956)
    assert r.values.mean() == pytest.approx(AF["mean_Ii"], abs=0.5e-7)
    assert r.meta["scaling"] == "spdep" and "(n)" in r.meta["scaling_formula"]


def test_local_moran_esda_scaling_is_n_minus_1_over_n_and_keeps_z_and_p():
    names, y, w = _afcon()
    n = len(y)
    sp = local_moran(y, w, permutations=199, seed=7, scaling="spdep")
    es = local_moran(y, w, permutations=199, seed=7, scaling="esda")
    c = (n - 1) / n
    row = AF["localmoran"][names.index("EGYPT")]
    assert es.values[names.index("EGYPT")] == pytest.approx(row["Ii"] * c, abs=_printed(row["Ii"]) * c)
    assert es.values == pytest.approx(sp.values * c, rel=1e-12)
    for form in ("conditional", "total"):
        assert es.inference[f"expected_{form}"] == pytest.approx(sp.inference[f"expected_{form}"] * c, rel=1e-12)
        assert es.inference[f"variance_{form}"] == pytest.approx(sp.inference[f"variance_{form}"] * c * c, rel=1e-12)
        for k in ("z_", "p_"):
            key = f"{k}{form}" if k == "z_" else f"p_{form}_two_sided"
            assert es.inference[key] == pytest.approx(sp.inference[key], rel=1e-12)
    # the permutation p-values do not depend on the scaling either (same draws, the statistic scaled by a constant)
    assert np.array_equal(es.p_sim, sp.p_sim)
    assert es.meta["scaling"] == "esda" and "(n - 1)" in es.meta["scaling_formula"]


def test_local_moran_total_moments_match_esda():
    import esda

    _, y, w = _afcon()
    ours = local_moran(y, w, permutations=0, scaling="spdep").inference
    lm = esda.Moran_Local(y, w, permutations=0)       # esda's EI, VI (total) and EIc, VIc (conditional): n scaling
    assert ours["expected_total"] == pytest.approx(lm.EI, abs=1e-13)
    assert ours["variance_total"] == pytest.approx(lm.VI, abs=1e-13)
    assert ours["expected_conditional"] == pytest.approx(lm.EIc, abs=1e-13)
    assert ours["variance_conditional"] == pytest.approx(lm.VIc, abs=1e-13)


def test_local_moran_tails_and_significance_choice():
    _, y, w = _afcon()
    r = local_moran(y, w, permutations=999, seed=3, scaling="spdep", significance="conditional")
    inf = r.inference
    z = inf["z_conditional"]
    for i in range(len(y)):
        assert inf["p_conditional_greater"][i] == pytest.approx(_upper(z[i]), abs=1e-12)
        assert inf["p_conditional_less"][i] == pytest.approx(1 - _upper(z[i]), abs=1e-12)
        assert inf["p_conditional_two_sided"][i] == pytest.approx(2 * _upper(abs(z[i])), abs=1e-12)
    # clusters are made by the p the caller named: spdep's two-sided conditional p < 0.05 (Uganda, Kenya, Rwanda,
    # Ethiopia, Libya, Sudan, Egypt in the printed table)
    printed = {row["name"] for row in AF["localmoran"] if row["Pr(z != E(Ii))"] < 0.05}
    names = [row["name"] for row in AF["localmoran"]]
    assert {names[i] for i in np.flatnonzero(r.significant)} == printed
    g, l_, two = inf["p_sim_greater"], inf["p_sim_less"], inf["p_sim_two_sided"]
    assert np.all((g > 0) & (g <= 1) & (l_ > 0) & (l_ <= 1))
    assert np.all(g + l_ >= 1 + 1 / 1000 - 1e-12)      # every simulation is ≥ or ≤ the observed value (or both)
    assert two == pytest.approx(np.minimum(1, 2 * np.minimum(g, l_)))
    with pytest.raises(Exception, match="scaling"):
        local_moran(y, w, scaling="geoda")


def test_local_permutation_tails_match_exact_distribution():
    # unit 0 has one neighbour: its simulated lag is one of the other five values, uniformly, so the permutation
    # p-values tend to P(sim ≥ obs) and P(sim ≤ obs) over those five
    y = np.array([0.0, 10.0, 1.0, 2.0, 3.0, 4.0])
    w = W({0: [3], 1: [2], 2: [1, 3], 3: [0, 2], 4: [5], 5: [4]}, silence_warnings=True)
    r = local_moran(y, w, permutations=20000, seed=5)
    z = y - y.mean()
    sims, obs = z[0] * z[[1, 2, 3, 4, 5]], z[0] * z[3]
    assert r.inference["p_sim_greater"][0] == pytest.approx(np.mean(sims >= obs), abs=0.01)
    assert r.inference["p_sim_less"][0] == pytest.approx(np.mean(sims <= obs), abs=0.01)


def test_global_moran_afcon_matches_printed_moran_test():
    _, y, w = _afcon()
    m = moran(y, w, permutations=0)
    t = AF["moran_test"]
    assert m["moran_i"] == pytest.approx(t["I"], abs=0.5e-8)
    assert m["expected"] == pytest.approx(t["expectation"], abs=0.5e-8)
    assert m["variance_rand"] == pytest.approx(t["variance"], abs=0.5e-8)
    assert m["z_rand"] == pytest.approx(t["z"], abs=0.5e-4)
    assert m["p_rand_greater"] == pytest.approx(t["p_greater"], rel=1e-3)


def test_gi_star_afcon_matches_printed_localG():
    _, y, w = _afcon()
    g = getis_ord(y, w, permutations=0)
    assert np.max(np.abs(g.z - np.array(AF["localG_include_self"]["z"]))) <= 0.0005 + 1e-12
    assert g.inference["p_norm_greater"] == pytest.approx([_upper(v) for v in g.z], abs=1e-12)


def _columbus_k4():
    rows = load_csv("spdep_columbus_k4/columbus_crime_xy.csv")
    xy = np.array([[float(r["X"]), float(r["Y"])] for r in rows])
    y = np.array([float(r["CRIME"]) for r in rows])
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    nn = np.argsort(d, axis=1, kind="stable")[:, :4]
    return y, W({i: nn[i].tolist() for i in range(len(y))})


@pytest.mark.parametrize("kind", ["rand", "norm"])
def test_global_moran_each_tail_columbus_k4(kind):
    y, w = _columbus_k4()
    m = moran(y, w, permutations=0)
    t = CK[f"moran_{kind}"]
    assert m["moran_i"] == pytest.approx(t["I"], abs=0.5e-9)
    assert m["expected"] == pytest.approx(t["expectation"], abs=0.5e-9)
    assert m[f"variance_{kind}"] == pytest.approx(t["variance"], abs=0.5e-9)
    z = m[f"z_{kind}"]
    assert z == pytest.approx(t["z"], abs=0.5e-4)
    assert m[f"p_{kind}_greater"] == pytest.approx(t["p_greater"], rel=1e-3)
    # the other tails from the printed z (p_less = Φ(z), two-sided = 2(1 − Φ(|z|)))
    assert m[f"p_{kind}_less"] == pytest.approx(1 - _upper(t["z"]), rel=1e-6)
    assert m[f"p_{kind}_two_sided"] == pytest.approx(2 * _upper(t["z"]), rel=1e-3)


@pytest.mark.parametrize("kind", ["rand", "norm"])
def test_geary_each_tail_and_spdep_sign_columbus_k4(kind):
    y, w = _columbus_k4()
    g = geary(y, w, permutations=0)
    t = CK[f"geary_{kind}"]
    assert g["geary_c"] == pytest.approx(t["C"], abs=0.5e-9)
    assert g["expected"] == pytest.approx(1.0)
    assert g[f"variance_{kind}"] == pytest.approx(t["variance"], abs=0.5e-9)
    # spdep's sign: C < 1 (positive autocorrelation) gives z > 0, "Expectation greater than statistic"
    assert g[f"z_{kind}"] == pytest.approx(t["z"], abs=0.5e-4) and g[f"z_{kind}"] > 0
    assert g[f"p_{kind}_greater"] == pytest.approx(t["p_greater"], rel=1e-3)
    assert g[f"p_{kind}_less"] == pytest.approx(1 - _upper(t["z"]), rel=1e-6)
    assert g[f"p_{kind}_two_sided"] == pytest.approx(2 * _upper(t["z"]), rel=1e-3)
    assert "E[C] − C" in g["z_sign"]


def test_global_permutation_tails_match_exact_enumeration():
    # 6 units on a ring: all 720 permutations enumerated give the exact P(I ≥ I_obs) and P(I ≤ I_obs)
    y = np.array([3.0, 5.0, 4.0, 9.0, 1.0, 2.0])
    ring = {i: [(i - 1) % 6, (i + 1) % 6] for i in range(6)}

    def moran_i(v):
        z = v - v.mean()
        lag = np.array([z[ring[i]].mean() for i in range(6)])
        return len(v) * (z @ lag) / (6 * (z @ z))

    obs = moran_i(y)
    allp = np.array([moran_i(y[list(p)]) for p in itertools.permutations(range(6))])
    ge, le = np.mean(allp >= obs - 1e-12), np.mean(allp <= obs + 1e-12)
    m = moran(y, W(ring), permutations=20000, seed=11)
    assert m["moran_i"] == pytest.approx(obs, abs=1e-12)
    assert m["p_sim_greater"] == pytest.approx(ge, abs=0.01)
    assert m["p_sim_less"] == pytest.approx(le, abs=0.01)
    assert m["p_sim_two_sided"] == pytest.approx(min(1, 2 * min(m["p_sim_greater"], m["p_sim_less"])))
    g = geary(y, W(ring), permutations=20000, seed=11)
    assert 0 < g["p_sim_greater"] <= 1 and 0 < g["p_sim_less"] <= 1
