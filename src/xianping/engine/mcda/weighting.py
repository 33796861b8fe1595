"""Objective weighting methods from the MCDA libraries (MEREC, Gini, CILOS, IDOCRIW, angle, LOPCOW, variance)
and the subjective RANCOM, as `WEIGHTINGS` for frameworks and the pipeline.

Every method takes a decision matrix x [..., units, criteria] (leading axes: years, samples) and returns
weights [..., criteria] summing to 1; the `*_table` functions also return the intermediate tables
(pymcdm-style explainability). The formulas follow pymcdm 1.4.0 (`pymcdm.weights`) and pyrepo-mcda 0.1.15
(`pyrepo_mcda.weighting_methods`); they are re-implemented in vectorised numpy because our engine evaluates
all years and all robustness samples in one call, which the libraries (one 2-D matrix per call, Python loops
over criteria and units) cannot do. Where the two libraries differ the difference is a named option.

NaN means missing: column statistics use the observed units of each column; a per-unit quantity of a unit
with a missing criterion (MEREC's S_i) is NaN and left out of the column sums. A column without information
(constant, or fewer than two observations) gets weight 0 with an EngineWarning where the method would divide
by zero.

The methods that need criterion directions (MEREC, CILOS, IDOCRIW, LOPCOW, angle "pyrepo") take them as
`direction` (scalar or ±1 per criterion, see `_common.directions`).

Already in `xianping.engine.weights` (used here, not re-implemented): equal, explicit, AHP, entropy
(`entropy_table`, variants "zero_ln_zero" = pyrepo and "pymcdm"), CRITIC, coefficient of variation, standard
deviation, PCA, combinations. `std` is registered here as well because the pipeline does not offer it yet.
"""

from __future__ import annotations

import dataclasses

from typing import NamedTuple

import numpy as np

from .. import weights as _w
from .._common import as_data, check_variant, directions, nan_guard, quiet, warn
from ..normalise import min_max
from ._registry import WeightingMethod

__all__ = [
    "MERECResult",
    "merec_table",
    "merec",
    "GiniResult",
    "gini_table",
    "gini",
    "CILOSResult",
    "cilos_table",
    "cilos",
    "IDOCRIWResult",
    "idocriw_table",
    "idocriw",
    "AngleResult",
    "angle_table",
    "angle",
    "LOPCOWResult",
    "lopcow_table",
    "lopcow",
    "RANCOMResult",
    "rancom_table",
    "rancom",
    "variance",
    "std",
    "WEIGHTINGS",
]


def _sum1(v):
    with nan_guard():
        return v / np.sum(v, axis=-1, keepdims=True)


def _dirs(direction, x):
    """±1 per criterion shaped [n]; broadcasts against both [..., n] and [..., m, n]."""
    return directions(direction, x.shape[-1])


def _observed(x):
    """Number of observed units per column [..., n]."""
    return x.shape[-2] - np.count_nonzero(np.isnan(x), axis=-2)


def _require_positive(x, name):
    with quiet():
        low = np.nanmin(x, axis=-2)
    if np.any(low <= 0):
        raise ValueError(f"{name} needs strictly positive data (it takes logarithms or ratios x/min); "
                         "got a value ≤ 0 — use raw positive data or shift it")


# ---------------------------------------------------------------------------------------------
# MEREC


class MERECResult(NamedTuple):
    weights: np.ndarray  # [..., n]
    normalised: np.ndarray  # N [..., m, n]: min/x for benefit, x/max for cost criteria
    performance: np.ndarray  # S_i [..., m], all criteria
    performance_removed: np.ndarray  # S'_ij [..., m, n], criterion j removed
    removal_effect: np.ndarray  # E_j = Σ_i |S'_ij − S_i| [..., n]


