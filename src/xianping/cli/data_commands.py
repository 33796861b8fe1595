"""`xianping import` and `xianping export` — move tables in and out of the panel store.

Heavy modules (duckdb, openpyxl, the gazetteer) are imported inside the commands so `xianping --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape

# Reading options of a data table: the same for `import` and for every command that takes --data (evaluate, analyse,
# robust), since they read tables the same way (ingest.import_table).
MAPPING = typer.Option(None, "--mapping", help="YAML/CSV file of `header: indicator_code` that wins over the library.")
CODE_YEAR = typer.Option(None, "--code-year", help="Vintage of the codes in the file; they are crosswalked to the store's (with --data: to 2024).")
PERIOD = typer.Option(None, "--period", help="Period of every row when the table has no 年份 column: 2020, 2020Q1, 2020-03.")
SHEET = typer.Option(None, "--sheet", help="XLSX sheet name or number (from 1); default the first.")
SPLIT_RULE = typer.Option(None, "--split-rule", help="CSV source,target,share for codes split between vintages.")
TRUST_CODES = typer.Option(False, "--trust-codes", help="Keep rows whose name is another unit's under their code (a warning).")
SKIP_UNKNOWN = typer.Option(False, "--skip-unknown", help="Leave out rows with codes the gazetteer does not know (a warning).")


def read_options(mapping=None, code_year=None, period=None, sheet=None, split_rule=None, trust_codes=False,
                 skip_unknown=False) -> dict:
    """The reading options as `evaluate(...)`, `load_model(...)` and `read_panel(...)` take them."""
    return {"mapping": mapping, "code_year": code_year, "period": period, "sheet": sheet, "split_rule": split_rule,
            "trust_codes": trust_codes, "skip_unknown": skip_unknown}


def print_reading(problems, stderr: bool = False) -> None:
    """Warnings and notes of reading a table, printed alike by `import` and by every command that read it with
    --data: warnings one by one (a column not read, a unit with a year missing), then the notes grouped by kind.
    `stderr`: for commands whose standard output is data (`analyse … --json`)."""
    from rich.markup import escape

    from xianping.cli.output import _grouped, _summarise_places, console, err_console
    from xianping.problems import ProblemReport

    warnings = ProblemReport([p for p in problems if p.severity == "warning"])
    notes = ProblemReport([p for p in problems if p.severity == "note"])
    con = err_console if stderr else console
    if len(warnings):
        # one line per warning, or per kind of warning repeated in many places (a million rows with the same warning
        # read as one line), at most `shown` lines: the manifest (or --dry-run's list) has every one
        con.print("[bold]警告 Warnings[/]")
        shown = 30
        for i, (p, group) in enumerate(_grouped(warnings)):
            if i == shown:
                con.print(f"[yellow]… more warnings: {len(warnings)} in all[/]")
                break
            if len(group) == 1:
                con.print(f"[yellow]warning[/] {escape(p.as_text())} [dim]{escape('[' + p.kind + ']')}[/]")
            else:
                con.print(f"[yellow]warning[/] {escape(p.file or '')}: {escape(p.message)} — {len(group)} × "
                          f"({escape(_summarise_places(group))}) [dim]{escape('[' + p.kind + ']')}[/]")
    if len(notes):
        _print_note_summary(notes, stderr=stderr)


def _import(
    file: Path = typer.Argument(..., help="CSV (UTF-8/GBK) or XLSX table, wide (a column per indicator) or long."),
    store: Optional[Path] = typer.Option(None, "--store", help="Panel store (DuckDB file); default $XIANPING_STORE or ./xianping.duckdb."),
    mapping: Optional[Path] = MAPPING,
    code_year: Optional[int] = CODE_YEAR,
    period: Optional[str] = PERIOD,
    sheet: Optional[str] = SHEET,
    source: str = typer.Option("import", "--source", help="Source label stored with every value."),
    split_rule: Optional[Path] = SPLIT_RULE,
    trust_codes: bool = TRUST_CODES,
    skip_unknown: bool = SKIP_UNKNOWN,
    store_vintage: Optional[int] = typer.Option(None, "--store-vintage", help="Code vintage of a NEW store (default 2024); an existing store keeps its own."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check everything, store nothing."),
) -> None:
    """导入 Import a table into the panel store — all rows or none, with every problem located."""
    from rich.markup import escape
    from rich.table import Table

    from xianping.cli.output import console
    from xianping.ingest import import_table
    from xianping.store import open_store

    st = open_store(store, code_vintage=store_vintage)
    try:
        res = import_table(file, st, mapping=mapping, code_year=code_year, period=period, sheet=sheet,
                           source=source, split_rule=split_rule, dry_run=dry_run, trust_codes=trust_codes,
                           skip_unknown=skip_unknown)
    finally:
        st.close()
    if res.already_imported:
        console.print(f"[yellow]already imported as batch {res.batch_id}[/]: {escape(str(file))} with the same options; nothing changed.")
        return
    t = Table(title=("检查 Dry run (nothing stored)" if dry_run else f"导入 Imported as batch {res.batch_id}"), show_header=False)
    t.add_column("", style="bold")
    t.add_column("")
    rows = [
        ("file", escape(f"{res.file} ({res.layout}, header row {res.header_row})")),  # a path may hold "[/b]"
        ("rows read", str(res.rows_read)),
        ("observations", f"{res.observations} ({res.missing} missing)"),
    ]
    if not dry_run:
        rows.append(("stored", f"{res.stored} new, {res.unchanged} unchanged, {res.filled} filled"))
    rows += [
        ("units", str(res.units)),
        ("periods", ", ".join(res.periods)),
        ("indicators", f"{len(res.indicators)}: {', '.join(res.indicators)}"),
        ("store", escape(str(st.path))),
    ]
    for k, v in rows:
        t.add_row(k, v)
    console.print(t)
    print_reading(res.notes)


def _print_note_summary(notes, stderr: bool = False) -> None:
    """Notes grouped by kind (a census file has hundreds of subtotal rows): count and the first rows."""
    from collections import defaultdict

    from rich.markup import escape
    from rich.table import Table

    from xianping.cli.output import console, err_console

    groups = defaultdict(list)
    for p in notes:
        groups[(p.severity, p.kind)].append(p)
    t = Table(title="说明 Notes")
    for c in ("severity", "kind", "count", "first rows", "example"):
        t.add_column(c, overflow="fold")
    for (sev, kind), ps in groups.items():
        rows = ", ".join(str(p.row) for p in ps[:6] if p.row is not None) + (" …" if len(ps) > 6 else "")
        ex = ps[0]
        example = ex.message + (f" [{ex.column}]" if ex.column else "") + (f" {ex.value!r}" if ex.value not in (None, "") else "")
        t.add_row(sev, kind, str(len(ps)), rows, escape(example))  # user text: "[b]" is not markup
    (err_console if stderr else console).print(t)


def _export(
    out: Path = typer.Option(..., "--out", help="Output file: .csv, .parquet or .xlsx."),
    store: Optional[Path] = typer.Option(None, "--store", help="Panel store (DuckDB file); default $XIANPING_STORE or ./xianping.duckdb."),
    indicator: Optional[List[str]] = typer.Option(None, "--indicator", help="Indicator code (repeatable); default all."),
    period: Optional[List[str]] = typer.Option(None, "--period", help="Period (repeatable); default all."),
) -> None:
    """导出 Export observations from the panel store as CSV, Parquet or XLSX (by the file suffix)."""
    from xianping.cli.output import console
    from xianping.problems import XianpingError
    from xianping.store import default_store_path, open_store

    path = store if store is not None else default_store_path()
    if not Path(path).exists():
        raise XianpingError(f"store {path} does not exist; import a table into it first (xianping import FILE --store {path})")
    with open_store(path) as st:
        n = st.export(out, indicators=indicator or None, periods=period or None)
    console.print(f"exported {n} observations to {out}", markup=False)  # "[/x]" in a path


batches_app = typer.Typer(
    help="批次 Import batches: list them (`xianping batches`) or remove one with its values (`xianping batches remove N`).",
    invoke_without_command=True,
)

_STORE_HELP = "Panel store (DuckDB file); default $XIANPING_STORE or ./xianping.duckdb."


def _existing_store(store: Optional[Path]):
    from xianping.problems import XianpingError
    from xianping.store import default_store_path, open_store

    path = store if store is not None else default_store_path()
    if not Path(path).exists():
        raise XianpingError(f"store {path} does not exist; import a table into it first (xianping import FILE --store {path})")
    return open_store(path)


@batches_app.callback()
def _batches(
    ctx: typer.Context,
    store: Optional[Path] = typer.Option(None, "--store", help=_STORE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list."),
) -> None:
    """列出批次 List the import batches: id, file, sha256 prefix, imported at, rows, source, notes."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = store
        return
    import json

    from rich.table import Table

    from xianping.cli.output import console

    with _existing_store(store) as st:
        batches = st.batches()
    if as_json:
        typer.echo(json.dumps([{**b, "imported_at": str(b["imported_at"])} for b in batches], ensure_ascii=False, indent=1))
        return
    if not batches:
        console.print(f"no batches in {store or 'the store'}", markup=False)
        return
    t = Table(title="批次 Batches")
    for c in ("id", "文件 file", "sha256", "导入时间 imported at", "行 rows", "来源 source", "说明 notes"):
        t.add_column(c, overflow="fold")
    for b in batches:
        t.add_row(str(b["batch_id"]), escape(b["file_name"] or ""), (b["sha256"] or "")[:12],
                  str(b["imported_at"])[:19], str(b["rows"]), escape(b["source"] or ""), escape(b["notes"] or ""))
    console.print(t)


@batches_app.command("remove")
def _batches_remove(
    ctx: typer.Context,
    batch_id: int = typer.Argument(..., help="Batch id, as `xianping batches` lists it."),
    store: Optional[Path] = typer.Option(None, "--store", help=_STORE_HELP),
) -> None:
    """删除批次 Remove a batch and every value it stored, in one transaction."""
    from xianping.cli.output import console

    with _existing_store(store if store is not None else ctx.obj) as st:
        n = st.remove_batch(batch_id)
    console.print(f"removed batch {batch_id} and its {n} observation(s)")


def register(app: typer.Typer) -> None:
    app.command("import")(_import)
    app.command("export")(_export)
    app.add_typer(batches_app, name="batches")
