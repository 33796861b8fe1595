"""填报: what a task asks for, saving a draft, plausibility warnings, submitting, the Excel template and its upload.

    sheet = cells(db, task)                          # unit × indicator, current value, last period's value
    save_draft(db, actor, task, {("410122", "gdp"): 512.3})
    warnings(db, task)                               # change from last period, sums, ranges: each needs a reason
    submit(db, actor, task, {"410122:gdp:change": "新投产项目"})
    template(db, task) → xlsx bytes ; upload(db, actor, folder, task, "t.xlsx", data)

An upload is read by the ingest layer's one reading path (import_table, dry run, with the read_table limits:
located errors, unit conversion) — nothing here parses a spreadsheet a second way.
"""

from __future__ import annotations

import hashlib
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xianping.platform.audit.record import Actor, writing
from xianping.platform.db.models import DataValue, Department, Programme, Submission, Task, Unit, User
from xianping.platform.workflow.incoming import SHEET_TYPES, clean_name, incoming_copy
from xianping.platform.workflow.programme_open import require_open
from xianping.platform.workflow.programmes import department_indicators, framework_of, previous_period
from xianping.problems import ProblemReport, XianpingInputError

EDITABLE = ("pending", "rejected", "overdue")
MAX_UPLOAD_BYTES = 5 * 2**20          # a task's workbook is a few KB; read_table's own limits still apply
VALUE_HEADER = "数值"                  # ingest's 'value' role: the column a reporter fills


@dataclass
class Cell:
    unit_code: str
    unit_name: str
    indicator: str
    name_zh: str
    name_en: str
    measure: str
    value: float | None
    status: str | None
    value_id: int | None
    last: float | None
    valid_range: tuple[float | None, float | None] | None
    nonnegative: bool = False

    @property
    def key(self) -> str:
        return f"{self.unit_code}:{self.indicator}"


@dataclass
class Sheet:
    task: Task
    programme: Programme
    cells: list[Cell]

    def by_key(self) -> dict[tuple[str, str], Cell]:
        return {(c.unit_code, c.indicator): c for c in self.cells}


@dataclass
class Warn:
    key: str          # unit:indicator:kind — the explanation is given under this key
    unit_code: str
    indicator: str
    kind: str         # change | sum | range
    message: str


def task_indicators(db: Session, task: Task, fw) -> list[str]:
    p = task.programme
    codes = fw.indicator_codes()
    owned = department_indicators(db, p, codes)
    if task.department_id is not None:
        return owned.get(task.department_id, [])
    # a unit reports what no department of the programme owns
    with_tasks = set(db.scalars(select(Task.department_id).where(Task.programme_id == p.id,
                                                                Task.department_id.is_not(None))).all())
    taken = {c for d, inds in owned.items() if d in with_tasks or p.status == "draft" for c in inds}
    return [c for c in codes if c not in taken]


def task_units(db: Session, task: Task) -> list[Unit]:
    if task.unit_code is not None:
        return list(db.scalars(select(Unit).where(Unit.code == task.unit_code)))
    codes = list((task.programme.settings or {}).get("units", []))
    return list(db.scalars(select(Unit).where(Unit.code.in_(codes)).order_by(Unit.code)))


def cells(db: Session, task: Task) -> Sheet:
    p = task.programme
    fw = framework_of(p)
    lib = {leaf.indicator.code: leaf.indicator for leaf in fw.indicators()}
    inds = task_indicators(db, task, fw)
    units = task_units(db, task)
    codes = [u.code for u in units]
    now = {(v.unit_code, v.indicator): v for v in db.scalars(
        select(DataValue).where(DataValue.programme_id == p.id, DataValue.unit_code.in_(codes),
                                DataValue.indicator.in_(inds), DataValue.period == p.period))}
    last = {(u, i): v for u, i, v in db.execute(
        select(DataValue.unit_code, DataValue.indicator, DataValue.value)
        .where(DataValue.unit_code.in_(codes), DataValue.indicator.in_(inds),
               DataValue.period == previous_period(p.period), DataValue.status == "approved"))}
    out = []
    for u in units:
        for code in inds:
            ind, v = lib[code], now.get((u.code, code))
            out.append(Cell(u.code, u.name, code, ind.name_zh, ind.name_en, ind.unit, v.value if v else None,
                            v.status if v else None, v.id if v else None, last.get((u.code, code)), ind.valid_range,
                            ind.nonnegative))
    return Sheet(task, p, out)


def _editable(task: Task) -> None:
    require_open(task.programme)   # 409, the words review uses too
    if task.status not in EDITABLE:
        raise XianpingInputError(f"task {task.id} is {task.status}: only a pending, rejected or overdue task is filled in")


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)


