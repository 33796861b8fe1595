"""`xianping robust` — uncertainty and sensitivity analysis of a framework's ranks (batched; in process or on dask)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from xianping.cli.data_commands import CODE_YEAR, MAPPING, PERIOD, SHEET, SKIP_UNKNOWN, SPLIT_RULE, TRUST_CODES
from xianping.cli.scope_options import FORCE_TIERS, INCLUDE_DISTRICTS, SCOPE, WITHIN, scope_line, scope_settings


def register(app: typer.Typer) -> None:
    app.command("robust", help="稳健性 Uncertainty/sensitivity analysis: per county the nominal rank, median, 5–95 % "
                "interval, P(tier), mean rank shift and what moves it; Sobol indices with --design sobol.")(robust_cmd)


def robust_cmd(
    framework: str = typer.Option(..., "--framework", "-f", help="A built-in name or a framework YAML file."),
    data: Optional[Path] = typer.Option(None, "--data", help="A table read as `xianping import` reads it (CSV UTF-8/GBK, may be .gz, or XLSX), one with unit_code/uCode and indicator-code columns, or a .npz panel."),
    store: Optional[Path] = typer.Option(None, "--store", help="A DuckDB panel store."),
    spec: Path = typer.Option(..., "--spec", "-s", help="The uncertainty spec (YAML): which inputs are uncertain and how."),
    n: int = typer.Option(..., "--n", "-n", min=1, max=1_000_000, help="Samples (uncertainty) or base samples (sobol: n·(k+2) evaluations)."),
    seed: int = typer.Option(0, "--seed", min=0, help="Seed of the design: the same seed gives the same results, on any engine."),
    design: Optional[str] = typer.Option(None, "--design", help="uncertainty | sobol (default: the spec's design)."),
    years: Optional[str] = typer.Option(None, "--years", help="Years to evaluate, e.g. 2020 (default: all)."),
    engine: str = typer.Option("process", "--engine", help="process | dask"),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="dask.distributed scheduler address (default: a LocalCluster)."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, max=256, help="LocalCluster workers (default: one per core)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output directory: rank_stats.csv, sensitivity.csv, robust.manifest.json "
                             "(a points-based framework, scoring:: points_robust.csv — its class points × U(1 ± the spec's "
                             "level-1 weights noise), as `xianping points robust` — and robust.manifest.json)."),
    top: int = typer.Option(10, "--top", help="Print the N units with the widest rank intervals (0: none)."),
    mapping: Optional[Path] = MAPPING,
    code_year: Optional[int] = CODE_YEAR,
    period: Optional[str] = PERIOD,
    sheet: Optional[str] = SHEET,
    split_rule: Optional[Path] = SPLIT_RULE,
    trust_codes: bool = TRUST_CODES,
    skip_unknown: bool = SKIP_UNKNOWN,
    scope: Optional[str] = SCOPE,
    within: Optional[str] = WITHIN,
    include_districts: Optional[str] = INCLUDE_DISTRICTS,
    force_tiers: bool = FORCE_TIERS,
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.table import Table

    from xianping.cli.data_commands import print_reading, read_options
    from xianping.cli.output import console, fail
    from xianping.robust.load import load_model
    from xianping.robust.run import robust
    from xianping.robust.spec import load_spec

    if (data is None) == (store is None):
        fail("give exactly one of --data FILE or --store DB")
    if engine not in ("process", "dask"):
        fail(f"--engine {engine!r}: use process or dask")
    if scheduler and engine != "dask":
        fail("--scheduler needs --engine dask")
    st = scope_settings({}, scope, within, include_districts, force_tiers)  # as evaluate: checked before any reading
    sp = load_spec(spec)
    if design:
        if design not in ("uncertainty", "sobol"):
            fail(f"--design {design!r}: use uncertainty or sobol")
        sp = sp.model_copy(update={"design": design})
    from xianping.cli.points import is_points, robust_points_command

    if is_points(framework):  # a 考核办法: its class points are what is uncertain (cli/points, robust/points)
        if engine != "process" or workers is not None:
            fail("a points-based framework (scoring:) is scored in process, all samples at once on the sample axis: "
                 "expected --engine process and no --workers")
        return robust_points_command(framework, data=data, store=store, sp=sp, n=n, seed=seed, years=years, out=out,
                                     top=top, settings=st or None,
                                     read=read_options(mapping, code_year, period, sheet, split_rule, trust_codes, skip_unknown))
    labels = {"load": "读取 loading", "evaluate": "计算 evaluating samples", "analyse": "统计 analysing"}
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=console, transient=True) as prog:
        task = prog.add_task("稳健性 robustness", total=None)

        def progress(stage, done, total):
            prog.update(task, description=labels.get(stage, stage), completed=done, total=total or None)

        progress("load", 0, 0)
        # the data read once, as `evaluate --data` reads it (same options, same warnings)
        model = load_model(framework, data=data, store=store, years=years, settings=st or None,
                           **read_options(mapping, code_year, period, sheet, split_rule, trust_codes, skip_unknown))
        r = robust(framework, data=data, store=store, spec=sp, n=n, seed=seed, years=years, engine=engine,
                   scheduler=scheduler, workers=workers, progress=progress, model=model)
        written = r.write(out)
    print_reading([p for p in model.extra["problems"] if p.severity != "error"])
    m = r.manifest
    if getattr(model.panel, "scope", None):  # as evaluate says it: which units were ranked, and within what
        console.print(scope_line(model.panel.scope), markup=False)
    console.print(f"[bold]{escape(r.model.framework.name_zh)}[/] · {m['units']} units · years {', '.join(r.years)} · "
                  f"design {m['design']['kind']} n = {m['design']['n']} ({m['rows_evaluated']} evaluations, "
                  f"{m['groups']} discrete configurations) · seed {seed} · {m['engine']} · {r.timings['total']:.2f} s")
    if r.sobol is not None:
        t = Table(title="Sobol indices · output: mean absolute rank shift")
        for col in ("input", "S1 (Saltelli 2010)", "S1 (Jansen)", "ST (Jansen) [q05, q95]"):
            t.add_column(col)
        for row in r.sensitivity_table():
            t.add_row(escape(row["input"]), f"{row['S1_saltelli2010']:.3f}", f"{row['S1_jansen']:.3f}",
                      f"{row['ST']:.3f} [{row['ST_q05']:.3f}, {row['ST_q95']:.3f}]")
        console.print(t)
    if top:
        rows = sorted(r.table(), key=lambda x: -(x["rank_interval"] if x["rank_interval"] == x["rank_interval"] else -1))[:top]
        t = Table(title=f"最不稳 {top} units with the widest 5–95 % rank interval")
        for col in ("unit", "year", "nominal", "median", "q05–q95", "moved most by"):
            t.add_column(col)
        for x in rows:
            t.add_row(escape(x["unit_code"]), str(x["year"]), f"{x['nominal_rank']:.0f}", f"{x['median_rank']:.0f}",
                      f"{x['q05']:.0f}–{x['q95']:.0f}", escape(str(x["moved_most_by"])))
        console.print(t)
    console.print("  ·  ".join(f"{k}: {v}" for k, v in written.items()), markup=False)  # user paths may hold "[/x]"
