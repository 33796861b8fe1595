"""Observations (from the store or a data file) → a labelled array [years, units, indicators].

A data file is read one of two ways (`read_panel` decides):
- a table as people make it (yearbook headers such as 人均GDP（元）, titles above the header, names without codes,
  codes of an older vintage …) goes through the ingest layer, the reader of `xianping import`: the same header
  matching, --mapping, units, crosswalk, validation and messages (`from_ingest`);
- a table a program wrote with the plan's indicator codes as headers — a `unit_code` (or COINr's `uCode`) column
  and one column per code, or long (unit_code, period|year, indicator, value) — is read as it is: in one pandas
  pass when wide (a 2.5-million-row village panel in seconds), cell by cell with located errors otherwise; other
  text columns (unit_name, groups) become unit attributes. A binary .npz panel is read directly.
The source is identified for the manifest: the store's path and batch ids, or the file's sha256 (and reading options).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from xianping.problems import ProblemReport, XianpingInputError


@dataclass
class Panel:
    values: np.ndarray  # [T, m, k] float, NaN missing
    years: list[str]
    units: list[str]
    columns: list[str]  # indicator codes, one per last-axis entry
    unit_names: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)  # column → unit → text
    source: dict[str, Any] = field(default_factory=dict)
    problems: ProblemReport = field(default_factory=ProblemReport)  # warnings and notes of the reading

    def take(self, codes: Sequence[str]) -> np.ndarray:
        """Columns by code, in the given order; an absent code is a column of NaN."""
        out = np.full(self.values.shape[:2] + (len(codes),), np.nan)
        idx = {c: j for j, c in enumerate(self.columns)}
        for j, c in enumerate(codes):
            if c in idx:
                out[..., j] = self.values[..., idx[c]]
        return out


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _year_list(years) -> list[str] | None:
    if years is None:
        return None
    if isinstance(years, (str, int)):
        years = str(years).split(",")
    return [str(y).strip() for y in years if str(y).strip()]


def _assemble(cells: dict[tuple[str, str, str], float], years, units, codes) -> np.ndarray:
    yi = {y: i for i, y in enumerate(years)}
    ui = {u: i for i, u in enumerate(units)}
    ci = {c: i for i, c in enumerate(codes)}
    arr = np.full((len(years), len(units), len(codes)), np.nan)
    for (u, y, c), v in cells.items():
        if y in yi and c in ci:
            arr[yi[y], ui[u], ci[c]] = v
    return arr


def from_store(store, codes: Sequence[str], years=None) -> Panel:
    """Read `codes` for `years` (all periods when None) from a PanelStore (or a path to one)."""
    from xianping.store import open_store

    own = not hasattr(store, "observations")
    st = open_store(store) if own else store
    try:
        ys = _year_list(years)
        cols = st.observation_columns(indicators=list(codes), periods=ys)
        batches = st.batches()
        path = str(st.path) if getattr(st, "path", None) is not None else None
        vintage = getattr(st, "code_vintage", None)
        used = sorted({int(b) for b in np.unique(cols["batch_id"]) if b >= 0})
        # what reading those files said (columns not read, units taken per person …): the same warnings as
        # evaluating the files with --data (issue 12), recorded by the store at import
        read_problems = st.batch_problems(used) if hasattr(st, "batch_problems") else []
    finally:
        if own:
            st.close()
    if not len(cols["value"]):
        raise XianpingInputError(f"the store has no observations of {', '.join(codes)}"
                                 + (f" for {', '.join(ys)}" if ys else ""))
    # labels → positions with np.unique, then one fancy-index assignment (the store holds each
    # (unit, period, indicator) once: it is the table's primary key)
    units, ui = np.unique(cols["unit_code"].astype(str), return_inverse=True)
    periods, pi = np.unique(cols["period"].astype(str), return_inverse=True)
    years_found = [str(p) for p in periods]
    if ys:
        absent = [y for y in ys if y not in years_found]
        if absent:
            raise XianpingInputError(f"the store has no data for year(s) {', '.join(absent)}")
    code_pos = {c: j for j, c in enumerate(codes)}
    inds, ii = np.unique(cols["indicator"].astype(str), return_inverse=True)
    ci = np.array([code_pos[str(c)] for c in inds], dtype=np.intp)[ii]
    arr = np.full((len(years_found), len(units), len(codes)), np.nan)
    arr[pi, ui, ci] = cols["value"]
    if ys:
        order = [years_found.index(y) for y in ys]
        arr, years_found = arr[order], list(ys)
    src = {
        "kind": "store",
        "path": path,
        "batches": [{"batch_id": int(b["batch_id"]), "file_name": b["file_name"], "sha256": b["sha256"]}
                    for b in batches if int(b["batch_id"]) in used],
        "code_vintage": vintage,
    }
    from xianping.problems import Problem

    problems = ProblemReport([Problem(**p) for p in read_problems])
    return Panel(arr, years_found, [str(u) for u in units], list(codes), source=src, problems=problems)


_LONG = {"unit_code", "indicator", "value"}


class _NotFinite(ValueError):
    """'inf', '-Infinity', '1e999' (overflows a double): a number Python's float takes, refused as not_finite (as
    ingest/validate.parse_number does) — one infinity would zero an indicator's normalisation for every unit."""


