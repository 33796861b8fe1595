"""rank_within: 省内/市内/同类 ranks of many groups and cross-sections at once, equal to ranking each group alone."""

from __future__ import annotations

import numpy as np
import pytest

from xianping.engine import rank as R


def test_small_case_by_hand():
    s = np.array([90.0, 80.0, 85.0, np.nan, 70.0, 85.0])
    g = np.array(["41", "41", "42", "42", "41", "42"])
    r, n = R.rank_within(s, g)
    # 41: 90 → 1, 80 → 2, 70 → 3; 42: 85, 85 tie at 1 ("min"), the NaN unranked
    np.testing.assert_array_equal(r, [1, 2, 1, np.nan, 3, 1])
    np.testing.assert_array_equal(n, [3, 3, 2, 2, 3, 2])
    np.testing.assert_array_equal(R.rank_within(s, g, ties="max")[0], [1, 2, 2, np.nan, 3, 2])
    np.testing.assert_array_equal(R.rank_within(s, g, higher_is_better=False)[0], [3, 2, 1, np.nan, 1, 1])


@pytest.mark.parametrize("ties", R.TIES)
def test_equals_ranking_each_group_alone(ties):
    rng = np.random.default_rng(7)
    for _ in range(100):
        m = int(rng.integers(1, 40))
        s = rng.integers(0, 6, size=(2, 3, m)).astype(float)  # many ties
        s[rng.random(s.shape) < 0.2] = np.nan
        g = rng.integers(0, 5, size=m)
        r, n = R.rank_within(s, g, ties=ties)
        for k in np.unique(g):
            alone = R.rank(np.where(g == k, s, np.nan), ties=ties)
            np.testing.assert_array_equal(r[..., g == k], alone[..., g == k])
            np.testing.assert_array_equal(n[..., g == k], np.broadcast_to(
                (~np.isnan(s[..., g == k])).sum(-1, keepdims=True), n[..., g == k].shape))


def test_one_group_is_the_plain_rank():
    s = np.random.default_rng(3).normal(size=(4, 50))
    np.testing.assert_array_equal(R.rank_within(s, np.zeros(50))[0], R.rank(s))


def test_groups_must_match_units():
    with pytest.raises(ValueError, match="3 entries for 4 units"):
        R.rank_within(np.ones(4), [1, 2, 3])
