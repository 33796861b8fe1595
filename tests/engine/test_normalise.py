"""Normalisation against COINr, pymcdm and hand-calculable oracles, plus anchors and mixed directions."""

import numpy as np
import pytest

from xianping.engine import normalise as N

from .oracle_io import load_json, num, read_csv


def _coinr_smallvec():
    h, rows = read_csv("coinr_asem/outputs/normfuncs_smallvec.csv")
    return {k: np.array([num(r[i]) for r in rows]) for i, k in enumerate(h)}


def test_coinr_normfuncs_smallvec():
    """Source: COINr v1.1.14 normalisation functions on x = (1, 3, 7, 2, 10, NA, 4) (make_oracles.R)."""
    o = _coinr_smallvec()
    x = o["x"][:, None]
    close = lambda a, b: np.testing.assert_allclose(a[:, 0], b, atol=1e-12, equal_nan=True)  # noqa: E731
    close(N.min_max(x, 1, 0, 100), o["minmax"])
    close(N.z_score(x), o["zscore"])
    close(N.rank_score(x), o["rank"])
    close(N.percentile_rank(x), o["prank"])
    close(N.borda(x), o["borda"])
    close(N.max_ratio(x), o["fracmax"])
    close(N.min_max(x), o["dist2max"])
    close(N.distance_to_reference(x, 1), o["dist2ref"])
    close(N.distance_to_target(x, 8), o["dist2targ"])
    close(N.goalposts(x, 2, 8, scale=100), o["goalposts"])


def test_pymcdm_normalisations():
    """Source: pymcdm test_normalizations (minmax, vector with cost = 1 − x/‖x‖), 8 d.p."""
    cases = {c["test"]: c for c in load_json("mcda/pymcdm_test_oracles.json")["cases"]}
    c = cases["test_normalizations.TestMinmaxNormalization.test_output"]
    got = N.min_max(c["locals"]["matrix"], c["locals"]["types"])
    np.testing.assert_allclose(got.ravel(), c["expected"], atol=5e-9)
    c = cases["test_normalizations.TestVectorNormalization.test_output"]
    got = N.vector(c["locals"]["matrix"], c["locals"]["types"], cost="one_minus")
    np.testing.assert_allclose(got.ravel(), c["expected"], atol=5e-9)


def test_hand_calculable_negative_values_and_constant():
    """Source: Changkio/critic-entropy-weight normalize_negative_values (constant column → 0)."""
    c = load_json("hand_calculable/expected.json")["normalize_negative_values"]
    R = np.array(list(c["raw"].values()), float).T
    got = N.min_max(R, [1, -1, 1], constant="lo")
    np.testing.assert_allclose(got, np.array(list(c["expected"].values())).T)
    assert np.all(np.isnan(N.min_max(R, [1, -1, 1])[:, 2]))  # default policy keeps 0/0 visible
    with pytest.raises(ValueError):
        N.min_max(R, [1, -1, 1], constant="raise")


def test_min_max_to_1_100_and_nan_propagates():
    x = np.array([[1.0, 5.0], [np.nan, 3.0], [3.0, 1.0]])
    z = N.min_max(x, [1, -1], lo=1, hi=100)
    np.testing.assert_allclose(z[[0, 2], 0], [1, 100])
    assert np.isnan(z[1, 0])
    np.testing.assert_allclose(z[:, 1], [1, 50.5, 100])


def test_anchors_freeze_earlier_years():
    """Adding a year must not rewrite earlier scores when the anchors are frozen from the base year."""
    rng = np.random.default_rng(1)
    panel = rng.random((3, 20, 4))  # [years, units, indicators]
    anchors = N.range_anchors(panel[0])
    z_before = N.min_max(panel[:2], anchors=anchors)
    extended = np.concatenate([panel, rng.random((1, 20, 4)) * 5], axis=0)
    z_after = N.min_max(extended, anchors=anchors)
    np.testing.assert_array_equal(z_before, z_after[:2])
    assert np.nanmax(z_after[3]) > 1  # beyond the base-year goalposts unless clipped
    assert np.nanmax(N.min_max(extended, anchors=anchors, clip=True)) <= 1
    # pooled (面板) anchors over years and units
    lo, hi = N.range_anchors(panel, axis=(0, 1))
    zp = N.min_max(panel, anchors=(lo, hi))
    assert zp.min() == 0 and zp.max() == 1
    # per-year default differs from pooled
    assert not np.allclose(N.min_max(panel), zp)
    mu, sd = N.moment_anchors(panel[0])
    np.testing.assert_allclose(N.z_score(panel, anchors=(mu, sd))[0], N.z_score(panel[0]))


