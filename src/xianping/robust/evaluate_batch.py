"""Batched evaluation of many samples through the engine's sample axis, in chunks of bounded memory.

A sample is a point of the design: discrete choices (normalisation, aggregation, imputation, entropy
variant, any setting, excluded indicators) and weight factors. Samples that share the discrete choices
that change the plan (everything but `exclude`) form a group: its data are prepared once
(`engine.pipeline.prepare`, cached across groups that prepare alike) and its samples are scored in
chunks by `engine.pipeline.score_batch`, the weight factors (noise, and 0 for an excluded indicator)
riding on the sample axis. No Python loop runs per sample.

Chunks are independent tasks (`run_task`), run in process or on a dask cluster (`dask_runner`): the
numbers depend on the rows of the design only, never on where or in which order a chunk ran.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

import numpy as np

from xianping.engine import pipeline as P
from xianping.problems import ProblemReport, XianpingInputError
from xianping.robust.sample import Design, to_choice
from xianping.robust.spec import Discrete, GoalpostNoise, UncertaintySpec, WeightNoise

__all__ = ["Resolved", "resolve", "Batch", "Context", "build_context", "run_task", "evaluate_rows", "rows_of_design",
           "oat_rows", "chunk_size", "nominal"]

CHUNK_ELEMENTS = 1 << 18  # unit-years per node array in one engine call (~2 MB): fits in cache, bounded memory
MIN_CHUNK = 4  # large panels: at least 4 samples per call, so the shared work (logs, masks of the leaves) is amortised


# ---------------------------------------------------------------------------------------------
# the spec against the framework's tree


@dataclass(frozen=True)
class RInput:
    name: str
    kind: str
    dim: int  # coordinates in the design
    coords: tuple[tuple[str, int], ...] = ()  # weights: (node code, child position); goalposts: (indicator, 0 lo | 1 hi)
    noise: float = 0.0
    alternatives: tuple[Any, ...] = ()
    targets: tuple[str, ...] = ()  # aggregation / entropy_variant: node codes; setting: (path,)
    exclude: tuple[tuple[tuple[str, int], ...], ...] = ()  # exclude: per alternative, (parent code, child position)


@dataclass(frozen=True)
class Resolved:
    inputs: tuple[RInput, ...]

    @property
    def dims(self) -> list[int]:
        return [i.dim for i in self.inputs]

    @property
    def discrete(self) -> list[int]:
        """Positions (in inputs) of the discrete inputs."""
        return [j for j, i in enumerate(self.inputs) if i.kind not in ("weights", "goalposts")]

    @property
    def plan_changing(self) -> list[int]:
        return [j for j, i in enumerate(self.inputs) if i.kind not in ("weights", "exclude", "goalposts")]

    @property
    def continuous(self) -> set[str]:
        return {"weights", "goalposts"}

    @property
    def goalposts(self) -> list[int]:
        return [j for j, i in enumerate(self.inputs) if i.kind == "goalposts"]


def _levels(plan) -> dict[str, int]:
    """COINr level of every node: indicators 1, their parents 2 … (a node's level is 1 + its highest child's)."""
    n = plan.n
    lev = {c: 1 for c in plan.leaf_codes}
    codes = plan.node_codes
    for s in plan.nodes:
        lev[s.code] = 1 + max(lev[codes[c]] for c in s.children)
    return lev


def _weight_method(alt) -> dict[str, Any]:
    """A weighting alternative → the engine's weight dict, with the defaults `evaluation.plan` gives them."""
    from xianping.frameworks.model import WeightSpec

    w = WeightSpec.model_validate(alt)
    m = w.method
    if m == "entropy":
        return {"method": "entropy", "variant": w.variant or "zero_ln_zero", "shift": w.shift or 0.01}
    if m == "critic":
        return {"method": "critic", "correlation": w.correlation or "signed"}
    if m == "cv":
        return {"method": "cv", "basis": w.basis or "raw"}
    if m == "pca":
        return {"method": "pca", "variant": w.variant or "composite", "signed": bool(w.signed), "options": dict(w.options or {})}
    if w.options is not None:  # an engine.mcda weighting (merec, gini, angle …), defaults filled by the model
        return {"method": m, "basis": w.basis, "options": dict(w.options)}
    if m in ("equal", "std"):
        return {"method": m}
    raise ValueError(f"weight method {m!r} needs values per child (use a weights noise input or the framework)")


