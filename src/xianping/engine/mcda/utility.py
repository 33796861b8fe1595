"""Utility- and ratio-based ranking methods (价值/比率型多属性决策方法).

WSM/SAW, WPM, WASPAS, MOORA, MULTIMOORA, ARAS, COPRAS, CoCoSo, OCRA, RAM, LMAW and PVM, each a pure
function `f(x, w, direction=1, **options)` on x [..., m units, n criteria] returning a NamedTuple whose
`preference` [..., m] is the method's own output, next to its intermediate tables (as pymcdm's
`verbose=True` tables). Leading axes (years, samples) broadcast, also between x and w; nothing loops
over units or leading axes. The formulas follow pymcdm 1.4.0 and pyrepo-mcda 0.1.15 exactly (their
documented defaults are our defaults); we do not call those libraries because they take one 2-D matrix
at a time and our engine evaluates whole batches at once.

Conventions shared by every method here:
- direction: +1 benefit, -1 cost per criterion (`_common.directions`).
- weights are used as given, as both upstream libraries do (they are not rescaled to sum 1: pymcdm's
  WSM/WPM tests pass weights summing to 2). Pass weights summing to 1 for the usual scale of the output.
- missing values: a unit with any missing criterion gets a NaN preference and is left out of every
  column statistic (sums, extremes, quantiles: nan-aware reductions over the units with complete
  data), so the other units score exactly as if that unit were absent.
- normalisations, named as in the libraries: "sum" x/Σx, cost (1/x)/Σ(1/x) (pymcdm sum_normalization);
  "linear" x/max, cost min/x (pymcdm/pyrepo linear_normalization); "minmax" (x−min)/(max−min), cost
  (max−x)/(max−min), a constant column → 1 (both libraries); "vector" x/√Σx² without flip.
"""

from __future__ import annotations

import dataclasses

from typing import NamedTuple

import numpy as np

from .._common import as_data, check_variant, directions, expand_cols, quiet
from ..rank import rank as _rank
from ._registry import RankingMethod

__all__ = [
    "NORMALISATIONS",
    "WSMResult",
    "wsm",
    "WPMResult",
    "wpm",
    "WaspasResult",
    "waspas",
    "MooraResult",
    "moora",
    "MultimooraResult",
    "multimoora",
    "ArasResult",
    "aras",
    "CoprasResult",
    "copras",
    "CocosoResult",
    "cocoso",
    "OcraResult",
    "ocra",
    "RamResult",
    "ram",
    "LmawResult",
    "lmaw",
    "lmaw_weights",
    "PvmResult",
    "pvm",
    "METHODS",
]

NORMALISATIONS = ("sum", "linear", "none")
PVM_KINDS = ("m", "dm", "d", "nd")


# ---------------------------------------------------------------------------------------------
# shared input handling and normalisations


def _inputs(x, w, direction):
    """x [..., m, n] as float, weights as [..., 1, n] (checked), directions (n,).

    A unit with any missing criterion becomes missing in every criterion (listwise), so that the
    nan-aware column statistics leave it out entirely.
    """
    x = as_data(x)
    miss = np.isnan(x)
    if miss.any():
        x = np.where(np.any(miss, axis=-1, keepdims=True), np.nan, x)
    n = x.shape[-1]
    d = directions(direction, n)
    w = np.asarray(w, dtype=float)
    k = w.shape[-1] if w.ndim else 1
    if w.ndim == 0 or k != n:
        raise ValueError(f"weights have {k} entries, data has {n} criteria")
    if np.any(np.isnan(w)) or np.any(w < 0):
        raise ValueError("weights must be non-negative numbers")
    return x, expand_cols(w, x.ndim), d


def _per_criterion(v, n, name):
    """An option given per criterion (scalar, [n] or [..., n]) as a float array broadcastable to [..., n]."""
    v = np.asarray(v, dtype=float)
    if v.ndim and v.shape[-1] != n:
        raise ValueError(f"{name} has {v.shape[-1]} entries, data has {n} criteria")
    return v


def _by_direction(d, benefit, cost):
    """Column j from benefit() where d_j > 0, from cost() where d_j < 0; only the needed side is built."""
    if np.all(d > 0):
        return benefit()
    if np.all(d < 0):
        return cost()
    return np.where(d > 0, benefit(), cost())


