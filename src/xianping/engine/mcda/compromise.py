"""Compromise and distance-based ranking methods (折衷/距离类多准则排序法).

VIKOR, EDAS, CODAS, MABAC, MAIRCA, MARCOS, SPOTIS, Balanced SPOTIS, RIM, ERVD, PROBID, sPROBID,
AROMAN, RAFSI, LoPM and CRADIS on x [..., m units, n criteria], weights [..., n] or [n], direction
(+1 benefit / −1 cost, scalar or per criterion). Leading axes (years, samples) broadcast; nothing
loops over them or over units. Each function returns a NamedTuple whose field `preference` [..., m]
is the method's own output next to its intermediate tables (as pymcdm's `verbose=True` does).

The formulas and defaults follow pymcdm 1.4.0 (`pymcdm.methods`) and, where a method is there too,
pyrepo-mcda 0.1.15 (`pyrepo_mcda.mcda_methods`); the oracles are those libraries' unit tests
(tests/engine/oracles/mcda). We re-implement rather than call the libraries because they take one
decision matrix at a time, while the engine evaluates a whole stack of years × samples at once.

Conventions shared by all methods:
- Weights are used as given (pymcdm/pyrepo do not rescale them; they expect Σw = 1). They must be
  non-negative and finite and have one entry per criterion.
- Missing values (NaN): a unit with a missing criterion gets a NaN preference; column statistics
  (max, min, mean, norms) skip missing cells, so one missing unit does not change the others
  beyond dropping its cell. PROBID (which ranks whole units) drops incomplete units listwise.
- Methods that need reference values (SPOTIS bounds, RIM ranges, RAFSI ideal/anti-ideal, LoPM limits,
  ERVD reference point) take them as options; `None` means "from the observed cross-section", which
  is what pymcdm's `SPOTIS.make_bounds` does. Fixed values (targets, base-year ranges) are what make
  SPOTIS, RIM and RAFSI free of rank reversal; observed ones do not.
"""

from __future__ import annotations

import dataclasses

from typing import NamedTuple

import numpy as np

from .._common import as_data, check_variant, directions, expand_cols, nan_guard, quiet, warn
from .. import normalise as _norm
from ._registry import RankingMethod

__all__ = [
    "VIKOR_ZERO_RANGE",
    "VikorResult", "vikor",
    "EdasResult", "edas",
    "CodasResult", "codas",
    "MabacResult", "mabac",
    "MaircaResult", "mairca",
    "MarcosResult", "marcos",
    "SpotisResult", "spotis",
    "BalancedSpotisResult", "balanced_spotis",
    "RimResult", "rim",
    "ErvdResult", "ervd",
    "ProbidResult", "probid", "sprobid",
    "AromanResult", "aroman",
    "RafsiResult", "rafsi",
    "LopmResult", "lopm",
    "CradisResult", "cradis",
    "METHODS",
]

VIKOR_ZERO_RANGE = ("nan", "zero", "pyrepo")


# ---------------------------------------------------------------------------------------------
# shared helpers


def _weights(w, n: int) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    if w.ndim == 0 or w.shape[-1] != n:
        raise ValueError(f"weights have {w.shape[-1] if w.ndim else 1} entries, data has {n} criteria")
    if not np.all(np.isfinite(w)):
        raise ValueError("weights must be finite")
    if np.any(w < 0):
        raise ValueError("weights must be non-negative")
    return w


def _prepare(x, w, direction):
    """x [..., m, n] as float, w [..., n] checked, d (n,) ±1."""
    x = as_data(x)
    n = x.shape[-1]
    return x, _weights(w, n), directions(direction, n)


def _cols(v, x):
    """[..., n] → [..., 1, n] (per-criterion statistic against x [..., m, n])."""
    return expand_cols(v, x.ndim)


def _colmax(x):
    with quiet():
        return np.nanmax(x, axis=-2)


def _colmin(x):
    with quiet():
        return np.nanmin(x, axis=-2)


def _best_worst(x, d):
    """Column best and worst of x by direction (max/min for benefit, min/max for cost), [..., n]."""
    mx, mn = _colmax(x), _colmin(x)
    return np.where(d > 0, mx, mn), np.where(d > 0, mn, mx)


def _per_criterion(v, n: int, name: str, last: int | None = None) -> np.ndarray:
    """An option given per criterion: [..., n] (last=None) or [..., n, last] (bounds, ranges)."""
    v = np.asarray(v, dtype=float)
    shape_ok = v.ndim >= 1 and v.shape[-1] == n if last is None else v.ndim >= 2 and v.shape[-2:] == (n, last)
    if not shape_ok:
        want = f"[..., {n}]" if last is None else f"[..., {n}, {last}]"
        raise ValueError(f"{name} must be shaped {want} (one entry per criterion), got {v.shape}")
    return v


def _bounds(x, bounds, name: str = "bounds"):
    """(lo, hi) [..., n] from `bounds` [..., n, 2] (pymcdm layout: one [min, max] row per criterion) or,
    if None, the observed column min/max (pymcdm `SPOTIS.make_bounds`). Explicit bounds must have
    lo < hi and contain every observed value (pymcdm `bounds_validator`, `matrix_bounds_validator`)."""
    n = x.shape[-1]
    if bounds is None:
        lo, hi = _colmin(x), _colmax(x)
        if np.any(lo == hi):
            warn(f"{name}: constant criterion column(s); observed bounds are degenerate and the preference is NaN")
        return lo, hi
    b = _per_criterion(bounds, n, name, last=2)
    lo, hi = b[..., 0], b[..., 1]
    if np.any(~(lo < hi)):
        raise ValueError(f"{name}: every criterion needs min < max (rows are [min, max])")
    with nan_guard():
        outside = (x < _cols(lo, x)) | (x > _cols(hi, x))
    if np.any(outside):
        raise ValueError(f"{name}: {int(outside.sum())} value(s) lie outside the given bounds")
    return lo, hi


def _linear(x, d):
    """pymcdm/pyrepo `linear_normalization`: x/max for benefit, min/x for cost (no zeros allowed)."""
    if np.any(x == 0):
        raise ValueError("linear normalisation (x/max, min/x) cannot handle zero values")
    with nan_guard():
        return np.where(d > 0, x / _cols(_colmax(x), x), _cols(_colmin(x), x) / x)


def _vector_plain(x):
    """x/√Σx² per column (no direction flip; pymcdm `vector_normalization` with types=None)."""
    with nan_guard():
        return x / np.sqrt(np.nansum(x * x, axis=-2, keepdims=True))


# ---------------------------------------------------------------------------------------------
# VIKOR


class VikorResult(NamedTuple):
    preference: np.ndarray  # Q_i [..., m], lower is better, in [0, 1]
    S: np.ndarray  # group utility Σ_j w_j (f*_j − f_ij)/(f*_j − f−_j) [..., m]
    R: np.ndarray  # individual regret max_j … [..., m]
    f_best: np.ndarray  # f*_j [..., n]
    f_worst: np.ndarray  # f−_j [..., n]


