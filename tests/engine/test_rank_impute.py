"""Ranks, tiers and imputation along the years axis (hand-computed expectations)."""

import csv
from pathlib import Path

import numpy as np
import pytest

from xianping.engine import impute as I
from xianping.engine import rank as R


def test_rank_ties_and_nan():
    s = np.array([3.0, 5.0, 5.0, np.nan, 1.0, 5.0])
    np.testing.assert_array_equal(R.rank(s, "min"), [4, 1, 1, np.nan, 5, 1])
    np.testing.assert_array_equal(R.rank(s, "dense"), [2, 1, 1, np.nan, 3, 1])
    np.testing.assert_array_equal(R.rank(s, "average"), [4, 2, 2, np.nan, 5, 2])
    np.testing.assert_array_equal(R.rank(s, "first"), [4, 1, 2, np.nan, 5, 3])
    np.testing.assert_array_equal(R.rank(s, "max"), [4, 3, 3, np.nan, 5, 3])
    np.testing.assert_array_equal(R.rank(s, "min", higher_is_better=False), [2, 3, 3, np.nan, 1, 3])
    np.testing.assert_array_equal(R.rank([0.1 + 0.2, 0.3], decimals=12), [1, 1])
    with pytest.raises(ValueError):
        R.rank(s, "olympic")


def test_top_n_quantiles_cutoffs_change():
    s = np.arange(100.0)
    top = R.top_n(s, 30)
    assert top.sum() == 30 and top[-30:].all()
    q = R.quantile_classes(s, 4)
    assert (q[-25:] == 1).all() and (q[:25] == 4).all()
    q0 = R.quantile_classes(np.array([1.0, np.nan, 3.0, 2.0, 4.0]), 2, best_first=False)
    np.testing.assert_array_equal(q0, [0, -1, 1, 0, 1])
    grades = R.fixed_cutoffs(np.array([0.05, 0.1, 0.55, 0.95, np.nan]), np.arange(1, 10) / 10)
    np.testing.assert_array_equal(grades, [0, 1, 5, 9, -1])
    np.testing.assert_array_equal(R.fixed_cutoffs(np.array([0.1]), [0.1], closed="right"), [0])
    np.testing.assert_array_equal(R.rank_change(np.array([3.0, 1.0, np.nan]), np.array([5.0, 1.0, 2.0])), [2, 0, np.nan])


def test_natural_breaks_exact():
    v = np.array([1, 2, 3, 10, 11, 12, 30, 31, np.nan], float)
    breaks, cls = R.natural_breaks(v, 3)
    np.testing.assert_array_equal(breaks, [3, 12, 31])
    np.testing.assert_array_equal(cls, [0, 0, 0, 1, 1, 1, 2, 2, -1])
    # brute force on a random sample: the DP optimum is the true minimum of within-class SSD
    rng = np.random.default_rng(3)
    x = np.sort(rng.random(12))
    b, c = R.natural_breaks(x, 3)

    def ssd(cl):
        return sum(((x[cl == k] - x[cl == k].mean()) ** 2).sum() for k in range(3))

    best = min(
        ssd(np.array([0] * i + [1] * (j - i) + [2] * (12 - j)))
        for i in range(1, 11) for j in range(i + 1, 12)
    )
    assert abs(ssd(c) - best) < 1e-12


def test_impute_time_methods():
    # [years, units, indicators] = [5, 2, 1]
    x = np.array([[[np.nan], [1.0]], [[2.0], [np.nan]], [[np.nan], [np.nan]], [[8.0], [4.0]], [[np.nan], [np.nan]]])
    r = I.impute(x, "linear")
    np.testing.assert_allclose(r.x[:, 0, 0], [np.nan, 2, 5, 8, np.nan])
    np.testing.assert_allclose(r.x[:, 1, 0], [1, 2, 3, 4, np.nan])
    assert r.imputed[:, 0, 0].tolist() == [False, False, True, False, False]
    r = I.impute(x, "linear", times=[2015, 2016, 2018, 2019, 2020])  # unequal spacing
    np.testing.assert_allclose(r.x[2, 0, 0], 2 + 6 * 2 / 3)
    np.testing.assert_allclose(I.impute(x, "ffill").x[:, 0, 0], [np.nan, 2, 2, 8, 8])
    np.testing.assert_allclose(I.impute(x, "bfill").x[:, 0, 0], [2, 2, 8, 8, np.nan])
    np.testing.assert_allclose(I.impute(x, "ffill_bfill").x[:, 0, 0], [2, 2, 2, 8, 8])
    r = I.impute(x, "none")
    assert not r.imputed.any() and np.isnan(r.x).sum() == np.isnan(x).sum()


def test_impute_cross_section():
    x = np.array([[1.0, np.nan], [3.0, 4.0], [np.nan, 8.0], [10.0, np.nan]])
    g = np.array([0, 0, 1, 1])
    np.testing.assert_allclose(I.impute(x, "mean").x[:, 1], [6, 4, 8, 6])
    np.testing.assert_allclose(I.impute(x, "median").x[2, 0], 3.0)
    r = I.impute(x, "group_mean", groups=g)
    np.testing.assert_allclose(r.x, [[1, 4], [3, 4], [10, 8], [10, 8]])
    assert r.imputed.sum() == 3
    with pytest.raises(ValueError):
        I.impute(x, "group_mean")


def test_natural_breaks_equal_mapclassify_fisher_jenks():
    """Oracle: mapclassify.FisherJenks (PySAL; exact Fisher–Jenks optimal classification) on real-looking
    data — columns I01 and I08 of the first 300 units of ../shared/bench/bench_2800x40.csv (lognormal,
    skewed), copied to oracles/bench_2800x40_I01_I08_first300.csv. Same breaks and same classes."""
    mapclassify = pytest.importorskip("mapclassify")
    path = Path(__file__).parent / "oracles" / "bench_2800x40_I01_I08_first300.csv"
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for col in ("I01", "I08"):
        x = np.array([float(r[col]) for r in rows])
        for k in (3, 5, 7):
            breaks, classes = R.natural_breaks(x, k)
            fj = mapclassify.FisherJenks(x, k=k)
            np.testing.assert_allclose(breaks, fj.bins, rtol=1e-12, atol=0)
            np.testing.assert_array_equal(classes, fj.yb)


def test_natural_breaks_batch_equals_one_by_one_and_brute_force():
    """The divide-and-conquer batch gives the exact optimum: equal to exhaustive search on small cross-sections
    (every 3-class split of 11 values) and to the one-at-a-time call on cross-sections with NaN of their own."""
    from itertools import combinations

    rng = np.random.default_rng(11)
    X = rng.lognormal(size=(3, 4, 11))
    X[0, 1, 3] = np.nan
    X[2, 0, [0, 5]] = np.nan
    breaks, classes = R.natural_breaks_batch(X, 3)
    for idx in np.ndindex(3, 4):
        b1, c1 = R.natural_breaks(X[idx], 3)
        np.testing.assert_array_equal(breaks[idx], b1)
        np.testing.assert_array_equal(classes[idx], c1)
        v = np.sort(X[idx][~np.isnan(X[idx])])
        n = v.size

        def cost(cuts):
            parts = np.split(v, cuts)
            return sum(((p - p.mean()) ** 2).sum() for p in parts)

        best = min(cost(list(c)) for c in combinations(range(1, n), 2))
        got = cost([int(np.sum(v <= b)) for b in breaks[idx][:-1]])
        assert abs(got - best) < 1e-12
    with pytest.raises(ValueError, match="distinct"):
        R.natural_breaks_batch(np.array([[1.0, 1.0, 2.0]]), 3)
