"""考核方案: create a programme (draft) and publish it (draft → open: one task per unit and per department).

    p = create(db, actor, name="河南 2025 年度考核", framework_yaml=text, scope="41", period="2025",
               fill_by=date(2026, 1, 31), review_by=date(2026, 2, 15), publicity_days=7)
    publish(db, actor, p.id)      # idempotent: a second call creates nothing and says so

The framework text is checked by the frameworks loader (its YAML limits, every problem located); the units are
fixed when the programme is created (a province's or prefecture's 县域 units from the divisions reference, or
the towns / villages / zones / clusters registered under a county) so publishing creates exactly those tasks.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tempfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xianping.platform.audit.record import Actor, writing
from xianping.platform.db.models import UNIT_KINDS, Department, DepartmentIndicator, Programme, Task, Unit, User, utcnow
from xianping.problems import ProblemReport, XianpingInputError

DEFAULT_SETTINGS: dict[str, Any] = {
    "change_share": 0.30,   # |this − last| / |last| above it asks for an explanation
    # components that must add up to their total (only where the framework has all of them); tolerance relative
    "sum_rules": [{"name": "三次产业 vs GDP", "total": "gdp", "parts": ["va_primary", "va_secondary", "va_tertiary"],
                   "tolerance": 0.01}],
}
_PERIOD = [("year", re.compile(r"\d{4}")), ("quarter", re.compile(r"\d{4}Q[1-4]")), ("month", re.compile(r"\d{4}-(0[1-9]|1[0-2])"))]


def period_kind(period: str) -> str | None:
    return next((k for k, rx in _PERIOD if rx.fullmatch(period)), None)


def previous_period(period: str) -> str:
    """2025 → 2024, 2025Q1 → 2024Q4, 2025-01 → 2024-12."""
    y = int(period[:4])
    if "Q" in period:
        q = int(period[5])
        return f"{y - 1}Q4" if q == 1 else f"{y}Q{q - 1}"
    if "-" in period:
        m = int(period[5:7])
        return f"{y - 1}-12" if m == 1 else f"{y}-{m - 1:02d}"
    return str(y - 1)


def load_framework_text(text: str, file: str = "framework.yaml"):
    """The Framework of a programme's YAML text, through the frameworks loader (its size, depth and alias limits;
    every problem with line and key path). Raises XianpingInputError naming `file`."""
    from xianping.frameworks.load import load_framework

    name = Path(file).name if Path(file).suffix in (".yaml", ".yml") else "framework.yaml"
    with tempfile.TemporaryDirectory(prefix="xianping-fw-") as d:   # the loader reads files: the text gets one
        p = Path(d) / name
        p.write_text(text, encoding="utf-8")
        try:
            return load_framework(p)
        except XianpingInputError as e:
            named = ProblemReport([replace(q, file=file) if q.file == str(p) else q for q in e.report])
            raise XianpingInputError(str(e).replace(str(p), file), named) from None


def decode_upload(data: bytes, file: str) -> str:
    """An uploaded text file's text by the one decoding rule (ingest.read_table.decode_text), or a located refusal."""
    from xianping.ingest.read_table import decode_text

    try:
        return decode_text(data)[0]
    except UnicodeDecodeError:
        report = ProblemReport()
        report.add("unreadable_file", "the bytes are none of UTF-8, UTF-16, GB18030", file=file,
                   expected="a UTF-8 (or GBK) text file")
        raise XianpingInputError(f"{file} is not text", report) from None


def read_classes(data: bytes, file: str) -> dict[str, str]:
    """A county-classes CSV (columns 代码/code, 类别/class): unit code → class, each bad row located."""
    text = decode_upload(data, file)
    report = ProblemReport()
    rows = list(csv.reader(io.StringIO(text)))
    out: dict[str, str] = {}
    if not rows or len(rows[0]) < 2:
        report.add("bad_classes", "a classes file has two columns: the unit code and its class", file=file, row=1,
                   expected="代码,类别 (code,class)")
    for i, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        code, cls = (row + ["", ""])[:2]
        if not re.fullmatch(r"\d{6,12}", code.strip()) or not cls.strip():
            report.add("bad_class_row", "each row needs a unit code and a class", file=file, row=i, column="代码",
                       value=",".join(row)[:80], expected="410122,重点开发区")
            continue
        out[code.strip()] = cls.strip()
    report.raise_if_errors(f"cannot read the county classes in {file}")
    return out


@dataclass
class UnitRow:
    code: str
    name: str
    kind: str
    county_code: str
    parent_code: str | None


