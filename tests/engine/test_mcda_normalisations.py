"""The pymcdm/pyrepo normalisations (engine.mcda.normalisations) against the pymcdm unit-test oracles.

Source (tests/engine/oracles/mcda/README.md): pymcdm @76e7735 tests/test_normalizations.py, captured at run
time with their inputs. Upstream rounds every value to 8 d.p. (`round(val, 8)`; TestZTNormalization2: 1 d.p.,
Jahan & Edwards 2015) and compares lists exactly; TestNormalizeMatrix compares unrounded values exactly.
pyrepo-mcda @b3ac297 has no normalisation tests (its linear/minmax/max/sum/vector formulas are pymcdm's).
"""

import numpy as np
import pytest

from xianping.engine.mcda import normalisations as Nm

from . import test_normalise
from .oracle_io import load_json

PM = {c["test"]: c for c in load_json("mcda/pymcdm_test_oracles.json")["cases"]}

# case → (our method name, digits of the upstream rounding; None = exact)
HERE = {
    "test_normalizations.TestEANormalization.test_output": ("enhanced_accuracy", 8),
    "test_normalizations.TestLinearNormalization.test_output": ("linear", 8),
    "test_normalizations.TestLogarithmicNormalization.test_output": ("logarithmic", 8),
    "test_normalizations.TestNonlinearNormalization.test_output": ("nonlinear", 8),
    "test_normalizations.TestZTNormalization.test_output": ("zavadskas_turskis", 8),
    "test_normalizations.TestZTNormalization2.test_output": ("zavadskas_turskis", 1),
    "test_normalizations.TestMaxNormalization.test_output": ("max", 8),
    "test_normalizations.TestSumNormalization.test_output": ("sum", 8),
}
# TestNormalizeMatrix: matrix and methods are set in setUp (not captured in `locals`), restated here from
# the upstream test: [[10, 3], [4, 2], [6, 5]], types [1, 1]; output is column-major (.T.reshape(-1))
NORMALIZE_MATRIX = {
    "test_normalizations.TestNormalizeMatrix.test_correct_data1": "max",
    "test_normalizations.TestNormalizeMatrix.test_correct_data2": ["max", "sum"],
}
ELSEWHERE = {  # checked by tests/engine/test_normalise.py with the existing normalise functions
    "test_normalizations.TestMinmaxNormalization.test_output": "test_pymcdm_normalisations",
    "test_normalizations.TestVectorNormalization.test_output": "test_pymcdm_normalisations",
}


def test_every_normalisation_case_is_covered():
    """Every case of pymcdm @76e7735 test_normalizations.py is checked here or in test_normalise.py."""
    in_json = {t for t in PM if t.startswith("test_normalizations.")}
    assert in_json == set(HERE) | set(NORMALIZE_MATRIX) | set(ELSEWHERE)
    for fn in ELSEWHERE.values():
        assert callable(getattr(test_normalise, fn))


@pytest.mark.parametrize("test", sorted(HERE))
def test_normalisation_oracle(test):
    """Source: the pymcdm @76e7735 test named by `test`, values rounded as upstream, then compared exactly.
    The method is applied both directly and through normalize_matrix (pymcdm's `arg` loop does both)."""
    c = PM[test]
    name, digits = HERE[test]
    x, types = c["locals"]["matrix"], c["locals"]["types"]
    for got in (Nm.NORMALISATIONS[name][0](x, types), Nm.normalize_matrix(x, f"{name}_normalization", types)):
        assert [round(float(v), digits) for v in got.reshape(-1)] == c["expected"]


@pytest.mark.parametrize("test", sorted(NORMALIZE_MATRIX))
def test_normalize_matrix_oracle(test):
    """Source: pymcdm @76e7735 TestNormalizeMatrix (one method for all columns / one method per column),
    unrounded values compared exactly as upstream."""
    got = Nm.normalize_matrix(np.array([[10, 3], [4, 2], [6, 5]]), NORMALIZE_MATRIX[test], [1, 1])
    assert [float(v) for v in got.T.reshape(-1)] == PM[test]["expected"]


def test_matches_existing_engine_minmax_and_vector():
    """The pymcdm minmax/vector oracles (covered in test_normalise.py) hold for the names registered here."""
    for test in ELSEWHERE:
        c = PM[test]
        name = "minmax" if "Minmax" in test else "vector"
        got = Nm.normalize_matrix(c["locals"]["matrix"], name, c["locals"]["types"])
        assert [round(float(v), 8) for v in got.reshape(-1)] == c["expected"]


# ---------------------------------------------------------------------------------------------
# batched cross-check against pymcdm, slice by slice

RNG = np.random.default_rng(7)
X = RNG.uniform(1.0, 10.0, size=(3, 2, 8, 5))
TYPES = np.array([1, -1, 1, -1, 1])


@pytest.mark.parametrize("name", list(Nm.NORMALISATIONS))
def test_batched_matches_pymcdm_slice_by_slice(name):
    """Leading axes: x (3, 2, 8, 5) in one call vs pymcdm 1.4.0 helpers.normalize_matrix on each (8, 5) slice,
    tol 1e-10."""
    ph = pytest.importorskip("pymcdm.helpers")  # only the cross-checks need pymcdm, not the oracle tests
    want = np.array([[ph.normalize_matrix(X[a, b], name, TYPES) for b in range(2)] for a in range(3)])
    got = Nm.NORMALISATIONS[name][0](X, TYPES)
    assert got.shape == X.shape
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-10)


def test_normalize_matrix_per_column_methods_batched():
    ph = pytest.importorskip("pymcdm.helpers")
    methods = ["logarithmic", "max", "enhanced_accuracy", "linear", "logarithmic"]
    want = np.array([[ph.normalize_matrix(X[a, b], methods, TYPES) for b in range(2)] for a in range(3)])
    np.testing.assert_allclose(Nm.normalize_matrix(X, methods, TYPES), want, rtol=0, atol=1e-10)


def test_missing_cell_stays_missing_and_spares_the_column():
    """A NaN cell stays NaN; the other cells of its column use the statistics of the observed units."""
    x = X[0, 0].copy()
    x[3, 2] = np.nan
    for name, (f, label) in Nm.NORMALISATIONS.items():
        z = f(x, TYPES)
        assert np.isnan(z[3, 2]) and np.isfinite(np.delete(z, 3, axis=0)).all(), name
        np.testing.assert_allclose(np.delete(z, 3, axis=0)[:, 2], f(np.delete(x, 3, axis=0), TYPES)[:, 2],
                                   atol=1e-14, err_msg=name)
        assert label


def test_bad_input_raises_value_error():
    with pytest.raises(ValueError, match="unknown normalisation"):
        Nm.normalize_matrix(X, "softmax", 1)
    with pytest.raises(ValueError, match="one per column"):
        Nm.normalize_matrix(X, ["max", "sum"], 1)
    with pytest.raises(ValueError, match="direction has 2 entries"):
        Nm.logarithmic(X, [1, -1])
    with pytest.raises(ValueError, match="strictly positive"):
        Nm.logarithmic(np.array([[1.0, 2.0], [0.0, 3.0]]), 1)
    with pytest.raises(ValueError, match="zero"):
        Nm.linear(np.array([[1.0, 2.0], [0.0, 3.0]]), -1)
