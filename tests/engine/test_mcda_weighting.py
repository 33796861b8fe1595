"""Objective weighting methods (engine.mcda.weighting) against the pymcdm and pyrepo-mcda unit-test oracles.

Sources (tests/engine/oracles/mcda/README.md): pymcdm @76e7735 tests/test_weights.py and pyrepo-mcda @b3ac297
tests/test_weighting_methods.py, captured at run time with their inputs; curated_oracles.json (MEREC,
Keshavarz-Ghorabaee et al. 2021). Each case is compared after rounding to the digits the upstream assertion
rounds to (`round(w, d)` / `np.round(w, d)` followed by an exact list comparison).
"""

import numpy as np
import pytest

from xianping.engine import EngineWarning
from xianping.engine import normalise as N
from xianping.engine import weights as W
from xianping.engine.mcda import weighting as Wg

from . import test_weights_oracles
from .oracle_io import load_json

PM = {c["test"]: c for c in load_json("mcda/pymcdm_test_oracles.json")["cases"]}
PR = {c["test"]: c for c in load_json("mcda/pyrepo_mcda_test_oracles.json")["cases"]}
CUR = {c["name"]: c for c in load_json("mcda/curated_oracles.json")["cases"]}


def _m(c):
    return c["locals"]["matrix"]


def _t(c):
    return c["locals"]["types"]


# case → (our computation from the case, digits of the upstream rounding)
HERE = {
    # pymcdm @76e7735 tests/test_weights.py
    "pymcdm:test_weights.TestMERECWeights.test_output": (lambda c: Wg.merec(_m(c), _t(c)), 4),
    "pymcdm:test_weights.TestGiniWeights.test_output": (lambda c: Wg.gini(_m(c)), 4),
    "pymcdm:test_weights.TestCILOSWeights.test_output": (lambda c: Wg.cilos(_m(c), _t(c)), 4),
    "pymcdm:test_weights.TestIDOCRIWWeights.test_output": (lambda c: Wg.idocriw(_m(c), _t(c)), 4),
    "pymcdm:test_weights.TestAngleWeights.test_output": (lambda c: Wg.angle(_m(c)), 4),
    "pymcdm:test_weights.TestLOPCOWWeights.test_output": (lambda c: Wg.lopcow(_m(c), _t(c)), 4),
    "pymcdm:test_weights.TestVarianceWeights.test_output": (lambda c: Wg.variance(_m(c)), 4),
    "pymcdm:test_weights.TestRANCOMWeights.test_output": (lambda c: Wg.rancom(matrix=_m(c)), 4),
    "pymcdm:test_weights.TestEqualWeights.test_output": (lambda c: W.equal(np.asarray(_m(c))), None),  # exact
    # pyrepo-mcda @b3ac297 tests/test_weighting_methods.py
    "pyrepo:test_weighting_methods.Test_MEREC.test_merec": (lambda c: Wg.merec(_m(c), _t(c)), 4),
    "pyrepo:test_weighting_methods.Test_gini.test_gini": (lambda c: Wg.gini(_m(c)), 4),
    "pyrepo:test_weighting_methods.Test_IDOCRIW.test_idocriw": (lambda c: Wg.idocriw(_m(c), _t(c)), 3),
    "pyrepo:test_weighting_methods.Test_CILOS.test_cilos": (lambda c: Wg.cilos(_m(c), _t(c)), 3),
    "pyrepo:test_weighting_methods.Test_CILOS.test_cilos2": (lambda c: Wg.cilos(_m(c), _t(c)), 4),
    "pyrepo:test_weighting_methods.Test_Angle.test_angle": (lambda c: Wg.angle(_m(c), _t(c), variant="pyrepo"), 4),
    "pyrepo:test_weighting_methods.Test_stat_var.test_stat_var": (lambda c: Wg.variance(_m(c), ddof=0), 4),
    "pyrepo:test_weighting_methods.Test_STD.test_std": (lambda c: Wg.std(_m(c), ddof=0), 3),
    "pyrepo:test_weighting_methods.Test_equal.test_equal": (lambda c: W.equal(np.asarray(_m(c))), 3),
    # pyrepo's CRITIC ignores `types` (CRITIC is invariant to direction: README); min–max as benefit
    "pyrepo:test_weighting_methods.Test_CRITIC.test_critic": (
        lambda c: W.critic(N.min_max(_m(c), 1)), 3),
    # pyrepo entropy: p_ij = x_ij / Σ x on the raw matrix, types unused (Test_Entropy3 even passes 4 types
    # for 6 criteria)
    "pyrepo:test_weighting_methods.Test_Entropy.test_Entropy3": (lambda c: W.entropy(_m(c), "zero_ln_zero"), 3),
    "pyrepo:test_weighting_methods.Test_Entropy.test_Entropy4": (lambda c: W.entropy(_m(c), "zero_ln_zero"), 3),
}