def units_in_scope(db: Session, scope: str, unit_kind: str, year: int) -> list[UnitRow]:
    """County-level 县域 units of a province/prefecture (the divisions reference, as in force in `year`), or the
    units of `unit_kind` registered under a county (Unit rows)."""
    if unit_kind == "county":
        from xianping.reference.divisions.gazetteer import DivisionNotFound, get_gazetteer
        from xianping.reference.divisions.kinds import is_county_area

        prefix = scope[:2] if re.fullmatch(r"\d{2}0000", scope) else scope[:4] if re.fullmatch(r"\d{4}00", scope) else scope
        try:
            divs = get_gazetteer().children(prefix, year)
        except DivisionNotFound as e:
            raise XianpingInputError(f"--province {scope}: {e}") from None
        return [UnitRow(d.code, d.name, "county", d.code, d.parent_code) for d in divs if is_county_area(d.kind)]
    rows = db.scalars(select(Unit).where(Unit.county_code == scope, Unit.kind == unit_kind, Unit.active)
                      .order_by(Unit.code)).all()
    return [UnitRow(u.code, u.name, u.kind, u.county_code, u.parent_code) for u in rows]


def province_of(scope: str) -> str:
    return scope[:2] + "0000"


def create(db: Session, actor: Actor | User, *, name: str, framework_yaml: str, scope: str, period: str,
           fill_by: date, review_by: date, publicity_days: int, classes: dict[str, str] | None = None,
           unit_kind: str = "county", settings: dict[str, Any] | None = None, framework_file: str = "framework.yaml",
           ip: str | None = None) -> Programme:
    """A draft programme; refused whole (every problem listed) when anything is wrong."""
    from xianping.frameworks.yaml_lines import MAX_YAML_CHARS

    report = ProblemReport()
    if len(framework_yaml) > MAX_YAML_CHARS:
        report.add("yaml_too_large", f"the framework has {len(framework_yaml):,} characters, more than a framework can need",
                   file=framework_file, value=len(framework_yaml), expected=f"at most {MAX_YAML_CHARS:,}")
        report.raise_if_errors("cannot create the programme")
    fw = load_framework_text(framework_yaml, framework_file)
    kind = period_kind(period)
    if kind is None:
        report.add("bad_period", "not a period", column="period", value=period, expected="2025, 2025Q1 or 2025-03")
    if unit_kind not in UNIT_KINDS:
        report.add("bad_unit_kind", "unknown unit kind", column="unit_kind", value=unit_kind, expected=", ".join(UNIT_KINDS))
    scope = scope.strip()
    if re.fullmatch(r"\d{2}", scope):
        scope += "0000"
    elif re.fullmatch(r"\d{4}", scope):
        scope += "00"
    if not re.fullmatch(r"\d{6}", scope):
        report.add("bad_scope", "not a division code", column="province", value=scope, expected="41, 410000, 4101 or a county code")
    elif unit_kind == "county" and scope[2:] != "0000" and scope[4:] != "00":
        report.add("bad_scope", "a programme over counties runs over a province or a prefecture", column="province",
                   value=scope, expected="41 or 4101")
    elif unit_kind != "county" and scope[4:] == "00":
        report.add("bad_scope", f"a programme over {unit_kind} units runs under one county", column="county",
                   value=scope, expected="a county code such as 410122")
    if review_by < fill_by:
        report.add("bad_deadline", "审核截止 (review-by) is before 填报截止 (fill-by)", column="review_by",
                   value=review_by.isoformat(), expected=f"on or after {fill_by.isoformat()}")
    if not 0 <= publicity_days <= 60:
        report.add("bad_publicity_days", "公示期 is a number of days", column="publicity_days", value=publicity_days,
                   expected="0 … 60")
    if not name.strip():
        report.add("missing_name", "the programme needs a name", column="name", expected="e.g. 2025 年度县域经济考核")
    report.raise_if_errors("cannot create the programme")

    units = units_in_scope(db, scope, unit_kind, int(period[:4]))
    if not units:
        report.add("no_units", f"no {unit_kind} units under {scope}", column="province", value=scope,
                   expected="a province/prefecture with counties, or register towns/zones under the county first")
    codes = {u.code for u in units}
    classes = dict(classes or {})
    for code, cls in classes.items():
        if code not in codes:
            report.add("class_of_unknown_unit", "a class is given for a unit the programme does not cover",
                       file="classes", column="代码", value=code, expected=f"a unit under {scope}")
        elif cls not in fw.county_types:
            report.add("unknown_class", f"class {cls!r} is not one of the framework's county types", file="classes",
                       column="类别", value=cls, expected=", ".join(fw.county_types))
    report.raise_if_errors("cannot create the programme")

    merged = {**DEFAULT_SETTINGS, **(settings or {})}
    merged["units"] = sorted(codes)
    p = Programme(name=name.strip(), framework_yaml=framework_yaml,
                  framework_sha256=hashlib.sha256(framework_yaml.encode("utf-8")).hexdigest(), classes=classes,
                  period_kind=kind, period=period, scope_code=scope, unit_kind=unit_kind,
                  fill_days=max((fill_by - date.today()).days, 0), review_days=(review_by - fill_by).days,
                  publicity_days=publicity_days, fill_by=fill_by, review_by=review_by, settings=merged,
                  created_by=actor.id if actor else None)
    with writing(db, actor, ip) as w:
        # the county-level units the programme covers become Unit rows (the foreign key of tasks and values)
        have = set(db.scalars(select(Unit.code).where(Unit.code.in_(codes))).all())
        for u in units:
            if u.code not in have:
                db.add(Unit(code=u.code, name=u.name, kind=u.kind, county_code=u.county_code, parent_code=u.parent_code))
                w.record("unit.add", "unit", u.code, new={"name": u.name, "kind": u.kind, "county_code": u.county_code})
        db.add(p)
        db.flush()
        w.record("programme.create", "programme", p.id,
                 new={"name": p.name, "framework": fw.code, "framework_sha256": p.framework_sha256, "period": period,
                      "scope_code": scope, "unit_kind": unit_kind, "fill_by": fill_by, "review_by": review_by,
                      "publicity_days": publicity_days, "units": len(codes), "classes": len(classes)})
    return p


