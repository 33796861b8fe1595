"""A compiled evaluation plan run over arrays: denominate → impute → screen → treat → normalise →
weight → aggregate (a tree of any depth) → rank → tiers.

Pure numpy: data x is [..., years, units, indicators] (the years axis is always there, T may be 1;
any further leading axes are samples and broadcast). A `Plan` holds only numbers, strings and tuples,
so it can be written into a manifest and rebuilt. The edge layer (`xianping.evaluation`) compiles a
Framework into a Plan and labels the arrays.

Node table: nodes 0..n−1 are the indicator leaves (in `Plan.indicators` order); internal nodes follow
in post-order (children before parents) and the root is the last. Every node gets a score [..., T, m].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from . import aggregate as A
from . import denominate as D
from . import impute as I
from . import normalise as N
from . import rank as R
from . import screen as S
from . import treat_outliers as TR
from . import mcda as MCDA
from . import weights as W
from ._common import check_variant, quiet, warn

__all__ = [
    "NodeStep",
    "Plan",
    "Prepared",
    "Scored",
    "PipelineResult",
    "NodeError",
    "prepare",
    "score",
    "run",
    "BatchScored",
    "score_batch",
    "tiers",
    "PANEL_MODES",
    "MISSING_YEAR_POLICIES",
]

PANEL_MODES = ("per_year", "pooled", "frozen")
MISSING_YEAR_POLICIES = ("carry_forward", "drop", "error")
DATA_WEIGHTS = ("entropy", "critic", "cv", "std", "pca")


@dataclass(frozen=True)
class NodeStep:
    """One internal node: its children (node indices), how they are weighted and combined.

    weights: {"method": equal|explicit|ahp|entropy|critic|cv|std|pca|combined, ...}; explicit and ahp carry
    the numeric vector in "values" (AHP is solved when the plan is compiled). combined: "components"
    (list of weight dicts), "combine", "alpha". aggregation: {"method": arithmetic|geometric|harmonic|
    generalised|topsis|grey_relational, ...options}.
    """

    code: str
    children: tuple[int, ...]
    weights: dict[str, Any]
    aggregation: dict[str, Any]


@dataclass(frozen=True)
class Plan:
    indicators: tuple[str, ...]  # data columns, one per leaf
    leaf_codes: tuple[str, ...]  # the leaves' node codes
    nodes: tuple[NodeStep, ...]  # internal nodes in post-order; root last
    directions: tuple[Any, ...]  # +1 / -1 / "moderate" / "interval" per indicator
    denominators: tuple[int, ...] = ()  # per indicator: column of the denominator array, −1 none
    denominator_scale: tuple[float, ...] = ()
    optimum: tuple[float | None, ...] = ()
    interval: tuple[tuple[float, float] | None, ...] = ()
    goalposts: tuple[tuple[float, float] | None, ...] = ()
    targets: tuple[float | None, ...] = ()
    missing_years: str = "carry_forward"
    impute: dict[str, Any] = field(default_factory=lambda: {"method": "none"})
    screen: dict[str, Any] = field(default_factory=dict)  # unit_threshold, indicator_threshold, nonzero_threshold
    treat: dict[str, Any] = field(default_factory=lambda: {"method": "none"})
    normalise: dict[str, Any] = field(default_factory=lambda: {"method": "min_max", "shift": "none"})
    panel: str = "pooled"  # per_year | pooled | frozen
    base_index: int = 0  # the year whose anchors/weights are frozen (panel = frozen)
    anchors: tuple[tuple[float, float], ...] | None = None  # frozen anchors given (e.g. from a manifest)
    scale: float = 100.0
    missing: str = "renormalise"  # aggregation NaN policy
    ties: str = "min"
    rank_leaves: bool = False  # also rank every indicator (costly for many indicators; the edge layer asks for it)

    @property
    def n(self) -> int:
        return len(self.indicators)

    @property
    def node_codes(self) -> tuple[str, ...]:
        return self.leaf_codes + tuple(s.code for s in self.nodes)


class Prepared(NamedTuple):
    raw: np.ndarray
    denominated: np.ndarray
    imputed: np.ndarray
    imputed_mask: np.ndarray  # bool [..., T, m, n]
    carried_forward: np.ndarray  # bool [..., T, n]: indicator-years filled from another year
    keep_units: np.ndarray  # bool [..., T, m]
    keep_indicators: np.ndarray  # bool [..., T, n]
    unit_availability: np.ndarray
    indicator_availability: np.ndarray
    treated: np.ndarray
    treat_flags: np.ndarray | None
    normalised: np.ndarray  # [..., T, m, n] on [0, scale] for bounded methods; NaN for screened cells
    anchors: tuple[np.ndarray, np.ndarray] | None  # (lo, hi) or (mean, sd) used, [..., 1|T, n]
    bounds: tuple[np.ndarray, np.ndarray] | None = None  # (lo, hi) moderate/interval columns took M from


class Scored(NamedTuple):
    values: np.ndarray  # [..., T, m, N] score of every node (leaves: normalised values)
    keep_nodes: np.ndarray  # bool [..., T, N]: node present (not screened out) that year
    weights: dict[str, np.ndarray]  # node code → normalised child weights [..., T, k]
    effective: np.ndarray  # [..., T, N] effective weight of every node in the root
    ranks: np.ndarray  # [..., T, m, N] (leaves NaN unless plan.rank_leaves)
    topsis: dict[str, A.TopsisResult]
    details: dict[str, dict[str, Any]]  # node code → extra tables (entropy e_j, …)


class NodeError(ValueError):
    """A step failed at one node of the tree (`code`), e.g. a zero in a geometric mean with zero='error'."""

    def __init__(self, code: str, message: str):
        super().__init__(f"node {code!r}: {message}")
        self.code = code


class ZeroInMeanError(NodeError):
    """A geometric/harmonic mean met a zero (or a negative value) with zero_policy 'error'.

    Carries where: `where` = index tuple into the node's input [..., T, m, k] (leading sample axes first, then
    year, unit, child), `child` = the child's node code, `value` — the edge layer turns them into labels."""

    def __init__(self, code: str, method: str, where: tuple[int, ...], child: str, value: float):
        super().__init__(code, f"{method} mean over a {'zero' if value == 0 else 'negative value'} "
                               f"(child {child!r}, value {value:g}) with zero_policy 'error'")
        self.method, self.where, self.child, self.value = method, where, child, value