def _num(text: str):
    t = text.strip()
    if t in ("", "NA", "NaN", "nan", "—", "-", "…", "..."):
        return np.nan
    v = float(t)
    if math.isinf(v):
        raise _NotFinite(t)
    return v


def _bad_number(report: ProblemReport, e: ValueError, what: str, **where) -> None:
    if isinstance(e, _NotFinite):
        report.add("not_finite", f"{what}is infinite or beyond a double's range", **where,
                   expected="a finite number or an empty cell")
    else:
        report.add("not_a_number", f"{what}value is not a number", **where, expected="a number or an empty cell")


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


def _text_of(path: Path, head_only: bool = False) -> tuple[str, str]:
    """A CSV's text and encoding: gzip or plain, UTF-8 (with or without BOM) or GB18030/GBK as Chinese Excel saves
    it (ingest.read_table.decode_text, one rule for import and evaluation). head_only: the first megabyte, cut at a
    line end (enough to see the encoding of names after an ASCII header)."""
    from xianping.ingest.read_table import decode_text

    opener = gzip.open if _is_gzip(path) else open
    with opener(path, "rb") as f:
        data = f.read(1 << 20) if head_only else f.read()
    if head_only and len(data) == 1 << 20 and b"\n" in data:
        data = data[: data.rfind(b"\n") + 1]
    try:
        return decode_text(data, partial=head_only)  # a head cut at b"\n" leaves UTF-16 LE's zero byte behind
    except UnicodeDecodeError as e:
        raise XianpingInputError(f"data file {path}: text is neither UTF-8 nor GBK/GB18030 (byte {e.start}); "
                                 "expected a CSV saved as UTF-8 or GBK") from None


def _xlsx_rows(path: Path) -> list[list[str]]:
    """The first sheet of a workbook as text rows (row i = Excel row i + 1, so problems name the Excel row): numbers
    as exact decimal text, empty cells as "". Titles above the header are not looked for here (`xianping import`
    does that); the first row must be the header."""
    from xianping.ingest.read_table import read_table

    def text(c):
        if c is None:
            return ""
        if isinstance(c, bool):
            return str(c)
        if isinstance(c, (int, float)):
            return repr(float(c)) if isinstance(c, float) else str(c)
        return str(c)

    return [[text(c) for c in row] for row in read_table(path).rows]


def read_text(path: str | Path) -> tuple[str, str]:
    """(text, encoding) of a text data file: gzip or plain, UTF-8 or GBK/GB18030; a clear error otherwise."""
    return _text_of(Path(path))


