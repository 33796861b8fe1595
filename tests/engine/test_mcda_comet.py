"""COMET, Structural COMET, MEJ and triads consistency against pymcdm's unit tests, plus batched cross-checks.

Sources: pymcdm @76e7735 (oracle README), tests/test_mcdm.py TestCOMET and tests/test_comet_tools.py
(TestStructuralCOMET, TestTriadsConsistency_MEJ, TestTriadsConsistency_COMET); the oracle json records the
expected values (and the matrices) captured at run time; inputs the json does not record (cvalues, submodel
structure, MEJ matrices) are copied from those test files and cited where used.
"""

from typing import NamedTuple

import numpy as np
import pytest

from xianping.engine.mcda import comet as C
from xianping.engine.mcda._registry import RankingMethod

from .oracle_io import load_json

PYMCDM = load_json("mcda/pymcdm_test_oracles.json")["cases"]


def _cases(test):
    return [c for c in PYMCDM if c["test"] == test]


COVERED = {  # upstream test name → number of oracle cases covered below
    "test_mcdm.TestCOMET.test_output": 1,
    "test_mcdm.TestCOMET.test_gray_code": 1,
    "test_comet_tools.TestStructuralCOMET.test_output": 4,
    "test_comet_tools.TestTriadsConsistency_MEJ.test_output": 3,
    "test_comet_tools.TestTriadsConsistency_COMET.test_output": 1,
}


def test_every_comet_case_is_covered():
    """Every COMET-family case of pymcdm_test_oracles.json is parametrized here (a new case fails this)."""
    found = {}
    for c in PYMCDM:
        if "COMET" in c["test"] or "comet_tools" in c["test"]:
            found[c["test"]] = found.get(c["test"], 0) + 1
    assert found == COVERED


# ---------------------------------------------------------------------------------------------
# oracle cases


def test_comet_output_paradowski2021():
    """Source: pymcdm test_mcdm.TestCOMET.test_output (Paradowski, Bączkiewicz & Wątróbski 2021, Procedia
    Comput. Sci. 192:1347-1358): cvalues = column min and max, MethodExpert(TOPSIS(), 1/9, types); 4 d.p."""
    (case,) = _cases("test_mcdm.TestCOMET.test_output")
    L = case["locals"]
    x = np.array(L["matrix"])
    cv = np.vstack((x.min(0), x.max(0))).T
    r = C.comet(x, L["weights"], L["types"], cvalues=cv)
    assert list(np.round(r.preference, 4)) == case["expected"]
    # the same model from cvalues=2 (min…max per criterion) and with the Gray-code CO ordering
    np.testing.assert_array_equal(C.comet(x, L["weights"], L["types"], cvalues=2).preference, r.preference)
    g = C.comet(x, L["weights"], L["types"], cvalues=cv, co_ordering="gray_code")
    np.testing.assert_allclose(g.preference, r.preference, atol=1e-15)
    assert r.co.shape == (2**9, 9) and r.p.min() == 0 and r.p.max() == 1


def test_comet_gray_code_order():
    """Source: pymcdm test_mcdm.TestCOMET.test_gray_code (`_gray_code_product` of [[1, 2], [10, 20]])."""
    (case,) = _cases("test_mcdm.TestCOMET.test_gray_code")
    assert C.gray_code_product([1, 2], [10, 20]) == case["expected"]
    co = C.characteristic_objects([[1, 2], [10, 20]], co_ordering="gray_code")
    assert co.tolist() == case["expected"]


# pymcdm tests/test_comet_tools.py TestStructuralCOMET.test_output (not recorded in the json)
STRUCT_CVALUES = [
    [340, 909.3, 3000], [57, 107.3, 150], [100, 144, 180], [10, 87.9, 200], [80, 325.8, 610],
    [4, 7, 10], [10, 54, 120], [10.5, 37.57, 99], [12.9, 43.3, 120],
]
STRUCT_SUBMODELS = [
    C.Submodel((0, 1, 2), [8.24041444e-02, 4.53869580e-01, 7.85105159e-01], "topsis", np.ones(3) / 3, [1, 1, 1], "P_1"),
    C.Submodel((3, 4), [0.0, 4.43071484e-01, 1.0], "topsis", np.ones(2) / 2, [1, 1], "P_2"),
    C.Submodel((5, 6, 7), [1.49566750e-01, 4.81255932e-01, 7.15106856e-01], "topsis", np.ones(3) / 3, [-1, -1, 1], "P_3"),
    C.Submodel(("P_1", "P_3", "P_2", "C_9"), None, "topsis", np.ones(4) / 4, [1, 1, 1, -1], "P Final"),
]
# the upstream test's reference dict, in the order its cases were recorded
STRUCT_NAMES = ["P_1", "P_2", "P_3", "P Final"]


