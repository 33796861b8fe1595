"""Sobol estimators against analytic indices: Ishigami (a = 7, b = 0.1) and the Sobol G function.

Analytic values: Ishigami & Homma (1990); Saltelli et al., Global Sensitivity Analysis: The Primer (2008)
§4.9 (V, V1, V2, V13 of Ishigami; G function V_i = 1 / (3 (1 + a_i)²)); SALib's test suite uses the same.
"""

from __future__ import annotations

import numpy as np
import pytest

from xianping.robust.sample import random_design, saltelli_design
from xianping.robust.sensitivity import bootstrap, sobol_indices, split


def ishigami(u, a=7.0, b=0.1):
    x = -np.pi + 2 * np.pi * u
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_exact(a=7.0, b=0.1):
    V = a**2 / 8 + b * np.pi**4 / 5 + b**2 * np.pi**8 / 18 + 0.5
    V1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    V2 = a**2 / 8
    V13 = 8 * b**2 * np.pi**8 / 225
    return np.array([V1, V2, 0.0]) / V, np.array([V1 + V13, V2, V13]) / V


def g_function(u, a):
    return np.prod((np.abs(4 * u - 2) + a) / (1 + a), axis=1)


def g_exact(a):
    Vi = 1 / (3 * (1 + a) ** 2)
    V = np.prod(1 + Vi) - 1
    return Vi / V, Vi * np.array([np.prod(np.delete(1 + Vi, i)) for i in range(len(a))]) / V


@pytest.mark.parametrize("estimator", ["saltelli2010", "jansen"])
def test_ishigami(estimator):
    n, k = 2**14, 3
    d = saltelli_design(n, [1] * k, seed=1)
    fA, fB, fAB = split(ishigami(d.u), n, k)
    r = sobol_indices(fA, fB, fAB, estimator)
    S1, ST = ishigami_exact()
    np.testing.assert_allclose(r.S1, S1, atol=0.02)
    np.testing.assert_allclose(r.ST, ST, atol=0.02)


@pytest.mark.parametrize("estimator", ["saltelli2010", "jansen"])
def test_sobol_g(estimator):
    a = np.array([0, 1, 4.5, 9, 99, 99, 99, 99], dtype=float)
    n, k = 2**14, len(a)
    d = saltelli_design(n, [1] * k, seed=2)
    fA, fB, fAB = split(g_function(d.u, a), n, k)
    r = sobol_indices(fA, fB, fAB, estimator)
    S1, ST = g_exact(a)
    np.testing.assert_allclose(r.S1, S1, atol=0.02)
    np.testing.assert_allclose(r.ST, ST, atol=0.02)


def test_groups_of_coordinates():
    """An input owning several coordinates (a block): Ishigami with x1 and x3 as one input has
    S = ST = (V1 + V13) / V for the block (it holds their interaction), and x2 alone V2 / V."""
    n = 2**14
    d = saltelli_design(n, [2, 1], seed=3)
    u = d.u[:, [0, 2, 1]]  # block 0 = (x1, x3), block 1 = x2
    fA, fB, fAB = split(ishigami(u), n, 2)
    r = sobol_indices(fA, fB, fAB)
    S1, ST = ishigami_exact()
    np.testing.assert_allclose(r.S1, [ST[0], S1[1]], atol=0.02)
    np.testing.assert_allclose(r.ST, [ST[0], ST[1]], atol=0.02)


def test_bootstrap_interval_covers_truth_and_vectorised_outputs():
    n, k = 2**12, 3
    d = saltelli_design(n, [1] * k, seed=4)
    y = ishigami(d.u)
    fA, fB, fAB = split(np.stack([y, 2 * y], axis=-1), n, k)  # two outputs at once (as per county)
    r = sobol_indices(fA, fB, fAB)
    np.testing.assert_allclose(r.S1[:, 0], r.S1[:, 1], atol=1e-12)  # indices are scale free (Saltelli 2010 S1 is not shift free)
    ci = bootstrap(fA[:, 0], fB[:, 0], fAB[:, :, 0], resamples=200, seed=0)
    S1, ST = ishigami_exact()
    assert np.all(ci["ST"][0] - 0.02 <= ST) and np.all(ST <= ci["ST"][1] + 0.02)
    assert ci["S1"].shape == (2, 3)


def test_designs_are_seeded():
    a, b = saltelli_design(64, [2, 1], seed=7), saltelli_design(64, [2, 1], seed=7)
    assert np.array_equal(a.u, b.u) and a.u.shape == (64 * 4, 3)
    assert not np.array_equal(a.u, saltelli_design(64, [2, 1], seed=8).u)
    assert np.array_equal(random_design(10, [3], 5).u, random_design(10, [3], 5).u)
