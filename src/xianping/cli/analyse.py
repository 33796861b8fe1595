"""`xianping analyse obstacles|coupling|disparity|convergence|markov|spatial|targets` — regional analysis of an
evaluation result (or any table of indicators), written as CSV/XLSX tables with a method manifest beside them."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from xianping.cli.scope_options import FORCE_TIERS, INCLUDE_DISTRICTS, WITHIN, scope_settings

app = typer.Typer(no_args_is_help=True, help="分析 Regional analysis of scores: obstacles, coupling, disparity, convergence, "
                  "Markov, spatial patterns, targets.")

RESULTS = typer.Option(None, "--results", help="Results CSV of `xianping evaluate` / `xianping demo` (its .weights and .manifest.json beside it).")
STORE = typer.Option(None, "--store", help="A DuckDB panel store; evaluated with --framework first.")
FRAMEWORK = typer.Option(None, "--framework", "-f", help="Framework for --store (e.g. census-social).")
DATA = typer.Option(None, "--data", help="A table read as `xianping import` reads it (yearbook headers, names or codes; "
                    "--mapping etc. as for import), or one a program wrote with a unit_code/code/adcode column and any "
                    "numeric columns.")
YEARS = typer.Option(None, "--years", help="Years to use, e.g. 2010,2020 (default: all).")
OUT = typer.Option(None, "--out", "-o", help="Output .csv (one file per table) or .xlsx (one sheet per table); manifest beside it.")
JSON = typer.Option(False, "--json", help="Print the summary as JSON.")


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="analyse", help="分析 Regional analysis: obstacles, coupling, disparity, convergence, markov, spatial, targets.")


# The reading options of --data (as `xianping import` has them), set by `_reading` for the command being run.
_READ: dict = {}


def _reading(fn):
    """Give a command the reading options of a --data table (--mapping, --code-year, --period, --sheet, --split-rule,
    --trust-codes, --skip-unknown) without repeating seven parameters in every signature: they are added to the signature Typer reads
    and handed to `_input` / `evaluate` through `_READ`."""
    import functools
    import inspect

    from xianping.cli import data_commands as D

    extra = {"mapping": (Optional[Path], D.MAPPING), "code_year": (Optional[int], D.CODE_YEAR),
             "period": (Optional[str], D.PERIOD), "sheet": (Optional[str], D.SHEET),
             "split_rule": (Optional[Path], D.SPLIT_RULE), "trust_codes": (bool, D.TRUST_CODES),
             "skip_unknown": (bool, D.SKIP_UNKNOWN)}

    @functools.wraps(fn)
    def run(*args, **kwargs):
        _READ.clear()
        _READ.update({k: kwargs.pop(k) for k in extra})
        return fn(*args, **kwargs)

    sig = inspect.signature(fn)
    params = [inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=opt, annotation=t) for k, (t, opt) in extra.items()]
    run.__signature__ = sig.replace(parameters=[*sig.parameters.values(), *params])
    run.__annotations__ = {**fn.__annotations__, **{k: t for k, (t, _) in extra.items()}}
    return run


def _read_options() -> dict:
    return {k: v for k, v in _READ.items() if v not in (None, False)}


def _input(results, store, framework, data, years, any_columns: bool = False):
    """The analysis input. `any_columns`: every numeric column of --data is a variable (industry employment by
    section is no library indicator), so the table is read as it is, not by the ingest layer."""
    from xianping.analysis.tables import load_input

    if data is not None and not any_columns:
        from xianping.analysis.run import data_input
        from xianping.cli.data_commands import print_reading

        inp, problems = data_input(data, years, **_read_options())
        print_reading(problems, stderr=True)  # as `xianping import` prints them; stdout may be --json
        return inp
    if _read_options() and not any_columns:
        from xianping.cli.output import fail

        fail(f"{', '.join('--' + k.replace('_', '-') for k in _read_options())}: reading options of a --data table")
    return load_input(results=results, store=store, framework=framework, data=data, years=years)


def _emit(name: str, inp, out_tuple, out: Optional[Path], as_json: bool, default_out: Optional[str]) -> None:
    import json

    from xianping.analysis.tables import manifest, write_tables
    from xianping.cli.output import console

    tables, summary, settings = out_tuple
    man = manifest(name, inp, settings)
    # default_out None: the tables are written only where --out says (spatial)
    written = write_tables(tables, out or Path(default_out), man) if (out or default_out) else {}
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=1, default=_jsonable))
    else:
        console.print_json(json.dumps(summary, ensure_ascii=False, default=_jsonable))
        console.print("written: " + "  ·  ".join(f"{k}: {v}" for k, v in written.items()) if written else
                      "nothing written: give --out FILE.csv or .xlsx for the tables and the manifest", markup=False)  # "[/x]" in a path


def _jsonable(v):
    import numpy as np

    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    return str(v)


@app.command("obstacles", help="障碍度 Top-k obstacles per unit (factor contribution × deviation), dimension obstacles, strengths and weaknesses.")
@_reading
def obstacles(results: Optional[Path] = RESULTS, store: Optional[Path] = STORE, framework: Optional[str] = FRAMEWORK,
              data: Optional[Path] = DATA, years: Optional[str] = YEARS, node: Optional[str] = typer.Option(None, "--node", help="Index node (default: the root)."),
              top: int = typer.Option(3, "--top", min=1, max=100, help="Obstacles per unit."), year: Optional[str] = typer.Option(None, "--year"),
              unit: Optional[str] = typer.Option(None, "--unit", help="One county (division code, e.g. 410821): its obstacles, "
                                                 "dimension obstacles, strengths and weaknesses only, computed among all units."),
              out: Optional[Path] = OUT, json: bool = JSON) -> None:
    from xianping.analysis.run import run_obstacles

    inp = _input(results, store, framework, data, years)
    res = run_obstacles(inp, node=node, top=top, year=year)
    if unit is not None:
        from xianping.analysis.obstacles import for_unit

        res = for_unit(res, inp, unit)
    _emit("obstacles", inp, res, out, json, f"obstacles_{unit.strip()}.csv" if unit else "obstacles.csv")


@app.command("coupling", help="耦合协调度 C, T, D, ten grades (and relative development for two subsystems).")
@_reading
def coupling(results: Optional[Path] = RESULTS, store: Optional[Path] = STORE, framework: Optional[str] = FRAMEWORK,
             data: Optional[Path] = DATA, years: Optional[str] = YEARS,
             subsystems: Optional[str] = typer.Option(None, "--subsystems", help="Nodes/columns, comma-separated (default: the root's children)."),
             variant: str = typer.Option("standard", "--variant", help="standard (GM/AM) | wang_kong (Wang, Kong et al. 2021)."),
             weights: Optional[str] = typer.Option(None, "--weights", help="Weights of T, e.g. 0.4,0.3,0.3 (default equal)."),
             scale: Optional[float] = typer.Option(None, "--scale", help="Divide scores by this to get [0, 1] (default: the framework's scale; 1 for --data)."),
             year: Optional[str] = typer.Option(None, "--year"), out: Optional[Path] = OUT, json: bool = JSON) -> None:
    from xianping.analysis.run import run_coupling

    inp = _input(results, store, framework, data, years)
    if scale:
        inp.scale = scale
    from xianping.cli.parse import choice, numbers

    choice(variant, "--variant", ("standard", "wang_kong"))
    w = numbers(weights, "--weights") if weights else None
    subs = [s.strip() for s in subsystems.split(",")] if subsystems else None
    _emit("coupling", inp, run_coupling(inp, subs, variant=variant, weights=w, year=year), out, json, "coupling.csv")


@app.command("disparity", help="差异 Gini, Theil T/L (between/within), Dagum decomposition, CV by a grouping.")
@_reading
def disparity(results: Optional[Path] = RESULTS, store: Optional[Path] = STORE, framework: Optional[str] = FRAMEWORK,
              data: Optional[Path] = DATA, years: Optional[str] = YEARS,
              indicator: Optional[str] = typer.Option(None, "--indicator", help="Node/column (default: the index)."),
              by: str = typer.Option("province", "--by", help="province | prefecture | type | region | a text column of --data."),
              weight: Optional[str] = typer.Option(None, "--weight", help="A column of weights (e.g. population) for weighted variants."),
              year: Optional[str] = typer.Option(None, "--year"), out: Optional[Path] = OUT, json: bool = JSON) -> None:
    from xianping.analysis.run import run_disparity

    inp = _input(results, store, framework, data, years)
    _emit("disparity", inp, run_disparity(inp, indicator, by=by, weight_column=weight, year=year), out, json, "disparity.csv")


@app.command("convergence", help="收敛 σ-convergence, β-convergence (cross-section or panel fixed effects), kernel density by year.")
@_reading
def convergence(results: Optional[Path] = RESULTS, store: Optional[Path] = STORE, framework: Optional[str] = FRAMEWORK,
                data: Optional[Path] = DATA, years: Optional[str] = YEARS,
                indicator: Optional[str] = typer.Option(None, "--indicator"),
                measure: str = typer.Option("cv", "--measure", help="σ measure: cv | sd | sd_log."),
                model: str = typer.Option("cross_section", "--model", help="β model: cross_section | panel (≥ 3 years)."),
                fixed_effects: str = typer.Option("twoway", "--fe", help="Panel fixed effects: unit | twoway."),
                controls: Optional[str] = typer.Option(None, "--controls", help="Columns for conditional β, comma-separated."),
                bandwidth: str = typer.Option("silverman", "--bandwidth", help="silverman | scott | stata | a number."),
                out: Optional[Path] = OUT, json: bool = JSON) -> None:
    from xianping.analysis.run import run_convergence
    from xianping.cli.parse import choice, numbers

    choice(measure, "--measure", ("cv", "sd", "sd_log"))
    choice(model, "--model", ("cross_section", "panel"))
    choice(fixed_effects, "--fe", ("unit", "twoway"))
    bw = bandwidth if bandwidth in ("silverman", "scott", "stata") else \
        numbers(bandwidth, "--bandwidth", "silverman | scott | stata | a positive number")[0]
    if not isinstance(bw, str) and bw <= 0:
        from xianping.problems import XianpingInputError

        raise XianpingInputError(f"--bandwidth {bandwidth!r}: expected silverman | scott | stata | a positive number")
    inp = _input(results, store, framework, data, years)
    ctrl = [c.strip() for c in controls.split(",")] if controls else None
    _emit("convergence", inp, run_convergence(inp, indicator, measure=measure, model=model, fixed_effects=fixed_effects,
                                              controls=ctrl, bandwidth=bw), out, json, "convergence.csv")


@app.command("markov", help="马尔可夫 Transition matrices of tiers, optionally spatial (conditioned on the neighbours' tier) with the homogeneity test.")
@_reading
def markov_cmd(results: Optional[Path] = RESULTS, store: Optional[Path] = STORE, framework: Optional[str] = FRAMEWORK,
               data: Optional[Path] = DATA, years: Optional[str] = YEARS, indicator: Optional[str] = typer.Option(None, "--indicator"),
               k: int = typer.Option(4, "--k", min=2, max=20, help="Number of tiers."),
               classing: str = typer.Option("pooled", "--classing", help="pooled | per_year quantiles | fixed (with --cutoffs)."),
               cutoffs: Optional[str] = typer.Option(None, "--cutoffs", help="Fixed cut-offs, e.g. 0.8,0.9,1.0,1.2 (with --relative: of the mean)."),
               relative: bool = typer.Option(False, "--relative", help="Divide by each year's mean first."),
               spatial: bool = typer.Option(False, "--spatial", help="Also the spatial Markov chain."),
               weights: str = typer.Option("queen", "--weights", help="queen | rook | knn:K | distance:KM."),
               boundaries: Optional[Path] = typer.Option(None, "--boundaries", exists=True),
               join: Optional[str] = typer.Option(None, "--join", help="The column of --boundaries naming the units (a code or a name), "
                                                  "as for spatial."),
               out: Optional[Path] = OUT, json: bool = JSON) -> None:
    from xianping.analysis.run import run_markov
    from xianping.cli.parse import choice, numbers

    choice(classing, "--classing", ("pooled", "per_year", "fixed"))
    cuts = numbers(cutoffs, "--cutoffs", "increasing numbers separated by commas, e.g. 0.8,0.9,1.0,1.2") if cutoffs else None
    if boundaries is not None and not join:
        from xianping.cli.output import fail

        fail("--boundaries needs --join COLUMN (the column of the boundaries file naming the units: a code or a name)")
    inp = None
    if data is not None and boundaries is not None and not _read_options():
        from xianping.analysis.run import data_for_boundaries

        inp = data_for_boundaries(data, boundaries, join, years)   # a name or code column matching the boundaries
    inp = inp or _input(results, store, framework, data, years)
    _emit("markov", inp, run_markov(inp, indicator, k=k, classing="fixed" if cuts else classing, cutoffs=cuts, relative=relative,
                                    spatial=spatial, weights=weights, boundaries=boundaries, join=join), out, json, "markov.csv")


@app.command("spatial", help="空间 Global Moran's I and Geary's C (normality, randomisation, permutation; every tail), LISA "
             "(local Moran: esda or spdep scaling, analytic and permutation inference) and Gi* hot spots. Tables are written "
             "only with --out.")
@_reading
def spatial(results: Optional[Path] = RESULTS, store: Optional[Path] = STORE, framework: Optional[str] = FRAMEWORK,
            data: Optional[Path] = DATA, years: Optional[str] = YEARS,
            indicator: Optional[str] = typer.Option(None, "--indicator", help="Node/column (default: the index)."),
            year: Optional[str] = typer.Option(None, "--year", help="Year (default: the latest)."),
            boundaries: Optional[Path] = typer.Option(None, "--boundaries", help="Your own polygons (GeoJSON, shapefile …); default: the shipped county boundaries."),
            join: Optional[str] = typer.Option(None, "--join", help="The column of --boundaries naming the units (a code or a name); "
                                               "--data is joined on its column of the same name, else on the column whose values match most."),
            weights: str = typer.Option("queen", "--weights", help="queen | rook | knn:K | distance:KM."),
            permutations: int = typer.Option(999, "--permutations", min=0, max=1_000_000),
            seed: int = typer.Option(12345, "--seed", min=0, max=2**32 - 1),
            alpha: float = typer.Option(0.05, "--alpha"), fdr: bool = typer.Option(False, "--fdr", help="Benjamini–Hochberg for LISA/Gi*."),
            islands: str = typer.Option("drop", "--islands", help="drop | keep units without neighbours."),
            local_scaling: str = typer.Option("esda", "--local-scaling", help="Local Moran I_i: esda ((n − 1) z_i Σ w z / Σ z², "
                                              "PySAL esda) | spdep (n z_i Σ w z / Σ z², R spdep localmoran); z and p are the same."),
            lisa_p: str = typer.Option("p_sim", "--lisa-p", help="p-value that makes a LISA cluster: p_sim (folded permutation, esda) | "
                                       "p_sim_two_sided | conditional (spdep localmoran, two-sided) | total."),
            out: Optional[Path] = OUT, json: bool = JSON) -> None:
    from xianping.analysis.autocorrelation import LOCAL_MORAN_SCALINGS, LOCAL_SIGNIFICANCE
    from xianping.analysis.run import data_for_boundaries, run_spatial
    from xianping.cli.output import fail
    from xianping.cli.parse import choice

    if boundaries is not None and not join:
        fail("--boundaries needs --join COLUMN (the column of the boundaries file naming the units: a code or a name)")
    choice(local_scaling, "--local-scaling", tuple(LOCAL_MORAN_SCALINGS))
    choice(lisa_p, "--lisa-p", LOCAL_SIGNIFICANCE)
    inp = None
    if data is not None and boundaries is not None and not _read_options():
        inp = data_for_boundaries(data, boundaries, join, years)   # a name or code column matching the boundaries
    if inp is None:
        inp = _input(results, store, framework, data, years)
    res = run_spatial(inp, indicator, year=year, weights=weights, boundaries=boundaries, join=join, permutations=permutations,
                      seed=seed, alpha=alpha, fdr=fdr, islands=islands, scaling=local_scaling, lisa_p=lisa_p)
    join_info = res[1].get("join")
    if join_info and join_info["unmatched"]:
        typer.echo(f"{join_info['data_column']} of {data}: {len(join_info['unmatched'])} value(s) not in {join} of {boundaries}, "
                   f"left out: {', '.join(join_info['unmatched'][:30])}" + (" …" if len(join_info["unmatched"]) > 30 else ""), err=True)
    _emit("spatial", inp, res, out, json, None)


@app.command("targets", help="目标 Progress %, on-track flag and projected year for declarative targets (YAML/JSON).")
@_reading
def targets(targets_file: Path = typer.Option(..., "--targets", help="YAML/JSON: a list of targets (or {targets: [...]})."),
            results: Optional[Path] = RESULTS, store: Optional[Path] = STORE, framework: Optional[str] = FRAMEWORK,
            data: Optional[Path] = DATA, years: Optional[str] = YEARS, out: Optional[Path] = OUT, json: bool = JSON) -> None:
    from xianping.analysis.run import run_targets
    from xianping.ingest.read_text import read_yaml

    spec = read_yaml(targets_file, "--targets")  # the YAML limits; an error names the file and line
    spec = spec.get("targets", spec) if isinstance(spec, dict) else spec
    inp = _input(results, store, framework, data, years)
    _emit("targets", inp, run_targets(inp, spec, file=str(targets_file)), out, json, "targets.csv")


@app.command("audit", help="统计审计 Statistical coherence of a framework (COINr/JRC audit): indicator statistics of the raw and "
             "treated data, correlations with parents and within a level, high-correlation pairs, Cronbach's alpha, PCA of a "
             "level, optimised weights. Evaluates --framework on --data or --store first (the audit needs the indicators).")
@_reading
def audit_cmd(framework: Optional[str] = FRAMEWORK, data: Optional[Path] = DATA, store: Optional[Path] = STORE,
              years: Optional[str] = YEARS, year: Optional[str] = typer.Option(None, "--year", help="Year audited (default: the latest)."),
              level: int = typer.Option(2, "--level", help="Level for the within-level correlations and the PCA (1 = indicators; 2 = their parents)."),
              pval: float = typer.Option(0.05, "--pval", help="Show a correlation in the matrices only where p ≤ this (0: all; COINr's default 0.05)."),
              flag_threshold: float = typer.Option(0.9, "--corr-threshold", help="Flag indicator pairs in one group correlated above this (COINr default 0.9)."),
              flag_kind: str = typer.Option("high", "--corr-kind", help="high (above the threshold) | low (below)."),
              group_level: int = typer.Option(2, "--group-level", help="Level whose groups the flagged pairs share."),
              optimise_level: Optional[int] = typer.Option(None, "--optimise-level", help="Level whose weights are optimised (default: the index's children; 0: skip)."),
              targets: str = typer.Option("equal", "--targets", help="Target shares of the correlations with the index: equal or e.g. 1,2."),
              toler: float = typer.Option(0.1, "--toler", help="Optimiser's relative tolerance (COINr default 0.1; e.g. 1e-10 to match the targets closely)."),
              maxiter: int = typer.Option(500, "--maxiter", help="Optimiser's maximum evaluations (COINr default 500)."),
              out: Optional[Path] = OUT, json: bool = JSON) -> None:
    from xianping.analysis.coherence import audit
    from xianping.analysis.tables import from_evaluation
    from xianping.cli.output import fail
    from xianping.evaluation import evaluate

    if framework is None:
        fail("audit needs --framework (a built-in name or a YAML file) and --data FILE or --store DB")
    if (data is None) == (store is None):
        fail("audit needs exactly one of --data FILE or --store DB (an evaluation's results CSV has no indicator data)")
    res = evaluate(framework, store=store, data=data, years=years, **_read_options())
    from xianping.cli.parse import numbers

    tg = targets if targets == "equal" else numbers(targets, "--targets", "equal | weights separated by commas, e.g. 0.5,0.3,0.2")
    tables = audit(res, year=year, level=level, pval=pval, flag_threshold=flag_threshold, flag_kind=flag_kind,
                   group_level=group_level, optimise_level=optimise_level, targets=tg, toler=toler, maxiter=maxiter)
    _emit("audit", from_evaluation(res), tables, out, json, "audit.xlsx")


@app.command("whatif", help="提升路径 What would move one county: each indicator alone raised by a step (or lowered, for negative "
             "indicators) or set to the provincial median, the 第一方阵 median or the provincial best, re-evaluated through the "
             "engine (new score, rank, 进位, dimension changes); and for each indicator the value needed to reach rank N. A points-based "
             "framework (考核办法, scoring:): each item alone at its full points, the programme scored again (total, class rank, "
             "先进县), as `xianping points whatif`.")
@_reading
def whatif_cmd(framework: Optional[str] = FRAMEWORK, data: Optional[Path] = DATA, store: Optional[Path] = STORE,
               unit: str = typer.Option(..., "--unit", help="The county's division code, e.g. 410104."),
               year: Optional[str] = typer.Option(None, "--year", help="Year changed and ranked (default: the latest)."),
               scenario: Optional[list[str]] = typer.Option(None, "--scenario", help="step[:P%] (default 10%), province_median, top_median, "
                                                            "province_best; repeat or comma-separate (default: all four)."),
               target_rank: Optional[int] = typer.Option(None, "--target-rank", help="Rank to reach (default: the top-N tier of the settings, 30)."),
               scope: Optional[str] = typer.Option(None, "--scope", help="Units evaluated: all (default) | county (县域, no 市辖区), as for "
                                                   "evaluate. The older values nation | province | prefecture | type mean --rank-in."),
               rank_in: Optional[str] = typer.Option(None, "--rank-in", help="Where the county's rank is counted among the units evaluated: "
                                                     "nation (default) | province | prefecture | type (省内、市内、同类县排名)."),
               within: Optional[str] = WITHIN, include_districts: Optional[str] = INCLUDE_DISTRICTS,
               tiers: Optional[str] = typer.Option(None, "--tiers", help="Tiers of the evaluation: top_n:N sets 第一方阵 (the top_median "
                                                   "reference and the default --target-rank) | quantile:4 …"),
               force_tiers: bool = FORCE_TIERS,
               by_type: bool = typer.Option(False, "--by-type", help="分类考核: score with the county type's overrides and rank among its type."),
               types: Optional[Path] = typer.Option(None, "--types", exists=True, dir_okay=False, help="CSV with unit_code,type (default: gazetteer kind 市辖区/县级市/县)."),
               years: Optional[str] = YEARS, out: Optional[Path] = OUT, json: bool = JSON) -> None:
    import json as _json

    from xianping.analysis.what_if import what_if
    from xianping.cli.output import console, fail

    if framework is None:
        fail("whatif needs --framework (a built-in name or a YAML file) and --data FILE or --store DB")
    if (data is None) == (store is None):
        fail("whatif needs exactly one of --data FILE or --store DB (the scenarios re-evaluate the indicator data)")
    rank_scope, units_scope = rank_in or "nation", scope
    if scope in ("nation", "province", "prefecture", "type"):  # the spelling before --rank-in
        if rank_in is not None and rank_in != scope:
            fail(f"--scope {scope} and --rank-in {rank_in} disagree: --scope all|county names the units evaluated, --rank-in where the rank is counted")
        rank_scope, units_scope = scope, None
    st: dict = {}
    if tiers:
        from xianping.cli.parse import tier_spec

        st["tiers"] = tier_spec(tiers)
    st = scope_settings(st, units_scope, within, include_districts, force_tiers)
    from xianping.cli.data_commands import print_reading
    from xianping.cli.points import is_points

    if is_points(framework):  # a 考核办法: each item at its full points, the whole programme scored again (cli/points)
        given = [o for o, v in (("--scenario", scenario), ("--target-rank", target_rank), ("--tiers", tiers),
                                ("--by-type", by_type), ("--rank-in", rank_in if rank_in not in (None, "nation") else None),
                                ("--scope " + str(scope), scope if rank_scope != "nation" else None)) if v]
        if given:
            fail(f"{', '.join(given)}: options of an index what-if; a points-based framework (scoring:) brings each item "
                 "to its full points and ranks by the programme's own ranking mode and classes (--types gives the classes)")
        return _whatif_points(framework, data, store, years, unit, year, types, st, out, json)
    from xianping.robust.load import load_model

    # the data read here, with the reading options of --data (as evaluate reads it), and its warnings said
    model = load_model(framework, data=data, store=store, years=years, settings=st or None, **_read_options())
    print_reading([p for p in model.extra["problems"] if p.severity != "error"], stderr=True)
    res = what_if(model=model, unit=unit, year=year, scenarios=scenario, target_rank=target_rank,
                  scope=rank_scope, by_type=by_type, types=types)
    written = res.write(out or Path("whatif.csv"))
    if json:
        typer.echo(_json.dumps(res.summary, ensure_ascii=False, indent=1, default=_jsonable))
    else:
        console.print_json(_json.dumps(res.summary, ensure_ascii=False, default=_jsonable))
        console.print("written: " + "  ·  ".join(f"{k}: {v}" for k, v in written.items()), markup=False)  # "[/x]" in a path


def _whatif_points(framework, data, store, years, unit, year, types, st, out, as_json) -> None:
    """`analyse whatif` on a points-based framework: the table `xianping points whatif` writes, the facts as JSON."""
    import json as _json

    from xianping.cli.data_commands import print_reading
    from xianping.cli.output import console
    from xianping.analysis.points_what_if import whatif_summary
    from xianping.cli.points import _evaluate, whatif_points_run

    res = _evaluate(framework, data, store, years, settings=st or None, types=str(types) if types else None, **_read_options())
    print_reading([p for p in res.problems if p.severity != "error"], stderr=True)
    path = out or Path("whatif.csv")
    summary = {"kind": "points", **whatif_summary(whatif_points_run(res, unit, year, path))}
    if as_json:
        typer.echo(_json.dumps(summary, ensure_ascii=False, indent=1, default=_jsonable))
    else:
        console.print_json(_json.dumps(summary, ensure_ascii=False, default=_jsonable))
        console.print(f"written: whatif: {path}", markup=False)


def _plant_hhi(path: Path) -> dict[str, float]:
    import csv

    from xianping.problems import ProblemReport

    rep, out = ProblemReport(), {}
    if not path.exists():
        rep.add("file_not_found", "plant Herfindahl file not found", file=str(path), expected="a CSV industry,H")
    else:
        from xianping.ingest.read_text import read_text

        for i, r in enumerate(csv.reader(read_text(path, "--plant-hhi").splitlines()), start=1):
            if not r or (i == 1 and r[-1].strip().upper() in ("H", "HHI")):
                continue
            try:
                out[r[0].strip()] = float(r[1])
            except (IndexError, ValueError):
                rep.add("bad_value", "H is not a number", file=str(path), row=i, column="H", value=r[1] if len(r) > 1 else None,
                        expected="the plant Herfindahl of the industry, in [0, 1]")
    rep.raise_if_errors(f"{path}: cannot read the plant Herfindahls")
    return out


@app.command("industry", help="产业结构 Location quotients (区位熵) against the nation, province or prefecture and each county's "
             "主导产业 (LQ > 1 and share ≥ --min-share); HHI (raw, scaled) and Krugman specialisation per county; Ellison–Glaeser "
             "concentration per industry (H: the county-level Herfindahl unless --plant-hhi; the H = 0 bound beside it).")
def industry_cmd(data: Optional[Path] = typer.Option(None, "--data", help="CSV/XLSX: a unit code column, optionally a year column, "
                                                      "employment by industry (GB/T 4754 sections by 中文 or English name, or --industries)."),
                 demo: bool = typer.Option(False, "--demo", help="The bundled census 2010 county table (long-form sample counts, 20 sections)."),
                 reference: str = typer.Option("nation", "--reference", help="nation | province | prefecture (by GB/T 2260 code prefix)."),
                 min_share: float = typer.Option(0.05, "--min-share", help="主导产业 also need this share of the county's employment."),
                 industries: Optional[str] = typer.Option(None, "--industries", help="Industry columns, comma-separated (default: recognised sections)."),
                 total: Optional[str] = typer.Option(None, "--total", help="Column of each unit's total employment (default: the sum of the industries)."),
                 plant_hhi: Optional[Path] = typer.Option(None, "--plant-hhi", help="CSV industry,H: plant Herfindahl of each industry for Ellison–Glaeser."),
                 unit: Optional[list[str]] = typer.Option(None, "--unit", help="Units whose profile and 主导产业 go into the summary; repeat or comma-separate."),
                 years: Optional[str] = YEARS, out: Optional[Path] = OUT, json: bool = JSON) -> None:
    from xianping.analysis.industry_structure import demo_path, run_industry
    from xianping.cli.output import fail

    if (data is None) == (not demo):
        fail("industry needs exactly one of --data FILE or --demo")
    inds = [c.strip() for c in industries.split(",")] if industries else None
    units = [u.strip() for x in unit or [] for u in x.split(",") if u.strip()]
    ph = _plant_hhi(plant_hhi) if plant_hhi else None
    with demo_path() as p:
        inp = _input(None, None, None, p if demo else data, years, any_columns=True)
        if demo:
            inp.source["bundled"] = "census2010_industry_employment.csv.gz, built by scripts/build_industry_data.py"
        res = run_industry(inp, reference=reference, min_share=min_share, industries=inds, total=total, plant_hhi=ph, units=units)
    _emit("industry", inp, res, out, json, "industry.csv")