def vikor(x, w, direction=1, v: float = 0.5, zero_range: str = "nan") -> VikorResult:
    """VIKOR (Opricovic 1998; Opricovic & Tzeng 2004) on raw data (no normalisation, as both pymcdm
    and pyrepo by default).

    f*_j, f−_j = column best/worst by direction; d_ij = w_j (f*_j − x_ij)/(f*_j − f−_j);
    S_i = Σ_j d_ij, R_i = max_j d_ij;
    Q_i = v (S_i − S*)/(S− − S*) + (1 − v)(R_i − R*)/(R− − R*), S* = min S, S− = max S (R alike).
    Lower Q is better; Q ∈ [0, 1], so `to_score` is 1 − Q.

    `zero_range` — what happens when a range in a denominator is zero:
    "nan" (default): the quotient is undefined and Q is NaN for that cross-section (pymcdm raises on a
        constant criterion; here a batch must go on, so the slice is NaN and an EngineWarning says so);
    "zero": a constant criterion, or a zero S or R range, contributes 0 (every unit ties on it);
    "pyrepo": pyrepo-mcda 0.1.15 `_vikor`: a constant criterion gets f* = 1, f− = 0, and a zero
        S or R range becomes S* = 0, S− = 1 (R alike).
    All three agree whenever no range is zero. Sources: pymcdm TestVIKOR (Yang & Wu 2020; Opricovic &
    Tzeng 2004 — the two upstream tests are two data sets for one formula), pyrepo Test_VIKOR
    (Papathanasiou & Ploskas 2018).
    """
    check_variant("zero_range", zero_range, VIKOR_ZERO_RANGE)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"v must be in [0, 1], got {v}")
    x, w, d = _prepare(x, w, direction)
    fb, fw = _best_worst(x, d)
    flat = fb == fw
    if zero_range == "pyrepo":
        fb, fw = np.where(flat, 1.0, fb), np.where(flat, 0.0, fw)
    if zero_range == "nan" and np.any(flat):
        warn("vikor: constant criterion column(s); Q is undefined (NaN) for that cross-section")
    with nan_guard():
        dij = _cols(w, x) * ((_cols(fb, x) - x) / (_cols(fb, x) - _cols(fw, x)))
    if zero_range == "zero":
        dij = np.where(flat[..., None, :] & ~np.isnan(x), 0.0, dij)
    S = np.sum(dij, axis=-1)
    R = np.max(dij, axis=-1)
    s_lo, s_hi = _colmin(S[..., None]), _colmax(S[..., None])  # over units, [..., 1]
    r_lo, r_hi = _colmin(R[..., None]), _colmax(R[..., None])
    if zero_range == "pyrepo":
        s_lo, s_hi = np.where(s_lo == s_hi, 0.0, s_lo), np.where(s_lo == s_hi, 1.0, s_hi)
        r_lo, r_hi = np.where(r_lo == r_hi, 0.0, r_lo), np.where(r_lo == r_hi, 1.0, r_hi)
    with nan_guard():
        qs = (S - s_lo) / (s_hi - s_lo)
        qr = (R - r_lo) / (r_hi - r_lo)
    if zero_range == "zero":
        qs = np.where((s_lo == s_hi) & ~np.isnan(S), 0.0, qs)
        qr = np.where((r_lo == r_hi) & ~np.isnan(R), 0.0, qr)
    elif zero_range == "nan" and (np.any(s_lo == s_hi) or np.any(r_lo == r_hi)):
        warn("vikor: all units share one S or R value; Q is undefined (NaN) for that cross-section")
    Q = v * qs + (1 - v) * qr
    return VikorResult(Q, S, R, fb, fw)


# ---------------------------------------------------------------------------------------------
# EDAS


class EdasResult(NamedTuple):
    preference: np.ndarray  # appraisal score AS_i [..., m], higher is better, in [0, 1]
    average: np.ndarray  # AV_j [..., n]
    pda: np.ndarray  # positive distance from average [..., m, n]
    nda: np.ndarray  # negative distance from average [..., m, n]
    sp: np.ndarray  # Σ w PDA [..., m]
    sn: np.ndarray  # Σ w NDA [..., m]
    nsp: np.ndarray  # SP / max SP
    nsn: np.ndarray  # 1 − SN / max SN


def edas(x, w, direction=1) -> EdasResult:
    """EDAS, Evaluation based on Distance from Average Solution (Keshavarz Ghorabaee et al. 2015).

    AV_j = mean_i x_ij; PDA_ij = max(0, ±(x_ij − AV_j)/AV_j), NDA_ij = max(0, ∓(x_ij − AV_j)/AV_j)
    (sign by direction); SP_i = Σ_j w_j PDA_ij, SN_i = Σ_j w_j NDA_ij;
    NSP = SP/max SP, NSN = 1 − SN/max SN; AS = (NSP + NSN)/2 (higher is better).
    Identical in pymcdm (TestEDAS, Yazdani et al. 2020) and pyrepo (Test_EDAS, Ersoy 2021).
    """
    x, w, d = _prepare(x, w, direction)
    with quiet():
        av = np.nanmean(x, axis=-2)
    avc = _cols(av, x)
    with nan_guard():
        rel = _cols(d, x) * (x - avc) / avc
    pda = np.maximum(rel, 0.0)  # NaN stays NaN (np.where(rel >= 0, …) would turn it into 0)
    nda = np.maximum(-rel, 0.0)
    wc = _cols(w, x)
    sp = np.sum(wc * pda, axis=-1)
    sn = np.sum(wc * nda, axis=-1)
    with nan_guard():
        nsp = sp / _colmax(sp[..., None])
        nsn = 1 - sn / _colmax(sn[..., None])
    return EdasResult((nsp + nsn) / 2, av, pda, nda, sp, sn, nsp, nsn)


# ---------------------------------------------------------------------------------------------
# CODAS


class CodasResult(NamedTuple):
    preference: np.ndarray  # assessment score H_i = Σ_k h_ik [..., m], higher is better
    normalised: np.ndarray  # r_ij (linear) [..., m, n]
    weighted: np.ndarray  # v_ij = w_j r_ij [..., m, n]
    negative_ideal: np.ndarray  # ns_j = min_i v_ij [..., n]
    euclidean: np.ndarray  # E_i [..., m]
    taxicab: np.ndarray  # T_i [..., m]


