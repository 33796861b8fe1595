"""The normalisations of the MCDA libraries pymcdm 1.4.0 (`pymcdm.normalizations`) and pyrepo-mcda 0.1.15
(`pyrepo_mcda.normalizations`), each `f(x, direction)` on x [..., units, criteria] with the libraries' own
treatment of cost criteria, plus `normalize_matrix` (pymcdm `helpers.normalize_matrix`: one method, or one
method per column).

The libraries work on one 2-D matrix (pymcdm even column by column); these are vectorised re-implementations
so that years and robustness samples on the leading axes go through in one call. Column statistics (min, max,
sums, products) use the observed units of each column; NaN cells stay NaN.

Where `xianping.engine.normalise` already has the formula it is used (min_max, vector, max_ratio, sum_ratio);
the new ones are logarithmic, nonlinear, enhanced accuracy and Zavadskas–Turskis. `NORMALISATIONS` maps the
pymcdm name (without "_normalization") to (function, Chinese label).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import normalise as _n
from .._common import as_data, directions, expand_cols, nan_guard, quiet

__all__ = [
    "minmax",
    "max_norm",
    "sum_norm",
    "vector",
    "linear",
    "logarithmic",
    "nonlinear",
    "enhanced_accuracy",
    "zavadskas_turskis",
    "normalize_matrix",
    "NORMALISATIONS",
]


def _d(direction, x):
    return expand_cols(directions(direction, x.shape[-1]), x.ndim)  # [1, n] → broadcasts over [..., m, n]


def _minmax_stats(x):
    with quiet():
        return np.nanmin(x, axis=-2, keepdims=True), np.nanmax(x, axis=-2, keepdims=True)


# ---------------------------------------------------------------------------------------------
# the libraries' names for formulas that xianping.engine.normalise already has


def minmax(x, direction=1):
    """Min–max: (x − min)/(max − min); cost (max − x)/(max − min); a constant column becomes 1.
    pymcdm `minmax_normalization`, pyrepo `minmax_normalization` (both give 1 for a constant column).
    Uses `normalise.min_max(constant="hi")`."""
    return _n.min_max(x, direction, constant="hi")


def max_norm(x, direction=1):
    """Max: x/max; cost 1 − x/max. pymcdm `max_normalization`, pyrepo `max_normalization`.
    Uses `normalise.max_ratio(cost="one_minus")`."""
    return _n.max_ratio(x, direction, cost="one_minus")


def sum_norm(x, direction=1):
    """Sum: x/Σx; cost (1/x)/Σ(1/x). pymcdm `sum_normalization` (x > 0 required), pyrepo `sum_normalization`.
    Uses `normalise.sum_ratio`."""
    x = as_data(x)
    _positive(x, "sum")
    return _n.sum_ratio(x, direction)


def vector(x, direction=1):
    """Vector: x/√Σx²; cost 1 − x/√Σx². pymcdm `vector_normalization`, pyrepo `vector_normalization`.
    Uses `normalise.vector(cost="one_minus")`."""
    return _n.vector(x, direction, cost="one_minus")


def linear(x, direction=1):
    """Linear: x/max; cost min/x. pymcdm `linear_normalization` (no zeros allowed), pyrepo
    `linear_normalization`. Uses `normalise.max_ratio(cost="min_over_x")`."""
    x = as_data(x)
    if np.any(x == 0):
        raise ValueError("linear normalisation cannot handle zero values (cost criteria divide by x)")
    return _n.max_ratio(x, direction, cost="min_over_x")


# ---------------------------------------------------------------------------------------------
# new formulas


def _positive(x, name):
    if np.any(x <= 0):
        raise ValueError(f"{name} normalisation needs strictly positive values")


def logarithmic(x, direction=1):
    """Logarithmic: ln x / ln Π_i x_i; cost (1 − ln x / ln Π_i x_i)/(m − 1). pymcdm `logarithmic_normalization`
    (pyrepo has none). x > 0 required. ln Π x is taken as Σ ln x (the product over many units overflows);
    m = the observed units of the column."""
    x = as_data(x)
    _positive(x, "logarithmic")
    d = _d(direction, x)
    m = x.shape[-2] - np.count_nonzero(np.isnan(x), axis=-2, keepdims=True)
    with nan_guard():
        lx = np.log(x)
        r = lx / np.nansum(lx, axis=-2, keepdims=True)
        return np.where(d > 0, r, (1.0 - r) / (m - 1.0))


def nonlinear(x, direction=1):
    """Nonlinear: (x/max)²; cost (min/x)³. pymcdm `nonlinear_normalization` (pyrepo has none)."""
    x = as_data(x)
    d = _d(direction, x)
    mn, mx = _minmax_stats(x)
    with nan_guard():
        return np.where(d > 0, (x / mx) ** 2, (mn / x) ** 3)


def enhanced_accuracy(x, direction=1):
    """Enhanced accuracy: 1 − (max − x)/Σ_i(max − x_i); cost 1 − (x − min)/Σ_i(x_i − min).
    pymcdm `enhanced_accuracy_normalization` (pyrepo has none). A constant column is 0/0 (NaN), as in pymcdm."""
    x = as_data(x)
    d = _d(direction, x)
    mn, mx = _minmax_stats(x)
    gap = np.where(d > 0, mx - x, x - mn)
    with nan_guard():
        return 1.0 - gap / np.nansum(gap, axis=-2, keepdims=True)


def zavadskas_turskis(x, direction=1):
    """Zavadskas–Turskis: 1 − |(max − x)/max|; cost 1 − |(min − x)/min|.
    pymcdm `zavadskas_turskis_normalization` (pyrepo has none); Jahan & Edwards (2015)."""
    x = as_data(x)
    d = _d(direction, x)
    mn, mx = _minmax_stats(x)
    with nan_guard():
        return np.where(d > 0, 1.0 - np.abs((mx - x) / mx), 1.0 - np.abs((mn - x) / mn))


# ---------------------------------------------------------------------------------------------
# registry and column-wise application

NORMALISATIONS = {
    "minmax": (minmax, "极差标准化"),
    "max": (max_norm, "最大值比例化（逆向 1 − x/max）"),
    "sum": (sum_norm, "比重法（逆向取倒数）"),
    "vector": (vector, "向量归一化（逆向 1 − x/‖x‖）"),
    "linear": (linear, "线性比例化（逆向 min/x）"),
    "logarithmic": (logarithmic, "对数归一化"),
    "nonlinear": (nonlinear, "非线性归一化"),
    "enhanced_accuracy": (enhanced_accuracy, "增强精度归一化"),
    "zavadskas_turskis": (zavadskas_turskis, "Zavadskas–Turskis 归一化"),
}


def _lookup(name):
    key = name[: -len("_normalization")] if name.endswith("_normalization") else name
    if key not in NORMALISATIONS:
        raise ValueError(f"unknown normalisation {name!r}; use one of {tuple(NORMALISATIONS)}")
    return NORMALISATIONS[key][0]


def normalize_matrix(x, method, direction=1):
    """Normalise each column of x [..., m, n] with `method` — one name from NORMALISATIONS (pymcdm's names,
    with or without the "_normalization" suffix) or a sequence of n names, one per column — and its direction.
    pymcdm `helpers.normalize_matrix(matrix, method, criteria_types)`.

    With several methods the columns are grouped by method and each method is applied once to its columns
    (a loop over the handful of distinct methods, not over columns or units); every method works column by
    column, so the result is the same as pymcdm's column loop.
    """
    x = as_data(x)
    n = x.shape[-1]
    d = directions(direction, n)
    if isinstance(method, str):
        return _lookup(method)(x, d)
    if not isinstance(method, Sequence) or len(method) != n:
        raise ValueError(f"method must be a name or a sequence of {n} names (one per column), got {method!r}")
    funcs = [_lookup(m) for m in method]
    out = np.empty(x.shape)
    for f in dict.fromkeys(funcs):
        cols = [j for j in range(n) if funcs[j] is f]
        out[..., cols] = f(x[..., cols], d[cols])
    return out