def _normalise(x, d, kind):
    """Column normalisation over units (axis −2) with the cost flip of the named upstream function."""
    if kind == "none":
        if np.any(d < 0):
            raise ValueError("normalisation='none' expects benefit-oriented data: all directions must be +1")
        return x
    with quiet():
        if kind == "sum":
            return _by_direction(
                d,
                lambda: x / np.nansum(x, axis=-2, keepdims=True),
                lambda: (1.0 / x) / np.nansum(1.0 / x, axis=-2, keepdims=True),
            )
        if kind == "linear":
            return _by_direction(
                d,
                lambda: x / np.nanmax(x, axis=-2, keepdims=True),
                lambda: np.nanmin(x, axis=-2, keepdims=True) / x,
            )
        if kind == "minmax":
            lo = np.nanmin(x, axis=-2, keepdims=True)
            hi = np.nanmax(x, axis=-2, keepdims=True)
            span = hi - lo
            r = _by_direction(d, lambda: (x - lo) / span, lambda: (hi - x) / span)
            # a constant column gives 1 in pymcdm and pyrepo minmax_normalization (not 0/0)
            return np.where((span == 0) & ~np.isnan(x), 1.0, r)
        if kind == "vector":
            return x / np.sqrt(np.nansum(x * x, axis=-2, keepdims=True))
    raise ValueError(f"unknown normalisation {kind!r}")


def _wsum(v, mask=None):
    """Σ_j over criteria, optionally over the columns where `mask` (n,) is true; NaN propagates."""
    if mask is None:
        return np.sum(v, axis=-1)
    return np.sum(v[..., mask], axis=-1)


# ---------------------------------------------------------------------------------------------
# WSM / SAW, WPM, WASPAS


class WSMResult(NamedTuple):
    normalised: np.ndarray  # r_ij [..., m, n]
    weighted: np.ndarray  # v_ij = w_j r_ij
    preference: np.ndarray  # P_i = Σ_j v_ij [..., m], higher is better


def wsm(x, w, direction=1, normalisation: str = "sum") -> WSMResult:
    """Weighted sum model P_i = Σ_j w_j r_ij (WSM, Fishburn 1967; SAW 简单加权法).

    normalisation: "sum" (pymcdm WSM default), "linear" (pyrepo SAW default: x/max, cost min/x),
    "none" (x already normalised, benefit-oriented). pymcdm WSM and pyrepo SAW are this one method and
    differ only in that default; the registry offers both names. Source: pymcdm methods/wsm.py
    (test TestWSM, self-reference); pyrepo mcda_methods/saw.py (Test_SAW, Rizan et al. 2020).
    """
    check_variant("normalisation", normalisation, NORMALISATIONS)
    x, wc, d = _inputs(x, w, direction)
    r = _normalise(x, d, normalisation)
    v = r * wc
    return WSMResult(r, v, _wsum(v))


class WPMResult(NamedTuple):
    normalised: np.ndarray  # r_ij
    weighted: np.ndarray  # r_ij ** w_j
    preference: np.ndarray  # P_i = Π_j r_ij^{w_j}


def wpm(x, w, direction=1, normalisation: str = "sum") -> WPMResult:
    """Weighted product model P_i = Π_j r_ij^{w_j} (WPM; Bridgman 1922, Miller & Starr 1969).

    normalisation as in `wsm` ("sum" = pymcdm WPM default). Source: pymcdm methods/wpm.py (TestWPM).
    """
    check_variant("normalisation", normalisation, NORMALISATIONS)
    x, wc, d = _inputs(x, w, direction)
    r = _normalise(x, d, normalisation)
    v = r**wc
    return WPMResult(r, v, np.prod(v, axis=-1))


class WaspasResult(NamedTuple):
    normalised: np.ndarray
    wsm: np.ndarray  # Q1_i = Σ_j w_j r_ij
    wpm: np.ndarray  # Q2_i = Π_j r_ij^{w_j}
    preference: np.ndarray  # Q_i = λ Q1_i + (1 − λ) Q2_i


def waspas(x, w, direction=1, normalisation: str = "linear", lam: float = 0.5) -> WaspasResult:
    """WASPAS (Zavadskas et al. 2012): Q_i = λ Σ_j w_j r_ij + (1 − λ) Π_j r_ij^{w_j}.

    r = "linear" normalisation (x/max, cost min/x; pymcdm and pyrepo default); λ ∈ [0, 1] (0.5 in
    both libraries; λ = 1 gives WSM, λ = 0 WPM). Source: pymcdm methods/waspas.py (TestWASPAS,
    Chakraborty et al. 2015); pyrepo mcda_methods/waspas.py (Test_WASPAS, Tuş & Aytaç Adalı 2019).
    """
    check_variant("normalisation", normalisation, NORMALISATIONS)
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"lam must be in [0, 1], got {lam!r}")
    x, wc, d = _inputs(x, w, direction)
    r = _normalise(x, d, normalisation)
    q1 = _wsum(r * wc)
    q2 = np.prod(r**wc, axis=-1)
    return WaspasResult(r, q1, q2, lam * q1 + (1.0 - lam) * q2)