def _number(raw: Any, where: str, report: ProblemReport) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        x = float(raw.strip().replace(",", "") if isinstance(raw, str) else raw)
    except (TypeError, ValueError):
        report.add("not_a_number", "not a number", column=where, value=str(raw)[:40], expected="a number such as 512.3")
        return None
    if not math.isfinite(x):
        report.add("not_finite", "not a finite number", column=where, value=str(raw)[:40], expected="a finite number")
        return None
    return x


def save_draft(db: Session, actor: Actor | User, task: Task, values: dict[tuple[str, str], Any],
               ip: str | None = None, sheet: Sheet | None = None) -> int:
    """Store the given values as drafts (each change audited, old → new); returns how many changed. Keys outside
    the task, text that is not a number, and approved values are refused, all listed, nothing stored."""
    _editable(task)
    sheet = sheet or cells(db, task)
    known = sheet.by_key()
    report = ProblemReport()
    parsed: dict[tuple[str, str], float | None] = {}
    for key, raw in values.items():
        where = f"{key[0]}:{key[1]}"
        if key not in known:
            report.add("not_in_task", f"task {task.id} does not ask for this unit × indicator", column=where,
                       value=where, expected="a unit and indicator of the task")
            continue
        if known[key].status == "approved":
            report.add("already_approved", "an approved value is not changed by its reporter", column=where)
            continue
        x = parsed[key] = _number(raw, where, report)
        c = known[key]
        lo, hi = c.valid_range or (None, None)
        # the bounds ingest treats as logical (an error there too): negatives of a nonnegative indicator,
        # percentages outside their range, below a zero floor; other bounds are warnings needing a reason
        if x is not None and ((c.nonnegative and x < 0) or (((lo is not None and x < lo) or (hi is not None and x > hi))
                                                           and (c.measure in ("%", "‰") or (lo == 0 and x < 0)))):
            report.add("out_of_range", f"{c.name_zh} must lie within its valid range", column=where, value=x,
                       expected=f"{'' if lo is None else f'{lo:g}'}–{'' if hi is None else f'{hi:g}'} {c.measure}"
                                + (" (≥ 0)" if c.nonnegative else ""))
    report.raise_if_errors(f"cannot save task {task.id}; nothing was stored")
    changes = [(k, x) for k, x in parsed.items() if not (_same(known[k].value, x) and known[k].status == "draft")]
    if not changes:
        return 0
    user_id = actor.id
    with writing(db, actor, ip) as w:
        existing = {(v.unit_code, v.indicator): v for v in db.scalars(
            select(DataValue).where(DataValue.id.in_([known[k].value_id for k, _ in changes if known[k].value_id])))}
        for k, x in changes:
            v = existing.get(k)
            old = {"value": v.value, "status": v.status} if v else None
            if v is None:
                v = DataValue(programme_id=task.programme_id, unit_code=k[0], indicator=k[1],
                              period=task.programme.period, value=x, status="draft", reporter_id=user_id)
                db.add(v)
                db.flush()
            else:
                v.value, v.status, v.reporter_id = x, "draft", user_id
            w.record("value.save", "data_value", v.id, field=f"{k[0]}:{k[1]}", old=old, new={"value": x, "status": "draft"})
    return len(changes)


def warnings(db: Session, task: Task, sheet: Sheet | None = None) -> list[Warn]:
    """Plausibility warnings over the task's current values: change from last period beyond the programme's share,
    components not adding up to their total, a value outside the indicator's valid range."""
    sheet = sheet or cells(db, task)
    settings = task.programme.settings or {}
    share = float(settings.get("change_share", 0.30))
    out: list[Warn] = []
    vals = {k: c.value for k, c in sheet.by_key().items()}
    for c in sheet.cells:
        if c.value is None:
            continue
        if c.last is not None and c.last != 0 and abs(c.value - c.last) / abs(c.last) > share:
            out.append(Warn(f"{c.key}:change", c.unit_code, c.indicator, "change",
                            f"{c.name_zh} {c.value:g} 较上期 {c.last:g} 变化 {100 * (c.value - c.last) / abs(c.last):+.1f}%，"
                            f"超过 {100 * share:g}% (change from last period beyond {100 * share:g}%)"))
        lo, hi = c.valid_range or (None, None)
        if (lo is not None and c.value < lo) or (hi is not None and c.value > hi):
            out.append(Warn(f"{c.key}:range", c.unit_code, c.indicator, "range",
                            f"{c.name_zh} {c.value:g} 超出合理范围 [{'' if lo is None else f'{lo:g}'}, "
                            f"{'' if hi is None else f'{hi:g}'}] {c.measure} (outside the indicator's range)"))
    units = dict.fromkeys(c.unit_code for c in sheet.cells)
    for rule in settings.get("sum_rules", []):
        total, parts, tol = rule["total"], list(rule["parts"]), float(rule.get("tolerance", 0.01))
        for u in units:
            t, xs = vals.get((u, total)), [vals.get((u, q)) for q in parts]
            if (u, total) not in vals or any((u, q) not in vals for q in parts) or t is None or any(x is None for x in xs):
                continue
            s = sum(xs)
            if abs(s - t) > tol * max(abs(t), 1e-12):
                out.append(Warn(f"{u}:{total}:sum", u, total, "sum",
                                f"{rule.get('name', total)}: {' + '.join(parts)} = {s:g} ≠ {total} {t:g} "
                                f"(components do not add up to their total, tolerance {100 * tol:g}%)"))
    return out


