"""COMET (Characteristic Objects METhod, 特征对象法), Structural COMET and the MEJ consistency tools.

COMET (Sałabun 2015) rates a small grid of *characteristic objects* (CO) once and interpolates every
alternative from it, so an alternative's score does not depend on the other alternatives (no rank
reversal):

1. characteristic values c_j1 < … < c_jk_j per criterion j (`cvalues`); the COs are their Cartesian
   product, K = Π_j k_j objects (ordered as `itertools.product`, or by the Gray-code product of pymcdm
   when `co_ordering="gray_code"`: neighbouring COs then differ in one criterion);
2. an expert rates the COs: SJ_k = Σ_l MEJ_kl from a Matrix of Expert Judgements (MEJ, 1/0.5/0 for
   better/equal/worse) or, with an MCDA method as the expert (pymcdm `MethodExpert`), SJ = K − rank of the
   method's preference over the COs; the distinct SJ values, sorted ascending, become the preference
   levels P_k = (dense rank of SJ_k − 1) / (number of distinct SJ − 1) ∈ [0, 1];
3. each alternative's criterion value activates the triangular fuzzy numbers (TFN) around the
   characteristic values: μ_jt(x) = (x − c_j,t−1)/(c_jt − c_j,t−1) on the rising edge, (c_j,t+1 − x)/
   (c_j,t+1 − c_jt) on the falling edge, 1 at c_jt, 0 elsewhere (the outer TFNs are half-open);
4. P(A_i) = Σ_k P_k Π_j μ_j,t_j(k)(a_ij) — a multilinear interpolation of the CO grid.

Step 4 is computed here as a contraction of the grid tensor P[k_1, …, k_n] with the membership vectors,
one criterion at a time: vectorised over units and leading axes (years, samples); the loop runs over the
handful of criteria only. Memory per slice is about m · K / k_1 floats.

Structural COMET (Shekhovtsov, Kołodziejczyk & Sałabun 2020) chains COMET submodels over groups of
criteria: each submodel's output is a new criterion with its own characteristic values for the next
submodel. `triads_consistency` is the MEJ consistency coefficient of Sałabun, Shekhovtsov & Kizielewicz
(ICCS 2021): 1 − (inconsistent triads) / C(K, 3).

Formulas and conventions follow pymcdm 1.4.0 (`pymcdm.methods.COMET`, `pymcdm.methods.comet_tools`); they
are re-implemented in vectorised numpy because our engine evaluates all years and all robustness samples in
one call (pymcdm rates one 2-D matrix per call with Python loops over COs and criteria). Differences from
pymcdm, on purpose: ties among the expert's CO ratings are found after rounding to `tie_decimals` (12) so
that floating-point noise does not split a tie (pymcdm compares exactly; identical on every oracle case),
and values a hair outside the characteristic-value range (|Δ| ≤ 1e-9 of the range, e.g. a submodel output
equal to its rounded bound) are clipped instead of rejected.

Pipeline fit: `comet(x, w, direction, cvalues=…, expert="topsis")` follows the RankingMethod contract — the
default expert is pymcdm's `MethodExpert(TOPSIS(), w, types)`, so the node's weights and directions are the
expert's. `cvalues` has no usable default: pass one list for every criterion (e.g. [0, 0.5, 1] for
normalised children), one list per criterion, or an integer k for k equally spaced values between each
criterion's observed min and max (pymcdm `COMET.make_cvalues`; this makes the model data-dependent).
`structural_comet` is a tree of its own and is not registered (a framework's hierarchy with `comet` at the
nodes plays its role).
"""

from __future__ import annotations

import dataclasses

from itertools import combinations
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from .._common import as_data, check_variant, directions, nan_guard, quiet
from ..aggregate import topsis as _topsis
from ..rank import rank as _rank
from ._registry import RankingMethod