# ---------------------------------------------------------------------------------------------
# MOORA, MULTIMOORA


class MooraResult(NamedTuple):
    normalised: np.ndarray  # r_ij = x_ij / √Σ_i x_ij²
    weighted: np.ndarray  # w_j r_ij
    preference: np.ndarray  # y_i = Σ_benefit w_j r_ij − Σ_cost w_j r_ij


def moora(x, w, direction=1) -> MooraResult:
    """MOORA ratio system (Brauers & Zavadskas 2006): y_i = Σ_{j benefit} w_j r_ij − Σ_{j cost} w_j r_ij
    with r_ij = x_ij / √Σ_i x_ij² (vector normalisation, no flip).

    y can be negative (more cost than benefit), so the node score from `to_score="identity"` is not in
    [0, 1]. pymcdm refuses data with no cost criterion; we do not (pyrepo's MULTIMOORA_RS, used by its
    Test_MOORA, is the same formula with all benefit criteria). Source: pymcdm methods/moora.py
    (TestMOORA, Siregar et al. 2021); pyrepo multimoora.py MULTIMOORA_RS (Karabasevic et al. 2015).
    """
    x, wc, d = _inputs(x, w, direction)
    r = _normalise(x, d, "vector")
    v = r * wc
    return MooraResult(r, v, _wsum(v * d))


class MultimooraResult(NamedTuple):
    normalised: np.ndarray  # r_ij = x_ij / √Σ_i x_ij²
    ratio_system: np.ndarray  # RS_i = MOORA y_i, higher better
    reference_point: np.ndarray  # RP_i = max_j w_j |r*_j − r_ij|, lower better
    full_multiplicative: np.ndarray  # FMF_i = Π_benefit w_j r_ij / Π_cost w_j r_ij, higher better
    rank: np.ndarray  # compromise rank (1 = best, dense ties): pyrepo MULTIMOORA's own output
    preference: np.ndarray  # dominance count D_i (higher better); rank = dense rank of D


def _strictly_worse(s, higher_is_better=True):
    """#{k : s_k strictly worse than s_i} among the non-missing units, via ranks (no m×m table):
    with ties="max", rank_i = #{k : s_k at least as good as s_i}."""
    r = _rank(s, ties="max", higher_is_better=higher_is_better)
    return np.sum(~np.isnan(s), axis=-1, keepdims=True) - r


def multimoora(x, w, direction=1) -> MultimooraResult:
    """MULTIMOORA (Brauers & Zavadskas 2010) with the dominance-directed-graph aggregation of pyrepo.

    r_ij = x_ij / √Σ_i x_ij²; RS_i = Σ_benefit w_j r_ij − Σ_cost w_j r_ij; RP_i = max_j w_j |r*_j − r_ij|
    with r*_j the column max (benefit) or min (cost); FMF_i = Π_benefit w_j r_ij / Π_cost w_j r_ij
    (pyrepo multiplies the weighted values). Each of the three is ranked (RS, FMF descending, RP
    ascending); D_i = Σ over the three rankings of the number of units ranked strictly below i
    (pyrepo compromise_rankings.dominance_directed_graph); the compromise rank is the dense rank of D
    descending. preference = D (higher better, in [0, 3(m−1)]); `rank` is pyrepo's returned value.
    Source: pyrepo mcda_methods/multimoora.py (Test_MULTIMOORA, Karabasevic et al. 2015).
    """
    x, wc, d = _inputs(x, w, direction)
    r = _normalise(x, d, "vector")
    v = r * wc
    rs = _wsum(v * d)
    with quiet():
        ref = np.where(d > 0, np.nanmax(r, axis=-2, keepdims=True), np.nanmin(r, axis=-2, keepdims=True))
        rp = np.max(wc * np.abs(ref - r), axis=-1)
        fmf = np.prod(np.where(d > 0, v, 1.0), axis=-1) / np.prod(np.where(d < 0, v, 1.0), axis=-1)
    dom = _strictly_worse(rs) + _strictly_worse(rp, higher_is_better=False) + _strictly_worse(fmf)
    dom = np.where(np.isnan(rs) | np.isnan(rp) | np.isnan(fmf), np.nan, dom)
    return MultimooraResult(r, rs, rp, fmf, _rank(dom, ties="dense"), dom)