class PipelineResult(NamedTuple):
    prepared: Prepared
    scored: Scored


# ---------------------------------------------------------------------------------------------
# preparation


def _carry_forward(x, policy):
    """Indicator-years with no observation at all: fill from the nearest year (forward, then back),
    drop them, or raise."""
    check_variant("missing_years", policy, MISSING_YEAR_POLICIES)
    empty = np.all(np.isnan(x), axis=-2)  # [..., T, n]
    has_any = ~np.all(empty, axis=-2, keepdims=True)  # indicator observed in some year
    fillable = empty & has_any
    if not fillable.any() or policy == "drop":
        return x, np.zeros(empty.shape, dtype=bool), ~fillable
    if policy == "error":
        raise ValueError("an indicator has no observation in some year (missing_years='error')")
    filled = I.impute(x, "ffill_bfill", time_axis=-3).x
    mask = np.expand_dims(fillable, -2)
    return np.where(mask, filled, x), fillable, np.ones(empty.shape, dtype=bool)


def _panel_source(x, plan: Plan):
    """The county-years panel anchors are taken from: all years (pooled) or the base year (frozen)."""
    return x if plan.panel == "pooled" else x[..., plan.base_index : plan.base_index + 1, :, :]


def _panel_range(x, plan: Plan):
    """(min_j, max_j) [..., 1, n] over the pooled years or the frozen base year."""
    src = _panel_source(x, plan)
    with quiet():
        return (np.nanmin(src, axis=(-3, -2), keepdims=True)[..., 0, :],
                np.nanmax(src, axis=(-3, -2), keepdims=True)[..., 0, :])


def _anchors(x, plan: Plan):
    """Normalisation anchors by panel mode: None (per year), pooled over years and units, or frozen."""
    method = plan.normalise.get("method", "min_max")
    if plan.panel == "per_year" or method in ("vector", "goalposts", "rank", "percentile_rank", "borda"):
        return None
    if plan.anchors is not None:
        a = np.asarray(plan.anchors, dtype=float)  # (n, 2)
        return a[:, 0], a[:, 1]
    if method == "z_score":
        src = _panel_source(x, plan)
        with quiet():
            mu = np.nanmean(src, axis=(-3, -2), keepdims=True)[..., 0, :]
            sd = np.nanstd(src, axis=(-3, -2), ddof=1, keepdims=True)[..., 0, :]
        return mu, sd
    return _panel_range(x, plan)


def _bounds(x, plan: Plan, anchors):
    """The range moderate (适度) and interval columns take their largest deviation M from: None (each
    year's own range) with per-year panels, else the same pooled/frozen range as the min–max anchors,
    so that these columns are as comparable across years as the others."""
    if plan.panel == "per_year" or not any(d in ("moderate", "interval") for d in plan.directions):
        return None
    method = plan.normalise.get("method", "min_max")
    if anchors is not None and method in ("min_max", "target"):
        return anchors
    if plan.anchors is not None and method in ("min_max", "target"):
        a = np.asarray(plan.anchors, dtype=float)
        return a[:, 0], a[:, 1]
    return _panel_range(x, plan)