__all__ = [
    "CO_ORDERINGS",
    "OUTSIDE_POLICIES",
    "gray_code_product",
    "make_cvalues",
    "characteristic_objects",
    "tfn_memberships",
    "CometModel",
    "comet_model",
    "CometResult",
    "comet",
    "comet_infer",
    "mej_from_preferences",
    "triads_consistency",
    "Submodel",
    "StructuralCometResult",
    "structural_comet",
    "METHODS",
]

CO_ORDERINGS = ("product", "gray_code")
OUTSIDE_POLICIES = ("error", "clip", "nan")
MAX_CO = 1_000_000  # K beyond this is a sign the model should be split into submodels (structural_comet)
_RANGE_TOL = 1e-9  # relative to each criterion's characteristic range: float noise, not an outlier


# ---------------------------------------------------------------------------------------------
# characteristic values and objects


def gray_code_product(*pools) -> list[list]:
    """Cartesian product in reflected (Gray-code-like) order: the pool of criterion j runs forwards and
    backwards alternately, so consecutive tuples differ in one position (pymcdm `_gray_code_product`).

    >>> gray_code_product([1, 2], [10, 20])
    [[1, 10], [1, 20], [2, 20], [2, 10]]
    """
    result: list[list] = [[]]
    for pool in (tuple(p) for p in pools):
        result = [x + [y] for i, x in enumerate(result) for y in (reversed(pool) if i % 2 else pool)]
    return result


def make_cvalues(x, k: int = 3) -> np.ndarray:
    """k equally spaced characteristic values from each criterion's observed min to max → [..., n, k]
    (pymcdm `COMET.make_cvalues`; nan-aware, per leading slice)."""
    x = as_data(x)
    if int(k) != k or k < 2:
        raise ValueError(f"cvalues as an integer means k equally spaced values per criterion; need k ≥ 2, got {k!r}")
    with quiet():
        lo, hi = np.nanmin(x, axis=-2), np.nanmax(x, axis=-2)
    t = np.linspace(0.0, 1.0, int(k))
    return lo[..., None] + (hi - lo)[..., None] * t  # [..., n, k]


def _as_cvalues(cvalues, n: int | None, x=None) -> list[np.ndarray]:
    """Normalise a cvalues spec to a list of n float arrays [..., k_j] (leading axes broadcast)."""
    if cvalues is None:
        raise ValueError("COMET needs cvalues (characteristic values per criterion; no default): one list for all "
                         "criteria, one list per criterion, or an integer k (k values from min to max)")
    if isinstance(cvalues, (int, np.integer)) and not isinstance(cvalues, bool):
        if x is None:
            raise ValueError("cvalues as an integer needs the data (it takes each criterion's min and max)")
        cvalues = make_cvalues(x, int(cvalues))
    if isinstance(cvalues, np.ndarray) and cvalues.dtype != object:
        arr = cvalues.astype(float)
        if arr.ndim == 1:
            if n is None:
                raise ValueError("a single list of cvalues needs the number of criteria")
            out = [arr] * n
        else:
            out = [arr[..., j, :] for j in range(arr.shape[-2])]
    else:
        seq = list(cvalues)
        if seq and all(np.ndim(v) == 0 for v in seq):  # one list for every criterion
            if n is None:
                raise ValueError("a single list of cvalues needs the number of criteria")
            out = [np.asarray(seq, dtype=float)] * n
        else:
            out = [np.asarray(v, dtype=float) for v in seq]
    if n is not None and len(out) != n:
        raise ValueError(f"cvalues give {len(out)} criteria, data has {n}")
    for j, c in enumerate(out):
        if c.ndim == 0 or c.shape[-1] < 2:
            raise ValueError(f"cvalues of criterion {j} need at least 2 characteristic values")
        if not np.all(np.diff(c, axis=-1) > 0):
            raise ValueError(f"cvalues of criterion {j} must be strictly increasing (sorted, no repeats, no NaN)")
    return out


