"""All three reports of one evaluation into a folder (what `xianping demo` calls)."""

from __future__ import annotations

from pathlib import Path

from xianping.report.data import ReportData

FORMATS = ("xlsx", "docx", "html")


def write_report(data: ReportData, fmt: str, out: str | Path, template=None, year=None, focus: str | None = None,
                 **docx_options) -> Path:
    """`docx_options`: issuer, doc_number (红头, 发文字号), attach (write the manifest and sources beside the docx)."""
    if fmt == "xlsx":
        from xianping.report.workbook import write_workbook

        return write_workbook(data, out, year=year)
    if fmt == "docx":
        from xianping.report.word import write_docx

        return write_docx(data, out, template=template, year=year, focus=focus, **docx_options)
    if fmt == "html":
        from xianping.report.html import write_html

        return write_html(data, out, year=year)
    from xianping.problems import XianpingInputError

    raise XianpingInputError(f"unknown report format {fmt!r}: use xlsx, docx or html")


def write_reports(data: ReportData, out_dir: str | Path, stem: str = "report", formats=FORMATS) -> dict[str, Path]:
    """Write `stem`.xlsx, `stem`.docx and `stem`.html into `out_dir`."""
    out_dir = Path(out_dir)
    return {fmt: write_report(data, fmt, out_dir / f"{stem}.{fmt}") for fmt in formats}
