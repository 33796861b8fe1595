"""Ranking similarity and distance measures against pymcdm / pyrepo-mcda unit tests, plus batched cross-checks.

Sources: pymcdm @76e7735 tests/test_distances.py (TestDistancesDraWS, TestDistancesKemeny,
TestDistancesFrobenius) and pyrepo-mcda @b3ac297 tests/test_correlations.py, tests/test_mcda_methods_1.py
(Test_Rank_preferences), as recorded in tests/engine/oracles/mcda/*.json. The distance tests' inputs are not
in the json (their `locals` are empty: the values are built in a loop), so the case tables below are copied
from test_distances.py; the json keeps one record per distinct expected value, and every recorded value is
checked to be produced by a case here.
"""

import numpy as np
import pytest

from xianping.engine.mcda import rank_similarity as RS

from .oracle_io import load_json

PYMCDM = load_json("mcda/pymcdm_test_oracles.json")["cases"]
PYREPO = load_json("mcda/pyrepo_mcda_test_oracles.json")["cases"]

# pymcdm tests/test_distances.py: (ranking compared with the reference, expected value, places)
REF5, REF3 = (1, 2, 3, 4, 5), (1, 2, 3)
DRAWS = [((1, 2, 3, 4, 5), 0.0), ((2, 1, 3, 4, 5), 0.7742), ((1, 3, 2, 4, 5), 0.3871), ((1, 2, 4, 3, 5), 0.1935),
         ((1, 2, 3, 5, 4), 0.0968), ((3, 2, 1, 4, 5), 0.6452), ((4, 2, 3, 1, 5), 0.5806), ((5, 2, 3, 4, 1), 0.5484)]
KEMENY = [((1, 2, 3), 0.0), ((1, 2.5, 2.5), 1.0), ((1, 3, 2), 2.0), ((1.5, 3, 1.5), 3.0), ((2, 3, 1), 4.0),
          ((2.5, 2.5, 1), 5.0), ((3, 2, 1), 6.0), ((3, 1.5, 1.5), 5.0), ((3, 1, 2), 4.0), ((2.5, 1, 2.5), 3.0),
          ((2, 1, 3), 2.0), ((1.5, 1.5, 3), 1.0), ((2, 2, 2), 3.0)]
FROBENIUS = [((1, 2, 3), 0.0), ((1, 2.5, 2.5), 1.4142), ((1, 3, 2), 2.8284), ((1.5, 3, 1.5), 3.1623),
             ((2, 3, 1), 4.0), ((2.5, 2.5, 1), 4.2426), ((3, 2, 1), 4.8990), ((3, 1.5, 1.5), 4.2426),
             ((3, 1, 2), 4.0), ((2.5, 1, 2.5), 3.1623), ((2, 1, 3), 2.8284), ((1.5, 1.5, 3), 1.4142),
             ((2, 2, 2), 2.4495)]
DISTANCE_TESTS = {
    "test_distances.TestDistancesDraWS.test_draws": (RS.draws, REF5, DRAWS, 4),
    "test_distances.TestDistancesKemeny.test_kemeny": (RS.kemeny, REF3, KEMENY, 7),
    "test_distances.TestDistancesFrobenius.test_frobenius": (RS.frobenius, REF3, FROBENIUS, 4),
}
PYREPO_TESTS = {  # upstream test → (our function, options, digits compared: None = exact)
    "test_correlations.Test_Spearman.test_spearman": (RS.spearman, {"formula": "classic"}, None),
    "test_correlations.Test_Pearson.test_pearson": (RS.pearson, {}, None),
    "test_correlations.Test_WS.test_ws": (RS.ws, {}, 4),
    "test_correlations.Test_Weighted_Spearman.test_weighted_spearman": (RS.weighted_spearman, {}, 4),
}
RANK_PREF = "test_mcda_methods_1.Test_Rank_preferences.test_rank_preferences"


def test_every_case_is_covered():
    """Every distance / correlation / rank_preferences case in the oracle jsons is parametrized here."""
    ours = set(DISTANCE_TESTS) | set(PYREPO_TESTS) | {RANK_PREF}
    theirs = {c["test"] for c in PYMCDM if c["test"].startswith("test_distances.")}
    theirs |= {c["test"] for c in PYREPO if c["test"].startswith("test_correlations.") or "Rank_preferences" in c["test"]}
    assert theirs == ours
    assert len([c for c in PYMCDM if c["test"] in DISTANCE_TESTS]) == 8 + 7 + 8