def _co_index(ks: Sequence[int], co_ordering: str) -> np.ndarray:
    """Integer grid positions [K, n] of the characteristic objects in the chosen order."""
    check_variant("co_ordering", co_ordering, CO_ORDERINGS)
    if co_ordering == "product":
        return np.indices(tuple(ks)).reshape(len(ks), -1).T
    return np.array(gray_code_product(*[range(k) for k in ks]), dtype=np.int64).reshape(-1, len(ks))


def characteristic_objects(cvalues, co_ordering: str = "product") -> np.ndarray:
    """The characteristic objects [..., K, n] (rows) of per-criterion cvalues, in product or Gray order."""
    cv = _as_cvalues(cvalues, None)
    idx = _co_index([c.shape[-1] for c in cv], co_ordering)
    return _co_matrix(cv, idx)


def _co_matrix(cv: list[np.ndarray], idx: np.ndarray) -> np.ndarray:
    cols = [c[..., idx[:, j]] for j, c in enumerate(cv)]  # each [..., K]
    cols = np.broadcast_arrays(*cols)
    return np.stack(cols, axis=-1)


# ---------------------------------------------------------------------------------------------
# the expert: CO ratings SJ → preference levels P


def _expert_scores(expert, co, w, direction, expert_options) -> tuple[np.ndarray, np.ndarray | None]:
    """SJ [..., K] (higher = better) and the MEJ if the expert gave one."""
    opts = dict(expert_options or {})
    n = co.shape[-1]
    if isinstance(expert, np.ndarray) or (isinstance(expert, (list, tuple)) and np.ndim(expert) >= 2):
        mej = np.asarray(expert, dtype=float)
        K = co.shape[-2]
        if mej.shape[-2:] != (K, K):
            raise ValueError(f"the MEJ must be K × K with K = {K} characteristic objects, got shape {mej.shape}")
        if not np.all(np.isin(mej, (0.0, 0.5, 1.0))):
            raise ValueError("MEJ entries must be 1 (row CO better), 0.5 (equal) or 0 (worse)")
        return mej.sum(axis=-1), mej
    if w is None:
        w = np.full(n, 1.0 / n)
    if isinstance(expert, str):
        expert = _expert_by_name(expert)
    if isinstance(expert, RankingMethod):
        pref = expert.func(co, w, direction, **opts).preference
        return (pref if expert.better == "higher" else -pref), None
    if callable(expert):
        return np.asarray(expert(co, w, direction, **opts), dtype=float), None
    raise ValueError(f"expert must be a method name, a RankingMethod, a callable or a MEJ matrix, got {type(expert).__name__}")


def _topsis_expert(co, w, direction, normalisation: str = "min_max", **kw):
    """pymcdm `MethodExpert(TOPSIS(), w, types)`: TOPSIS with pymcdm's default min–max normalisation."""
    return _topsis(co, w, direction, normalisation=normalisation, **kw).closeness


_BUILTIN_EXPERTS: dict[str, Callable[..., np.ndarray]] = {"topsis": _topsis_expert}


def _expert_by_name(name: str):
    if name in _BUILTIN_EXPERTS:
        return _BUILTIN_EXPERTS[name]
    try:  # any ranking method the mcda package registers (integrator's combined registry), if present
        from . import RANKING_METHODS as _ALL
    except ImportError:
        _ALL = {}
    if name in _ALL and name != "comet":
        return _ALL[name]
    raise ValueError(f"unknown COMET expert {name!r}; use one of {sorted(set(_BUILTIN_EXPERTS) | set(_ALL) - {'comet'})}, "
                     "a RankingMethod, a callable (co, w, direction) → scores, or a MEJ matrix")


def _levels(sj: np.ndarray, tie_decimals: int | None) -> np.ndarray:
    """P = (dense ascending rank of SJ − 1) / (number of distinct SJ − 1); pymcdm COMET.__init__."""
    r = _rank(sj, ties="dense", higher_is_better=False, decimals=tie_decimals)
    with quiet():
        k = np.nanmax(r, axis=-1, keepdims=True)
        p = (r - 1.0) / (k - 1.0)  # all COs tied: 0/0 = NaN, as in pymcdm
    return np.where(np.isnan(sj).any(axis=-1, keepdims=True), np.nan, p)