def from_csv(path: str | Path, codes: Sequence[str] | None = None, years=None) -> Panel:
    """Read a long or wide CSV (gzip, UTF-8 or GBK) or the first sheet of an XLSX workbook (see module doc); every
    bad cell is reported with row and column."""
    path = Path(path)
    if not path.exists():
        raise XianpingInputError(f"data file {path} does not exist")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    else:
        text, _ = _text_of(path)
        rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise XianpingInputError(f"data file {path} is empty")
    head = [h.strip() for h in rows[0]]
    report = ProblemReport()
    cells: dict[tuple[str, str, str], float] = {}
    names: dict[str, str] = {}
    attrs: dict[str, dict[str, str]] = {}
    ycol = "period" if "period" in head else "year" if "year" in head else None
    ucol = "unit_code" if "unit_code" in head else "uCode" if "uCode" in head else None  # uCode: COINr's layout
    if ucol is None:
        report.add("no_unit_column", "no unit code column", file=str(path), row=1, column=None, value=",".join(head[:6]),
                   expected="a unit_code (or COINr's uCode) column")
        raise XianpingInputError(f"data file {path} has no unit_code column", report)
    iu = head.index(ucol)
    iy = head.index(ycol) if ycol else None
    ys = _year_list(years)
    # indicator codes (wide headers, long `indicator` cells) match ignoring case (COINr's I01 ↔ library-style i01)
    canon = {c.lower(): c for c in codes} if codes is not None else None
    if _LONG <= set(head):
        ii, iv = head.index("indicator"), head.index("value")
        for r, row in enumerate(rows[1:], start=2):
            if not row:
                continue
            y = row[iy].strip() if iy is not None else "0"
            c = row[ii].strip()
            if canon is not None:
                c = canon.get(c.lower())
                if c is None:
                    continue
            try:
                cells[(row[iu].strip(), y, c)] = _num(row[iv])
            except ValueError as e:
                _bad_number(report, e, "", file=str(path), row=r, column="value", value=row[iv])
            if "unit_name" in head:
                names[row[iu].strip()] = row[head.index("unit_name")]
    else:
        for r, row in enumerate(rows[1:], start=2):
            if not row:
                continue
            u = row[iu].strip()
            y = row[iy].strip() if iy is not None else "0"
            for j, h in enumerate(head):
                if j in (iu, iy) or j >= len(row):
                    continue
                if h == "unit_name":
                    names[u] = row[j]
                    continue
                code = canon.get(h.lower()) if canon is not None else h
                if code is None:
                    try:
                        _num(row[j])
                    except ValueError:
                        attrs.setdefault(h, {})[u] = row[j]
                    continue
                try:
                    cells[(u, y, code)] = _num(row[j])
                except ValueError as e:
                    _bad_number(report, e, f"indicator {h!r}: ", file=str(path), row=r, column=h, value=row[j])
    report.raise_if_errors(f"data file {path} has {len(report.errors)} bad cell(s)")
    if not cells and rows[1:]:
        what = f"none of the indicators {', '.join(list(codes)[:8])}{' …' if len(codes) > 8 else ''}" if codes else "no values"
        raise XianpingInputError(f"data file {path} has {what} (indicator codes are matched ignoring case)")
    found = sorted({k[1] for k in cells})
    if ys:
        absent = [y for y in ys if y not in found]
        if absent:
            raise XianpingInputError(f"data file {path} has no rows for year(s) {', '.join(absent)}")
        found = ys
    units = list(dict.fromkeys(k[0] for k in cells))
    cols = list(codes) if codes is not None else list(dict.fromkeys(k[2] for k in cells))
    src = {"kind": "xlsx" if path.suffix.lower() in (".xlsx", ".xlsm") else "csv", "path": str(path), "sha256": sha256_file(path)}
    return Panel(_assemble(cells, found, units, cols), found, units, cols, names, attrs, src)


