"""Ranks and tiers (排名、方阵、分级) of composite scores.

Scores are shaped [..., units]; every function works along the last axis and broadcasts over the
leading (year, sample) axes. Higher score = rank 1 unless `higher_is_better=False`. NaN scores are
excluded from ranking and get rank NaN (class -1).

Variants (named, for the manifest):
- ties: "min" (sport/competition ranking 1,2,2,4; R `ties.method="min"`), "dense" (1,2,2,3),
  "average" (1,2.5,2.5,4; R default), "first" (order of appearance), "max" (1,3,3,4).
- classes: top-N, quantile classes, fixed cut-offs, natural breaks (Jenks, exact dynamic programme).
"""

from __future__ import annotations

import numpy as np

from ._common import check_variant, nan_guard

__all__ = [
    "TIES",
    "rank",
    "top_n",
    "quantile_classes",
    "fixed_cutoffs",
    "natural_breaks",
    "rank_change",
]

TIES = ("min", "dense", "average", "first", "max")


def rank(scores, ties: str = "min", higher_is_better: bool = True, axis: int = -1, decimals: int | None = None) -> np.ndarray:
    """Rank scores along `axis`; 1 = best.

    Formula: with the non-missing scores sorted best first, position k (1-based) in a run of equal
    scores spanning positions [a, b] gets: min → a, max → b, average → (a+b)/2, dense → number of
    distinct scores up to it, first → k. Source: R `base::rank` ties.method semantics (COINr and
    `get_results` use "min").

    `decimals` rounds scores before comparing, so that floating-point noise (1e-15) does not split a
    tie; None compares exactly. Returns floats (NaN where the score is NaN).
    """
    check_variant("ties", ties, TIES)
    s = np.moveaxis(np.asarray(scores, dtype=float), axis, -1)
    if decimals is not None:
        s = np.round(s, decimals)
    missing = np.isnan(s)
    key = -s if higher_is_better else s  # NaN stays NaN and argsort puts it last
    # the order among equal keys matters only for ties="first"; quicksort is twice as fast otherwise
    order = np.argsort(key, axis=-1, kind="stable" if ties == "first" else "quicksort")
    sk = np.take_along_axis(key, order, axis=-1)
    n = s.shape[-1]
    pos = np.broadcast_to(np.arange(1, n + 1, dtype=float), sk.shape)
    new = np.ones(sk.shape, dtype=bool)
    if n > 1:
        new[..., 1:] = sk[..., 1:] != sk[..., :-1]
    last = np.ones(sk.shape, dtype=bool)
    if n > 1:
        last[..., :-1] = new[..., 1:]
    if ties == "first" or new.all():  # no ties (the usual case for continuous scores): rank = position
        r = pos
    elif ties == "dense":
        r = np.cumsum(new, axis=-1).astype(float)
    else:
        rmin = np.maximum.accumulate(np.where(new, pos, 0.0), axis=-1)
        rmax = np.flip(np.minimum.accumulate(np.flip(np.where(last, pos, np.inf), -1), axis=-1), -1)
        r = {"min": rmin, "max": rmax, "average": (rmin + rmax) / 2.0}[ties]
    out = np.empty(sk.shape, dtype=float)
    np.put_along_axis(out, order, r, axis=-1)
    out[missing] = np.nan
    return np.moveaxis(out, -1, axis)


def top_n(scores, n: int = 30, ties: str = "min", higher_is_better: bool = True) -> np.ndarray:
    """Boolean mask of the top-N units (第一方阵 = top 30 by default) along the last axis.

    A unit is in when its rank (with `ties`, default "min") is ≤ n, so a tie on the boundary lets all
    tied units in (the group can exceed n). NaN scores are never in.
    """
    r = rank(scores, ties=ties, higher_is_better=higher_is_better)
    with nan_guard():
        return r <= n


def _classes_out(bins: np.ndarray, k: int, missing: np.ndarray, best_first: bool) -> np.ndarray:
    bins = bins.astype(np.int64)
    if best_first:
        bins = k - bins  # 1 = best class
    bins[missing] = -1
    return bins


