"""Create users: one by one (`xianping platform users add`) or from an Excel user list (`… users import FILE.xlsx`:
columns 用户名, 姓名, 角色, 区划代码, 部门), every row checked first and nothing created unless all rows are good.

Initial passwords are generated, returned to the caller to write into a file for the admin to hand out, and never
logged or stored in clear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from xianping.platform.audit import record
from xianping.platform.audit.record import Actor
from xianping.platform.auth import passwords
from xianping.platform.db.models import ROLES, ROLES_ZH, Department, User
from xianping.problems import ProblemReport, XianpingInputError

USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
ROLE_NAMES = {**{r: r for r in ROLES}, **{zh: r for r, zh in ROLES_ZH.items()},
              "省级管理员": "province_admin", "考核办": "province_admin", "市级审核员": "prefecture_reviewer",
              "县级填报员": "county_reporter", "部门填报员": "department_reporter", "只读用户": "viewer", "查看": "viewer"}
COLUMNS = {"username": ("用户名", "username"), "display_name": ("姓名", "name", "display name"),
           "role": ("角色", "role"), "scope_code": ("区划代码", "scope", "scope code", "code"),
           "department": ("部门", "department")}


@dataclass
class NewUser:
    username: str
    display_name: str
    role: str
    scope_code: str | None
    department: str | None   # a department code or name


def scope_problem(role: str, code: str | None) -> str | None:
    """What is wrong with a role's division code (None when it fits)."""
    need = {"province_admin": ("a province code such as 410000", r"\d{2}0000"),
            "prefecture_reviewer": ("a prefecture code such as 410100", r"\d{4}00"),
            "county_reporter": ("a county code such as 410122", r"\d{6}")}
    if role not in need:
        return None if code is None or re.fullmatch(r"\d{6}", code) else "a six-digit division code or nothing"
    what, pattern = need[role]
    if code is None or not re.fullmatch(pattern, code) or code.endswith("0000") and role != "province_admin" \
            or role == "county_reporter" and code.endswith("00"):
        return what
    return None


def _department(db: Session, name: str | None) -> Department | None:
    if not name:
        return None
    return db.scalars(select(Department).where(or_(Department.code == name, Department.name == name))).first()


def check(db: Session, new: NewUser, report: ProblemReport, **where: Any) -> None:
    """Add every problem of one new user to report (where: file and row, for the located messages)."""
    if not USERNAME.match(new.username):
        report.add("bad_username", "a username is 2–64 letters, digits or _ . @ -", column="用户名 username",
                   value=new.username, expected="e.g. zhongmou_tj", **where)
    elif db.scalar(select(User.id).where(User.username == new.username)) is not None:
        report.add("duplicate_username", "a user with this name exists", column="用户名 username", value=new.username,
                   expected="a new username", **where)
    if not new.display_name:
        report.add("missing_name", "the display name is empty", column="姓名 name", expected="the person's name", **where)
    if new.role not in ROLES:
        report.add("unknown_role", "unknown role", column="角色 role", value=new.role,
                   expected=", ".join(f"{r} ({ROLES_ZH[r]})" for r in ROLES), **where)
        return
    why = scope_problem(new.role, new.scope_code)
    if why:
        report.add("bad_scope", f"the division code does not fit the role {new.role}", column="区划代码 scope code",
                   value=new.scope_code, expected=why, **where)
    if new.role == "department_reporter":
        if _department(db, new.department) is None:
            report.add("unknown_department", "no such department" if new.department else "a department reporter needs "
                       "its department", column="部门 department", value=new.department,
                       expected="the code or name of a department added with `xianping platform departments add`", **where)
    elif new.department:
        report.add("department_not_expected", f"only department reporters belong to a department, not {new.role}",
                   column="部门 department", value=new.department, expected="an empty cell", **where)


def create(db: Session, actor: Actor, new: NewUser, password: str | None = None, ip: str | None = None) -> tuple[User, str]:
    """Add the user (checked by `check` first) with the given or a generated password; returns (user, password)."""
    password = password or passwords.generate()
    dept = _department(db, new.department)
    user = User(username=new.username, display_name=new.display_name, role=new.role, scope_code=new.scope_code,
                department_id=dept.id if dept else None, password_hash=passwords.hash_password(password))
    db.add(user)
    db.flush()
    record(db, actor, "user.add", "user", user.id, new={"username": user.username, "display_name": user.display_name,
                                                       "role": user.role, "scope_code": user.scope_code,
                                                       "department": dept.code if dept else None}, ip=ip)
    return user, password


def add_one(db: Session, actor: Actor, new: NewUser, password: str | None = None) -> tuple[User, str]:
    report = ProblemReport()
    check(db, new, report)
    if password is not None and passwords.weak(password):
        report.add("weak_password", "the password is too weak", column="password", expected=passwords.weak(password))
    report.raise_if_errors(f"cannot add user {new.username!r}")
    user, pw = create(db, actor, new, password)
    db.commit()
    return user, pw


def _cell(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():   # a code typed as a number in Excel: 410122.0
        v = int(v)
    s = str(v).strip()
    return s or None


def read_user_list(path: Path) -> list[tuple[int, NewUser]]:
    """The rows of an Excel/CSV user list (read by the ingest layer's read_table: the same limits and located errors
    as every table xianping reads); (spreadsheet row, user)."""
    from xianping.ingest.read_table import read_table

    table = read_table(path)
    report = ProblemReport()
    rows = table.rows
    header_at = next((i for i, r in enumerate(rows) if any(_cell(c) for c in r)), None)
    if header_at is None:
        report.add("empty_file", "no header row", file=str(path), expected="a header row: 用户名, 姓名, 角色, 区划代码, 部门")
        raise XianpingInputError(f"cannot import users from {path}", report)
    header = [(_cell(c) or "").lower() for c in rows[header_at]]
    where: dict[str, int] = {}
    for key, names in COLUMNS.items():
        hit = [i for i, h in enumerate(header) if h in names]
        if hit:
            where[key] = hit[0]
        elif key != "department":
            report.add("missing_column", f"no column {names[0]} ({names[1]})", file=str(path), row=header_at + 1,
                       expected="a header row: 用户名, 姓名, 角色, 区划代码, 部门 (部门 for department reporters)")
    report.raise_if_errors(f"cannot import users from {path}")
    out = []
    for i, r in enumerate(rows[header_at + 1:], start=header_at + 2):
        cells = {k: _cell(r[j]) if j < len(r) else None for k, j in where.items()}
        if not any(cells.values()):
            continue
        role = cells.get("role") or ""
        out.append((i, NewUser(cells.get("username") or "", cells.get("display_name") or "",
                               ROLE_NAMES.get(role, ROLE_NAMES.get(role.lower(), role)), cells.get("scope_code"),
                               cells.get("department"))))
    return out


def import_list(db: Session, actor: Actor, path: Path) -> list[tuple[User, str]]:
    """All users of the list, or none: every row is checked (duplicates within the file too) before any is added."""
    rows = read_user_list(path)
    report = ProblemReport()
    seen: dict[str, int] = {}
    for row, new in rows:
        check(db, new, report, file=str(path), row=row)
        if new.username in seen:
            report.add("duplicate_username", f"the username is also on row {seen[new.username]}", file=str(path),
                       row=row, column="用户名 username", value=new.username, expected="each username once")
        seen.setdefault(new.username, row)
    if not rows:
        report.add("no_users", "the list has a header but no users", file=str(path), expected="one row per user")
    report.raise_if_errors(f"cannot import users from {path}: nothing was added")
    made = [create(db, actor, new) for _, new in rows]
    db.commit()
    return made