_SHIFTS = ("none", "constant", "spssau_interval", "epsilon_rescale", "spssau_nonpositive")


def _min_max_fused(x, dirs, anchors, scale):
    """normalise.min_max (same formula) in three passes: z = (d·x − a)·(scale/(b − a)) with (a, b) = (min, max)
    for positive and (−max, −min) for negative columns; a constant column gives NaN (0/0). (The two-pass
    (x − o)·(±g) would give −0.0 for the worst unit of a negative column.)"""
    d = np.asarray(dirs, dtype=float)
    if anchors is None:
        with quiet():
            lo, hi = np.nanmin(x, axis=-2, keepdims=True), np.nanmax(x, axis=-2, keepdims=True)
    else:
        lo, hi = (np.expand_dims(np.asarray(a, dtype=float), -2) for a in anchors)
    a = np.where(d > 0, lo, -hi)
    with quiet():
        f = scale / (hi - lo)
        f = np.where(np.isfinite(f), f, np.nan)
    z = np.multiply(x, d)
    z -= a
    z *= f
    return z


def _normalise(x, plan: Plan):
    spec = plan.normalise
    method = spec.get("method", "min_max")
    shift = spec.get("shift", "none")
    check_variant("shift", shift, _SHIFTS)
    anchors = _anchors(x, plan)
    bounds = _bounds(x, plan, anchors)
    dirs = list(plan.directions)
    lin = [d for d in dirs if d in (1, -1, 1.0, -1.0)]
    opt = [np.nan if v is None else v for v in plan.optimum] if plan.optimum else None
    itv = [(np.nan, np.nan) if v is None else v for v in plan.interval] if plan.interval else None
    bounded = True
    all_linear = all(d in (1, -1) for d in dirs)
    if method == "min_max" and all_linear and not spec.get("clip") and spec.get("constant", "nan") == "nan":
        z = _min_max_fused(x, dirs, anchors, plan.scale if shift == "none" else 1.0)
        if shift == "none":
            return z, anchors, bounds
    elif method == "min_max" and all_linear:
        z = N.min_max(x, dirs, anchors=anchors, clip=bool(spec.get("clip", False)), constant=spec.get("constant", "nan"))
    elif method == "min_max":
        z = N.normalise(x, "min_max", dirs, optimum=opt, interval=itv, bounds=bounds, anchors=anchors,
                        clip=bool(spec.get("clip", False)), constant=spec.get("constant", "nan"))
    elif method == "z_score":
        bounded = False
        z = N.normalise(x, "z_score", dirs, optimum=opt, interval=itv, bounds=bounds, anchors=anchors)
    elif method == "goalposts":
        gp = np.asarray([(np.nan, np.nan) if g is None else g for g in plan.goalposts], dtype=float)
        if np.isnan(gp).any():
            raise ValueError("goalposts normalisation needs goalposts for every indicator")
        z = N.normalise(x, "goalposts", dirs, optimum=opt, interval=itv, bounds=bounds, lower=gp[:, 0], upper=gp[:, 1])
    elif method == "target":
        tg = np.asarray([np.nan if t is None else t for t in plan.targets], dtype=float)
        if np.isnan(tg).any():
            raise ValueError("target normalisation needs a target for every indicator")
        z = N.normalise(x, "distance_to_target", dirs, optimum=opt, interval=itv, bounds=bounds, target=tg, anchors=anchors,
                        clip=bool(spec.get("clip", True)))
    elif method in ("vector", "max_ratio", "mean_ratio", "initial_value", "rank", "percentile_rank", "borda"):
        # ratios to the mean or to the first year are not on [0, 1]: they are not rescaled to the score scale
        bounded = method in ("vector", "max_ratio", "percentile_rank")
        z = N.normalise(x, method, dirs, optimum=opt, interval=itv, bounds=bounds)
    else:
        raise ValueError(f"normalisation {method!r} is not available in the engine")
    _ = lin
    if shift != "none":
        a = spec.get("shift_value")
        if shift == "constant":
            z = z + (0.0001 if a is None else a)
        elif shift == "spssau_interval":
            z = 0.99 * z + 0.01
        elif shift == "epsilon_rescale":
            e = 0.002 if a is None else a
            z = (1 - 2 * e) * z + e
        else:
            with quiet():
                mn = np.nanmin(z, axis=-2, keepdims=True)
            z = np.where(mn <= 0, z + np.abs(mn) + 0.01, z)
    if bounded and method != "rank" and plan.scale != 1:
        z *= plan.scale
    return z, anchors, bounds


