"""How alike are two rankings (排名相似性/距离): correlation coefficients and distances between rankings.

Every measure takes two rank vectors x, y [..., m] (1 = best; ties as average or dense ranks), broadcasts
their leading axes (years, samples, methods) and returns [...]. The robustness layer compares a sampled
ranking with the nominal one; `pairwise` gives the matrix of a measure over several rankings.

Correlations (1 = identical): Spearman r_s, Pearson r, weighted Spearman r_w (Pinto da Costa & Soares
2005), the WS rank similarity coefficient (Sałabun & Urbaniak 2020), Kendall τ, Goodman–Kruskal γ.
Distances (0 = identical): drastic WS distance (DraWS, Sałabun & Shekhovtsov 2023), Kemeny (1959) and
Frobenius (Dezert, Shekhovtsov & Sałabun 2024) distances between the preference score matrices
S_ij = sign(r_j − r_i).

Formulas follow pymcdm 1.4.0 (`pymcdm.correlations`, `pymcdm.distances`) and pyrepo-mcda 0.1.15
(`pyrepo_mcda.correlations`, `additions.rank_preferences`); they are re-implemented in vectorised numpy
because the robustness layer compares thousands of sampled rankings at once (the libraries take one pair of
1-D vectors per call, with Python loops over pairs of units). Where the libraries differ the difference is a
named variant: Spearman "correlation" (pymcdm: Pearson's r of the ranks, exact with ties) or "classic"
(pyrepo: 1 − 6Σd²/(n(n²−1)), exact without ties); Kendall "a" (pymcdm `kendall_tau`, pyrepo `kendall`) or
"b" (scipy's τ_b, pyrepo `kendall_tau`).

Missing values: a NaN rank in either vector gives a NaN result for that pair of rankings. Undefined values
(zero variance, no comparable pairs, m = 1) are NaN. The pair-based measures (Kendall, γ, Kemeny, Frobenius)
sum over the m(m−1)/2 pairs of units in row blocks, so memory stays bounded for thousands of units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal

import numpy as np

from .._common import check_variant, nan_guard, quiet
from ..rank import rank as _rank

__all__ = [
    "spearman",
    "pearson",
    "weighted_spearman",
    "ws",
    "kendall_tau",
    "goodman_kruskal_gamma",
    "draws",
    "kemeny",
    "frobenius",
    "rank_preferences",
    "pairwise",
    "Measure",
    "MEASURES",
]

SPEARMAN_FORMULAS = ("correlation", "classic")
KENDALL_VARIANTS = ("a", "b")
_BLOCK_CELLS = 1 << 22  # pair-matrix cells per block (int8 signs: 4 MB per temporary)


def _pair(x, y) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError("rankings must be arrays [..., m]")
    if x.shape[-1] == 0 or y.shape[-1] == 0:
        raise ValueError("rankings must be non-empty")
    if x.shape[-1] != y.shape[-1]:
        raise ValueError(f"rankings have different lengths ({x.shape[-1]} and {y.shape[-1]})")
    return np.broadcast_arrays(x, y)


def _centred_corr(x, y):
    with quiet():
        xc = x - np.mean(x, axis=-1, keepdims=True)
        yc = y - np.mean(y, axis=-1, keepdims=True)
        num = np.sum(xc * yc, axis=-1)
        den = np.sqrt(np.sum(xc * xc, axis=-1) * np.sum(yc * yc, axis=-1))
        return np.where(den > 0, num / den, np.nan) + 0.0 * num  # NaN input stays NaN


def pearson(x, y) -> np.ndarray:
    """Pearson correlation r = Σ(x − x̄)(y − ȳ) / √(Σ(x − x̄)² Σ(y − ȳ)²) (pymcdm `pearson`, pyrepo
    `pearson_coeff`). Zero variance → NaN."""
    x, y = _pair(x, y)
    return _centred_corr(x, y)


def spearman(x, y, formula: str = "correlation") -> np.ndarray:
    """Spearman rank correlation of rank vectors.

    "correlation" (default, pymcdm `spearman`): Pearson's r of the ranks, valid with tied (average) ranks.
    "classic" (pyrepo `spearman`): r_s = 1 − 6 Σ (x_i − y_i)² / (n (n² − 1)); equal to the former only
    without ties. Source: Sałabun & Urbaniak (ICCS 2020), pyrepo test_correlations (R=[1..5], Q=[1,3,2,4,5] → 0.9).
    """
    check_variant("formula", formula, SPEARMAN_FORMULAS)
    x, y = _pair(x, y)
    if formula == "correlation":
        return _centred_corr(x, y)
    n = x.shape[-1]
    with nan_guard():
        return 1.0 - 6.0 * np.sum((x - y) ** 2, axis=-1) / (n * (n * n - 1.0))


def weighted_spearman(x, y) -> np.ndarray:
    """Weighted Spearman r_w = 1 − 6 Σ (x_i − y_i)² ((N − x_i + 1) + (N − y_i + 1)) / (N⁴ + N³ − N² − N)
    (Pinto da Costa & Soares 2005; pymcdm `weighted_spearman`, pyrepo `weighted_spearman`): disagreements
    near the top weigh more."""
    x, y = _pair(x, y)
    N = x.shape[-1]
    num = 6.0 * np.sum((x - y) ** 2 * ((N - x + 1) + (N - y + 1)), axis=-1)
    with nan_guard():
        return 1.0 - num / float(N**4 + N**3 - N**2 - N)


def ws(x, y) -> np.ndarray:
    """WS rank similarity coefficient (Sałabun & Urbaniak, ICCS 2020; pymcdm `rank_similarity_coef`, pyrepo
    `WS_coeff`): WS = 1 − Σ_i 2^{−x_i} |x_i − y_i| / max(|x_i − 1|, |x_i − N|). Asymmetric: x is the
    reference ranking; a difference at the top matters most. In [0, 1]."""
    x, y = _pair(x, y)
    N = x.shape[-1]
    with nan_guard():
        return 1.0 - np.sum(2.0 ** (-x) * np.abs(x - y) / np.maximum(np.abs(1.0 - x), np.abs(N - x)), axis=-1)


def _pair_sums(x, y, keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Sums over pairs i < j of s_x = sign(x_j − x_i), s_y likewise, for the requested keys: "sxsy" Σ s_x s_y,
    "absx" Σ|s_x|, "absy" Σ|s_y|, "abs_sxsy" Σ|s_x s_y|, "absdiff" Σ|s_x − s_y|, "sqdiff" Σ(s_x − s_y)².
    Every summand is symmetric in (i, j) and 0 on the diagonal, so the full matrix is summed and halved.
    Signs are int8 and sums int64 (exact). Rows are taken in blocks so that a block's pair matrix stays bounded (a memory measure for thousands of
    units; every block is vectorised over leading axes)."""
    m = x.shape[-1]
    lead = int(np.prod(x.shape[:-1], dtype=np.int64)) if x.ndim > 1 else 1
    step = max(1, _BLOCK_CELLS // max(1, lead * m))
    acc = {k: np.zeros(x.shape[:-1], dtype=np.int64) for k in keys}

    def sign(v, a, b):  # int8 signs from two comparisons: ~2× faster than np.sign of a float difference
        hi, lo = v[..., None, :] > v[..., a:b, None], v[..., None, :] < v[..., a:b, None]
        return hi.view(np.int8) - lo.view(np.int8)

    def add(key, arr):
        acc[key] += arr.sum(axis=(-2, -1), dtype=np.int64)

    for a in range(0, m, step):
        b = min(m, a + step)
        sx, sy = sign(x, a, b), sign(y, a, b)  # [..., B, m]
        if "sxsy" in keys or "abs_sxsy" in keys:
            prod = sx * sy
            if "sxsy" in keys:
                add("sxsy", prod)
            if "abs_sxsy" in keys:
                add("abs_sxsy", np.abs(prod))
        if "absx" in keys:
            add("absx", np.abs(sx))
        if "absy" in keys:
            add("absy", np.abs(sy))
        if "absdiff" in keys or "sqdiff" in keys:
            diff = np.subtract(sx, sy, out=sx)
            if "absdiff" in keys:
                add("absdiff", np.abs(diff))
            if "sqdiff" in keys:
                add("sqdiff", diff * diff)
    # comparisons with NaN are False, so a missing rank is marked explicitly
    miss = np.isnan(x).any(axis=-1) | np.isnan(y).any(axis=-1)
    return {k: np.where(miss, np.nan, v / 2.0) for k, v in acc.items()}


def kendall_tau(x, y, variant: str = "a") -> np.ndarray:
    """Kendall's τ over the pairs i < j with s = sign of the pair difference.

    "a" (default; pymcdm `kendall_tau`, pyrepo `kendall`): τ_a = Σ s_x s_y / (n(n − 1)/2).
    "b" (scipy `kendalltau`, pyrepo `kendall_tau`): τ_b = Σ s_x s_y / √(Σ|s_x| Σ|s_y|) (tie-corrected).
    """
    check_variant("variant", variant, KENDALL_VARIANTS)
    x, y = _pair(x, y)
    s = _pair_sums(x, y, ("sxsy",) if variant == "a" else ("sxsy", "absx", "absy"))
    n = x.shape[-1]
    with quiet():
        if variant == "a":
            return s["sxsy"] / (n * (n - 1) / 2.0)
        return s["sxsy"] / np.sqrt(s["absx"] * s["absy"])


def goodman_kruskal_gamma(x, y) -> np.ndarray:
    """Goodman–Kruskal γ = (N_s − N_d) / (N_s + N_d) over concordant/discordant pairs (ties in either ranking
    left out) (pymcdm `goodman_kruskal_gamma`, pyrepo `goodman_kruskal`). No comparable pair → NaN."""
    x, y = _pair(x, y)
    s = _pair_sums(x, y, ("sxsy", "abs_sxsy"))
    with quiet():
        return np.where(s["abs_sxsy"] > 0, s["sxsy"] / s["abs_sxsy"], np.nan) + 0.0 * s["sxsy"]


def draws(x, y) -> np.ndarray:
    """Drastic WS distance (Sałabun & Shekhovtsov, FedCSIS 2023; pymcdm `draWS`):
    DraWS = Σ_{i=1}^{N} 2^{−i} [x_i ≠ y_i] / (1 − 2^{−N}) — position i of the vectors (alternative order as
    given) weighs 2^{−i}. In [0, 1], 0 = identical."""
    x, y = _pair(x, y)
    N = x.shape[-1]
    wts = 2.0 ** -np.arange(1, N + 1)
    d = np.sum(wts * (x != y), axis=-1) / (1.0 - 2.0 ** (-N))
    return np.where(np.isnan(x).any(axis=-1) | np.isnan(y).any(axis=-1), np.nan, d)


def kemeny(x, y) -> np.ndarray:
    """Kemeny distance (Kemeny 1959; pymcdm `kemeny`): ½ Σ_{i,j} |S^x_ij − S^y_ij| with the preference
    score matrix S_ij = sign(r_j − r_i) (1 if i is ranked before j, −1 after, 0 tied); = Σ_{i<j} |Δ|."""
    x, y = _pair(x, y)
    return _pair_sums(x, y, ("absdiff",))["absdiff"]


def frobenius(x, y) -> np.ndarray:
    """Frobenius distance between preference score matrices (Dezert, Shekhovtsov & Sałabun, Heliyon 2024;
    pymcdm `frobenius`): ‖S^x − S^y‖_F = √(Σ_{i,j} (S^x_ij − S^y_ij)²) = √(2 Σ_{i<j} Δ²)."""
    x, y = _pair(x, y)
    return np.sqrt(2.0 * _pair_sums(x, y, ("sqdiff",))["sqdiff"])


def rank_preferences(pref, reverse: bool = True) -> np.ndarray:
    """Preferences [..., m] → ranks [..., m] (pyrepo `additions.rank_preferences`): equal preferences share a
    rank and the next distinct value gets the next integer (dense ranking 1, 2, 2, 3). reverse=True: the
    largest preference is rank 1 (TOPSIS, CODAS …); reverse=False: the smallest is (VIKOR, SPOTIS …).
    Ties are exact equality, as in pyrepo. NaN preference → NaN rank (floats)."""
    return _rank(pref, ties="dense", higher_is_better=bool(reverse))


def pairwise(rankings, measure: str | Callable = "spearman", **options) -> np.ndarray:
    """Matrix of a measure between every two of R rankings [..., R, m] → [..., R, R] (pymcdm
    `helpers.correlation_matrix`, rows as rankings); entry (a, b) = measure(ranking a, ranking b)."""
    f = MEASURES[measure].func if isinstance(measure, str) else measure
    r = np.asarray(rankings, dtype=float)
    if r.ndim < 2:
        raise ValueError("pairwise needs rankings [..., R, m]")
    return f(r[..., :, None, :], r[..., None, :, :], **options)


@dataclass(frozen=True)
class Measure:
    name: str
    label_zh: str
    func: Callable[..., np.ndarray]
    kind: Literal["correlation", "distance"]
    better: Literal["higher", "lower"]  # which way means "more alike"
    symmetric: bool
    reference: str = ""


MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure("spearman", "斯皮尔曼等级相关系数", spearman, "correlation", "higher", True,
                "Spearman (1904); pymcdm correlations.spearman / pyrepo correlations.spearman"),
        Measure("pearson", "皮尔逊相关系数", pearson, "correlation", "higher", True,
                "pymcdm correlations.pearson / pyrepo correlations.pearson_coeff"),
        Measure("weighted_spearman", "加权斯皮尔曼相关系数", weighted_spearman, "correlation", "higher", True,
                "Pinto da Costa & Soares (2005) ANZ J Stat 47(4):515-529"),
        Measure("ws", "WS 排名相似系数", ws, "correlation", "higher", False,
                "Sałabun & Urbaniak (2020) ICCS, LNCS 12137:632-645"),
        Measure("kendall_tau", "肯德尔 τ 相关系数", kendall_tau, "correlation", "higher", True,
                "Kendall (1938); pymcdm correlations.kendall_tau (τ_a), scipy kendalltau (τ_b)"),
        Measure("goodman_kruskal_gamma", "Goodman–Kruskal γ 系数", goodman_kruskal_gamma, "correlation", "higher", True,
                "Goodman & Kruskal (1954); pymcdm correlations.goodman_kruskal_gamma"),
        Measure("draws", "DraWS 剧烈排名距离", draws, "distance", "lower", True,
                "Sałabun & Shekhovtsov (2023) FedCSIS 731-738; pymcdm distances.draWS"),
        Measure("kemeny", "Kemeny 排名距离", kemeny, "distance", "lower", True,
                "Kemeny (1959) Daedalus 88(4):577-591; pymcdm distances.kemeny"),
        Measure("frobenius", "Frobenius 排名距离", frobenius, "distance", "lower", True,
                "Dezert, Shekhovtsov & Sałabun (2024) Heliyon 10(7); pymcdm distances.frobenius"),
    )
}