@pytest.mark.parametrize("k", range(4), ids=STRUCT_NAMES)
def test_structural_comet_shekhovtsov2020(k):
    """Source: pymcdm test_comet_tools.TestStructuralCOMET.test_output (Shekhovtsov, Kołodziejczyk &
    Sałabun 2020, Symmetry 12(9):1541): three TOPSIS-expert submodels and a final one; 4 d.p. (assertListEqual)."""
    case = _cases("test_comet_tools.TestStructuralCOMET.test_output")[k]
    x = np.array(case["locals"]["matrix"])
    res = C.structural_comet(x, STRUCT_SUBMODELS, STRUCT_CVALUES)
    assert list(np.round(res.submodels[STRUCT_NAMES[k]].preference, 4)) == case["expected"]
    if STRUCT_NAMES[k] == "P Final":
        np.testing.assert_array_equal(res.preference, res.submodels["P Final"].preference)


# pymcdm tests/test_comet_tools.py TestTriadsConsistency_MEJ.test_output (matrices not recorded in the json)
MEJS = [
    [[0.5, 0, 0, 0, 0, 0], [1, 0.5, 0, 0, 0, 0], [1, 1, 0.5, 0, 0, 0],
     [1, 1, 1, 0.5, 0, 0], [1, 1, 1, 1, 0.5, 0], [1, 1, 1, 1, 1, 0.5]],
    [[0.5, 0, 0, 0, 0, 1], [1, 0.5, 0, 0, 0, 0], [1, 1, 0.5, 0, 0, 0],
     [1, 1, 1, 0.5, 0, 0], [1, 1, 1, 1, 0.5, 0], [0, 1, 1, 1, 1, 0.5]],
    [[0.5, 0, 0, 1, 0, 1], [1, 0.5, 0, 0, 0, 0], [1, 1, 0.5, 0, 0, 0],
     [0, 1, 1, 0.5, 0, 0], [1, 1, 1, 1, 0.5, 0], [0, 1, 1, 1, 1, 0.5]],
]


@pytest.mark.parametrize("k", range(3))
def test_triads_consistency_mej_salabun2021(k):
    """Source: pymcdm test_comet_tools.TestTriadsConsistency_MEJ.test_output (Sałabun, Shekhovtsov &
    Kizielewicz 2021, ICCS 2021 LNCS 12742:715-727); exact (assertEqual)."""
    case = _cases("test_comet_tools.TestTriadsConsistency_MEJ.test_output")[k]
    assert C.triads_consistency(np.array(MEJS[k])) == case["expected"]


def test_triads_consistency_comet():
    """Source: pymcdm test_comet_tools.TestTriadsConsistency_COMET.test_output: COMET with cvalues
    [[1, 3, 5], [1, 3, 5]] and MethodExpert(TOPSIS(), [.5, .5], [1, -1]); its implied MEJ is consistent (exact)."""
    (case,) = _cases("test_comet_tools.TestTriadsConsistency_COMET.test_output")
    model = C.comet_model([[1, 3, 5], [1, 3, 5]], "topsis", np.ones(2) / 2, [1, -1])
    assert C.triads_consistency(model) == case["expected"]
    assert C.triads_consistency(C.mej_from_preferences(model.p)) == case["expected"]


# ---------------------------------------------------------------------------------------------
# batched cross-checks against pymcdm, slice by slice


def _rng_data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(1.0, 10.0, size=(3, 2, 8, 5))
    w = rng.uniform(0.1, 1.0, size=(3, 2, 5))
    return x, w / w.sum(-1, keepdims=True)


def test_comet_batched_vs_pymcdm():
    """Leading axes: x (3, 2, 8, 5), per-slice weights and per-slice cvalues (k = 3 from each slice's min…max,
    pymcdm COMET.make_cvalues) vs pymcdm COMET + MethodExpert(TOPSIS()) slice by slice, tol 1e-10."""
    pytest.importorskip("pymcdm")
    from pymcdm.methods import COMET, TOPSIS
    from pymcdm.methods.comet_tools import MethodExpert

    x, w = _rng_data()
    types = np.array([1, -1, 1, 1, -1])
    ours = C.comet(x, w, types, cvalues=3)
    assert ours.preference.shape == (3, 2, 8)
    for a in range(3):
        for b in range(2):
            cv = COMET.make_cvalues(x[a, b], 3)
            ref = COMET(cv, MethodExpert(TOPSIS(), w[a, b], types))
            np.testing.assert_allclose(ours.preference[a, b], ref(x[a, b]), atol=1e-10)
            np.testing.assert_array_equal(C.mej_from_preferences(ours.p[a, b]), ref.get_MEJ())
    # shared cvalues (one list per criterion) with batched data and weights
    cv = [[1, 4, 10]] * 5
    ours = C.comet(x, w, types, cvalues=[1, 4, 10])
    for a in range(3):
        for b in range(2):
            ref = COMET(cv, MethodExpert(TOPSIS(), w[a, b], types))
            np.testing.assert_allclose(ours.preference[a, b], ref(x[a, b]), atol=1e-10)


