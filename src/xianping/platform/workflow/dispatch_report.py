"""月调度 reports: save (draft) or submit a project's month, one from the web form or many from an uploaded sheet —
checked by the frames contract (xianping.dispatch.frames.validate_reports) together with the month before it as
stored, so "year to date ≠ last month + this month" is caught at entry, not at the brief.

    reports, notes = save_reports(db, who, frame, source="月报.xlsx", submit=True)   # frame: REPORT_COLUMNS + _row

All or nothing: every problem of every row is listed, nothing is stored while one is an error. A report approved
is final (the measures read it); a submitted one waits for its reviewer and is not changed by its reporter (the
same values again are accepted as unchanged: uploading the same sheet twice is harmless).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from xianping.platform.audit.record import Actor, writing
from xianping.platform.db.dispatch_models import Project, ProjectReport
from xianping.platform.db.models import User, utcnow
from xianping.platform.workflow.dispatch_scope import REPORTERS, covers, project_condition
from xianping.problems import Problem, ProblemReport, XianpingInputError

AMOUNTS = ("investment_month", "investment_ytd", "investment_cumulative", "funds_in_place")
FIELDS = AMOUNTS + ("started", "finished", "progress", "problems")
EDITABLE = ("draft", "rejected")


def _previous_month(m: str) -> str:
    y, k = int(m[:4]), int(m[5:7])
    return f"{y - 1}-12" if k == 1 else f"{y}-{k - 1:02d}"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(float(a) - float(b)) <= 1e-6 * max(abs(float(a)), 1.0)
    return a == b


def _py(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


def save_reports(db: Session, who: User | Actor, frame: pd.DataFrame, *, source: str, submit: bool = True,
                 file_sha256: str | None = None, ip: str | None = None,
                 labels: dict[str, str] | None = None) -> tuple[list[ProjectReport], list[Problem]]:
    """Store the frame's reports (REPORT_COLUMNS, `_row` for locations) as drafts or submitted; returns the reports
    written (unchanged ones left out) and the warnings (accepted, shown to reporter and reviewer)."""
    from dataclasses import replace

    from xianping.dispatch.frames import validate_reports

    if isinstance(who, User) and who.role not in REPORTERS:
        raise XianpingInputError(f"the role {who.role} does not report projects' months")
    labels = labels or {}
    codes = sorted({str(c).strip() for c in frame["project_id"] if c is not None})
    projects = {p.code: p for p in db.scalars(select(Project).where(Project.code.in_(codes), project_condition(who)))}
    months = sorted({str(m) for m in frame["month"] if isinstance(m, str) and len(m) == 7})
    # the month before each reported month, as stored (approved or submitted), so the running total is checked
    prev = sorted({_previous_month(m) for m in months} - set(months))
    stored = pd.DataFrame(db.execute(
        select(Project.code, ProjectReport.month, *[getattr(ProjectReport, f) for f in FIELDS])
        .join(Project, Project.id == ProjectReport.project_id)
        .where(Project.id.in_([p.id for p in projects.values()]), ProjectReport.month.in_(prev),
               ProjectReport.status.in_(("approved", "submitted")))).all(),
        columns=["project_id", "month", *FIELDS])
    stored = stored.assign(_row=0)
    both = pd.concat([stored, frame], ignore_index=True) if len(stored) else frame.reset_index(drop=True)
    found = ProblemReport()
    total = pd.Series({c: p.total_investment for c, p in projects.items()}, dtype=float)
    norm = validate_reports(both, found, list(projects), source, total)
    located = "_row" in frame.columns   # a sheet's rows; the web form has none (its fields name the place)
    report = ProblemReport([replace(p, column=labels.get(p.column or "", p.column), row=p.row if located else None)
                            for p in found if p.row != 0])   # row 0: a stored month, only the running total's start
    if norm is not None:
        norm = norm.iloc[len(stored):].reset_index(drop=True) if len(stored) else norm
        rows = frame["_row"].tolist() if located else [None] * len(frame)
        have = {(r.project_id, r.month): r for r in db.scalars(
            select(ProjectReport).where(ProjectReport.project_id.in_([p.id for p in projects.values()]),
                                        ProjectReport.month.in_(months)))}
        for i, rec in enumerate(norm.to_dict("records")):
            p = projects.get(rec["project_id"])
            if p is None or rec["month"] is None:
                continue   # validate_reports named it (unknown_project / bad month)
            old = have.get((p.id, rec["month"]))
            if old is not None and old.status not in EDITABLE and \
                    not all(_same(getattr(old, f), _py(rec[f])) for f in FIELDS):
                report.add("not_editable", f"{p.code} {rec['month']} is {old.status}: "
                           + ("approved reports are final" if old.status == "approved" else
                              "it waits for its reviewer (who may send it back to be changed)"),
                           file=source, row=rows[i], column=labels.get("month", "month"), value=rec["month"],
                           expected="a month not yet submitted, or one sent back (rejected)")
    report.raise_if_errors(f"{len(report.errors)} problem(s) in {source}; nothing was stored")
    notes = [p for p in report if p.severity != "error"]
    status = "submitted" if submit else "draft"
    now = utcnow()
    written: list[ProjectReport] = []
    with writing(db, who, ip) as w:
        for rec in norm.to_dict("records"):
            p = projects[rec["project_id"]]
            r = have.get((p.id, rec["month"]))
            new = {f: _py(rec[f]) for f in FIELDS}
            if r is not None and r.status not in EDITABLE:
                continue   # the same values as submitted/approved: unchanged
            if r is not None and r.status == status and all(_same(getattr(r, f), v) for f, v in new.items()):
                continue
            old = None if r is None else {f: getattr(r, f) for f in FIELDS} | {"status": r.status}
            if r is None:
                r = ProjectReport(project_id=p.id, month=rec["month"], **new)
                db.add(r)
            else:
                for f, v in new.items():
                    setattr(r, f, v)
            r.status, r.reporter_id = status, who.id
            r.file_name, r.file_sha256 = (source, file_sha256) if file_sha256 else (None, None)
            if submit:
                r.submitted_at = now
            db.flush()
            w.record("report.submit" if submit else "report.save", "project_report", r.id,
                     field=f"{p.code}:{rec['month']}", old=old, new=new | {"status": status},
                     reason=f"from {source}")
            written.append(r)
    return written, notes


def form_frame(project_code: str, month: str, values: dict[str, Any]) -> pd.DataFrame:
    """One report from the web form as a frame (its location: the form's field names)."""
    from xianping.dispatch.frames import REPORT_COLUMNS

    row = {c: values.get(c) for c in REPORT_COLUMNS}
    row.update(project_id=project_code, month=month)
    return pd.DataFrame([row])


def report_in_scope(db: Session, who: User | Actor, report_id: int) -> ProjectReport | None:
    return db.scalars(select(ProjectReport).join(Project, Project.id == ProjectReport.project_id)
                      .where(ProjectReport.id == report_id, project_condition(who))).one_or_none()


def project_in_scope(db: Session, who: User | Actor, code: str) -> Project | None:
    p = db.scalars(select(Project).where(Project.code == code, project_condition(who))).one_or_none()
    return p if p is not None and covers(who, p.unit_code) else None