class CometModel(NamedTuple):
    cvalues: tuple  # n arrays [..., k_j]
    index: np.ndarray  # [K, n] grid position of each CO (in co_ordering)
    co: np.ndarray  # [..., K, n] characteristic objects
    sj: np.ndarray  # [..., K] expert's summed judgements (or ratings), higher = better
    p: np.ndarray  # [..., K] preference level of each CO in [0, 1]
    mej: np.ndarray | None  # [..., K, K] when the expert supplied a MEJ; else see mej_from_preferences(p)
    co_ordering: str


def comet_model(cvalues, expert="topsis", w=None, direction=1, expert_options: dict | None = None,
                co_ordering: str = "product", tie_decimals: int | None = 12, x=None) -> CometModel:
    """Identify a COMET model: characteristic objects, the expert's SJ and the CO preference levels P.

    `expert`: "topsis" (pymcdm `MethodExpert(TOPSIS(), w, direction)`, min–max normalisation), another
    registered ranking method's name or a `RankingMethod` (its `preference`, negated when lower is better),
    a callable `f(co [..., K, n], w, direction, **expert_options) → scores [..., K]` (higher = better), or a
    MEJ matrix [..., K, K] in CO order (pymcdm `ManualExpert`). `w` [..., n] / `direction` are the expert's.
    `x` is needed only for integer cvalues. Batched: cvalues [..., n, k] and w [..., n] broadcast.
    """
    n = None if x is None else np.shape(x)[-1]
    if n is None and w is not None:
        n = np.shape(w)[-1]
    cv = _as_cvalues(cvalues, n, x)
    n = len(cv)
    ks = [c.shape[-1] for c in cv]
    K = int(np.prod(ks))
    if K > MAX_CO:
        raise ValueError(f"COMET with {K} characteristic objects is too large; split the criteria into submodels (structural_comet)")
    d = directions(direction, n)
    if w is not None:
        w = _check_weights(w, n)
    idx = _co_index(ks, co_ordering)
    co = _co_matrix(cv, idx)
    sj, mej = _expert_scores(expert, co, w, d, expert_options)
    if sj.shape[-1] != K:
        raise ValueError(f"the expert returned {sj.shape[-1]} ratings for {K} characteristic objects")
    return CometModel(tuple(cv), idx, co, sj, _levels(sj, tie_decimals), mej, co_ordering)


def _check_weights(w, n: int) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    if w.ndim == 0 or w.shape[-1] != n:
        raise ValueError(f"weights have {w.shape[-1] if w.ndim else 1} entries, data has {n} criteria")
    if np.any(w < 0):
        raise ValueError("weights must be non-negative")
    return w


# ---------------------------------------------------------------------------------------------
# inference