def test_structural_comet_batched_vs_pymcdm():
    """Leading axes for StructuralCOMET: x (3, 2, 8, 5), two TOPSIS submodels with outputs on [0, .5, 1]
    and a final one, vs pymcdm StructuralCOMET slice by slice, tol 1e-10."""
    pytest.importorskip("pymcdm")
    from pymcdm.methods import TOPSIS
    from pymcdm.methods.comet_tools import MethodExpert, StructuralCOMET, Submodel

    x, _ = _rng_data(1)
    cvalues = [[1, 5.5, 10]] * 5
    names = [f"C_{i + 1}" for i in range(5)]
    ours = C.structural_comet(x, [
        C.Submodel((0, 1), [0, 0.5, 1], "topsis", [0.5, 0.5], [1, -1], "A"),
        C.Submodel((2, 3, 4), [0, 0.5, 1], "topsis", [0.2, 0.3, 0.5], [1, 1, -1], "B"),
        C.Submodel(("A", "B"), None, "topsis", [0.6, 0.4], [1, 1], "F"),
    ], cvalues)
    for a in range(3):
        for b in range(2):
            ref = StructuralCOMET([
                Submodel((0, 1), [0, 0.5, 1], MethodExpert(TOPSIS(), np.array([0.5, 0.5]), [1, -1]), "A"),
                Submodel((2, 3, 4), [0, 0.5, 1], MethodExpert(TOPSIS(), np.array([0.2, 0.3, 0.5]), [1, 1, -1]), "B"),
                Submodel(("A", "B"), None, MethodExpert(TOPSIS(), np.array([0.6, 0.4]), [1, 1]), "F"),
            ], cvalues=cvalues, criteria_names=names)
            np.testing.assert_allclose(ours.preference[a, b], ref(x[a, b]), atol=1e-10)


def test_triads_consistency_batched_vs_pymcdm():
    """Random MEJs (complementary 0 / 0.5 / 1, many inconsistent triads) with leading axes (3, 2) vs pymcdm
    triads_consistency slice by slice (exact up to 1e-12)."""
    pytest.importorskip("pymcdm")
    from pymcdm.methods.comet_tools import triads_consistency

    rng = np.random.default_rng(2)
    K = 9
    up = rng.choice([0.0, 0.5, 1.0], size=(3, 2, K, K))
    iu = np.triu_indices(K, 1)
    mej = np.full((3, 2, K, K), 0.5)
    mej[..., iu[0], iu[1]] = up[..., iu[0], iu[1]]
    mej[..., iu[1], iu[0]] = 1 - up[..., iu[0], iu[1]]
    ours = C.triads_consistency(mej)
    assert ours.shape == (3, 2)
    for a in range(3):
        for b in range(2):
            assert ours[a, b] == pytest.approx(triads_consistency(mej[a, b]), abs=1e-12)


# ---------------------------------------------------------------------------------------------
# experts, NaN, options and bad input


def test_expert_as_mej_callable_or_registered_method():
    """The MEJ implied by a TOPSIS expert, passed back as a manual MEJ (pymcdm ManualExpert), gives the same
    model; so do a callable expert and a RankingMethod (lower-better preferences are negated)."""
    x, w = _rng_data(3)
    x, w = x[0, 0], w[0, 0]
    cv = [[1, 5, 10]] * 5
    base = C.comet(x, w, 1, cvalues=cv)
    mej = C.mej_from_preferences(base.p)
    by_mej = C.comet(x, cvalues=cv, expert=mej)
    np.testing.assert_allclose(by_mej.preference, base.preference, atol=1e-14)
    assert by_mej.mej is mej or np.array_equal(by_mej.mej, mej)
    assert C.triads_consistency(by_mej) == 1.0

    def closeness(co, w, d):
        from xianping.engine.aggregate import topsis
        return topsis(co, w, d, normalisation="min_max").closeness

    np.testing.assert_allclose(C.comet(x, w, 1, cvalues=cv, expert=closeness).preference, base.preference, atol=1e-14)
    class Neg(NamedTuple):
        preference: np.ndarray

    lower = RankingMethod("neg_topsis", "测试", lambda co, w, d: Neg(-closeness(co, w, d)), better="lower")
    np.testing.assert_allclose(C.comet(x, w, 1, cvalues=cv, expert=lower).preference, base.preference, atol=1e-14)