# cases of these methods that tests/engine/test_weights_oracles.py already checks (existing weights.py functions)
ELSEWHERE = {
    "pymcdm:test_weights.TestAHPWeights.test_output": "test_ahp_tai_handbook_and_pymcdm",
    "pymcdm:test_weights.TestCRITICWeights.test_output": "test_critic_tus_adali_pymcdm",
    "pymcdm:test_weights.TestEntropyWeights.test_output": "test_entropy_elsayed_raw_pymcdm",
    "pymcdm:test_weights.TestSTDWeights.test_output": "test_pyrepo_cv_and_std",
    "pyrepo:test_weighting_methods.Test_Coeff_var.test_coeff_var": "test_pyrepo_cv_and_std",
    "pyrepo:test_weighting_methods.Test_Entropy.test_Entropy": "test_entropy_pyrepo_cases",
    "pyrepo:test_weighting_methods.Test_Entropy.test_Entropy2": "test_entropy_pyrepo_cases",
}


def _case(key):
    lib, name = key.split(":", 1)
    return (PM if lib == "pymcdm" else PR)[name]


def test_every_weighting_case_is_covered():
    """Every weighting case of pymcdm @76e7735 test_weights.py and pyrepo-mcda @b3ac297 test_weighting_methods.py
    is checked here (HERE) or in test_weights_oracles.py (ELSEWHERE, test function named); a new upstream case
    fails this test until it is added."""
    in_json = {f"pymcdm:{t}" for t in PM if t.startswith("test_weights.")}
    in_json |= {f"pyrepo:{t}" for t in PR if t.startswith("test_weighting_methods.")}
    assert not set(HERE) & set(ELSEWHERE)
    assert in_json == set(HERE) | set(ELSEWHERE)
    for fn in ELSEWHERE.values():
        assert callable(getattr(test_weights_oracles, fn))


@pytest.mark.parametrize("key", sorted(HERE))
def test_weighting_oracle(key):
    """Source: the upstream test named by `key` (pymcdm @76e7735 / pyrepo-mcda @b3ac297); its paper is in the
    case's `reference` (shown on failure). Compared after rounding to the upstream digits."""
    c = _case(key)
    f, digits = HERE[key]
    got = np.asarray(f(c))
    if digits is not None:
        got = np.round(got, digits)
    assert [float(v) for v in got] == c["expected"], c["reference"]


def test_merec_curated_keshavarz2021():
    """Source: curated_oracles.json MEREC_Keshavarz2021 (Keshavarz-Ghorabaee et al. 2021, Symmetry 13(4) 525;
    the same numbers as pymcdm TestMERECWeights, pyrepo Test_MEREC, scikit-criteria), 4 d.p."""
    c = CUR["MEREC_Keshavarz2021"]
    t = Wg.merec_table(c["matrix"], c["directions"])
    assert list(np.round(t.weights, c["round"])) == c["expected_weights"]
    # identities of the method: S' removes one term of S's sum, and E is the column sum of |S' − S|
    np.testing.assert_allclose(t.removal_effect, np.abs(t.performance_removed - t.performance[:, None]).sum(0))
    assert np.all(t.performance_removed <= t.performance[:, None] + 1e-15)


# ---------------------------------------------------------------------------------------------
# batched cross-checks against pymcdm, slice by slice

RNG = np.random.default_rng(20240611)
X = RNG.uniform(1.0, 10.0, size=(3, 2, 8, 5))
TYPES = np.array([1, -1, 1, 1, -1])


def _per_slice(f):
    return np.array([[f(X[a, b]) for b in range(X.shape[1])] for a in range(X.shape[0])])


# ours(x) and the name of the pymcdm 1.4.0 function; the types are passed to the methods that use them
CROSS = {
    "merec": (lambda x: Wg.merec(x, TYPES), "merec_weights", True),
    "gini": (lambda x: Wg.gini(x), "gini_weights", False),
    "cilos": (lambda x: Wg.cilos(x, TYPES), "cilos_weights", True),
    "idocriw": (lambda x: Wg.idocriw(x, TYPES), "idocriw_weights", True),
    "angle": (lambda x: Wg.angle(x, TYPES), "angle_weights", False),
    "lopcow": (lambda x: Wg.lopcow(x, TYPES), "lopcow_weights", True),
    "variance": (lambda x: Wg.variance(x), "variance_weights", False),
    "std": (lambda x: Wg.std(x), "standard_deviation_weights", False),
}


@pytest.mark.parametrize("name", list(CROSS))
def test_batched_matches_pymcdm_slice_by_slice(name):
    """Leading axes: x (3, 2, 8, 5) in one call vs pymcdm 1.4.0 on each (8, 5) slice, tol 1e-10."""
    pw = pytest.importorskip("pymcdm.weights")  # only the cross-checks need pymcdm, not the oracle tests
    ours, fname, typed = CROSS[name]
    f = getattr(pw, fname)
    theirs = (lambda m: f(m, TYPES)) if typed else f
    got = ours(X)
    assert got.shape == (3, 2, 5)
    np.testing.assert_allclose(got, _per_slice(theirs), rtol=0, atol=1e-10)