def tfn_memberships(x, c, outside: str = "error") -> np.ndarray:
    """Triangular memberships μ [..., m, k] of values x [..., m] in the TFNs centred on the characteristic
    values c [..., k] (pymcdm `_TFN`, `COMET._make_tfns`): 1 at c_t, (x − c_{t−1})/(c_t − c_{t−1}) on the
    rising edge, (c_{t+1} − x)/(c_{t+1} − c_t) on the falling edge, 0 elsewhere; the first TFN has no
    rising edge, the last no falling edge. Rows sum to 1 inside [c_1, c_k]. NaN x → NaN row.
    `outside`: "error" (pymcdm's validation), "clip" (to the nearest end), "nan".
    """
    check_variant("outside", outside, OUTSIDE_POLICIES)
    x = np.asarray(x, dtype=float)
    c = np.asarray(c, dtype=float)
    lo, hi = c[..., :1], c[..., -1:]  # [..., 1] broadcast against x [..., m]
    tol = _RANGE_TOL * (hi - lo)
    x = np.where((x < lo) & (x >= lo - tol), lo, np.where((x > hi) & (x <= hi + tol), hi, x))
    out = (x < lo) | (x > hi)
    if np.any(out):
        if outside == "error":
            raise ValueError(f"{int(np.count_nonzero(out))} value(s) lie outside the characteristic values "
                             f"[c_1, c_k] (choose outside='clip' or 'nan', or widen cvalues)")
        if outside == "clip":
            x = np.clip(x, lo, hi)
            out = np.zeros(x.shape, dtype=bool)
    xx = x[..., :, None]
    cc = c[..., None, :]
    cl = np.concatenate([c[..., :1], c[..., :-1]], axis=-1)[..., None, :]
    cr = np.concatenate([c[..., 1:], c[..., -1:]], axis=-1)[..., None, :]
    with nan_guard():
        rise = (xx - cl) / (cc - cl)
        fall = (cr - xx) / (cr - cc)
    mu = np.where(xx == cc, 1.0, np.where((xx > cl) & (xx < cc), rise, np.where((xx > cc) & (xx < cr), fall, 0.0)))
    return np.where(np.isnan(xx) | out[..., :, None], np.nan, mu)


def comet_infer(model: CometModel, x, outside: str = "error") -> tuple[np.ndarray, tuple]:
    """P(A_i) = Σ_k P_k Π_j μ_j(a_ij) for x [..., m, n] → ([..., m], memberships per criterion)."""
    x = as_data(x)
    cv = model.cvalues
    n = len(cv)
    if x.shape[-1] != n:
        raise ValueError(f"the model has {n} criteria, data has {x.shape[-1]}")
    ks = [c.shape[-1] for c in cv]
    mus = tuple(tfn_memberships(x[..., j], cv[j], outside) for j in range(n))
    # grid tensor P[..., k_1, …, k_n] in product order, whatever the CO ordering
    flat = np.ravel_multi_index(tuple(model.index.T), ks)
    grid = np.empty(model.p.shape, dtype=float)
    grid[..., flat] = model.p
    # contract one criterion at a time (loop over the few criteria only): T [..., m, rest]
    rest = grid.shape[-1] // ks[0]
    t = np.matmul(mus[0], grid.reshape(grid.shape[:-1] + (ks[0], rest)))
    for j in range(1, n):
        rest //= ks[j]
        t = t.reshape(t.shape[:-1] + (ks[j], rest))
        t = np.einsum("...mk,...mkr->...mr", mus[j], t)
    return t[..., 0], mus


class CometResult(NamedTuple):
    preference: np.ndarray  # [..., m] in [0, 1], higher = better
    memberships: tuple  # n arrays [..., m, k_j]
    co: np.ndarray  # [..., K, n] characteristic objects
    sj: np.ndarray  # [..., K]
    p: np.ndarray  # [..., K] CO preference levels
    mej: np.ndarray | None  # the expert's MEJ when given (else mej_from_preferences(p))
    model: CometModel


def comet(x, w=None, direction=1, cvalues=None, expert="topsis", expert_options: dict | None = None,
          co_ordering: str = "product", outside: str = "error", tie_decimals: int | None = 12) -> CometResult:
    """COMET (Sałabun 2015) preference of the alternatives x [..., m, n]; see the module docstring.

    w [..., n] and direction are handed to the expert (default pymcdm `MethodExpert(TOPSIS(), w, types)`,
    TOPSIS with min–max normalisation); COMET's own inference uses neither. `cvalues` (required): one
    increasing list for all criteria, one per criterion (ragged allowed), an array [..., n, k], or an
    integer k (k values from each criterion's min to max per slice, pymcdm `make_cvalues`).
    Source: pymcdm 1.4.0 `methods.COMET` (test_mcdm.TestCOMET, Paradowski et al. 2021).
    """
    x = as_data(x)
    model = comet_model(cvalues, expert, w, direction, expert_options, co_ordering, tie_decimals, x=x)
    pref, mus = comet_infer(model, x, outside)
    return CometResult(pref, mus, model.co, model.sj, model.p, model.mej, model)