def test_moderate_and_interval():
    """Formulas of methods_formulas.md §0 on hand-computed values."""
    x = np.array([[1.0], [4.0], [5.0], [9.0]])
    np.testing.assert_allclose(N.moderate(x, 5.0)[:, 0], [0.0, 0.75, 1.0, 0.0])
    # [a, b] = [4, 6]; M = max(4-1, 9-6) = 3
    np.testing.assert_allclose(N.interval_optimal(x, 4, 6)[:, 0], [0.0, 1.0, 1.0, 0.0])
    x2 = np.array([[2.0], [4.0], [7.0], [8.0]])  # M = max(4-2, 8-6) = 2
    np.testing.assert_allclose(N.interval_optimal(x2, 4, 6)[:, 0], [0.0, 1.0, 0.5, 0.0])


def test_dispatcher_mixed_directions():
    x = np.array([[1.0, 10.0, 1.0, 2.0], [2.0, 20.0, 4.0, 4.0], [3.0, 30.0, 5.0, 8.0]])
    z = N.normalise(x, "min_max", direction=[1, -1, "moderate", "interval"], optimum=[0, 0, 4, 0],
                    interval=[(0, 0), (0, 0), (0, 0), (3, 5)], lo=0, hi=100)
    np.testing.assert_allclose(z[:, 0], [0, 50, 100])
    np.testing.assert_allclose(z[:, 1], [100, 50, 0])
    np.testing.assert_allclose(z[:, 2], [0, 100, 100 * (1 - 1 / 3)])
    np.testing.assert_allclose(z[:, 3], [100 * (1 - 1 / 3), 100, 0])
    with pytest.raises(ValueError):
        N.normalise(x, "nonsense")


def test_goalposts_cost_and_sum_ratio():
    x = np.array([[0.0], [5.0], [12.0]])
    np.testing.assert_allclose(N.goalposts(x, 0, 10, direction=-1)[:, 0], [1.0, 0.5, 0.0])
    np.testing.assert_allclose(N.sum_ratio(np.array([[1.0], [3.0]]))[:, 0], [0.25, 0.75])
    np.testing.assert_allclose(N.max_ratio(np.array([[1.0], [4.0]]), -1, cost="min_over_x")[:, 0], [1.0, 0.25])


def test_mean_ratio_by_hand():
    """均值化 x/mean by hand: column means 2 and 4."""
    from xianping.engine.normalise import mean_ratio

    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    np.testing.assert_allclose(mean_ratio(x, [1, -1]), [[0.5, 4 / 2], [1.5, 4 / 6]])
    np.testing.assert_allclose(mean_ratio(x, [1, -1], cost="reflect"), [[0.5, 1.5], [1.5, 0.5]])
    with pytest.raises(ValueError, match="positive mean"):
        mean_ratio(np.array([[1.0, 0.0], [-1.0, 0.0]]))


def test_initial_value_by_hand():
    """初值化 x_t / x_t0 along the years axis, per unit and indicator."""
    from xianping.engine.normalise import initial_value

    x = np.array([[[2.0, 10.0]], [[3.0, 5.0]], [[4.0, 20.0]]])  # 3 years, 1 unit, 2 indicators
    np.testing.assert_allclose(initial_value(x, [1, -1]), [[[1.0, 1.0]], [[1.5, 2.0]], [[2.0, 0.5]]])
    with pytest.raises(ValueError, match="first-year"):
        initial_value(np.array([[[0.0]], [[1.0]]]))
    with pytest.raises(ValueError):
        initial_value(np.array([[1.0, 2.0]]))  # no years axis


def test_dispatcher_goalposts_and_target_take_direction_by_keyword():
    """normalise(…, "goalposts"/"distance_to_target") with mixed directions equals the verbs called directly
    (the dispatcher once passed the directions where `lower` belongs)."""
    x = np.array([[1.0, 50.0], [3.0, 20.0], [5.0, 80.0]])
    lower, upper = np.array([0.0, 0.0]), np.array([4.0, 100.0])
    got = N.normalise(x, "goalposts", [1, -1], lower=lower, upper=upper)
    np.testing.assert_allclose(got, N.goalposts(x, lower, upper, direction=[1, -1]))
    np.testing.assert_allclose(got[:, 0], [0.25, 0.75, 1.0])  # capped at the upper goalpost
    np.testing.assert_allclose(got[:, 1], [0.5, 0.8, 0.2])  # negative: (upper − x)/(upper − lower)
    tg = np.array([4.0, 20.0])
    np.testing.assert_allclose(N.normalise(x, "distance_to_target", [1, -1], target=tg),
                               N.distance_to_target(x, tg, direction=[1, -1]))
