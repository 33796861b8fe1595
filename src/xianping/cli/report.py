"""`xianping report` — the ranking workbook, the Word report or the HTML report of an evaluation's results."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape


def register(app: typer.Typer) -> None:
    app.command("report", help="报告 Write a report from evaluation results: Excel workbook (xlsx), Word report with a "
                "generated narrative (docx), or a self-contained HTML report with county maps (html).")(report_cmd)


def report_cmd(
    results: Path = typer.Option(..., "--results", "-r", help="A results CSV with its manifest beside it, or a folder written by `xianping demo`."),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", help="xlsx | docx | html (default: from --out's suffix)."),
    out: Path = typer.Option(..., "--out", "-o", help="The report file to write."),
    template: Optional[Path] = typer.Option(None, "--template", help="docx: a narrative template (Jinja2 text with named fields) instead of the default."),
    year: Optional[str] = typer.Option(None, "--year", help="The year reported (default: the latest evaluated)."),
    unit: Optional[str] = typer.Option(None, "--unit", help="docx: a county code for a 重点县 section."),
    no_rebuild: bool = typer.Option(False, "--no-rebuild", help="Do not re-evaluate from the manifest to recover raw indicator values."),
    issuer: Optional[str] = typer.Option(None, "--issuer", help="docx: 红头 — the issuing office printed in red above a red rule (e.g. 河南省发展和改革委员会)."),
    doc_number: Optional[str] = typer.Option(None, "--doc-number", help="docx: 发文字号 under the 红头 (e.g. 豫发改〔2026〕12号)."),
) -> None:
    from xianping.cli.output import console, fail
    from xianping.report.data import load_report_data
    from xianping.report.run import FORMATS, write_report

    kind = (fmt or out.suffix.lstrip(".")).lower()
    if kind not in FORMATS:
        fail(f"report format {kind or '(none)'!r}: give --format xlsx, docx or html (or an --out file with that suffix)")
    if template is not None and not template.exists():
        fail(f"template {template} does not exist")
    if out.is_dir():  # said before the results are read and a workbook is begun (and abandoned half-built)
        fail(f"--out {out} is a folder; expected a report file name (nothing was written)")
    with console.status("读取结果 reading the results …"):
        data = load_report_data(results, rebuild=not no_rebuild)
    if year is not None and str(year) not in data.years:
        fail(f"year {year} was not evaluated ({', '.join(data.years)})")
    if unit is not None and unit not in data.units:
        fail(f"unit {unit} is not in the results")
    with console.status(f"写出 writing {kind} …"):
        opts = {"issuer": issuer, "doc_number": doc_number} if kind == "docx" else {}
        path = write_report(data, kind, out, template=template, year=year, focus=unit, **opts)
    console.print(f"report: {path}", markup=False)  # a user path may hold "[/x]"
    if data.raw_note:
        console.print(f"[yellow]note:[/] {escape(str(data.raw_note))}")
