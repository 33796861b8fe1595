"""What would move my county (提升路径 / what-if): one indicator at a time, re-evaluated through the engine.

For one unit and year, every indicator is changed alone, all other data fixed, and the whole evaluation runs again
(`engine.pipeline.run`) on the sample axis: x [S, T, m, n] holds one modified copy of the panel per scenario, so
min–max anchors that move when the county becomes the new maximum, data-driven weights (entropy, CRITIC …) that
react to the new column, screening and imputation all count — each scenario is exactly the evaluation of the
modified data. Scenarios run in chunks of bounded memory (`CHUNK_ELEMENTS` node scores per call), never one
evaluation per Python iteration.

Scenarios per indicator j (value v, direction-aware):
    step p          v + p·|v| (positive), v − p·|v| (negative), p·|v| towards the optimum / optimal interval
                    (moderate), clipped to the indicator's valid range; default p = 10 %
    province_median the median of j over the units of the county's province that year (省内中位数)
    top_median      the median of j over the current 第一方阵 (the top N by root score that year)
    province_best   the best value of j in the province that year (max, min, or closest to the optimum)

Needed to reach rank N (达到前N所需值): for each indicator alone, the smallest change along the straight path
v(τ) = v + τ·(b − v), τ ∈ [0, 1], that gives rank ≤ N, where b is the best value the indicator can usefully take:
the best value in the data the normalisation's anchors come from (pooled: all years, per year: that year, frozen:
the base year), the goalpost for goalpost normalisation, the optimum (interval bound) for moderate indicators —
where the indicator's score reaches its maximum. Bisection on τ, vectorised across indicators (each step is one
batched evaluation of every unresolved indicator's midpoint). The bracket ends are always evaluated values:
`needed` reaches rank ≤ N, `needed_lo` (a change smaller by at most `rtol` of the needed change) does not, so no
monotonicity is assumed for these two facts. When b itself does not reach rank N the indicator cannot do it alone:
either the county is already at b (its score is capped), or the indicator's effective weight is too small.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from xianping.evaluation.manifest import json_safe
from xianping.problems import XianpingInputError

__all__ = ["Scenario", "parse_scenarios", "WhatIf", "what_if", "evaluate_changes", "CHUNK_ELEMENTS", "RTOL"]

CHUNK_ELEMENTS = 1 << 21  # node scores (T·m·N) per engine call, summed over the chunk's scenarios (~16 MB per array)
RTOL = 1e-3  # bisection stops when the bracket is within 0.1 % of the needed change
MAX_STEPS = 60

SCENARIO_KINDS = ("step", "province_median", "top_median", "province_best")
_LABELS = {"province_median": ("省内中位数", "provincial median"), "top_median": ("第一方阵中位数", "top-{n} median"),
           "province_best": ("省内最优值", "provincial best")}


@dataclass(frozen=True)
class Scenario:
    kind: str  # step | province_median | top_median | province_best
    step: float = 0.1  # for kind step: fraction of the current value

    def label(self, top_n: int) -> str:
        if self.kind == "step":
            return f"改善 {self.step:.0%}（按指标方向） improve by {self.step:.0%} (direction-aware)"
        zh, en = _LABELS[self.kind]
        return f"{zh} {en.format(n=top_n)}".replace("第一方阵", f"第一方阵（前{top_n}）")

    @property
    def spec(self) -> str:
        return f"step:{self.step * 100:g}%" if self.kind == "step" else self.kind


def parse_scenarios(spec: str | Sequence[str] | None) -> list[Scenario]:
    """'step', 'step:20%' (or step:0.2), 'province_median', 'top_median', 'province_best'; comma-separated or a list.
    None: all four with a 10 % step."""
    if spec is None:
        return [Scenario("step"), Scenario("province_median"), Scenario("top_median"), Scenario("province_best")]
    items = [s.strip() for s in (spec.split(",") if isinstance(spec, str) else [p for x in spec for p in str(x).split(",")])]
    out = []
    for s in filter(None, items):
        kind, _, arg = s.partition(":")
        kind = kind.strip().lower().replace("-", "_")
        if kind not in SCENARIO_KINDS:
            raise XianpingInputError(f"unknown scenario {s!r}: expected one of step[:P%], province_median, top_median, province_best")
        if kind == "step":
            step = 0.1
            if arg:
                a = arg.strip()
                try:
                    step = float(a[:-1]) / 100 if a.endswith("%") else float(a)
                except ValueError:
                    raise XianpingInputError(f"scenario {s!r}: the step must be a percentage like 10% (or a fraction like 0.1)") from None
                if not 0 < step <= 10:
                    raise XianpingInputError(f"scenario {s!r}: the step must be above 0 % and at most 1000 %")
            out.append(Scenario("step", step))
        else:
            out.append(Scenario(kind))
    if not out:
        raise XianpingInputError("no scenario given: expected step[:P%], province_median, top_median or province_best")
    return list(dict.fromkeys(out))


# ---------------------------------------------------------------------------------------------
# the batched re-evaluation


class Evaluated(dict):
    """scores [S, N] (unit u, year t, every node), ranks [S] (root rank of u in t); with full=True also all_scores
    [S, T, m, N] and all_ranks [S, T, m] (root)."""


def chunk_of(shape_tmN: tuple[int, int, int], chunk: int | None = None) -> int:
    T, m, N = shape_tmN
    return int(chunk) if chunk else max(1, CHUNK_ELEMENTS // max(1, T * m * N))


class _Typed:
    """分类考核: the county type's plan (its weight/method overrides) scoring that type's units on the common
    normalised data, ranked among them — as `evaluate(by_type=True)` does (evaluation.run._score_by_type)."""

    def __init__(self, model, type_name: str, members):
        from xianping.evaluation.plan import compile_plan
        from xianping.problems import ProblemReport

        fw = model.framework
        sub = fw.for_type(type_name) if type_name in fw.type_overrides else fw
        self.plan, _ = compile_plan(sub, model.settings, file=model.framework_file, report=ProblemReport(),
                                    base_index=model.base_index)
        self.type = type_name
        self.idx = np.flatnonzero(members)

    def run(self, model, xs, groups):
        """Like pipeline.run(model.plan, xs …) but node scores and ranks of the type's units only (NaN elsewhere)."""
        from types import SimpleNamespace

        from xianping.engine import pipeline as P

        prep = P.prepare(model.plan, xs, model.den, groups, model.times)
        sc = P.score(self.plan, prep.normalised[..., self.idx, :], prep.keep_indicators, raw=prep.treated[..., self.idx, :])
        shape = prep.normalised.shape[:-1] + (sc.values.shape[-1],)
        vals, ranks = np.full(shape, np.nan), np.full(shape, np.nan)
        vals[..., self.idx, :] = sc.values
        ranks[..., self.idx, :] = sc.ranks
        return SimpleNamespace(prepared=prep, scored=SimpleNamespace(values=vals, ranks=ranks, effective=sc.effective))