def framework_of(p: Programme):
    return load_framework_text(p.framework_yaml, f"programme {p.id} framework")


def department_indicators(db: Session, p: Programme, fw_codes: list[str]) -> dict[int, list[str]]:
    """Department id → the framework's indicators it owns (departments of the programme's province)."""
    if p.unit_kind != "county":
        return {}   # a county's programme over its towns is reported by the county alone
    rows = db.execute(select(DepartmentIndicator.department_id, DepartmentIndicator.indicator)
                      .join(Department, Department.id == DepartmentIndicator.department_id)
                      .where(Department.province_code == province_of(p.scope_code))).all()
    wanted = set(fw_codes)
    out: dict[int, list[str]] = {}
    for dept, ind in rows:
        if ind in wanted:
            out.setdefault(dept, []).append(ind)
    return {d: [c for c in fw_codes if c in inds] for d, inds in out.items()}


@dataclass
class Published:
    programme: Programme
    created_unit_tasks: int
    created_department_tasks: int
    already: bool


def publish(db: Session, actor: Actor | User, programme_id: int, ip: str | None = None) -> Published:
    """draft → open: a task per unit and per department owning some of its indicators, in one audited
    transaction. An open programme gets only the tasks it lacks (none, normally): publishing twice changes nothing."""
    p = db.get(Programme, programme_id)
    if p is None:
        raise XianpingInputError(f"no programme {programme_id}")
    if p.status not in ("draft", "open"):
        raise XianpingInputError(f"programme {programme_id} is {p.status}: only a draft is published")
    fw = framework_of(p)
    depts = department_indicators(db, p, fw.indicator_codes())
    units = list((p.settings or {}).get("units", []))
    have_units = set(db.scalars(select(Task.unit_code).where(Task.programme_id == p.id, Task.unit_code.is_not(None))).all())
    have_depts = set(db.scalars(select(Task.department_id).where(Task.programme_id == p.id, Task.department_id.is_not(None))).all())
    new_units = [u for u in units if u not in have_units]
    new_depts = [d for d in sorted(depts) if d not in have_depts]
    if p.status == "open" and not new_units and not new_depts:
        return Published(p, 0, 0, True)
    due = p.fill_by or date.today()
    with writing(db, actor, ip) as w:
        if p.status == "draft":
            p.status, p.opened_at = "open", utcnow()
            p.fill_days = max((due - p.opened_at.date()).days, 0)
            w.record("programme.publish", "programme", p.id, field="status", old="draft", new="open")
        tasks = [Task(programme_id=p.id, unit_code=u, due_date=due) for u in new_units]
        tasks += [Task(programme_id=p.id, department_id=d, due_date=due) for d in new_depts]
        db.add_all(tasks)
        db.flush()
        for t in tasks:
            w.record("task.create", "task", t.id, new={"programme_id": p.id, "unit_code": t.unit_code,
                                                      "department_id": t.department_id, "status": "pending",
                                                      "due_date": due,
                                                      "indicators": depts.get(t.department_id) if t.department_id else None})
    return Published(p, len(new_units), len(new_depts), False)
