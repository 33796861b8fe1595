"""Normalisation (无量纲化 / 标准化) of indicator data.

Data x is shaped [..., units, indicators]. Column statistics (min, max, mean, sd, norms, ranks) are
taken over the units axis (-2) separately for each leading index (year, sample), ignoring NaN.
NaN cells stay NaN. Passing `anchors` replaces the per-cross-section statistics by fixed values
(a frozen base year, targets, or goalposts pooled over all years), so adding a year does not
rewrite earlier scores: compute them once with `range_anchors` / `moment_anchors` and store them.

Directions are per indicator: +1 (正向, larger is better) or -1 (逆向). Moderate (适度, optimum x*)
and interval-optimal ([a, b]) indicators have their own functions and can be mixed with the others
through `normalise(x, method, direction=[..., "moderate", "interval", ...])`.

Every method is named (METHODS) so that the manifest can record it.
"""

from __future__ import annotations

import numpy as np

from ._common import EngineWarning, as_data, check_variant, directions, expand_cols, nan_guard, quiet
from . import rank as _rank

__all__ = [
    "METHODS",
    "CONSTANT_POLICIES",
    "range_anchors",
    "moment_anchors",
    "min_max",
    "z_score",
    "rank_score",
    "percentile_rank",
    "borda",
    "goalposts",
    "distance_to_target",
    "distance_to_reference",
    "vector",
    "max_ratio",
    "mean_ratio",
    "initial_value",
    "sum_ratio",
    "moderate",
    "interval_optimal",
    "normalise",
]

CONSTANT_POLICIES = ("nan", "lo", "mid", "hi", "raise")


# ---------------------------------------------------------------------------------------------
# anchors


def range_anchors(x, axis=-2):
    """Goalposts (lo_j, hi_j) = (nanmin, nanmax) of each indicator over `axis`.

    axis=-2: per cross-section (the default behaviour of min_max). For panel comparability pass the
    base year only (`range_anchors(x[0])`) or pool years and units (`range_anchors(x, axis=(0, 1))`
    for x [years, units, indicators]; the "面板" pooled min–max). Returns two arrays shaped like x
    without `axis`.
    """
    x = as_data(x, 1)
    with quiet():
        return np.nanmin(x, axis=axis), np.nanmax(x, axis=axis)


def moment_anchors(x, axis=-2, ddof: int = 1):
    """(mean_j, sd_j) of each indicator over `axis` (NaN ignored; sd with `ddof`), for z_score anchors."""
    x = as_data(x, 1)
    with quiet():
        return np.nanmean(x, axis=axis), np.nanstd(x, axis=axis, ddof=ddof)


def _col(v, x):
    """Per-indicator statistic [..., n] → [..., 1, n]."""
    return expand_cols(v, x.ndim)


def _stats_minmax(x, anchors):
    if anchors is None:
        lo, hi = range_anchors(x, axis=-2)
    else:
        lo, hi = (np.asarray(a, dtype=float) for a in anchors)
    return _col(lo, x), _col(hi, x)


def _constant(z, x, span, constant: str, lo: float, hi: float):
    """Apply the constant-column policy to observed cells of columns where span == 0 (0/0)."""
    check_variant("constant", constant, CONSTANT_POLICIES)
    flat = span == 0
    if constant == "nan" or not np.any(flat):  # the common case costs no pass over the data
        return z
    bad = np.broadcast_to(flat, z.shape) & ~np.isnan(x)
    if not bad.any():
        return z
    if constant == "raise":
        raise ValueError("constant indicator column (max == min): normalisation undefined")
    z[bad] = {"lo": lo, "mid": (lo + hi) / 2.0, "hi": hi}[constant]
    return z


def _min_max_parts(x, direction, anchors):
    """Per-column sign d_j, offset a_j and span s_j with z = (d_j·x − a_j)/s_j, plus the span max − min
    [..., 1, n]: a = min for positive columns, a = −max for negative ones, so that −x − (−max) is bit for
    bit max − x (and +0.0, not −0.0, at x = max)."""
    d = _col(directions(direction, x.shape[-1]), x)
    mn, mx = _stats_minmax(x, anchors)
    return d, np.where(d > 0, mn, -mx), mx - mn