def prepare(plan: Plan, x, denominators=None, groups=None, times=None) -> Prepared:
    """Steps up to normalisation. x [..., T, m, n]; denominators [..., T, m, k]; groups: per-unit labels
    for group imputation; times: the year numbers (for linear interpolation)."""
    x = np.asarray(x, dtype=float)
    if x.ndim < 3:
        raise ValueError("pipeline data must be [..., years, units, indicators]")
    if x.shape[-1] != plan.n:
        raise ValueError(f"data has {x.shape[-1]} indicator columns, the plan {plan.n}")
    raw = x
    den = x
    if plan.denominators and any(b >= 0 for b in plan.denominators):
        if denominators is None:
            raise ValueError("the plan denominates indicators but no denominator data was given")
        den = D.denominate(x, denominators, plan.denominators, plan.denominator_scale or 1.0).x
    # indicator-years without any observation (e.g. an indicator not published that year)
    xi, carried, keep_years = _carry_forward(den, plan.missing_years)
    if carried.any():
        imp_mask = np.broadcast_to(np.expand_dims(carried, -2), xi.shape) & np.isnan(den) & ~np.isnan(xi)
    else:
        imp_mask = None
    method = plan.impute.get("method", "none")
    if method != "none":
        g = groups if method.startswith("group_") else None
        r = I.impute(xi, method, groups=g, time_axis=-3, times=times)
        imp_mask = r.imputed if imp_mask is None else imp_mask | r.imputed
        xi = r.x
    if imp_mask is None:
        imp_mask = np.zeros(xi.shape, dtype=bool)
    sc = {k: v for k, v in (plan.screen or {}).items() if v is not None}
    if sc:
        sr = S.screen(xi, sc.get("unit_threshold"), sc.get("indicator_threshold"), sc.get("nonzero_threshold"))
        keep_ind, keep_u, u_av, i_av = sr.keep_indicators & keep_years, sr.keep_units, sr.unit_availability, sr.indicator_availability
    else:  # nothing to screen: availability only, for the report
        obs = ~np.isnan(xi)
        u_av = np.count_nonzero(obs, axis=-1) / obs.shape[-1]
        i_av = np.count_nonzero(obs, axis=-2) / obs.shape[-2]
        keep_u, keep_ind = np.ones(u_av.shape, dtype=bool), keep_years
    if keep_u.all() and keep_ind.all():
        xs = xi
    else:
        xs = np.where(np.expand_dims(keep_u, -1) & np.expand_dims(keep_ind, -2), xi, np.nan)
    flags = None
    tm = plan.treat.get("method", "none")
    if tm == "coinr":
        tr = TR.coinr_treat(xs, winmax=plan.treat.get("winmax", 5), skew_thresh=plan.treat.get("skew", 2.0),
                            kurt_thresh=plan.treat.get("kurt", 3.5), fallback=plan.treat.get("fallback", "log_CT"))
        xt, flags = tr.x, tr.flags
    elif tm == "none":
        xt = xs
    else:
        raise ValueError(f"unknown outlier treatment {tm!r} (none | coinr)")
    z, anchors, bounds = _normalise(xt, plan)
    if not keep_ind.all():
        np.copyto(z, np.nan, where=~np.expand_dims(keep_ind, -2))
    return Prepared(raw, den, xi, imp_mask, carried, keep_u, keep_ind, u_av, i_av, xt, flags, z, anchors, bounds)


# ---------------------------------------------------------------------------------------------
# weighting and aggregation through the tree


def _pool(v, mode: str, base: int):
    """Children values [..., T, m, k] → the matrix weights are computed on: pooled [..., T·m, k],
    base year [..., m, k], or per year [..., T, m, k]."""
    if mode == "pooled":
        return v.reshape(v.shape[:-3] + (v.shape[-3] * v.shape[-2], v.shape[-1]))
    if mode == "frozen":
        return v[..., base, :, :]
    return v


def _data_weights(spec, v, raw_v, plan: Plan, raw_dirs=None):
    m = spec["method"]
    T = v.shape[-3]
    src = raw_v if _uses_raw(spec) else v
    mat = _pool(src, plan.panel, plan.base_index)
    details = {}
    if m in MCDA.WEIGHTING_METHODS:
        meth = MCDA.WEIGHTING_METHODS[m]
        # children are benefit-oriented once normalised; on raw values the indicators' own directions apply
        d = raw_dirs if (src is raw_v and raw_dirs is not None) else 1
        w = _mcda_weights(meth, mat, d, spec.get("options") or {})
    elif m == "entropy":
        variant = spec.get("variant") or "zero_ln_zero"
        er = W.entropy_table(mat, variant, shift=spec.get("shift") or 0.01)
        w, details = er.weights, {"entropy": er.entropy, "divergence": er.divergence}
    elif m == "critic":
        w = W.critic(mat, correlation=spec.get("correlation") or "signed")
    elif m == "cv":
        w = W.coefficient_of_variation(mat)
    elif m == "std":
        w = W.standard_deviation(mat)
    elif m == "pca":
        w = W.pca(mat, variant=spec.get("variant") or "composite", **(spec.get("options") or {}))
    else:
        raise ValueError(f"unknown weight method {m!r}")
    if plan.panel != "per_year":  # one vector for all years
        w = np.broadcast_to(np.expand_dims(w, -2), w.shape[:-1] + (T, w.shape[-1]))
        details = {k: np.broadcast_to(np.expand_dims(a, -2), a.shape[:-1] + (T, a.shape[-1])) for k, a in details.items()}
    return w, details


