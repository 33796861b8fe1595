"""Weighting (赋权): subjective (explicit, AHP), objective (entropy, CRITIC, CV, PCA) and combined.

Data-driven weights take normalised data z shaped [..., units, indicators] and return weights
shaped [..., indicators] (summing to 1), computed separately for each leading index (year, sample).
For the panel entropy method (面板熵值法) pool years first: z.reshape(T*m, n).

NaN cells are excluded from the column statistics (each column uses its observed units). Columns
without information (constant, all-zero or all-missing) get weight 0 and an EngineWarning.
Every variant is a named string parameter so the manifest can record it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._common import as_data, check_variant, nan_guard, quiet, warn

__all__ = [
    "RI_TABLES",
    "ENTROPY_VARIANTS",
    "AHPResult",
    "EntropyResult",
    "equal",
    "explicit",
    "ahp",
    "entropy",
    "entropy_table",
    "critic",
    "coefficient_of_variation",
    "standard_deviation",
    "PCA_VARIANTS",
    "PCA_ROTATIONS",
    "PCA_LOADINGS",
    "pca",
    "combine",
]


def _normalise_sum(w, axis=-1):
    w = np.asarray(w, dtype=float)
    with nan_guard():
        return w / np.sum(w, axis=axis, keepdims=True)


# ---------------------------------------------------------------------------------------------
# subjective


def equal(n_or_x) -> np.ndarray:
    """Equal weights w_j = 1/n. Pass n, or a data array [..., units, n] to get [..., n]."""
    if np.ndim(n_or_x) == 0:
        n = int(n_or_x)
        return np.full(n, 1.0 / n)
    x = np.asarray(n_or_x)
    return np.full(x.shape[:-2] + x.shape[-1:], 1.0 / x.shape[-1])


def explicit(w) -> np.ndarray:
    """User weights normalised to sum 1 along the last axis: w_j / Σ w. Negative or NaN weights raise."""
    w = np.asarray(w, dtype=float)
    if np.any(np.isnan(w)) or np.any(w < 0):
        raise ValueError("weights must be non-negative numbers")
    if np.any(np.sum(w, axis=-1) == 0):
        raise ValueError("weights sum to 0")
    return _normalise_sum(w)


# Random consistency index RI(n), n = 1..15.
RI_TABLES = {
    # Saaty (1980), as used by R mathmodels (oracle) with RI(12) = 1.48.
    "saaty": (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59),
    # Same, with the RI(12) = 1.54 printed in other reproductions of Saaty's table.
    "saaty_1.54": (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.54, 1.56, 1.57, 1.59),
    # 1000-sample table attributed to 龚木森、许树柏 (1986), the one in Chinese textbooks and code.
    # Checked against many independent Chinese implementations, not against the 1986 paper itself.
    "gong_xu_1000": (0.0, 0.0, 0.52, 0.89, 1.12, 1.26, 1.36, 1.41, 1.46, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59),
}


class AHPResult(NamedTuple):
    weights: np.ndarray  # [..., n]
    lambda_max: np.ndarray  # [...]
    ci: np.ndarray
    ri: float
    cr: np.ndarray
    consistent: np.ndarray  # CR < 0.10


def ahp(A, method: str = "eigenvector", ri_table: str = "saaty") -> AHPResult:
    """AHP weights from a positive reciprocal pairwise matrix A [..., n, n] (a_ij = importance of i over j).

    method:
    - "eigenvector": principal right eigenvector of A, normalised to Σ = 1 (Saaty 1980);
    - "geometric_mean" (方根法): w_i ∝ (Π_j a_ij)^{1/n};
    - "arithmetic_mean" (和积法): w_i = (1/n) Σ_j a_ij / Σ_k a_kj.
    λ_max = (1/n) Σ_i (A w)_i / w_i; CI = (λ_max − n)/(n − 1); CR = CI / RI(n) with the named RI
    table; CR := 0 for n ≤ 2. Source: methods_formulas.md §4; oracle R mathmodels `AHP`.
    """
    check_variant("method", method, ("eigenvector", "geometric_mean", "arithmetic_mean"))
    check_variant("ri_table", ri_table, RI_TABLES)
    A = np.asarray(A, dtype=float)
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ValueError("A must be square [..., n, n]")
    if np.any(A <= 0) or not np.allclose(A * np.swapaxes(A, -1, -2), 1.0, rtol=1e-6, atol=1e-6):
        raise ValueError("A must be a positive reciprocal matrix (a_ij · a_ji = 1)")
    n = A.shape[-1]
    if method == "eigenvector":
        vals, vecs = np.linalg.eig(A)
        k = np.argmax(vals.real, axis=-1)
        v = np.take_along_axis(vecs, k[..., None, None], axis=-1)[..., 0].real
        w = _normalise_sum(np.abs(v))
    elif method == "geometric_mean":
        w = _normalise_sum(np.exp(np.mean(np.log(A), axis=-1)))
    else:
        w = np.mean(A / np.sum(A, axis=-2, keepdims=True), axis=-1)
    lam = np.mean(np.einsum("...ij,...j->...i", A, w) / w, axis=-1)
    if n <= 2:
        ci = np.zeros(lam.shape)
        ri = 0.0
        cr = np.zeros(lam.shape)
    else:
        if n > len(RI_TABLES[ri_table]):
            raise ValueError(f"RI table {ri_table!r} has no value for n = {n}")
        ci = (lam - n) / (n - 1)
        ri = RI_TABLES[ri_table][n - 1]
        cr = ci / ri
    return AHPResult(w, lam, ci, ri, cr, cr < 0.10)


# ---------------------------------------------------------------------------------------------
# entropy

ENTROPY_VARIANTS = ("zero_ln_zero", "shift", "epsilon_rescale", "spssau_shift", "pymcdm")


class EntropyResult(NamedTuple):
    weights: np.ndarray  # [..., n]
    entropy: np.ndarray  # e_j [..., n]
    divergence: np.ndarray  # d_j = 1 − e_j
    z_used: np.ndarray  # the matrix p was computed from (after the variant's shift/rescale)


def _entropy_prepare(z, variant, shift, eps):
    if variant == "shift":
        return z + shift
    if variant == "epsilon_rescale":
        return (1.0 - 2.0 * eps) * z + eps
    if variant == "spssau_shift":
        with quiet():
            mn = np.nanmin(z, axis=-2, keepdims=True)
        return np.where(mn <= 0, z + np.abs(mn) + 0.01, z)
    return z


def entropy_table(z, variant: str = "zero_ln_zero", shift: float = 0.01, eps: float = 0.002) -> EntropyResult:
    """Entropy weight method (熵权法) with a named zero-handling variant.

    p_ij = z'_ij / Σ_i z'_ij;  e_j = −(1/ln m_j) Σ_i p_ij ln p_ij;  d_j = 1 − e_j;  w_j = d_j / Σ_k d_k,
    with m_j the number of observed (non-NaN) units of column j. Variants (z' from z):
    - "zero_ln_zero": z' = z, with the limit 0·ln 0 = 0 (textbook);
    - "shift": z' = z + A (A = `shift`, default 0.01; papers use 1e-4 … 1e-2);
    - "epsilon_rescale": z' = (1 − 2ε) z + ε, ε = `eps` = 0.002 (R mathmodels `entropy_weight`;
      z must be min–max in [0, 1]);
    - "spssau_shift": z' = z + |min_j| + 0.01 only for columns with a value ≤ 0 (SPSSAU);
    - "pymcdm": e_j := 0 when any p_ij = 0 (pymcdm `entropy_weights`; gives such a column maximal
      information — reproduced for comparison only).
    Applying it to raw x (z = x > 0) gives the Elsayed (2017) / pyrepo convention.
    A column with Σ z' = 0 (all zero) or no observations has no information: e_j := 1, w_j = 0, warned.
    Source: methods_formulas.md §1; oracles mathmodels, pymcdm, hand_calculable.
    """
    check_variant("variant", variant, ENTROPY_VARIANTS)
    z = as_data(z)
    zp = _entropy_prepare(z, variant, shift, eps)
    with quiet():
        low = np.nanmin(zp, axis=-2)  # NaN only for an all-missing column
    if np.any(low < 0):
        raise ValueError("entropy needs non-negative data (normalise first, or use a shift variant)")
    tot = np.sum(zp, axis=-2, keepdims=True)  # NaN marks a column with a missing cell
    incomplete = np.isnan(tot[..., 0, :])
    if incomplete.any():
        m = zp.shape[-2] - np.count_nonzero(np.isnan(zp), axis=-2)
        tot = np.nansum(zp, axis=-2, keepdims=True)
    else:
        m = np.full(incomplete.shape, zp.shape[-2])
    with nan_guard():
        p = np.divide(zp, tot)
        plogp = np.log(p)  # −inf where p = 0, NaN where missing
        plogp *= p
        if incomplete.any() or not np.all(low > 0):
            # 0·ln 0 := 0, and a missing cell adds nothing: both are the NaNs of plogp
            np.copyto(plogp, 0.0, where=np.isnan(plogp))
        e = -np.sum(plogp, axis=-2) / np.log(m)
    if variant == "pymcdm":
        e = np.where(low == 0, 0.0, e)  # some p_ij = 0 (a column of zeros is caught as empty below)
    empty = (tot[..., 0, :] == 0) | (m == 0)
    if np.any(empty):
        warn("entropy: column(s) with no information (all zero or all missing) get weight 0")
        e = np.where(empty, 1.0, e)
    single = m == 1
    if np.any(single & ~empty):
        warn("entropy: column(s) with one observation get weight 0")
        e = np.where(single, 1.0, e)
    d = 1.0 - e
    w = _normalise_sum(d)
    if np.any(np.sum(d, axis=-1) == 0):
        warn("entropy: no column carries information; weights undefined (NaN)")
    return EntropyResult(w, e, d, zp)


def entropy(z, variant: str = "zero_ln_zero", shift: float = 0.01, eps: float = 0.002) -> np.ndarray:
    """Entropy weights [..., n]; see `entropy_table` for the formula and the named variants."""
    return entropy_table(z, variant, shift, eps).weights


# ---------------------------------------------------------------------------------------------
# CRITIC, CV, SD


def _nancorr(z):
    """Pearson correlation matrix of the columns [..., n, n], pairwise-complete over units."""
    ok = ~np.isnan(z)
    zz = np.where(ok, z, 0.0)
    okf = ok.astype(float)
    # pairwise counts and sums
    nn = np.einsum("...ij,...ik->...jk", okf, okf)
    sx = np.einsum("...ij,...ik->...jk", zz, okf)  # Σ x_j over units where both observed
    sy = np.swapaxes(sx, -1, -2)
    sxy = np.einsum("...ij,...ik->...jk", zz, zz)
    sxx = np.einsum("...ij,...ik->...jk", zz * zz, okf)
    syy = np.swapaxes(sxx, -1, -2)
    with nan_guard():
        cov = sxy - sx * sy / nn
        vx = sxx - sx * sx / nn
        vy = syy - sy * sy / nn
        return cov / np.sqrt(vx * vy)


def critic(z, correlation: str = "signed", dispersion: str = "std", ddof: int = 1, eps: float = 0.002) -> np.ndarray:
    """CRITIC weights (Diakoulaki et al. 1995): C_j = S_j · Σ_k (1 − r_jk), w_j = C_j / Σ C.

    z: normalised data (min–max). r: Pearson correlation of the columns (pairwise-complete).
    correlation: "signed" (1 − r_jk, the original; required by the hand-calculable oracle) or
    "absolute" (1 − |r_jk|, the "improved CRITIC").
    dispersion S_j: "std" (sd with `ddof`, default n−1); "cv" (sd/mean); "entropy" (R mathmodels
    `critic_weight(method="entropy")`: S_j = 1 − e_j with z clipped to [ε, 1 − ε], ε = 0.002).
    A constant column (S_j = 0, r undefined) gets weight 0 with a warning.
    Source: methods_formulas.md §2; oracles mathmodels, pymcdm (Tuş & Adalı 2019), scikit-criteria.
    """
    check_variant("correlation", correlation, ("signed", "absolute"))
    check_variant("dispersion", dispersion, ("std", "cv", "entropy"))
    z = as_data(z)
    with quiet():
        sd = np.nanstd(z, axis=-2, ddof=ddof)
        if dispersion == "std":
            S = sd
        elif dispersion == "cv":
            S = sd / np.nanmean(z, axis=-2)
        else:
            S = entropy_table(np.clip(z, eps, 1.0 - eps), "zero_ln_zero").divergence
    r = _nancorr(z)
    if correlation == "absolute":
        r = np.abs(r)
    const = sd == 0
    with nan_guard():
        R = np.nansum(1.0 - r, axis=-1)
    if np.any(const):
        warn("critic: constant column(s) get weight 0")
        S = np.where(const, 0.0, S)
    return _normalise_sum(S * R)


def coefficient_of_variation(x, ddof: int = 1) -> np.ndarray:
    """Coefficient-of-variation weights (变异系数法): V_j = s_j / x̄_j on raw positive data (s with
    `ddof`), w_j = V_j / Σ V. Undefined (raises) when a column mean ≤ 0 or a column mixes signs.
    Source: methods_formulas.md §3; oracles mathmodels `cv_weight`, pyrepo `coeff_var_weighting`."""
    x = as_data(x)
    with quiet():
        mn = np.nanmin(x, axis=-2)
        mean = np.nanmean(x, axis=-2)
        sd = np.nanstd(x, axis=-2, ddof=ddof)
    if np.any(mn < 0) or np.any(mean <= 0):
        raise ValueError("coefficient of variation needs non-negative columns with a positive mean")
    return _normalise_sum(sd / mean)


def standard_deviation(z, ddof: int = 0) -> np.ndarray:
    """Standard-deviation weights w_j = s_j / Σ s (pyrepo `std_weighting` uses ddof 0, pymcdm
    `standard_deviation_weights` ddof 1: the same weights on complete data, since the factor cancels)."""
    z = as_data(z)
    with quiet():
        return _normalise_sum(np.nanstd(z, axis=-2, ddof=ddof))


PCA_VARIANTS = ("composite", "first_component")


PCA_ROTATIONS = ("none", "varimax")
PCA_LOADINGS = ("abs", "squared")


def pca(z, n_components: int | None = None, min_eigenvalue: float = 1.0, variant: str = "composite",
        rotation: str = "none", loading: str = "abs") -> np.ndarray:
    """PCA-based weights on the correlation matrix R of z (eigenvalues λ_k, unit eigenvectors u_·k), in two named
    variants:

    - "composite" (default; the common Chinese-literature recipe, 主成分赋权): keep the components with
      λ_k ≥ `min_eigenvalue` (Kaiser rule) or the first `n_components`; optionally rotate their loadings
      (`rotation="varimax"`, R's stats::varimax with Kaiser normalisation, eps 1e-5); then
      a_j = Σ_k λ_k |a_jk| / Σ_k λ_k (`loading="abs"`) or with a_jk² (`"squared"`); w_j = a_j / Σ a. Sign is
      dropped because eigenvector signs are arbitrary (so the indicators' directions do not matter either).
      Needs complete data. Oracle: mathmodels `pca_weight` (zhjx19/mathmodels, docs/reference/pca_weight.md:
      iris[1:10, 1:4], nfs = 2, varimax = TRUE, method "abs" → 0.3653755 0.2576950 0.2288199 0.1481095).
    - "first_component" (COINr `get_PCA`, weights_to: the loadings of the first principal component of
      `prcomp(center = TRUE, scale = TRUE)`): w_j = u_j1 / Σ u_·1, **signed** — COINr keeps negative
      loadings, and its a_amean divides by Σw, which also makes the arbitrary eigenvector sign irrelevant
      (we fix Σ u_·1 ≥ 0 so the printed loadings are deterministic). Units with a missing value are left out
      of the PCA, as COINr's na.omit does. Oracle: COINr ASEM c_pca (ASEM_alt_c_pca_aggregated.csv).
    """
    check_variant("variant", variant, PCA_VARIANTS)
    check_variant("rotation", rotation, PCA_ROTATIONS)
    check_variant("loading", loading, PCA_LOADINGS)
    z = as_data(z)
    if variant == "first_component":
        return _first_component(z)
    if np.any(np.isnan(z)):
        raise ValueError("pca weights need complete data; impute first")
    zc = z - z.mean(axis=-2, keepdims=True)
    cov = np.einsum("...ij,...ik->...jk", zc, zc)
    d = np.sqrt(np.diagonal(cov, axis1=-2, axis2=-1))
    R = cov / (d[..., :, None] * d[..., None, :])
    lam, U = np.linalg.eigh(R)
    lam, U = lam[..., ::-1], U[..., ::-1]
    n = lam.shape[-1]
    if n_components is None:
        keep = lam >= min_eigenvalue
    else:
        if not 1 <= int(n_components) <= n:
            raise ValueError(f"n_components must be between 1 and {n}, got {n_components}")
        keep = np.broadcast_to(np.arange(n) < int(n_components), lam.shape)
    lk = np.where(keep, lam, 0.0)
    A = U
    if rotation == "varimax":
        A = U.copy()
        k_of = keep.sum(axis=-1)  # components kept per slice (the Kaiser rule may keep different numbers)
        flatA, flatk = A.reshape((-1,) + A.shape[-2:]), k_of.reshape(-1)
        for k in np.unique(flatk):  # a few distinct counts; each group is rotated in one batched call
            if k > 1:
                rows = np.flatnonzero(flatk == k)
                flatA[rows, :, :k] = _varimax(flatA[rows, :, :k])
        A = flatA.reshape(A.shape)
    size = np.abs(A) if loading == "abs" else A * A
    a = np.einsum("...jk,...k->...j", size, lk) / np.sum(lk, axis=-1, keepdims=True)
    return _normalise_sum(a)


def _varimax(L, eps: float = 1e-5, max_iter: int = 1000):
    """R's stats::varimax(normalize = TRUE, eps = 1e-5) on a stack of loading matrices [S, p, k], all rotated at
    once; a matrix that has converged keeps its rotation while the others go on (so each equals R's own loop).
    Written here because scipy/statsmodels offer no batched varimax with R's stopping rule."""
    sc = np.sqrt(np.sum(L * L, axis=-1, keepdims=True))
    x = L / sc
    S, p, k = x.shape
    TT = np.broadcast_to(np.eye(k), (S, k, k)).copy()
    d = np.zeros(S)
    active = np.ones(S, dtype=bool)
    for _ in range(max_iter):
        a = np.flatnonzero(active)
        if a.size == 0:
            break
        xa = x[a]
        zz = xa @ TT[a]
        B = np.swapaxes(xa, -1, -2) @ (zz**3 - zz * (np.sum(zz * zz, axis=-2, keepdims=True) / p))
        u, sv, vt = np.linalg.svd(B)
        TT[a] = u @ vt
        dpast, d[a] = d[a], sv.sum(axis=-1)
        active[a[d[a] < dpast * (1 + eps)]] = False
    return (x @ TT) * sc


def _first_component(z):
    complete = ~np.any(np.isnan(z), axis=-1, keepdims=True)  # [..., m, 1] rows PCA may use (na.omit)
    cnt = complete.sum(axis=-2, keepdims=True)
    if np.any(cnt < 2):
        raise ValueError("pca first_component needs at least two units with complete data")
    zc = np.where(complete, z, 0.0)
    zc = np.where(complete, zc - zc.sum(axis=-2, keepdims=True) / cnt, 0.0)
    cov = np.einsum("...ij,...ik->...jk", zc, zc)
    d = np.sqrt(np.diagonal(cov, axis1=-2, axis2=-1))
    if np.any(d == 0):
        raise ValueError("pca first_component: a constant column has no correlation (scale = TRUE divides by 0)")
    R = cov / (d[..., :, None] * d[..., None, :])
    _, U = np.linalg.eigh(R)
    u = U[..., :, -1]  # the largest eigenvalue's vector
    u = np.where(np.sum(u, axis=-1, keepdims=True) < 0, -u, u)
    s = np.sum(u, axis=-1, keepdims=True)
    if np.any(np.abs(s) < 1e-12):
        raise ValueError("pca first_component: the loadings sum to 0, so Σw-normalised weights do not exist")
    return u / s


# ---------------------------------------------------------------------------------------------
# combination


def combine(ws, method: str = "linear", alpha: float = 0.5, game_normalise: str = "sum") -> np.ndarray:
    """Combined weights (组合赋权) from K weight vectors ws [K, ..., n] (e.g. [w_subjective, w_objective]).

    - "linear": w = α w_1 + (1 − α) w_2 (K = 2);
    - "multiplicative": w = Π_k w_k / Σ_j Π_k w_k;
    - "geometric" (minimum discrimination information): w = (Π_k w_k)^{1/K} / Σ (Π_k w_k)^{1/K};
    - "game_theory" (博弈论组合): solve [w_k · w_l] a = [w_k · w_k] (K×K), normalise a by Σ a
      (`game_normalise="sum"`, R mathmodels) or |a|/Σ|a| ("abs"), w* = Σ_k a_k w_k, renormalised.
    Source: methods_formulas.md §5; oracles mathmodels `combine_weights`, hand_calculable.
    """
    check_variant("method", method, ("linear", "multiplicative", "geometric", "game_theory"))
    check_variant("game_normalise", game_normalise, ("sum", "abs"))
    W = np.asarray(ws, dtype=float)
    if W.shape[0] < 2:
        raise ValueError("need at least two weight vectors")
    if method == "linear":
        if W.shape[0] != 2:
            raise ValueError("linear combination takes exactly two weight vectors")
        return _normalise_sum(alpha * W[0] + (1.0 - alpha) * W[1])
    if method == "multiplicative":
        return _normalise_sum(np.prod(W, axis=0))
    if method == "geometric":
        return _normalise_sum(np.prod(W, axis=0) ** (1.0 / W.shape[0]))
    Wm = np.moveaxis(W, 0, -2)  # [..., K, n]
    G = np.einsum("...kn,...ln->...kl", Wm, Wm)
    rhs = np.diagonal(G, axis1=-2, axis2=-1)
    a = np.linalg.solve(G, rhs[..., None])[..., 0]
    if game_normalise == "abs":
        a = np.abs(a)
    a = a / np.sum(a, axis=-1, keepdims=True)
    return _normalise_sum(np.einsum("...k,...kn->...n", a, Wm))
