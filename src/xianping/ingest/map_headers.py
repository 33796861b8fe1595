"""Header → indicator: a user mapping file wins, then the indicator library (`split_header` + `match`).

A header that matches nothing is a warning (its column is not read), with the nearest library spelling as a
"did you mean" when one is close (difflib's ratio ≥ 0.75 on the normalised text and at most two characters
apart, same numbers, same sex: 人均GPD → 人均GDP, but not 85岁及以上 → 65岁及以上; difflib, not rapidfuzz, because
the library has a few hundred spellings and rapidfuzz is not a dependency)."""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xianping.ingest.detect_layout import norm
from xianping.problems import ProblemReport
from xianping.reference.measure_units import split_header

SKIP_WORDS = {"skip", "ignore", "忽略", "-", ""}
_BRACKET = re.compile(r"^(.*?)\s*[（(\[【]([^）)\]】]*)[）)\]】]\s*$")


@dataclass(frozen=True)
class MappingEntry:
    indicator: str | None  # None: the user said to ignore this column
    unit: str | None = None  # the unit the column's values are in, if the header does not say
    row: int | None = None  # where in the mapping file, for problems


@dataclass(frozen=True)
class ColumnMap:
    index: int
    header: str
    indicator: str
    unit: str | None  # source unit (from header bracket or mapping); None = the indicator's own unit
    via: str  # 'mapping' or 'library'


def load_mapping(path: str | Path, report: ProblemReport) -> dict[str, MappingEntry]:
    """Read `header: indicator_code` pairs from YAML (plain or `{indicator:, unit:}` values) or CSV
    (columns header, indicator[, unit]). Keys are normalised headers."""
    path = Path(path)
    file = str(path)
    out: dict[str, MappingEntry] = {}
    if not path.exists():
        report.add("file_not_found", "mapping file not found", file=file, expected="a YAML or CSV mapping file")
        return out
    if path.suffix.lower() == ".csv":
        text = _text(path, report)
        if text is None:
            return out
        rows = list(csv.reader(text.splitlines()))
        if not rows or len(rows[0]) < 2:
            report.add("bad_mapping", "a mapping CSV needs columns header, indicator[, unit]", file=file, row=1,
                       expected="header,indicator,unit")
            return out
        first = [norm(c) for c in rows[0]]
        start = 1 if first[:2] == ["header", "indicator"] or first[0] in ("表头", "列名") else 0
        for i, r in enumerate(rows[start:], start=start + 1):
            if not r or not r[0].strip():
                continue
            ind = r[1].strip() if len(r) > 1 else ""
            unit = r[2].strip() if len(r) > 2 and r[2].strip() else None
            out[norm(r[0])] = MappingEntry(None if ind in SKIP_WORDS else ind, unit, i)
        return out

    from xianping.frameworks.yaml_lines import YamlSyntaxError, load_with_lines

    text = _text(path, report)
    if text is None:
        return out
    try:
        data, lines = load_with_lines(text)  # the limits (aliases, depth, size) and duplicate keys refused
    except YamlSyntaxError as e:
        for p in e.problems(file):
            report.add("bad_mapping", f"mapping file is not valid YAML: {p.message}", file=file, row=p.row,
                       column=p.column, expected="lines of `header: indicator_code`")
        return out
    prefix: tuple = ()
    if isinstance(data, dict) and isinstance(data.get("mapping"), dict):
        data, prefix = data["mapping"], ("mapping",)
    if not isinstance(data, dict):
        report.add("bad_mapping", "mapping file must be a mapping of header → indicator code", file=file, row=1,
                   expected="lines of `header: indicator_code`")
        return out
    for key, val in data.items():
        row = lines.get(prefix + (key,))
        if isinstance(val, dict):
            ind, unit = val.get("indicator"), val.get("unit")
        else:
            ind, unit = val, None
        ind = None if ind is None or str(ind).strip() in SKIP_WORDS else str(ind).strip()
        out[norm(key)] = MappingEntry(ind, None if unit is None else str(unit), row)
    return out


def _text(path: Path, report: ProblemReport) -> str | None:
    """The mapping file's text by the one decoding rule (UTF-8 ± BOM, UTF-16, GBK); bytes that are none of them are
    a problem naming the file."""
    from xianping.ingest.read_table import decode_text

    data = path.read_bytes()
    try:
        return decode_text(data)[0]
    except UnicodeDecodeError as e:
        report.add("bad_mapping", f"mapping file is not text (byte {data[e.start:e.start + 1]!r} at position {e.start})",
                   file=str(path), expected="a YAML or CSV mapping file in UTF-8, UTF-16 or GBK")
        return None