def resolve(spec: UncertaintySpec, plan, file: str | None = None) -> Resolved:
    """Map every input onto the plan's nodes; unknown codes and empty levels are located errors."""
    report = ProblemReport()
    codes = plan.node_codes
    lev = _levels(plan)
    internal = [s.code for s in plan.nodes]
    leaf_of = {}
    for j, c in enumerate(plan.leaf_codes):
        leaf_of[c] = j
        leaf_of.setdefault(plan.indicators[j], j)
    parent = {}
    for s in plan.nodes:
        for pos, c in enumerate(s.children):
            parent[codes[c]] = (s.code, pos)
    out = []
    for i, inp in enumerate(spec.inputs):
        where = f"inputs[{i}]"

        def bad(msg, key, value=None, expected=None):
            report.add("bad_input", f"input {inp.name!r}: {msg}", file=file, column=f"{where}.{key}", value=value,
                       expected=expected)

        if isinstance(inp, GoalpostNoise):
            have = [j for j, g in enumerate(plan.goalposts) if g is not None] if plan.goalposts else []
            if inp.indicators is not None:
                want = []
                for c in inp.indicators:
                    if c not in leaf_of:
                        bad(f"no indicator {c!r}", "indicators", c, "indicator or leaf codes of the framework")
                    elif leaf_of[c] not in have:
                        bad(f"indicator {c!r} has no goalposts", "indicators", c, "indicators with goalposts: [lo, hi]")
                    else:
                        want.append(leaf_of[c])
            else:
                want = have
            if not want and not report.has_errors:
                bad("no indicator has goalposts", "kind", inp.kind, "goalposts: [lo, hi] on the indicators")
            coords = tuple((plan.indicators[j], e) for j in want for e in (0, 1))
            out.append(RInput(inp.name, "goalposts", len(coords), coords=coords, noise=inp.noise))
            continue
        if isinstance(inp, WeightNoise):
            if inp.nodes is not None:
                unknown = [c for c in inp.nodes if c not in internal]
                if unknown:
                    bad(f"no node {', '.join(unknown)} with children", "nodes", unknown, "codes of nodes with children")
                coords = tuple((s.code, p) for s in plan.nodes if s.code in inp.nodes for p in range(len(s.children)))
            else:
                coords = tuple((s.code, p) for s in plan.nodes for p, c in enumerate(s.children) if lev[codes[c]] == inp.level)
            if not coords and not report.has_errors:
                bad(f"no weights at level {inp.level}", "level", inp.level,
                    f"a level from 1 (indicators) to {max(lev.values()) - 1}")
            out.append(RInput(inp.name, "weights", len(coords), coords=coords, noise=inp.noise))
            continue
        d: Discrete = inp
        targets: tuple[str, ...] = ()
        excl: tuple = ()
        if d.kind in ("aggregation", "weighting"):
            if d.nodes is not None:
                unknown = [c for c in d.nodes if c not in internal]
                if unknown:
                    bad(f"no node {', '.join(unknown)} with children", "nodes", unknown, "codes of nodes with children")
                targets = tuple(d.nodes)
            elif d.level is not None:
                targets = tuple(c for c in internal if lev[c] == d.level)
                if not targets:
                    bad(f"no nodes at level {d.level}", "level", d.level, f"2 … {max(lev.values())}")
            else:
                targets = tuple(internal)
            from pydantic import ValidationError

            from xianping.frameworks.model import AggregationSpec

            alts = []
            for a, alt in enumerate(d.alternatives):
                try:
                    if d.kind == "aggregation":
                        alts.append(AggregationSpec.model_validate(alt).model_dump(exclude_none=True))
                    else:
                        alts.append(_weight_method(alt))
                except (ValidationError, ValueError) as e:
                    msg = e.errors()[0]["msg"] if isinstance(e, ValidationError) else str(e)
                    bad(f"alternative {a}: {msg}", f"alternatives[{a}]", alt,
                        f"an {d.kind} of the framework format" if d.kind == "aggregation" else
                        "a weight method that needs no per-child values: equal, entropy, critic, cv, std, pca, "
                        "merec, gini, angle …")
            d_alts = tuple(alts)
        elif d.kind == "entropy_variant":
            ent = [s.code for s in plan.nodes if s.weights.get("method") == "entropy"]
            targets = tuple(d.nodes) if d.nodes is not None else tuple(ent)
            if not targets:
                bad("the framework has no entropy-weighted node", "kind", d.kind, "a node with weights: entropy")
            d_alts = tuple(d.alternatives)
        elif d.kind == "exclude":
            rows = []
            for a, alt in enumerate(d.alternatives):
                r = []
                for c in alt:
                    if c not in leaf_of:
                        bad(f"alternative {a}: no indicator {c!r}", f"alternatives[{a}]", c, "indicator or leaf codes of the framework")
                        continue
                    r.append(parent[plan.leaf_codes[leaf_of[c]]])
                rows.append(tuple(r))
            excl = tuple(rows)
            d_alts = tuple(tuple(a) for a in d.alternatives)
        elif d.kind == "setting":
            from xianping.evaluation.plan import DEFAULT_SETTINGS

            top = d.path.split(".")[0]
            if top not in DEFAULT_SETTINGS:
                bad(f"unknown setting {top!r}", "path", d.path, "one of " + ", ".join(sorted(DEFAULT_SETTINGS)))
            targets = (d.path,)
            d_alts = tuple(d.alternatives)
        else:
            d_alts = tuple(d.alternatives)
        out.append(RInput(d.name, d.kind, 1, alternatives=d_alts, targets=targets, exclude=excl))
    report.raise_if_errors("the uncertainty spec does not fit the framework")
    return Resolved(tuple(out))