def submit(db: Session, actor: Actor | User, task: Task, explanations: dict[str, str] | None = None, *,
           file_name: str | None = None, file_sha256: str | None = None, ip: str | None = None) -> Submission:
    """pending/rejected → submitted: a Submission (file, explanations), the values submitted and linked to it.
    Refused, naming each, while a value is missing or a warning has no written explanation."""
    _editable(task)
    sheet = cells(db, task)
    explanations = {k: v.strip() for k, v in (explanations or {}).items() if isinstance(v, str) and v.strip()}
    report = ProblemReport()
    for c in sheet.cells:
        if c.value is None:
            report.add("missing_value", f"{c.unit_name} {c.name_zh}: no value", column=c.key, expected="a number")
    warns = warnings(db, task, sheet)
    for wn in warns:
        if wn.key not in explanations:
            report.add("needs_explanation", wn.message, column=wn.key, expected="a written explanation (说明) for this warning")
    report.raise_if_errors(f"task {task.id} cannot be submitted yet")
    explained = {wn.key: explanations[wn.key] for wn in warns}
    with writing(db, actor, ip) as w:
        s = Submission(task_id=task.id, user_id=actor.id, file_name=file_name, file_sha256=file_sha256, explanations=explained)
        db.add(s)
        db.flush()
        w.record("submission.create", "submission", s.id, new={"task_id": task.id, "file_name": file_name,
                                                               "file_sha256": file_sha256, "explanations": explained})
        ids = [c.value_id for c in sheet.cells if c.status != "approved"]
        for v in db.scalars(select(DataValue).where(DataValue.id.in_(ids))):
            w.record("value.submit", "data_value", v.id, field="status", old=v.status, new="submitted")
            v.status, v.submission_id, v.reporter_id = "submitted", s.id, actor.id
        w.record("task.submit", "task", task.id, field="status", old=task.status, new="submitted")
        task.status = "submitted"
    return s


# ------------------------------------------------------------------------------------------------ Excel template

TEMPLATE_HEADERS = ["代码", "名称", "指标代码", "指标(中文) indicator", "单位", "上期值 last period", VALUE_HEADER]