@pytest.mark.parametrize("test", sorted(DISTANCE_TESTS))
def test_distances_pymcdm(test):
    """Sources: pymcdm test_distances — DraWS (Sałabun & Shekhovtsov 2023, FedCSIS 731-738; places=4),
    Kemeny (Kemeny 1959, Daedalus 88(4); assertAlmostEqual default places=7), Frobenius (Dezert,
    Shekhovtsov & Sałabun 2024, Heliyon 10(7); places=4): every upstream case at its digits, and every value
    recorded in the oracle json reproduced by one of them."""
    f, ref, cases, places = DISTANCE_TESTS[test]
    got = np.array([f(ref, r) for r, _ in cases])
    for g, (_, ev) in zip(got, cases):
        assert g == pytest.approx(ev, abs=0.5 * 10.0**-places)
    # all cases at once with a leading axis
    np.testing.assert_array_equal(f(np.array(ref, float), np.array([r for r, _ in cases], float)), got)
    for c in (c for c in PYMCDM if c["test"] == test):
        assert np.min(np.abs(got - c["expected"])) < 1e-12, c["expected"]


@pytest.mark.parametrize("test", sorted(PYREPO_TESTS))
def test_correlations_pyrepo(test):
    """Source: pyrepo-mcda test_correlations (Sałabun & Urbaniak 2020, ICCS LNCS 12137:632-645): R = [1..5],
    Q = [1, 3, 2, 4, 5]; Spearman 0.9 and Pearson (= scipy pearsonr) exact, WS 0.8542 and weighted Spearman
    0.8833 at 4 d.p., as the upstream assertions."""
    (case,) = [c for c in PYREPO if c["test"] == test]
    f, opts, digits = PYREPO_TESTS[test]
    v = f(case["locals"]["R"], case["locals"]["Q"], **opts)
    if digits is None:
        assert v == case["expected"]
    else:
        assert np.round(v, digits) == case["expected"]


def test_rank_preferences_pyrepo():
    """Source: pyrepo-mcda test_mcda_methods_1.Test_Rank_preferences (Papathanasiou & Ploskas 2018, VIKOR):
    VIKOR Q values ranked ascending (reverse=False) → [3, 6, 4, 2, 1, 5]; exact."""
    (case,) = [c for c in PYREPO if c["test"] == RANK_PREF]
    assert list(RS.rank_preferences(case["locals"]["pref"], reverse=False)) == case["expected"]
    # reverse=True (default): largest first; ties share a rank, the next value gets the next integer
    assert list(RS.rank_preferences([0.2, 0.9, 0.2, 0.5])) == [3, 1, 3, 2]
    assert list(RS.rank_preferences([[0.2, 0.9, 0.2, 0.5], [1, 2, 3, 4]], reverse=False)[1]) == [1, 2, 3, 4]


# ---------------------------------------------------------------------------------------------
# batched cross-checks against pymcdm, slice by slice


def _random_rankings(seed, shape=(3, 2, 8)):
    """Average ranks (pymcdm rankdata) of random integer scores: rankings with ties."""
    from pymcdm.helpers import rankdata

    rng = np.random.default_rng(seed)
    s = rng.integers(0, 5, size=shape)
    return np.apply_along_axis(rankdata, -1, s)


@pytest.mark.parametrize("name, ref", [
    ("spearman", "correlations.spearman"), ("pearson", "correlations.pearson"),
    ("weighted_spearman", "correlations.weighted_spearman"), ("ws", "correlations.ws"),
    ("kendall_tau", "correlations.kendall_tau"), ("goodman_kruskal_gamma", "correlations.goodman_kruskal_gamma"),
    ("draws", "distances.draWS"), ("kemeny", "distances.kemeny"), ("frobenius", "distances.frobenius"),
])
def test_batched_vs_pymcdm(name, ref):
    """Leading axes: random tied rankings (3, 2, 8) pairs vs pymcdm 1.4.0 correlations/distances slice by
    slice, tol 1e-10; also permutations without ties."""
    pytest.importorskip("pymcdm")
    import importlib

    mod, fn = ref.split(".")
    g = getattr(importlib.import_module(f"pymcdm.{mod}"), fn)
    f = RS.MEASURES[name].func
    rng = np.random.default_rng(7)
    perms = np.argsort(rng.random((2, 3, 2, 8)), axis=-1) + 1.0
    for x, y in ((_random_rankings(1), _random_rankings(2)), (perms[0], perms[1])):
        ours = f(x, y)
        assert ours.shape == (3, 2)
        want = np.array([[g(x[a, b], y[a, b]) for b in range(2)] for a in range(3)])
        np.testing.assert_allclose(ours, want, atol=1e-10)