# ---------------------------------------------------------------------------------------------
# ARAS, COPRAS


class ArasResult(NamedTuple):
    optimal: np.ndarray  # x_0j [..., n]: the optimal alternative (column best, or esp)
    normalised: np.ndarray  # r_ij of the units [..., m, n] (sum-normalised with row 0 included)
    optimal_normalised: np.ndarray  # r_0j [..., n]
    optimality: np.ndarray  # S_i = Σ_j w_j r_ij [..., m]
    optimality_0: np.ndarray  # S_0 [...]
    preference: np.ndarray  # utility degree K_i = S_i / S_0


def aras(x, w, direction=1, esp=None) -> ArasResult:
    """ARAS (Zavadskas & Turskis 2010): K_i = S_i / S_0.

    The matrix is extended by an optimal alternative x_0 (column max for benefit, min for cost, or the
    expected values `esp` [n]); the extended columns are sum-normalised (benefit x/Σx, cost
    (1/x)/Σ(1/x), sums over the m units and x_0); S_i = Σ_j w_j r_ij. K ≤ 1 when x_0 is the column best.
    Source: pymcdm methods/aras.py (TestARAS output, output2 with esp; Stanujkic et al. 2015,
    Zavadskas & Turskis 2010); pyrepo mcda_methods/aras.py (Test_ARAS, Goswami & Mitra 2020).
    """
    x, wc, d = _inputs(x, w, direction)
    n = x.shape[-1]
    if esp is None:
        with quiet():
            x0 = np.where(d > 0, np.nanmax(x, axis=-2), np.nanmin(x, axis=-2))
    else:
        x0 = _per_criterion(esp, n, "esp")
    batch = np.broadcast_shapes(x.shape[:-2], x0.shape[:-1])
    x0 = np.broadcast_to(x0, batch + (n,))
    ext = np.concatenate([x0[..., None, :], np.broadcast_to(x, batch + x.shape[-2:])], axis=-2)
    r = _normalise(ext, d, "sum")
    s = _wsum(r * wc)
    with quiet():
        k = s[..., 1:] / s[..., :1]
    return ArasResult(x0, r[..., 1:, :], r[..., 0, :], s[..., 1:], s[..., 0], k)


COPRAS_VARIANTS = ("standard", "pymcdm")


class CoprasResult(NamedTuple):
    normalised: np.ndarray  # r_ij = x_ij / Σ_i x_ij (no flip)
    weighted: np.ndarray  # v_ij = w_j r_ij
    s_plus: np.ndarray  # S+_i = Σ_benefit v_ij
    s_minus: np.ndarray  # S−_i = Σ_cost v_ij
    significance: np.ndarray  # Q_i
    preference: np.ndarray  # utility degree U_i = Q_i / max Q


def copras(x, w, direction=1, variant: str = "standard") -> CoprasResult:
    """COPRAS (Zavadskas, Kaklauskas & Šarka 1994): U_i = Q_i / max_k Q_k.

    r_ij = x_ij / Σ_i x_ij for every column; S± = Σ of w_j r_ij over benefit / cost columns;
    - variant "standard" (the published formula; pyrepo): Q_i = S+_i + Σ_k S−_k / (S−_i Σ_k 1/S−_k)
      (Q_i = S+_i when there is no cost criterion);
    - variant "pymcdm": Q_i = S+_i + S−_i. This reproduces pymcdm 1.4.0, whose expression
      S+ + (min S−·S−)/(S−·(min S−/S−)) reduces algebraically to S+ + S−, so that a higher cost
      *raises* the score. It exists only to reproduce pymcdm's TestCOPRAS/TestCOPRAS2 numbers; do not
      use it for evaluation.
    Source: pyrepo mcda_methods/copras.py (Test_COPRAS, Goswami & Mitra 2020); pymcdm
    methods/copras.py (TestCOPRAS, TestCOPRAS2, Zavadskas et al. 2007).
    """
    check_variant("variant", variant, COPRAS_VARIANTS)
    x, wc, d = _inputs(x, w, direction)
    with quiet():
        r = x / np.nansum(x, axis=-2, keepdims=True)
    v = r * wc
    sp = _wsum(v, d > 0)
    sm = _wsum(v, d < 0)
    with quiet():
        if variant == "pymcdm":
            q = sp + sm
        elif np.any(d < 0):
            q = sp + np.nansum(sm, axis=-1, keepdims=True) / (sm * np.nansum(1.0 / sm, axis=-1, keepdims=True))
        else:
            q = sp
        u = q / np.nanmax(q, axis=-1, keepdims=True)
    return CoprasResult(r, v, sp, sm, q, u)


