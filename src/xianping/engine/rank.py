"""Ranks and tiers (排名、方阵、分级) of composite scores.

Scores are shaped [..., units]; every function works along the last axis and broadcasts over the
leading (year, sample) axes. Higher score = rank 1 unless `higher_is_better=False`. NaN scores are
excluded from ranking and get rank NaN (class -1).

Variants (named, for the manifest):
- ties: "min" (sport/competition ranking 1,2,2,4; R `ties.method="min"`), "dense" (1,2,2,3),
  "average" (1,2.5,2.5,4; R default), "first" (order of appearance), "max" (1,3,3,4).
- classes: top-N, quantile classes, fixed cut-offs, natural breaks (Jenks, exact dynamic programme, batched).
"""

from __future__ import annotations

import numpy as np

from ._common import check_variant, nan_guard

__all__ = [
    "TIES",
    "rank",
    "rank_within",
    "top_n",
    "quantile_classes",
    "fixed_cutoffs",
    "natural_breaks",
    "natural_breaks_batch",
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


def rank_within(scores, groups, ties: str = "min", higher_is_better: bool = True):
    """Rank scores [..., m] within groups [m] (省内、市内、同类排名): 1 = best of its group. Returns (ranks [..., m],
    counts [..., m]) where counts is the number of ranked (non-NaN) units in each unit's group.

    Same tie rules as `rank` applied inside each group: one lexsort by (group, score) per cross-section, then the
    positions counted from each group's start, so all groups and all leading (year, sample) indices rank at once.
    Equal to `rank(np.where(groups == g, scores, nan))` for each g (tested).
    """
    check_variant("ties", ties, TIES)
    s = np.asarray(scores, dtype=float)
    m = s.shape[-1]
    gi = np.unique(np.asarray(groups), return_inverse=True)[1].reshape(-1)
    if gi.size != m:
        raise ValueError(f"groups has {gi.size} entries for {m} units")
    missing = np.isnan(s)
    key = np.where(missing, np.inf, -s if higher_is_better else s)
    lead = s.shape[:-1]
    flat = key.reshape(-1, m)
    g2 = np.broadcast_to(gi, flat.shape)
    miss2 = missing.reshape(-1, m)
    # missing last inside each group, so a group's ranked units are its first `count` positions
    order = np.lexsort((flat, miss2, g2), axis=-1)
    sk = np.take_along_axis(flat, order, axis=-1)
    sg = np.take_along_axis(g2, order, axis=-1)
    sm = np.take_along_axis(miss2, order, axis=-1)
    idx = np.broadcast_to(np.arange(m), sk.shape)
    gstart = np.ones(sk.shape, dtype=bool)
    gstart[:, 1:] = sg[:, 1:] != sg[:, :-1]
    first = np.maximum.accumulate(np.where(gstart, idx, 0), axis=-1)
    pos = (idx - first + 1).astype(float)
    new = gstart.copy()
    new[:, 1:] |= sk[:, 1:] != sk[:, :-1]
    last = np.ones(sk.shape, dtype=bool)
    last[:, :-1] = new[:, 1:]
    if ties == "first":
        r = pos
    elif ties == "dense":
        c = np.cumsum(new, axis=-1)
        r = (c - np.take_along_axis(c, first, axis=-1) + 1).astype(float)
    else:
        # the first position of each run of equal scores, looking left (by index: positions restart per group)
        rmin = np.take_along_axis(pos, np.maximum.accumulate(np.where(new, idx, 0), axis=-1), axis=-1)
        # the last position of each run of equal scores, looking right (runs never cross a group start)
        rmax_idx = np.flip(np.minimum.accumulate(np.flip(np.where(last, idx, m), -1), axis=-1), -1)
        rmax = np.take_along_axis(pos, rmax_idx, axis=-1)
        r = {"min": rmin, "max": rmax, "average": (rmin + rmax) / 2.0}[ties]
    # ranked units per group: counted once per group, spread back to its members
    ok = (~miss2).astype(np.int64)
    cnt = np.zeros((flat.shape[0], int(gi.max()) + 1 if m else 0), dtype=np.int64)
    np.add.at(cnt, (np.arange(flat.shape[0])[:, None], g2), ok)
    counts = np.take_along_axis(cnt, g2, axis=-1).astype(float)
    out = np.empty(sk.shape, dtype=float)
    np.put_along_axis(out, order, np.where(sm, np.nan, r), axis=-1)
    return out.reshape(lead + (m,)), counts.reshape(lead + (m,))


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
    """Jenks natural breaks of one cross-section (1-D); see `natural_breaks_batch` for the method.

    Returns (breaks, classes): breaks = upper bound of each class (k values, the last = max);
    classes = 0-based ascending class of every value (-1 for NaN). k is lowered to the number of
    distinct values when there are fewer.
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise ValueError("natural_breaks works on one cross-section (1-D); use natural_breaks_batch for more")
    ok = ~np.isnan(x)
    if not ok.any():
        raise ValueError("no non-missing values")
    k = int(min(k, np.unique(x[ok]).size))
    return natural_breaks_batch(x, k)


def natural_breaks_batch(values, k: int = 5):
    """Jenks natural breaks of every cross-section of values [..., m] at once (years, samples): the partition
    of the sorted values into k contiguous classes that minimises the total within-class sum of squared
    deviations, exactly (Fisher 1958; Jenks 1977).

    Dynamic programme D_c(j) = min_i [D_{c−1}(i−1) + SSD(i..j)] over prefix sums in float64. The leftmost
    optimal start i*(j) is non-decreasing in j (the SSD cost is Monge), so each class layer is solved by
    divide and conquer in O(m log m) instead of O(m²) (as Ckmeans.1d.dp, Wang & Song 2011, does); the
    recursion runs level by level with every (cross-section, sub-problem) pair in one flat array, so many
    cross-sections cost a few dozen numpy calls per class. Written here because mapclassify.FisherJenks
    works in float32 (breaks of large 万元 values drift) and one cross-section at a time.
    Class membership is right-closed (x ≤ break → lower class), as in mapclassify.

    Returns breaks [..., k] and classes [..., m] (0-based ascending, −1 for NaN). A cross-section with
    fewer than k distinct values raises (use `natural_breaks` on it, which lowers k).
    """
    x = np.asarray(values, dtype=float)
    if x.ndim < 1:
        raise ValueError("natural_breaks_batch needs values [..., m]")
    k = int(k)
    if k < 1:
        raise ValueError("k must be ≥ 1")
    lead, m = x.shape[:-1], x.shape[-1]
    flat = x.reshape(-1, m)
    # blocks of cross-sections keep the gathers in cache (1,000 × 2,800 in one block is ~3× slower per row)
    block = max(1, 2**18 // max(m, 1))
    parts = [_jenks_block(flat[a : a + block], k) for a in range(0, flat.shape[0], block)] or [_jenks_block(flat, k)]
    breaks = np.concatenate([p[0] for p in parts])
    classes = np.concatenate([p[1] for p in parts])
    return breaks.reshape(lead + (k,)), classes.reshape(lead + (m,))


def _jenks_block(flat, k):
    S, m = flat.shape
    v = np.sort(flat, axis=-1)  # NaN last
    cnt = np.sum(~np.isnan(v), axis=-1)  # [S]
    if S and np.any(cnt == 0):
        raise ValueError("a cross-section has no non-missing values")
    distinct = np.sum(np.diff(v, axis=-1) > 0, axis=-1) + 1
    if np.any(distinct < k):
        raise ValueError(f"a cross-section has {int(distinct.min())} distinct values, fewer than k = {k} classes")
    v0 = np.where(np.isnan(v), 0.0, v)
    cs = np.zeros((S, m + 1))
    cs2 = np.zeros((S, m + 1))
    np.cumsum(v0, axis=-1, out=cs[:, 1:])
    np.cumsum(v0 * v0, axis=-1, out=cs2[:, 1:])

    csf, cs2f = cs.ravel(), cs2.ravel()

    def ssd(s, i, j):  # within-segment sum of squares of v[s, i..j] (inclusive); flat 1-D gathers
        n = (j - i + 1).astype(float)
        a, b = s * (m + 1) + i, s * (m + 1) + j + 1
        t = csf[b] - csf[a]
        return np.maximum(cs2f[b] - cs2f[a] - t * t / n, 0.0)

    rows = np.arange(S)
    jj = np.arange(m)
    valid = jj[None, :] < cnt[:, None]
    D = np.where(valid, ssd(rows[:, None], np.zeros((1, m), dtype=np.int64), jj[None, :]), np.inf)  # one class
    back = np.zeros((k, S, m), dtype=np.int64)
    for c in range(1, k):
        Dn = np.full((S, m), np.inf)
        # sub-problems: rows s, ends j in [jlo, jhi], starts i in [ilo, ihi] (i ≥ c: c classes fit before i)
        ts, jlo, jhi = rows.copy(), np.full(S, c), cnt - 1
        ilo, ihi = np.full(S, c), cnt - 1
        while ts.size:
            mid = (jlo + jhi) // 2
            top = np.minimum(mid, ihi)
            L = top - ilo + 1  # ≥ 1 by construction
            seg = np.repeat(np.arange(ts.size), L)
            off = np.cumsum(L) - L
            i = ilo[seg] + (np.arange(L.sum()) - off[seg])
            s = ts[seg]
            cost = D.ravel()[s * m + i - 1] + ssd(s, i, mid[seg])
            best = np.minimum.reduceat(cost, off)
            hit = np.flatnonzero(cost == best[seg])
            hs = seg[hit]  # non-decreasing: the first hit of each sub-problem is its leftmost optimum
            first = hit[np.concatenate([[True], hs[1:] != hs[:-1]])]
            opt = i[first]
            Dn[ts, mid] = best
            back[c, ts, mid] = opt
            left = mid - 1 >= jlo
            right = mid + 1 <= jhi
            ts = np.concatenate([ts[left], ts[right]])
            jlo, jhi = np.concatenate([jlo[left], mid[right] + 1]), np.concatenate([mid[left] - 1, jhi[right]])
            ilo, ihi = np.concatenate([ilo[left], opt[right]]), np.concatenate([opt[left], ihi[right]])
        D = Dn
    # backtrack: the end of each class, last class first
    ends = np.empty((S, k), dtype=np.int64)
    ends[:, k - 1] = cnt - 1
    j_end = cnt - 1
    for c in range(k - 1, 0, -1):
        start = back[c, rows, j_end]
        ends[:, c - 1] = start - 1
        j_end = start - 1
    breaks = np.take_along_axis(v, ends, axis=-1)
    classes = np.sum(flat[:, :, None] > breaks[:, None, :-1], axis=-1)
    classes = np.where(np.isnan(flat), -1, classes)
    return breaks, classes.astype(np.int64)


def rank_change(rank_now, rank_base) -> np.ndarray:
    """Rank change versus a base year: Δ = rank_base − rank_now, so 进位 (moving up) is positive.
    NaN where either rank is missing (a county that did not exist in one of the years)."""
    return np.asarray(rank_base, dtype=float) - np.asarray(rank_now, dtype=float)