def test_rancom_batched_rankings_match_pymcdm():
    """RANCOM from rankings (with ties) [3, 2, 5] in one call vs pymcdm RANCOM(ranking=…) per ranking."""
    RANCOM = pytest.importorskip("pymcdm.weights.subjective").RANCOM

    R = RNG.integers(1, 5, size=(3, 2, 5))
    want = np.array([[RANCOM(ranking=R[a, b])() for b in range(2)] for a in range(3)])
    np.testing.assert_allclose(Wg.rancom_table(ranking=R).weights, want, rtol=0, atol=1e-12)
    # the registry form broadcasts one ranking over the leading axes of the data
    w = Wg.rancom(X, ranking=[1, 2, 4, 3, 5])
    assert w.shape == (3, 2, 5)
    np.testing.assert_allclose(w[2, 1], RANCOM(ranking=[1, 2, 4, 3, 5])(), atol=1e-15)


# ---------------------------------------------------------------------------------------------
# variants, missing values, bad input


def test_angle_pyrepo_variant_inverts_cost_criteria():
    """pyrepo angle_weighting sum-normalises cost criteria as (1/x)/Σ(1/x); pymcdm ignores types."""
    x = X[0, 0]
    flipped = np.where(TYPES > 0, x, 1.0 / x)
    np.testing.assert_allclose(Wg.angle(x, TYPES, variant="pyrepo"), Wg.angle(flipped), atol=1e-15)
    assert not np.allclose(Wg.angle(x, TYPES, variant="pyrepo"), Wg.angle(x, TYPES))
    np.testing.assert_allclose(Wg.angle(x, TYPES), Wg.angle(x), atol=0)  # pymcdm: direction unused


def test_variance_ddof_cancels_on_complete_data():
    """pymcdm variance_weights (ddof 1) = pyrepo stat_var_weighting (ddof 0) when no value is missing."""
    np.testing.assert_allclose(Wg.variance(X, ddof=0), Wg.variance(X, ddof=1), atol=1e-15)


@pytest.mark.parametrize("name", ["merec", "gini", "cilos", "idocriw", "angle", "lopcow", "variance", "std"])
def test_missing_unit_is_left_out(name):
    """A unit that is missing entirely gives the weights of the data without it; one missing cell does not
    make the weights of the batch NaN."""
    f = Wg.WEIGHTINGS[name].func
    x = X[1, 0]
    with_gap = np.vstack([x[:3], np.full((1, 5), np.nan), x[3:]])
    np.testing.assert_allclose(f(with_gap, TYPES), f(x, TYPES), atol=1e-13)
    one = X.copy()
    one[0, 0, 2, 1] = np.nan
    w = f(one, TYPES)
    assert np.all(np.isfinite(w))
    np.testing.assert_allclose(w.sum(-1), 1.0, atol=1e-12)
    np.testing.assert_allclose(w[1:], f(X[1:], TYPES), atol=1e-15)  # other slices untouched


def test_merec_unit_with_a_missing_cell_has_no_performance():
    x = X[0, 0].copy()
    x[4, 2] = np.nan
    t = Wg.merec_table(x, TYPES)
    assert np.isnan(t.performance[4]) and np.all(np.isfinite(np.delete(t.performance, 4)))


def test_constant_column_gets_weight_zero():
    x = X[0, 0].copy()
    x[:, 3] = 7.0
    with pytest.warns(EngineWarning, match="lopcow"):
        w = Wg.lopcow(x, TYPES)
    assert w[3] == 0 and abs(w.sum() - 1) < 1e-12
    assert Wg.variance(x)[3] == 0 and Wg.gini(x)[3] == 0 and Wg.angle(x)[3] == 0


def test_bad_input_raises_value_error():
    with pytest.raises(ValueError, match="direction has 3 entries"):
        Wg.merec(X, [1, -1, 1])
    with pytest.raises(ValueError, match="strictly positive"):
        Wg.merec(np.array([[1.0, 2.0], [0.0, 3.0]]), 1)
    with pytest.raises(ValueError, match="variant"):
        Wg.angle(X, 1, variant="scikit")
    with pytest.raises(ValueError, match="exactly one"):
        Wg.rancom(X)
    with pytest.raises(ValueError, match="M_ij \\+ M_ji = 1"):
        Wg.rancom(matrix=[[0.5, 1.0], [1.0, 0.5]])
    with pytest.raises(ValueError, match="ranking has 3 criteria, the data has 5"):
        Wg.rancom(X, ranking=[1, 2, 3])


def test_registry_entries():
    """Every WEIGHTINGS entry: func(x, direction, **options) → weights [..., n] summing to 1, Chinese label,
    options recorded, reference given."""
    for name, m in Wg.WEIGHTINGS.items():
        assert m.name == name and m.label_zh and m.reference
        opts = dict(m.options)
        if name == "rancom":
            opts["ranking"] = [2, 1, 3, 3, 5]
        w = m.func(X, TYPES, **opts)
        assert w.shape == (3, 2, 5), name
        np.testing.assert_allclose(w.sum(-1), 1.0, atol=1e-12, err_msg=name)