# ---------------------------------------------------------------------------------------------
# CoCoSo, OCRA, RAM, LMAW


class CocosoResult(NamedTuple):
    normalised: np.ndarray  # min–max r_ij
    s: np.ndarray  # S_i = Σ_j w_j r_ij
    p: np.ndarray  # P_i = Σ_j r_ij^{w_j}
    k_a: np.ndarray  # (P_i + S_i) / Σ_k (P_k + S_k)
    k_b: np.ndarray  # S_i / min S + P_i / min P
    k_c: np.ndarray  # (λ S_i + (1−λ) P_i) / (λ max S + (1−λ) max P)
    preference: np.ndarray  # k_i = (k_a k_b k_c)^{1/3} + (k_a + k_b + k_c)/3


def cocoso(x, w, direction=1, lam: float = 0.5) -> CocosoResult:
    """CoCoSo (Yazdani, Zarate, Zavadskas & Turskis 2019), min–max normalisation (a constant column
    gives 1), λ = 0.5: k_i = (k_ia k_ib k_ic)^{1/3} + (k_ia + k_ib + k_ic)/3 with the three appraisal
    scores of the result fields. Output > 0, unbounded above (identity node score is not in [0, 1]).
    Source: pymcdm methods/cocoso.py (TestCOCOSO); pyrepo mcda_methods/cocoso.py (Test_COCOSO).
    """
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"lam must be in [0, 1], got {lam!r}")
    x, wc, d = _inputs(x, w, direction)
    r = _normalise(x, d, "minmax")
    s = _wsum(r * wc)
    p = _wsum(r**wc)
    with quiet():
        ka = (p + s) / np.nansum(p + s, axis=-1, keepdims=True)
        kb = s / np.nanmin(s, axis=-1, keepdims=True) + p / np.nanmin(p, axis=-1, keepdims=True)
        kc = (lam * s + (1 - lam) * p) / (
            lam * np.nanmax(s, axis=-1, keepdims=True) + (1 - lam) * np.nanmax(p, axis=-1, keepdims=True)
        )
        k = np.cbrt(ka * kb * kc) + (ka + kb + kc) / 3.0
    return CocosoResult(r, s, p, ka, kb, kc, k)


class OcraResult(NamedTuple):
    cost_rating: np.ndarray  # Ī_i = Σ_cost w_j (max_j − x_ij) / min_j
    cost_linear: np.ndarray  # Ī_i − min Ī
    benefit_rating: np.ndarray  # Ō_i = Σ_benefit w_j (x_ij − min_j) / min_j
    benefit_linear: np.ndarray  # Ō_i − min Ō
    preference: np.ndarray  # P_i = (Ī' + Ō')_i − min (Ī' + Ō'), the worst unit gets 0


def ocra(x, w, direction=1) -> OcraResult:
    """OCRA operational competitiveness rating (Parkan 1994; Madić et al. 2015).

    Ī_i = Σ_cost w_j (max_j − x_ij)/min_j, Ō_i = Σ_benefit w_j (x_ij − min_j)/min_j; each is shifted to
    a minimum of 0, and P_i = (Ī'_i + Ō'_i) − min_k (Ī'_k + Ō'_k) ≥ 0, higher better.
    Source: pymcdm methods/ocra.py (TestOCRA, Işık & Adalı 2016).
    """
    x, wc, d = _inputs(x, w, direction)
    with quiet():
        lo = np.nanmin(x, axis=-2, keepdims=True)
        hi = np.nanmax(x, axis=-2, keepdims=True)
        # with no cost (benefit) criterion the empty sum is 0, as in pymcdm
        i_cost = _wsum(wc * (hi - x) / lo, d < 0)
        o_ben = _wsum(wc * (x - lo) / lo, d > 0)
        missing = np.any(np.isnan(x), axis=-1)
        i_cost = np.where(missing, np.nan, i_cost)
        o_ben = np.where(missing, np.nan, o_ben)
        il = i_cost - np.nanmin(i_cost, axis=-1, keepdims=True)
        ol = o_ben - np.nanmin(o_ben, axis=-1, keepdims=True)
        t = il + ol
        pref = t - np.nanmin(t, axis=-1, keepdims=True)
    return OcraResult(i_cost, il, o_ben, ol, pref)