def _mcda_weights(meth, mat, d, options):
    """An engine.mcda weighting on [..., rows, k]; a child with no value at all in a slice (screened out) is left
    out of that slice's matrix and gets weight 0, slices grouped by which children they keep."""
    k = mat.shape[-1]
    lead = mat.shape[:-2]
    flat = mat.reshape((-1,) + mat.shape[-2:])
    present = ~np.all(np.isnan(flat), axis=-2)  # [S, k]
    if present.all():
        return meth.func(mat, d, **options)
    out = np.zeros((flat.shape[0], k))
    dd = np.broadcast_to(np.asarray(d, dtype=float), (k,))
    patterns, which = np.unique(present, axis=0, return_inverse=True)
    for g, keep in enumerate(patterns):
        rows = np.flatnonzero(which.reshape(-1) == g)
        cols = np.flatnonzero(keep)
        if cols.size:
            out[np.ix_(rows, cols)] = meth.func(flat[rows][..., cols], dd[cols], **MCDA.options_for_criteria(meth, options, cols, k))
    return out.reshape(lead + (k,))


def _weights(spec, v, raw_v, plan: Plan, raw_dirs=None):
    m = spec["method"]
    k = v.shape[-1]
    lead = v.shape[:-2]  # [..., T]
    if m == "equal":
        return np.full(lead + (k,), 1.0 / k), {}
    if m in ("explicit", "ahp"):
        w = np.asarray(spec["values"], dtype=float)
        return np.broadcast_to(w / w.sum(), lead + (k,)), {}
    if m in DATA_WEIGHTS or m in MCDA.WEIGHTING_METHODS:
        return _data_weights(spec, v, raw_v, plan, raw_dirs)
    if m == "combined":
        comps = [_weights(c, v, raw_v, plan, raw_dirs)[0] for c in spec["components"]]
        how = spec.get("combine", "linear")
        return W.combine(np.stack(np.broadcast_arrays(*comps)), method=how, alpha=spec.get("alpha", 0.5)), {}
    raise ValueError(f"unknown weight method {m!r}")


def _check_zeros(step: NodeStep, v, w, plan: Plan) -> None:
    """Find the first zero a geometric/harmonic mean would take with no declared policy, to say where it is
    (the verb only knows that there is one somewhere)."""
    spec = step.aggregation
    m = spec["method"]
    p = spec.get("p")
    if not (m in ("geometric", "harmonic") or (m == "generalised" and p is not None and p < 0)):
        return
    if (spec.get("zero_policy") or "error") != "error":
        return
    bad = (v <= 0) & (np.expand_dims(w, -2) > 0)  # w [..., T, k] → [..., T, 1, k]
    if not bad.any():
        return
    where = tuple(int(i) for i in np.argwhere(bad)[0])
    codes = plan.node_codes
    child = codes[step.children[where[-1]]]
    raise ZeroInMeanError(step.code, m, where, child, float(v[where]))


def _signed(step: NodeStep, w, plan: Plan) -> bool:
    """Negative weights (COINr's PCA loadings) stand only where declared (`signed: true`), and only under the
    arithmetic mean; otherwise the error names the node and the child."""
    neg = w < 0
    if not neg.any():
        return False
    child = plan.node_codes[step.children[int(np.argwhere(neg)[0][-1])]]
    if not step.weights.get("signed"):
        raise NodeError(step.code, f"{step.weights.get('method')} weights give child {child!r} a negative weight "
                                   f"({float(w[neg][0]):.6g}); declare signed: true to keep signed weights (COINr's "
                                   "PCA weights) or use a method whose weights are non-negative")
    if step.aggregation["method"] != "arithmetic":
        raise NodeError(step.code, f"signed weights (child {child!r} is negative) need the arithmetic mean, not "
                                   f"{step.aggregation['method']!r}")
    return True