def evaluate_changes(model, t: int, u: int, cols: Sequence[int], values: Sequence[float], *, groups=None,
                     chunk: int | None = None, full: bool = False, peers=None, typed: _Typed | None = None) -> Evaluated:
    """Scenario s = the model's panel with x[t, u, cols[s]] = values[s]; all scenarios through `pipeline.run` on
    the sample axis, `chunk` scenarios per call (default: CHUNK_ELEMENTS node scores per call). `peers` (bool [m]):
    the unit's rank among these units only (its province, prefecture or type), with the plan's tie rule. `typed`: score
    with the county type's overrides among its type (分类考核)."""
    from xianping.engine import pipeline as P
    from xianping.engine import rank as R

    cols = np.asarray(cols, dtype=np.int64)
    vals = np.asarray(values, dtype=float)
    T, m, n = model.x.shape
    N = len(model.plan.node_codes)
    S = len(cols)
    size = chunk_of((T, m, N), chunk)
    g = model.groups(model.settings["impute"]) if groups is None else groups
    scores, ranks = np.empty((S, N)), np.empty(S)
    all_s = np.empty((S, T, m, N)) if full else None
    all_r = np.empty((S, T, m)) if full else None
    for a in range(0, S, size):
        b = min(S, a + size)
        xs = np.broadcast_to(model.x, (b - a, T, m, n)).copy()
        xs[np.arange(b - a), t, u, cols[a:b]] = vals[a:b]
        r = (typed.run(model, xs, g) if typed is not None else P.run(model.plan, xs, model.den, g, model.times)).scored
        scores[a:b] = r.values[:, t, u, :]
        if peers is None:
            ranks[a:b] = r.ranks[:, t, u, -1]
        else:
            ranks[a:b] = R.rank(np.where(peers, r.values[:, t, :, -1], np.nan), ties=model.plan.ties)[:, u]
        if full:
            all_s[a:b] = r.values
            all_r[a:b] = r.ranks[..., -1]
    out = Evaluated(scores=scores, ranks=ranks, calls=-(-S // size) if S else 0, chunk=size)
    if full:
        out.update(all_scores=all_s, all_ranks=all_r)
    return out


# ---------------------------------------------------------------------------------------------
# values of the scenarios


def _direction(plan, j):
    d = plan.directions[j]
    if d in (1, 1.0):
        return "positive"
    if d in (-1, -1.0):
        return "negative"
    return "moderate"


def _ideal(plan, j) -> tuple[float, float] | None:
    """(lo, hi) of the optimum (moderate) or optimal interval; None for ±1 indicators."""
    if plan.interval and plan.interval[j] is not None:
        return tuple(float(v) for v in plan.interval[j])
    if plan.optimum and plan.optimum[j] is not None:
        o = float(plan.optimum[j])
        return o, o
    return None


def _distance(plan, j, v):
    """How far values are from the best direction-aware: smaller is better (−v for positive indicators)."""
    kind = _direction(plan, j)
    v = np.asarray(v, dtype=float)
    if kind == "positive":
        return -v
    if kind == "negative":
        return v
    lo, hi = _ideal(plan, j)
    return np.maximum(lo - v, 0) + np.maximum(v - hi, 0)


def _towards(plan, j, v: float, amount: float) -> float:
    """v moved by `amount` (≥ 0) in the improving direction (not past the optimum of a moderate indicator)."""
    kind = _direction(plan, j)
    if kind == "positive":
        return v + amount
    if kind == "negative":
        return v - amount
    lo, hi = _ideal(plan, j)
    if v < lo:
        return min(v + amount, lo)
    if v > hi:
        return max(v - amount, hi)
    return v


def _clip(v: float, valid) -> tuple[float, bool]:
    if not valid:
        return v, False
    lo, hi = valid
    w = v
    if lo is not None:
        w = max(w, lo)
    if hi is not None:
        w = min(w, hi)
    return w, w != v


def _best_in_anchor_source(model, j, t):
    """Where the indicator's score reaches its maximum: the best value in the data the normalisation's anchors come
    from, the goalpost (goalposts normalisation) or the optimum / interval bound (moderate)."""
    plan = model.plan
    kind = _direction(plan, j)
    if kind == "moderate":
        return None, "optimum"  # towards the ideal, resolved per unit value in `_end`
    if plan.normalise.get("method") == "goalposts" and plan.goalposts and plan.goalposts[j] is not None:
        lo, hi = plan.goalposts[j]
        return (hi if kind == "positive" else lo), "goalpost"
    x = model.x[..., j]
    src = x[t] if plan.panel == "per_year" else (x[plan.base_index] if plan.panel == "frozen" else x)
    with np.errstate(all="ignore"):
        v = np.nanmax(src) if kind == "positive" else np.nanmin(src)
    where = {"per_year": f"best in {model.years[t]}", "frozen": f"best in the base year {model.years[plan.base_index]}",
             "pooled": "best over all years evaluated"}.get(plan.panel, "best observed")
    return float(v), where


def _end(model, j, t, v0):
    b, where = _best_in_anchor_source(model, j, t)
    if b is None:
        lo, hi = _ideal(model.plan, j)
        b = lo if v0 < lo else (hi if v0 > hi else v0)
    return b, where


# ---------------------------------------------------------------------------------------------
# the result


@dataclass
class WhatIf:
    unit: str
    unit_name: str
    year: str
    target_rank: int
    top_n: int
    nominal: dict[str, Any]
    scenarios: list[dict[str, Any]]  # one row per (indicator, scenario)
    needed: list[dict[str, Any]]  # one row per indicator
    settings: dict[str, Any]
    manifest: dict[str, Any]
    summary: dict[str, Any] = field(default_factory=dict)

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        return {"whatif": self.scenarios, "needed": self.needed}

    def write(self, out) -> dict[str, str]:
        from xianping.analysis.tables import write_tables

        return write_tables(self.tables(), out, self.manifest)


def _check_inputs(model, unit, year):
    units = model.units
    code = str(unit).strip()
    if code not in units:
        low = {u.lower(): u for u in units}
        sc = getattr(model.panel, "scope", None) or {}
        if code.lower() in low:
            code = low[code.lower()]
        elif code in (sc.get("dropped_units") or ()):
            raise XianpingInputError(f"unit {code} {_unit_name(model, code)} is outside the evaluation scope {sc.get('label', '')} "
                                     f"(scope units {sc.get('units')}, within {sc.get('within')}): expected a unit in scope, or "
                                     "a scope that includes it (--scope all, --within none, --include-districts)")
        else:
            hint = ""
            try:
                from xianping.reference.divisions import get_gazetteer

                d = get_gazetteer().get(code)
                if d is not None:
                    hint = f" ({code} is {d.full_name} in the divisions gazetteer, but the data have no row for it)"
            except Exception:  # noqa: BLE001 - the hint is a convenience
                pass
            raise XianpingInputError(f"unit code {unit!r} is not in the data{hint}: expected one of the {len(units)} "
                                     f"unit codes of the data, e.g. {', '.join(units[:3])}")
    y = str(year) if year is not None else model.years[-1]
    if y not in model.years:
        raise XianpingInputError(f"year {y} is not in the data: expected one of {', '.join(model.years)}")
    return units.index(code), model.years.index(y)


def _unit_name(model, code):
    if model.panel.unit_names and model.panel.unit_names.get(code):
        return model.panel.unit_names[code]
    try:
        from xianping.reference.divisions import get_gazetteer

        d = get_gazetteer().get(code, model.panel.source.get("code_vintage") or 2024) if code.isdigit() else None
        return d.full_name if d is not None else ""
    except Exception:  # noqa: BLE001 - names are a convenience
        return ""


def _province(codes):
    """Province of each unit: the first two digits of a 6-digit division code (others: one group)."""
    return np.array([c[:2] if len(c) >= 6 and c[:6].isdigit() else "" for c in codes])


SCOPES = {"nation": "nationally", "province": "in {group}", "prefecture": "in {group}", "type": "among {group} units"}


def unit_types(model, types=None) -> list[str]:
    """Each unit's county type for 分类考核: `types` as `evaluate` takes it (a CSV unit_code,type or a dict), else the
    model's own, else the gazetteer kind (市辖区 / 县级市 / 县)."""
    from xianping.evaluation.run import _types_from_gazetteer, _types_from_table

    if isinstance(types, dict):
        tmap = {str(k): str(v) for k, v in types.items()}
    elif types is not None:
        tmap, _ = _types_from_table(types, model.units)
    elif model.unit_types is not None:
        return list(model.unit_types)
    else:
        tmap = _types_from_gazetteer(model.units, model.panel.source.get("code_vintage") or 2024)
    return [tmap.get(c, "未分类") for c in model.units]


def _peers(model, u: int, scope: str, types: list[str] | None = None):
    """Which units the rank is counted among: None (all, the evaluation's own rank) or a bool mask [m]."""
    if scope not in SCOPES:
        raise XianpingInputError(f"rank scope {scope!r} is not known: expected one of {', '.join(SCOPES)}")
    if scope == "nation":
        return None
    if scope == "type":
        types = types if types is not None else unit_types(model)
        return np.array([ty == types[u] for ty in types])
    width = 2 if scope == "province" else 4
    code = model.units[u]
    return np.array([c[:width] == code[:width] for c in model.units])


def _scope_name(model, u: int, scope: str, types: list[str] | None = None) -> str:
    if scope == "nation":
        return ""
    if scope == "type":
        return (types if types is not None else unit_types(model))[u]
    from xianping.reference.divisions import get_gazetteer

    code = model.units[u]
    head = code[:2] + "0000" if scope == "province" else code[:4] + "00"
    div = get_gazetteer().get(head)
    return div.name if div is not None else head


def default_target(settings: dict[str, Any], n_units: int | None = None) -> int:
    """The rank aimed at without `target_rank`: the top-N tier of the settings (第一方阵); with quantile tiers and
    the number of units evaluated, the size of the best class (⌈m/k⌉: the best quarter for quantile:4); else 30."""
    tiers = settings.get("tiers") or {}
    method = tiers.get("method", "top_n") if tiers else None
    if method == "top_n":
        return int(tiers.get("n", 30))
    if method == "quantile" and n_units:
        return max(1, -(-int(n_units) // int(tiers.get("k", 4))))
    return 30


def what_if(framework=None, *, data=None, store=None, unit: str, year=None, scenarios=None, target_rank: int | None = None,
            years=None, settings: dict[str, Any] | None = None, model=None, chunk: int | None = None,
            rtol: float = RTOL, scope: str = "nation", by_type: bool = False, types=None) -> WhatIf:
    """Scenarios and the value needed to reach rank ≤ `target_rank` (default: the top-N tier of the settings, else 30)
    for one unit and year; see the module docstring."""
    from xianping.engine import pipeline as P
    from xianping.robust.load import load_model

    t0 = time.perf_counter()
    if model is None:
        model = load_model(framework, data=data, store=store, years=years, settings=settings)
    u, t = _check_inputs(model, unit, year)
    code, y = model.units[u], model.years[t]
    plan = model.plan
    scs = list(scenarios) if scenarios and all(isinstance(s, Scenario) for s in scenarios) else parse_scenarios(scenarios)
    top_n = default_target(model.settings, len(model.units))  # the 第一方阵 size, also the default target
    N_target = int(target_rank) if target_rank is not None else top_n
    if N_target < 1:
        raise XianpingInputError(f"target rank {target_rank} is not valid: expected a rank of 1 or more")
    groups = model.groups(model.settings["impute"])
    T, m, n = model.x.shape
    codes = list(plan.node_codes)

    typed, tlist = None, (unit_types(model, types) if (types is not None or scope == "type") else None)
    if by_type:  # 分类考核: the type's own weights/methods, ranked among its type
        if scope not in ("nation", "type"):
            raise XianpingInputError(f"by-type scores are ranked among the county's type, not {scope!r}: "
                                     "expected scope type (or none)")
        scope = "type"
        tlist = unit_types(model, types)
        typed = _Typed(model, tlist[u], _peers(model, u, "type", tlist))
        nom = typed.run(model, model.x, groups)
    else:
        nom = P.run(plan, model.x, model.den, groups, model.times)
    keep_u = nom.prepared.keep_units
    if not keep_u[t, u]:
        av = float(nom.prepared.unit_availability[t, u])
        thr = (plan.screen or {}).get("unit_threshold")
        raise XianpingInputError(f"unit {code} {_unit_name(model, code)} is screened out in {y}: only {av:.0%} of its indicators "
                                 f"have data (expected at least {thr:.0%}, the screening threshold); it has no rank to move"
                                 if thr is not None else f"unit {code} is screened out in {y}; it has no rank to move")
    s0 = nom.scored.values[t, u, :].copy()
    root = s0[-1]
    if not np.isfinite(root):
        raise XianpingInputError(f"unit {code} has no score in {y} (missing data): expected a unit evaluated that year")
    root_all = nom.scored.values[t, :, -1]
    peers = _peers(model, u, scope, tlist)
    if peers is None:
        r_all = nom.scored.ranks[t, :, -1]
    else:  # the rank among the unit's province / prefecture / type, as provincial assessments rank their counties
        from xianping.engine import rank as R

        root_all = np.where(peers, root_all, np.nan)
        r_all = R.rank(root_all, ties=plan.ties)
    r0 = int(r_all[u])
    n_ranked = int(np.isfinite(r_all).sum())
    where_ranked = SCOPES[scope].format(group=_scope_name(model, u, scope, tlist))
    ev_scope = getattr(model.panel, "scope", None) or {}
    if scope == "nation" and (ev_scope.get("units_out") or ev_scope.get("within_level") not in (None, "none")):
        where_ranked = f"among the {ev_scope.get('label', 'units in scope')} units evaluated"  # the evaluation's own scope
    if N_target >= n_ranked:
        raise XianpingInputError(f"target rank {N_target} is not below the {n_ranked} units ranked {where_ranked} in {y}: "
                                 "expected a smaller rank")
    eff = nom.scored.effective[t]
    carried = nom.prepared.carried_forward[t]

    leaves = model.framework.indicators()
    meta = {lf.node_code: lf.indicator for lf in leaves}
    names = {it.node.code: it.node.name_zh for it in model.framework.walk()}
    dims = list(codes[n:-1])  # every dimension (internal node below the root)
    prov = _province(model.units)
    in_prov = (prov == prov[u]) & keep_u[t]
    top = keep_u[t] & (nom.scored.ranks[t, :, -1] <= top_n)  # the national 第一方阵, whatever the rank scope
    xt = model.x[t]

    # ---- scenario values (one per indicator × scenario), then one batched evaluation
    jobs, rows = [], []
    for j in range(n):
        ind = meta.get(plan.leaf_codes[j])
        v0 = float(xt[u, j])
        valid = tuple(ind.valid_range) if ind is not None and ind.valid_range else None
        for sc in scs:
            note, value = "", np.nan
            if carried[j]:
                note = f"不适用 n/a: no data for this indicator in {y} (carried forward from another year); change it in the year it was observed"
            elif sc.kind == "step":
                if np.isnan(v0):
                    note = "不适用 n/a: no current value (a relative step needs one)"
                else:
                    value = _towards(plan, j, v0, sc.step * abs(v0))
                    value, clipped = _clip(value, valid)
                    if value == v0:
                        note = ("不适用 n/a: the current value is 0, a relative step does not move it" if v0 == 0 else
                                "不适用 n/a: already at the optimum / in the optimal interval, or at the limit of the valid range")
                        value = np.nan
                    elif clipped:
                        note = f"clipped to the indicator's valid range {valid}"
            else:
                pool = in_prov if sc.kind != "top_median" else top
                col = xt[pool, j]
                col = col[~np.isnan(col)]
                if col.size == 0:
                    note = "不适用 n/a: no values in the reference group"
                elif sc.kind == "province_best":
                    value = float(col[int(np.argmin(_distance(plan, j, col)))])
                else:
                    value = float(np.median(col))
                if np.isfinite(value) and not np.isnan(v0):
                    if value == v0:
                        note, value = "不适用 n/a: already at this reference level", np.nan
                    elif _distance(plan, j, value) > _distance(plan, j, v0):
                        note = "already better than this reference: the scenario lowers it"
            rows.append({"j": j, "scenario": sc, "value": value, "v0": v0, "note": note})
            if np.isfinite(value):
                jobs.append(len(rows) - 1)
    ev = evaluate_changes(model, t, u, [rows[i]["j"] for i in jobs], [rows[i]["value"] for i in jobs], groups=groups,
                          chunk=chunk, peers=peers, typed=typed)
    calls, evals = ev["calls"], len(jobs)
    res_of = {i: k for k, i in enumerate(jobs)}

    def unit_of(j):
        ind = meta.get(plan.leaf_codes[j])
        return (ind.unit if ind is not None else "") or ""

    def with_unit(v, j):
        un = unit_of(j)
        return f"{v:g}" if un in ("", "1") else f"{v:g} {un}"

    def ind_cols(j):
        return {"指标 indicator": plan.indicators[j], "指标名称 name": names.get(plan.leaf_codes[j], ""),
                "维度 dimension": _parent(model, plan.leaf_codes[j]), "单位 unit": unit_of(j),
                "方向 direction": _direction(plan, j), "有效权重 effective weight": float(eff[j])}

    table = []
    for i, r in enumerate(rows):
        j = r["j"]
        row = {**ind_cols(j), "情景 scenario": r["scenario"].label(top_n), "scenario_code": r["scenario"].spec,
               "当前值 current": _num(r["v0"]), "情景值 scenario value": _num(r["value"]),
               "变化% change %": _pct(r["value"], r["v0"])}
        if i in res_of:
            k = res_of[i]
            s = ev["scores"][k]
            rk = int(ev["ranks"][k]) if np.isfinite(ev["ranks"][k]) else None
            row.update({"当前得分 score": float(root), "新得分 new score": float(s[-1]), "得分变化 Δscore": float(s[-1] - root),
                        "当前排名 rank": r0, "新排名 new rank": rk, "进位 rank gain": (r0 - rk) if rk is not None else None})
            for d in dims:
                c = codes.index(d)
                row[f"Δ{names.get(d, d)} {d}"] = float(s[c] - s0[c]) if np.isfinite(s[c] - s0[c]) else None
        else:
            row.update({"当前得分 score": float(root), "新得分 new score": None, "得分变化 Δscore": None, "当前排名 rank": r0,
                        "新排名 new rank": None, "进位 rank gain": None})
        row["说明 note"] = r["note"]
        table.append(row)
    table.sort(key=lambda r: (r["进位 rank gain"] is None, -(r["进位 rank gain"] or 0), -(r["得分变化 Δscore"] or 0)))

    # ---- needed to reach rank ≤ N: bracket ends, then bisection vectorised across indicators
    need_rows: dict[int, dict[str, Any]] = {}
    score_N = float(np.sort(root_all[np.isfinite(root_all)])[::-1][N_target - 1])
    ends, cand = {}, []
    for j in range(n):
        v0 = float(xt[u, j])
        base = {**ind_cols(j), "当前值 current": _num(v0), "当前排名 rank": r0, "目标排名 target rank": N_target}
        if r0 <= N_target:
            need_rows[j] = {**base, f"达到前{N_target}所需值 needed value": _num(v0), "所需变化% needed change %": 0.0,
                            "新排名 new rank": r0, "可达 reachable": True, "原因 reason": "already",
                            "说明 note": f"already at rank {r0} ≤ {N_target}"}
            continue
        if carried[j]:
            need_rows[j] = {**base, "可达 reachable": False, "原因 reason": "no_data",
                            "说明 note": f"不适用 n/a: no data for this indicator in {y} (carried forward from another year)"}
            continue
        if np.isnan(v0):
            need_rows[j] = {**base, "可达 reachable": False, "原因 reason": "no_value", "说明 note": "不适用 n/a: no current value"}
            continue
        b, where = _end(model, j, t, v0)
        ind = meta.get(plan.leaf_codes[j])
        b, _ = _clip(b, tuple(ind.valid_range) if ind is not None and ind.valid_range else None)
        ends[j] = (v0, b, where)
        if not np.isfinite(b) or b == v0 or _distance(plan, j, b) >= _distance(plan, j, v0):
            need_rows[j] = {**base, "可达 reachable": False, "原因 reason": "at_best", "搜索上限 search limit": _num(b),
                            "说明 note": f"not reachable by this indicator alone: already at the best value ({where}, {with_unit(b, j)}); "
                                         "its score is capped at its max, so it cannot move the county further"}
            continue
        cand.append(j)
    if cand:
        e1 = evaluate_changes(model, t, u, cand, [ends[j][1] for j in cand], groups=groups, chunk=chunk, full=False,
                              peers=peers, typed=typed)
        calls += e1["calls"]
        evals += len(cand)
        reach = []
        for k, j in enumerate(cand):
            v0, b, where = ends[j]
            rk = e1["ranks"][k]
            if np.isfinite(rk) and rk <= N_target:
                reach.append(j)
                continue
            gain = float(e1["scores"][k, -1] - root)
            need_rows[j] = {**ind_cols(j), "当前值 current": _num(v0), "当前排名 rank": r0, "目标排名 target rank": N_target,
                            "可达 reachable": False, "原因 reason": "weight", "搜索上限 search limit": _num(b),
                            "上限处排名 rank at limit": int(rk) if np.isfinite(rk) else None,
                            "说明 note": f"not reachable by this indicator alone: even at the best value ({where}, {with_unit(b, j)}), "
                                         f"where its score reaches its max, the index rises by only {gain:.3f} to rank {int(rk)}; "
                                         f"rank {N_target} needs about {score_N - float(root):.3f} (score {score_N:.3f}) — "
                                         f"its effective weight {float(eff[j]):.1%} is too small"}
        lo = {j: 0.0 for j in reach}
        hi = {j: 1.0 for j in reach}
        hi_eval = {j: (e1["scores"][cand.index(j)], e1["ranks"][cand.index(j)]) for j in reach}
        steps = 0
        active = [j for j in reach if hi[j] - lo[j] > rtol * hi[j]]
        while active and steps < MAX_STEPS:
            steps += 1
            mids = {j: 0.5 * (lo[j] + hi[j]) for j in active}
            vals = [ends[j][0] + mids[j] * (ends[j][1] - ends[j][0]) for j in active]
            e = evaluate_changes(model, t, u, active, vals, groups=groups, chunk=chunk, peers=peers, typed=typed)
            calls += e["calls"]
            evals += len(active)
            for k, j in enumerate(active):
                if np.isfinite(e["ranks"][k]) and e["ranks"][k] <= N_target:
                    hi[j] = mids[j]
                    hi_eval[j] = (e["scores"][k], e["ranks"][k])
                else:
                    lo[j] = mids[j]
            active = [j for j in active if hi[j] - lo[j] > rtol * hi[j]]
        for j in reach:
            v0, b, where = ends[j]
            need = v0 + hi[j] * (b - v0)
            below = v0 + lo[j] * (b - v0)
            s, rk = hi_eval[j]
            need_rows[j] = {**ind_cols(j), "当前值 current": _num(v0), "当前排名 rank": r0, "目标排名 target rank": N_target,
                            f"达到前{N_target}所需值 needed value": float(need), "所需变化% needed change %": _pct(need, v0),
                            "所需变化 needed change": float(need - v0), "新得分 new score": float(s[-1]),
                            "得分变化 Δscore": float(s[-1] - root), "新排名 new rank": int(rk), "可达 reachable": True,
                            "原因 reason": "reachable", "搜索上限 search limit": _num(b), "未达到值 value just short": float(below),
                            "说明 note": f"bisection on [current, {where}]: rank ≤ {N_target} at the needed value, not at a change "
                                         f"smaller by {rtol:.1%} of it"}
        bis_steps = steps
    else:
        bis_steps = 0
    needed = [need_rows[j] for j in range(n)]
    needed.sort(key=lambda r: (not r["可达 reachable"], abs(r.get("所需变化% needed change %") or 0) if r["可达 reachable"] else 0))

    elapsed = time.perf_counter() - t0
    name = _unit_name(model, code)
    set_out = {
        "unit": code, "year": y, "scenarios": [s.spec for s in scs], "target_rank": N_target, "top_n": top_n,
        "method": ("every scenario is a full re-evaluation of the modified panel through engine.pipeline.run on the sample axis "
                   "(one batched call per chunk of scenarios): normalisation anchors, data-driven weights, screening and "
                   "imputation react to the change; method choices are the framework's (settings below)"),
        "step": "v ± p·|v| in the improving direction (towards the optimum for moderate indicators), clipped to the valid range",
        "references": {"province_median": "median over the units of the province (first two code digits) evaluated that year",
                       "top_median": f"median over the current 第一方阵 (root rank ≤ {top_n} that year)",
                       "province_best": "best value in the province that year (max, min, or closest to the optimum)"},
        "needed": {"path": "v + τ·(b − v), τ ∈ [0, 1]; b = the best value where the indicator's score reaches its max "
                           "(anchor source of the normalisation, goalpost, or optimum)",
                   "search": "bisection on τ, vectorised across indicators", "rtol": rtol, "max_steps": MAX_STEPS,
                   "guarantee": "the needed value reaches rank ≤ N; a change smaller by rtol of it does not (both evaluated)"},
        "ranks": (f"root rank among the units evaluated that year, counted {where_ranked} (scope {scope!r}), ties "
                  f"'{plan.ties}'" + (f"; scored with the {typed.type} type's overrides (分类考核)" if typed else
                                      "; the framework's common weights (no type overrides)")),
        "rank_scope": scope,
        "tiers": json_safe(model.settings.get("tiers")),
        "by_type": bool(typed),
        "chunk_elements": CHUNK_ELEMENTS,
    }
    from datetime import datetime, timezone

    from xianping import __version__

    man = {"xianping_version": __version__, "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
           "analysis": "whatif",
           "input": {"kind": "framework+data",
                     "framework": {**model.framework_meta, "code": model.framework.code, "hash": model.framework.content_hash()},
                     "data": model.panel.source},
           "years": model.years, "units": len(model.units), "settings": set_out, "evaluation_settings": json_safe(model.settings),
           "scope": getattr(model.panel, "scope", None) or {},  # the units evaluated (evaluation.scope)
           "methods": json_safe({"normalise": plan.normalise, "panel": plan.panel, "screen": plan.screen, "impute": plan.impute,
                                 "treat": plan.treat, "missing_years": plan.missing_years, "ties": plan.ties,
                                 "nodes": {st.code: {"weights": st.weights, "aggregation": st.aggregation} for st in plan.nodes}}),
           "evaluations": {"scenarios": int(len(jobs)), "total": int(evals), "engine_calls": int(calls), "bisection_steps": int(bis_steps),
                           "seconds": round(elapsed, 3)}}
    levers = [r for r in table if (r.get("进位 rank gain") or 0) > 0][:5]
    summary = {"unit": code, "unit_name": name, "year": y, "score": float(root), "rank": r0, "ranked_units": n_ranked,
               "rank_scope": scope, "ranked_where": where_ranked,
               "evaluation_scope": (getattr(model.panel, "scope", None) or {}).get("label", ""),
               "target_rank": N_target, "score_at_target_rank": score_N, "gap": max(0.0, score_N - float(root)),
               "top_levers": [{"indicator": r["指标 indicator"], "name": r["指标名称 name"], "scenario": r["scenario_code"],
                               "current": r["当前值 current"], "value": r["情景值 scenario value"], "unit": r["单位 unit"],
                               "new_rank": r["新排名 new rank"], "rank_gain": r["进位 rank gain"], "delta_score": r["得分变化 Δscore"]}
                              for r in levers],
               "reachable_alone": [{"indicator": r["指标 indicator"], "needed": r.get(f"达到前{N_target}所需值 needed value"),
                                    "change_pct": r.get("所需变化% needed change %")} for r in needed if r["可达 reachable"]],
               "not_reachable_alone": [r["指标 indicator"] for r in needed if not r["可达 reachable"]],
               "evaluations": man["evaluations"], "method": "full re-evaluation through the engine per scenario (batched)"}
    return WhatIf(code, name, y, N_target, top_n, {"score": float(root), "rank": r0, "scores": dict(zip(codes, map(float, s0)))},
                  table, needed, set_out, man, summary)


def _parent(model, leaf_code):
    for it in model.framework.walk():
        if it.node.code == leaf_code and len(it.codes) > 1:
            return it.codes[-2]
    return ""


def _num(v):
    return None if v is None or not np.isfinite(v) else float(v)


def _pct(v, v0):
    if v is None or v0 is None or not np.isfinite(v) or not np.isfinite(v0) or v0 == 0:
        return None
    return float((v - v0) / abs(v0) * 100)


