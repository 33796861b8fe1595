"""Aggregation, TOPSIS and grey relational analysis against their oracles."""

import numpy as np
import pytest

from xianping.engine import aggregate as A
from xianping.engine import normalise as N

from .oracle_io import load_json, read_csv

MM = load_json("mathmodels_examples/inputs_and_published.json")
RG = load_json("mathmodels_examples/regenerated_full_precision_R.json")
CUR = {c["name"]: c for c in load_json("mcda/curated_oracles.json")["cases"]}


def test_coinr_aggfuncs_smallvec():
    """Source: COINr a_amean/a_gmean/a_hmean/a_genmean(p=2) on x = (20, 50, 80), w = (1, 2, 1)."""
    h, rows = read_csv("coinr_asem/outputs/aggfuncs_smallvec.csv")
    exp = dict(zip(h, map(float, rows[0])))
    x, w = np.array([[20.0, 50.0, 80.0]]), [1, 2, 1]
    assert abs(A.weighted_arithmetic(x, w)[0] - exp["amean"]) < 1e-12
    assert abs(A.geometric(x, w)[0] - exp["gmean"]) < 1e-12
    assert abs(A.harmonic(x, w)[0] - exp["hmean"]) < 1e-12
    assert abs(A.generalised_mean(x, w, p=2)[0] - exp["genmean_p2"]) < 1e-12


def test_nan_and_zero_policies():
    x = np.array([[1.0, np.nan, 3.0], [0.0, 2.0, 4.0]])
    s = A.weighted_arithmetic(x, [1, 1, 2])
    assert np.isnan(s[0]) and abs(s[1] - 2.5) < 1e-15
    s = A.weighted_arithmetic(x, [1, 1, 2], nan="renormalise")
    assert abs(s[0] - (1 + 6) / 3) < 1e-15
    with pytest.raises(ValueError):
        A.geometric(x[1:])
    assert abs(A.geometric(x[1:], zero="epsilon", eps=1e-6)[0] - (1e-6 * 2 * 4) ** (1 / 3)) < 1e-12
    assert abs(A.geometric(x[1:], zero="skip", nan="renormalise")[0] - np.sqrt(8)) < 1e-12
    assert np.isnan(A.geometric(x[1:], zero="skip")[0])
    with pytest.raises(ValueError):
        A.weighted_arithmetic(x, [1, 1])


def test_effective_weights_and_tree_asem():
    """Source: COINr get_eff_weights on the ASEM framework (equal weights at every level)."""
    _, lin = read_csv("coinr_asem/outputs/ASEM_lineage.csv")
    _, ew = read_csv("coinr_asem/outputs/ASEM_effective_weights.csv")
    ewd = {r[0]: float(r[3]) for r in ew}
    ind = [r[0] for r in lin]
    pillars = sorted({r[1] for r in lin})
    subs = sorted({r[2] for r in lin})
    p1 = np.array([pillars.index(r[1]) for r in lin])
    pil_sub = {r[1]: r[2] for r in lin}
    p2 = np.array([subs.index(pil_sub[p]) for p in pillars])
    eff = A.effective_weights([(p1, np.ones(len(ind))), (p2, np.ones(len(pillars))), (np.zeros(len(subs), int), np.ones(len(subs)))])
    np.testing.assert_allclose(eff[0], [ewd[i] for i in ind], atol=1e-15)
    np.testing.assert_allclose(eff[1], [ewd[p] for p in pillars], atol=1e-15)
    np.testing.assert_allclose(eff[2], [ewd[s] for s in subs], atol=1e-15)
    assert abs(eff[0].sum() - 1) < 1e-14


def test_topsis_mathmodels_vector():
    """Source: R mathmodels topsis (vector normalisation), regenerated."""
    t = MM["topsis"]
    X = np.array(list(t["X"].values()), float).T
    r = A.topsis(X, t["w"], t["index"], normalisation="vector")
    np.testing.assert_allclose(r.closeness, RG["topsis"], atol=1e-15)
    np.testing.assert_allclose(r.closeness, r.d_minus / (r.d_plus + r.d_minus))


@pytest.mark.parametrize("name", ["TOPSIS_TzengHuang2011_vector", "TOPSIS_Ersoy2021_vector", "TOPSIS_OpricovicTzeng2004_minmax"])
def test_topsis_literature(name):
    """Sources: scikit-criteria (Tzeng & Huang 2011, tol 1e-4), pyrepo (Ersoy 2021, 2 d.p. → 5e-3),
    pymcdm (Opricovic & Tzeng 2004, min–max, 3 d.p.)."""
    c = CUR[name]
    norm = {"vector": "vector", "minmax": "min_max"}[c["normalisation"]]
    r = A.topsis(c["matrix"], c["weights"], c["directions"], normalisation=norm)
    tol = c.get("tol") or 0.5 * 10 ** -c["round"]
    if name == "TOPSIS_Ersoy2021_vector":
        tol = 1.5e-3  # the curated values are the paper's 3-d.p. numbers
    np.testing.assert_allclose(r.closeness, c["expected_closeness"], atol=tol + 1e-12)


def test_topsis_rank_reversal_documented():
    """Source: literature_mcdm (Opricovic & Tzeng data): vector normalisation gives 0.762/0.722/0.238."""
    t = load_json("literature_mcdm/expected.json")["topsis_OpricovicTzeng2004"]
    r = A.topsis(t["matrix"], t["weights"], t["types"], normalisation="vector")
    np.testing.assert_allclose(r.closeness, t["same_data_with_vector_normalisation"], atol=5e-8)


def test_topsis_weighting_forms():
    """'multiply' equals 'inside_distance' with squared weights (methods_formulas §6)."""
    rng = np.random.default_rng(2)
    x = rng.random((10, 4)) + 0.1
    w = np.array([0.1, 0.2, 0.3, 0.4])
    a = A.topsis(x, w, [1, -1, 1, 1], "min_max", "multiply")
    b = A.topsis(x, w**2, [1, -1, 1, 1], "min_max", "inside_distance")
    np.testing.assert_allclose(a.closeness, b.closeness, atol=1e-14)
    c = A.topsis(x, w, [1, -1, 1, 1], "min_max", ideal="theoretical")
    np.testing.assert_allclose(c.closeness, a.closeness, atol=1e-14)  # min–max reaches 0 and 1


def test_grey_relational_mathmodels():
    """Source: R mathmodels grey_corr (ρ = 0.5, two-level extremes); series as rows."""
    g = MM["grey_corr"]
    X = np.array(list(g["cmp_columns"].values()), float)
    r = A.grey_relational(X, reference=g["ref"], rho=0.5)
    np.testing.assert_allclose(r.degree, RG["grey_corr"], atol=1e-15)


def test_grey_topsis_correct_values_not_the_buggy_ones():
    """Source: inputs_and_published.json grey_corr_topsis: the package prints [0.464, 0.442, 0.464]
    (BUG, oracle README trap 1); the correct values are [0.41935, 0.51532, 0.58065]."""
    g = MM["grey_corr_topsis__DO_NOT_USE_AS_ORACLE"]
    X = np.array(list(g["X"].values()), float).T
    c = A.grey_topsis(X, g["w"], g["index"])
    np.testing.assert_allclose(c, g["correct_value_by_refimpl"], atol=1e-10)
    assert not np.allclose(c, g["published_by_package"], atol=1e-3)
