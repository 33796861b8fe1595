"""Outlier treatment (异常值处理) following COINr's default `Treat` rule (JRC).

Data x [..., units, indicators]; each column of each cross-section is one vector, treated
independently. The iteration (at most `winmax` steps) runs over all vectors at once with masks;
there is no loop over units or samples.

COINr default (Treat.numeric with f1 = winsorise, f2 = log_CT, f_pass = check_SkewKurt):
1. pass check: a vector passes when |skew| < 2 OR kurtosis < 3.5 (both as in COINr
   `check_SkewKurt`: it fails only when both thresholds are exceeded; skew and kurtosis are the
   e1071 type-2 / Excel definitions);
2. if it fails, winsorise: while failing and nwin < winmax (5), if skew ≥ 0 replace all points
   equal to the maximum by the next-highest value (else all minima by the next-lowest);
   nwin = size of the last high group + size of the last low group (COINr's counter);
3. if it still fails, discard the winsorisation (combine_treat = FALSE) and apply
   log_CT: x' = ln(x − min + 0.01·(max − min)) to the original vector.
Source: COINr R/treat.R (bluefoxr/COINr, v1.1.x); oracle coinr_asem (Screened → Treated).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._common import as_data, check_variant, quiet

__all__ = ["FLAG_NONE", "FLAG_WIN_HI", "FLAG_WIN_LO", "FLAG_LOG", "skew", "kurt", "TreatResult", "coinr_treat"]

FLAG_NONE, FLAG_WIN_HI, FLAG_WIN_LO, FLAG_LOG = 0, 1, -1, 2


def skew(x, axis: int = -2) -> np.ndarray:
    """Sample skewness, type 2 (e1071 `type = 2`, Excel SKEW; COINr `skew`), NaN ignored:
    G1 = √n Σd³ / (Σd²)^{3/2} · √(n(n−1))/(n−2), d = x − x̄. NaN for n < 3."""
    x = np.asarray(x, dtype=float)
    with quiet():
        n = np.sum(~np.isnan(x), axis=axis)
        d = x - np.nanmean(x, axis=axis, keepdims=True)
        g = np.sqrt(n) * np.nansum(d**3, axis=axis) / np.nansum(d**2, axis=axis) ** 1.5
        out = g * np.sqrt(n * (n - 1.0)) / (n - 2.0)
    return np.where(n < 3, np.nan, out)


def kurt(x, axis: int = -2) -> np.ndarray:
    """Sample excess kurtosis, type 2 (e1071 `type = 2`, Excel KURT; COINr `kurt`), NaN ignored:
    r = n Σd⁴/(Σd²)²; G2 = ((n+1)(r−3) + 6)(n−1)/((n−2)(n−3)). NaN for n < 4."""
    x = np.asarray(x, dtype=float)
    with quiet():
        n = np.sum(~np.isnan(x), axis=axis)
        d = x - np.nanmean(x, axis=axis, keepdims=True)
        r = n * np.nansum(d**4, axis=axis) / np.nansum(d**2, axis=axis) ** 2
        out = ((n + 1.0) * (r - 3.0) + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0))
    return np.where(n < 4, np.nan, out)


class TreatResult(NamedTuple):
    x: np.ndarray  # treated data, same shape as the input
    flags: np.ndarray  # int8 per cell: 0 untouched, 1 winsorised high, -1 winsorised low, 2 log-transformed
    n_winsorised: np.ndarray  # [..., n] COINr's nwin (0 when the column passed at once)
    log_applied: np.ndarray  # [..., n] bool
    passed: np.ndarray  # [..., n] bool: passes the check after treatment
    skew_before: np.ndarray
    kurt_before: np.ndarray
    skew_after: np.ndarray
    kurt_after: np.ndarray


def _passes(v, skew_thresh, kurt_thresh, rule):
    s, k = skew(v, axis=-1), kurt(v, axis=-1)
    with quiet():
        if rule == "coinr_or":
            p = (np.abs(s) < skew_thresh) | (k < kurt_thresh)
        else:
            p = (np.abs(s) <= skew_thresh) & (k <= kurt_thresh)
    # undefined moments (constant or too few values): COINr returns the vector untreated
    return p | np.isnan(s) | np.isnan(k), s, k


def coinr_treat(x, winmax: int = 5, skew_thresh: float = 2.0, kurt_thresh: float = 3.5,
                fallback: str = "log_CT", rule: str = "coinr_or") -> TreatResult:
    """Winsorise then log-transform outlying indicator columns, COINr's default rule (module doc).

    rule="coinr_or": pass when |skew| < 2 OR kurt < 3.5 (COINr, the oracle); rule="both": pass only
    when |skew| ≤ 2 AND kurt ≤ 3.5 (the stricter reading found in some write-ups).
    fallback: "log_CT" (COINr default), "log" (COINr f2 = "log": ln x, needs x > 0), "none" (keep the
    winsorised vector, still flagged as failing). Either log applies to the original vector (COINr's
    combine_treat = FALSE).
    """
    check_variant("rule", rule, ("coinr_or", "both"))
    check_variant("fallback", fallback, ("log_CT", "log", "none"))
    x = as_data(x)
    shape = x.shape
    v0 = np.moveaxis(x, -2, -1).reshape(-1, shape[-2])  # [K, m]: one row per column vector
    v = v0.copy()
    ok, s0, k0 = _passes(v, skew_thresh, kurt_thresh, rule)
    hi = np.zeros(v.shape, dtype=bool)
    lo = np.zeros(v.shape, dtype=bool)
    nwin = np.zeros(v.shape[0], dtype=np.int64)
    active = ~ok
    s = s0
    for _ in range(v.shape[1]):  # safety bound; stops after ≤ winmax effective steps
        active = active & (nwin < winmax)
        if not active.any():
            break
        up = active & (s >= 0)
        down = active & ~(s >= 0)
        with quiet():
            vmax = np.nanmax(v, axis=-1, keepdims=True)
            vmin = np.nanmin(v, axis=-1, keepdims=True)
            gh = (v == vmax) & up[:, None]
            gl = (v == vmin) & down[:, None]
            nxt_hi = np.nanmax(np.where(gh, np.nan, v), axis=-1, keepdims=True)
            nxt_lo = np.nanmin(np.where(gl, np.nan, v), axis=-1, keepdims=True)
        v = np.where(gh, nxt_hi, np.where(gl, nxt_lo, v))
        hi = np.where(up[:, None], gh, hi)  # COINr keeps the last high group as "winhi"
        lo = np.where(down[:, None], gl, lo)
        nwin = np.where(active, hi.sum(-1) + lo.sum(-1), nwin)
        p, s, _k = _passes(v, skew_thresh, kurt_thresh, rule)
        active = active & ~p
    ok1, _, _ = _passes(v, skew_thresh, kurt_thresh, rule)
    flags = np.where(hi, FLAG_WIN_HI, np.where(lo, FLAG_WIN_LO, FLAG_NONE)).astype(np.int8)
    use_log = ~ok1 & (fallback != "none")
    if use_log.any():
        if fallback == "log":
            if np.any(v0[use_log] <= 0):
                raise ValueError("treat fallback 'log' needs positive values in the columns it transforms "
                                 "(use log_CT, which shifts by the minimum)")
            logged = np.log(v0)
        else:
            with quiet():
                mn = np.nanmin(v0, axis=-1, keepdims=True)
                mx = np.nanmax(v0, axis=-1, keepdims=True)
                logged = np.log(v0 - mn + 0.01 * (mx - mn))
        v = np.where(use_log[:, None], logged, v)
        flags = np.where(use_log[:, None] & ~np.isnan(v0), FLAG_LOG, flags).astype(np.int8)
    flags = np.where(np.isnan(v0), FLAG_NONE, flags).astype(np.int8)
    passed, s1, k1 = _passes(v, skew_thresh, kurt_thresh, rule)

    lead = shape[:-2] + (shape[-1],)

    def back(a):
        return np.moveaxis(a.reshape(shape[:-2] + (shape[-1], shape[-2])), -1, -2)

    return TreatResult(back(v), back(flags), nwin.reshape(lead), use_log.reshape(lead), passed.reshape(lead),
                       s0.reshape(lead), k0.reshape(lead), s1.reshape(lead), k1.reshape(lead))
