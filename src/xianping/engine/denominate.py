"""Denomination (除以分母): turn totals into per-head, per-area, per-GDP … indicators.

Data x [..., units, indicators]; denominators d [..., units, k] (population, area, GDP, … as columns);
`by` gives, for each indicator, the column of d it is divided by (−1: left as it is). Leading axes
(years, samples) broadcast, so a denominator panel [years, units, k] denominates a whole index at once.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._common import as_data, nan_guard, warn

__all__ = ["DenominateResult", "denominate", "ratio"]


class DenominateResult(NamedTuple):
    x: np.ndarray  # denominated data, same shape as the input
    zero_denominator: np.ndarray  # bool [..., units, indicators]: the denominator was 0 (result NaN)


def ratio(x, d, scale: float = 1.0) -> np.ndarray:
    """x / d · scale element-wise (broadcasting); a zero denominator gives NaN, not ±inf."""
    x = np.asarray(x, dtype=float)
    d = np.asarray(d, dtype=float)
    with nan_guard():
        out = x / np.where(d == 0, np.nan, d) * scale
    return out


def denominate(x, denominators, by, scale=1.0) -> DenominateResult:
    """x'_ij = x_ij / d_{i, by_j} · scale_j for indicators with by_j ≥ 0; others unchanged.

    Source: COINr `Denominate` (x / denominator; oracle coinr_asem Raw → Denominated with the
    iMeta Denominator column); OECD/JRC Handbook 2008 step 3 (per-capita, per-GDP scaling).
    `scale` (scalar or per indicator) multiplies the ratio (e.g. 10,000 for 每万人).
    A zero denominator gives NaN and an EngineWarning; a missing denominator gives NaN.
    """
    x = as_data(x)
    d = as_data(denominators)
    by = np.asarray(by, dtype=np.int64)
    n = x.shape[-1]
    if by.shape != (n,):
        raise ValueError(f"`by` needs one entry per indicator ({n}), got shape {by.shape}")
    if by.max(initial=-1) >= d.shape[-1]:
        raise ValueError(f"`by` refers to denominator column {int(by.max())}, but there are {d.shape[-1]}")
    use = by >= 0
    if not use.any():
        return DenominateResult(x.copy(), np.zeros(x.shape, dtype=bool))
    dd = np.take(d, np.where(use, by, 0), axis=-1)  # [..., m, n]
    sc = np.broadcast_to(np.asarray(scale, dtype=float), (n,))
    zero = (dd == 0) & use
    if zero.any():
        warn(f"denominate: {int(zero.sum())} cell(s) with a zero denominator set to NaN")
    out = np.where(use, ratio(x, dd, 1.0) * sc, x)
    return DenominateResult(out, np.broadcast_to(zero, out.shape).copy())