def map_headers(
    headers: list[str],
    skip: set[int],
    library: Any,
    mapping: dict[str, MappingEntry] | None,
    report: ProblemReport,
    *,
    file: str,
    header_row: int,
    mapping_file: str | None = None,
) -> list[ColumnMap]:
    """Columns that carry an indicator; an unknown mapped code or an ambiguous header is an error,
    an unmatched header a note (the column is left out)."""
    mapping = mapping or {}
    cols: list[ColumnMap] = []
    for j, header in enumerate(headers):
        if j in skip or not header:
            continue
        entry = mapping.get(norm(header))
        name, unit = split_header(header)
        if entry is not None:
            if entry.indicator is None:
                continue
            if entry.indicator not in library:
                suggestions = library.suggest(entry.indicator) if hasattr(library, "suggest") else []
                report.add("unknown_indicator", f"mapping names indicator {entry.indicator!r}, which the library does not know",
                           file=mapping_file or file, row=entry.row, column=header, value=entry.indicator,
                           expected="an indicator code from `xianping frameworks`" + (f", e.g. {', '.join(suggestions)}" if suggestions else ""))
                continue
            cols.append(ColumnMap(j, header, entry.indicator, entry.unit or unit, "mapping"))
            continue
        found = library.match(header)
        if len(found) == 1:
            cols.append(ColumnMap(j, header, found[0].code, unit, "library"))
        elif len(found) > 1:
            report.add("ambiguous_header", f"header matches several indicators: {', '.join(i.code for i in found)}",
                       file=file, row=header_row, column=header, value=header,
                       expected="one indicator; say which in a --mapping file (`header: code`)")
        elif (m := _BRACKET.match(header)) and len(named := library.match(m.group(1))) == 1:
            # the name is an indicator's but the bracket is no unit xianping knows: say so, do not drop silently
            report.add("unknown_measure_unit", f"unknown unit {m.group(2)!r} in the header of {named[0].code}",
                       file=file, row=header_row, column=header, value=m.group(2),
                       expected=f"a unit convertible to {named[0].unit}, e.g. {named[0].unit}")
        else:
            guess = near_miss(header, library)
            hint = f" — did you mean {guess[0]} ({guess[1]})?" if guess else ""
            report.add("unmapped_header", f"column not read: no indicator has this name{hint}", file=file,
                       row=header_row, column=header, severity="warning",
                       expected=(f"{guess[0]}, or a --mapping entry `{header}: {guess[1]}`" if guess else
                                 "an indicator name or synonym (`xianping frameworks indicators`), or a --mapping entry"))
    seen: dict[str, ColumnMap] = {}
    kept: list[ColumnMap] = []
    for c in cols:
        if c.indicator in seen:
            report.add("duplicate_column", f"two columns map to indicator {c.indicator}: {seen[c.indicator].header!r} and {c.header!r}",
                       file=file, row=header_row, column=c.header, value=c.indicator,
                       expected="one column per indicator; map the other to `skip` in a --mapping file")
        else:
            seen[c.indicator] = c
            kept.append(c)
    return kept  # the second column is not read, so its cells do not repeat the problem as duplicates


_SPELLINGS: dict[int, tuple[Any, dict[str, tuple[str, str]]]] = {}


def _spellings(library: Any) -> dict[str, tuple[str, str]]:
    """Normalised spelling → (spelling as the library writes it, indicator code), once per library."""
    hit = _SPELLINGS.get(id(library))
    if hit is not None and hit[0] is library:
        return hit[1]
    table: dict[str, tuple[str, str]] = {}
    for ind in library.all():
        for s in (ind.name_zh, *ind.synonyms, ind.name_en, ind.code):  # Chinese spellings first: shown as written
            table.setdefault(norm(split_header(s)[0]), (s, ind.code))
    _SPELLINGS.clear()  # one library at a time is in use; keep the reference so id() is not reused
    _SPELLINGS[id(library)] = (library, table)
    return table


def near_miss(header: str, library: Any, cutoff: float = 0.75) -> tuple[str, str] | None:
    """(spelling, code) of the library spelling nearest to `header` (its unit bracket left off), or None."""
    if not hasattr(library, "all"):
        return None
    table = _spellings(library)
    name = norm(split_header(header)[0])
    m = _BRACKET.match(name)
    if m:
        name = m.group(1)
    for cand in difflib.get_close_matches(name, table.keys(), n=3, cutoff=cutoff):
        if _typo_of(name, cand):
            return table[cand]
    return None


_DIGITS = re.compile(r"\d+")


def _typo_of(name: str, spelling: str) -> bool:
    """Is `name` a slip of `spelling` (one or two characters wrong, swapped, missing or extra) rather than another
    quantity? A yearbook's neighbouring columns differ from a library name just as little but mean something else
    (85岁及以上 is not 65岁及以上; 平均受教育年限-男 is not -合计): other numbers or another sex is never a typo."""
    if _DIGITS.findall(name) != _DIGITS.findall(spelling):
        return False
    if {c for c in name if c in "男女"} != {c for c in spelling if c in "男女"}:
        return False
    ops = difflib.SequenceMatcher(None, name, spelling, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal") <= 2