# ---------------------------------------------------------------------------------------------
# a discrete configuration → settings and plan


def _settings_for(model, res: Resolved, choice: dict[int, int]) -> dict[str, Any]:
    import copy

    st = copy.deepcopy(model.user_settings)
    for j, a in choice.items():
        inp = res.inputs[j]
        alt = inp.alternatives[a]
        if inp.kind == "normalisation":
            st["normalisation"] = {**model.settings["normalisation"], "shift": "none", "shift_value": None, **alt}
        elif inp.kind == "imputation":
            st["impute"] = {**model.settings["impute"], **alt}
        elif inp.kind == "setting":
            keys = inp.targets[0].split(".")
            if len(keys) == 1:
                st[keys[0]] = alt
            else:
                node = st.setdefault(keys[0], copy.deepcopy(model.settings.get(keys[0])) or {})
                for k in keys[1:-1]:
                    node = node.setdefault(k, {})
                node[keys[-1]] = alt
    return st


def _plan_for(model, res: Resolved, choice: dict[int, int]):
    """(settings, plan) of one discrete configuration (choice: input position → alternative)."""
    from xianping.evaluation.plan import compile_plan, resolve_settings

    prep = {j: a for j, a in choice.items() if res.inputs[j].kind in ("normalisation", "imputation", "setting")}
    if prep:
        st = resolve_settings(model.framework, _settings_for(model, res, prep))
        st["base_year"] = model.years[model.base_index]
        report = ProblemReport()
        plan, _ = compile_plan(model.framework, st, file=model.framework_file, report=report, base_index=model.base_index)
        report.raise_if_errors("an alternative of the uncertainty spec makes the framework invalid")
    else:
        st, plan = model.settings, model.plan
    plan = dataclasses.replace(plan, rank_leaves=False)
    nodes = list(plan.nodes)
    for j, a in choice.items():
        inp = res.inputs[j]
        if inp.kind == "aggregation":
            alt = inp.alternatives[a]
            nodes = [dataclasses.replace(s, aggregation=dict(alt)) if s.code in inp.targets else s for s in nodes]
        elif inp.kind == "weighting":
            alt = inp.alternatives[a]
            nodes = [dataclasses.replace(s, weights=dict(alt)) if s.code in inp.targets else s for s in nodes]
        elif inp.kind == "entropy_variant":
            nodes = [dataclasses.replace(s, weights={**s.weights, "variant": inp.alternatives[a]})
                     if s.code in inp.targets and s.weights.get("method") == "entropy" else s for s in nodes]
    return st, dataclasses.replace(plan, nodes=tuple(nodes))


def _prepare_key(plan) -> tuple:
    """Plans that prepare alike (everything before weighting) share one prepared array."""
    f = dataclasses.asdict(plan)
    f.pop("nodes")
    f.pop("rank_leaves")
    return tuple(sorted((k, repr(v)) for k, v in f.items()))


# ---------------------------------------------------------------------------------------------
# tasks