def test_nan_unit_and_outside_policies():
    """A unit with a missing criterion gets NaN, the others are unchanged; values outside the cvalues raise by
    default (pymcdm validation), and are clipped to the end or set NaN on request."""
    x, w = _rng_data(4)
    x = x[0]  # (2, 8, 5)
    cv = [[0, 5, 11]] * 5
    base = C.comet(x, w[0], 1, cvalues=cv).preference
    xn = x.copy()
    xn[1, 3, 2] = np.nan
    r = C.comet(xn, w[0], 1, cvalues=cv).preference
    assert np.isnan(r[1, 3]) and np.isnan(r).sum() == 1
    np.testing.assert_array_equal(r[~np.isnan(r)], base[~np.isnan(r)])
    xo = x.copy()
    xo[0, 0, 0] = 12.0
    with pytest.raises(ValueError, match="outside the characteristic values"):
        C.comet(xo, w[0], 1, cvalues=cv)
    clipped = C.comet(xo, w[0], 1, cvalues=cv, outside="clip").preference
    xc = xo.copy()
    xc[0, 0, 0] = 11.0
    np.testing.assert_array_equal(clipped, C.comet(xc, w[0], 1, cvalues=cv).preference)
    assert np.isnan(C.comet(xo, w[0], 1, cvalues=cv, outside="nan").preference[0, 0])


def test_memberships_partition_of_unity():
    """Inside [c_1, c_k] the TFN memberships of a value sum to 1 (so P is a convex interpolation of P_k)."""
    rng = np.random.default_rng(5)
    v = rng.uniform(0, 10, size=(4, 50))
    mu = C.tfn_memberships(v, [0, 2, 3.5, 10])
    assert mu.shape == (4, 50, 4)
    np.testing.assert_allclose(mu.sum(-1), 1.0, atol=1e-15)


def test_bad_input():
    """Missing cvalues, wrong weight length, negative weights, bad options and bad MEJs raise ValueError
    naming the problem."""
    x, w = _rng_data()
    with pytest.raises(ValueError, match="needs cvalues"):
        C.comet(x, w, 1)
    with pytest.raises(ValueError, match="weights have 4 entries"):
        C.comet(x, np.ones(4) / 4, 1, cvalues=3)
    with pytest.raises(ValueError, match="non-negative"):
        C.comet(x, [0.5, 0.5, 0.5, -0.5, 0.0], 1, cvalues=3)
    with pytest.raises(ValueError, match="co_ordering"):
        C.comet(x, w, 1, cvalues=3, co_ordering="random")
    with pytest.raises(ValueError, match="outside"):
        C.comet(x, w, 1, cvalues=3, outside="ignore")
    with pytest.raises(ValueError, match="strictly increasing"):
        C.comet(x, w, 1, cvalues=[[1, 1, 10]] * 5)
    with pytest.raises(ValueError, match="cvalues give 2 criteria"):
        C.comet(x, w, 1, cvalues=[[1, 10], [1, 10]])
    with pytest.raises(ValueError, match="unknown COMET expert"):
        C.comet(x, w, 1, cvalues=3, expert="no_such_method")
    with pytest.raises(ValueError, match="K × K"):
        C.comet(x[0, 0], cvalues=[[1, 10]] * 5, expert=np.full((4, 4), 0.5))
    with pytest.raises(ValueError, match="square"):
        C.triads_consistency(np.ones((3, 4)))


def test_registry_entry():
    """METHODS['comet'] follows _registry.RankingMethod: Chinese label, every option default, higher is better."""
    m = C.METHODS["comet"]
    assert isinstance(m, RankingMethod) and m.name == "comet" and m.label_zh
    assert set(m.options) == {"cvalues", "expert", "expert_options", "co_ordering", "outside", "tie_decimals"}
    assert m.options["cvalues"] is None and m.better == "higher" and m.to_score == "identity"
    x, w = _rng_data()
    r = m.func(x, w, 1, **{**m.options, "cvalues": [1, 5.5, 10]})
    assert r.preference.shape == (3, 2, 8) and np.all((r.preference >= 0) & (r.preference <= 1))