# ---------------------------------------------------------------------------------------------
# linear rescalings


def min_max(x, direction=1, lo: float = 0.0, hi: float = 1.0, anchors=None, clip: bool = False, constant: str = "nan"):
    """Min–max rescaling to [lo, hi] (极差标准化; COINr `n_minmax` with `l_u = c(lo, hi)`).

    Positive: z = (x − min_j)/(max_j − min_j); negative: z = (max_j − x)/(max_j − min_j);
    result lo + (hi − lo)·z. Source: methods_formulas.md §0; COINr n_minmax (JRC).
    `anchors` = (min_j, max_j) fixed goalposts (see range_anchors); with anchors a value may fall
    outside [lo, hi] unless `clip=True`. `constant` = policy for a constant column (max = min):
    "nan" (default, 0/0 stays NaN), "lo", "mid", "hi" or "raise".
    """
    x = as_data(x)
    d, a, span = _min_max_parts(x, direction, anchors)
    # three passes over the data, in place after the first: a column-wise np.where over [..., m, n]
    # is ~7× slower than an arithmetic pass and dominated batched runs
    z = np.multiply(x, d)
    # anchors may carry batch axes that x has not (one matrix against several anchor sets)
    z = np.subtract(z, a, out=z if z.shape == np.broadcast_shapes(z.shape, a.shape) else None)
    with nan_guard():
        np.divide(z, span, out=z)
    if clip:
        np.clip(z, 0.0, 1.0, out=z)
    if (lo, hi) == (0.0, 1.0):
        out = z
    else:  # lo + (hi − lo)·z, in place
        z *= hi - lo
        z += lo
        out = z
    return _constant(out, x, span, constant, lo, hi)


def goalposts(x, lower, upper, direction=1, scale: float = 1.0, clip: bool = True):
    """Goalpost normalisation with capping (HDR/TAI style; COINr `n_goalposts(gposts=c(l, u, a))`).

    Positive: z = (x − L_j)/(U_j − L_j); negative: z = (U_j − x)/(U_j − L_j); capped to [0, 1] when
    `clip` (values beyond the goalposts score 0 or 1), then × scale. Goalposts are fixed, so scores
    are comparable across years. Source: UNDP HDR 2001 technical note (TAI); OECD/JRC Handbook 2008.
    """
    x = as_data(x)
    n = x.shape[-1]
    d = _col(directions(direction, n), x)
    L = _col(np.broadcast_to(np.asarray(lower, dtype=float), (n,)) if np.ndim(lower) <= 1 else lower, x)
    U = _col(np.broadcast_to(np.asarray(upper, dtype=float), (n,)) if np.ndim(upper) <= 1 else upper, x)
    with nan_guard():
        z = np.where(d > 0, x - L, U - x) / (U - L)
    if clip:
        z = np.clip(z, 0.0, 1.0)
    return z * scale


def z_score(x, direction=1, mean: float = 0.0, sd: float = 1.0, ddof: int = 1, anchors=None):
    """Standardisation z = d_j·(x − x̄_j)/s_j, rescaled to mean `mean` and sd `sd`
    (SPSS "Z-score", COINr `n_zscore(m_sd = c(mean, sd))`; s with n−1 by default).
    `anchors` = (x̄_j, s_j) fixed from a base year (moment_anchors). A constant column gives NaN.
    """
    x = as_data(x)
    d = _col(directions(direction, x.shape[-1]), x)
    if anchors is None:
        mu, s = moment_anchors(x, axis=-2, ddof=ddof)
    else:
        mu, s = anchors
    mu, s = _col(mu, x), _col(s, x)
    with nan_guard():
        return mean + sd * d * (x - mu) / s


