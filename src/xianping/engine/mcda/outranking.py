"""Outranking methods (级别高于关系法): PROMETHEE II and PROSA-C.

Both compare every pair of units criterion by criterion: with d_j(a, b) = δ_j (x_aj − x_bj) (δ_j = ±1
the direction) and a preference function P_j, the single-criterion net flow of unit a is
φ_j(a) = Σ_b [P_j(d_j(a, b)) − P_j(d_j(b, a))] / (m − 1). PROMETHEE II's net flow is Σ_j w_j φ_j(a);
PROSA-C subtracts a weighted mean absolute deviation from it (weak compensation).
x is [..., m units, n criteria], leading axes broadcast (also between x, w, p, q); the formulas follow
pymcdm 1.4.0 and pyrepo-mcda 0.1.15 exactly, implemented in numpy over whole batches (why we do not
call those libraries: they take one 2-D matrix at a time).

Weights are used as given (as both libraries do): with Σ w = 1 the net flow lies in [−1, 1]. The net
flow is signed, so the identity node score (`to_score="identity"`) is not in [0, 1].
Missing values: a unit with any missing criterion gets NaN and is left out of the other units'
comparisons (their flows are those of the problem without it, divided by m_observed − 1).
"""

from __future__ import annotations

import dataclasses

from typing import NamedTuple

import numpy as np

from .._common import check_variant, quiet
from ._registry import RankingMethod
from .utility import _inputs, _per_criterion

__all__ = [
    "PREFERENCE_FUNCTIONS",
    "preference_function",
    "PrometheeResult",
    "promethee_ii",
    "ProsaCResult",
    "prosa_c",
    "METHODS",
]

PREFERENCE_FUNCTIONS = ("usual", "ushape", "vshape", "level", "vshape_2", "gaussian")


def preference_function(kind: str, d, p=None, q=None) -> np.ndarray:
    """P(d) of the six classic PROMETHEE criteria (Brans & Vincke 1985), as pymcdm/pyrepo define them.

    usual: [d > 0]; ushape: [d > q]; vshape: min(d/p, 1) for d > 0; level: 0 (d ≤ q), ½ (q < d ≤ p),
    1 (d > p); vshape_2 (pyrepo's "linear"): 0 (d ≤ q), (d − q)/(p − q) (q < d ≤ p), 1 (d > p);
    gaussian (pyrepo): 1 − exp(−d²/(2 s²)) for d > 0 with s = (p + q)/2. NaN d gives 0.
    """
    check_variant("preference_function", kind, PREFERENCE_FUNCTIONS)
    d = np.asarray(d, dtype=float)
    with quiet():
        if kind == "usual":
            return (d > 0).astype(float)
        if kind == "ushape":
            return (d > q).astype(float)
        if kind == "vshape":
            return np.where(d > 0, np.minimum(d / p, 1.0), 0.0)
        if kind == "level":
            return np.where(d > p, 1.0, np.where(d > q, 0.5, 0.0))
        if kind == "vshape_2":
            return np.where(d > p, 1.0, np.where(d > q, (d - q) / (p - q), 0.0))
        s = (p + q) / 2.0
        return np.where(d > 0, 1.0 - np.exp(-(d * d) / (2.0 * s * s)), 0.0)


def _criterion_flows(x, d, preference_functions, p, q):
    """Positive and negative single-criterion flows φ+_j, φ−_j [..., m, n] and the observed-unit mask.

    φ+_j(a) = Σ_b P_j(d_j(a, b)) / (m_obs − 1), φ−_j(a) = Σ_b P_j(d_j(b, a)) / (m_obs − 1). The pairs
    (a, a) are included, as upstream (P(0) = 0 for valid thresholds).
    """
    n = x.shape[-1]
    pfs = [preference_functions] * n if isinstance(preference_functions, str) else list(preference_functions)
    if len(pfs) != n:
        raise ValueError(f"preference_function has {len(pfs)} entries, data has {n} criteria")
    for k in pfs:
        check_variant("preference_function", k, PREFERENCE_FUNCTIONS)
    # pyrepo's defaults when thresholds are not given: u_j = population sd of criterion j, p = 2u, q = u/2
    with quiet():
        u = np.nanstd(x, axis=-2)
    p = 2.0 * u if p is None else _per_criterion(p, n, "p")
    q = 0.5 * u if q is None else _per_criterion(q, n, "q")
    if np.any(p < 0) or np.any(q < 0):
        raise ValueError("thresholds p and q must be non-negative")
    batch = np.broadcast_shapes(x.shape[:-2], p.shape[:-1], q.shape[:-1])
    x = np.broadcast_to(x, batch + x.shape[-2:])
    p = np.broadcast_to(p, batch + (n,))
    q = np.broadcast_to(q, batch + (n,))
    observed = ~np.any(np.isnan(x), axis=-1)  # [..., m]
    all_observed = bool(observed.all())
    pair = None if all_observed else observed[..., :, None] & observed[..., None, :]
    plus = np.empty(x.shape)
    minus = np.empty(x.shape)
    # one [..., m, m] table at a time: looping over the (few) criteria keeps the memory at m² per
    # batch slice instead of m²·n
    for j, kind in enumerate(pfs):
        xj = x[..., j] * d[j]
        pj = preference_function(kind, xj[..., :, None] - xj[..., None, :],
                                 p[..., j, None, None], q[..., j, None, None])
        if not all_observed:
            pj = np.where(pair, pj, 0.0)
        plus[..., j] = np.sum(pj, axis=-1)
        minus[..., j] = np.sum(pj, axis=-2)
    with quiet():
        den = (np.sum(observed, axis=-1) - 1.0)[..., None, None]
        plus /= den
        minus /= den
    plus[~observed] = np.nan
    minus[~observed] = np.nan
    return plus, minus, observed