def merec_table(x, direction=1) -> MERECResult:
    """MEREC, method based on the removal effects of criteria (Keshavarz-Ghorabaee et al. 2021, Symmetry 13(4) 525).

    N_ij = min_k x_kj / x_ij for benefit and x_ij / max_k x_kj for cost criteria (pymcdm
    `linear_normalization` with reversed types); S_i = ln(1 + (1/n) Σ_j |ln N_ij|);
    S'_ij = ln(1 + (1/n) Σ_{k≠j} |ln N_ik|) (still 1/n, as in the paper and both libraries);
    E_j = Σ_i |S'_ij − S_i|; w_j = E_j / Σ E. pymcdm `merec_weights`, pyrepo `merec_weighting` (pyrepo first
    takes |x|; here x must be > 0). A unit with a missing criterion has no S_i and is left out of E_j.
    """
    x = as_data(x)
    d = _dirs(direction, x)
    _require_positive(x, "merec")
    with quiet():
        mn = np.nanmin(x, axis=-2, keepdims=True)
        mx = np.nanmax(x, axis=-2, keepdims=True)
    N = np.where(d > 0, mn / x, x / mx)
    L = np.abs(np.log(N))
    n = x.shape[-1]
    T = np.sum(L, axis=-1, keepdims=True)  # NaN for a unit with a missing criterion
    S = np.log1p(T / n)
    # removing criterion j takes its term out of the sum (no loop over j)
    Sp = np.log1p((T - L) / n)
    E = np.nansum(np.abs(Sp - S), axis=-2)
    return MERECResult(_sum1(E), N, S[..., 0], Sp, E)


def merec(x, direction=1) -> np.ndarray:
    """MEREC weights [..., n]; see `merec_table`."""
    return merec_table(x, direction).weights


# ---------------------------------------------------------------------------------------------
# Gini


class GiniResult(NamedTuple):
    weights: np.ndarray
    gini: np.ndarray  # G_j [..., n]


def gini_table(x, direction=1) -> GiniResult:
    """Gini-coefficient weights: G_j = Σ_i Σ_k |x_ij − x_kj| / (2 m² x̄_j), w_j = G_j / Σ G
    (pymcdm `gini_weights`, pyrepo `gini_weighting`; Bączkiewicz et al. 2021). Direction is not used.

    pyrepo's rule for a column with mean 0 (G_j = Σ Σ |x_ij − x_kj| / (m² − m)) is applied; pymcdm divides by 0
    there. Computed from the sorted column, Σ_i Σ_k |x_i − x_k| = 2 Σ_i (2i − m − 1) x_(i), instead of all
    pairs of units (m² memory). m = the observed units of the column.
    """
    x = as_data(x)
    m_obs = _observed(x)[..., None, :]  # [..., 1, n]
    xs = np.sort(x, axis=-2)  # NaN sorts last
    i = np.arange(1, x.shape[-2] + 1, dtype=float)[:, None]
    coef = np.where(i <= m_obs, 2.0 * i - m_obs - 1.0, 0.0)
    pair_sum = 2.0 * np.sum(coef * np.where(np.isnan(xs), 0.0, xs), axis=-2)  # Σ_i Σ_k |x_i − x_k|
    m = m_obs[..., 0, :].astype(float)
    tot = np.nansum(x, axis=-2)
    with nan_guard():
        G = np.where(tot != 0, pair_sum / (2.0 * m * tot), pair_sum / (m * m - m))
    return GiniResult(_sum1(G), G)


def gini(x, direction=1) -> np.ndarray:
    """Gini weights [..., n]; see `gini_table`."""
    return gini_table(x, direction).weights


# ---------------------------------------------------------------------------------------------
# CILOS and IDOCRIW


class CILOSResult(NamedTuple):
    weights: np.ndarray  # q [..., n]
    normalised: np.ndarray  # sum-normalised benefit matrix [..., m, n]
    best: np.ndarray  # index of the best unit of each criterion [..., n]
    square: np.ndarray  # A [..., n, n], row k = the best unit of criterion k
    impact_loss: np.ndarray  # P [..., n, n]
    system: np.ndarray  # F [..., n, n], F q = 0


