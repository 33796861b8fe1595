"""Coefficient of variation (变异系数) CV = σ / μ, unweighted or weighted (Williamson's population-weighted CV).

    unweighted: σ² = Σ (y_i − μ)² / (n − ddof)            (ddof = 0 by default, as in σ-convergence papers)
    weighted:   σ² = Σ w_i (y_i − μ_w)² / W,  μ_w = Σ w_i y_i / W  (Williamson 1965 with w = population)
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def cv(y: Sequence[float] | np.ndarray, weights: Sequence[float] | np.ndarray | None = None, ddof: int = 0) -> float:
    y = np.asarray(y, dtype=float)
    if weights is None:
        mu = y.mean()
        return float(y.std(ddof=ddof) / mu)
    w = np.asarray(weights, dtype=float)
    mu = np.dot(w, y) / w.sum()
    return float(np.sqrt(np.dot(w, (y - mu) ** 2) / w.sum()) / mu)


def sd(y: Sequence[float] | np.ndarray, weights: Sequence[float] | np.ndarray | None = None, ddof: int = 0) -> float:
    y = np.asarray(y, dtype=float)
    if weights is None:
        return float(y.std(ddof=ddof))
    w = np.asarray(weights, dtype=float)
    mu = np.dot(w, y) / w.sum()
    return float(np.sqrt(np.dot(w, (y - mu) ** 2) / w.sum()))