def distance_to_target(x, target, direction=1, anchors=None, clip: bool = False):
    """Distance to target (COINr `n_dist2targ`): positive z = 1 − (T_j − x)/(T_j − min_j),
    negative z = 1 − (x − T_j)/(max_j − T_j). 1 = target reached; > 1 beyond it unless `clip`
    (then capped at 1). `anchors` = (min_j, max_j) frozen; targets make scores comparable over years.
    """
    x = as_data(x)
    n = x.shape[-1]
    d = _col(directions(direction, n), x)
    T = _col(np.broadcast_to(np.asarray(target, dtype=float), (n,)) if np.ndim(target) <= 1 else target, x)
    mn, mx = _stats_minmax(x, anchors)
    with nan_guard():
        z = np.where(d > 0, 1.0 - (T - x) / (T - mn), 1.0 - (x - T) / (mx - T))
    if clip:
        z = np.minimum(z, 1.0)
    return z


def distance_to_reference(x, ref_unit: int, direction=1):
    """Distance to a reference unit (COINr `n_dist2ref`): z = (x − min_j)/(x_ref,j − min_j) for
    positive indicators, (max_j − x)/(max_j − x_ref,j) for negative; the reference unit scores 1."""
    x = as_data(x)
    d = _col(directions(direction, x.shape[-1]), x)
    mn, mx = _stats_minmax(x, None)
    ref = x[..., ref_unit : ref_unit + 1, :]
    with nan_guard():
        return np.where(d > 0, (x - mn) / (ref - mn), (mx - x) / (mx - ref))


def vector(x, direction=1, cost: str = "none"):
    """Vector (L2) normalisation b = x/√Σ_i x_i² (classic TOPSIS, Hwang & Yoon 1981).

    cost="none": no flip (direction is then handled by the ideal, as in TOPSIS);
    cost="one_minus": negative indicators become 1 − x/‖x‖ (pymcdm `vector_normalization`).
    """
    check_variant("cost", cost, ("none", "one_minus"))
    x = as_data(x)
    d = _col(directions(direction, x.shape[-1]), x)
    with nan_guard():
        b = x / np.sqrt(np.nansum(x * x, axis=-2, keepdims=True))
    if cost == "one_minus":
        b = np.where(d > 0, b, 1.0 - b)
    return b


def max_ratio(x, direction=1, cost: str = "one_minus"):
    """x/max (COINr `n_fracmax`; pymcdm `max_normalization`).

    Negative indicators: cost="one_minus" → 1 − x/max (pymcdm); cost="min_over_x" → min/x
    (common in Chinese papers); cost="none" → no flip.
    """
    check_variant("cost", cost, ("one_minus", "min_over_x", "none"))
    x = as_data(x)
    d = _col(directions(direction, x.shape[-1]), x)
    mn, mx = _stats_minmax(x, None)
    with nan_guard():
        b = x / mx
        if cost == "one_minus":
            b = np.where(d > 0, b, 1.0 - b)
        elif cost == "min_over_x":
            b = np.where(d > 0, b, mn / x)
    return b


def mean_ratio(x, direction=1, cost: str = "inverse"):
    """均值化 x/mean_j (the mean over units of each cross-section; used before grey relational analysis and
    in coefficient-of-variation comparisons, methods_formulas.md §0 "alternatives").

    Negative indicators: cost="inverse" → mean/x; cost="reflect" → 2 − x/mean; cost="none" → no flip.
    A column whose mean is 0 (or not positive) has no ratio: that is an error, not a column of inf.
    """
    check_variant("cost", cost, ("inverse", "reflect", "none"))
    x = as_data(x)
    d = _col(directions(direction, x.shape[-1]), x)
    with quiet():
        mean = np.nanmean(x, axis=-2, keepdims=True)
    if np.any(mean <= 0):
        raise ValueError("mean_ratio needs a positive mean in every column (use min_max, or shift the data)")
    with nan_guard():
        b = x / mean
        if cost == "inverse":
            b = np.where(d > 0, b, mean / x)
        elif cost == "reflect":
            b = np.where(d > 0, b, 2.0 - b)
    return b