def quantile_classes(scores, k: int = 4, probs=None, best_first: bool = True, higher_is_better: bool = True) -> np.ndarray:
    """Quantile classes along the last axis.

    Cut-offs q_1 < … < q_{k-1} are the sample quantiles (numpy "linear", = R type 7) at probs
    (default 1/k, 2/k, …) of the non-missing scores of each leading index. A score s falls in
    ascending bin b = #{q : s > q} (right-closed: s ≤ q belongs to the lower class, as mapclassify).
    Returns int classes: with best_first, 1 = best … k; otherwise 0 = lowest … k-1. Missing → -1.
    """
    s = np.asarray(scores, dtype=float)
    if probs is None:
        probs = np.arange(1, k) / k
    probs = np.asarray(probs, dtype=float)
    k = probs.size + 1
    missing = np.isnan(s)
    key = s if higher_is_better else -s
    with nan_guard():
        q = np.nanquantile(key, probs, axis=-1)  # [k-1, ...]
    q = np.moveaxis(q, 0, -1)  # [..., k-1]
    bins = (key[..., :, None] > q[..., None, :]).sum(-1)
    return _classes_out(bins, k, missing, best_first)


def fixed_cutoffs(scores, cuts, closed: str = "left", best_first: bool = False) -> np.ndarray:
    """Classes from fixed cut-offs c_1 < … < c_{k-1} (e.g. the ten-level 耦合协调 grades at 0.1 … 0.9).

    closed="left": bins [c_{b}, c_{b+1}) (a score equal to a cut-off goes up, as in the grade tables);
    closed="right": bins (c_b, c_{b+1}] (mapclassify/UserDefined convention).
    Returns 0 = lowest bin … k-1 (or 1 = highest … k with best_first). Missing → -1.
    """
    check_variant("closed", closed, ("left", "right"))
    s = np.asarray(scores, dtype=float)
    cuts = np.asarray(cuts, dtype=float)
    if np.any(np.diff(cuts) <= 0):
        raise ValueError("cuts must be strictly increasing")
    missing = np.isnan(s)
    with nan_guard():
        if closed == "left":
            bins = (s[..., None] >= cuts).sum(-1)
        else:
            bins = (s[..., None] > cuts).sum(-1)
    return _classes_out(bins, cuts.size + 1, missing, best_first)


def natural_breaks(values, k: int = 5):
    """Jenks natural breaks for a 1-D array: the partition of the sorted values into k contiguous
    classes that minimises the total within-class sum of squared deviations (exact).

    Method: dynamic programme over the sorted values with prefix sums,
    D_c(j) = min_i [D_{c-1}(i-1) + SSD(i..j)], vectorised over (i, j) as an n×n matrix per class,
    so O(k·n²) time and n² memory (n = 2,800 counties → 63 MB). Source: Jenks (1977), Fisher (1958)
    exact optimal grouping; mapclassify is not required. Class membership is right-closed
    (x ≤ break → lower class), as in mapclassify.

    Returns (breaks, classes): breaks = upper bound of each class (k values, the last = max);
    classes = 0-based ascending class of every value (-1 for NaN).
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise ValueError("natural_breaks works on one cross-section (1-D); call it per year")
    ok = ~np.isnan(x)
    v = np.sort(x[ok])
    n = v.size
    if n == 0:
        raise ValueError("no non-missing values")
    k = int(min(k, np.unique(v).size))
    cs = np.concatenate([[0.0], np.cumsum(v)])
    cs2 = np.concatenate([[0.0], np.cumsum(v * v)])
    i = np.arange(n)[:, None]  # segment start
    j = np.arange(n)[None, :]  # segment end (inclusive)
    cnt = (j - i + 1).astype(float)
    with nan_guard():
        seg_sum = cs[j + 1] - cs[i]
        ssd = cs2[j + 1] - cs2[i] - seg_sum * seg_sum / cnt
    ssd = np.where(j >= i, np.maximum(ssd, 0.0), np.inf)
    dp = ssd[0].copy()  # one class: segment 0..j
    back = np.zeros((k, n), dtype=np.int64)
    for c in range(1, k):
        prev = np.concatenate([[np.inf], dp[:-1]])  # D_{c-1}(i-1), i ≥ 1
        tot = prev[:, None] + ssd  # [i, j]
        back[c] = np.argmin(tot, axis=0)
        dp = tot[back[c], np.arange(n)]
    # backtrack class starts
    ends = [n - 1]
    j_end = n - 1
    for c in range(k - 1, 0, -1):
        start = back[c, j_end]
        ends.append(start - 1)
        j_end = start - 1
    ends = ends[::-1]
    breaks = v[np.asarray(ends)]
    classes = np.full(x.shape, -1, dtype=np.int64)
    classes[ok] = np.searchsorted(breaks, x[ok], side="left")
    return breaks, classes


def rank_change(rank_now, rank_base) -> np.ndarray:
    """Rank change versus a base year: Δ = rank_base − rank_now, so 进位 (moving up) is positive.
    NaN where either rank is missing (a county that did not exist in one of the years)."""
    return np.asarray(rank_base, dtype=float) - np.asarray(rank_now, dtype=float)
