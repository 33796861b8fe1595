"""`import_table`: read → find layout → map headers → identify units → parse, convert, check → crosswalk → store.

Every problem in the file is collected before deciding; any error rejects the whole file and nothing is stored.
Warnings (columns not read, implausible values kept) and notes (left-out subtotal rows, cells reported as missing)
travel with the result. With `store=None` (or dry_run) nothing is stored and the result carries the observations as
a columnar frame: that is how `evaluate --data`, `analyse` and `robust` read a table — one reading path, the same
header matching, units, crosswalk, validation and messages as `xianping import`.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xianping.ingest.convert_units import convert_factor
from xianping.ingest.detect_layout import Layout, detect_layout, norm
from xianping.ingest.map_headers import ColumnMap, load_mapping, map_headers
from xianping.ingest.read_table import read_table
from xianping.ingest.validate import (
    ZONE_RE,
    clean_name,
    code_level,
    is_county_code,
    is_footnote_row,
    is_subtotal_name,
    normalise_code,
    parse_number,
    parse_period,
)
from xianping.problems import ProblemReport, XianpingInputError
from xianping.store.base import DEFAULT_CODE_VINTAGE, BatchMeta, PanelStore

_REL_TOL = 1e-9


@dataclass
class ImportResult:
    file: str
    batch_id: int | None
    layout: str = ""
    header_row: int = 0
    rows_read: int = 0  # data rows below the header (blank rows not counted)
    rows_used: int = 0  # rows that gave observations
    observations: int = 0  # observations in the batch, missing ones included
    stored: int = 0  # new rows in the store
    unchanged: int = 0  # already stored with the same value
    filled: int = 0  # stored missing values that got a value
    missing: int = 0  # cells reported as missing ('—', '…', blank)
    units: int = 0
    indicators: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    already_imported: bool = False
    dry_run: bool = False
    notes: ProblemReport = field(default_factory=ProblemReport)
    options: dict[str, Any] = field(default_factory=dict)  # the reading options, as a batch records them
    sha256: str = ""
    code_vintage: int | None = None  # the codes of the observations (the store's, or DEFAULT_CODE_VINTAGE)
    # dry run / no store: the observations, columnar (unit_code, period, indicator: str; value: float, NaN missing)
    frame: dict[str, Any] | None = None


def _file_digest(path: str | Path | None) -> str | None:
    if path is None:
        return None
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def import_table(
    path: str | Path,
    store: PanelStore | None,
    *,
    mapping: str | Path | None = None,
    code_year: int | None = None,
    period: str | None = None,
    sheet: str | int | None = None,
    source: str = "import",
    split_rule: str | Path | None = None,
    dry_run: bool = False,
    trust_codes: bool = False,
    skip_unknown: bool = False,
    library: Any = None,
    gazetteer: Any = None,
    code_vintage: int | None = None,
) -> ImportResult:
    """Import one CSV/XLSX table into `store` as one batch; raise XianpingInputError with every problem if
    anything is rejected (then nothing is stored). `store` may be None only with dry_run=True.

    trust_codes: a row whose name is another unit's than its code's is kept under its code (a warning, not
    an error). skip_unknown: rows with codes the gazetteer does not know are left out with a warning.
    code_vintage: the year whose codes the rows must carry and are kept in (default the store's vintage, or
    DEFAULT_CODE_VINTAGE without a store) — the platform reads a 2020 programme's workbook in 2020 codes.
    """
    raw = read_table(path, sheet)
    file = raw.file
    vintage = code_vintage or (store.code_vintage if store is not None else DEFAULT_CODE_VINTAGE)
    options = {
        "code_year": code_year, "period": period, "sheet": raw.sheet, "source": source,
        "mapping_sha256": _file_digest(mapping), "split_rule_sha256": _file_digest(split_rule),
        "store_vintage": vintage, "trust_codes": trust_codes, "skip_unknown": skip_unknown,
    }
    if store is not None and not dry_run:
        done = store.find_batch(raw.sha256, options)
        if done is not None:
            res = ImportResult(file, done, already_imported=True)
            res.notes.add("already_imported", f"this file was already imported with the same options as batch {done}; nothing changed",
                          file=file, severity="note")
            return res

    if library is None:
        from xianping.frameworks.library import load_library

        library = load_library()
    if gazetteer is None:
        from xianping.reference.divisions import gazetteer_for

        gazetteer = gazetteer_for(store)  # the towns/villages registered in the store count as units

    report = ProblemReport()
    mapping_entries = load_mapping(mapping, report) if mapping is not None else None
    split = None
    if split_rule is not None:
        from xianping.ingest.crosswalk_table import load_split_rule

        split = load_split_rule(split_rule, report)

    fixed_period = None
    if period is not None:
        fixed_period = parse_period(period)
        if fixed_period is None:
            report.add("invalid_period", "--period is not a period", column="--period", value=period,
                       expected="a year (2020), a quarter (2020Q1) or a month (2020-03)")

    layout = detect_layout(raw.rows)
    if layout is None:
        report.add("no_id_column", "no header row with a unit code or name column in the first 30 rows", file=file,
                   row=1, value=_preview(raw.rows),
                   expected="a header with 代码/区划代码/code or 地区/名称/区县/name")
        raise XianpingInputError(f"cannot import {file}: no identification column; nothing was stored", report)

    ctx = _Context(file, layout, library, gazetteer, code_year or vintage, report, store,
                   trust_codes=trust_codes, skip_unknown=skip_unknown)
    if layout.kind == "wide":
        colmaps = map_headers(layout.headers, layout.id_columns, library, mapping_entries, report, file=file,
                              header_row=layout.header_row, mapping_file=None if mapping is None else str(mapping))
        ctx.prepare_columns(colmaps)
    if layout.col("period") is None and fixed_period is None and period is None:
        report.add("missing_period", "the table has no period column and no --period was given", file=file,
                   row=layout.header_row, expected="a 年份/year column, or --period 2020 (or 2020Q1, 2020-03)")

    records = ctx.read_rows(raw.rows, fixed_period)

    if code_year is not None and code_year != vintage and records and not report.has_errors:
        from xianping.ingest.crosswalk_table import crosswalk_records

        records = crosswalk_records(records, gazetteer=gazetteer, library=library, from_year=code_year,
                                    to_year=vintage, report=report, file=file, split_rule=split)
        records = ctx.dedupe(records, after_crosswalk=True)

    if not records and not report.has_errors:
        report.add("no_data", "no values to import: no column matched an indicator or no row matched a unit",
                   file=file, row=layout.header_row,
                   expected="headers named like library indicators (see the notes), or a --mapping file")
    if report.has_errors:
        n = len(report.errors)
        raise XianpingInputError(f"{n} problem(s) in {file}; nothing was stored", report)

    notes = ProblemReport([p for p in report if p.severity != "error"])
    result = ImportResult(
        file, None, layout=layout.kind, header_row=layout.header_row, rows_read=ctx.rows_read,
        rows_used=len(ctx.rows_used), observations=len(records), missing=sum(r["value"] is None for r in records),
        units=len({r["unit_code"] for r in records}), indicators=sorted({r["indicator"] for r in records}),
        periods=sorted({r["period"] for r in records}), dry_run=dry_run, notes=notes,
    )
    result.options, result.sha256, result.code_vintage = options, raw.sha256, vintage
    if dry_run or store is None:
        result.frame = _columnar(records)
        return result
    kinds = Counter(p.kind for p in notes)
    meta = BatchMeta(
        file_name=Path(file).name, sha256=raw.sha256, layout=f"{layout.kind} (header row {layout.header_row})",
        options=options, code_vintage=vintage, notes="; ".join(f"{k} ×{v}" for k, v in sorted(kinds.items())),
        problems=[p.as_dict() for p in notes],
    )
    written = store.write_batch(records, meta, source=source)
    result.batch_id = written.batch_id
    result.stored, result.unchanged, result.filled = written.inserted, written.unchanged, written.filled
    return result


def _columnar(records: list[dict[str, Any]]) -> dict[str, Any]:
    import numpy as np

    return {
        "unit_code": np.array([r["unit_code"] for r in records], dtype=object),
        "period": np.array([r["period"] for r in records], dtype=object),
        "indicator": np.array([r["indicator"] for r in records], dtype=object),
        "value": np.array([np.nan if r["value"] is None else r["value"] for r in records], dtype=float),
    }


def _row_kind(row: list[Any]) -> str:
    """'blank', 'note' (a text-only row: a footnote, source line or advertisement) or 'data'; one pass."""
    filled = 0
    for c in row:
        if c is not None and (not isinstance(c, str) or c.strip()):
            filled += 1
            if filled > 1:
                return "data"
    if filled == 0:
        return "blank"
    return "note" if is_footnote_row(row) else "data"


def _preview(rows: list[list[Any]]) -> str:
    first = next((r for r in rows if any(c is not None and str(c).strip() for c in r)), [])
    return " | ".join(str(c) for c in first[:6] if c is not None)[:80]


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= _REL_TOL * max(abs(a), abs(b), 1.0)


class _Context:
    """State of one import: column conversions, unit identification, duplicates and the notes about them."""

    def __init__(self, file: str, layout: Layout, library: Any, gazetteer: Any, year: int, report: ProblemReport,
                 store: PanelStore | None, trust_codes: bool = False, skip_unknown: bool = False):
        self.file, self.layout, self.library, self.gaz, self.year, self.report = file, layout, library, gazetteer, year, report
        self.store, self.trust_codes, self.skip_unknown = store, trust_codes, skip_unknown
        self.context_code: str | None = None  # last coded row above: blank-code rows below belong to its province
        self.columns: list[tuple[ColumnMap, Any, float | None]] = []  # (column, indicator, factor)
        self.rows_read = 0
        self.rows_used: set[int] = set()
        self.missing_by_col: dict[str, Counter] = defaultdict(Counter)
        self.missing_first_row: dict[str, int] = {}
        self._conv_cache: dict[tuple[str | None, str], Any] = {}
        self._long_ind_cache: dict[str, Any] = {}
        self._noted: set[tuple[str | None, str]] = set()
        self._code_cache: dict[tuple[type, Any], str | None] = {}
        self.code_header = layout.headers[layout.col("code")] if layout.col("code") is not None else None
        self._period_cache: dict[tuple[type, Any], str | None] = {}
        self._div_cache: dict[str, Any] = {}
        self._facts: dict[str, tuple[bool, str]] = {}
        self._subunits: set[str] | None = None

    # -- columns -----------------------------------------------------------------------------------

    def prepare_columns(self, colmaps: list[ColumnMap]) -> None:
        for c in colmaps:
            ind = self.library.get(c.indicator)
            conv = convert_factor(c.unit, ind.unit)
            if conv.factor is None:
                self.report.add(conv.kind, f"{conv.message}; column {c.header!r} is {ind.code} in {ind.unit}",
                                file=self.file, row=self.layout.header_row, column=c.header, value=c.unit,
                                expected=f"a unit convertible to {ind.unit} ({ind.name_zh})")
            elif conv.note:
                self.report.add("unit_per_person", f"column {c.header!r} ({ind.code}): {conv.note}", file=self.file,
                                row=self.layout.header_row, column=c.header, value=c.unit, severity="note",
                                expected=f"{ind.unit} ({ind.name_zh}); a --mapping entry with another unit if not")
            self.columns.append((c, ind, conv.factor))

    def _conversion(self, unit: str | None, ind: Any):
        key = (unit, ind.code)
        if key not in self._conv_cache:
            self._conv_cache[key] = convert_factor(unit, ind.unit)
        return self._conv_cache[key]

    # -- rows --------------------------------------------------------------------------------------

    def read_rows(self, rows: list[list[Any]], fixed_period: str | None) -> list[dict[str, Any]]:
        lay = self.layout
        width = len(lay.headers)
        data = rows[lay.header_row:]
        code_col, name_col, period_col = lay.col("code"), lay.col("name"), lay.col("period")
        all_codes = set()
        if code_col is not None:
            for c in {self.code_of(r[code_col] if code_col < len(r) else None) for r in data}:
                if c and is_county_code(c):
                    all_codes.add(c)
        # a province/prefecture row that has its counties in the same file is their subtotal
        prov_prefixes = Counter(c[:2] for c in all_codes)
        pref_prefixes = Counter(c[:4] for c in all_codes)

        def has_children(code: str) -> bool:
            lvl = code_level(code)
            if lvl == "province":
                return prov_prefixes[code[:2]] > 1
            if lvl == "prefecture":
                return pref_prefixes[code[:4]] > 1
            return False

        records: dict[tuple[str, str, str], dict[str, Any]] = {}
        # each row's kind once: blank, text-only (a footnote) or data
        kinds = [_row_kind(r) for r in data]
        last_data_row = max((i for i, kd in enumerate(kinds) if kd == "data"), default=-1)
        for k, row in enumerate(data):
            excel_row = lay.header_row + 1 + k
            if kinds[k] == "blank":
                continue
            if len(row) < width:
                row = list(row) + [None] * (width - len(row))
            if kinds[k] == "note":
                where = "below the table" if k > last_data_row else "inside the table"
                self.report.add("footnote_row", f"text-only row {where} left out (a note, source line or advertisement)",
                                file=self.file, row=excel_row, value=next(c for c in row if c is not None and str(c).strip()),
                                severity="note")
                continue
            self.rows_read += 1
            # only the problems this row added are looked at: re-counting the report's errors on every row made
            # a file with a warning per row quadratic (issue 13: 40k warned rows took 37 s)
            n_before = len(self.report.problems)
            code = self._identify(row, excel_row, code_col, name_col, has_children)
            rejected = any(p.severity == "error" for p in self.report.problems[n_before:])
            if code is None and not rejected:
                continue  # left out with a note (subtotal, zone …)
            per = self._period(row, excel_row, period_col, fixed_period)
            # a row already in error still has its cells checked, so one run names every problem
            if lay.kind == "wide":
                obs = self._wide_values(row, excel_row, code or "?", per or "?")
            else:
                obs = self._long_value(row, excel_row, code or "?", per or "?")
            if code is None or per is None:
                continue
            src, row_flags = self._provenance(row)
            for o in obs:
                if src:
                    o["source"] = src
                if row_flags:
                    o["flags"] = ";".join(f for f in (row_flags, o.get("flags")) if f)
                self._add(records, o)
        self._missing_notes()
        return list(records.values())

    def _code_facts(self, code: str) -> tuple[bool, str]:
        """(is a 6-digit code, its level), once per code."""
        try:
            return self._facts[code]
        except KeyError:
            f = self._facts[code] = (is_county_code(code), code_level(code))
            return f

    def code_of(self, cell: Any) -> str | None:
        """`normalise_code`, once per distinct cell (a panel repeats each code in every period)."""
        key = (cell.__class__, cell)  # True == 1 and 1 == 1.0 as keys: the type keeps them apart
        try:
            return self._code_cache[key]
        except KeyError:
            c = self._code_cache[key] = normalise_code(cell)
            return c
        except TypeError:  # an unhashable cell value
            return normalise_code(cell)

    def _provenance(self, row: list[Any]) -> tuple[str, str]:
        """The row's own source and flags (columns 来源/source and 标记/flags), '' where absent or blank."""
        if self.layout.col("source") is None and self.layout.col("flags") is None:
            return "", ""
        out = []
        for role in ("source", "flags"):
            j = self.layout.col(role)
            cell = row[j] if j is not None and j < len(row) else None
            text = "" if cell is None else str(cell).strip()
            out.append("" if text.lower() in ("nan", "none") else text)
        return out[0], out[1]

    def _add(self, records: dict, o: dict[str, Any]) -> None:
        key = (o["unit_code"], o["period"], o["indicator"])
        prev = records.get(key)
        if prev is None:
            records[key] = o
            return
        if _same(prev["value"], o["value"]):
            return
        if prev["value"] is None or o["value"] is None:  # a value beats a "no data" mark for the same cell
            if prev["value"] is None:
                records[key] = o
            return
        self.report.add("duplicate_conflict",
                        f"{key[0]} {key[1]} {key[2]} appears again with a different value (first at row {prev['row']}: {prev['value']:g})",
                        file=self.file, row=o["row"], column=o["column"], value=o.get("raw", o["value"]),
                        expected=f"one row per unit and period, or the same value as row {prev['row']}")

    def dedupe(self, records: list[dict[str, Any]], after_crosswalk: bool = False) -> list[dict[str, Any]]:
        out: dict[tuple[str, str, str], dict[str, Any]] = {}
        for r in records:
            self._add(out, r)
        return list(out.values())

    def _subunit(self, code: str) -> str | None:
        """The canonical code of a registered town/village (410821100000 → 410821100), else None."""
        from xianping.reference.divisions import normalize_code

        c = normalize_code(code)
        if c is not None and len(c) in (9, 12) and self.gaz.is_registered(c):
            return c
        if self._subunits is None:  # a gazetteer passed in without the store's subunits
            self._subunits = {s["code"] for s in self.store.subunits()} if self.store is not None else set()
        return c if c in self._subunits else None

    def _identify(self, row, excel_row, code_col, name_col, has_children) -> str | None:
        """The unit code of a data row, or None (row left out with a note, or an error reported)."""
        lay, rep, file = self.layout, self.report, self.file
        code_header = lay.headers[code_col] if code_col is not None else None
        name_header = lay.headers[name_col] if name_col is not None else None
        raw_code = row[code_col] if code_col is not None else None
        code = self.code_of(raw_code)
        name = clean_name(row[name_col]) if name_col is not None else ""
        if (code is None or code.upper() == "NA") and name and is_subtotal_name(name):
            rep.add("subtotal_row", f"subtotal row {name!r} left out", file=file, row=excel_row,
                    column=name_header, value=name, severity="note")
            return None
        if code is not None:
            county_like, level = self._code_facts(code)
            if not county_like:
                sub = self._subunit(code)
                if sub is not None:
                    return sub
                rep.add("invalid_code", "not a 6-digit administrative division code", file=file, row=excel_row,
                        column=code_header, value=raw_code,
                        expected="a GB/T 2260 code such as 410802 (or a town/village code registered in the store)")
                return None
            if level != "county" and has_children(code):
                rep.add("subtotal_row", f"{level} row {name or code} left out: its counties are in the file",
                        file=file, row=excel_row, column=code_header, value=raw_code, severity="note")
                return None
            div = self.division(code)
            self.context_code = code
            if div is None:
                if (name and ZONE_RE.search(name)) or "71" <= code[4:6] <= "79":
                    rep.add("non_admin_zone", f"{name or code} is a functional zone without a GB/T 2260 county code; left out",
                            file=file, row=excel_row, column=code_header, value=raw_code, severity="warning")
                    return None
                ever = self.gaz.get(code)
                if ever is not None:
                    span = f"{ever.name} ({ever.years})"
                    expected = f"a code in force in {self.year}; {code} is {span} — pass --code-year <year of the codes>"
                else:
                    expected = f"a GB/T 2260 county code in force in {self.year}"
                if self.skip_unknown:
                    rep.add("unknown_unit", f"unknown unit code {code} ({name}); left out (--skip-unknown)", file=file,
                            row=excel_row, column=code_header, value=raw_code, expected=expected, severity="warning")
                    return None
                rep.add("unknown_unit", f"unknown unit code {code}", file=file, row=excel_row, column=code_header,
                        value=raw_code, expected=expected + "; or --skip-unknown to leave such rows out")
                return None
            if name and not _name_fits(name, div.name):
                # another unit's name: of the same prefecture first (codes or names shifted in a block); then, unless
                # the code ever bore this name (a former name), of another prefecture (a code typed wrong, issue 13)
                named = [d for d in self._lookup(name, row) if d.code != code and _name_fits(name, d.name)]
                others = [d for d in named if d.code[:4] == code[:4]]
                if not others and named and not any(_name_fits(name, d.name) for d in self.gaz.records(code)):
                    rep.add("name_code_mismatch",
                            f"code {code} is {div.full_name}, but the row names {name!r}, which is "
                            + "; ".join(f"{d.code} {d.full_name}" for d in named[:3]) + (" …" if len(named) > 3 else ""),
                            file=file, row=excel_row, column=name_header, value=name,
                            severity="warning" if self.trust_codes else "error",
                            expected=f"{div.name} for code {code}, or the code of {name}"
                                     + ("; kept under the code (--trust-codes)" if self.trust_codes else "; or --trust-codes to keep the codes"))
                    if not self.trust_codes:
                        return None
                    return code
                if others:
                    # the name is another unit's: codes or names were shifted — the worst error a table can hide
                    o = others[0]
                    rep.add("name_code_mismatch", f"code {code} is {div.name}, but the row names {name!r}, which is {o.code}",
                            file=file, row=excel_row, column=name_header, value=name,
                            severity="warning" if self.trust_codes else "error",
                            expected=f"{div.name} for code {code}, or code {o.code} for {name}"
                                     + ("; kept under the code (--trust-codes)" if self.trust_codes else "; or --trust-codes to keep the codes"))
                    if not self.trust_codes:
                        return None
                else:
                    rep.add("name_variant", f"code {code} is {div.name} in {self.year}; the row's {name!r} is taken as a former or variant name",
                            file=file, row=excel_row, column=name_header, value=name, severity="note")
            return code
        # no code: resolve the name through the gazetteer
        if not name:
            rep.add("missing_unit_id", "row has values but neither a code nor a name", file=file, row=excel_row,
                    column=code_header or name_header, expected="a unit code or name")
            return None
        if ZONE_RE.search(name):
            rep.add("non_admin_zone", f"{name} is a functional zone without a GB/T 2260 county code; left out",
                    file=file, row=excel_row, column=name_header, value=name, severity="warning")
            return None
        cands = self._lookup(name, row)
        if code_col is not None and self.context_code:
            # a blank-code row sits under the coded rows of its province (census 2010: 大兴安岭 districts)
            cands = [d for d in cands if d.code[:2] == self.context_code[:2]]
        if not cands:
            if code_col is not None:  # the table has codes, this row lacks one: leave it out but say so
                rep.add("missing_code", f"row {name!r} has no code and the name is not a county of {self.year}; left out",
                        file=file, row=excel_row, column=code_header, value=name, severity="warning",
                        expected="a unit code in the code column")
            else:
                rep.add("unknown_unit", f"no county named {name!r} in {self.year}", file=file, row=excel_row,
                        column=name_header, value=name, expected="a county name as in GB/T 2260, or a code column")
            return None
        counties = [d for d in cands if d.level not in ("province", "prefecture", "country")]
        if not counties:
            rep.add("subtotal_row", f"{cands[0].level} row {name!r} left out", file=file, row=excel_row,
                    column=name_header, value=name, severity="note")
            return None
        if len(counties) > 1:
            listing = "; ".join(f"{d.code} {d.name} ({'/'.join(n for _, n in d.parents)})" for d in counties)
            rep.add("ambiguous_unit", f"name {name!r} fits {len(counties)} units: {listing}", file=file, row=excel_row,
                    column=name_header, value=name,
                    expected="a code column, or 省/市 columns that tell them apart")
            return None
        return counties[0].code

    def _lookup(self, name: str, row: list[Any]) -> list[Any]:
        cands = list(self.gaz.lookup(name, self.year))
        for role in ("province", "prefecture"):
            j = self.layout.col(role)
            hint = clean_name(row[j]) if j is not None else ""
            if hint and len(cands) > 1:
                narrowed = [d for d in cands if any(_name_fits(hint, pn) for _, pn in d.parents)]
                if narrowed:
                    cands = narrowed
        return cands

    def division(self, code: str):
        """The division of `code` in the table's year; a code abolished during that year still counts,
        since tables of year Y (the census of 1 Nov 2010) often use the codes of Y's start. Once per code."""
        try:
            return self._div_cache[code]
        except KeyError:
            pass
        div = self._div_cache[code] = self._division(code)
        return div

    def _division(self, code: str):
        div = self.gaz.get(code, self.year)
        if div is None:
            prev = self.gaz.get(code, self.year - 1)
            if prev is not None and prev.end == self.year:
                return prev
        return div

    def _period(self, row, excel_row, period_col, fixed_period) -> str | None:
        if period_col is None:
            return fixed_period
        cell = row[period_col]
        if cell is None or str(cell).strip() == "":
            if fixed_period is not None:
                return fixed_period
            self.report.add("missing_period", "no period in this row", file=self.file, row=excel_row,
                            column=self.layout.headers[period_col], expected="a year (2020), quarter (2020Q1) or month (2020-03)")
            return None
        key = (cell.__class__, cell)
        try:
            p = self._period_cache[key]
        except KeyError:
            p = self._period_cache[key] = parse_period(cell)
        except TypeError:
            p = parse_period(cell)
        if p is None:
            self.report.add("invalid_period", "not a period", file=self.file, row=excel_row,
                            column=self.layout.headers[period_col], value=cell,
                            expected="a year (2020), quarter (2020Q1) or month (2020-03)")
        return p

    # -- values ------------------------------------------------------------------------------------

    def _wide_values(self, row, excel_row, code, per) -> list[dict[str, Any]]:
        out = []
        for c, ind, factor in self.columns:
            if factor is None:
                continue  # the column's unit was reported once at the header
            o = self._value(row[c.index], excel_row, c.header, ind, factor, code, per)
            if o is not None:
                out.append(o)
        return out

    def _long_value(self, row, excel_row, code, per) -> list[dict[str, Any]]:
        lay = self.layout
        ind_header = lay.headers[lay.col("indicator")]
        label = row[lay.col("indicator")]
        if label is None or str(label).strip() == "":
            self.report.add("missing_indicator", "no indicator in this row", file=self.file, row=excel_row,
                            column=ind_header, expected="an indicator code or name")
            return []
        ind = self._long_indicator(str(label).strip(), excel_row, ind_header)
        if ind is None:
            return []
        unit = None
        if lay.col("unit") is not None:
            u = row[lay.col("unit")]
            unit = None if u is None or str(u).strip() == "" else str(u).strip()
        conv = self._conversion(unit, ind)
        value_header = lay.headers[lay.col("value")]
        if conv.note and (unit, ind.code) not in self._noted:
            self._noted.add((unit, ind.code))
            self.report.add("unit_per_person", f"{ind.code}: {conv.note}", file=self.file, row=excel_row,
                            column=lay.headers[lay.col("unit")], value=unit, severity="note",
                            expected=f"{ind.unit} ({ind.name_zh})")
        if conv.factor is None:
            self.report.add(conv.kind, f"{conv.message}; {ind.code} is in {ind.unit}", file=self.file, row=excel_row,
                            column=lay.headers[lay.col("unit")], value=unit,
                            expected=f"a unit convertible to {ind.unit} ({ind.name_zh})")
            return []
        o = self._value(row[lay.col("value")], excel_row, value_header, ind, conv.factor, code, per)
        return [o] if o is not None else []

    def _long_indicator(self, label: str, excel_row: int, header: str):
        if label not in self._long_ind_cache:
            if label in self.library:
                found = [self.library.get(label)]
            else:
                found = self.library.match(label)
            if len(found) == 1:
                self._long_ind_cache[label] = found[0]
            else:
                self._long_ind_cache[label] = None
                if found:
                    self.report.add("ambiguous_header", f"indicator {label!r} matches {', '.join(i.code for i in found)}",
                                    file=self.file, row=excel_row, column=header, value=label,
                                    expected="an indicator code")
                else:
                    self.report.add("unmapped_indicator", f"indicator {label!r} is not in the library; its rows are left out",
                                    file=self.file, row=excel_row, column=header, value=label, severity="note",
                                    expected="an indicator code, name or synonym")
        return self._long_ind_cache[label]

    def _value(self, cell, excel_row, header, ind, factor, code, per) -> dict[str, Any] | None:
        parsed = parse_number(cell)
        base = {"unit_code": code, "period": per, "indicator": ind.code, "unit": ind.unit, "row": excel_row,
                "column": header, "code_column": self.code_header, "raw": cell}
        self.rows_used.add(excel_row)
        if parsed.error and parsed.reason == "not_finite":
            self.report.add("not_finite", "the number is infinite or too large (it overflows to ±inf)", file=self.file,
                            row=excel_row, column=header, value=cell, expected="a finite number (below 1.8e308)")
            return None
        if parsed.error:
            self.report.add("text_in_number", "text where a number belongs", file=self.file, row=excel_row,
                            column=header, value=cell,
                            expected="a number (1,234 and 12.5 are fine) or a no-data mark such as — … / X")
            return None
        if parsed.missing is not None:
            self.missing_by_col[header][parsed.missing or "blank"] += 1
            self.missing_first_row.setdefault(header, excel_row)
            return {**base, "value": None, "flags": f"missing:{parsed.missing or 'blank'}"}
        if parsed.percent_sign:
            conv = self._conversion("%", ind)
            if conv.factor is None:
                self.report.add("unit_mismatch", f"a percentage in a column of {ind.code} ({ind.unit})", file=self.file,
                                row=excel_row, column=header, value=cell, expected=f"a value in {ind.unit}")
                return None
            factor = conv.factor
        # 12 significant digits: 3 万元 × 1e-4 should read 0.0003 亿元, not 0.00030000000000000003
        value = parsed.value if factor == 1.0 else float(f"{parsed.value * factor:.12g}")
        if ind.nonnegative and value < 0:
            self.report.add("negative_value", f"{ind.code} ({ind.name_zh}) cannot be negative", file=self.file,
                            row=excel_row, column=header, value=cell, expected=f"a value ≥ 0 in {ind.unit}")
            return None
        lo, hi = ind.valid_range if ind.valid_range else (None, None)
        below, above = lo is not None and value < lo, hi is not None and value > hi
        if below or above:
            rng = f"{'' if lo is None else f'{lo:g}'}–{'' if hi is None else f'{hi:g}'} {ind.unit}"
            percent = ind.unit in ("%", "‰")
            # Bounds of percentages and zero are logical (an error); others are plausibility bounds (a warning,
            # the value is kept): census 2020 reports a sex ratio of 241.58 for 三沙市, and it is real.
            if percent or (below and lo == 0):  # (a negative count was caught above as negative_value)
                self.report.add("percent_out_of_range" if percent else "out_of_range",
                                f"{ind.code} ({ind.name_zh}) must lie within its valid range", file=self.file,
                                row=excel_row, column=header, value=cell, expected=rng)
                return None
            self.report.add("implausible_value", f"{ind.code} ({ind.name_zh}) is outside its usual range; kept",
                            file=self.file, row=excel_row, column=header, value=cell, expected=rng, severity="warning")
        return {**base, "value": value, "flags": "" if factor == 1.0 else f"converted×{factor:g}"}

    def _missing_notes(self) -> None:
        for header, counts in self.missing_by_col.items():
            listing = ", ".join(f"{'blank' if m == 'blank' else repr(m)} ×{n}" for m, n in counts.most_common())
            self.report.add("missing_value", f"{sum(counts.values())} cell(s) reported as no data ({listing}); kept as missing values with a flag",
                            file=self.file, row=self.missing_first_row[header], column=header, severity="note")


def _name_fits(a: str, b: str) -> bool:
    """'焦作' fits '焦作市', '河南' fits '河南省': equal, or one is the other plus an administrative suffix."""
    a, b = norm(a), norm(b)
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return bool(short) and long_.startswith(short) and len(long_) - len(short) <= 3
