"""`xianping units …` — administrative division look-up, crosswalk across code vintages, subunit validation.

The gazetteer is imported inside each command so that `xianping --help` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

app = typer.Typer(no_args_is_help=True)


def _echo_json(obj: object) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=1))


_STORE_HELP = "Panel store (DuckDB file) whose registered towns/villages count too."


def _gazetteer(store: Optional[Path]):
    """The process-wide gazetteer, plus the towns/villages registered in STORE when one is given."""
    from xianping.reference.divisions import gazetteer_for, get_gazetteer

    if store is None:
        return get_gazetteer()
    from xianping.problems import XianpingError
    from xianping.store import open_store

    if not Path(store).exists():
        raise XianpingError(f"store {store} does not exist")
    with open_store(store) as st:
        return gazetteer_for(st)


@app.command()
def lookup(
    query: str = typer.Argument(..., help="Code (410821, 410821000000, 156410821), name (修武县), short (修武), traditional (沁陽市) "
                                "or path (焦作市修武县); a code prefix (41, 4108) lists that province's or prefecture's county-level units."),
    year: Optional[int] = typer.Option(None, "--year", "-y", help="Only divisions in force on 31 Dec of this year."),
    children: bool = typer.Option(False, "--children", "-c", help="List the county-level units under the province or prefecture QUERY names (焦作市, 410800)."),
    scope: str = typer.Option("all", "--scope", help="With a prefix or --children: all county-level units, or county (县域: 县, 县级市, 旗, 自治县, 特区, 林区; no 市辖区)."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of objects."),
    store: Optional[Path] = typer.Option(None, "--store", help=_STORE_HELP),
) -> None:
    """Find divisions by code or name; every candidate of an ambiguous name. A 2- or 4-digit prefix (or --children)
    lists the county-level units under it with their kinds. Exit 1 when nothing matches."""
    from rich.table import Table

    from xianping.cli.output import console, err_console

    q = "".join(query.split())
    if children or (q.isdigit() and len(q) in (2, 4)):
        _children(q, year, scope, as_json, store)
        return
    hits = _gazetteer(store).lookup(query, year=year)
    if as_json:
        _echo_json([d.to_dict() for d in hits])
        if not hits:
            raise typer.Exit(1)
        return
    if not hits:
        err_console.print(f"no division matches {query!r}" + (f" in {year}" if year is not None else ""), markup=False)
        raise typer.Exit(1)
    table = Table(title=f"{query}" + (f" ({year})" if year is not None else ""))
    for col in ("代码 code", "全称 full name", "级别 level", "类型 type", "上级 parents", "年份 years", "沿革 successors"):
        table.add_column(col, overflow="fold")
    for d in hits:
        succ = "\n".join(
            f"{s.year} {s.change_type}{'(部分)' if s.partial else ''} → {s.code} {s.name}" for s in d.successors
        )
        table.add_row(
            d.code, d.full_name, d.level, d.kind, " › ".join(f"{n} {c}" for c, n in d.parents), d.years, succ
        )
    console.print(table)


def _children(query: str, year: Optional[int], scope: str, as_json: bool, store: Optional[Path]) -> None:
    """The county-level units of a province or prefecture (code prefix), with their kinds and a count per kind."""
    from collections import Counter

    from rich.table import Table

    from xianping.cli.output import console, fail
    from xianping.reference.divisions import DivisionNotFound
    from xianping.reference.divisions.kinds import COUNTY_LEVEL_KINDS, is_county_area, kind_label

    if scope not in ("all", "county"):
        fail(f"--scope {scope!r} is not known: expected all (every county-level unit) or county (县域, no 市辖区)")
    gaz = _gazetteer(store)
    try:
        units = gaz.children(query, year=year)
    except DivisionNotFound as e:
        fail(str(e), code=1)
    if scope == "county":
        units = [d for d in units if is_county_area(d.kind)]
    if as_json:
        _echo_json([d.to_dict() for d in units])
        if not units:
            raise typer.Exit(1)
        return
    head = gaz.get(gaz.prefix_of(query, year).ljust(6, "0"), year)
    title = (head.full_name if head is not None else query) + (f" ({year})" if year is not None else "")
    if not units:
        fail(f"no county-level units under {title}" + (" in 县域 scope" if scope == "county" else ""), code=1)
    # names never wrap: the kind's English and the parent go where the terminal has room
    parents = len({d.parent_code for d in units}) > 1
    table = Table(title=f"{title} 县级单位 county-level units" + (" · 县域 scope" if scope == "county" else ""))
    table.add_column("代码 code", no_wrap=True)
    table.add_column("名称 name", no_wrap=True, min_width=max(len(d.name) for d in units) * 2)
    table.add_column("类型 kind", no_wrap=True)
    table.add_column("县域", no_wrap=True)
    if parents:
        table.add_column("上级 parent", overflow="fold")
    table.add_column("年份 years", no_wrap=True)
    for d in units:
        row = [d.code, d.name, d.kind, "是" if is_county_area(d.kind) else "否"]
        if parents:
            row.append(d.parents[-1][1] if d.parents else "")
        table.add_row(*row, d.years)
    console.print(table)
    counts = Counter(d.kind for d in units)
    order = [k for k in COUNTY_LEVEL_KINDS if k in counts] + sorted(set(counts) - set(COUNTY_LEVEL_KINDS))
    console.print(f"共 {len(units)} 个 units: " + "，".join(f"{kind_label(k)} {counts[k]}" for k in order)
                  + f"；县域 county area {sum(counts[k] for k in counts if is_county_area(k))}")


@app.command()
def crosswalk(
    code: str = typer.Argument(..., help="Division code in force in --from."),
    from_year: int = typer.Option(..., "--from", help="Vintage year of the code."),
    to_year: int = typer.Option(..., "--to", help="Target vintage year (earlier years walk predecessors)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    store: Optional[Path] = typer.Option(None, "--store", help=_STORE_HELP),
) -> None:
    """Successor(s) of CODE from one code vintage to another, with the year and type of each change."""
    from xianping.cli.output import console, err_console
    from xianping.reference.divisions import DivisionNotFound

    gaz = _gazetteer(store)
    try:
        r = gaz.crosswalk(code, from_year, to_year)
    except DivisionNotFound as e:
        if as_json:
            _echo_json({"error": str(e)})
        else:
            err_console.print(f"[bold red]错误 error:[/] {escape(str(e))}")
        raise typer.Exit(1)
    if as_json:
        _echo_json(r.to_dict())
        return
    console.print(f"{r.source_code} {r.source_name} ({from_year}) → {to_year}:")
    if not r.steps and r.targets == (r.source_code,):
        console.print(f"  unchanged: {r.source_code} {r.source_name}")
    for s in r.steps:
        console.print(f"  {s.year} {s.change_type}: {s.from_code} {s.from_name} → {s.to_code} {s.to_name}")
    for s in r.partial:
        console.print(f"  {s.year} {s.change_type} (partial): {s.from_code} {s.from_name} → {s.to_code} {s.to_name}")
    for c, n, y in r.abolished:
        console.print(f"  {y} abolished without successor: {c} {n}")
    if r.targets:
        console.print("  target(s): " + ", ".join(f"{c} {n}" for c, n in zip(r.targets, r.target_names)))
    if r.note:
        console.print(f"  note: {r.note}")
    if not r.targets:
        raise typer.Exit(1)


@app.command()
def register(
    file: Path = typer.Argument(..., help="CSV with columns code,name,parent_code,level (town 9-digit / village 12-digit)."),
    store: Optional[Path] = typer.Option(None, "--store", help="Panel store (DuckDB file) to register them in; without it the file is only checked."),
    as_json: bool = typer.Option(False, "--json", help="Print the problems as JSON."),
) -> None:
    """Validate a towns/villages CSV and report every problem; with --store, keep them in the store
    (all rows in one transaction, none when any row is wrong). Villages may name towns registered before."""
    from xianping.cli.output import console, print_problems
    from xianping.reference.divisions import Gazetteer, gazetteer_for

    st = None
    if store is not None:
        from xianping.store import open_store

        st = open_store(store)
    try:
        # a fresh instance: validation depends only on the packaged data and the store's registrations
        gaz = gazetteer_for(st, base=Gazetteer.load())
        before = {d.code for d in gaz.subunits()}
        report = gaz.load_subunits_csv(file)
        if as_json:
            typer.echo(report.to_json())
        else:
            print_problems(report)
        if report.has_errors:
            if not as_json:
                console.print(f"[bold red]{len(report.errors)} error(s)[/] in {escape(str(file))}; nothing registered")
            raise typer.Exit(1)
        new = [r for r in gaz.subunit_rows() if r["code"] not in before]
        if st is not None:
            st.register_subunits(new)
    finally:
        if st is not None:
            st.close()
    towns = sum(r["level"] == "town" for r in new)
    villages = len(new) - towns
    if not as_json:
        where = f"registered in {store}" if store is not None else f"valid in {file} (not stored: pass --store to keep them)"
        console.print(f"OK: {towns} town(s) and {villages} village(s) {where}", markup=False)