class RamResult(NamedTuple):
    normalised: np.ndarray  # r_ij = x_ij / Σ_i x_ij (no flip)
    weighted: np.ndarray  # y_ij = w_j r_ij
    s_plus: np.ndarray  # S+_i = Σ_benefit y_ij
    s_minus: np.ndarray  # S−_i = Σ_cost y_ij
    preference: np.ndarray  # RI_i = (2 + S+_i)^{1/(2 + S−_i)}


def ram(x, w, direction=1) -> RamResult:
    """Root Assessment Method (Sotoudeh-Anvari 2023): RI_i = (2 + S+_i)^{1/(2 + S−_i)}, higher better,
    with r_ij = x_ij / Σ_i x_ij for every column (no flip) and S± the weighted sums over benefit / cost
    criteria. Source: pymcdm methods/ram.py (TestRAM).
    """
    x, wc, d = _inputs(x, w, direction)
    with quiet():
        r = x / np.nansum(x, axis=-2, keepdims=True)
    y = r * wc
    sp = _wsum(y, d > 0)
    sm = _wsum(y, d < 0)
    return RamResult(r, y, sp, sm, (2.0 + sp) ** (1.0 / (2.0 + sm)))


class LmawResult(NamedTuple):
    standardised: np.ndarray  # ϑ_ij = (x_ij + max_j)/max_j (benefit), (x_ij + min_j)/x_ij (cost)
    phi: np.ndarray  # φ_ij = ln ϑ_ij / ln Π_i ϑ_ij
    xi: np.ndarray  # ξ_ij = 2 φ_ij^{w_j} / ((2 − φ_ij)^{w_j} + φ_ij^{w_j})
    preference: np.ndarray  # Q_i = Σ_j ξ_ij


def lmaw(x, w, direction=1) -> LmawResult:
    """LMAW ranking step (Pamučar, Žižović, Biswas & Božanić 2021): Q_i = Σ_j ξ_ij, higher better.

    ϑ_ij = (x_ij + max_j)/max_j for benefit, (x_ij + min_j)/x_ij for cost (positive data);
    φ_ij = ln ϑ_ij / ln Π_i ϑ_ij; ξ_ij = 2 φ_ij^{w_j} / ((2 − φ_ij)^{w_j} + φ_ij^{w_j}).
    LMAW is also a way to obtain the weights, from experts' linguistic priorities (not from the data):
    that step is `lmaw_weights`; like pymcdm's LMAW.__call__, this function takes the weights given.
    Source: pymcdm methods/lmaw.py (TestLMAW.test_output).
    """
    x, wc, d = _inputs(x, w, direction)
    with quiet():
        t = _by_direction(
            d,
            lambda: (x + np.nanmax(x, axis=-2, keepdims=True)) / np.nanmax(x, axis=-2, keepdims=True),
            lambda: (x + np.nanmin(x, axis=-2, keepdims=True)) / x,
        )
        lt = np.log(t)
        phi = lt / np.nansum(lt, axis=-2, keepdims=True)
        pw = phi**wc
        xi = 2.0 * pw / ((2.0 - phi) ** wc + pw)
    return LmawResult(t, phi, xi, _wsum(xi))


def lmaw_weights(priorities, aip: float = 0.5, p: float = 1.0, q: float = 1.0) -> np.ndarray:
    """LMAW criterion weights from k experts' priority vectors [..., k, n] (linguistic scale 1 … 5).

    γ_ej = ψ_ej / AIP (AIP = absolute anti-ideal point, 0.5); w_ej = ln γ_ej / ln Π_j γ_ej; the
    experts are combined by the Bonferroni mean
    w_j = ( Σ_{x≠y} w_xj^p w_yj^q / (k(k−1)) )^{1/(p+q)} (not rescaled to Σ = 1, as in the paper).
    Source: pymcdm LMAW.aggregate_weights (TestLMAW.test_weights_aggregation, Pamučar et al. 2021).
    """
    v = np.asarray(priorities, dtype=float)
    if v.ndim < 2:
        raise ValueError("priorities must be [..., experts, criteria]")
    k = v.shape[-2]
    if k < 2:
        raise ValueError("the Bonferroni aggregation needs at least two experts")
    if aip <= 0 or np.any(v <= aip):
        raise ValueError("priorities must exceed the anti-ideal point aip > 0")
    g = np.log(v / aip)
    we = g / np.sum(g, axis=-1, keepdims=True)
    # Σ_{x≠y} a_x b_y = (Σ a)(Σ b) − Σ a b, over the experts axis
    s = np.sum(we**p, axis=-2) * np.sum(we**q, axis=-2) - np.sum(we ** (p + q), axis=-2)
    return (s / (k * (k - 1))) ** (1.0 / (p + q))