@dataclass
class Context:
    """What every chunk needs, shipped once to each worker: plans and prepared arrays of every group."""

    resolved: Resolved
    plans: dict[tuple, Any]  # group key → plan
    prep_of: dict[tuple, tuple]  # group key → prepare key
    prepared: dict[tuple, tuple]  # prepare key → (normalised node-major [T, n, m], keep_indicators, raw or None)
    tiers: dict[str, Any] | None
    shape: tuple[int, int]  # (T, m)


class Batch(NamedTuple):
    """Rows of samples: discrete choices C [rows, k] (−1: the framework's own setting) and continuous
    coordinates U [rows, D] (0.5: the nominal weight)."""

    C: np.ndarray
    U: np.ndarray


def rows_of_design(res: Resolved, design: Design) -> Batch:
    C = np.full((design.u.shape[0], len(res.inputs)), -1, dtype=np.int64)
    for j, inp in enumerate(res.inputs):
        if inp.kind not in ("weights", "goalposts"):
            C[:, j] = to_choice(design.u[:, design.blocks[j][0]], len(inp.alternatives))
    return Batch(C, design.u)


def oat_rows(res: Resolved, design: Design, n: int) -> tuple[Batch, np.ndarray]:
    """One input at a time around a base point (every discrete input at its first alternative, every weight
    nominal): for each input, n rows of the design where only that input moves. Returns the rows and the
    input of each row; the last row is the base point itself (input −1)."""
    full = rows_of_design(res, design)
    n = min(n, design.u.shape[0])
    k = len(res.inputs)
    base_c = np.array([-1 if i.kind in ("weights", "goalposts") else 0 for i in res.inputs], dtype=np.int64)
    C, U, who = [], [], []
    for j in range(k):
        c = np.tile(base_c, (n, 1))
        u = np.full((n, design.u.shape[1]), 0.5)
        lo, hi = design.blocks[j]
        u[:, lo:hi] = design.u[:n, lo:hi]
        c[:, j] = full.C[:n, j]
        C.append(c), U.append(u), who.append(np.full(n, j))
    C.append(base_c[None]), U.append(np.full((1, design.u.shape[1]), 0.5)), who.append(np.array([-1]))
    return Batch(np.concatenate(C), np.concatenate(U)), np.concatenate(who)


def _group_key(res: Resolved, c_row) -> tuple:
    return tuple(int(c_row[j]) for j in res.plan_changing)


def build_context(model, res: Resolved, batches, tiers=None, progress: Callable[[str], None] | None = None) -> Context:
    """Plans and prepared data of every group that occurs in `batches` (prepared once per distinct preparation)."""
    from xianping.evaluation.run import _engine_call

    keys = set()
    for b in batches:
        if len(b.C):
            keys |= {_group_key(res, r) for r in np.unique(b.C, axis=0)}
    keys.add(tuple(-1 for _ in res.plan_changing))
    plans, prep_of, prepared = {}, {}, {}
    for key in sorted(keys):
        choice = {j: a for j, a in zip(res.plan_changing, key) if a >= 0}
        st, plan = _plan_for(model, res, choice)
        pk = _prepare_key(plan)
        if pk not in prepared:
            if progress:
                progress("prepare")
            report = ProblemReport()
            groups = model.groups(st["impute"])
            p = _engine_call(lambda: P.prepare(plan, model.x, model.den, groups, model.times), report,  # noqa: B023
                             "prepare", False)
            raw = p.treated if any(P._uses_raw(s.weights) for s in plan.nodes) else None
            if res.goalposts:
                if plan.normalise.get("method") != "goalposts" or plan.normalise.get("shift", "none") != "none":
                    raise XianpingInputError("goalposts noise needs the goalposts normalisation (without shift) in every "
                                             f"configuration; this one normalises with {plan.normalise}")
                raw = p.treated  # normalised again per sample
            # node-major and contiguous, as score_batch lays the leaves out: no copy per chunk (nor after pickling)
            prepared[pk] = (np.ascontiguousarray(np.swapaxes(p.normalised, -1, -2)), p.keep_indicators, raw)
        plans[key], prep_of[key] = plan, pk
    T, m = model.x.shape[0], model.x.shape[1]
    return Context(res, plans, prep_of, prepared, tiers, (T, m))


