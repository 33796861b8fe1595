"""Sub-county units for 百县千镇万村: towns (乡级, 9-digit statistical codes) and villages (村级, 12-digit).

Statistical division codes (统计用区划代码, 国家统计局) extend the 6-digit county code by 3 digits for the
town and 3 more for the village, so a town's code starts with its county's code and a village's with its
town's. The packaged data has no sub-county units; users register the ones they evaluate.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from xianping.problems import ProblemReport
from xianping.reference.divisions.model import Division
from xianping.reference.divisions.names import derive_kind

if TYPE_CHECKING:
    from xianping.reference.divisions.gazetteer import Gazetteer

COLUMNS = ("code", "name", "parent_code", "level")
_LEN = {"town": 9, "village": 12}


def _clean(v: Any) -> str:
    s = "" if v is None else str(v).strip()
    return s[:-2] if s.endswith(".0") and s[:-2].isdigit() else s


def _level(r: Mapping[str, str]) -> str:
    """Declared level, or the one the code length implies."""
    if r["level"]:
        return r["level"].lower()
    code = r["code"]
    if len(code) == 9 or (len(code) == 12 and code.endswith("000")):
        return "town"
    return "village" if len(code) == 12 else ""


def validate_subunits(
    gaz: "Gazetteer", rows: Iterable[Mapping[str, Any]], *, file: str | None = None, first_row: int = 1
) -> tuple[ProblemReport, list[Division]]:
    """Check every row; return the located problems and the divisions the valid rows describe.

    Rules: level is town or village (inferred from the code length when empty); the code is all digits,
    9 for a town (12 ending in 000 accepted) and 12 for a village; a town's parent is a county-level code
    in force now and its code starts with it; a village's parent is a town registered before or in the same
    batch and its code starts with it; no code twice. Towns and villages take their parent's years.
    """
    report = ProblemReport()
    pending: list[tuple[int, dict[str, str]]] = []
    for i, row in enumerate(rows):
        r = {k: _clean(row.get(k)) for k in COLUMNS}
        pending.append((first_row + i, r))

    def add(kind, msg, rowno, col, value, expected):
        report.add(kind, msg, file=file, row=rowno, column=col, value=value, expected=expected)

    batch: dict[str, Division] = {}
    # towns first so villages may name a town further down the file
    order = sorted(pending, key=lambda p: 0 if _level(p[1]) == "town" else 1)
    for rowno, r in order:
        code, name, parent_code, level = r["code"], r["name"], r["parent_code"], _level(r)
        ok = True
        if level not in _LEN:
            add("bad_level", "level must be town or village", rowno, "level", r["level"], "town (乡级, 9-digit code) or village (村级, 12-digit code)")
            continue
        if not code.isdigit():
            add("bad_code", "code must be digits only", rowno, "code", code, f"{_LEN[level]} digits")
            continue
        if level == "town" and len(code) == 12 and code.endswith("000"):
            code = code[:9]  # 12-digit statistical form of a town code
        if len(code) != _LEN[level]:
            add("bad_code_length", f"a {level} code has {_LEN[level]} digits", rowno, "code", code, f"{_LEN[level]} digits")
            continue
        if not name:
            add("missing_name", "name is empty", rowno, "name", name, "the unit's name, e.g. 城关镇")
            ok = False
        if code in batch:
            add("duplicate_code", "code registered twice", rowno, "code", code, "each code once")
            continue
        if gaz.is_registered(code):
            old = gaz.get(code)
            pc_norm = parent_code[: 6 if level == "town" else 9] if len(parent_code) == 12 and parent_code.endswith("000" if level == "village" else "000000") else parent_code
            if old is not None and old.name == name and old.parent_code == pc_norm:
                continue  # registered before exactly so: registering a file again changes nothing
            add("duplicate_code", f"code registered before as {old.name if old else '?'} under {old.parent_code if old else '?'}",
                rowno, "code", code, "each code once, or the same name and parent as registered before")
            continue
        parent: Division | None = None
        if level == "town":
            pc = parent_code[:6] if len(parent_code) == 12 and parent_code.endswith("000000") else parent_code
            parent = gaz.get(pc) if len(pc) == 6 and pc.isdigit() else None
            if parent is None or parent.level != "county" or not parent.is_current:
                why = "unknown" if parent is None else (f"{parent.name} is not county-level" if parent.level != "county" else f"{parent.name} is not in use ({parent.years})")
                add("unknown_parent", f"parent county {why}", rowno, "parent_code", parent_code, "a 6-digit county-level code in use now")
                continue
        else:
            pc = parent_code[:9] if len(parent_code) == 12 and parent_code.endswith("000") else parent_code
            parent = batch.get(pc) or (gaz.get(pc) if gaz.is_registered(pc) else None)
            if parent is None:
                add("unknown_parent", "parent town is not registered", rowno, "parent_code", parent_code, "the 9-digit code of a town registered before or in this file")
                continue
        if not code.startswith(parent.code):
            add("prefix_mismatch", f"code does not start with its parent's code {parent.code}", rowno, "code", code, f"{parent.code} followed by {len(code) - len(parent.code)} digits")
            continue
        if ok:
            batch[code] = Division(
                code=code,
                name=name,
                level=level,  # type: ignore[arg-type]
                kind=derive_kind(name, level),
                start=parent.start,
                end=parent.end,
                parents=parent.parents + ((parent.code, parent.name),),
            )
    # towns were checked first; report in file order as the user reads the file
    report.problems.sort(key=lambda p: p.row or 0)
    return report, list(batch.values())


def read_subunits_csv(path: str | Path) -> tuple[list[dict[str, str]] | None, ProblemReport]:
    """Rows of a towns/villages CSV (UTF-8, header code,name,parent_code,level), or None and the problem."""
    report = ProblemReport()
    p = Path(path)
    if not p.is_file():
        report.add("file_not_found", "file not found", file=str(path), expected="a CSV file")
        return None, report
    from xianping.ingest.read_table import decode_text

    data = p.read_bytes()
    try:
        text = decode_text(data)[0]  # the one decoding rule: UTF-8 ± BOM, UTF-16, GBK as Excel saves it
    except UnicodeDecodeError as e:
        report.add("unreadable_file", f"not text (byte {data[e.start:e.start + 1]!r} at position {e.start})",
                   file=str(path), expected="a CSV in UTF-8, UTF-16 or GBK")
        return None, report
    with io.StringIO(text, newline="") as f:
        reader = csv.DictReader(f)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in COLUMNS[:3] if c not in header]
        if missing:
            report.add("missing_column", f"missing column(s) {', '.join(missing)}", file=str(path), row=1, value=",".join(header), expected=",".join(COLUMNS))
            return None, report
        rows = [{(k or "").strip(): v for k, v in row.items()} for row in reader]
    return rows, report