def _prefix_count(sorted_vals, pred):
    """For every unit i, the number of leading entries of `sorted_vals` [..., m] (ascending) for which
    pred(v, i) holds, pred being true on a prefix. A batched bisection: ⌈log2(m + 1)⌉ steps over
    whole arrays (the loop is over halving steps, not over units)."""
    m = sorted_vals.shape[-1]
    lo = np.zeros(sorted_vals.shape, dtype=np.int64)
    hi = np.full(sorted_vals.shape, m, dtype=np.int64)
    while np.any(lo < hi):
        mid = (lo + hi) // 2
        val = np.take_along_axis(sorted_vals, np.minimum(mid, m - 1), axis=-1)
        active = lo < hi
        ok = pred(val)
        lo = np.where(active & ok, mid + 1, lo)
        hi = np.where(active & ~ok, mid, hi)
    return lo


def codas(x, w, direction=1, tau: float = 0.02) -> CodasResult:
    """CODAS, COmbinative Distance-based ASsessment (Keshavarz Ghorabaee et al. 2016).

    r_ij = x_ij/max_i x_ij (benefit), min_i x_ij/x_ij (cost) (linear normalisation, the default of
    both pymcdm and pyrepo); v_ij = w_j r_ij; ns_j = min_i v_ij;
    E_i = √Σ_j (v_ij − ns_j)², T_i = Σ_j |v_ij − ns_j|;
    h_ik = (E_i − E_k) + ψ(E_i − E_k)(T_i − T_k), ψ(t) = 1 if |t| ≥ τ else 0 (τ = 0.02 in both);
    H_i = Σ_k h_ik (higher is better).
    The m × m table h is not built: H_i = m E_i − ΣE + m T_i − ΣT − Σ_{k: |E_i−E_k|<τ} (T_i − T_k),
    and the last sum runs over a window of the units sorted by E (prefix sums, window ends found by
    bisection), so memory stays O(m) per cross-section. Sums over k run over the observed units.
    Sources: pymcdm TestCODAS (Badi et al. 2017), pyrepo Test_CODAS (Badi et al. 2018, two cases).
    """
    if not tau >= 0:
        raise ValueError(f"tau must be non-negative, got {tau}")
    x, w, d = _prepare(x, w, direction)
    r = _linear(x, d)
    v = r * _cols(w, x)
    ns = _colmin(v)
    diff = v - _cols(ns, v)
    E = np.sqrt(np.sum(diff ** 2, axis=-1))
    T = np.sum(np.abs(diff), axis=-1)
    obs = ~np.isnan(E)
    m_obs = obs.sum(axis=-1, keepdims=True)
    E0 = np.where(obs, E, np.inf)  # missing units sort last and fall in no window
    T0 = np.where(obs, T, 0.0)
    # ψ_ik = 0 ⇔ |E_i − E_k| < τ: with E sorted, fl(E_i − E_k) is monotone in E_k, so the pairs with
    # ψ = 0 form a window [lo_i, hi_i) of the sorted units; the tests use the very difference that the
    # pairwise formula rounds, so ties at |E_i − E_k| = τ fall on the same side as in pymcdm
    order = np.argsort(E0, axis=-1, kind="stable")
    Es = np.take_along_axis(E0, order, axis=-1)
    with nan_guard():
        lo = _prefix_count(Es, lambda e: E - e >= tau)  # #{k: E_i − E_k ≥ τ}
        hi = _prefix_count(Es, lambda e: E - e > -tau)  # #{k: E_i − E_k > −τ}
    hi = np.maximum(hi, lo)  # τ = 0: no pair has |E_i − E_k| < 0
    csum = np.cumsum(np.take_along_axis(T0, order, axis=-1), axis=-1)
    csum = np.concatenate([np.zeros(csum.shape[:-1] + (1,)), csum], axis=-1)
    window_t = np.take_along_axis(csum, hi, axis=-1) - np.take_along_axis(csum, lo, axis=-1)
    near = T * (hi - lo) - window_t  # Σ over |E_i − E_k| < τ of (T_i − T_k)
    H = (m_obs * E - np.sum(np.where(obs, E, 0.0), axis=-1, keepdims=True)
         + m_obs * T - np.sum(T0, axis=-1, keepdims=True) - near)
    return CodasResult(H, r, v, ns, E, T)


# ---------------------------------------------------------------------------------------------
# MABAC, MAIRCA


class MabacResult(NamedTuple):
    preference: np.ndarray  # S_i = Σ_j q_ij [..., m], higher is better
    normalised: np.ndarray  # n_ij (min–max, cost flipped) [..., m, n]
    weighted: np.ndarray  # v_ij = w_j (n_ij + 1)
    border: np.ndarray  # g_j = (Π_i v_ij)^{1/m} [..., n]
    distance: np.ndarray  # q_ij = v_ij − g_j [..., m, n]


def mabac(x, w, direction=1) -> MabacResult:
    """MABAC, Multi-Attributive Border Approximation area Comparison (Pamučar & Ćirović 2015).

    n_ij = min–max (cost flipped; a constant column → 1, as pymcdm and pyrepo); v_ij = w_j (n_ij + 1);
    border g_j = (Π_i v_ij)^{1/m} (geometric mean, computed as exp(mean log) so that it does not
    underflow for hundreds of units as the plain product does); q_ij = v_ij − g_j; S_i = Σ_j q_ij.
    Sources: pymcdm TestMABAC (Pamučar & Ćirović 2015); pyrepo Test_MABAC (Isik et al. 2020 — fails
    upstream on numpy ≥ 2 only because it calls the removed `np.product`; its numbers reproduce).
    """
    x, w, d = _prepare(x, w, direction)
    nm = _norm.min_max(x, d, constant="hi")
    v = (nm + 1) * _cols(w, x)
    with quiet():
        g = np.exp(np.nanmean(np.log(v), axis=-2))
    q = v - _cols(g, v)
    return MabacResult(np.sum(q, axis=-1), nm, v, g, q)


class MaircaResult(NamedTuple):
    preference: np.ndarray  # total gap Q_i [..., m], lower is better
    normalised: np.ndarray  # r_ij (min–max, cost flipped)
    theoretical: np.ndarray  # t_pj = w_j / m [..., n]
    real: np.ndarray  # t_rij = t_pj r_ij
    gap: np.ndarray  # g_ij = t_pj − t_rij


def mairca(x, w, direction=1) -> MaircaResult:
    """MAIRCA, MultiAttributive Ideal-Real Comparative Analysis (Pamučar et al. 2014).

    t_pj = w_j/m (equal a-priori choice probability of the m units; m counts the units observed in
    column j); r_ij = min–max with cost flipped (constant column → 1); t_rij = t_pj r_ij;
    g_ij = t_pj − t_rij; Q_i = Σ_j g_ij. Lower is better (0 = the ideal on every criterion);
    `to_score` negates. Source: pymcdm TestMAIRCA (Aksoy 2021).
    """
    x, w, d = _prepare(x, w, direction)
    m_obs = np.sum(~np.isnan(x), axis=-2)
    with nan_guard():
        tp = w / m_obs
    r = _norm.min_max(x, d, constant="hi")
    tr = r * _cols(tp, x)
    g = _cols(tp, x) - tr
    return MaircaResult(np.sum(g, axis=-1), r, tp, tr, g)