def _factors(res: Resolved, plan, C, U) -> dict[str, np.ndarray]:
    S = C.shape[0]
    f: dict[str, np.ndarray] = {}
    kids = {s.code: len(s.children) for s in plan.nodes}
    col = 0
    for j, inp in enumerate(res.inputs):
        if inp.kind == "weights":
            u = U[:, col : col + inp.dim]
            fac = 1.0 + inp.noise * (2.0 * u - 1.0)
            for q, (code, pos) in enumerate(inp.coords):
                if code not in f:
                    f[code] = np.ones((S, 1, kids[code]))
                f[code][:, 0, pos] *= fac[:, q]
        elif inp.kind == "goalposts":
            pass  # moves the data, not the weights (_goalpost_data)
        elif inp.kind == "exclude":
            for a, pairs in enumerate(inp.exclude):
                rows = C[:, j] == a
                if rows.any():
                    for code, pos in pairs:
                        if code not in f:
                            f[code] = np.ones((S, 1, kids[code]))
                        f[code][rows, 0, pos] = 0.0
        col += inp.dim
    return f


def _goalpost_data(res: Resolved, plan, treated, keep, U):
    """The data normalised again with each row's goalposts, through the engine's sample axis: [S, T, m, n].
    The steps of `pipeline._normalise` for goalposts (then × scale, screened indicator-years NaN)."""
    from xianping.engine import normalise as N

    S = U.shape[0]
    gp = np.asarray([(np.nan, np.nan) if g is None else g for g in plan.goalposts], dtype=float)
    lo = np.broadcast_to(gp[:, 0], (S, plan.n)).copy()
    hi = np.broadcast_to(gp[:, 1], (S, plan.n)).copy()
    col = 0
    idx = {c: j for j, c in enumerate(plan.indicators)}
    for inp in res.inputs:
        if inp.kind == "goalposts":
            u = U[:, col : col + inp.dim]
            for q, (code, end) in enumerate(inp.coords):
                j = idx[code]
                span = gp[j, 1] - gp[j, 0]
                tgt = lo if end == 0 else hi
                tgt[:, j] = gp[j, end] + inp.noise * span * (2.0 * u[:, q] - 1.0)
        col += inp.dim
    opt = [np.nan if v is None else v for v in plan.optimum] if plan.optimum else None
    itv = [(np.nan, np.nan) if v is None else v for v in plan.interval] if plan.interval else None
    bounds = P._bounds(treated, plan, None)
    x = np.broadcast_to(treated, (S,) + treated.shape)
    z = N.normalise(x, "goalposts", list(plan.directions), optimum=opt, interval=itv, bounds=bounds,
                    lower=lo[:, None, :], upper=hi[:, None, :])
    if plan.scale != 1:
        z *= plan.scale
    if not np.all(keep):
        np.copyto(z, np.nan, where=~np.expand_dims(keep, -2))
    return z


def run_task(ctx: Context, key: tuple, C, U, want_scores: bool = False):
    """Evaluate one chunk of rows sharing a group `key`: (root ranks float32 [S, T, m], tier classes int8
    [S, T, m] or None, root scores [S, T, m] when `want_scores` else None)."""
    plan = ctx.plans[key]
    zt, keep, raw = ctx.prepared[ctx.prep_of[key]]
    z = np.swapaxes(zt, -1, -2)
    f = _factors(ctx.resolved, plan, np.asarray(C), np.asarray(U))
    if ctx.resolved.goalposts:
        z = _goalpost_data(ctx.resolved, plan, raw, keep, np.asarray(U))
        if not f:
            f = {plan.nodes[-1].code: np.ones((z.shape[0], 1, len(plan.nodes[-1].children)))}  # rows = samples
        raw = None if not any(P._uses_raw(s.weights) for s in plan.nodes) else raw
    try:
        b = P.score_batch(plan, z, keep, raw=raw, factors=f, rank_root=True)
    except P.NodeError as e:
        choice = {ctx.resolved.inputs[j].name: a for j, a in zip(ctx.resolved.plan_changing, key) if a >= 0}
        raise XianpingInputError(f"evaluation failed at node {e.code} with alternatives {choice}: {e}") from None
    if not f:  # no weight factors: one evaluation stands for every row
        S = np.asarray(C).shape[0]
        ranks = np.broadcast_to(b.root_ranks, (S,) + b.root_ranks.shape)
        scores = np.broadcast_to(b.values[..., -1, :], (S,) + b.root_ranks.shape)
    else:
        ranks, scores = b.root_ranks, b.values[..., -1, :]
    tiers = None
    if ctx.tiers:
        if ctx.tiers.get("method", "top_n") == "top_n":
            n = int(ctx.tiers.get("n", 30))
            tiers = np.where(np.isnan(ranks), -1, ranks <= n).astype(np.int8)
        else:
            tiers = P.tiers(scores, ctx.tiers, ties=plan.ties).astype(np.int8)
    return np.asarray(ranks, dtype=np.float32), tiers, (np.asarray(scores, dtype=np.float64) if want_scores else None)