def cilos_table(x, direction=1) -> CILOSResult:
    """CILOS, criterion impact loss (Zavadskas & Podvezko 2016, IJITDM 15(02) 267-283).

    Cost criteria become min_j / x_ij; then x̄_ij = x_ij / Σ_i x_ij. A_kj = x̄ at the unit with the largest
    x̄ in criterion k; P_kj = (A_jj − A_kj) / A_jj (relative loss of criterion j when criterion k's best unit
    is chosen); F = P − diag(Σ_k P_kj); q solves F q = 0 (the right singular vector of the smallest singular
    value, what scipy `null_space` returns for a one-dimensional null space), w = q / Σ q.
    pymcdm `cilos_weights`, pyrepo `cilos_weighting`. Needs x > 0. If the best unit of a criterion has a
    missing value elsewhere, A is incomplete and the weights are NaN (warned).
    """
    x = as_data(x)
    d = _dirs(direction, x)
    _require_positive(x, "cilos")
    with quiet():
        mn = np.nanmin(x, axis=-2, keepdims=True)
        xr = np.where(d > 0, x, mn / x)
        xn = xr / np.nansum(xr, axis=-2, keepdims=True)
    n = x.shape[-1]
    best = np.argmax(np.where(np.isnan(xn), -np.inf, xn), axis=-2)  # [..., n]
    idx = np.broadcast_to(best[..., :, None], best.shape + (n,))
    A = np.take_along_axis(xn, idx, axis=-2)  # [..., n(k), n(j)]
    diag = np.diagonal(A, axis1=-2, axis2=-1)[..., None, :]
    with nan_guard():
        P = (diag - A) / diag
    F = P - np.eye(n) * np.sum(P, axis=-2)[..., None, :]
    bad = ~np.all(np.isfinite(F), axis=(-2, -1))
    if np.any(bad):
        warn("cilos: the best unit of some criterion has a missing value; weights undefined (NaN)")
        F = np.where(bad[..., None, None], np.eye(n), F)
    _, _, vh = np.linalg.svd(F)
    q = vh[..., -1, :]
    q = _sum1(q)
    q = np.where(bad[..., None], np.nan, q)
    return CILOSResult(q, xn, best, A, P, F)


def cilos(x, direction=1) -> np.ndarray:
    """CILOS weights [..., n]; see `cilos_table`."""
    return cilos_table(x, direction).weights


class IDOCRIWResult(NamedTuple):
    weights: np.ndarray
    entropy_weights: np.ndarray  # W_j
    cilos_weights: np.ndarray  # q_j


def idocriw_table(x, direction=1) -> IDOCRIWResult:
    """IDOCRIW, integrated determination of objective criteria weights (Zavadskas & Podvezko 2016):
    w_j = q_j W_j / Σ_k q_k W_k with W the entropy weights of the raw matrix (no direction; p_ij = x_ij/Σ_i x_ij)
    and q the CILOS weights. pymcdm `idocriw_weights`, pyrepo `idocriw_weighting`.

    The two libraries' entropies differ only for a column containing a zero (pymcdm sets e_j := 0, pyrepo uses
    0·ln 0 = 0); CILOS needs x > 0, so they always agree here and there is no option.
    """
    x = as_data(x)
    q = cilos(x, direction)
    W = _w.entropy_table(x, "zero_ln_zero").weights
    return IDOCRIWResult(_sum1(q * W), W, q)


def idocriw(x, direction=1) -> np.ndarray:
    """IDOCRIW weights [..., n]; see `idocriw_table`."""
    return idocriw_table(x, direction).weights


# ---------------------------------------------------------------------------------------------
# angle


class AngleResult(NamedTuple):
    weights: np.ndarray
    normalised: np.ndarray  # sum-normalised matrix [..., m, n]
    angle: np.ndarray  # u_j (radians) [..., n]


