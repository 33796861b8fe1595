"""Read a CSV (UTF-8, UTF-16, GBK/GB18030) or XLSX sheet into raw cell rows, keeping Excel row numbers.

The files come from hundreds of users, so the reader has limits: a file, a workbook's unpacked parts, the cells,
the columns and one cell's text are capped (the constants below), and every way a file can be broken (a cut or
corrupt workbook, XML entities, formula cells without a saved value, a quote left open in a CSV) is a located
`XianpingInputError`, never a traceback or a silently shifted row.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xianping.problems import ProblemReport, XianpingInputError

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}

# Limits on one table file. Each is named in the error a file over it gets; read at call time, so a test (or a
# deployment) can set them on the module.
MAX_FILE_BYTES = 512 * 2**20  # the file as uploaded
MAX_UNZIPPED_BYTES = 1 * 2**30  # an XLSX's parts as they declare themselves unpacked (a zip bomb is small packed)
MAX_CELLS = 20_000_000  # cells present (1M rows × 20 columns); a row list costs ~8 bytes a cell before its value
MAX_COLUMNS = 4_096  # a row's width (census tables have 169; a year × indicator panel a few hundred)
MAX_CELL_CHARS = 32_767  # one cell's text: Excel's own limit, so a longer cell did not come from a spreadsheet
EXCEL_MAX_ROW = 1_048_576  # a row number past it is a damaged or hand-made sheet (it would cost a list per row)
MAX_LISTED = 20  # cells listed one by one for the same problem (formulas without values); the rest are counted


@dataclass
class RawTable:
    file: str  # as the user named it, for problem locations
    rows: list[list[Any]]  # rows[i] is spreadsheet row i + 1 (rows may differ in length)
    sha256: str
    encoding: str | None = None  # CSV only
    sheet: str | None = None  # XLSX only


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_text(data: bytes, partial: bool = False) -> tuple[str, str]:
    """(text, encoding) of a table's or a text's bytes — the one decoding rule of xianping; UnicodeDecodeError when
    the bytes are none of UTF-8, UTF-16 or GB18030.

    Order: a BOM (UTF-8 as Excel's "CSV UTF-8" writes it, UTF-16 LE/BE as Excel's "Unicode text" and Windows
    Notepad write it); UTF-16 without a BOM, told by its zero bytes (every ASCII comma, digit and line end carries
    one, at odd offsets in LE and even in BE; UTF-8 and GB18030 text has none); strict UTF-8; GB18030 (a superset
    of GBK, what Chinese Excel and WPS write).

    partial: `data` is the head of a file cut by the caller (at a b"\n", which in UTF-16 LE leaves the line end's
    second byte behind): a last odd byte of UTF-16 is dropped instead of failing the decoding.
    """
    if partial and len(data) % 2 and (data.startswith(_UTF16_BOMS) or b"\x00" in data[:4096]):
        data = data[:-1]
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16"), "utf-16"  # the codec reads the BOM for the byte order and drops it
    head = data[:4096]
    if b"\x00" in head and len(data) % 2 == 0:
        odd, even = head[1::2].count(0), head[0::2].count(0)
        enough = max(2, len(head) // 200)  # a stray NUL in UTF-8 text is not UTF-16; one line end per 100 units is
        for enc, wins in (("utf-16-le", odd >= enough and odd > 4 * even),
                          ("utf-16-be", even >= enough and even > 4 * odd)):
            if wins:
                try:
                    text = data.decode(enc)
                except UnicodeDecodeError:
                    break  # zero bytes but not UTF-16: let UTF-8 / GB18030 decide (and report)
                if any(ch in text for ch in "\n\r,\t"):  # UTF-8 with stray NULs read as UTF-16 has no line end
                    return text, enc
                break
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return data.decode("gb18030"), "gb18030"


_decode = decode_text  # the name map_headers and crosswalk_table import


def read_table(path: str | Path, sheet: str | int | None = None) -> RawTable:
    """All cells of the file as rows of Python values (CSV cells stay text; XLSX cells keep their type).

    Raises XianpingInputError (kinds: file_not_found, unreadable_file, unsupported_format, unknown_sheet,
    empty_file, file_too_large, too_many_cells, too_many_columns, cell_too_long, unbalanced_quote, csv_syntax,
    formula_without_value, no_sheet) — a file that cannot be read at all is reported at once, with the cell or row
    and the limit that stopped it.
    """
    path = Path(path)
    file = str(path)
    report = ProblemReport()
    if not path.is_file():
        report.add("file_not_found", "file not found", file=file, expected="an existing CSV or XLSX file")
        raise XianpingInputError(f"cannot import {file}: file not found", report)
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
        report.add("unsupported_format", f"unsupported file type {suffix or '(none)'}", file=file,
                   value=suffix, expected=".csv or .xlsx (save .xls files as .xlsx first)")
        raise XianpingInputError(f"cannot import {file}", report)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            report.add("file_too_large", f"the file has {size:,} bytes, more than the limit of {MAX_FILE_BYTES:,} "
                       "(read_table.MAX_FILE_BYTES)", file=file, value=size,
                       expected=f"at most {MAX_FILE_BYTES:,} bytes; split the table by year or by province")
            raise XianpingInputError(f"cannot import {file}: file too large", report)
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
            text, enc = decode_text(data)
        except UnicodeDecodeError as e:
            report.add("unreadable_file", f"text is none of UTF-8, UTF-16 or GBK/GB18030 (byte {e.start})", file=file,
                       expected="a CSV saved as UTF-8, UTF-16 or GBK")
            raise XianpingInputError(f"cannot import {file}", report) from None
        table = RawTable(file, _csv_rows(text, file, suffix, report), digest, encoding=enc)
    else:
        table = _read_xlsx(file, data, digest, sheet, report)

    if not any(any(_nonblank(c) for c in r) for r in table.rows):
        report.add("empty_file", "the file has no cells with content", file=file,
                   expected="a header row and data rows")
        raise XianpingInputError(f"cannot import {file}: empty file", report)
    return table


# --------------------------------------------------------------------------------------------------------- CSV

def _too_many(report: ProblemReport, file: str, kind: str, what: str, limit_name: str, limit: int, row: int,
              column: str | None = None, value: Any = None) -> XianpingInputError:
    report.add(kind, f"{what}, more than the limit of {limit:,} (read_table.{limit_name})", file=file, row=row,
               column=column, value=value, expected=f"at most {limit:,}; split the table or remove the stray content")
    return XianpingInputError(f"cannot import {file}: {what}", report)


def _csv_rows(text: str, file: str, suffix: str, report: ProblemReport) -> list[list[str]]:
    first = text.split("\n", 1)[0]
    tab = suffix == ".tsv" or ("\t" in first and "," not in first)
    dialect = csv.excel_tab if tab else csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows: list[list[str]] = []
    cells, max_cells, max_cols, max_len = 0, MAX_CELLS, MAX_COLUMNS, MAX_CELL_CHARS
    long_cell = False
    try:
        for r in reader:  # the caps are checked as rows arrive, before a hostile file has been held whole
            n = len(r)
            cells += n
            if n > max_cols:
                raise _too_many(report, file, "too_many_columns", f"row {len(rows) + 1} has {n:,} cells",
                                "MAX_COLUMNS", max_cols, len(rows) + 1)
            if cells > max_cells:
                raise _too_many(report, file, "too_many_cells", f"the file has more than {max_cells:,} cells",
                                "MAX_CELLS", max_cells, len(rows) + 1)
            if n and max(map(len, r)) > max_len:
                long_cell = True
            rows.append(r)
    except csv.Error as e:
        # the csv module's own field cap (131,072) is above MAX_CELL_CHARS, so a field over it is a long cell too
        if "field larger than field limit" in str(e):
            raise _too_many(report, file, "cell_too_long", f"a cell near line {reader.line_num} is longer than "
                            f"{csv.field_size_limit():,} characters", "MAX_CELL_CHARS", MAX_CELL_CHARS,
                            len(rows) + 1) from None
        report.add("csv_syntax", f"the CSV cannot be read past line {reader.line_num}: {e}", file=file,
                   row=len(rows) + 1, expected="comma- or tab-separated text with balanced double quotes")
        raise XianpingInputError(f"cannot import {file}: CSV syntax", report) from None
    # cells are visited again only when a cell is too long or some cell holds a line end (counted on the whole text)
    if long_cell or _records_span_lines(text, rows):
        _check_cells(rows, file, dialect.delimiter, text, report)
    return rows


def _records_span_lines(text: str, rows: list[list[str]]) -> bool:
    """True when some cell holds a line break (fewer records than lines): a quoted multi-line cell, or a quote
    left open that swallowed the rows after it."""
    if '"' not in text:
        return False
    lines = text.count("\n") + text.count("\r") - text.count("\r\n") + (0 if text.endswith(("\n", "\r")) else 1)
    return len(rows) < lines


_LINE_END = re.compile(r"\r\n|\r|\n")


def _check_cells(rows: list[list[str]], file: str, delimiter: str, text: str, report: ProblemReport) -> None:
    line = 1  # physical line where the record starts, for the message (rows are records, as a spreadsheet counts)
    last = len(rows) - 1
    ends_quoted = text.rstrip().endswith('"')
    for i, r in enumerate(rows):
        for j, c in enumerate(r):
            if len(c) > MAX_CELL_CHARS:
                raise _too_many(report, file, "cell_too_long", f"a cell has {len(c):,} characters", "MAX_CELL_CHARS",
                                MAX_CELL_CHARS, i + 1, column=_col_letter(j + 1), value=c[:40] + "…")
            if "\n" in c or "\r" in c:
                parts = _LINE_END.split(c)  # the csv module's line ends only (splitlines also cuts at U+2028 …)
                # a quote still open at the end of the file runs to it: then the file's last field does not end in a quote
                swallowed = any(delimiter in p for p in parts[1:]) or (i == last and j == len(r) - 1 and not ends_quoted)
                if swallowed:
                    report.add("unbalanced_quote",
                               f"a double quote opened in this row (line {line}) is not closed where the row ends, so "
                               f"the next {len(parts) - 1 - (parts[-1] == '')} line(s) were read into this one cell", file=file, row=i + 1,
                               column=_col_letter(j + 1), value=(c[:60] + "…") if len(c) > 60 else c,
                               expected='a closing " before the row ends, or "" for a quote inside a quoted cell')
                    raise XianpingInputError(f"cannot import {file}: unbalanced quote", report)
        line += 1 + sum(c.count("\n") + c.count("\r") - c.count("\r\n") for c in r)


# -------------------------------------------------------------------------------------------------------- XLSX

def _read_xlsx(file: str, data: bytes, digest: str, sheet, report: ProblemReport) -> RawTable:
    from openpyxl import load_workbook

    def unreadable(why: str) -> XianpingInputError:
        report.add("unreadable_file", f"not a readable XLSX workbook: {why}", file=file,
                   expected="an .xlsx file saved by Excel/WPS/LibreOffice (open it there and save it again)")
        return XianpingInputError(f"cannot import {file}", report)

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
        raise unreadable(f"not a zip archive ({e})") from None
    # zipfile stops every part at its declared size (and checks its CRC), so the declared sizes bound the unpacking
    unpacked = sum(i.file_size for i in zf.infolist())
    if unpacked > MAX_UNZIPPED_BYTES:
        raise _too_many(report, file, "file_too_large", f"the workbook unpacks to {unpacked:,} bytes",
                        "MAX_UNZIPPED_BYTES", MAX_UNZIPPED_BYTES, None)
    zf.close()
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _BROKEN_XLSX as e:
        raise unreadable(_why(e)) from None
    try:
        names = wb.sheetnames
        if not names:
            report.add("no_sheet", "the workbook has no worksheet", file=file, expected="a workbook with a sheet of data")
            raise XianpingInputError(f"cannot import {file}", report)
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
        try:
            rows = _sheet_rows(wb, name, file, report)
        except _BROKEN_XLSX as e:
            raise unreadable(f"sheet {name!r}: {_why(e)}") from None
    finally:
        wb.close()
    return RawTable(file, rows, digest, sheet=name)


def _broken_xlsx_errors() -> tuple[type[BaseException], ...]:
    """What openpyxl and the zip/XML layers under it raise on a damaged or hostile workbook (found by feeding it
    cut, bit-flipped and hand-made workbooks: tests/reliability)."""
    from xml.etree.ElementTree import ParseError

    errs: list[type[BaseException]] = [zipfile.BadZipFile, zlib.error, EOFError, KeyError, IndexError, ValueError,
                                       TypeError, AttributeError, ParseError, UnicodeError, OSError, OverflowError,
                                       NotImplementedError]
    try:
        from defusedxml import DefusedXmlException  # a ValueError, listed for the reader of this line

        errs.append(DefusedXmlException)
    except ImportError:  # defusedxml is a dependency; without it expat's own entity-amplification guard applies
        pass
    try:
        from lxml.etree import LxmlError

        errs.append(LxmlError)
    except ImportError:  # openpyxl falls back to the standard library's XML parser
        pass
    return tuple(errs)


_BROKEN_XLSX = _broken_xlsx_errors()


def _why(e: BaseException) -> str:
    while e.__cause__ is not None:  # openpyxl wraps the parser's error in "Unable to read workbook"; say the cause
        e = e.__cause__
    name = type(e).__name__
    if name in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden"):
        return "it declares XML entities or a DTD, which a workbook never needs (refused: entity expansion)"
    text = str(e).split("\n", 1)[0]
    return f"{name}: {text[:200]}" if text else name


class _Formula:
    """A formula cell whose result was never saved (a file written by a program, not by Excel)."""


_NO_VALUE = _Formula()


def _sheet_rows(wb, name: str, file: str, report: ProblemReport) -> list[list[Any]]:
    """The sheet's cells, built from the cells the sheet XML actually holds: its <dimension> (which may claim
    A1:XFD1048576 in a 5 KB file) is not trusted, and nothing is allocated for cells that are not there."""
    # openpyxl's read-only worksheet pads every row to the claimed dimension, so the sheet is streamed through the
    # parser it uses itself (WorkSheetParser, stable since openpyxl 2.6), one <row> at a time.
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    ws = wb[name]
    if not isinstance(ws, ReadOnlyWorksheet):
        report.add("no_sheet", f"sheet {name!r} is a chart sheet, not a sheet of cells", file=file, value=name,
                   expected="a worksheet (choose it with --sheet)")
        raise XianpingInputError(f"cannot import {file}", report)

    class CellParser(WorkSheetParser):
        def parse_cell(self, element):
            cell = super().parse_cell(element)
            # data_only gives a formula's saved result; a formula saved without one would read as an empty cell
            if cell["value"] is None and element.find(FORMULA_TAG) is not None and element.find(VALUE_TAG) is None:
                cell["value"] = _NO_VALUE
            return cell

    rows: list[list[Any]] = []
    cells, max_cells, max_cols, max_len = 0, MAX_CELLS, MAX_COLUMNS, MAX_CELL_CHARS
    formulas: list[tuple[int, int]] = []
    with ws._get_source() as src:
        parser = CellParser(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                            date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
        for r, row_cells in parser.parse():
            if not row_cells:
                continue
            if not 1 <= r <= EXCEL_MAX_ROW:
                report.add("unreadable_file", f"a row is numbered {r:,}, outside Excel's rows 1–{EXCEL_MAX_ROW:,}",
                           file=file, value=r, expected="a workbook saved by Excel/WPS/LibreOffice")
                raise XianpingInputError(f"cannot import {file}", report)
            cells += len(row_cells)  # blank styled cells count too: they cost parsing time all the same
            if cells > max_cells:
                raise _too_many(report, file, "too_many_cells", f"the sheet has more than {max_cells:,} cells",
                                "MAX_CELLS", max_cells, r)
            present = [c for c in row_cells if c["value"] is not None]
            if not present:  # blank styled cells (a format applied down to row 1,048,576) make no row
                continue
            if r > len(rows):
                rows.extend([] for _ in range(r - len(rows)))  # rows between are empty
            row = rows[r - 1]
            for c in present:
                col, value = c["column"], c["value"]
                if col > max_cols:
                    raise _too_many(report, file, "too_many_columns", f"a cell is in column {col:,} "
                                    f"({_col_letter(col)}{r})", "MAX_COLUMNS", max_cols, r, column=_col_letter(col))
                if isinstance(value, str) and len(value) > max_len:
                    raise _too_many(report, file, "cell_too_long", f"cell {_col_letter(col)}{r} has {len(value):,} "
                                    "characters", "MAX_CELL_CHARS", max_len, r, column=_col_letter(col),
                                    value=value[:40] + "…")
                if value is _NO_VALUE:
                    formulas.append((r, col))
                    value = None
                if col > len(row):
                    row.extend([None] * (col - len(row)))
                row[col - 1] = value
    if formulas:
        for r, col in formulas[:MAX_LISTED]:
            report.add("formula_without_value", f"cell {_col_letter(col)}{r}: formula without a cached value; open and "
                       "save the workbook in Excel, or paste values", file=file, row=r, column=_col_letter(col),
                       expected="a value (the workbook was written by a program that does not compute formulas)")
        if len(formulas) > MAX_LISTED:
            report.add("formula_without_value", f"… and {len(formulas) - MAX_LISTED:,} more formula cells without a "
                       "cached value", file=file, expected="values in every cell")
        raise XianpingInputError(f"cannot import {file}: {len(formulas):,} formula cell(s) without a cached value", report)
    return rows


def _col_letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col) if 1 <= col <= 18278 else str(col)


def _nonblank(c: Any) -> bool:
    return c is not None and str(c).strip() != ""
