"""Read a CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or XLSX sheet into raw cell rows, keeping Excel row numbers."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xianping.problems import ProblemReport, XianpingInputError

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}


@dataclass
class RawTable:
    file: str  # as the user named it, for problem locations
    rows: list[list[Any]]  # rows[i] is spreadsheet row i + 1
    sha256: str
    encoding: str | None = None  # CSV only
    sheet: str | None = None  # XLSX only


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a CSV's bytes; UnicodeDecodeError when it is none of these."""
    # BOM first (Excel's "CSV UTF-8"), then strict UTF-8, then GB18030 (a superset of GBK, what Chinese Excel writes).
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return data.decode("gb18030"), "gb18030"


_decode = decode_text  # the name map_headers and crosswalk_table import


def read_table(path: str | Path, sheet: str | int | None = None) -> RawTable:
    """All cells of the file as rows of Python values (CSV cells stay text; XLSX cells keep their type).

    Raises XianpingInputError (kinds: file_not_found, unreadable_file, unsupported_format, unknown_sheet,
    empty_file) — a file that cannot be read at all is one problem, reported at once.
    """
    path = Path(path)
    file = str(path)
    report = ProblemReport()
    if not path.exists():
        report.add("file_not_found", "file not found", file=file, expected="an existing CSV or XLSX file")
        raise XianpingInputError(f"cannot import {file}: file not found", report)
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
        report.add("unsupported_format", f"unsupported file type {suffix or '(none)'}", file=file,
                   value=suffix, expected=".csv or .xlsx (save .xls files as .xlsx first)")
        raise XianpingInputError(f"cannot import {file}", report)
    try:
        data = path.read_bytes()
    except OSError as e:
        report.add("unreadable_file", f"cannot read file: {e.strerror or e}", file=file)
        raise XianpingInputError(f"cannot import {file}", report) from None
    digest = file_sha256(data)
    if not data.strip():
        report.add("empty_file", "the file is empty", file=file, expected="a header row and data rows")
        raise XianpingInputError(f"cannot import {file}: empty file", report)

    if suffix in CSV_SUFFIXES:
        try:
            text, enc = _decode(data)
        except UnicodeDecodeError as e:
            report.add("unreadable_file", f"text is neither UTF-8 nor GBK/GB18030 (byte {e.start})", file=file,
                       expected="a CSV saved as UTF-8 or GBK")
            raise XianpingInputError(f"cannot import {file}", report) from None
        dialect = csv.excel_tab if suffix == ".tsv" or ("\t" in text.split("\n", 1)[0] and "," not in text.split("\n", 1)[0]) else csv.excel
        rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), dialect)]
        table = RawTable(file, rows, digest, encoding=enc)
    else:
        table = _read_xlsx(path, file, data, digest, sheet, report)

    if not any(any(_nonblank(c) for c in r) for r in table.rows):
        report.add("empty_file", "the file has no cells with content", file=file,
                   expected="a header row and data rows")
        raise XianpingInputError(f"cannot import {file}: empty file", report)
    return table


def _read_xlsx(path: Path, file: str, data: bytes, digest: str, sheet, report: ProblemReport) -> RawTable:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as e:
        report.add("unreadable_file", f"not a readable XLSX workbook ({type(e).__name__})", file=file,
                   expected="an .xlsx file saved by Excel/WPS/LibreOffice")
        raise XianpingInputError(f"cannot import {file}", report) from None
    try:
        names = wb.sheetnames
        if sheet is None:
            name = names[0]
        elif isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in names):
            idx = int(sheet) - 1  # users count sheets from 1
            if not 0 <= idx < len(names):
                report.add("unknown_sheet", f"sheet number {sheet} does not exist", file=file, value=sheet,
                           expected=f"1..{len(names)} or one of {names}")
                raise XianpingInputError(f"cannot import {file}", report)
            name = names[idx]
        elif sheet in names:
            name = sheet
        else:
            report.add("unknown_sheet", f"no sheet named {sheet!r}", file=file, value=sheet,
                       expected=f"one of {names}")
            raise XianpingInputError(f"cannot import {file}", report)
        ws = wb[name]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    return RawTable(file, rows, digest, sheet=name)


def _nonblank(c: Any) -> bool:
    return c is not None and str(c).strip() != ""