ANGLE_VARIANTS = ("pymcdm", "pyrepo")


def angle_table(x, direction=1, variant: str = "pymcdm") -> AngleResult:
    """Angle weights (Shuai et al. 2012, CCDC, pp. 3889-3892): the angle between each sum-normalised column
    X_·j and the reference column B = (1/m, …, 1/m):
    u_j = arccos( Σ_i (X_ij / m) / (‖X_·j‖ ‖B‖) ), w_j = u_j / Σ u.

    variant "pymcdm" (`angle_weights`): X_ij = x_ij / Σ_i x_ij for every criterion (direction ignored);
    "pyrepo" (`angle_weighting`): cost criteria use (1/x_ij) / Σ_i (1/x_ij). m = the observed units of the
    column. The cosine is clipped to [−1, 1] and a constant column gets u = 0 exactly (pymcdm gives NaN or
    a rounding residue of order 1e-8 there).
    """
    check_variant("variant", variant, ANGLE_VARIANTS)
    x = as_data(x)
    d = _dirs(direction, x) if variant == "pyrepo" else np.ones(x.shape[-1])
    with nan_guard():
        y = np.where(d > 0, x, 1.0 / x)
        X = y / np.nansum(y, axis=-2, keepdims=True)
    m = _observed(x).astype(float)
    with quiet():
        cos = (np.nansum(X, axis=-2) / m) / (np.sqrt(np.nansum(X * X, axis=-2)) * np.sqrt(m * (1.0 / m) ** 2))
        u = np.arccos(np.clip(cos, -1.0, 1.0))
        # arccos(1 − ε) ≈ √(2ε) turns rounding in a constant column into u ≈ 1e-8; its angle is 0
        u = np.where(np.nanmax(X, axis=-2) == np.nanmin(X, axis=-2), 0.0, u)
    return AngleResult(_sum1(u), X, u)


def angle(x, direction=1, variant: str = "pymcdm") -> np.ndarray:
    """Angle weights [..., n]; see `angle_table`."""
    return angle_table(x, direction, variant).weights


# ---------------------------------------------------------------------------------------------
# LOPCOW


class LOPCOWResult(NamedTuple):
    weights: np.ndarray
    normalised: np.ndarray  # min–max with directions [..., m, n]
    mean_square: np.ndarray  # √(Σ_i z²/m) [..., n]
    std: np.ndarray  # σ_j (ddof 1) [..., n]
    percentage_value: np.ndarray  # PV_j = |100 ln(mean_square/σ)| [..., n]


def lopcow_table(x, direction=1) -> LOPCOWResult:
    """LOPCOW, logarithmic percentage change-driven objective weighting (Ecer & Pamucar 2022, Omega 112 102690).

    z = min–max normalisation with directions (pymcdm: a constant column becomes 1);
    PV_j = |ln( √(Σ_i z_ij² / m) / σ_j ) · 100| with σ the sample sd (ddof 1); w_j = PV_j / Σ PV.
    pymcdm `lopcow_weights` (pyrepo has no LOPCOW). A constant column (σ = 0, PV infinite) gets weight 0, warned.
    """
    x = as_data(x)
    z = min_max(x, direction, constant="hi")
    m = _observed(x)
    with quiet():
        ms = np.sqrt(np.nansum(z * z, axis=-2) / m)
        sd = np.nanstd(z, axis=-2, ddof=1)
        pv = np.abs(np.log(ms / sd) * 100.0)
    flat = ~(sd > 0) & (m > 0)
    if np.any(flat):
        warn("lopcow: constant column(s) (σ = 0) get weight 0")
        pv = np.where(flat, 0.0, pv)
    return LOPCOWResult(_sum1(pv), z, ms, sd, pv)


def lopcow(x, direction=1) -> np.ndarray:
    """LOPCOW weights [..., n]; see `lopcow_table`."""
    return lopcow_table(x, direction).weights