def _aggregate(spec, v, w, plan: Plan, signed: bool = False):
    m = spec["method"]
    extra = None
    if m in ("arithmetic", "geometric", "harmonic", "generalised"):
        zero = spec.get("zero_policy") or "error"
        eps = spec.get("epsilon") or 1e-3
        if zero == "shift":
            v, zero = v + eps, "error"
        s = A.aggregate_groups(v, None, w, m, p=spec.get("p"), nan=plan.missing, zero=zero, eps=eps, signed=signed)[..., 0]
    elif m == "topsis":
        norm = spec.get("normalisation") or "vector"
        weighting = {"pre_multiply": "multiply", "in_distance": "inside_distance"}.get(spec.get("weighting") or "pre_multiply")
        extra = A.topsis(v, w, 1, normalisation=norm, weighting=weighting, ideal=spec.get("ideal") or "observed")
        s = extra.closeness * plan.scale
    elif m == "grey_relational":
        s = A.grey_relational(v, w, rho=spec.get("rho") or 0.5).degree * plan.scale
    elif m in MCDA.RANKING_METHODS:
        s = _mcda_score(MCDA.RANKING_METHODS[m], v, w, spec.get("options") or {}) * plan.scale
    else:
        raise ValueError(f"unknown aggregation {m!r}")
    return s, extra


PAIRWISE_BLOCK = 2**24  # elements of one m × m table batch (128 MB of float64)