def _refuse_infinite(df, cols: list[str], path: Path, show: int = 20) -> None:
    """pandas parses 'inf', '-Infinity' and '1e999' as ±inf: refused as not_finite, the first `show` cells located
    (one np.isinf over the columns, no loop over the cells)."""
    if not cols:
        return
    bad = np.isinf(df[cols].to_numpy(dtype=float))
    if not bad.any():
        return
    rows, js = np.nonzero(bad)
    report = ProblemReport()
    for i, j in zip(rows[:show], js[:show]):
        v = df[cols[j]].iat[i]
        report.add("not_finite", f"indicator {cols[j]!r}: is infinite or beyond a double's range", file=str(path),
                   row=int(df.index[i]) + 2, column=cols[j], value="inf" if v > 0 else "-inf",
                   expected="a finite number or an empty cell")
    more = f" (the first {show} shown)" if len(rows) > show else ""
    raise XianpingInputError(f"data file {path} has {len(rows)} infinite or overflowing value(s){more}", report)


def _wide_header(path: Path) -> tuple[list[str], str]:
    text, enc = _text_of(path, head_only=True)
    return [h.strip() for h in text.split("\n", 1)[0].rstrip("\r").split(",")], enc


def _npz_panel(path: Path, codes, years=None) -> Panel:
    """A binary panel (scripts/make_village_scale.py): values [T, m, k], years, units, columns."""
    with np.load(path) as f:
        vals, ys, units, cols = f["values"], [str(y) for y in f["years"]], [str(u) for u in f["units"]], [str(c) for c in f["columns"]]
    want = [str(y).strip() for y in (years.split(",") if isinstance(years, str) else years)] if years is not None else ys
    absent = [y for y in want if y not in ys]
    if absent:
        raise XianpingInputError(f"data file {path} has no rows for year(s) {', '.join(absent)}")
    low = {c.lower(): j for j, c in enumerate(cols)}
    ti = [ys.index(y) for y in want]
    ci = [low.get(c.lower(), -1) for c in codes]
    arr = vals if ti == list(range(len(ys))) else vals[ti]
    if ci != list(range(len(cols))):  # the file's columns in the plan's order already: no copy
        arr = np.take(arr, [max(j, 0) for j in ci], axis=-1)
    if min(ci, default=0) < 0:
        arr[..., [j for j, c in enumerate(ci) if c < 0]] = np.nan
    return Panel(arr, want, units, list(codes), {}, {}, {"kind": "npz", "path": str(path), "sha256": sha256_file(path)})


READ_OPTIONS = ("mapping", "code_year", "period", "sheet", "trust_codes", "skip_unknown", "split_rule")

_DIVISION_CODE = re.compile(r"^(\d{6}|\d{9}|\d{12})$")


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def _coded(head: list[str], first_units: list[str], codes: Sequence[str] | None, first_labels: list[str] = ()) -> bool:
    """A table a program wrote: a unit_code/uCode column, and long with indicator codes in its indicator column, or a
    column for every requested code; a wide file whose units are not division codes (COINr's countries) is read as
    it is even when a code is missing, so the evaluation names the missing indicator instead of the ingest refusing
    'AUT' as a county. A long table naming its indicators in words (人均GDP) is the ingest's."""
    if "unit_code" not in head and "uCode" not in head:
        return False
    if {"indicator", "value"} <= set(head):
        return all(_IDENTIFIER.match(label.strip()) for label in first_labels)
    low = {h.lower() for h in head}
    if codes is not None and all(c.lower() in low for c in codes):
        return True
    return bool(first_units) and not all(_DIVISION_CODE.match(u.strip()) for u in first_units)