def template(db: Session, task: Task) -> bytes:
    """The task's workbook: one row per unit × indicator (codes, names, units, last period's value, this period's
    value if saved), in the long layout the ingest layer reads back. Text cells written through excel_safe."""
    from openpyxl import Workbook

    from xianping.report.excel_safe import append_row

    sheet = cells(db, task)
    wb = Workbook()
    ws = wb.active
    ws.title = "填报 report"
    append_row(ws, TEMPLATE_HEADERS)
    for c in sheet.cells:
        append_row(ws, [c.unit_code, c.unit_name, c.indicator, c.name_zh, c.measure, c.last, c.value])
    for col, width in zip("ABCDEFG", (12, 14, 26, 30, 10, 16, 14)):
        ws.column_dimensions[col].width = width
    info = wb.create_sheet("说明 notes")
    append_row(info, ["考核方案 programme", sheet.programme.name])
    append_row(info, ["期间 period", sheet.programme.period])
    append_row(info, ["任务 task", task.id])
    append_row(info, ["填写 fill in", f"只填写“{VALUE_HEADER}”列 (fill the {VALUE_HEADER} column only); 上期值仅供参考"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@dataclass
class Uploaded:
    sha256: str
    file_name: str
    unchanged: bool = False
    saved: int = 0
    submission: Submission | None = None
    warnings: list[Warn] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def programme_library(p: Programme):
    """The library the programme's framework scores with: its inline indicators and overrides (a range, a unit)
    replace the catalogue's entries, so an upload is read and checked as the framework defines them."""
    from xianping.frameworks.library import IndicatorLibrary

    fw = framework_of(p)
    leaves = [leaf.indicator for leaf in fw.indicators()]
    codes = {i.code for i in leaves}
    return IndicatorLibrary([i for i in fw.indicator_library.all() if i.code not in codes] + leaves)


def _gazetteer_with_subunits(task: Task):
    """The divisions reference plus the task's towns/villages (9- or 12-digit codes under a county). Zones and
    clusters have codes of the platform's own, which the reading path cannot take (they are refused, located)."""
    from sqlalchemy.orm import object_session

    from xianping.reference.divisions import gazetteer_for

    rows = [{"code": u.code, "name": u.name, "parent_code": u.parent_code or u.county_code, "level": u.kind}
            for u in task_units(object_session(task), task) if u.kind in ("town", "village")]

    class _Units:   # gazetteer_for's `store`: anything with subunits() rows
        @staticmethod
        def subunits() -> list[dict[str, str]]:
            return rows

    return gazetteer_for(_Units())


def read_upload(folder: Path, task: Task, sheet: Sheet, file_name: str, data: bytes) -> tuple[dict[tuple[str, str], float | None], ProblemReport]:
    """The values of an uploaded workbook/CSV, read by ingest's import_table (dry run); every problem located."""
    from xianping.ingest.run_import import import_table

    with incoming_copy(folder, file_name, data, max_bytes=MAX_UPLOAD_BYTES,
                       what="only the task's workbook (.xlsx) or a CSV is read",
                       expected="the workbook downloaded from the task, filled in") as (name, tmp):
        # the task's units are the authority: codes as in force in the programme's year (its units were chosen so),
        # and the towns/villages registered on the platform count as units, as a store's do
        res = import_table(tmp, None, dry_run=True, period=task.programme.period, library=programme_library(task.programme),
                           code_vintage=int(task.programme.period[:4]), gazetteer=_gazetteer_with_subunits(task))
    report = ProblemReport()
    frame = res.frame or {}
    known = sheet.by_key()
    out: dict[tuple[str, str], float | None] = {}
    for u, per, ind, x in zip(frame.get("unit_code", []), frame.get("period", []), frame.get("indicator", []),
                              frame.get("value", [])):
        key = (str(u), str(ind))
        if key not in known:
            report.add("not_in_task", f"task {task.id} does not ask for {ind} of {u}", file=name, column="代码/指标代码",
                       value=f"{u}:{ind}", expected="the units and indicators of the task's template")
        elif str(per) != task.programme.period:
            report.add("wrong_period", "a value of another period", file=name, column="period", value=str(per),
                       expected=task.programme.period)
        else:
            out[key] = None if x != x else float(x)
    report.raise_if_errors(f"{len(report.errors)} problem(s) in {name}; nothing was stored")
    notes = ProblemReport([p for p in res.notes if p.severity != "note"])
    return out, notes


def upload(db: Session, actor: Actor | User, folder: Path, task: Task, file_name: str, data: bytes,
           explanations: dict[str, str] | None = None, ip: str | None = None) -> Uploaded:
    """Read an uploaded workbook, store its values as drafts and submit them when no warning is left unexplained
    (else the warnings come back and the values wait as drafts). The same file with the same values as the last
    submission changes nothing."""
    from xianping.files.atomic import write_bytes

    require_open(task.programme)   # first: a closed programme takes no upload, not even the same file again
    sha = hashlib.sha256(data).hexdigest()
    name = clean_name(file_name)
    sheet = cells(db, task)
    values, notes = read_upload(folder, task, sheet, name, data)
    res = Uploaded(sha, name, notes=[p.message for p in notes])
    last = db.scalars(select(Submission).where(Submission.task_id == task.id).order_by(Submission.id.desc()).limit(1)).first()
    known = sheet.by_key()
    # checked before the task's state: sending the same file again after submitting is harmless, and said so
    if last is not None and last.file_sha256 == sha and all(_same(known[k].value, x) for k, x in values.items()):
        res.unchanged = True
        res.notes.append(f"这个文件已于 {last.at:%Y-%m-%d %H:%M} 提交（submission {last.id}），数值相同，未做任何更改 "
                         "(the same file with the same values was already submitted: nothing changed)")
        return res
    _editable(task)
    write_bytes(folder / "uploads" / f"{sha}{Path(name).suffix.lower()}", data)   # kept outside the web root
    res.saved = save_draft(db, actor, task, values, ip, sheet)
    sheet = cells(db, task)
    res.warnings = warnings(db, task, sheet)
    given = {k for k, v in (explanations or {}).items() if isinstance(v, str) and v.strip()}
    if all(wn.key in given for wn in res.warnings) and all(c.value is not None for c in sheet.cells):
        res.submission = submit(db, actor, task, explanations, file_name=name, file_sha256=sha, ip=ip)
    return res


def stored_upload(folder: Path, sha256: str) -> Path | None:
    """The kept file of an earlier upload of this content (so a submit after explaining warnings can name it)."""
    if not (len(sha256) == 64 and all(c in "0123456789abcdef" for c in sha256)):
        return None
    hits = [p for p in (folder / "uploads").glob(f"{sha256}.*") if p.suffix in SHEET_TYPES]
    return hits[0] if hits else None


def department_name(db: Session, task: Task) -> str | None:
    return db.get(Department, task.department_id).name if task.department_id else None