def initial_value(x, direction=1, time_axis: int = -3):
    """初值化 x_t / x_{t0}: each unit's value divided by its value in the first year (the grey-relational
    initial-value transform, 邓聚龙 grey system theory; methods_formulas.md §0). Needs a years axis
    ([..., T, units, indicators], T along `time_axis`). Negative indicators: x_{t0} / x_t.

    A unit with a zero or missing first-year value has no ratio: an error naming how many there are.
    """
    x = as_data(x, min_ndim=3)
    d = _col(directions(direction, x.shape[-1]), x)
    first = np.take(x, [0], axis=time_axis)
    bad = ~(first > 0)
    if np.any(bad):
        raise ValueError(f"initial_value needs a positive first-year value for every unit and indicator "
                         f"({int(bad.sum())} zero, negative or missing)")
    with nan_guard():
        b = x / first
        b = np.where(d > 0, b, first / x)
    return b


def sum_ratio(x, direction=1):
    """p = x/Σ_i x (比重法; pymcdm `sum_normalization`, negative: (1/x)/Σ(1/x))."""
    x = as_data(x)
    d = _col(directions(direction, x.shape[-1]), x)
    with nan_guard():
        pos = x / np.nansum(x, axis=-2, keepdims=True)
        inv = 1.0 / x
        neg = inv / np.nansum(inv, axis=-2, keepdims=True)
    return np.where(d > 0, pos, neg)


# ---------------------------------------------------------------------------------------------
# rank-based


def rank_score(x, direction=1, ties: str = "min"):
    """Rank normalisation (COINr `n_rank`): the ascending rank of x within each column, so the best
    unit gets the highest number (m for the best of m units); NaN excluded. ties as rank.rank."""
    x = as_data(x)
    d = _col(directions(direction, x.shape[-1]), x)
    return _rank.rank(d * x, ties=ties, higher_is_better=False, axis=-2)


def percentile_rank(x, direction=1, ties: str = "min"):
    """Percentile rank (COINr `n_prank`): (r − 1)/(m_obs − 1) with r the ascending rank (ties min),
    m_obs the number of non-missing values; 0 = worst, 1 = best."""
    x = as_data(x)
    r = rank_score(x, direction, ties)
    m_obs = np.sum(~np.isnan(x), axis=-2, keepdims=True)
    with nan_guard():
        return (r - 1.0) / (m_obs - 1.0)


def borda(x, direction=1, ties: str = "min"):
    """Borda score (COINr `n_borda`): r − 1 with r the ascending rank (ties min)."""
    return rank_score(x, direction, ties) - 1.0


# ---------------------------------------------------------------------------------------------
# moderate and interval indicators


def moderate(x, optimum, anchors=None, clip: bool = False):
    """Moderate (适度) indicator with optimum x*: z = 1 − |x − x*| / M,
    M = max_i |x_i − x*| = max(|min_j − x*|, |max_j − x*|) (methods_formulas.md §0; the largest
    deviation is at one end of the range, so both forms give the same numbers).
    `optimum` per indicator, shape (n,) or [..., n]. `anchors` = (min_j, max_j) fixed (a frozen base
    year or pooled years, see range_anchors) instead of the range of each cross-section, so that
    scores are comparable over years; a value outside the anchors may then score below 0 unless `clip`.
    """
    x = as_data(x)
    n = x.shape[-1]
    xs = _col(np.broadcast_to(np.asarray(optimum, dtype=float), (n,)) if np.ndim(optimum) <= 1 else optimum, x)
    mn, mx = _stats_minmax(x, anchors)
    with quiet():
        M = np.maximum(np.abs(mn - xs), np.abs(mx - xs))
        z = 1.0 - np.abs(x - xs) / M
    if clip:
        np.clip(z, 0.0, 1.0, out=z)
    return z


def interval_optimal(x, a, b, anchors=None, clip: bool = False):
    """Interval-optimal indicator, best on [a, b] (区间型):
    z = 1 − (a − x)/M for x < a; 1 for a ≤ x ≤ b; 1 − (x − b)/M for x > b,
    M = max(a − min_j, max_j − b) (methods_formulas.md §0). `anchors` = (min_j, max_j) fixed
    (frozen or pooled) instead of each cross-section's range; `clip` caps at 0 as in moderate()."""
    x = as_data(x)
    n = x.shape[-1]
    A = _col(np.broadcast_to(np.asarray(a, dtype=float), (n,)), x)
    B = _col(np.broadcast_to(np.asarray(b, dtype=float), (n,)), x)
    mn, mx = _stats_minmax(x, anchors)
    M = np.maximum(A - mn, mx - B)
    with nan_guard():
        z = np.where(x < A, 1.0 - (A - x) / M, np.where(x > B, 1.0 - (x - B) / M, 1.0))
    if clip:
        np.clip(z, 0.0, 1.0, out=z)
    return np.where(np.isnan(x), np.nan, z)