def _mcda_score(meth, v, w, options):
    """An engine.mcda ranking method on the children [..., T, m, k] (benefit-oriented after normalisation),
    its preference turned into a higher-is-better node score by the method's declared `to_score`.

    A child with weight 0 (screened out that year, or excluded in a sample) is left out of the method's
    matrix, as the weighted means leave it out: its column would otherwise enter column statistics (VIKOR's
    ranges, PROMETHEE's pairs) or be all missing. Cross-sections are grouped by which children they keep
    (a few patterns), and methods holding m × m tables run a few cross-sections at a time so that 2,800
    counties × 20 years × samples stay within memory — loops over groups and blocks, never over units."""
    w = np.broadcast_to(w, v.shape[:-2] + (v.shape[-1],))
    lead, (m, k) = v.shape[:-2], v.shape[-2:]
    fv, fw = v.reshape((-1, m, k)), w.reshape(-1, k)
    pref = np.full((fv.shape[0], m), np.nan)
    patterns, which = np.unique(fw != 0, axis=0, return_inverse=True)
    step = max(1, PAIRWISE_BLOCK // max(m * m, 1)) if meth.name in MCDA.PAIRWISE_METHODS else fv.shape[0]
    for g, keep in enumerate(patterns):
        rows = np.flatnonzero(which.reshape(-1) == g)
        if not keep.any():
            continue
        cols = np.flatnonzero(keep)
        opts = MCDA.options_for_criteria(meth, options, cols, k)
        for a in range(0, rows.size, step):
            r = rows[a : a + step]
            sub_v = fv[r][..., cols] if cols.size < k else fv[r]
            pref[r] = meth.func(sub_v, fw[r][:, cols], 1, **opts).preference
    return MCDA.score_from_preference(meth, pref.reshape(lead + (m,)))



def _uses_raw(spec) -> bool:
    m = spec.get("method")
    if m == "cv" and spec.get("basis", "raw") == "raw":
        return True
    if m in MCDA.WEIGHTING_METHODS and spec.get("basis") == "raw":
        return True
    return any(_uses_raw(c) for c in spec.get("components") or [])


def _raw_directions(spec, plan: Plan, ch, n):
    """Directions of the children's raw values for an MCDA weighting on basis raw: the indicators' own (±1),
    +1 for child nodes (their scores are benefit-oriented). A moderate/interval indicator has no cost/benefit
    type on its raw scale, so it cannot take part."""
    if not _uses_raw(spec):
        return None
    out = []
    for c in ch:
        d = plan.directions[c] if c < n else 1
        if d not in (1, -1, 1.0, -1.0):
            raise ValueError(f"indicator {plan.indicators[c]!r} is {d}: raw-basis weights need +1/−1 indicators "
                             "(use basis: normalised)")
        out.append(float(d))
    return np.asarray(out)


def _raw_children(spec, raw, vals, ch, n):
    """Children's values before normalisation (CV on raw data): indicators from `raw`, nodes their scores."""
    if not _uses_raw(spec):
        return None
    return np.stack([raw[..., c] if c < n else vals[..., c] for c in ch], axis=-1)


def _rows(a, rows):
    """a[..., rows, :] of a node-major array: a view for a contiguous run (the leaves of one node
    usually are), else a gather of whole contiguous rows."""
    r0 = rows[0]
    if list(rows) == list(range(r0, r0 + len(rows))):
        return a[..., r0 : r0 + len(rows), :]
    return a[..., list(rows), :]


def score(plan: Plan, z, keep_indicators=None, raw=None) -> Scored:
    """Weights and aggregation through the tree, then ranks of every node. z [..., T, m, n] normalised;
    keep_indicators [..., T, n] (screened-out indicator-years get weight 0); raw: data before
    normalisation (for CV weights on raw values)."""
    z = np.asarray(z, dtype=float)
    n = plan.n
    Nn = n + len(plan.nodes)
    T, m = z.shape[-3], z.shape[-2]
    lead = z.shape[:-2]
    # Node scores are kept node-major, [..., T, N, m], and handed out as the [..., T, m, N] view:
    # a node's children are then contiguous rows, and every column statistic of the verbs (min, sum
    # over units) runs along contiguous memory instead of an inner loop over a few indicators.
    vt = np.empty(lead + (Nn, m))
    vt[..., :n, :] = np.swapaxes(z, -1, -2)
    vals = np.swapaxes(vt, -1, -2)
    raw = z if raw is None else raw
    keep = np.ones(lead + (Nn,), dtype=bool)
    if keep_indicators is not None:
        keep[..., :n] = np.broadcast_to(keep_indicators, lead + (n,))
    weights, details, tops = {}, {}, {}
    norm_w = np.zeros(lead + (Nn,))
    norm_w[..., -1] = 1.0
    for idx, step in enumerate(plan.nodes):
        me = n + idx
        ch = list(step.children)
        v = np.swapaxes(_rows(vt, ch), -1, -2)
        kc = keep[..., ch]  # [..., T, k]
        try:
            rv = _raw_children(step.weights, raw, vals, ch, n)
            w, det = _weights(step.weights, v, rv, plan, _raw_directions(step.weights, plan, ch, n))
        except ValueError as e:
            raise NodeError(step.code, f"{step.weights.get('method')} weights: {e}") from None
        w = np.where(kc, w, 0.0)
        tot = np.sum(w, axis=-1, keepdims=True)
        with quiet():
            w = np.where(tot > 0, w / tot, 0.0)
        keep[..., me] = np.any(kc, axis=-1)
        weights[step.code] = w
        if det:
            details[step.code] = det
        norm_w[..., ch] = w
        _check_zeros(step, v, w, plan)
        signed = _signed(step, w, plan)
        try:
            s, extra = _aggregate(step.aggregation, v, w, plan, signed)
        except ValueError as e:
            raise NodeError(step.code, f"{step.aggregation.get('method')} aggregation: {e}") from None
        vt[..., me, :] = np.where(np.expand_dims(keep[..., me], -1), s, np.nan)
        if extra is not None:
            tops[step.code] = extra
    # effective weights: product of normalised weights along the path to the root
    eff = np.zeros(lead + (Nn,))
    eff[..., -1] = 1.0
    for idx in range(len(plan.nodes) - 1, -1, -1):
        me = n + idx
        ch = list(plan.nodes[idx].children)
        eff[..., ch] = norm_w[..., ch] * eff[..., me : me + 1]
    first = 0 if plan.rank_leaves else n
    rt = np.full(vt.shape, np.nan)
    rt[..., first:, :] = R.rank(vt[..., first:, :], ties=plan.ties)
    return Scored(vals, keep, weights, eff, np.swapaxes(rt, -1, -2), tops, details)


class BatchScored(NamedTuple):
    values: np.ndarray  # [S..., T, N − n, m] scores of the internal nodes, node-major (root last)
    keep_nodes: np.ndarray  # bool [S..., T, N]
    root_ranks: np.ndarray | None  # [S..., T, m] ranks of the root (None when not asked for)


def score_batch(plan: Plan, z, keep_indicators=None, raw=None, *, factors=None, rank_root: bool = True) -> BatchScored:
    """`score` for many weightings at once (robustness): the same tree walk, weights and aggregation
    verbs, but the sample axes come from `factors` while the normalised data z [..., T, m, n] stay
    shared, so the leaves are never copied per sample.

    factors: {node code: array [S..., T|1, k]} multiplying that node's weights (computed as in `score`,
    data-driven ones too) before they are renormalised to sum 1: weight noise is a factor U(1 − p, 1 + p),
    excluding a child is a factor 0 (as if screened out; a node left without children drops out like a
    screened node). keep_indicators may carry the sample axes too. With factors of 1 every node score
    is the one `score` gives. Only internal nodes are returned (leaves are z), and ranks of the root only.
    """
    z = np.asarray(z, dtype=float)
    factors = {k: np.asarray(v, dtype=float) for k, v in (factors or {}).items()}
    n = plan.n
    Nn = n + len(plan.nodes)
    m = z.shape[-2]
    codes = {s.code for s in plan.nodes}
    stray = sorted(set(factors) - codes)
    if stray:
        raise ValueError(f"weight factors for unknown nodes {stray}")
    shapes = [z.shape[:-2]] + [f.shape[:-1] for f in factors.values()]
    if keep_indicators is not None:
        shapes.append(np.shape(keep_indicators)[:-1])
    lead = np.broadcast_shapes(*shapes)  # [S..., T]
    zt = np.ascontiguousarray(np.swapaxes(z, -1, -2))  # leaves node-major [..., T, n, m], once (as `score` lays them out)
    raw = z if raw is None else raw
    vt = np.empty(lead + (Nn - n, m))
    keep = np.ones(lead + (Nn,), dtype=bool)
    if keep_indicators is not None:
        keep[..., :n] = np.broadcast_to(keep_indicators, lead + (n,))
    for idx, step in enumerate(plan.nodes):
        me = n + idx
        ch = list(step.children)
        if all(c < n for c in ch):
            v = np.swapaxes(_rows(zt, ch), -1, -2)  # shared across samples
        elif all(c >= n for c in ch):
            v = np.swapaxes(_rows(vt, [c - n for c in ch]), -1, -2)
        else:
            v = np.stack([np.broadcast_to(zt[..., c, :], lead + (m,)) if c < n else vt[..., c - n, :] for c in ch], axis=-1)
        kc = keep[..., ch]
        try:
            rv = None
            if _uses_raw(step.weights):
                if not all(c < n for c in ch):
                    raise ValueError("weights on the raw values of internal nodes (basis: raw) are not batched")
                rv = raw[..., ch]
            w, _ = _weights(step.weights, v, rv, plan, _raw_directions(step.weights, plan, ch, n))
        except ValueError as e:
            raise NodeError(step.code, f"{step.weights.get('method')} weights: {e}") from None
        w = np.where(kc, w, 0.0)
        f = factors.get(step.code)
        if f is not None:
            w = w * f
        tot = np.sum(w, axis=-1, keepdims=True)
        with quiet():
            w = np.where(tot > 0, w / tot, 0.0)
        keep[..., me] = np.any(kc, axis=-1) if f is None else np.any(kc & (f > 0), axis=-1)
        signed = _signed(step, w, plan)
        try:
            s, _ = _aggregate(step.aggregation, v, w, plan, signed)
        except ValueError as e:
            raise NodeError(step.code, f"{step.aggregation.get('method')} aggregation: {e}") from None
        vt[..., idx, :] = s
        if not keep[..., me].all():
            np.copyto(vt[..., idx, :], np.nan, where=~np.expand_dims(keep[..., me], -1))
    rr = R.rank(vt[..., -1, :], ties=plan.ties) if rank_root else None
    return BatchScored(vt, keep, rr)


def run(plan: Plan, x, denominators=None, groups=None, times=None) -> PipelineResult:
    """The whole pipeline on x [..., T, m, n]; see `prepare` and `score`."""
    p = prepare(plan, x, denominators, groups, times)
    return PipelineResult(p, score(plan, p.normalised, p.keep_indicators, raw=p.treated))


# ---------------------------------------------------------------------------------------------
# tiers


def tiers(scores, spec: dict[str, Any] | None, ties: str = "min") -> np.ndarray:
    """Tier classes of scores [..., m] (1 = best; 0 = outside a top-N group; −1 missing).

    spec: {"method": "top_n", "n": 30} (第一方阵) | {"method": "quantile", "k": 4} |
    {"method": "natural_breaks", "k": 5} (Jenks, per cross-section) | {"method": "fixed", "cuts": [...]}.
    """
    s = np.asarray(scores, dtype=float)
    if not spec:
        return np.full(s.shape, -1, dtype=np.int64)
    m = spec.get("method", "top_n")
    if m == "top_n":
        t = R.top_n(s, int(spec.get("n", 30)), ties=ties).astype(np.int64)
        return np.where(np.isnan(s), -1, t)
    if m == "quantile":
        return R.quantile_classes(s, int(spec.get("k", 4)))
    if m == "fixed":
        return R.fixed_cutoffs(s, spec["cuts"], closed=spec.get("closed", "left"), best_first=True)
    if m == "natural_breaks":
        k = int(spec.get("k", 5))
        flat = s.reshape(-1, s.shape[-1])
        out = np.full(flat.shape, -1, dtype=np.int64)
        v = np.sort(flat, axis=-1)
        distinct = np.sum(np.diff(v, axis=-1) > 0, axis=-1) + 1 - np.isnan(v).any(axis=-1)  # NaN sorts last
        full = np.isfinite(v[:, 0]) & (distinct >= k)
        if full.any():  # all cross-sections (years, samples) with k classes at once
            _, cls = R.natural_breaks_batch(flat[full], k)
            out[full] = np.where(cls >= 0, k - cls, -1)
        for i in np.flatnonzero(~full):  # few distinct values: k lowered for that cross-section
            row = flat[i]
            if np.any(~np.isnan(row)):
                _, cls = R.natural_breaks(row, k)
                kk = cls.max() + 1
                out[i] = np.where(cls >= 0, kk - cls, -1)
        return out.reshape(s.shape)
    raise ValueError(f"unknown tier method {m!r} (top_n | quantile | natural_breaks | fixed)")
