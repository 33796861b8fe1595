"""`xianping points` — a 考核办法 (points-based framework): what would move a county into 先进县, and how sure its
place is under other class points (分类赋权). The score sheet itself comes with `xianping evaluate`.

`xianping robust` and `xianping analyse whatif` given a points-based framework come here too (`is_points`,
`robust_points_run`, `whatif_points_run`): one implementation, the same tables."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(no_args_is_help=True, help="考核办法 Points-based assessment: what-if and robustness of the points.")


def is_points(framework) -> bool:
    """Whether a framework (built-in name or YAML file) is a 考核办法: it has a `scoring:` section."""
    from xianping.frameworks.load import load_framework

    return getattr(load_framework(framework), "scoring", None) is not None


def _evaluate(framework, data, store, years, **kw):
    from xianping.cli.output import fail
    from xianping.evaluation import evaluate

    if (data is None) == (store is None):
        fail("give exactly one of --data FILE or --store DB")
    return evaluate(framework, data=data, store=store, years=years, **kw)


def whatif_points_run(res, unit: str, year, out: Optional[Path]):
    """The what-if table of a points-based evaluation (analysis/points_what_if), written whole to `out` if given."""
    from xianping.analysis.points_what_if import points_what_if

    w = points_what_if(res, unit, year)
    if out is not None:
        _write(w, out)
    return w


def robust_points_run(res, *, n: int, seed: int, noise: float, out: Path):
    """Rank robustness of a points-based evaluation to its class points (robust/points), its table written whole."""
    from xianping.robust.points import points_robust

    r = points_robust(res, n=n, seed=seed, noise=noise)
    _write(r.frame, out)
    return r


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

    from xianping.cli.output import console

    res = _evaluate(framework, data, store, years)
    w = whatif_points_run(res, unit, year, out)
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

    res = _evaluate(framework, data, store, years)
    r = robust_points_run(res, n=n, seed=seed, noise=noise, out=out)
    sure = r.frame[r.frame["advanced"]]
    console.print(f"{len(r.frame)} county-years · {n} samples · noise {noise:g} · 先进县 kept in "
                  f"{sure['p_advanced'].mean():.0%} of samples on average" if len(sure) else f"{len(r.frame)} county-years")
    console.print(f"points robustness: {out}", markup=False)


def spec_noise(sp) -> tuple[float, str]:
    """The class-points noise a robustness spec gives a points programme: its one `weights` input at level 1 (a
    programme's weights are its items' points, per class). Any other input has no meaning for points: refused,
    named, before any data is read."""
    from xianping.cli.output import fail

    if sp.design != "uncertainty":
        fail(f"design {sp.design!r}: a points-based framework (scoring:) has an uncertainty design only "
             "(class points × U(1 − noise, 1 + noise)); use --design uncertainty")
    other = [f"{i.name} ({i.kind})" for i in sp.inputs if i.kind != "weights"]
    weights = [i for i in sp.inputs if i.kind == "weights"]
    if other or len(weights) != 1 or weights[0].level != 1:
        given = ", ".join(f"{i.name} ({i.kind}, level {getattr(i, 'level', None)})" for i in sp.inputs)
        fail("a points-based framework (scoring:) is uncertain in its class points only: expected a spec with one "
             "input {name: …, kind: weights, level: 1, noise: …} (each class's item points × U(1 − noise, 1 + noise), "
             f"rescaled to the total); the spec has {given}"
             + (f" — not for points: {', '.join(other)}" if other else ""))
    return weights[0].noise, weights[0].name


def robust_points_command(framework, *, data, store, sp, n: int, seed: int, years, out: Path, top: int,
                          settings: dict | None, read: dict) -> None:
    """`xianping robust` on a points-based framework: the spec's class-points noise, `points_robust`, its table as
    `<out>/points_robust.csv` (the table `xianping points robust` writes) and `<out>/robust.manifest.json`."""
    import json

    from rich.table import Table

    from xianping.cli.data_commands import print_reading
    from xianping.cli.output import console
    from xianping.evaluation.manifest import json_safe
    from xianping.evaluation.score_sheet import programme_of
    from xianping.files import FileSet
    from xianping.robust.points import points_robust

    noise, name = spec_noise(sp)
    res = _evaluate(framework, data, store, years, settings=settings, **read)
    print_reading([p for p in res.problems if p.severity != "error"])  # as `evaluate` prints them
    r = points_robust(res, n=n, seed=seed, noise=noise)
    prog = programme_of(res.framework)
    d = Path(out)
    d.mkdir(parents=True, exist_ok=True)
    table, man_path = d / "points_robust.csv", d / "robust.manifest.json"
    manifest = {"kind": "points", "framework": {"code": res.framework.code, "hash": res.manifest.get("framework", {}).get("hash")},
                "design": {"kind": "uncertainty", "n": n, "seed": seed, "input": name,
                           "what": "each class's item points × U(1 − noise, 1 + noise), rescaled to the total",
                           "noise": noise},
                "units": len(res.units), "years": list(res.years), "programme": prog,
                "files": {"points_robust": table.name}}
    from xianping.evaluation.export import write_table

    with FileSet() as fs:  # the table and the manifest appear together or not at all
        fs.stage(table, lambda p: write_table(r.frame, p))
        fs.stage_text(man_path, json.dumps(json_safe(manifest), ensure_ascii=False, indent=1))
    f = r.frame
    console.print(f"{res.framework.name_zh} · 考核办法 points · {len(res.units)} units · years {', '.join(res.years)} · "
                  f"{n} samples · class points noise {noise:g} · seed {seed}", markup=False)
    if top:
        width = (f["rank_p95"] - f["rank_p05"]).fillna(-1)
        t = Table(title=f"最不稳 {top} county-years with the widest 5–95 % rank interval ({'within class' if prog.get('ranking_mode') == 'within_class' else 'all together'})")
        for col in ("unit", "year", "class", "rank", "median", "q05–q95", "P(先进县)"):
            t.add_column(col)
        for _, x in f.loc[width.sort_values(ascending=False, kind="stable").index[:top]].iterrows():
            t.add_row(str(x["unit_code"]), str(x["year"]), str(x["class"]), f"{x['rank']:.0f}", f"{x['rank_median']:.0f}",
                      f"{x['rank_p05']:.0f}–{x['rank_p95']:.0f}", f"{x['p_advanced']:.0%}" if x["p_advanced"] == x["p_advanced"] else "")
        console.print(t)
    console.print(f"points_robust: {table}  ·  manifest: {man_path}", markup=False)