# ---------------------------------------------------------------------------------------------
# variance, standard deviation


def variance(x, direction=1, ddof: int = 1) -> np.ndarray:
    """Variance weights: z = min–max of each column as a benefit criterion (direction ignored; a constant column
    becomes 1, variance 0, weight 0), w_j = var(z_·j) / Σ var.

    pymcdm `variance_weights` (ddof 1) and pyrepo `stat_var_weighting` (statistical variance, ddof 0): on
    complete data the factor (m − 1)/m cancels and the two give the same weights; with missing values each
    column's ddof correction uses its own number of observations.
    """
    x = as_data(x)
    z = min_max(x, 1, constant="hi")
    with quiet():
        v = np.nanvar(z, axis=-2, ddof=ddof)
    return _sum1(v)


def std(x, direction=1, ddof: int = 1) -> np.ndarray:
    """Standard-deviation weights w_j = s_j / Σ s on x as given (no normalisation, direction ignored):
    pymcdm `standard_deviation_weights` (ddof 1), pyrepo `std_weighting` (ddof 0; identical weights on
    complete data). Delegates to `xianping.engine.weights.standard_deviation`."""
    return _w.standard_deviation(x, ddof=ddof)


# ---------------------------------------------------------------------------------------------
# RANCOM (subjective)


class RANCOMResult(NamedTuple):
    weights: np.ndarray  # [..., n]
    matrix: np.ndarray  # pairwise comparison matrix [..., n, n]


def _rancom_matrix(ranking):
    r = np.asarray(ranking, dtype=float)
    if r.ndim < 1 or r.shape[-1] < 2:
        raise ValueError("rancom: the ranking needs one position per criterion (at least two criteria)")
    if np.any(np.isnan(r)):
        raise ValueError("rancom: the ranking has missing positions")
    ri, rj = r[..., :, None], r[..., None, :]
    # 1 if criterion i is ranked before j (smaller position = more important), 1/2 on ties and the diagonal
    return (ri < rj).astype(float) + 0.5 * (ri == rj)


def rancom_table(ranking=None, matrix=None) -> RANCOMResult:
    """RANCOM, ranking comparison (Więckowski et al. 2023, Eng. Appl. Artif. Intell. 122 106114): a subjective
    method from an expert's ranking of the criteria (1 = most important; ties allowed; [..., n]) or directly from
    the pairwise matrix M (M_ij = 1 if i is more important than j, 1/2 if equally important, 0 otherwise;
    M_ij + M_ji = 1, M_ii = 1/2). w_i = Σ_j M_ij / Σ_ij M_ij. pymcdm `weights.subjective.RANCOM`
    (pyrepo has none). Give exactly one of `ranking` and `matrix`.
    """
    if (ranking is None) == (matrix is None):
        raise ValueError("rancom: give exactly one of `ranking` (positions of the criteria) and `matrix`")
    if matrix is not None:
        M = np.asarray(matrix, dtype=float)
        if M.ndim < 2 or M.shape[-1] != M.shape[-2]:
            raise ValueError(f"rancom: the pairwise matrix must be square [..., n, n], got shape {M.shape}")
        ok = np.isin(M, (0.0, 0.5, 1.0)) & np.isclose(M + np.swapaxes(M, -1, -2), 1.0)
        if not np.all(ok):
            raise ValueError("rancom: the pairwise matrix must hold 0, 1/2 or 1 with M_ij + M_ji = 1 (M_ii = 1/2)")
    else:
        M = _rancom_matrix(ranking)
    s = np.sum(M, axis=-1)
    return RANCOMResult(_sum1(s), M)


