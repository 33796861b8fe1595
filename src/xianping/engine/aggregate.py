"""Aggregation (综合/合成) of normalised indicators into scores.

Data x is [..., units, indicators]; weights w are [..., indicators] or [indicators]; scores are
[..., units]. Leading axes (years, samples) broadcast.

Missing values (NaN): `nan="propagate"` (default: any missing input gives a missing score) or
`nan="renormalise"` (available-case: the weights of the observed indicators are rescaled to sum 1,
as COINr `a_amean` and friends do with na.rm). Both are named so the manifest records the choice.

The weighted means are all quasi-arithmetic means M_φ = φ⁻¹(Σ w_j φ(x_j) / Σ w_j) with
φ = identity (arithmetic), log (geometric), 1/x (harmonic), x^p (generalised, power p).
`aggregate_groups` applies one of them to groups of columns at once (a level of an indicator
tree) by a matrix product; `effective_weights` gives each indicator's weight in the final score.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._common import as_data, check_variant, directions, expand_cols, nan_guard, quiet
from . import normalise as _norm

__all__ = [
    "MEANS",
    "NAN_POLICIES",
    "ZERO_POLICIES",
    "weighted_arithmetic",
    "geometric",
    "harmonic",
    "generalised_mean",
    "aggregate_groups",
    "effective_weights",
    "TopsisResult",
    "topsis",
    "GreyResult",
    "grey_relational",
    "grey_topsis",
]

MEANS = ("arithmetic", "geometric", "harmonic", "generalised")
NAN_POLICIES = ("propagate", "renormalise")
ZERO_POLICIES = ("error", "epsilon", "skip")


def _membership(groups, w, n, signed: bool = False):
    """Weighted membership matrix [..., n, G] for integer group labels 0..G-1 (or a single group)."""
    if groups is None:
        labels = np.zeros(n, dtype=np.int64)
        G = 1
    else:
        labels = np.asarray(groups)
        if labels.shape != (n,):
            raise ValueError(f"groups must have one label per indicator ({n}), got shape {labels.shape}")
        if labels.dtype.kind not in "iu":
            raise ValueError("groups must be integer labels 0..G-1 (map names to codes at the edge)")
        G = int(labels.max()) + 1
    onehot = (labels[:, None] == np.arange(G)[None, :]).astype(float)  # [n, G]
    if w is None:
        w = np.ones(n)
    w = np.asarray(w, dtype=float)
    if w.shape[-1] != n:
        raise ValueError(f"weights have {w.shape[-1]} entries, data has {n} indicators")
    if not signed and np.any(w < 0):
        raise ValueError("weights must be non-negative (signed weights, e.g. COINr's PCA loadings, must be declared)")
    return w[..., :, None] * onehot  # [..., n, G]


def _quasi_mean(x, W, phi, phi_inv, nan):
    """φ⁻¹( Σ_j W_jg φ(x_ij) / Σ_j W_jg ) with the NaN policy; x [..., m, n], W [..., n, G] → [..., m, G]."""
    check_variant("nan", nan, NAN_POLICIES)
    obs = ~np.isnan(x)
    with nan_guard():
        fx = phi(x)
    fx0 = np.where(obs, fx, 0.0)
    num = fx0 @ W
    if nan == "renormalise":
        den = obs.astype(float) @ W
    else:
        den = np.sum(W, axis=-2, keepdims=True)
        # a NaN in a column with a non-zero weight makes the group NaN
        miss = (~obs).astype(float) @ (W != 0).astype(float)
        num = np.where(miss > 0, np.nan, num)
    with nan_guard():
        return phi_inv(num / den)


def _zero_policy(x, zero, eps):
    check_variant("zero", zero, ZERO_POLICIES)
    if np.any(x < 0):
        raise ValueError("geometric/harmonic means need non-negative data (use min_max to [1, 100] or a shift)")
    if zero == "error":
        if np.any(x == 0):
            raise ValueError("zero value in a geometric/harmonic mean (choose zero='epsilon' or 'skip', or rescale to [1, 100])")
        return x
    if zero == "epsilon":
        return np.where(x == 0, eps, x)
    return np.where(x == 0, np.nan, x)  # skip: a zero is excluded like a missing value


def aggregate_groups(x, groups=None, w=None, method: str = "arithmetic", p: float | None = None,
                     nan: str = "propagate", zero: str = "error", eps: float = 1e-6, signed: bool = False) -> np.ndarray:
    """Aggregate columns by group: x [..., m, n], integer `groups` (n,) → [..., m, G] (G = max+1);
    groups=None aggregates all columns into one. Weights are normalised within each group.

    method: "arithmetic" Σ w x / Σ w; "geometric" Π x^{w/Σw}; "harmonic" Σw / Σ (w/x);
    "generalised" (Σ w x^p / Σ w)^{1/p} (p = 0 → geometric). Source: COINr a_amean, a_gmean,
    a_hmean, a_genmean (oracle aggfuncs_smallvec); OECD/JRC Handbook 2008 §6.
    `zero` (geometric, harmonic, generalised with p ≤ 0): "error" (default), "epsilon" (0 → eps),
    "skip" (zeros excluded; needs nan="renormalise" to give a number).
    `signed=True` lets weights be negative (COINr a_amean takes them as they come, Σ w x / Σ w; its PCA
    weights are signed loadings); only the arithmetic mean has a meaning then.
    """
    check_variant("method", method, MEANS)
    if signed and method != "arithmetic":
        raise ValueError(f"signed (negative) weights only work with the arithmetic mean, not {method}")
    x = as_data(x)
    n = x.shape[-1]
    W = _membership(groups, w, n, signed)
    if method == "generalised":
        if p is None:
            raise ValueError("generalised mean needs p")
        if p == 0:
            method = "geometric"
        elif p == 1:
            method = "arithmetic"
    if method == "arithmetic":
        return _quasi_mean(x, W, lambda v: v, lambda v: v, nan)
    if method == "geometric":
        x = _zero_policy(x, zero, eps)
        return _quasi_mean(x, W, np.log, np.exp, nan)
    if method == "harmonic":
        x = _zero_policy(x, zero, eps)
        return _quasi_mean(x, W, lambda v: 1.0 / v, lambda v: 1.0 / v, nan)
    if p < 0:
        x = _zero_policy(x, zero, eps)
    elif np.any(x < 0):
        raise ValueError("generalised mean needs non-negative data")
    return _quasi_mean(x, W, lambda v: v**p, lambda v: v ** (1.0 / p), nan)


def weighted_arithmetic(x, w=None, nan: str = "propagate") -> np.ndarray:
    """Weighted arithmetic mean S_i = Σ_j w_j z_ij / Σ_j w_j (linear additive, 线性加权) → [..., m]."""
    return aggregate_groups(x, None, w, "arithmetic", nan=nan)[..., 0]


def geometric(x, w=None, zero: str = "error", eps: float = 1e-6, nan: str = "propagate") -> np.ndarray:
    """Weighted geometric mean S_i = Π_j z_ij^{w_j/Σw} → [..., m]; zero policy error|epsilon|skip."""
    return aggregate_groups(x, None, w, "geometric", nan=nan, zero=zero, eps=eps)[..., 0]


def harmonic(x, w=None, zero: str = "error", eps: float = 1e-6, nan: str = "propagate") -> np.ndarray:
    """Weighted harmonic mean S_i = Σ w / Σ_j (w_j / z_ij) → [..., m]."""
    return aggregate_groups(x, None, w, "harmonic", nan=nan, zero=zero, eps=eps)[..., 0]


def generalised_mean(x, w=None, p: float = 2.0, zero: str = "error", eps: float = 1e-6, nan: str = "propagate") -> np.ndarray:
    """Weighted power mean S_i = (Σ_j w_j z_ij^p / Σ w)^{1/p} → [..., m] (p=1 arithmetic, 0 geometric, −1 harmonic)."""
    return aggregate_groups(x, None, w, "generalised", p=p, nan=nan, zero=zero, eps=eps)[..., 0]


def effective_weights(levels) -> list[np.ndarray]:
    """Effective weight of every node of an aggregation tree in the top score.

    `levels` lists the tree from the indicators up: levels[k] = (parents, weights) where parents[i]
    is the integer index of node i's parent in level k+1 and weights[i] its (unnormalised) weight
    among its siblings; the last level's parents all point to the single root (0).
    Effective weight = Π along the path to the root of w_node / Σ_{siblings} w (COINr
    `get_eff_weights`). Returns one array per level (indicators first); each level sums to 1.
    Valid for arithmetic aggregation; with geometric means it is the exponent share instead.
    """
    norm = []
    for parents, w in levels:
        parents = np.asarray(parents)
        w = np.asarray(w, dtype=float)
        tot = np.zeros(int(parents.max()) + 1)
        np.add.at(tot, parents, w)
        norm.append(w / tot[parents])
    eff = [None] * len(levels)
    up = np.ones(1)  # the root
    for k in range(len(levels) - 1, -1, -1):
        parents = np.asarray(levels[k][0])
        eff[k] = norm[k] * up[parents]
        up = eff[k]
    return eff


# ---------------------------------------------------------------------------------------------
# TOPSIS


def _weighted_distance(t, f):
    """√(Σ_j f_j t_ij²) for t [..., m, n] (squared in place) and f [..., n]: a matrix–vector product
    instead of a weighted copy and a sum."""
    np.multiply(t, t, out=t)
    f = np.asarray(f, dtype=float)
    return np.sqrt(np.matmul(t, f[..., None])[..., 0])


class TopsisResult(NamedTuple):
    d_plus: np.ndarray  # [..., m] distance to the positive ideal
    d_minus: np.ndarray  # [..., m] distance to the negative ideal
    closeness: np.ndarray  # [..., m] C = D− / (D+ + D−)
    ideal_plus: np.ndarray  # [..., n] in the normalised (unweighted) space
    ideal_minus: np.ndarray


def topsis(x, w, direction=1, normalisation: str = "vector", weighting: str = "multiply",
           ideal: str = "observed", ideal_values=None) -> TopsisResult:
    """TOPSIS (Hwang & Yoon 1981) with the normalisation and the weighting form declared.

    1. normalisation: "vector" b = x/√Σx² (no flip; directions go into the ideals);
       "min_max" (pymcdm default): b = min–max with cost columns flipped, so all columns are
       benefit afterwards; "none": x is already normalised (directions still pick the ideals).
    2. weighting: "multiply" v = w·b then Euclidean distance (classic; pymcdm, mathmodels);
       "inside_distance" D = √Σ_j w_j (b_j − b*_j)² (SPSSAU/SPSSPRO 熵权TOPSIS). They differ
       ("multiply" equals "inside_distance" with weights w²).
    3. ideal: "observed" (column best/worst of this cross-section), "theoretical" (1/0, for
       min_max-type data), or pass `ideal_values=(b_plus, b_minus)` in the normalised space
       (fixed ideals from targets, for monitoring across years).
    4. C_i = D_i− / (D_i+ + D_i−).
    Source: methods_formulas.md §6; oracles mathmodels `topsis`, pymcdm TOPSIS (Opricovic & Tzeng
    2004), scikit-criteria (Tzeng & Huang 2011), pyrepo (Ersoy 2021).
    """
    check_variant("normalisation", normalisation, ("vector", "min_max", "none"))
    check_variant("weighting", weighting, ("multiply", "inside_distance"))
    check_variant("ideal", ideal, ("observed", "theoretical"))
    x = as_data(x)
    n = x.shape[-1]
    d = directions(direction, n)
    extremes = None  # (min_j, max_j) of b when known without a pass over b
    if normalisation == "vector":
        b = _norm.vector(x)
    elif normalisation == "min_max":
        mn, mx = _norm.range_anchors(x)
        b = _norm.min_max(x, d, anchors=(mn, mx))
        # b is monotone in x column by column, so its extremes are the images of min_j and max_j,
        # computed by the same formula: bit for bit nanmin/nanmax(b) without two more passes
        ends = _norm.min_max(np.stack([mn, mx], axis=-2), d, anchors=(mn, mx))
        with quiet():
            extremes = np.fmin(ends[..., 0, :], ends[..., 1, :]), np.fmax(ends[..., 0, :], ends[..., 1, :])
        d = np.ones(n)
    else:
        b = x
    w = np.asarray(w, dtype=float)
    w = w / np.sum(w, axis=-1, keepdims=True)
    if ideal_values is not None:
        bp, bm = (np.asarray(v, dtype=float) for v in ideal_values)
    elif ideal == "theoretical":
        bp = np.broadcast_to(np.where(d > 0, 1.0, 0.0), b.shape[:-2] + (n,))
        bm = np.broadcast_to(np.where(d > 0, 0.0, 1.0), b.shape[:-2] + (n,))
    else:
        if extremes is None:
            with quiet():
                extremes = np.nanmin(b, axis=-2), np.nanmax(b, axis=-2)
        lo, hi = extremes
        bp = np.where(d > 0, hi, lo)
        bm = np.where(d > 0, lo, hi)
    f = w * w if weighting == "multiply" else w
    # D² = Σ_j f_j (b_ij − b*_j)², squared in place and reduced by a matrix–vector product (NaN
    # propagates as in a sum). With min–max the negative ideal is 0, so D− needs no difference array,
    # and b (ours, not the caller's x) becomes b − b+ in place: one data-sized buffer in all.
    bpc, bmc = expand_cols(bp, x.ndim), expand_cols(bm, x.ndim)
    if not np.any(bm):
        dm = np.sqrt(np.einsum("...ij,...ij,...j->...i", b, b, f))
    else:
        dm = _weighted_distance(np.subtract(b, bmc), f)
    own = b is not x and np.broadcast_shapes(b.shape, bpc.shape) == b.shape
    dp = _weighted_distance(np.subtract(b, bpc, out=b if own else None), f)
    with nan_guard():
        c = dm / (dp + dm)
    return TopsisResult(dp, dm, c, bp, bm)


# ---------------------------------------------------------------------------------------------
# grey relational analysis


class GreyResult(NamedTuple):
    coefficients: np.ndarray  # ξ_ij [..., m, n]
    degree: np.ndarray  # r_i [..., m]


def grey_relational(x, w=None, reference=None, rho: float = 0.5) -> GreyResult:
    """Grey relational analysis (Deng 1982; 灰色关联分析) on normalised data x [..., m, n].

    Reference series x0 [..., n] (default: the column maximum of x, i.e. the ideal after
    orientation); Δ_ij = |x0_j − x_ij|; with the two-level extremes Δmin = min_i min_j Δ_ij and
    Δmax = max_i max_j Δ_ij of each cross-section,
    ξ_ij = (Δmin + ρ Δmax) / (Δ_ij + ρ Δmax), ρ = 0.5;  r_i = Σ_j w_j ξ_ij (w default equal).
    Orientation matters: units are rows and the comparison runs along indicators (see the
    documented BUG of mathmodels `grey_corr_topsis`). NaN cells are skipped in the extremes and
    propagate into r_i. Source: methods_formulas.md §7; oracle mathmodels `grey_corr`.
    """
    x = as_data(x)
    n = x.shape[-1]
    with quiet():
        x0 = np.nanmax(x, axis=-2) if reference is None else np.asarray(reference, dtype=float)
    delta = np.abs(expand_cols(x0, x.ndim) - x)
    with quiet():
        dmin = np.nanmin(delta, axis=(-2, -1), keepdims=True)
        dmax = np.nanmax(delta, axis=(-2, -1), keepdims=True)
        xi = (dmin + rho * dmax) / (delta + rho * dmax)
    ww = np.full(n, 1.0 / n) if w is None else np.asarray(w, dtype=float)
    ww = ww / np.sum(ww, axis=-1, keepdims=True)
    r = np.sum(xi * expand_cols(ww, x.ndim), axis=-1)
    return GreyResult(xi, r)


def grey_topsis(x, w, direction=1) -> np.ndarray:
    """Grey relational TOPSIS (灰色关联TOPSIS) closeness C_i = r_i+ / (r_i+ + r_i−).

    b = min–max with cost columns flipped; v = w·b; r± = mean_j ξ_ij of v against the column
    maximum (r+) and minimum (r−) of v, ρ = 0.5 (grey_relational). This is what R mathmodels
    `grey_corr_topsis` intends; the package's own printed numbers are wrong (it compares along
    objects; oracle README trap 1). Correct values reproduced: [0.41935, 0.51532, 0.58065].
    """
    b = _norm.min_max(x, direction)
    w = np.asarray(w, dtype=float)
    v = b * expand_cols(w / np.sum(w, axis=-1, keepdims=True), b.ndim)
    with quiet():
        rp = grey_relational(v, reference=np.nanmax(v, axis=-2)).degree
        rm = grey_relational(v, reference=np.nanmin(v, axis=-2)).degree
    return rp / (rp + rm)
