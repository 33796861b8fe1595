"""Add a department (责任单位) with the indicators it supplies (`xianping platform departments add`)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from xianping.platform.audit import record
from xianping.platform.audit.record import Actor
from xianping.platform.db.models import Department, DepartmentIndicator
from xianping.problems import ProblemReport


def add(db: Session, actor: Actor, code: str, name: str, province_code: str, indicators: list[str]) -> Department:
    report = ProblemReport()
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,32}", code):
        report.add("bad_code", "a department code is 1–32 letters, digits or _ . -", column="code", value=code,
                   expected="e.g. tjj (统计局)")
    elif db.scalar(select(Department.id).where(Department.code == code)) is not None:
        report.add("duplicate_department", "a department with this code exists", column="code", value=code)
    if not re.fullmatch(r"\d{2}0000", province_code):
        report.add("bad_scope", "not a province code", column="province", value=province_code, expected="e.g. 410000")
    if not name.strip():
        report.add("missing_name", "the department name is empty", column="name", expected="e.g. 河南省统计局")
    report.raise_if_errors(f"cannot add department {code!r}")
    dept = Department(code=code, name=name.strip(), province_code=province_code,
                      indicators=[DepartmentIndicator(indicator=i) for i in dict.fromkeys(indicators)])
    db.add(dept)
    db.flush()
    record(db, actor, "department.add", "department", dept.id,
           new={"code": code, "name": dept.name, "province_code": province_code, "indicators": list(dict.fromkeys(indicators))})
    db.commit()
    return dept