def _head_and_units(path: Path) -> tuple[list[str], list[str], list[str]]:
    """The first row, and the unit codes and indicator labels (long tables) of the next few rows of a CSV (from its
    first megabyte) or workbook."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from xianping.ingest.read_table import read_table  # its located errors for a broken workbook

        rows = [["" if c is None else str(c) for c in r] for r in read_table(path).rows[:6]]
    else:
        text, _ = _text_of(path, head_only=True)
        rows = []
        for r in csv.reader(io.StringIO(text, newline="")):
            rows.append(r)
            if len(rows) == 6:
                break
    if not rows:
        return [], [], []
    head = [h.strip() for h in rows[0]]
    ucol = "unit_code" if "unit_code" in head else "uCode" if "uCode" in head else None
    units = [re.sub(r"\.0$", "", r[head.index(ucol)].strip()) for r in rows[1:]
             if ucol and len(r) > head.index(ucol) and r[head.index(ucol)].strip()]
    j = head.index("indicator") if "indicator" in head else None
    labels = [r[j] for r in rows[1:] if j is not None and len(r) > j and r[j].strip()]
    return head, units, labels


def from_ingest(path, codes: Sequence[str] | None, years=None, **read: Any) -> Panel:
    """A table read by the ingest layer (`import_table` with no store): `codes` as columns (None: every indicator
    read), units sorted by code and periods sorted, as `from_store` gives them, so a file evaluated with --data and
    the same file imported and evaluated with --store give the same panel. The reading's warnings and notes
    travel in `Panel.problems`."""
    from xianping.ingest.run_import import import_table

    path = Path(path)
    opts = {k: v for k, v in read.items() if v not in (None, False)}
    try:
        res = import_table(path, None, dry_run=True, **opts)
    except XianpingInputError as e:
        n = len(e.report.errors)
        raise XianpingInputError(f"data file {path}: {n} problem(s) in reading it; nothing was evaluated"
                                 if n else f"data file {path}: {e.summary}", e.report) from None
    f = res.frame
    ys = _year_list(years)
    if ys:
        absent = [y for y in ys if y not in set(f["period"])]
        if absent:
            raise XianpingInputError(f"data file {path} has no rows for year(s) {', '.join(absent)}", res.notes)
        # the units of the years asked for, as the store gives them
        sel = np.isin(f["period"].astype(str), ys)
        f = {k: v[sel] for k, v in f.items()}
    units, ui = np.unique(f["unit_code"].astype(str), return_inverse=True)
    periods, pi = np.unique(f["period"].astype(str), return_inverse=True)
    found = [str(p) for p in periods]
    inds, ii = np.unique(f["indicator"].astype(str), return_inverse=True)
    cols = list(codes) if codes is not None else [str(c) for c in inds]
    pos = {c: j for j, c in enumerate(cols)}
    ci = np.array([pos.get(str(c), -1) for c in inds], dtype=np.intp)[ii]
    keep = ci >= 0
    arr = np.full((len(found), len(units), len(cols)), np.nan)
    arr[pi[keep], ui[keep], ci[keep]] = f["value"][keep]
    if ys:
        arr, found = arr[[found.index(y) for y in ys]], list(ys)
    src = {"kind": "xlsx" if path.suffix.lower() in (".xlsx", ".xlsm") else "csv", "path": str(path),
           "sha256": res.sha256, "reader": "ingest", "code_vintage": res.code_vintage,
           "read_options": {k: (str(v) if k in ("mapping", "split_rule") else v) for k, v in opts.items()}}
    if opts.get("mapping"):
        src["mapping_sha256"] = res.options.get("mapping_sha256")
    return Panel(arr, found, [str(u) for u in units], cols, source=src, problems=res.notes)


def read_panel(path, codes, years=None, **read: Any) -> Panel:
    """Any data file → Panel with `codes` as columns (see the module doc for which reader reads what): a binary .npz
    panel (scripts/make_village_scale.py); a table a program wrote with a unit_code (or COINr's uCode) column and
    the codes as headers (matched ignoring case, I01 ↔ i01), with pandas in one pass, or through `from_csv`, which
    locates every bad cell; anything else, or any reading option (mapping, code_year, period, sheet, trust_codes,
    skip_unknown, split_rule), through the ingest layer (`from_ingest`), as `xianping import` reads it."""
    path = Path(path)
    if not path.exists():
        raise XianpingInputError(f"data file {path} does not exist")
    unknown = set(read) - set(READ_OPTIONS)
    if unknown:
        raise TypeError(f"read_panel: unknown reading option(s) {', '.join(sorted(unknown))}")
    options = any(v not in (None, False) for v in read.values())
    if path.suffix == ".npz":
        if options:
            raise XianpingInputError(f"data file {path} is a binary panel: --mapping, --code-year, --period and the "
                                     "other reading options apply to tables (CSV/XLSX) only")
        return _npz_panel(path, codes, years)
    head, units, labels = _head_and_units(path)
    if options or not _coded(head, units, codes, labels):
        return from_ingest(path, codes, years, **read)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return from_csv(path, codes, years)  # a workbook: openpyxl rows through the same cell-by-cell reader
    head, enc = _wide_header(path)
    low = {h.lower(): h for h in head}
    ucol = "unit_code" if "unit_code" in head else "uCode" if "uCode" in head else None
    if ucol is None or {"indicator", "value"} <= set(head):
        return from_csv(path, codes, years)  # long files, or no unit column: the evaluation's reader and its errors
    import pandas as pd

    ycol = "period" if "period" in head else "year" if "year" in head else None
    str_cols = [c for c in (ucol, ycol, "unit_name") if c and c in head]
    try:
        # blank lines kept (then dropped by index) so that index + 2 is the file's row in the problems below
        df = pd.read_csv(path, dtype={c: str for c in str_cols}, na_values=["", "NA", "NaN", "nan", "—", "-", "…", "..."],
                         keep_default_na=False, skip_blank_lines=False, encoding=enc,
                         compression="gzip" if _is_gzip(path) else None)
    except UnicodeDecodeError:  # the encoding changes after the first megabyte: the whole-file reader decides
        return from_csv(path, codes, years)
    df = df.dropna(how="all")
    cols = [low.get(c.lower()) for c in codes]
    bad = [h for h in cols if h is not None and not pd.api.types.is_numeric_dtype(df[h])]
    if bad:  # let the evaluation's reader locate every bad cell
        return from_csv(path, codes, years)
    _refuse_infinite(df, [h for h in cols if h is not None], path)
    ys = None
    if years is not None:
        ys = [s.strip() for s in (years.split(",") if isinstance(years, str) else map(str, years)) if s.strip()]
    if ycol is None:
        df["__year"] = "0"
        ycol = "__year"
    if ys:
        absent = [y for y in ys if y not in set(df[ycol])]
        if absent:
            raise XianpingInputError(f"data file {path} has no rows for year(s) {', '.join(absent)}")
        df = df[df[ycol].isin(ys)]
    found = ys or sorted(df[ycol].unique())
    units = list(dict.fromkeys(df[ucol].str.strip()))
    ui = pd.Index(units)
    yi = pd.Index(found)
    r = yi.get_indexer(df[ycol])
    c = ui.get_indexer(df[ucol].str.strip())
    arr = np.full((len(found), len(units), len(codes)), np.nan)
    for j, h in enumerate(cols):
        if h is not None:
            arr[r, c, j] = df[h].to_numpy(dtype=float)
    names = dict(zip(df[ucol].str.strip(), df["unit_name"])) if "unit_name" in df else {}
    used = {h for h in cols if h is not None} | {ucol, ycol, "unit_name"}
    attrs = {h: dict(zip(df[ucol].str.strip(), df[h].astype(str))) for h in df.columns
             if h not in used and not pd.api.types.is_numeric_dtype(df[h])}
    src = {"kind": "csv", "path": str(path), "sha256": sha256_file(path)}
    return Panel(arr, list(found), units, list(codes), names, attrs, src)