# ---------------------------------------------------------------------------------------------
# MARCOS


class MarcosResult(NamedTuple):
    preference: np.ndarray  # f(K_i) [..., m], higher is better
    ideal: np.ndarray  # AI_j [..., n]
    anti_ideal: np.ndarray  # AAI_j [..., n]
    normalised: np.ndarray  # n_ij [..., m, n]
    k_minus: np.ndarray  # K−_i = S_i / S_AAI
    k_plus: np.ndarray  # K+_i = S_i / S_AI
    f_k_minus: np.ndarray  # f(K−) = K+/(K+ + K−)
    f_k_plus: np.ndarray  # f(K+) = K−/(K+ + K−)


def marcos(x, w, direction=1) -> MarcosResult:
    """MARCOS, Measurement of Alternatives and Ranking according to COmpromise Solution
    (Stević et al. 2020).

    AI_j / AAI_j = column best / worst by direction; n_ij = x_ij/AI_j (benefit), AI_j/x_ij (cost),
    the same for the AI and AAI rows; S_i = Σ_j w_j n_ij; K−_i = S_i/S_AAI, K+_i = S_i/S_AI;
    f(K−) = K+/(K+ + K−), f(K+) = K−/(K+ + K−);
    f(K_i) = (K+ + K−) / (1 + (1 − f(K+))/f(K+) + (1 − f(K−))/f(K−)).
    Identical in pymcdm (TestMARCOS, Ulutaş et al. 2020) and pyrepo (Test_MARCOS, Stević et al. 2020).
    """
    x, w, d = _prepare(x, w, direction)
    ai, aai = _best_worst(x, d)
    aic = _cols(ai, x)
    with nan_guard():
        nm = np.where(d > 0, x / aic, aic / x)
        n_aai = np.where(d > 0, aai / ai, ai / aai)
        n_ai = np.where(d > 0, ai / ai, ai / ai)  # 1, or NaN for an all-missing column
    s = np.sum(nm * _cols(w, x), axis=-1)
    s_aai = np.sum(n_aai * w, axis=-1)[..., None]
    s_ai = np.sum(n_ai * w, axis=-1)[..., None]
    with nan_guard():
        k_neg = s / s_aai
        k_pos = s / s_ai
        f_pos = k_neg / (k_pos + k_neg)
        f_neg = k_pos / (k_pos + k_neg)
        f = (k_pos + k_neg) / (1 + (1 - f_pos) / f_pos + (1 - f_neg) / f_neg)
    return MarcosResult(f, ai, aai, nm, k_neg, k_pos, f_neg, f_pos)


# ---------------------------------------------------------------------------------------------
# SPOTIS and Balanced SPOTIS


class SpotisResult(NamedTuple):
    preference: np.ndarray  # P_i [..., m], lower is better, in [0, 1] for data inside the bounds
    reference: np.ndarray  # the point distances are taken to: ISP from the bounds, or the ESP [..., n]
    distance: np.ndarray  # d_ij = |x_ij − S_j| / (max_j − min_j) [..., m, n]
    lower: np.ndarray  # bounds used [..., n]
    upper: np.ndarray


def _isp(lo, hi, d):
    """Ideal solution point from the bounds: upper bound for benefit, lower for cost."""
    return np.where(d > 0, hi, lo)


def _check_esp(esp, lo, hi, n, name="esp"):
    esp = _per_criterion(esp, n, name)
    if np.any((esp < lo) | (esp > hi)):
        raise ValueError(f"{name} must lie within the bounds")
    return esp


def spotis(x, w, direction=1, bounds=None, esp=None) -> SpotisResult:
    """SPOTIS, Stable Preference Ordering Towards Ideal Solution (Dezert et al. 2020).

    With bounds [min_j, max_j] per criterion, the ideal solution point S*_j = max_j (benefit) or
    min_j (cost) — or an expected solution point `esp` given by the decision maker (pymcdm option);
    d_ij = |x_ij − S_j| / (max_j − min_j); P_i = Σ_j w_j d_ij. Lower is better; P ∈ [0, 1] for data
    within the bounds and Σw = 1, so `to_score` is 1 − P.
    `bounds` [..., n, 2] (pymcdm layout; pyrepo's [2, n] is its transpose). None → observed column
    min/max (pymcdm `SPOTIS.make_bounds`, the pyrepo docstring example); SPOTIS is free of rank
    reversal only with fixed bounds. Sources: pymcdm TestSPOTIS, TestSPOTIS2 (with ESP), pyrepo
    Test_SPOTIS (all Dezert et al. 2020).
    """
    x, w, d = _prepare(x, w, direction)
    lo, hi = _bounds(x, bounds)
    ref = _isp(lo, hi, d) if esp is None else _check_esp(esp, lo, hi, x.shape[-1])
    with nan_guard():
        dist = np.abs((x - _cols(ref, x)) / _cols(lo - hi, x))
    return SpotisResult(np.sum(dist * _cols(w, x), axis=-1), ref, dist, lo, hi)


class BalancedSpotisResult(NamedTuple):
    preference: np.ndarray  # P_i = (1 − α) D_i(ISP) + α D_i(ESP) [..., m], lower is better
    esp: np.ndarray  # expected solution point [..., n]
    isp: np.ndarray  # ideal solution point [..., n]
    distance_esp: np.ndarray  # d_ij(ESP) [..., m, n]
    distance_isp: np.ndarray  # d_ij(ISP) [..., m, n]
    d_esp: np.ndarray  # Σ_j w_j d_ij(ESP) [..., m]
    d_isp: np.ndarray  # Σ_j w_j d_ij(ISP) [..., m]


def balanced_spotis(x, w, direction=1, esp=None, bounds=None, alpha: float = 0.5) -> BalancedSpotisResult:
    """Balanced SPOTIS (Shekhovtsov, Dezert & Sałabun 2025): P_i = (1 − α) D_i(ISP) + α D_i(ESP),
    the SPOTIS distance to the ideal point (from the bounds and directions) blended with the distance
    to the decision maker's expected point `esp` (required). α = 0 is SPOTIS, α = 1 is SPOTIS with
    the ESP. Lower is better; `to_score` is 1 − P. `bounds` as in `spotis` (None → observed).
    Source: pymcdm TestBalancedSPOTIS (α = 0.5, 0, 1).
    """
    if esp is None:
        raise ValueError("balanced_spotis needs esp (the expected solution point, one value per criterion)")
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    x, w, d = _prepare(x, w, direction)
    lo, hi = _bounds(x, bounds)
    esp = _check_esp(esp, lo, hi, x.shape[-1])
    isp = _isp(lo, hi, d)
    span = _cols(lo - hi, x)
    with nan_guard():
        de = np.abs((x - _cols(esp, x)) / span)
        di = np.abs((x - _cols(isp, x)) / span)
    wc = _cols(w, x)
    De, Di = np.sum(de * wc, axis=-1), np.sum(di * wc, axis=-1)
    return BalancedSpotisResult((1 - alpha) * Di + alpha * De, esp, isp, de, di, De, Di)