def test_variants_and_scipy():
    """Spearman "classic" (pyrepo) equals "correlation" (pymcdm) without ties and differs with ties; Kendall
    τ_b equals scipy.stats.kendalltau (pyrepo kendall_tau) slice by slice."""
    pytest.importorskip("pymcdm")
    from scipy.stats import kendalltau

    rng = np.random.default_rng(3)
    x = np.argsort(rng.random((3, 2, 8)), axis=-1) + 1.0
    y = np.argsort(rng.random((3, 2, 8)), axis=-1) + 1.0
    np.testing.assert_allclose(RS.spearman(x, y, "classic"), RS.spearman(x, y), atol=1e-12)
    xt, yt = _random_rankings(4), _random_rankings(5)
    assert not np.allclose(RS.spearman(xt, yt, "classic"), RS.spearman(xt, yt))
    tb = RS.kendall_tau(xt, yt, "b")
    want = np.array([[kendalltau(xt[a, b], yt[a, b])[0] for b in range(2)] for a in range(3)])
    np.testing.assert_allclose(tb, want, atol=1e-12)


def test_blocked_pair_sums_match(monkeypatch):
    """The pair measures give the same numbers when the pairs are summed in many small row blocks."""
    x, y = _random_rankings(8, (4, 40)), _random_rankings(9, (4, 40))
    full = [RS.kendall_tau(x, y), RS.kemeny(x, y), RS.frobenius(x, y), RS.goodman_kruskal_gamma(x, y)]
    monkeypatch.setattr(RS, "_BLOCK_CELLS", 50)
    small = [RS.kendall_tau(x, y), RS.kemeny(x, y), RS.frobenius(x, y), RS.goodman_kruskal_gamma(x, y)]
    for a, b in zip(full, small):
        np.testing.assert_allclose(a, b, atol=1e-12)


def test_pairwise_matrix():
    """pairwise(rankings [..., R, m]) is the pymcdm correlation_matrix of the rows (symmetric measures)."""
    pytest.importorskip("pymcdm")
    from pymcdm.correlations import weighted_spearman
    from pymcdm.helpers import correlation_matrix

    r = _random_rankings(6, (2, 4, 8))
    got = RS.pairwise(r, "weighted_spearman")
    assert got.shape == (2, 4, 4)
    for a in range(2):
        np.testing.assert_allclose(got[a], correlation_matrix(r[a], weighted_spearman), atol=1e-12)


def test_nan_and_bad_input():
    """A NaN rank makes that pair's value NaN (the others are unaffected); empty or unequal-length rankings
    and unknown variants raise ValueError naming the problem."""
    x = np.array([[1, 2, 3, 4.0], [1, 2, 3, np.nan]])
    y = np.array([2, 1, 3, 4.0])
    for name, m in RS.MEASURES.items():
        v = m.func(x, y)
        assert np.isfinite(v[0]) and np.isnan(v[1]), name
    with pytest.raises(ValueError, match="non-empty"):
        RS.draws([], [1, 2, 3])
    with pytest.raises(ValueError, match="different lengths"):
        RS.kemeny([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="formula"):
        RS.spearman([1, 2], [2, 1], formula="kendall")
    with pytest.raises(ValueError, match="variant"):
        RS.kendall_tau([1, 2], [2, 1], variant="c")


def test_measures_registry():
    """MEASURES: name → Measure with a Chinese label, kind and which way is 'more alike'."""
    assert set(RS.MEASURES) == {"spearman", "pearson", "weighted_spearman", "ws", "kendall_tau",
                                "goodman_kruskal_gamma", "draws", "kemeny", "frobenius"}
    r = np.array([3, 1, 2, 5, 4.0])
    for m in RS.MEASURES.values():
        assert m.label_zh and m.reference
        assert m.func(r, r) == (1.0 if m.kind == "correlation" else 0.0)
        assert (m.better == "higher") == (m.kind == "correlation")