# ---------------------------------------------------------------------------------------------
# PVM


class PvmResult(NamedTuple):
    normalised: np.ndarray  # r_ij = x_ij / √Σ_i x_ij²
    psi: np.ndarray  # ψ_j preferred values (raw units) [..., n]
    phi: np.ndarray  # φ_j unpreferred values
    direction_vector: np.ndarray  # T''_j = T'_j / ‖T'‖, T' = (ψ − φ)/‖x_j‖
    mi_motivating: np.ndarray  # μ_v,i = Σ_{m, dm} (r_ij − φ'_j) T''_j w_j
    mi_desirable: np.ndarray  # μ_d,i = √Σ_d w_j² (r_ij − ψ'_j)²
    mi_non_desirable: np.ndarray  # μ_nd,i = √Σ_nd w_j² (r_ij − ψ'_j)²
    preference: np.ndarray  # μ_i = (L_v μ_v − L_d μ_d + L_nd μ_nd) / (L_v + L_d + L_nd)


def pvm(x, w, direction=1, kinds=None, psi=None, phi=None) -> PvmResult:
    """Preference Vector Method (Nermend 2023) as in pyrepo-mcda PVM.

    Criterion kinds: "m" motivating, "dm" demotivating (scored by projection on the preference vector
    ψ − φ), "d" desirable (distance to ψ subtracted), "nd" non-desirable (distance to ψ added).
    kinds=None takes "m" for direction +1 and "dm" for −1; given kinds override direction.
    ψ, φ (raw units, [n] or [..., n]) default, per kind: m ψ = Q3, φ = Q1; dm ψ = Q1, φ = Q3;
    d ψ = max, φ = min; nd ψ = min, φ = max (quartiles with numpy's linear interpolation).
    With r = x/‖x_j‖, ψ' = ψ/‖x_j‖, φ' likewise, T'' = (ψ' − φ')/‖ψ' − φ'‖ (over all criteria):
    μ_i = (L_v μ_v,i − L_d μ_d,i + L_nd μ_nd,i) / (L_v + L_d + L_nd), L = number of criteria of a kind.
    μ can be negative: the identity node score is not in [0, 1]. Source: pyrepo mcda_methods/pvm.py
    (Test_PVM, Nermend 2023).
    """
    x, wc, d = _inputs(x, w, direction)
    n = x.shape[-1]
    if kinds is None:
        kinds = ["m" if dj > 0 else "dm" for dj in d]
    kinds = [kinds] * n if isinstance(kinds, str) else list(kinds)
    if len(kinds) != n:
        raise ValueError(f"kinds has {len(kinds)} entries, data has {n} criteria")
    for k in kinds:
        check_variant("kind", k, PVM_KINDS)
    kinds = np.array(kinds)
    is_v = (kinds == "m") | (kinds == "dm")
    is_d = kinds == "d"
    is_nd = kinds == "nd"
    if (psi is None) != (phi is None):
        raise ValueError("give both psi and phi, or neither")
    with quiet():
        if psi is None:
            q1, q3 = np.nanquantile(x, [0.25, 0.75], axis=-2)
            lo, hi = np.nanmin(x, axis=-2), np.nanmax(x, axis=-2)
            psi = np.select([kinds == "m", kinds == "dm", is_d], [q3, q1, hi], lo)
            phi = np.select([kinds == "m", kinds == "dm", is_d], [q1, q3, lo], hi)
        else:
            psi = _per_criterion(psi, n, "psi")
            phi = _per_criterion(phi, n, "phi")
        norm = np.sqrt(np.nansum(x * x, axis=-2))  # [..., n]
        r = x / norm[..., None, :]
        psi_p = psi / norm
        phi_p = phi / norm
        t = psi_p - phi_p
        t2 = t / np.sqrt(np.sum(t * t, axis=-1, keepdims=True))
        w1 = wc[..., 0, :]
        mv = _wsum((r - phi_p[..., None, :]) * (t2 * w1)[..., None, :], is_v)
        md = np.sqrt(_wsum((w1**2)[..., None, :] * (r - psi_p[..., None, :]) ** 2, is_d))
        mnd = np.sqrt(_wsum((w1**2)[..., None, :] * (r - psi_p[..., None, :]) ** 2, is_nd))
    lv, ld, lnd = int(is_v.sum()), int(is_d.sum()), int(is_nd.sum())
    mi = (mv * lv - md * ld + mnd * lnd) / (lv + ld + lnd)
    return PvmResult(r, psi, phi, t2, mv, md, mnd, mi)