# ---------------------------------------------------------------------------------------------
# RIM


class RimResult(NamedTuple):
    preference: np.ndarray  # relative index R_i = I−/(I+ + I−) [..., m], higher is better
    ref_ideal: np.ndarray  # [C_j, D_j] [..., n, 2]
    normalised: np.ndarray  # f(x_ij) ∈ [0, 1] [..., m, n]
    weighted: np.ndarray  # w_j f(x_ij)
    i_plus: np.ndarray  # distance to the ideal (w) [..., m]
    i_minus: np.ndarray  # distance to 0 [..., m]


def rim(x, w, direction=1, bounds=None, ref_ideal=None) -> RimResult:
    """RIM, Reference Ideal Method (Cables, Lamata & Verdegay 2016).

    Range [A_j, B_j] (`bounds` [..., n, 2]; None → observed min/max) and reference ideal [C_j, D_j]
    (`ref_ideal` [..., n, 2]; None → the bound on the good side of each criterion, [B, B] for benefit
    and [A, A] for cost, as pymcdm `get_ideal_from_bounds`; direction is used only then).
    f(x) = 1 on [C, D]; 1 − dmin(x, C, D)/|A − C| on [A, C); 1 − dmin(x, C, D)/|D − B| on (D, B],
    dmin = min(|x − C|, |x − D|); y_ij = w_j f(x_ij); I+_i = √Σ(y_ij − w_j)², I−_i = √Σ y_ij²;
    R_i = I−/(I+ + I−). Source: pymcdm TestRIM (whose note says the paper's printed results contain an
    error confirmed by its authors; the oracle is pymcdm's corrected output).
    """
    x, w, d = _prepare(x, w, direction)
    n = x.shape[-1]
    A, B = _bounds(x, bounds)
    if ref_ideal is None:
        c = np.where(d > 0, B, A)
        C, D = c, c
    else:
        ri = _per_criterion(ref_ideal, n, "ref_ideal", last=2)
        C, D = ri[..., 0], ri[..., 1]
        if np.any((C > D) | (C < A) | (D > B)):
            raise ValueError("ref_ideal: each [C, D] must satisfy A ≤ C ≤ D ≤ B within the bounds")
    ref = np.stack(np.broadcast_arrays(C, D), axis=-1)
    Ac, Bc, Cc, Dc = (_cols(v, x) for v in (A, B, C, D))
    with nan_guard():
        dmin = np.minimum(np.abs(x - Cc), np.abs(x - Dc))
        f = np.where((Cc <= x) & (x <= Dc), 1.0,
                     np.where(x < Cc, 1 - dmin / np.abs(Ac - Cc), 1 - dmin / np.abs(Dc - Bc)))
    f = np.where(np.isnan(x), np.nan, f)
    y = f * _cols(w, x)
    ip = np.sqrt(np.sum((y - _cols(w, x)) ** 2, axis=-1))
    im = np.sqrt(np.sum(y ** 2, axis=-1))
    with nan_guard():
        p = im / (ip + im)
    return RimResult(p, ref, f, y, ip, im)


# ---------------------------------------------------------------------------------------------
# ERVD


class ErvdResult(NamedTuple):
    preference: np.ndarray  # φ_i = S−/(S+ + S−) [..., m], higher is better
    ref_point: np.ndarray  # reference point used [..., n]
    normalised: np.ndarray  # r_ij = x_ij / Σ_i x_ij
    ref_normalised: np.ndarray  # μ_j = ref_j / Σ_i x_ij [..., n]
    value: np.ndarray  # prospect-theory value v_ij
    v_plus: np.ndarray  # max_i v_ij [..., n]
    v_minus: np.ndarray  # min_i v_ij [..., n]
    s_plus: np.ndarray  # Σ w |v − v+| [..., m]
    s_minus: np.ndarray  # Σ w |v − v−| [..., m]


def ervd(x, w, direction=1, ref_point=None, lambd: float = 2.25, alpha: float = 0.88) -> ErvdResult:
    """ERVD, Election based on Relative Value Distances (Shyur et al. 2015).

    r_ij = x_ij/Σ_i x_ij (sum normalisation, no flip), μ_j = ref_j/Σ_i x_ij; with the gain
    Δ_ij = ±(r_ij − μ_j) (sign by direction) the prospect-theory value is v_ij = Δ^α for Δ > 0 and
    −λ(−Δ)^α otherwise (λ = 2.25, α = 0.88, Tversky & Kahneman); v+_j, v−_j = column max/min;
    S+_i = Σ_j w_j |v_ij − v+_j|, S−_i = Σ_j w_j |v_ij − v−_j|; φ_i = S−/(S+ + S−).
    `ref_point` [..., n]: the decision maker's reference levels (pymcdm requires it); None → the
    column mean of the cross-section (xianping's choice: the average unit as the neutral point).
    Source: pymcdm TestERVD (Shyur et al. 2015, reference point 80 on every criterion).
    """
    x, w, d = _prepare(x, w, direction)
    n = x.shape[-1]
    if np.any(x <= 0):
        raise ValueError("ervd: sum normalisation needs positive values")
    if ref_point is None:
        with quiet():
            ref = np.nanmean(x, axis=-2)
    else:
        ref = _per_criterion(ref_point, n, "ref_point")
    total = np.nansum(x, axis=-2)
    with nan_guard():
        r = x / _cols(total, x)
        mu = ref / total
    delta = _cols(d, x) * (r - _cols(mu, x))
    a = np.abs(delta) ** alpha
    v = np.where(delta > 0, a, -lambd * a)
    v = np.where(np.isnan(delta), np.nan, v)
    vp, vm = _colmax(v), _colmin(v)
    wc = _cols(w, x)
    sp = np.sum(wc * np.abs(v - _cols(vp, v)), axis=-1)
    sm = np.sum(wc * np.abs(v - _cols(vm, v)), axis=-1)
    with nan_guard():
        phi = sm / (sp + sm)
    return ErvdResult(phi, ref, r, mu, v, vp, vm, sp, sm)


# ---------------------------------------------------------------------------------------------
# PROBID, sPROBID


class ProbidResult(NamedTuple):
    preference: np.ndarray  # P_i [..., m], higher is better
    normalised: np.ndarray  # vector-normalised r_ij [..., m, n]
    weighted: np.ndarray  # v_ij = w_j r_ij
    ideals: np.ndarray  # k-th positive ideal solutions (each column sorted best first) [..., m, n]
    average_ideal: np.ndarray  # mean of the ideals [..., n]
    distances: np.ndarray  # S_i(k) = ‖v_i − ideal_k‖ [..., m, m]
    distance_average: np.ndarray  # ‖v_i − average ideal‖ [..., m]
    s_pos: np.ndarray  # Σ over the first ideals of S_i(k)/k
    s_neg: np.ndarray  # Σ over the last ideals of S_i(k)/(m − k + 1)