class PrometheeResult(NamedTuple):
    criterion_flows: np.ndarray  # φ_j(a) = φ+_j(a) − φ−_j(a) [..., m, n]
    phi_plus: np.ndarray  # φ+(a) = Σ_j w_j φ+_j(a) [..., m] (leaving flow)
    phi_minus: np.ndarray  # φ−(a) = Σ_j w_j φ−_j(a) (entering flow)
    preference: np.ndarray  # net flow φ(a) = φ+(a) − φ−(a), higher better, in [−1, 1] when Σw = 1


def promethee_ii(x, w, direction=1, preference_function: str | list = "usual", p=None, q=None) -> PrometheeResult:
    """PROMETHEE II net outranking flow (Brans & Vincke 1985).

    π(a, b) = Σ_j w_j P_j(δ_j (x_aj − x_bj)); φ+(a) = Σ_b π(a, b)/(m − 1); φ−(a) = Σ_b π(b, a)/(m − 1);
    φ(a) = φ+(a) − φ−(a). `preference_function`: one name for all criteria or one per criterion, from
    usual (default in both libraries), ushape, vshape, level, vshape_2 (pyrepo "linear"), gaussian
    (pyrepo; s = (p+q)/2); thresholds p (preference), q (indifference): scalar, [n] or [..., n];
    if not given, pyrepo's defaults p_j = 2σ_j, q_j = σ_j/2 (σ_j the population sd of criterion j;
    pymcdm has no default and needs them for any function other than usual).
    Source: pymcdm methods/promethee_ii.py (TestPROMETHEE_II, Zhao et al. 2013); pyrepo
    mcda_methods/promethee.py (Test_PROMETHEE_II: Papathanasiou & Ploskas 2018; _2: Ziemba 2019;
    _3: Ziemba et al. 2017).
    """
    x, wc, d = _inputs(x, w, direction)
    plus, minus, _ = _criterion_flows(x, d, preference_function, p, q)
    phi_plus = np.sum(plus * wc, axis=-1)
    phi_minus = np.sum(minus * wc, axis=-1)
    return PrometheeResult(plus - minus, phi_plus, phi_minus, phi_plus - phi_minus)


class ProsaCResult(NamedTuple):
    criterion_flows: np.ndarray  # φ_j(a) [..., m, n]
    net_flow: np.ndarray  # φ_net(a) = Σ_j w_j φ_j(a): the PROMETHEE II net flow
    wmad: np.ndarray  # WMAD(a) = Σ_j |φ_net(a) − φ_j(a)| w_j s_j
    preference: np.ndarray  # PSV_net(a) = φ_net(a) − WMAD(a), higher better


def prosa_c(x, w, direction=1, preference_function: str | list = "usual", p=None, q=None, s=0.3) -> ProsaCResult:
    """PROSA-C, PROSA examining sustainability at the criteria level (Ziemba 2019).

    PSV_net(a) = φ_net(a) − Σ_j |φ_net(a) − φ_j(a)| w_j s_j, with the single-criterion net flows φ_j and
    φ_net = Σ_j w_j φ_j as in `promethee_ii`; s_j ≥ 0 is the sustainability (compensation) coefficient
    (scalar, [n] or [..., n]; pyrepo default 0.3 for all). Preference functions and thresholds as in
    `promethee_ii`. Source: pyrepo mcda_methods/prosa_c.py (Test_PROSA_C, Ziemba 2019).
    """
    x, wc, d = _inputs(x, w, direction)
    s = _per_criterion(s, x.shape[-1], "s")
    if np.any(np.isnan(s)) or np.any(s < 0):
        raise ValueError("s must be non-negative")
    plus, minus, _ = _criterion_flows(x, d, preference_function, p, q)
    phi = plus - minus
    net = np.sum(phi * wc, axis=-1)
    wmad = np.sum(np.abs(net[..., None] - phi) * wc * s, axis=-1)
    return ProsaCResult(phi, net, wmad, net - wmad)


METHODS: dict[str, RankingMethod] = {
    "promethee_ii": RankingMethod(
        "promethee_ii", "PROMETHEE II 偏好顺序结构评估法（净流量）", promethee_ii,
        {"preference_function": "usual", "p": None, "q": None}, "higher", "identity",
        "Brans & Vincke (1985); pymcdm 1.4.0 (tests @76e7735) PROMETHEE_II; "
        "pyrepo-mcda 0.1.15 (tests @b3ac297) PROMETHEE_II",
    ),
    "prosa_c": RankingMethod(
        "prosa_c", "PROSA-C 准则层可持续性评估法", prosa_c,
        {"preference_function": "usual", "p": None, "q": None, "s": 0.3}, "higher", "identity",
        "Ziemba (2019); pyrepo-mcda 0.1.15 (tests @b3ac297) PROSA_C",
    ),
}

_PER_CRITERION = {'promethee_ii': {'preference_function': 'vector', 'p': 'vector', 'q': 'vector'}, 'prosa_c': {'preference_function': 'vector', 'p': 'vector', 'q': 'vector', 's': 'vector'}}

# options holding one entry per criterion (see _registry.options_for_criteria): kept aligned when a child is left out
METHODS = {k: dataclasses.replace(m, per_criterion={**m.per_criterion, **_PER_CRITERION.get(k, {})}) for k, m in METHODS.items()}
