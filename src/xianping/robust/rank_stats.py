"""Per-unit answers from the sampled ranks: how sure is a county's rank, and what moves it.

ranks [rows, T, m] (one rank of the root per sample, year and unit; NaN when a unit was screened out)
and the nominal ranks [T, m]:

- median, q05, q95 (quantile type 7, R's default and COINr's), mean, the rank interval q95 − q05;
- P(tier c): share of samples in which the unit is in tier c (e.g. P(第一方阵) with top_n 30);
- mean absolute rank shift |r − r_nominal| per unit, and per sample averaged over units (COINr's output
  for the sensitivity indices: "mean absolute rank shift");
- the input that moves each unit most: the largest total Sobol index of its rank (Sobol design), or,
  in a plain uncertainty run, the largest mean absolute shift when that input alone varies.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np

__all__ = ["RankStats", "quantiles", "rank_stats", "unit_shift", "mean_abs_shift", "tier_probabilities", "moved_most"]


class RankStats(NamedTuple):
    nominal: np.ndarray  # [T, m]
    median: np.ndarray
    q05: np.ndarray
    q95: np.ndarray
    mean: np.ndarray
    interval: np.ndarray  # q95 − q05
    mean_abs_shift: np.ndarray  # [T, m]


BLOCK = 1 << 16  # units per block: the statistics of a 500,000-unit run never copy all samples at once


def _blocks(m: int, block: int = BLOCK):
    for a in range(0, m, block):
        yield slice(a, min(m, a + block))


def quantiles(a, q, axis: int = 0) -> np.ndarray:
    """Quantiles of type 7 (R's default, numpy's "linear") along `axis`, NaN ignored: one sort for all q
    (np.nanquantile loops over columns in Python). Sorted in the data's own dtype (ranks are exact in float32),
    interpolated in float64."""
    s = np.sort(np.moveaxis(np.asarray(a), axis, 0), axis=0)  # NaN sort last
    cnt = np.sum(~np.isnan(s), axis=0)
    out = []
    for p in np.atleast_1d(q):
        h = (cnt - 1) * p
        lo = np.floor(h).astype(np.int64)
        hi = np.minimum(lo + 1, np.maximum(cnt - 1, 0))
        lo = np.maximum(lo, 0)
        a_lo = np.take_along_axis(s, lo[None], axis=0)[0].astype(np.float64)
        a_hi = np.take_along_axis(s, hi[None], axis=0)[0].astype(np.float64)
        v = a_lo + (h - np.floor(h)) * (a_hi - a_lo)
        out.append(np.where(cnt > 0, v, np.nan))
    return np.stack(out)


def _abs_shift(r, nominal):
    return np.abs(r - np.asarray(nominal).astype(r.dtype, copy=False))


def rank_stats(ranks, nominal, block: int = BLOCK) -> RankStats:
    r = np.asarray(ranks)
    nominal = np.asarray(nominal, dtype=float)
    T, m = r.shape[1:]
    med, q05, q95, mean, shift = (np.full((T, m), np.nan) for _ in range(5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for sl in _blocks(m, block):
            rb = r[..., sl]
            med[:, sl], q05[:, sl], q95[:, sl] = quantiles(rb, [0.5, 0.05, 0.95])
            mean[:, sl] = np.nanmean(rb, axis=0, dtype=np.float64)
            shift[:, sl] = np.nanmean(_abs_shift(rb, nominal[..., sl]), axis=0, dtype=np.float64)
    return RankStats(nominal, med, q05, q95, mean, q95 - q05, shift)


def unit_shift(ranks, nominal, block: int = BLOCK) -> np.ndarray:
    """Per unit and year: mean over samples of |r − r_nominal| → [T, m]."""
    r = np.asarray(ranks)
    out = np.full(r.shape[1:], np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for sl in _blocks(r.shape[-1], block):
            out[:, sl] = np.nanmean(_abs_shift(r[..., sl], np.asarray(nominal)[..., sl]), axis=0, dtype=np.float64)
    return out


def mean_abs_shift(ranks, nominal, block: int = BLOCK) -> np.ndarray:
    """Per sample and year: mean over units of |r − r_nominal| → [rows, T]."""
    r = np.asarray(ranks)
    tot = np.zeros(r.shape[:-1])
    cnt = np.zeros(r.shape[:-1])
    for sl in _blocks(r.shape[-1], block):
        d = _abs_shift(r[..., sl], np.asarray(nominal)[..., sl])
        tot += np.nansum(d, axis=-1, dtype=np.float64)
        cnt += np.sum(~np.isnan(d), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return tot / cnt


def tier_probabilities(tiers, classes) -> np.ndarray:
    """Share of samples in each tier class: tiers int [rows, T, m] → [len(classes), T, m]."""
    t = np.asarray(tiers)
    return np.stack([np.mean(t == c, axis=0) for c in classes])


def moved_most(effect) -> tuple[np.ndarray, np.ndarray]:
    """effect [k, T, m] (per input) → (index of the largest [T, m], its value); −1 where all are NaN."""
    e = np.asarray(effect, dtype=float)
    filled = np.where(np.isnan(e), -np.inf, e)
    idx = np.argmax(filled, axis=0)
    val = np.take_along_axis(filled, idx[None], axis=0)[0]
    idx = np.where(np.isfinite(val), idx, -1)
    return idx, np.where(np.isfinite(val), val, np.nan)
