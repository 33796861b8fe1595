"""Every verb broadcasts over leading axes: a [samples, years, units, indicators] batch gives the same
result as looping over samples and years (the loop lives only in this test)."""

import numpy as np

from xianping.engine import aggregate as A
from xianping.engine import impute as I
from xianping.engine import normalise as N
from xianping.engine import rank as R
from xianping.engine import treat_outliers as T
from xianping.engine import weights as W

S, Y, M, K = 3, 4, 25, 5
DIRS = [1, -1, 1, 1, -1]


def batch():
    rng = np.random.default_rng(42)
    x = rng.lognormal(size=(S, Y, M, K))
    x[0, 1, 3, 2] = np.nan
    return x


def looped(f, x):
    return np.stack([np.stack([f(x[s, y]) for y in range(Y)]) for s in range(S)])


def check(f, x, **kw):
    np.testing.assert_allclose(f(x), looped(f, x), rtol=1e-12, atol=1e-12, equal_nan=True, **kw)


def test_normalisers_broadcast():
    x = batch()
    for f in (
        lambda a: N.min_max(a, DIRS, 1, 100),
        lambda a: N.z_score(a, DIRS),
        lambda a: N.rank_score(a, DIRS),
        lambda a: N.percentile_rank(a, DIRS),
        lambda a: N.vector(a),
        lambda a: N.max_ratio(a, DIRS),
        lambda a: N.moderate(a, 1.0),
        lambda a: N.interval_optimal(a, 0.8, 1.2),
        lambda a: N.distance_to_target(a, 3.0),
        lambda a: N.goalposts(a, 0, 5, DIRS),
    ):
        check(f, x)


def test_weights_broadcast():
    x = batch()
    z = np.nan_to_num(N.min_max(x, DIRS), nan=0.5)
    for f in (
        lambda a: W.entropy(a),
        lambda a: W.entropy(a, "epsilon_rescale"),
        lambda a: W.entropy(a, "spssau_shift"),
        lambda a: W.critic(a),
        lambda a: W.critic(a, "absolute", "entropy"),
        lambda a: W.coefficient_of_variation(a + 1),
        lambda a: W.standard_deviation(a),
        lambda a: W.pca(a),
    ):
        check(f, z)


def test_aggregators_and_rank_broadcast():
    x = batch()
    z = N.min_max(x, DIRS, 1, 100)
    w = np.array([0.1, 0.2, 0.3, 0.2, 0.2])
    zf = np.nan_to_num(z, nan=50.0)
    for f in (
        lambda a: A.weighted_arithmetic(a, w),
        lambda a: A.weighted_arithmetic(a, w, nan="renormalise"),
        lambda a: A.geometric(a, w, nan="renormalise"),
        lambda a: A.harmonic(a, w),
        lambda a: A.generalised_mean(a, w, p=3),
        lambda a: A.aggregate_groups(a, np.array([0, 0, 1, 1, 2]), w),
        lambda a: R.rank(A.weighted_arithmetic(a, w)),
        lambda a: R.quantile_classes(A.weighted_arithmetic(a, w), 4),
        lambda a: R.top_n(A.weighted_arithmetic(a, w), 5),
    ):
        check(f, z)
    for f in (
        lambda a: A.topsis(a, w, DIRS, "vector").closeness,
        lambda a: A.topsis(a, w, DIRS, "min_max", "inside_distance").d_plus,
        lambda a: A.grey_relational(a / 100, w).degree,
        lambda a: A.grey_topsis(a, w, DIRS),
    ):
        check(f, zf)
    # weights that vary by sample/year broadcast too
    wb = np.random.default_rng(0).random((S, Y, K))
    got = A.weighted_arithmetic(zf, wb)
    want = np.stack([np.stack([A.weighted_arithmetic(zf[s, y], wb[s, y]) for y in range(Y)]) for s in range(S)])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_treat_and_impute_broadcast():
    x = batch()
    check(lambda a: T.coinr_treat(a).x, x)
    check(lambda a: T.coinr_treat(a).flags, x)
    check(lambda a: I.impute(a, "mean").x, x)
    check(lambda a: I.impute(a, "group_median", groups=np.arange(M) % 3).x, x)
    # time methods act along the years axis: compare with a loop over samples only
    got = I.impute(x, "linear").x
    want = np.stack([I.impute(x[s], "linear").x for s in range(S)])
    np.testing.assert_allclose(got, want, equal_nan=True)


def test_ahp_and_combine_broadcast():
    rng = np.random.default_rng(5)
    w = rng.random((S, 4)) + 0.1
    A_ = w[:, :, None] / w[:, None, :]
    A_ = A_ * np.exp(0.05 * (rng.random((S, 4, 4)) - 0.5))
    A_ = np.sqrt(A_ / np.swapaxes(A_, -1, -2))  # keep reciprocal
    res = W.ahp(A_)
    for s in range(S):
        np.testing.assert_allclose(res.weights[s], W.ahp(A_[s]).weights, rtol=1e-12)
        np.testing.assert_allclose(res.cr[s], W.ahp(A_[s]).cr, rtol=1e-10)
    ws = rng.random((2, S, 6))
    for method in ("linear", "multiplicative", "geometric", "game_theory"):
        got = W.combine(ws, method)
        for s in range(S):
            np.testing.assert_allclose(got[s], W.combine(ws[:, s], method), rtol=1e-12)
