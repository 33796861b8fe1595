"""Edit one project of the bank from the web form (issue 16 Build 1: "edit in the web UI"): the fields given are
merged over the stored ones and the whole row checked by the frames contract (validate_projects, as an import is);
a new annual plan adds a plan row effective the month given (a revision, never an overwrite of an earlier month).
One transaction with its audit rows (old → new); the version seen by the editor decides between two editors.

    edit(db, user, "SL-2026-410821-01", {"responsible_person": "王五"}, version=3)
    edit(db, user, "SL-2026-410821-01", {}, annual_plan=4500, effective_month="2026-07")
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from xianping.platform.audit.record import Actor, writing
from xianping.platform.db.dispatch_models import Project, ProjectPlan
from xianping.platform.db.models import Unit, User
from xianping.platform.workflow.dispatch_import_projects import FIELDS, _same, _value, check_month
from xianping.platform.workflow.dispatch_review import DispatchRefused
from xianping.platform.workflow.dispatch_scope import REPORTERS, covers, project_condition
from xianping.problems import ProblemReport


def edit(db: Session, who: User | Actor, code: str, changes: dict[str, Any], *, version: int | None = None,
         annual_plan: float | None = None, effective_month: str | None = None, ip: str | None = None) -> Project:
    from xianping.dispatch.frames import PROJECT_COLUMNS, validate_plans, validate_projects

    if isinstance(who, User) and who.role not in REPORTERS:
        raise DispatchRefused(403, f"the role {who.role} does not edit the project bank")
    p = db.scalars(select(Project).where(Project.code == code, project_condition(who))).one_or_none()
    if p is None:
        raise DispatchRefused(404, f"no project {code} among yours")
    if version is not None and version != p.version:
        raise DispatchRefused(409, f"已被他人修改 project {code} is at version {p.version}, you saw {version}; reload")
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise DispatchRefused(422, f"not fields of a project: {sorted(unknown)}; expected some of {list(FIELDS)}")
    row = {c: getattr(p, c) for c in FIELDS} | {k: v for k, v in changes.items()} | {"project_id": p.code}
    report = ProblemReport()
    counties = db.scalars(select(Unit.code).where(Unit.kind == "county")).all()
    norm = validate_projects(pd.DataFrame([{c: row.get(c) for c in PROJECT_COLUMNS}]), report, "form", known_codes=counties)
    if norm is not None and not covers(who, norm["unit_code"].iloc[0]):
        report.add("outside_scope", "a county outside your division", file="form", column="unit_code",
                   value=norm["unit_code"].iloc[0], expected="a county of your division")
    plan = None
    if annual_plan is not None:
        eff = check_month(effective_month, "effective_month") or f"{pd.Timestamp.now().year}-01"
        plan = validate_plans(pd.DataFrame([{"project_id": p.code, "year": int(eff[:4]), "effective_month": eff,
                                             "annual_plan": annual_plan}]), report, [p.code], "form")
    report.raise_if_errors(f"project {code} was not changed")
    new = {f: _value(norm[f].iloc[0]) for f in FIELDS}
    diff = {f: (getattr(p, f), v) for f, v in new.items() if not _same(getattr(p, f), v)}
    try:
        with writing(db, who, ip) as w:
            if diff:
                for f, (_, v) in diff.items():
                    setattr(p, f, v)
                w.record("project.update", "project", p.id, field=p.code, old={f: a for f, (a, _) in diff.items()},
                         new={f: b for f, (_, b) in diff.items()}, reason="form")
            if plan is not None:
                rec = plan.iloc[0]
                eff, value = str(rec["effective_month"]), float(rec["annual_plan"])
                same = db.scalars(select(ProjectPlan).where(ProjectPlan.project_id == p.id,
                                                            ProjectPlan.effective_month == eff)).one_or_none()
                if same is not None and not _same(same.annual_plan, value):
                    w.record("plan.set", "project_plan", same.id, field=f"{p.code}:{eff}", old=same.annual_plan,
                             new=value, reason="form")
                    same.annual_plan = value
                elif same is None:
                    pl = ProjectPlan(project_id=p.id, year=int(eff[:4]), effective_month=eff, annual_plan=value,
                                     created_by=who.id)
                    db.add(pl)
                    db.flush()
                    w.record("plan.add", "project_plan", pl.id, field=f"{p.code}:{eff}", new=value, reason="form")
            db.flush()
    except StaleDataError:
        raise DispatchRefused(409, f"已被他人修改 project {code} was changed meanwhile; reload") from None
    return p