def _probid_tables(x, w, direction):
    x, w, d = _prepare(x, w, direction)
    m, n = x.shape[-2:]
    complete = ~np.any(np.isnan(x), axis=-1, keepdims=True)  # PROBID ranks whole units: listwise
    xc = np.where(complete, x, np.nan)
    r = _vector_plain(xc)
    v = r * _cols(w, x)
    dc = _cols(d, x)
    pis = -dc * np.sort(-dc * v, axis=-2)  # best first in every column, missing units last
    with quiet():
        avg = np.nanmean(pis, axis=-2)
    # S_i(k) for every unit i and ideal k: [..., m, m]; a loop over the n criteria (few) accumulates
    # the squared differences so that no [..., m, m, n] array is built
    s2 = np.zeros(np.broadcast_shapes(v.shape[:-2], pis.shape[:-2]) + (m, m))
    for j in range(n):
        s2 += (v[..., :, None, j] - pis[..., None, :, j]) ** 2
    S = np.sqrt(s2)
    s_avg = np.sqrt(np.sum((v - _cols(avg, v)) ** 2, axis=-1))
    m_obs = np.sum(complete[..., 0], axis=-1)[..., None, None]  # [..., 1, 1]
    k = np.arange(1, m + 1, dtype=float)  # ideal rank, along the last axis of S
    return r, v, pis, avg, S, s_avg, m_obs, k


def _ranked_sum(S, k, first, last, denom):
    """Σ over ideal ranks k in [first, last] of S[..., k−1] / denom(k), with per-slice limits."""
    keep = (k >= first) & (k <= last)
    with nan_guard():
        return np.sum(np.where(keep, S / np.where(keep, denom, 1.0), 0.0), axis=-1)


def probid(x, w, direction=1) -> ProbidResult:
    """PROBID, Preference Ranking On the Basis of Ideal-average Distance (Wang, Rangaiah & Wang 2021).

    r = x/√Σx² (no flip), v = w r; the k-th positive ideal solution takes the k-th best value of every
    column (k = 1..m); average ideal = their mean; S_i(k) = ‖v_i − PIS_k‖, S_i(avg) = ‖v_i − avg‖;
    S_i(pos) = Σ_{k=1}^{⌈m/2⌉} S_i(k)/k, S_i(neg) = Σ_{k=⌈m/2⌉}^{m} S_i(k)/(m − k + 1)
    (for odd m the middle ideal counts in both, as in pymcdm); R_i = S(pos)/S(neg);
    P_i = 1/(1 + R_i²) + S_i(avg). Higher is better. Units with a missing value are left out (NaN) and
    m counts the complete units. Memory O(m²) per cross-section (the distance table).
    Source: pymcdm TestPROBID (Wang et al. 2021).
    """
    r, v, pis, avg, S, s_avg, m_obs, k = _probid_tables(x, w, direction)
    lim = (m_obs + 1) // 2
    pos = _ranked_sum(S, k, 1, lim, k)
    neg = _ranked_sum(S, k, lim, m_obs, m_obs - k + 1)
    with nan_guard():
        ratio = pos / neg
        p = 1 / (1 + ratio ** 2) + s_avg
    return ProbidResult(p, r, v, pis, avg, S, s_avg, pos, neg)


