"""Roles and division scope: which rows a user may see, as SQL conditions (one query lists exactly what is allowed,
and the same condition guards the detail routes, so a list and a detail can never disagree).

Codes are GB/T 2260: a county 410122 lies in prefecture 4101xx and province 41xxxx; a unit registered under a county
(a town, a zone) carries that county in `county_code`.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select

from xianping.platform.db.models import DataValue, Department, DepartmentIndicator, Task, Unit, User

ROLE_SCOPE = {"province_admin": 2, "prefecture_reviewer": 4, "county_reporter": 6}   # code prefix a role covers


def prefix(user: User) -> str | None:
    n = ROLE_SCOPE.get(user.role)
    return (user.scope_code or "")[:n] if n else None


def covers_county(user: User, county_code: str) -> bool:
    p = prefix(user)
    return bool(p) and county_code.startswith(p)


def task_condition(user: User) -> ColumnElement[bool]:
    """Tasks the user may read: a unit task within its division; a department task of its department (or, for
    the province admin, of a department of its province)."""
    p = prefix(user)
    if user.role == "department_reporter":
        return Task.department_id == user.department_id if user.department_id is not None else false()
    if not p:
        return false()   # viewers see published results, not tasks
    in_division = Task.unit_code.in_(select(Unit.code).where(Unit.county_code.startswith(p, autoescape=True)))
    if user.role == "province_admin":
        own_departments = Task.department_id.in_(select(Department.id).where(Department.province_code.startswith(p, autoescape=True)))
        return or_(in_division, own_departments)
    return and_(Task.unit_code.is_not(None), in_division)


def value_condition(user: User) -> ColumnElement[bool]:
    """Values the user may read: of units within its division; a department reporter the values of its indicators
    for every unit (of its province's programmes — the caller joins the programme when it matters)."""
    if user.role == "department_reporter":
        if user.department_id is None:
            return false()
        return DataValue.indicator.in_(select(DepartmentIndicator.indicator)
                                       .where(DepartmentIndicator.department_id == user.department_id))
    p = prefix(user)
    if not p:
        return false()
    return DataValue.unit_code.in_(select(Unit.code).where(Unit.county_code.startswith(p, autoescape=True)))


def user_condition(user: User) -> ColumnElement[bool]:
    """Users an admin may list: those acting within its province (and the departments of its province)."""
    if user.role != "province_admin":
        return User.id == user.id
    p = prefix(user) or ""
    return or_(User.scope_code.startswith(p, autoescape=True),
               User.department_id.in_(select(Department.id).where(Department.province_code.startswith(p, autoescape=True))))