# ---------------------------------------------------------------------------------------------
# MEJ and its consistency


def mej_from_preferences(p) -> np.ndarray:
    """MEJ [..., K, K] implied by CO preferences p [..., K]: 1 if p_k > p_l, 0.5 if equal, 0 if lower
    (pymcdm `COMET.get_MEJ`)."""
    p = np.asarray(p, dtype=float)
    return 0.5 * (1.0 + np.sign(p[..., :, None] - p[..., None, :]))


# (MEJ_ij, MEJ_jk, MEJ_ik) patterns of an inconsistent triad, pymcdm T_weak_inc_rules + T_strong_inc_rules
_INCONSISTENT = (
    (1.0, 1.0, 0.5), (1.0, 0.5, 0.5), (0.5, 1.0, 0.5), (0.5, 0.5, 1.0),
    (0.5, 0.5, 0.0), (0.5, 0.0, 0.5), (0.0, 0.5, 0.5), (0.0, 0.0, 0.5),
    (1.0, 1.0, 0.0), (1.0, 0.5, 0.0), (0.5, 1.0, 0.0), (0.5, 0.0, 1.0),
    (0.0, 0.5, 1.0), (0.0, 0.0, 1.0),
)


def triads_consistency(mej_or_model) -> np.ndarray | float:
    """Consistency coefficient of a MEJ (Sałabun, Shekhovtsov & Kizielewicz, ICCS 2021; pymcdm
    `comet_tools.triads_consistency`): 1 − T_inc / C(K, 3), where T_inc counts the triads i < j < k whose
    (MEJ_ij, MEJ_jk, MEJ_ik) is a weakly or strongly inconsistent pattern. Accepts a MEJ [..., K, K] or a
    CometModel / CometResult (its MEJ, or the one implied by its P). K < 3 → 1.

    Vectorised without enumerating triads: for one pattern (a, b, c) the count is
    Σ_{i<k} [MEJ_ik = c] · (U_a U_b)_ik with U_a the strictly upper-triangular indicator of MEJ = a,
    since (U_a U_b)_ik = #{j : i < j < k, MEJ_ij = a, MEJ_jk = b}.
    """
    if isinstance(mej_or_model, (CometModel, CometResult)):
        mej = mej_or_model.mej if mej_or_model.mej is not None else mej_from_preferences(mej_or_model.p)
    else:
        mej = np.asarray(mej_or_model, dtype=float)
    if mej.ndim < 2 or mej.shape[-1] != mej.shape[-2]:
        raise ValueError(f"a MEJ is a square matrix [..., K, K], got shape {mej.shape}")
    K = mej.shape[-1]
    if K < 3:
        return 1.0 if mej.ndim == 2 else np.ones(mej.shape[:-2])
    upper = np.triu(np.ones((K, K), dtype=bool), 1)
    U = {v: ((mej == v) & upper).astype(float) for v in (0.0, 0.5, 1.0)}
    prods: dict[tuple, np.ndarray] = {}
    inc = 0.0
    for a, b, c in _INCONSISTENT:  # 14 fixed patterns
        if (a, b) not in prods:
            prods[(a, b)] = U[a] @ U[b]
        inc = inc + np.sum(U[c] * prods[(a, b)], axis=(-2, -1))
    T = K * (K - 1) * (K - 2) / 6
    res = 1 - inc / T
    return float(res) if np.ndim(res) == 0 else res


# ---------------------------------------------------------------------------------------------
# Structural COMET


class Submodel(NamedTuple):
    """One COMET submodel of a structural model (pymcdm `comet_tools.Submodel`).

    structure: its inputs — criterion indices (int), criterion names, or names of earlier submodels;
    cvalues: characteristic values of its *output* (None for the final submodel);
    expert, weights, direction, expert_options: as in `comet_model`; name: how later submodels refer to it.
    """

    structure: tuple
    cvalues: Any
    expert: Any = "topsis"
    weights: Any = None
    direction: Any = 1
    name: str | None = None
    expert_options: dict | None = None


