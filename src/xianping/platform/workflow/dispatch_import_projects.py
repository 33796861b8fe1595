"""Import the project bank (项目库) from the Excel sheet a province keeps: all rows or none.

    res = import_projects(db, who, sheet, year=2025, effective_month="2025-07")   # sheet = dispatch_sheet.read_sheet(…)

The sheet's headers are matched as dispatch_sheet matches them; each row is checked by the frames contract
(xianping.dispatch.frames.validate_projects / validate_plans: the same rules the measures rely on), its problems
named by the sheet's own file, row and header. The county is the 区划代码 column, or the county's name (所在县)
looked up among the platform's county units. A user imports only projects of its own division.

A project already in the bank (same 项目编号) is updated where a field differs (old → new in the audit log). The
年度计划投资 column sets the year's plan: a value different from the plan in force at `effective_month` adds a
revision effective that month (the measures of earlier months keep the plan they had); the same value again adds
nothing, so importing the same sheet twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xianping.platform.audit.record import Actor, writing
from xianping.platform.db.dispatch_models import Project, ProjectPlan
from xianping.platform.db.models import Unit, User
from xianping.platform.workflow.dispatch_scope import covers
from xianping.platform.workflow.dispatch_sheet import PROJECT_FIELDS, Sheet, read_sheet, read_upload, relabel, text, to_frame
from xianping.problems import Problem, ProblemReport, XianpingInputError

REQUIRED = {"project_id", "name", "sector", "kind", "total_investment", "plan_start", "plan_finish", "responsible_unit"}
COUNTY = ({"unit_code", "county_name"},)
FIELDS = ("name", "unit_code", "sector", "kind", "total_investment", "plan_start", "plan_finish", "actual_start",
          "actual_finish", "in_statistics", "cluster", "responsible_unit", "responsible_person")
DATES = ("plan_start", "plan_finish", "actual_start", "actual_finish")


@dataclass
class ProjectImport:
    file: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    plans_added: int = 0
    warnings: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "plans_added": self.plans_added, "warnings": [w.as_dict() for w in self.warnings]}


def _value(v: Any) -> Any:
    """A normalised frame cell as the database stores it (Timestamp → date, NaT/NaN → None, numpy → Python)."""
    import pandas as pd

    if v is None or (isinstance(v, float) and v != v) or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if hasattr(v, "item"):
        return v.item()
    return v


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(float(a) - float(b)) <= 1e-6 * max(abs(float(a)), 1.0)
    return a == b


def _counties(db: Session) -> tuple[dict[str, str], dict[str, list[str]]]:
    rows = db.execute(select(Unit.code, Unit.name).where(Unit.kind == "county")).all()
    by_name: dict[str, list[str]] = {}
    for code, name in rows:
        by_name.setdefault(name, []).append(code)
    return {c: n for c, n in rows}, by_name


def import_projects(db: Session, who: User | Actor, sheet: Sheet, *, year: int | None = None,
                    effective_month: str | None = None, ip: str | None = None) -> ProjectImport:
    import pandas as pd

    from xianping.dispatch.frames import PROJECT_COLUMNS, validate_plans, validate_projects

    report = ProblemReport()
    counties, by_name = _counties(db)
    df = to_frame(sheet, list(PROJECT_COLUMNS) + ["county_name", "annual_plan", "year"], dates=DATES,
                  defaults={"in_statistics": False, "cluster": None, "responsible_person": ""})
    if "unit_code" not in sheet.columns:   # the county by its name (所在县), as the bank sheets often give it
        codes = []
        for (row, cells), name in zip(sheet.rows, df["county_name"]):
            name = text(name)
            hits = by_name.get(name, [])
            if len(hits) != 1:
                report.add("unknown_county" if not hits else "ambiguous_county",
                           "no county of the platform has this name" if not hits else
                           f"several counties have this name ({', '.join(hits)})", file=sheet.file, row=row,
                           column=sheet.column("county_name"), value=name or None,
                           expected="the name of a county unit of the platform, or a 区划代码 column")
            codes.append(hits[0] if len(hits) == 1 else "")
        df["unit_code"] = codes
    contract = ProblemReport()
    p = validate_projects(df.drop(columns=["county_name", "annual_plan", "year"]), contract, sheet.file,
                          known_codes=counties)
    unnamed = {p.row for p in report if p.kind in ("unknown_county", "ambiguous_county")}
    # a county not found by its name is said once, under its name — not again as a blank code
    report.extend(relabel(ProblemReport([q for q in contract if not (q.column == "unit_code" and q.row in unnamed)]),
                          sheet))
    if p is None:
        report.raise_if_errors(f"cannot import {sheet.file}; nothing was stored")
    rows = df["_row"].tolist()
    for r, code in zip(rows, p["unit_code"]):
        if code in counties and not covers(who, code):
            report.add("outside_scope", "a project of a county outside your division", file=sheet.file, row=r,
                       column=sheet.column("unit_code" if "unit_code" in sheet.columns else "county_name"), value=code,
                       expected="projects of your own division")
    # the year's plan, where the sheet gives one
    plans = None
    if "annual_plan" in sheet.columns:
        given = df["annual_plan"].map(lambda v: not (v is None or (isinstance(v, str) and not v.strip())))
        years = df["year"] if year is None else pd.Series([year] * len(df))
        if year is None and "year" not in sheet.columns:
            report.add("missing_year", "the sheet has 年度计划投资 but no 年度 column, and no --year was given",
                       file=sheet.file, row=sheet.header_row, column=sheet.column("annual_plan"),
                       expected="a 年度 column, or the year (--year 2025)")
        else:
            eff = [effective_month or (f"{int(float(y))}-01" if text(y).replace(".0", "").isdigit() else None)
                   for y in years]
            frame = pd.DataFrame({"_row": df["_row"], "project_id": p["project_id"], "year": years.values,
                                  "effective_month": eff, "annual_plan": df["annual_plan"]})[given.values]
            plan_problems = ProblemReport()
            plans = validate_plans(frame, plan_problems, p["project_id"].tolist(), sheet.file)
            report.extend(relabel(plan_problems, sheet))
    report.raise_if_errors(f"{len(report.errors)} problem(s) in {sheet.file}; nothing was stored")

    existing = {x.code: x for x in db.scalars(select(Project).where(Project.code.in_(p["project_id"].tolist())))}
    for r, code in zip(rows, p["project_id"]):
        old = existing.get(code)
        if old is not None and not covers(who, old.unit_code):
            report.add("outside_scope", f"project {code} belongs to {old.unit_code}, outside your division",
                       file=sheet.file, row=r, column=sheet.column("project_id"), value=code, expected="projects of your division")
    report.raise_if_errors(f"{len(report.errors)} problem(s) in {sheet.file}; nothing was stored")

    res = ProjectImport(sheet.file, warnings=[w for w in report if w.severity != "error"])
    user_id = who.id
    with writing(db, who, ip) as w:
        made: dict[str, Project] = {}
        for rec in p.to_dict("records"):
            code = rec["project_id"]
            new = {f: _value(rec[f]) for f in FIELDS}
            proj = existing.get(code)
            if proj is None:
                proj = Project(code=code, **new)
                db.add(proj)
                db.flush()
                w.record("project.create", "project", proj.id, field=code, new=new, reason=f"import {sheet.file}")
                res.created += 1
            else:
                diff = {f: (getattr(proj, f), v) for f, v in new.items() if not _same(getattr(proj, f), v)}
                if diff:
                    for f, (_, v) in diff.items():
                        setattr(proj, f, v)
                    w.record("project.update", "project", proj.id, field=code, old={f: a for f, (a, _) in diff.items()},
                             new={f: b for f, (_, b) in diff.items()}, reason=f"import {sheet.file}")
                    res.updated += 1
                else:
                    res.unchanged += 1
            made[code] = proj
        if plans is not None and len(plans):
            res.plans_added = _set_plans(db, w, made, plans, user_id, sheet.file)
    return res


def _set_plans(db: Session, w, made: dict[str, Project], plans, user_id: int | None, file: str) -> int:
    ids = [x.id for x in made.values()]
    have: dict[int, list[ProjectPlan]] = {}
    for pl in db.scalars(select(ProjectPlan).where(ProjectPlan.project_id.in_(ids))
                         .order_by(ProjectPlan.project_id, ProjectPlan.effective_month)):
        have.setdefault(pl.project_id, []).append(pl)
    added = 0
    for rec in plans.to_dict("records"):
        proj = made[rec["project_id"]]
        yr, eff, value = int(rec["year"]), str(rec["effective_month"]), float(rec["annual_plan"])
        rows = [x for x in have.get(proj.id, []) if x.year == yr]
        same_month = next((x for x in rows if x.effective_month == eff), None)
        in_force = [x for x in rows if x.effective_month <= eff]
        if same_month is not None:
            if not _same(same_month.annual_plan, value):
                w.record("plan.set", "project_plan", same_month.id, field=f"{proj.code}:{eff}",
                         old=same_month.annual_plan, new=value, reason=f"import {file}")
                same_month.annual_plan = value
                added += 1
            continue
        if in_force and _same(in_force[-1].annual_plan, value):
            continue   # the plan in force already says so: no revision
        pl = ProjectPlan(project_id=proj.id, year=yr, effective_month=eff, annual_plan=value, created_by=user_id)
        db.add(pl)
        db.flush()
        have.setdefault(proj.id, []).append(pl)
        w.record("plan.add", "project_plan", pl.id, field=f"{proj.code}:{eff}",
                 old=in_force[-1].annual_plan if in_force else None, new=value,
                 reason=f"import {file}" + (" (revision)" if in_force else ""))
        added += 1
    return added


def import_projects_file(db: Session, who: User | Actor, path, **kw: Any) -> ProjectImport:
    from pathlib import Path

    return import_projects(db, who, read_sheet(Path(path), PROJECT_FIELDS, REQUIRED, one_of=COUNTY), **kw)


def import_projects_upload(db: Session, who: User | Actor, folder, file_name: str, data: bytes, **kw: Any) -> ProjectImport:
    return import_projects(db, who, read_upload(folder, file_name, data, PROJECT_FIELDS, REQUIRED, one_of=COUNTY), **kw)


def check_month(month: str | None, what: str = "--effective-month") -> str | None:
    """'YYYY-MM' or None; anything else refused naming the option."""
    import re

    if month is None:
        return None
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise XianpingInputError(f"{what} {month!r}: not a month; expected YYYY-MM such as 2025-07")
    return month


__all__ = ["import_projects", "import_projects_file", "import_projects_upload", "ProjectImport", "check_month"]
