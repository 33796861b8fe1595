"""Gini coefficient by sorting: G = Σ_i Σ_r w_i w_r |y_i − y_r| / (2 W² μ), O(n log n).

Unweighted, every unit counts once (mathmodels `gini0`, pysal `inequality.Gini`). With weights (population),
each unit counts w_i times; with y = group totals / population and w = population this is the grouped
(Lorenz-trapezoid) Gini of mathmodels `gini_grouped`. Own code because `inequality.Gini` is unweighted and takes
one series at a time; it sorts too (argsort, then a gather): here a plain sort and one weighted sum, so it is
faster (benchmarks/bench_inequality.py), and the last axis is the units so years or samples go in one call.

With y sorted ascending and C_i = w_1 + … + w_i, each pair counts once with the larger value positive:
    Σ_i Σ_r w_i w_r |y_i − y_r| = 2 Σ_i w_i y_i (2 C_i − w_i − W)     (ties add 0 whichever way they are ordered)
    unweighted (w = 1, C_i = i):  G = Σ_i (2i − 1 − n) y_(i) / (n Σ y)
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def gini(y: Sequence[float] | np.ndarray, weights: Sequence[float] | np.ndarray | None = None) -> float | np.ndarray:
    """Gini of the values along the last axis: a float for one series, an array of the leading shape otherwise."""
    y = np.asarray(y, dtype=float)
    if y.ndim == 0 or y.shape[-1] == 0:
        raise ValueError("y must have at least one value along its last axis")
    n = y.shape[-1]
    if weights is None:
        ys = np.sort(y, axis=-1)
        if np.isnan(ys[..., -1]).any():          # a sort puts NaN last
            raise ValueError("missing values: drop them first")
        total = ys.sum(axis=-1)
        if (total <= 0).any():
            raise ValueError("the mean must be positive for a Gini coefficient")
        # einsum, not `@`: a BLAS call may wake its threads, which costs more than the product on a busy machine
        g = np.einsum("...i,i->...", ys, np.arange(1 - n, n, 2, dtype=float)) / (n * total)
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != y.shape:
            raise ValueError("y and weights must be of equal shape")
        if np.isnan(w).any():
            raise ValueError("missing values: drop them first")
        order = np.argsort(y, axis=-1)
        ys, ws = np.take_along_axis(y, order, -1), np.take_along_axis(w, order, -1)
        if np.isnan(ys[..., -1]).any():
            raise ValueError("missing values: drop them first")
        c = np.cumsum(ws, axis=-1)
        W = c[..., -1].copy()
        wy = ws * ys
        total = wy.sum(axis=-1)
        if (total <= 0).any() or (W <= 0).any():
            raise ValueError("the mean must be positive for a Gini coefficient")
        c *= 2
        c -= ws
        c -= W[..., None]
        g = np.einsum("...i,...i->...", wy, c) / (W * total)
    return float(g) if np.ndim(g) == 0 else g