def rancom(x=None, direction=1, ranking=None, matrix=None) -> np.ndarray:
    """RANCOM weights [..., n] (see `rancom_table`). `x` is only used to check that the ranking has one entry
    per criterion and to broadcast the weights over the leading axes of x, so that RANCOM fits the
    `func(x, direction, **options)` contract of the weighting registry."""
    w = rancom_table(ranking, matrix).weights
    if x is None:
        return w
    x = as_data(x)
    if w.shape[-1] != x.shape[-1]:
        raise ValueError(f"rancom: the ranking has {w.shape[-1]} criteria, the data has {x.shape[-1]}")
    return np.broadcast_to(w, np.broadcast_shapes(w.shape, x.shape[:-2] + x.shape[-1:])).copy()


# ---------------------------------------------------------------------------------------------
# registry

_PYMCDM = "pymcdm 1.4.0 pymcdm.weights"
_PYREPO = "pyrepo-mcda 0.1.15 pyrepo_mcda.weighting_methods"

WEIGHTINGS: dict[str, WeightingMethod] = {
    "merec": WeightingMethod(
        "merec", "MEREC 准则移除效应法", merec, {}, uses_direction=True,
        reference=f"Keshavarz-Ghorabaee et al. (2021) Symmetry 13(4) 525; {_PYMCDM}.merec_weights; "
                  f"{_PYREPO}.merec_weighting"),
    "gini": WeightingMethod(
        "gini", "基尼系数赋权法", gini, {},
        reference=f"Bączkiewicz et al. (2021); {_PYMCDM}.gini_weights; {_PYREPO}.gini_weighting"),
    "cilos": WeightingMethod(
        "cilos", "CILOS 准则影响损失法", cilos, {}, uses_direction=True,
        reference=f"Zavadskas & Podvezko (2016) IJITDM 15(02) 267-283; {_PYMCDM}.cilos_weights; "
                  f"{_PYREPO}.cilos_weighting"),
    "idocriw": WeightingMethod(
        "idocriw", "IDOCRIW 综合客观赋权法（熵权×CILOS）", idocriw, {}, uses_direction=True,
        reference=f"Zavadskas & Podvezko (2016) IJITDM 15(02) 267-283; {_PYMCDM}.idocriw_weights; "
                  f"{_PYREPO}.idocriw_weighting"),
    "angle": WeightingMethod(
        "angle", "角度赋权法", angle, {"variant": "pymcdm"},
        reference=f"Shuai et al. (2012) CCDC 3889-3892; {_PYMCDM}.angle_weights; {_PYREPO}.angle_weighting "
                  "(variant='pyrepo' uses directions)"),
    "lopcow": WeightingMethod(
        "lopcow", "LOPCOW 对数百分比变化赋权法", lopcow, {}, uses_direction=True,
        reference=f"Ecer & Pamucar (2022) Omega 112 102690; {_PYMCDM}.lopcow_weights"),
    "variance": WeightingMethod(
        "variance", "方差赋权法", variance, {"ddof": 1},
        reference=f"{_PYMCDM}.variance_weights; {_PYREPO}.stat_var_weighting (ddof=0)"),
    "std": WeightingMethod(
        "std", "标准差赋权法", std, {"ddof": 1},
        reference=f"Jahan & Edwards (2013); {_PYMCDM}.standard_deviation_weights; {_PYREPO}.std_weighting "
                  "(ddof=0); xianping.engine.weights.standard_deviation"),
    "rancom": WeightingMethod(
        "rancom", "RANCOM 排序比较法（主观）", rancom, {"ranking": None, "matrix": None},
        reference="Więckowski et al. (2023) Eng. Appl. Artif. Intell. 122 106114; "
                  "pymcdm 1.4.0 pymcdm.weights.subjective.RANCOM"),
}

_PER_CRITERION = {'rancom': {'ranking': 'vector', 'matrix': 'matrix'}}

# options holding one entry per criterion (see _registry.options_for_criteria): kept aligned when a child is left out
WEIGHTINGS = {k: dataclasses.replace(m, per_criterion={**m.per_criterion, **_PER_CRITERION.get(k, {})}) for k, m in WEIGHTINGS.items()}
