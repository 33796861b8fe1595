"""`robust(...)`: framework + data + uncertainty spec → per-county rank distributions and Sobol indices.

    from xianping.robust import robust
    r = robust("benchmarks/bench_2800x40/framework.yaml", data="bench_2800x40.csv",
               spec="benchmarks/bench_2800x40/spec.yaml", n=1000, seed=1)
    r.table()          # per unit: nominal rank, median, q05, q95, interval, P(tier), mean |shift|, moved most by
    r.write("out/")    # rank_stats.csv, sensitivity.csv (Sobol design), robust.manifest.json

sample (seeded) → evaluate in batches (in process or on dask) → analyse. With no uncertain input every
sample is the nominal evaluation, exactly.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from xianping.robust import evaluate_batch as EB
from xianping.robust import rank_stats as RS
from xianping.robust import sensitivity as SA
from xianping.robust.load import Model, load_model
from xianping.robust.sample import Design, random_design, saltelli_design
from xianping.robust.spec import UncertaintySpec, load_spec

__all__ = ["robust", "compare", "RobustResult", "OAT_ROWS"]

OAT_ROWS = 64  # at most, rows per input for "which input moves each county most" in a plain uncertainty run (n//4 for small n)


@dataclass
class RobustResult:
    model: Model
    spec: UncertaintySpec
    design: Design
    resolved: EB.Resolved
    nominal_scores: np.ndarray  # [T, m]
    nominal_ranks: np.ndarray  # [T, m]
    ranks: np.ndarray  # [rows, T, m] float32
    stats: RS.RankStats
    shift: np.ndarray  # [rows, T] mean absolute rank shift of each sample
    tier_classes: list[int]
    tier_p: np.ndarray | None  # [classes, T, m]
    tier_spec: dict[str, Any] | None
    moved_by: np.ndarray  # [T, m] input index (−1: none)
    moved_value: np.ndarray  # [T, m]
    moved_measure: str  # "total Sobol index" | "mean |rank shift| alone"
    sobol: dict[str, Any] | None = None
    timings: dict[str, float] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def units(self) -> list[str]:
        return self.model.units

    @property
    def years(self) -> list[str]:
        return self.model.years

    @property
    def input_names(self) -> list[str]:
        return [i.name for i in self.resolved.inputs]

    def _tier_label(self, c: int) -> str:
        t = self.tier_spec or {}
        if t.get("method", "top_n") == "top_n":
            return f"p_top{int(t.get('n', 30))}"
        return f"p_tier_{c}"

    def table(self) -> list[dict[str, Any]]:
        """One row per unit and year."""
        names = self.input_names
        st = self.stats
        out = []
        for t, y in enumerate(self.years):
            for i, u in enumerate(self.units):
                row = {"unit_code": u, "year": y, "nominal_rank": st.nominal[t, i], "median_rank": st.median[t, i],
                       "q05": st.q05[t, i], "q95": st.q95[t, i], "rank_interval": st.interval[t, i],
                       "mean_rank": st.mean[t, i], "mean_abs_rank_shift": st.mean_abs_shift[t, i]}
                if self.tier_p is not None:
                    for c, p in zip(self.tier_classes, self.tier_p):
                        row[self._tier_label(c)] = p[t, i]
                k = int(self.moved_by[t, i])
                row["moved_most_by"] = names[k] if k >= 0 else ""
                row["moved_most_effect"] = self.moved_value[t, i]
                out.append(row)
        return out

    def sensitivity_table(self) -> list[dict[str, Any]]:
        if self.sobol is None:
            return []
        s = self.sobol
        out = []
        for t, y in enumerate(self.years):
            for j, name in enumerate(self.input_names):
                row = {"year": y, "output": "mean_abs_rank_shift", "input": name}
                for est in SA.ESTIMATORS:
                    r = s[est]
                    row[f"S1_{est}"] = r["S1"][j, t]
                    row[f"S1_{est}_q05"], row[f"S1_{est}_q95"] = r["S1_ci"][0, j, t], r["S1_ci"][1, j, t]
                row["ST"] = s["saltelli2010"]["ST"][j, t]
                row["ST_q05"], row["ST_q95"] = s["saltelli2010"]["ST_ci"][0, j, t], s["saltelli2010"]["ST_ci"][1, j, t]
                out.append(row)
        return out

    def write(self, out_dir) -> dict[str, str]:
        import csv

        d = Path(out_dir)
        d.mkdir(parents=True, exist_ok=True)
        written = {}

        def fmt(v):
            if isinstance(v, (float, np.floating)):
                return "" if np.isnan(v) else (str(int(v)) if float(v).is_integer() else f"{float(v):.6g}")
            return v

        from xianping.files import FileSet

        files = FileSet()  # every table to a temporary file, the manifest last, all renamed together

        def dump(path, rows):
            if not rows:
                return

            def write(tmp):
                import pandas as pd

                from xianping.report.excel_safe import csv_column

                # unit codes and input names (from the user's data and spec) never a live formula, by excel_safe's
                # round-trip rule (readers strip the one apostrophe), one column at a time
                df = pd.DataFrame(rows, dtype=object)
                safe = df.assign(**{c: csv_column(df[c]) for c in df.columns}).to_dict("records")
                with open(tmp, "w", newline="", encoding="utf-8") as f:
                    w = csv.DictWriter(f, fieldnames=list(rows[0]))
                    w.writeheader()
                    for r in safe:
                        w.writerow({k: fmt(v) for k, v in r.items()})
            files.stage(path, write)

        with files:  # an error discards every temporary file; leaving the block renames them
            dump(d / "rank_stats.csv", self.table())
            written["rank_stats"] = str(d / "rank_stats.csv")
            if self.sobol is not None:
                dump(d / "sensitivity.csv", self.sensitivity_table())
                written["sensitivity"] = str(d / "sensitivity.csv")
                per = self.sobol["per_unit"]
                rows = [{"unit_code": u, "year": y, "input": name, "S1": per["S1"][j, t, i], "ST": per["ST"][j, t, i]}
                        for t, y in enumerate(self.years) for i, u in enumerate(self.units) for j, name in enumerate(self.input_names)]
                dump(d / "sensitivity_units.csv", rows)
                written["sensitivity_units"] = str(d / "sensitivity_units.csv")
            files.stage_text(d / "robust.manifest.json", json.dumps(self.manifest, ensure_ascii=False, indent=1))
        written["manifest"] = str(d / "robust.manifest.json")
        return written


def _manifest(model: Model, spec: UncertaintySpec, design: Design, engine: str, chunk: int, timings, extra) -> dict:
    from xianping import __version__
    from xianping.evaluation.manifest import json_safe

    fw = model.framework
    return json_safe({
        "kind": "robustness",
        "xianping_version": __version__,
        "framework": {**model.framework_meta, "code": fw.code, "hash": fw.content_hash()},
        "data": model.panel.source,
        # the reading's and the nominal evaluation's warnings (columns not read, units missing a year), as evaluate's
        "warnings": [p.as_dict() for p in model.extra.get("problems", []) if p.severity == "warning"],
        "years": model.years,
        "units": len(model.units),
        "settings": model.settings,
        "spec": spec.model_dump(),
        "design": {"kind": design.kind, "n": design.n, "rows": int(design.u.shape[0]), "seed": design.seed,
                   "blocks": [list(b) for b in design.blocks],
                   "sampler": "numpy PCG64 uniform" if design.kind == "uncertainty" else "scipy qmc.Sobol (scrambled), Saltelli 2010 radial"},
        "engine": engine,
        "chunk": chunk,
        "quantiles": "type 7 (linear), R default",
        "timings_s": timings,
        **extra,
    })


def robust(framework, *, data=None, store=None, spec, n: int, seed: int = 0, years=None,
           settings: dict[str, Any] | None = None, engine: str = "process", scheduler: str | None = None,
           workers: int | None = None, estimator_seed: int | None = None, model: Model | None = None,
           progress: Callable[[str, int, int], None] | None = None) -> RobustResult:
    """Uncertainty (design "uncertainty": n samples) or sensitivity analysis (design "sobol": n base samples,
    n(k + 2) evaluations) of a framework's ranks. `engine`: "process" or "dask" (`scheduler`: a
    dask.distributed address; none starts a LocalCluster)."""
    say = progress or (lambda stage, done, total: None)
    t0 = time.perf_counter()
    sp = load_spec(spec)
    if model is None:
        say("load", 0, 0)
        model = load_model(framework, data=data, store=store, years=years, settings=settings)
    res = EB.resolve(sp, model.plan, None)
    t_load = time.perf_counter()
    dims = res.dims
    if sp.design == "sobol":
        if not res.inputs:
            from xianping.problems import XianpingInputError

            raise XianpingInputError("a Sobol design needs at least one uncertain input")
        design = saltelli_design(n, dims, seed)
    else:
        design = random_design(n, dims, seed)
    batch = EB.rows_of_design(res, design)
    oat, who, oat_n = None, None, 0
    if sp.design != "sobol" and res.inputs:
        oat_n = min(OAT_ROWS, max(8, n // 4))
        oat, who = EB.oat_rows(res, design, oat_n)
    # natural-break tiers are drawn again in every sample (the assessment would re-run Jenks on its scores):
    # engine.rank.natural_breaks_batch, ≈ 6 ms per 2,800-county cross-section
    tiers = sp.tiers if sp.tiers is not None else model.settings.get("tiers")
    ctx = EB.build_context(model, res, [b for b in (batch, oat) if b is not None], tiers)
    nom_scores, nom_ranks = EB.nominal_of(ctx)  # = EB.nominal(model), on the data the context prepared
    runner = None
    if engine == "dask":
        from xianping.robust.dask_runner import DaskRunner

        runner = DaskRunner(scheduler=scheduler, workers=workers)
    elif engine != "process":
        raise ValueError(f"engine {engine!r} is not one of process, dask")
    t_ctx = time.perf_counter()
    total = len(batch.C) + (0 if oat is None else len(oat.C))
    chunk = EB.chunk_size(ctx.shape, sp.chunk)
    try:
        ranks, tier_cls, _ = EB.evaluate_rows(ctx, batch, chunk=sp.chunk, runner=runner,
                                              progress=lambda d, t: say("evaluate", d, total))
        oat_ranks = None
        if oat is not None:
            oat_ranks, _, _ = EB.evaluate_rows(ctx, oat, chunk=sp.chunk, runner=runner,
                                               progress=lambda d, t: say("evaluate", len(batch.C) + d, total))
    finally:
        if runner is not None:
            runner.close()
    t_eval = time.perf_counter()
    say("analyse", total, total)
    stats = RS.rank_stats(ranks, nom_ranks)
    shift = RS.mean_abs_shift(ranks, nom_ranks)
    classes: list[int] = []
    tier_p = None
    if tier_cls is not None:
        classes = sorted(int(c) for c in np.unique(tier_cls) if c > 0)
        if tiers.get("method", "top_n") == "top_n":
            classes = [1]
        tier_p = RS.tier_probabilities(tier_cls, classes)
    sobol = None
    k = len(res.inputs)
    T, m = ctx.shape
    if sp.design == "sobol":
        fA, fB, fAB = SA.split(shift, design.n, k)
        sobol = {}
        for est in SA.ESTIMATORS:
            r = SA.sobol_indices(fA, fB, fAB, est)
            ci = SA.bootstrap(fA, fB, fAB, est, sp.bootstrap, seed if estimator_seed is None else estimator_seed) \
                if sp.bootstrap else {"S1": np.full((2,) + r.S1.shape, np.nan), "ST": np.full((2,) + r.ST.shape, np.nan)}
            sobol[est] = {"S1": r.S1, "ST": r.ST, "S1_ci": ci["S1"], "ST_ci": ci["ST"], "variance": r.variance}
        pA, pB, pAB = SA.split(ranks, design.n, k)
        per = SA.sobol_indices(pA, pB, pAB, "saltelli2010")
        sobol["per_unit"] = {"S1": per.S1, "ST": per.ST}
        moved_by, moved_val = RS.moved_most(per.ST)
        measure = "total Sobol index of the unit's rank"
    elif oat is not None:
        base = oat_ranks[who == -1][0]
        eff = np.stack([RS.unit_shift(oat_ranks[who == j], base) for j in range(k)])
        moved_by, moved_val = RS.moved_most(eff)
        measure = (f"mean |rank shift| when the input alone varies ({oat_n} rows each) around the base point "
                   "(discrete inputs at their first alternative, weights nominal)")
    else:
        moved_by, moved_val = np.full((T, m), -1), np.full((T, m), np.nan)
        measure = "none (no uncertain input)"
    t_end = time.perf_counter()
    timings = {"load": round(t_load - t0, 4), "prepare": round(t_ctx - t_load, 4), "evaluate": round(t_eval - t_ctx, 4),
               "analyse": round(t_end - t_eval, 4), "total": round(t_end - t0, 4)}
    extra = {"rows_evaluated": int(total), "groups": len(ctx.plans), "preparations": len(ctx.prepared),
             "moved_most_by": measure, "tiers": tiers, "oat_rows_per_input": oat_n if oat is not None else 0,
             "estimators": {"S1": ["saltelli2010", "jansen"], "ST": "jansen"} if sobol else None}
    man = _manifest(model, sp, design, engine if engine != "dask" else f"dask ({scheduler or 'LocalCluster'})", chunk,
                    timings, extra)
    return RobustResult(model, sp, design, res, nom_scores, nom_ranks, ranks, stats, shift, classes, tier_p, tiers,
                        moved_by, moved_val, measure, sobol, timings, man)


def compare(framework=None, *, spec, scenarios: dict[str, dict[str, Any]], data=None, store=None, years=None,
            settings: dict[str, Any] | None = None, model: Model | None = None) -> dict[str, dict[str, Any]]:
    """Named alternatives evaluated once each (COINr `compare_coins_multi`): `scenarios` maps a name to
    {input name: alternative (its index, or its method name)}; inputs not named keep the framework's own
    setting, weights their nominal values. Returns {name: {"scores": [T, m, N] every node (leaves
    normalised), "ranks": [T, m] of the root, "nodes": node codes}}, "Nominal" included."""
    from xianping.engine import pipeline as P
    from xianping.problems import XianpingInputError

    sp = load_spec(spec)
    if model is None:
        model = load_model(framework, data=data, store=store, years=years, settings=settings)
    res = EB.resolve(sp, model.plan)
    names = {i.name: j for j, i in enumerate(res.inputs)}
    rows = {"Nominal": {}}
    rows.update(scenarios)
    C = np.full((len(rows), len(res.inputs)), -1, dtype=np.int64)
    for r, (label, choice) in enumerate(rows.items()):
        for name, alt in choice.items():
            if name not in names or res.inputs[names[name]].kind in ("weights", "goalposts"):
                raise XianpingInputError(f"scenario {label!r}: no discrete input {name!r} in the spec")
            inp = res.inputs[names[name]]
            if isinstance(alt, str):
                hits = [a for a, v in enumerate(inp.alternatives)
                        if v == alt or (isinstance(v, dict) and v.get("method") == alt and len(v) <= 2)]
                if not hits:
                    raise XianpingInputError(f"scenario {label!r}: {alt!r} is not an alternative of {name!r}")
                alt = hits[0]
            C[r, names[name]] = int(alt)
    batch = EB.Batch(C, np.full((len(rows), sum(res.dims)), 0.5))
    ctx = EB.build_context(model, res, [batch], None)
    out = {}
    for r, label in enumerate(rows):
        key = EB._group_key(res, C[r])
        plan = ctx.plans[key]
        zt, keep, raw = ctx.prepared[ctx.prep_of[key]]
        z = np.swapaxes(zt, -1, -2)
        f = EB._factors(res, plan, C[r : r + 1], batch.U[r : r + 1])
        b = P.score_batch(plan, z, keep, raw=raw, factors=f)
        vals = b.values[0] if f else b.values  # [T, N − n, m]
        ranks = b.root_ranks[0] if f else b.root_ranks
        full = np.concatenate([z, np.swapaxes(vals, -1, -2)], axis=-1)
        out[label] = {"scores": full, "ranks": ranks, "nodes": list(plan.node_codes)}
    return out
