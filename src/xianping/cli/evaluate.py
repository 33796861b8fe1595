"""`xianping evaluate` — scores, ranks and tiers of every unit with a framework, written with a manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from xianping.cli.data_commands import CODE_YEAR, MAPPING, PERIOD, SHEET, SKIP_UNKNOWN, SPLIT_RULE, TRUST_CODES
from xianping.cli.scope_options import FORCE_TIERS, INCLUDE_DISTRICTS, SCOPE, WITHIN, scope_line, scope_settings


def register(app: typer.Typer) -> None:
    app.command("evaluate", help="评价 Evaluate every unit with a framework: scores, ranks, tiers of every node, "
                "written as long CSV/Parquet with a manifest JSON beside it.")(evaluate_cmd)


def _settings(settings_file: Optional[Path], panel, base_year, strict, tiers, impute) -> dict:
    out: dict = {}
    if settings_file is not None:
        from xianping.cli.parse import settings_file as read_settings

        out = read_settings(settings_file)
    if panel:
        out["panel"] = panel
    if base_year is not None:
        out["base_year"] = str(base_year)
    if strict:
        out["strict"] = True
    if tiers:
        from xianping.cli.parse import tier_spec

        out["tiers"] = tier_spec(tiers)
    if impute:
        out["impute"] = {"method": impute}
    return out


def evaluate_cmd(
    framework: str = typer.Option(..., "--framework", "-f", help="A built-in name (census-social, sanqilai …) or a YAML file."),
    data: Optional[Path] = typer.Option(None, "--data", help="A table read as `xianping import` reads it (CSV UTF-8/GBK, may be .gz, or XLSX; yearbook headers, names or codes), or one with unit_code and indicator-code columns."),
    store: Optional[Path] = typer.Option(None, "--store", help="A DuckDB panel store (from `xianping import` / `xianping demo`)."),
    years: Optional[str] = typer.Option(None, "--years", help="Years to evaluate, e.g. 2010,2020 (default: all)."),
    by_type: bool = typer.Option(False, "--by-type", help="分类考核: also score with each county type's overrides and rank within types."),
    types: Optional[Path] = typer.Option(None, "--types", exists=True, dir_okay=False, help="CSV with unit_code,type (default with --by-type: gazetteer kind)."),
    base_year: Optional[int] = typer.Option(None, "--base-year", help="Base year for rank/score change (进位/退位) and frozen anchors."),
    panel: Optional[str] = typer.Option(None, "--panel", help="Comparability across years: per_year | pooled | frozen."),
    tiers: Optional[str] = typer.Option(None, "--tiers", help="top_n:30 | quantile:4 | natural_breaks:5 | fixed:40/60/80"),
    impute: Optional[str] = typer.Option(None, "--impute", help="none | mean | median | group_mean | linear | ffill …"),
    settings: Optional[Path] = typer.Option(None, "--settings", help="A YAML/JSON file of evaluation settings."),
    strict: bool = typer.Option(False, "--strict", help="Treat AHP CR ≥ 0.1, weights not summing to 1 and constant columns as errors."),
    out: Path = typer.Option(Path("results.csv"), "--out", "-o", help="Output file (.csv or .parquet); the manifest goes beside it."),
    top: int = typer.Option(10, "--top", help="Print the best N of the last year (0: none)."),
    scope: Optional[str] = SCOPE,
    within: Optional[str] = WITHIN,
    include_districts: Optional[str] = INCLUDE_DISTRICTS,
    force_tiers: bool = FORCE_TIERS,
    mapping: Optional[Path] = MAPPING,
    code_year: Optional[int] = CODE_YEAR,
    period: Optional[str] = PERIOD,
    sheet: Optional[str] = SHEET,
    split_rule: Optional[Path] = SPLIT_RULE,
    trust_codes: bool = TRUST_CODES,
    skip_unknown: bool = SKIP_UNKNOWN,
) -> None:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from xianping.cli.data_commands import print_reading, read_options
    from xianping.cli.output import console
    from xianping.evaluation import evaluate

    if (data is None) == (store is None):
        from xianping.cli.output import fail

        fail("give exactly one of --data FILE or --store DB")
    labels = {"framework": "读取指标体系 framework", "data": "读取数据 loading data", "pipeline": "计算 computing scores",
              "by type": "分类考核 scoring by type", "manifest": "清单 manifest"}
    st = scope_settings(_settings(settings, panel, base_year, strict, tiers, impute), scope, within, include_districts, force_tiers)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True) as prog:
        task = prog.add_task("评价 evaluating", total=None)
        res = evaluate(framework, store=store, data=data, years=years, by_type=by_type,
                       types=str(types) if types else None, settings=st,
                       progress=lambda s: prog.update(task, description=labels.get(s, s)),
                       **read_options(mapping, code_year, period, sheet, split_rule, trust_codes, skip_unknown))
        prog.update(task, description="写出 writing")
        written = res.write(out, base_year=str(base_year) if base_year is not None else (res.years[0] if len(res.years) > 1 else None))
    print_reading([p for p in res.problems if p.severity != "error"])  # as `xianping import` prints them
    m = res.manifest
    if m.get("scope"):
        console.print(scope_line(m["scope"]))
    console.print(f"[bold]{escape(res.framework.name_zh)}[/] ({escape(m['framework']['code'])}) · {m['units']} units · years {', '.join(res.years)}"
                  f" · normalisation {m['steps']['normalise']['method']} ({m['steps']['normalise']['panel']})")
    for c in m["steps"]["missing_years"]["carried_forward"]:
        console.print(f"  {escape(c['indicator'])} {c['year']}: no data — carried forward from the nearest year ({c['cells']} cells, flagged)")
    for c in m["steps"]["screen"]["indicators_out"]:
        console.print(f"  {escape(c['indicator'])} {c['year']}: screened out (availability {c['availability']:.0%})")
    if top:
        where = f"{m['scope']['label']} {m['scope']['rank_label']} · " if m.get("scope") else ""
        t = Table(title=escape(f"{where}前 {top} 名 Top {top} · {res.years[-1]}"))
        for col in ("名次 rank", "代码 code", "名称 name", "得分 score"):
            t.add_column(col)
        for r in res.top(top, year=res.years[-1]):
            t.add_row(str(r["rank"]), escape(r["unit_code"]), escape(str(r["unit_name"])), f"{r['score']:.2f}")
        console.print(t)
    console.print(f"results: {written['results']}  ·  weights: {written['weights']}  ·  manifest: {written['manifest']}",
                  markup=False)  # user paths may hold "[/x]"
    if "scoresheet" in written:  # a points-based framework (考核办法): evaluation/score_sheet
        console.print(f"考核得分表 score sheet: {written['scoresheet']}", markup=False)