def sprobid(x, w, direction=1) -> ProbidResult:
    """sPROBID, the simpler PROBID (Wang, Rangaiah & Wang 2021): with q = ⌊m/4⌋ (at least 1),
    S_i(pos) = Σ_{k=1}^{q} S_i(k)/k, S_i(neg) = Σ_{k=m+1−q}^{m} S_i(k)/(m − k + 1),
    P_i = S(neg)/S(pos) (higher is better). Same tables as `probid`.
    For m < 4 pymcdm 1.4.0 takes `Si[0]` and `Si[-1]` (the distances of the first and last *unit*,
    an indexing slip); here q = 1 gives the first and last *ideal*, the paper's intent. The oracle
    (m = 11) does not reach that branch. Source: pymcdm TestPROBID (SPROBID part).
    """
    r, v, pis, avg, S, s_avg, m_obs, k = _probid_tables(x, w, direction)
    q = np.maximum(m_obs // 4, 1)
    pos = _ranked_sum(S, k, 1, q, k)
    neg = _ranked_sum(S, k, m_obs + 1 - q, m_obs, m_obs - k + 1)
    with nan_guard():
        p = neg / pos
    return ProbidResult(p, r, v, pis, avg, S, s_avg, pos, neg)


# ---------------------------------------------------------------------------------------------
# AROMAN


class AromanResult(NamedTuple):
    preference: np.ndarray  # R_i = L_i^λ + A_i^{1−λ} [..., m], higher is better
    linear: np.ndarray  # min–max (no flip) [..., m, n]
    vector: np.ndarray  # vector normalisation (no flip)
    averaged: np.ndarray  # (β linear + (1 − β) vector)/2
    weighted: np.ndarray  # w_j × averaged
    cost_sum: np.ndarray  # L_i = Σ over cost criteria [..., m]
    benefit_sum: np.ndarray  # A_i = Σ over benefit criteria [..., m]


def aroman(x, w, direction=1, beta: float = 0.5, lam: float = 0.5) -> AromanResult:
    """AROMAN, Alternative Ranking Order Method Accounting for two-step Normalization
    (Bošković et al. 2023).

    t_ij = min–max (no flip; constant column → 1), t*_ij = x/√Σx² (no flip);
    t^norm_ij = (β t_ij + (1 − β) t*_ij)/2; v_ij = w_j t^norm_ij; L_i = Σ_{cost j} v_ij,
    A_i = Σ_{benefit j} v_ij; R_i = L_i^λ + A_i^{1−λ} (β = λ = 0.5). Higher is better.
    Source: pymcdm TestAROMAN (Bošković et al. 2023).
    """
    for name, val in (("beta", beta), ("lam", lam)):
        if not 0.0 <= val <= 1.0:
            raise ValueError(f"{name} must be in [0, 1], got {val}")
    x, w, d = _prepare(x, w, direction)
    lin = _norm.min_max(x, 1, constant="hi")
    vec = _vector_plain(x)
    avg = (beta * lin + (1 - beta) * vec) / 2
    v = avg * _cols(w, x)
    dc = _cols(d, x)
    L = np.sum(np.where(dc < 0, v, 0.0), axis=-1)
    A = np.sum(np.where(dc > 0, v, 0.0), axis=-1)
    return AromanResult(L ** lam + A ** (1 - lam), lin, vec, avg, v, L, A)


# ---------------------------------------------------------------------------------------------
# RAFSI


class RafsiResult(NamedTuple):
    preference: np.ndarray  # V_i = Σ_j w_j ŝ_ij [..., m], higher is better
    mapped: np.ndarray  # s_ij ∈ [n1, n2k] [..., m, n]
    normalised: np.ndarray  # ŝ_ij
    ideal: np.ndarray  # upper end of each criterion interval [..., n]
    anti_ideal: np.ndarray  # lower end [..., n]


def rafsi(x, w, direction=1, ideal=None, anti_ideal=None, n1: float = 1.0, n2k: float = 6.0) -> RafsiResult:
    """RAFSI, Ranking of Alternatives through Functional mapping of criterion sub-intervals into a
    Single Interval (Žižović et al. 2020).

    Each criterion interval [a_j, b_j] (the sorted pair of `ideal` and `anti_ideal`, as pymcdm does,
    so for a cost criterion either order may be given) is mapped linearly onto [n1, n2k]:
    s_ij = (n2k − n1)/(b_j − a_j) x_ij + (n1 b_j − n2k a_j)/(b_j − a_j);
    ŝ_ij = s_ij/(2A) (benefit), H/(2 s_ij) (cost), with A = (n1 + n2k)/2 and H = 2/(1/n1 + 1/n2k);
    V_i = Σ_j w_j ŝ_ij. Defaults n1 = 1, n2k = 6 (pymcdm). `ideal`, `anti_ideal` [..., n]: None → the
    observed column max/min (pymcdm requires them; fixed values are what make RAFSI free of rank
    reversal). Data must lie inside the intervals. Source: pymcdm TestRAFSI (Žižović et al. 2020).
    """
    if not (n1 > 0 and n2k > 0 and n1 < n2k):
        raise ValueError("n1 and n2k must be positive with n1 < n2k")
    x, w, d = _prepare(x, w, direction)
    n = x.shape[-1]
    if (ideal is None) != (anti_ideal is None):
        raise ValueError("rafsi: give both ideal and anti_ideal, or neither (observed extremes)")
    if ideal is None:
        bounds = None
    else:
        pair = np.stack(np.broadcast_arrays(_per_criterion(anti_ideal, n, "anti_ideal"),
                                            _per_criterion(ideal, n, "ideal")), axis=-1)
        bounds = np.sort(pair, axis=-1)
        if np.any(bounds[..., 0] == bounds[..., 1]):
            raise ValueError("rafsi: ideal and anti_ideal must differ on every criterion")
    lo, hi = _bounds(x, bounds, "rafsi ideal/anti_ideal")
    a_val = (n1 + n2k) / 2
    h_val = 2 / (1 / n1 + 1 / n2k)
    with nan_guard():
        first = (n2k - n1) / (hi - lo)
        second = (n1 * hi - n2k * lo) / (hi - lo)
        s = _cols(first, x) * x + _cols(second, x)
        sn = np.where(_cols(d, x) > 0, s / (2 * a_val), h_val / (2 * s))
    return RafsiResult(np.sum(sn * _cols(w, x), axis=-1), s, sn, hi, lo)


# ---------------------------------------------------------------------------------------------
# LoPM


class LopmResult(NamedTuple):
    preference: np.ndarray  # merit m_i [..., m], lower is better
    limits: np.ndarray  # property limits used [..., n]
    lower: np.ndarray  # Σ over lower-limit (benefit) properties of w Y/x [..., m]
    upper: np.ndarray  # Σ over upper-limit (cost) properties of w x/Y [..., m]
    target: np.ndarray  # Σ over target properties of w |x/Y − 1| [..., m]


def lopm(x, w, direction=1, limits=None, limit_types=None) -> LopmResult:
    """LoPM, Limits on Properties Method (Farag 2020, "Materials and process selection for engineering
    design", CRC Press).

    With a limit Y_j per property: lower limit (benefit, type +1) w_j Y_j/x_ij; upper limit (cost,
    type −1) w_j x_ij/Y_j; target value (type 0) w_j |x_ij/Y_j − 1|; merit m_i = the sum. Lower is
    better (the material closest to all limits); `to_score` negates. (pymcdm 1.4.0 declares
    `reverse_ranking = False` without the leading underscore, so its `rank()` treats LoPM as
    higher-is-better; the method itself and its test concern the merit values only.)
    `limits` [..., n] with `limit_types` (n,) in {−1, 0, +1} (pymcdm `property_limits`,
    `property_types`; types override `direction`); None → the observed column best by direction
    (max for benefit, min for cost), as pymcdm does without limits. Source: pymcdm TestLoPM.
    """
    x, w, _d = _prepare(x, w, direction)
    n = x.shape[-1]
    if (limits is None) != (limit_types is None):
        raise ValueError("lopm: give both limits and limit_types, or neither")
    if limit_types is None:
        t = _d
        Y = np.where(t > 0, _colmax(x), _colmin(x))
    else:
        t = np.asarray(limit_types, dtype=float)
        if t.shape != (n,) or not np.all(np.isin(t, (-1, 0, 1))):
            raise ValueError(f"limit_types must hold one of -1, 0, 1 for each of the {n} criteria")
        Y = _per_criterion(limits, n, "limits")
    Yc, tc, wc = _cols(Y, x), _cols(t, x), _cols(w, x)
    with nan_guard():
        lower = np.sum(np.where(tc > 0, wc * (Yc / x), 0.0), axis=-1)
        upper = np.sum(np.where(tc < 0, wc * (x / Yc), 0.0), axis=-1)
        target = np.sum(np.where(tc == 0, wc * np.abs(x / Yc - 1), 0.0), axis=-1)
    missing = np.any(np.isnan(x), axis=-1)
    merit = np.where(missing, np.nan, lower + upper + target)
    return LopmResult(merit, Y, lower, upper, target)


# ---------------------------------------------------------------------------------------------
# CRADIS


class CradisResult(NamedTuple):
    preference: np.ndarray  # Q_i = (K+_i + K−_i)/2 [..., m], higher is better
    normalised: np.ndarray  # linear normalisation [..., m, n]
    weighted: np.ndarray  # v_ij
    s_plus: np.ndarray  # Σ_j (max v − v_ij) [..., m]
    s_minus: np.ndarray  # Σ_j (v_ij − min v) [..., m]
    k_plus: np.ndarray  # S+_optimal / S+_i
    k_minus: np.ndarray  # S−_i / S−_optimal


def cradis(x, w, direction=1) -> CradisResult:
    """CRADIS, Compromise Ranking of Alternatives from Distance to Ideal Solution (Puška, Stević &
    Pamučar 2021), as pyrepo-mcda implements it (pymcdm has no CRADIS).

    r = linear normalisation (x/max, min/x), v_ij = w_j r_ij; t_i = max over the whole matrix,
    t_ai = min over the whole matrix; S+_i = Σ_j (t_i − v_ij), S−_i = Σ_j (v_ij − t_ai);
    the optimal unit (column maxima) gives S+_o = Σ_j (t_i − max_i v_ij), S−_o = Σ_j (max_i v_ij − t_ai);
    K+_i = S+_o/S+_i, K−_i = S−_i/S−_o; Q_i = (K+_i + K−_i)/2. Higher is better.
    Source: pyrepo Test_CRADIS (Puška et al. 2021; asserted at 2 d.p. — the paper's printed values
    differ from pyrepo's in the third decimal).
    """
    x, w, d = _prepare(x, w, direction)
    r = _linear(x, d)
    v = r * _cols(w, x)
    with quiet():
        top = np.nanmax(v, axis=(-2, -1))[..., None]
        bottom = np.nanmin(v, axis=(-2, -1))[..., None]
    sp = np.sum(top[..., None] - v, axis=-1)
    sm = np.sum(v - bottom[..., None], axis=-1)
    cmax = _colmax(v)
    sop = np.sum(top - cmax, axis=-1)[..., None]
    som = np.sum(cmax - bottom, axis=-1)[..., None]
    with nan_guard():
        kp = sop / sp
        km = sm / som
    return CradisResult((kp + km) / 2, r, v, sp, sm, kp, km)


# ---------------------------------------------------------------------------------------------
# registry

_PYMCDM = "pymcdm 1.4.0 (Kizielewicz, Shekhovtsov & Sałabun 2023)"
_PYREPO = "pyrepo-mcda 0.1.15 (Bączkiewicz & Kizielewicz)"

METHODS: dict[str, RankingMethod] = {
    "vikor": RankingMethod(
        "vikor", "VIKOR 折衷排序法", vikor, {"v": 0.5, "zero_range": "nan"}, "lower", "one_minus",
        f"Opricovic & Tzeng (2004) EJOR 156(2):445–455; {_PYMCDM}; {_PYREPO}"),
    "edas": RankingMethod(
        "edas", "EDAS 基于平均解距离评价法", edas, {}, "higher", "identity",
        f"Keshavarz Ghorabaee et al. (2015) Informatica 26(3):435–451; {_PYMCDM}; {_PYREPO}"),
    "codas": RankingMethod(
        "codas", "CODAS 组合距离评价法", codas, {"tau": 0.02}, "higher", "identity",
        f"Keshavarz Ghorabaee et al. (2016) ECECSR 50(3):25–44; {_PYMCDM}; {_PYREPO}"),
    "mabac": RankingMethod(
        "mabac", "MABAC 边界近似区域比较法", mabac, {}, "higher", "identity",
        f"Pamučar & Ćirović (2015) ESWA 42(6):3016–3028; {_PYMCDM}; {_PYREPO}"),
    "mairca": RankingMethod(
        "mairca", "MAIRCA 理想-现实比较分析法", mairca, {}, "lower", "negate",
        f"Pamučar, Vasin & Lukovac (2014) SYM-OP-IS; {_PYMCDM}"),
    "marcos": RankingMethod(
        "marcos", "MARCOS 折衷解测度排序法", marcos, {}, "higher", "identity",
        f"Stević et al. (2020) CAIE 140:106231; {_PYMCDM}; {_PYREPO}"),
    "spotis": RankingMethod(
        "spotis", "SPOTIS 理想解稳定偏好排序法", spotis, {"bounds": None, "esp": None}, "lower", "one_minus",
        f"Dezert et al. (2020) FUSION 2020; {_PYMCDM}; {_PYREPO}"),
    "balanced_spotis": RankingMethod(
        "balanced_spotis", "平衡 SPOTIS 法（理想点与期望点折中）", balanced_spotis,
        {"esp": None, "bounds": None, "alpha": 0.5}, "lower", "one_minus",
        f"Shekhovtsov, Dezert & Sałabun (2025) ICAART 2025 3:264–271; {_PYMCDM}"),
    "rim": RankingMethod(
        "rim", "RIM 参考理想法", rim, {"bounds": None, "ref_ideal": None}, "higher", "identity",
        f"Cables, Lamata & Verdegay (2016) Inf. Sci. 337:1–10; {_PYMCDM}"),
    "ervd": RankingMethod(
        "ervd", "ERVD 相对价值距离法", ervd, {"ref_point": None, "lambd": 2.25, "alpha": 0.88}, "higher", "identity",
        f"Shyur et al. (2015) FCDS 40(4):299–315; {_PYMCDM}"),
    "probid": RankingMethod(
        "probid", "PROBID 理想-平均距离偏好排序法", probid, {}, "higher", "identity",
        f"Wang, Rangaiah & Wang (2021) I&EC Res. 60(30):11216–11230; {_PYMCDM}"),
    "sprobid": RankingMethod(
        "sprobid", "sPROBID 简化理想-平均距离排序法", sprobid, {}, "higher", "identity",
        f"Wang, Rangaiah & Wang (2021) I&EC Res. 60(30):11216–11230; {_PYMCDM}"),
    "aroman": RankingMethod(
        "aroman", "AROMAN 两步标准化排序法", aroman, {"beta": 0.5, "lam": 0.5}, "higher", "identity",
        f"Bošković et al. (2023) IEEE Access 11:39496–39507; {_PYMCDM}"),
    "rafsi": RankingMethod(
        "rafsi", "RAFSI 准则子区间函数映射排序法", rafsi,
        {"ideal": None, "anti_ideal": None, "n1": 1.0, "n2k": 6.0}, "higher", "identity",
        f"Žižović et al. (2020) Mathematics 8(6):1015; {_PYMCDM}"),
    "lopm": RankingMethod(
        "lopm", "LoPM 性能限值法", lopm, {"limits": None, "limit_types": None}, "lower", "negate",
        f"Farag (2020) Materials and Process Selection for Engineering Design, CRC Press; {_PYMCDM}"),
    "cradis": RankingMethod(
        "cradis", "CRADIS 理想解距离折衷排序法", cradis, {}, "higher", "identity",
        f"Puška, Stević & Pamučar (2021) Environ. Dev. Sustain.; {_PYREPO}"),
}

_PER_CRITERION = {'spotis': {'bounds': 'vector', 'esp': 'vector'}, 'balanced_spotis': {'bounds': 'vector', 'esp': 'vector'}, 'rim': {'bounds': 'vector', 'ref_ideal': 'vector'}, 'ervd': {'ref_point': 'vector'}, 'rafsi': {'ideal': 'vector', 'anti_ideal': 'vector'}, 'lopm': {'limits': 'vector', 'limit_types': 'vector'}}

# options holding one entry per criterion (see _registry.options_for_criteria): kept aligned when a child is left out
METHODS = {k: dataclasses.replace(m, per_criterion={**m.per_criterion, **_PER_CRITERION.get(k, {})}) for k, m in METHODS.items()}
