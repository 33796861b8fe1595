"""`xianping points` — a 考核办法 (points-based framework): what would move a county into 先进县, and how sure its
place is under other class points (分类赋权). The score sheet itself comes with `xianping evaluate`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(no_args_is_help=True, help="考核办法 Points-based assessment: what-if and robustness of the points.")


def _evaluate(framework, data, store, years):
    from xianping.cli.output import fail
    from xianping.evaluation import evaluate

    if (data is None) == (store is None):
        fail("give exactly one of --data FILE or --store DB")
    return evaluate(framework, data=data, store=store, years=years)


def _write(df, out: Path) -> None:
    from xianping.evaluation.export import write_table
    from xianping.files import FileSet

    with FileSet() as fs:  # the table appears whole or not at all
        fs.stage(out, lambda p: write_table(df, p))


@app.command("whatif", help="提升路径 Each item alone at the value earning its full points: the total, class rank and "
             "先进县 it would give; and the points short of the 先进县 line.")
def whatif_cmd(
    framework: str = typer.Option(..., "--framework", "-f", help="A points-based framework (province-assessment or a YAML file with scoring:)."),
    unit: str = typer.Option(..., "--unit", "-u", help="The county's code."),
    year: Optional[str] = typer.Option(None, "--year", help="The year (default: the latest evaluated)."),
    data: Optional[Path] = typer.Option(None, "--data", help="A data table (as `xianping evaluate --data`)."),
    store: Optional[Path] = typer.Option(None, "--store", help="A DuckDB panel store."),
    years: Optional[str] = typer.Option(None, "--years", help="Years to evaluate (the previous one feeds growth items)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Also write the table (.csv or .parquet)."),
) -> None:
    from rich.table import Table

    from xianping.analysis.points_what_if import points_what_if
    from xianping.cli.output import console

    res = _evaluate(framework, data, store, years)
    w = points_what_if(res, unit, year)
    a = w.attrs
    t = Table(title=f"{unit} {a['year']}: 总分 {a['total']:.2f} · 类内第{a['class_rank']:.0f}名 · "
                    f"先进县线 advanced line {a['advanced_line']:.2f} (差 short {a['points_short']:.2f})")
    for col in ("项目 item", "现值 value", "目标值 value then", "得分 points", "得分 then", "总分 then", "类内名次 then", "先进县 then"):
        t.add_column(col)
    for r in w.itertuples(index=False):
        t.add_row(str(r.item_zh), f"{r.value:.2f}", f"{r.value_then:.2f}", f"{r.points:.2f}", f"{r.points_then:.2f}",
                  f"{r.total_then:.2f}", f"{r.class_rank_then:.0f}", "是" if r.advanced_then else "")
    console.print(t)
    if out is not None:
        _write(w, out)
        console.print(f"what-if: {out}", markup=False)


@app.command("robust", help="稳健性 Class points × U(1 − noise, 1 + noise), rescaled to the total: per county the rank "
             "interval and the share of samples as 先进县.")
def robust_cmd(
    framework: str = typer.Option(..., "--framework", "-f", help="A points-based framework."),
    out: Path = typer.Option(..., "--out", "-o", help="The table (.csv or .parquet): one row per county and year."),
    n: int = typer.Option(200, "--n", "-n", min=1, max=100_000, help="Samples."),
    noise: float = typer.Option(0.25, "--noise", min=0.001, max=0.999, help="Relative noise on each class's item points."),
    seed: int = typer.Option(0, "--seed", min=0, help="Seed: the same seed gives the same samples."),
    data: Optional[Path] = typer.Option(None, "--data", help="A data table (as `xianping evaluate --data`)."),
    store: Optional[Path] = typer.Option(None, "--store", help="A DuckDB panel store."),
    years: Optional[str] = typer.Option(None, "--years", help="Years to evaluate."),
) -> None:
    from xianping.cli.output import console
    from xianping.robust.points import points_robust

    res = _evaluate(framework, data, store, years)
    r = points_robust(res, n=n, seed=seed, noise=noise)
    _write(r.frame, out)
    sure = r.frame[r.frame["advanced"]]
    console.print(f"{len(r.frame)} county-years · {n} samples · noise {noise:g} · 先进县 kept in "
                  f"{sure['p_advanced'].mean():.0%} of samples on average" if len(sure) else f"{len(r.frame)} county-years")
    console.print(f"points robustness: {out}", markup=False)
