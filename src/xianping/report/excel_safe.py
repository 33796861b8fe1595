"""Text from users never becomes a live formula in a workbook or a CSV that xianping writes.

A unit name, a source or flag cell, a framework node's name or a note may start with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return (or their full-width forms ``＝＋－＠``, which Excel in Chinese and Japanese locales
also reads as formula starts). Following the OWASP "CSV injection" guidance:

* xlsx: the cell keeps the exact text, stored as a string cell (``data_type 's'``) with the quotePrefix style, so
  Excel and LibreOffice show it as text and do not turn it into a formula even when the cell is edited;
* CSV (no cell types): the text gets a leading apostrophe.

Numbers (int/float, also negative ones) stay numbers; a string that is a plain number ("-2.5") is left alone
in CSV too, since it can only evaluate to itself.

    from xianping.report.excel_safe import put, append_row, csv_text
    put(ws, row, col, value)          # instead of ws.cell(row=…, column=…, value=…)
    append_row(ws, values)            # instead of ws.append(values), normal and write-only sheets
    csv_text(value)                   # for csv.writer rows
    csv_column(series) / csv_uncolumn(series) / csv_escape(value) / csv_unescape(value)
                                      # CSVs xianping reads back (results, weights, robust tables): exact round trip
"""

from __future__ import annotations

import re
from typing import Any, Iterable

FORMULA_START = frozenset("=+-@\t\r＝＋－＠")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def risky(value: Any) -> bool:
    """True for a string a spreadsheet could read as a formula."""
    # a lone sign or "=" (a unit written "-") cannot form a formula and is left alone
    return isinstance(value, str) and len(value) > 1 and value[0] in FORMULA_START


def sql_csv_text(column: str) -> str:
    """The DuckDB SQL expression doing `csv_text` on a VARCHAR column (for COPY … TO csv)."""
    starts = ", ".join(f"'{ch}'" for ch in "=+-@＝＋－＠") + ", chr(9), chr(13)"
    # no "?" in the pattern: callers may inline bound parameters by replacing "?"
    number = r"[+-]{0,1}([0-9]+([.][0-9]*){0,1}|[.][0-9]+)([eE][+-]{0,1}[0-9]+){0,1}"
    return (f"CASE WHEN length({column}) > 1 AND left({column}, 1) IN ({starts}) "
            f"AND NOT regexp_full_match(trim({column}), '{number}') THEN chr(39) || {column} ELSE {column} END")


def csv_text(value: Any) -> Any:
    """The value for a CSV field: a risky string gets a leading apostrophe (OWASP), anything else is unchanged."""
    if risky(value) and not _NUMBER.fullmatch(value.strip()):
        return "'" + value
    return value


def guard(cell) -> Any:
    """Make an openpyxl cell holding a risky string a plain text cell (string type, quotePrefix); returns it."""
    if risky(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def put(ws, row: int, column: int, value: Any):
    """``ws.cell(row, column, value)`` with `guard` applied."""
    return guard(ws.cell(row=row, column=column, value=value))


def append_row(ws, values: Iterable[Any]) -> None:
    """``ws.append(values)`` with every risky string stored as text; works on write-only sheets too."""
    values = list(values)
    if not any(risky(v) for v in values):
        ws.append(values)
        return
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    if isinstance(ws, WriteOnlyWorksheet):    # cells must be made by hand to carry a type and a style
        ws.append([guard(WriteOnlyCell(ws, value=v)) if risky(v) else v for v in values])
        return
    ws.append(values)
    for c in ws[ws.max_row]:
        guard(c)


# ── CSVs that xianping writes and reads back (results and weights, robust tables, report.sources.csv) ──────────────
# The rule, one for writers and readers: a text that starts with a formula character (FORMULA_START, and is not a
# plain number) or with an apostrophe gets one leading apostrophe; a reader removes exactly one leading apostrophe
# from every text cell. So "=1+1" → "'=1+1" → "=1+1", and a name that really starts with one ("'t Hooft") →
# "''t Hooft" → "'t Hooft": every text comes back exactly, and no cell a spreadsheet opens starts with a formula.
# Numbers (also negative ones, and text that is a plain number such as "-2.5") are never touched.


def csv_escape(value: Any) -> Any:
    """One value by the round-trip rule above (for writers that already go value by value)."""
    if isinstance(value, str) and value[:1] == "'":
        return "'" + value
    return csv_text(value)


def csv_unescape(value: Any) -> Any:
    """The reader's half: one leading apostrophe removed from a text."""
    return value[1:] if isinstance(value, str) and value[:1] == "'" else value


def _text_dtype(s) -> bool:
    """A column the .str accessor works on: strings, maybe mixed with numbers or missing values."""
    import pandas as pd

    if isinstance(s.dtype, pd.StringDtype):
        return True
    return s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) in ("string", "mixed", "mixed-integer")


def _escape_mask(s):
    """Which cells of a text Series the rule prefixes (pandas str ops: no Python loop over the rows)."""
    import pandas as pd

    first = s.str[:1]
    number = s.str.strip().str.fullmatch(_NUMBER.pattern)
    risky_ = first.isin(FORMULA_START) & (s.str.len() > 1) & ~number.astype("boolean").fillna(False)
    return pd.Series((risky_ | (first == "'")).astype("boolean").fillna(False).to_numpy(bool), index=s.index)


def csv_column(s):
    """A DataFrame column by the round-trip rule: text and categorical columns (a categorical's categories only,
    each distinct label once); other columns as they are. Non-text cells of an object column are left alone."""
    import pandas as pd

    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = s.cat.categories
        if not _text_dtype(cats.to_series()):
            return s
        new = csv_column(pd.Series(cats, dtype=object))
        return s.cat.rename_categories(list(new)) if not new.equals(pd.Series(cats, dtype=object)) else s
    if not _text_dtype(s):
        return s
    m = _escape_mask(s)
    if not m.any():
        return s
    out = s.copy()
    out[m] = "'" + s[m]
    return out


def csv_uncolumn(s):
    """The reader's half for a column: one leading apostrophe removed from every text cell."""
    import pandas as pd

    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = pd.Series(s.cat.categories, dtype=object)
        return s.cat.rename_categories(list(csv_uncolumn(cats))) if _text_dtype(cats) else s
    if not _text_dtype(s):
        return s
    m = pd.Series(s.str.startswith("'").astype("boolean").fillna(False).to_numpy(bool), index=s.index)
    if not m.any():
        return s
    out = s.copy()
    out[m] = s[m].str[1:]
    return out