def chunk_size(shape, chunk: int | None = None) -> int:
    T, m = shape
    return int(chunk) if chunk else max(MIN_CHUNK, CHUNK_ELEMENTS // max(1, T * m))


def tasks_of(res: Resolved, batch: Batch, size: int):
    """(group key, row indices) chunks: rows grouped by their plan, then cut into chunks of `size`."""
    if len(batch.C) == 0:
        return []
    if res.plan_changing:
        keys, inv = np.unique(batch.C[:, res.plan_changing], axis=0, return_inverse=True)
        inv = np.asarray(inv).reshape(-1)
    else:
        keys, inv = np.zeros((1, 0), dtype=np.int64), np.zeros(len(batch.C), dtype=np.int64)
    out = []
    for g, k in enumerate(keys):
        rows = np.flatnonzero(inv == g)
        for a in range(0, len(rows), size):
            out.append((tuple(int(v) for v in k), rows[a : a + size]))
    return out


def evaluate_rows(ctx: Context, batch: Batch, *, chunk: int | None = None, runner=None,
                  progress: Callable[[int, int], None] | None = None, keep_scores: bool = False):
    """Ranks [rows, T, m] (float32), tier classes (int8 or None), and scores when asked, for every row of `batch`.
    `runner`: None (in process) or a `dask_runner.DaskRunner`."""
    T, m = ctx.shape
    rows = len(batch.C)
    ranks = np.empty((rows, T, m), dtype=np.float32)
    tiers = np.empty((rows, T, m), dtype=np.int8) if ctx.tiers else None
    scores = np.empty((rows, T, m)) if keep_scores else None
    tasks = tasks_of(ctx.resolved, batch, chunk_size(ctx.shape, chunk))
    done = 0

    def put(idx, out):
        nonlocal done
        r, t, s = out
        ranks[idx] = r
        if tiers is not None:
            tiers[idx] = t
        if scores is not None:
            scores[idx] = s
        done += len(idx)
        if progress:
            progress(done, rows)

    if runner is None:
        for key, idx in tasks:
            put(idx, run_task(ctx, key, batch.C[idx], batch.U[idx], keep_scores))
    else:
        runner.run(ctx, [(key, idx, batch.C[idx], batch.U[idx], keep_scores) for key, idx in tasks], put)
    return ranks, tiers, scores


def nominal_of(ctx: Context):
    """The nominal evaluation from a context (its data already prepared): (root scores [T, m], root ranks [T, m])."""
    key = tuple(-1 for _ in ctx.resolved.plan_changing)
    plan = ctx.plans[key]
    zt, keep, raw = ctx.prepared[ctx.prep_of[key]]
    b = P.score_batch(plan, np.swapaxes(zt, -1, -2), keep, raw=raw)
    return b.values[..., -1, :], b.root_ranks


def nominal(model, values: bool = False):
    """The nominal evaluation: (root scores [T, m], root ranks [T, m]) — and the scores of every internal node
    [T, N − n, m] when `values`. The engine's `prepare` and `score_batch` without factors, which give the
    numbers `score` (and so `evaluate`) gives, bit for bit (tests/robust/test_robust.py), without ranking or
    copying the leaves."""
    from xianping.evaluation.run import _engine_call

    report = ProblemReport()
    plan = model.plan
    groups = model.groups(model.settings["impute"])
    p = _engine_call(lambda: P.prepare(plan, model.x, model.den, groups, model.times), report, "prepare", False)
    raw = p.treated if any(P._uses_raw(s.weights) for s in plan.nodes) else None
    b = _engine_call(lambda: P.score_batch(plan, p.normalised, p.keep_indicators, raw=raw), report,
                     "weights and aggregation", False, model.info, model.framework_file)
    out = (b.values[..., -1, :], b.root_ranks)
    return out + (b.values,) if values else out
