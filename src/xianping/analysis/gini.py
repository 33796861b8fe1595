"""Gini coefficient by sorting: G = Σ_i Σ_r w_i w_r |y_i − y_r| / (2 W² μ), O(n log n).

Unweighted, every unit counts once (mathmodels `gini0`, pysal `inequality.Gini`). With weights (population),
each unit counts w_i times; with y = group totals / population and w = population this is the grouped
(Lorenz-trapezoid) Gini of mathmodels `gini_grouped`. Own code because `inequality.Gini` is unweighted
and builds the n × n matrix of differences.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def gini(y: Sequence[float] | np.ndarray, weights: Sequence[float] | np.ndarray | None = None) -> float:
    y = np.asarray(y, dtype=float)
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float)
    if y.ndim != 1 or w.shape != y.shape:
        raise ValueError("y and weights must be one-dimensional and of equal length")
    if np.isnan(y).any() or np.isnan(w).any():
        raise ValueError("missing values: drop them first")
    order = np.argsort(y, kind="mergesort")
    ys, ws = y[order], w[order]
    cw = np.concatenate(([0.0], np.cumsum(ws)))[:-1]
    cwy = np.concatenate(([0.0], np.cumsum(ws * ys)))[:-1]
    W = ws.sum()
    mu = float(np.dot(ws, ys) / W)
    if mu <= 0:
        raise ValueError("the mean must be positive for a Gini coefficient")
    return float(np.dot(ws, ys * cw - cwy) / (W ** 2 * mu))  # Σ over i<r pairs = half the ordered-pair sum