class StructuralCometResult(NamedTuple):
    preference: np.ndarray  # [..., m] of the final submodel
    submodels: dict  # name → CometResult, in evaluation order


def structural_comet(x, submodels: Sequence[Submodel], cvalues, criteria_names: Sequence[str] | None = None,
                     co_ordering: str = "product", outside: str = "error",
                     tie_decimals: int | None = 12) -> StructuralCometResult:
    """Structural COMET (Shekhovtsov, Kołodziejczyk & Sałabun 2020; pymcdm `StructuralCOMET`).

    x [..., m, n]; `cvalues` per criterion (as in `comet`); submodels in evaluation order, each referring
    to criteria or to earlier submodels; exactly one submodel (the final one) has cvalues=None. Every
    submodel is a COMET over its inputs' characteristic values; its output becomes an input for later
    submodels. Returns the final preference and every submodel's CometResult. The loop runs over the
    handful of submodels; each one is vectorised over units and leading axes.
    """
    x = as_data(x)
    n = x.shape[-1]
    cv = _as_cvalues(cvalues, n)
    names = list(criteria_names) if criteria_names is not None else [f"C_{j + 1}" for j in range(n)]
    if len(names) != n:
        raise ValueError(f"{len(names)} criteria names for {n} criteria")
    finals = [s for s in submodels if s.cvalues is None]
    if len(finals) != 1:
        raise ValueError(f"exactly one submodel (the final one) must have cvalues=None, found {len(finals)}")
    values: dict[Any, np.ndarray] = {}
    outcv: dict[Any, np.ndarray] = {}
    for j, nm in enumerate(names):
        values[j] = values[nm] = x[..., j]
        outcv[j] = outcv[nm] = cv[j]
    results: dict[str, CometResult] = {}
    final_name = None
    for s in submodels:
        structure = (s.structure,) if isinstance(s.structure, (int, str)) else tuple(s.structure)
        missing = [k for k in structure if k not in values]
        if missing:
            raise ValueError(f"submodel {s.name or structure} refers to {missing}, which are neither criteria nor earlier submodels")
        name = s.name if s.name is not None else str(structure)
        xs = np.stack(np.broadcast_arrays(*[values[k] for k in structure]), axis=-1)
        res = comet(xs, s.weights, s.direction, cvalues=[outcv[k] for k in structure], expert=s.expert,
                    expert_options=s.expert_options, co_ordering=co_ordering, outside=outside,
                    tie_decimals=tie_decimals)
        results[name] = res
        values[name] = res.preference
        if s.cvalues is None:
            final_name = name
        else:
            outcv[name] = _as_cvalues([s.cvalues], 1)[0]
    return StructuralCometResult(results[final_name].preference, results)


# ---------------------------------------------------------------------------------------------
# registry

METHODS: dict[str, RankingMethod] = {
    "comet": RankingMethod(
        name="comet",
        label_zh="COMET 特征对象法",
        func=comet,
        options={
            "cvalues": None,  # required (no default): list for all criteria, list per criterion, or int k
            "expert": "topsis",
            "expert_options": None,
            "co_ordering": "product",
            "outside": "error",
            "tie_decimals": 12,
        },
        better="higher",
        to_score="identity",
        reference="Sałabun W. (2015) The Characteristic Objects Method, J. Multi-Criteria Decision Analysis "
                  "22(1-2):37-50; pymcdm 1.4.0 methods.COMET with comet_tools.MethodExpert(TOPSIS())",
    ),
}

_PER_CRITERION = {'comet': {'cvalues': 'nested'}}

# options holding one entry per criterion (see _registry.options_for_criteria): kept aligned when a child is left out
METHODS = {k: dataclasses.replace(m, per_criterion={**m.per_criterion, **_PER_CRITERION.get(k, {})}) for k, m in METHODS.items()}
