"""`xianping extract` and `xianping repair` — read indicator statements out of report text.

Heavy modules (opencc, the gazetteer, duckdb) are imported inside the commands so `xianping --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape

FORMATS = ("jsonl", "csv", "xlsx")


def _extract(
    files: List[Path] = typer.Argument(..., help="Report text files (UTF-8, UTF-16 or GBK/GB18030)."),
    fmt: str = typer.Option("jsonl", "--format", "-f", help="jsonl | csv | xlsx."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here instead of stdout (xlsx needs it)."),
    check: bool = typer.Option(False, "--check", help="List statements that disagree with values in --store."),
    do_import: bool = typer.Option(False, "--import", help="Store intact statements in --store (source \"report\")."),
    store: Optional[Path] = typer.Option(None, "--store", help="Panel store (DuckDB); default $XIANPING_STORE or ./xianping.duckdb."),
) -> None:
    """抽取 Extract indicator statements (value, unit, growth, rank, flags, source span) from reports."""
    import json

    from xianping.problems import XianpingInputError
    from xianping.text.extract import Extractor
    from xianping.text.statement import FIELDS

    if fmt not in FORMATS:
        raise XianpingInputError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    for f in files:
        if not f.is_file():
            raise XianpingInputError(f"no such file: {f}")
    # --store names the store of --check (a read: the store must exist, as for every read command) and --import (which
    # creates it); given alone it would be ignored without a word, so it is refused
    if store is not None and not (check or do_import):
        raise XianpingInputError(f"--store {store}: a store is used only with --check or --import (extracting alone "
                                 "reads and writes no store)")
    if check and not do_import:
        from xianping.problems import XianpingError
        from xianping.store import default_store_path

        path = store if store is not None else default_store_path()
        if not Path(path).exists():
            raise XianpingError(f"store {path} does not exist; import a table into it first (xianping import FILE --store {path})")
    from rich.markup import escape

    from xianping.cli.output import err_console
    from xianping.text.extract import read_text_file

    ex = Extractor()
    stmts = []
    for f in files:
        text, enc = read_text_file(f)
        found = ex.extract_text(text, source=str(f))
        if not found:  # say so: an empty result is otherwise indistinguishable from a file read wrongly
            err_console.print(f"[yellow]warning[/] {escape(str(f))}: no statements found (read as {enc}, "
                              f"{len(text):,} characters)")
        elif enc.endswith("(damaged)"):
            err_console.print(f"[yellow]warning[/] {escape(str(f))}: some bytes are not valid UTF-8, UTF-16 or GB18030 "
                              "and were replaced by U+FFFD")
        stmts += found
    if check or do_import:
        from xianping.cli.output import console
        from xianping.store import open_store
        from xianping.text.check import conflicts, import_statements

        st = open_store(store)
        try:
            if check:
                found = conflicts(stmts, st)
                for c in found:
                    console.print(f"[red]conflict[/] " + escape(f"{c['unit_code']} {c['period']} {c['indicator']}: report {c['value']:g} "
                                  f"vs stored {c['stored']:g} (batch {c['batch_id']}, {c['stored_source']}) — {c['flags']}"))
                console.print(f"{len(found)} conflict(s) among {len(stmts)} statements")
                if found and not do_import:
                    raise typer.Exit(1)
            if do_import:
                res, obs = import_statements(stmts, st, files)
                if res.already_imported:
                    console.print(f"[yellow]already imported as batch {res.batch_id}[/]")
                else:
                    console.print(f"stored batch {res.batch_id}: {res.inserted} new, {res.unchanged} unchanged, "
                                  f"{res.filled} filled; {len(obs.skipped)} statements not storable")
        finally:
            st.close()
        return
    rows = [s.to_dict() for s in stmts]
    if fmt == "jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        if output:
            from xianping.files import write_text

            write_text(output, text)
        else:
            typer.echo(text, nl=False)
        return
    flat = [{k: (json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v) for k, v in r.items()} for r in rows]
    from xianping.report.excel_safe import append_row, csv_text
    if fmt == "csv":
        import csv
        import io
        import sys

        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(FIELDS))
        w.writeheader()
        w.writerows({k: csv_text(v) for k, v in r.items()} for r in flat)   # statement text from users' files
        if output:
            from xianping.files import write_text

            write_text(output, buf.getvalue(), encoding="utf-8-sig")
        else:
            sys.stdout.write(buf.getvalue())
        return
    if output is None:
        raise XianpingInputError("--format xlsx needs --output FILE.xlsx")
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "statements"
    ws.append(list(FIELDS))
    for r in flat:
        append_row(ws, [r[k] for k in FIELDS])   # statement text from users' files never becomes a formula
    from xianping.files import replace_when_done

    with replace_when_done(output) as tmp:
        wb.save(tmp)


def _repair(
    file: Path = typer.Argument(..., help="A scraped report text file."),
    keep_traditional: bool = typer.Option(False, "--keep-traditional", help="Do not convert to simplified Chinese."),
) -> None:
    """修复 Print the cleaned text: garbles repaired, annotations, chrome and repeats removed, simplified."""
    from xianping.problems import XianpingInputError
    from xianping.text.repair import repair

    if not file.is_file():
        raise XianpingInputError(f"no such file: {file}")
    from xianping.text.extract import read_text_file

    text, _ = read_text_file(file)
    typer.echo(repair(text, simplify=not keep_traditional).text, nl=False)


def register(app: typer.Typer) -> None:
    app.command("extract")(_extract)
    app.command("repair")(_repair)