# ---------------------------------------------------------------------------------------------
# registry

_PYMCDM = "pymcdm 1.4.0 (tests @76e7735)"
_PYREPO = "pyrepo-mcda 0.1.15 (tests @b3ac297)"

METHODS: dict[str, RankingMethod] = {
    "wsm": RankingMethod(
        "wsm", "WSM 加权和模型", wsm, {"normalisation": "sum"}, "higher", "identity",
        f"Fishburn (1967); {_PYMCDM} WSM",
    ),
    "saw": RankingMethod(
        "saw", "SAW 简单加权法", wsm, {"normalisation": "linear"}, "higher", "identity",
        f"MacCrimmon (1968); {_PYREPO} SAW",
    ),
    "wpm": RankingMethod(
        "wpm", "WPM 加权积模型", wpm, {"normalisation": "sum"}, "higher", "identity",
        f"Miller & Starr (1969); {_PYMCDM} WPM",
    ),
    "waspas": RankingMethod(
        "waspas", "WASPAS 加权和积综合评估法", waspas, {"normalisation": "linear", "lam": 0.5}, "higher",
        "identity", f"Zavadskas et al. (2012); {_PYMCDM} WASPAS; {_PYREPO} WASPAS",
    ),
    "moora": RankingMethod(
        "moora", "MOORA 基于比率分析的多目标优化法", moora, {}, "higher", "identity",
        f"Brauers & Zavadskas (2006); {_PYMCDM} MOORA; {_PYREPO} MULTIMOORA_RS",
    ),
    "multimoora": RankingMethod(
        "multimoora", "MULTIMOORA 多目标比率分析全乘法", multimoora, {}, "higher", "identity",
        f"Brauers & Zavadskas (2010); {_PYREPO} MULTIMOORA (dominance_directed_graph)",
    ),
    "aras": RankingMethod(
        "aras", "ARAS 加性比率评估法", aras, {"esp": None}, "higher", "identity",
        f"Zavadskas & Turskis (2010); {_PYMCDM} ARAS; {_PYREPO} ARAS",
    ),
    "copras": RankingMethod(
        "copras", "COPRAS 复杂比例评估法", copras, {"variant": "standard"}, "higher", "identity",
        f"Zavadskas, Kaklauskas & Šarka (1994); {_PYREPO} COPRAS",
    ),
    "cocoso": RankingMethod(
        "cocoso", "CoCoSo 组合折衷解法", cocoso, {"lam": 0.5}, "higher", "identity",
        f"Yazdani et al. (2019); {_PYMCDM} COCOSO; {_PYREPO} COCOSO",
    ),
    "ocra": RankingMethod(
        "ocra", "OCRA 运营竞争力评级法", ocra, {}, "higher", "identity",
        f"Parkan (1994); Madić et al. (2015); {_PYMCDM} OCRA",
    ),
    "ram": RankingMethod(
        "ram", "RAM 根评估法", ram, {}, "higher", "identity", f"Sotoudeh-Anvari (2023); {_PYMCDM} RAM",
    ),
    "lmaw": RankingMethod(
        "lmaw", "LMAW 对数加性权重法", lmaw, {}, "higher", "identity",
        f"Pamučar, Žižović, Biswas & Božanić (2021); {_PYMCDM} LMAW",
    ),
    "pvm": RankingMethod(
        "pvm", "PVM 偏好向量法", pvm, {"kinds": None, "psi": None, "phi": None}, "higher", "identity",
        f"Nermend (2023); {_PYREPO} PVM",
    ),
}

_PER_CRITERION = {'aras': {'esp': 'vector'}, 'pvm': {'kinds': 'vector', 'psi': 'vector', 'phi': 'vector'}}

# options holding one entry per criterion (see _registry.options_for_criteria): kept aligned when a child is left out
METHODS = {k: dataclasses.replace(m, per_criterion={**m.per_criterion, **_PER_CRITERION.get(k, {})}) for k, m in METHODS.items()}