# ---------------------------------------------------------------------------------------------
# dispatcher

METHODS = {
    "min_max": min_max,
    "z_score": z_score,
    "rank": rank_score,
    "percentile_rank": percentile_rank,
    "borda": borda,
    "goalposts": goalposts,
    "distance_to_target": distance_to_target,
    "vector": vector,
    "max_ratio": max_ratio,
    "mean_ratio": mean_ratio,
    "initial_value": initial_value,
    "sum_ratio": sum_ratio,
}


def normalise(x, method: str = "min_max", direction=1, optimum=None, interval=None, bounds=None, **params):
    """Normalise with a named method; `direction` may mix +1/-1 with "moderate" and "interval".

    Columns marked "moderate" use `moderate(x, optimum[j])`, columns marked "interval" use
    `interval_optimal(x, *interval[j])`; all others use METHODS[method](x, direction, **params).
    With `method="min_max"` and lo/hi given, moderate/interval columns are rescaled to [lo, hi] too.
    `bounds` = (min_j, max_j) for all n columns: the fixed range the moderate/interval columns take
    their M from (frozen or pooled panels); by default the `anchors` of min_max/distance_to_target,
    else each cross-section's own range.
    """
    check_variant("method", method, METHODS)
    x = as_data(x)
    n = x.shape[-1]
    dirs = [direction] * n if isinstance(direction, (str, int, float)) else list(direction)
    kinds = ["moderate" if d == "moderate" else "interval" if d == "interval" else "linear" for d in dirs]
    lin = [j for j in range(n) if kinds[j] == "linear"]
    out = np.full(x.shape, np.nan)
    if lin:
        sub_params = dict(params)
        for key in ("anchors", "lower", "upper", "target"):
            if key in sub_params and sub_params[key] is not None and np.ndim(sub_params[key]) >= 1:
                v = sub_params[key]
                sub_params[key] = tuple(np.asarray(a)[..., lin] for a in v) if key == "anchors" else np.asarray(v)[..., lin]
        # direction by keyword: goalposts(x, lower, upper, direction) and distance_to_target(x, target, direction)
        # take other positionals first
        out[..., lin] = METHODS[method](x[..., lin], direction=[dirs[j] for j in lin], **sub_params)
    lo, hi = params.get("lo", 0.0), params.get("hi", 1.0)
    scale = (lambda z: lo + (hi - lo) * z) if method == "min_max" else (lambda z: z)
    if bounds is None and method in ("min_max", "distance_to_target"):
        bounds = params.get("anchors")
    clip = bool(params.get("clip", False)) and method == "min_max"

    def cols_of(b, cols):
        return None if b is None else tuple(np.asarray(a, dtype=float)[..., cols] for a in b)

    mod = [j for j in range(n) if kinds[j] == "moderate"]
    if mod:
        if optimum is None:
            raise ValueError("moderate columns need `optimum`")
        opt = np.asarray(optimum, dtype=float)
        out[..., mod] = scale(moderate(x[..., mod], opt[mod] if opt.ndim == 1 and opt.size == n else opt,
                                       anchors=cols_of(bounds, mod), clip=clip))
    itv = [j for j in range(n) if kinds[j] == "interval"]
    if itv:
        if interval is None:
            raise ValueError("interval columns need `interval` = [(a_j, b_j), …]")
        ab = np.asarray(interval, dtype=float)
        ab = ab[itv] if ab.shape[0] == n else ab
        out[..., itv] = scale(interval_optimal(x[..., itv], ab[:, 0], ab[:, 1], anchors=cols_of(bounds, itv), clip=clip))
    return out


_ = EngineWarning  # re-exported through the package namespace
