"""`xianping platform` — set up and administer an assessment platform (database, users, departments, API tokens).

    xianping platform init --dir plat                       # creates plat/platform.db (SQLite) or migrates --db
    xianping platform demo --dir plat                       # or: a demo platform (河南, 2020 census, a user per role)
    xianping platform departments add tjj 河南省统计局 --province 410000 --indicators gdp,revenue --dir plat
    xianping platform users add zhongmou --name 中牟县统计局 --role county_reporter --scope 410122 --dir plat
    xianping platform users import users.xlsx --dir plat    # 用户名, 姓名, 角色, 区划代码, 部门
    xianping platform token create zhongmou --dir plat      # a bearer token for scripts, shown once
    xianping platform users reset-password zhongmou --dir plat   # a temporary password (to a mode-600 file)
    xianping platform settings --dir plat [session_idle_minutes 60]
    xianping serve --platform plat

Initial passwords go to a file (mode 600) the admin hands out, never to the terminal or a log.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(no_args_is_help=True, help="考核平台 The assessment platform: database, users, departments, tokens.")
users_app = typer.Typer(no_args_is_help=True, help="用户 Users: add one, or import an Excel user list.")
departments_app = typer.Typer(no_args_is_help=True, help="责任单位 Departments and the indicators they supply.")
token_app = typer.Typer(no_args_is_help=True, help="API tokens for scripts (Authorization: Bearer …).")
app.add_typer(users_app, name="users")
app.add_typer(departments_app, name="departments")
app.add_typer(token_app, name="token")
programme_app = typer.Typer(no_args_is_help=True, help="考核方案 Programmes: create a draft, publish it (one task per unit and department).")
app.add_typer(programme_app, name="programme")

DIR = typer.Option(..., "--dir", help="The platform folder (its SQLite database, evidence files, password lists).")
DB = typer.Option(None, "--db", help="A PostgreSQL URL (postgresql://user@host/dbname) instead of the SQLite file in --dir.")


@contextmanager
def _session(folder: Path, db: Optional[str]):
    """One database session of the platform in DIR (committed on success), the platform closed afterwards."""
    from xianping.platform.db.connect import open_platform

    plat = open_platform(folder, db)
    try:
        with plat.sessions() as s:
            yield s
    finally:
        plat.close()


@app.command("init", help="Create the platform folder and database, or migrate an existing one to this version "
                          "(idempotent: run it again after upgrading xianping).")
def init(folder: Path = DIR, db: Optional[str] = DB) -> None:
    from xianping.cli.output import console
    from xianping.platform.db import migrate
    from xianping.platform.db.connect import open_platform

    plat = open_platform(folder, db, create=True)
    try:
        where = plat.engine.url.render_as_string(hide_password=True)
        console.print(f"平台数据库 platform database: {where} · schema {migrate.current(plat.engine)}", markup=False)
        console.print(f"下一步 next: xianping platform users add … --dir {folder}   ·   xianping serve --platform {folder}", markup=False)
    finally:
        plat.close()


def _passwords_file(folder: Path, out: Optional[Path]) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return out or folder / f"initial-passwords-{stamp}.csv"


def _write_passwords(path: Path, made) -> None:
    """username, display name, role, scope, password — readable by the owner only (mode 600), written whole."""
    import csv
    import io

    from xianping.files import replace_when_done
    from xianping.report.excel_safe import csv_text

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["用户名 username", "姓名 name", "角色 role", "区划代码 scope", "初始密码 password"])
    for user, password in made:
        w.writerow([csv_text(x) for x in (user.username, user.display_name, user.role, user.scope_code or "", password)])
    with replace_when_done(path) as tmp:
        tmp.touch(mode=0o600)   # before the passwords are in it
        tmp.write_text(buf.getvalue(), encoding="utf-8-sig")   # with a BOM: Excel opens it as UTF-8


@users_app.command("add", help="Add one user with a generated initial password (written to --out, mode 600).")
def users_add(
    username: str = typer.Argument(..., help="Login name: letters, digits, _ . @ -"),
    name: str = typer.Option(..., "--name", help="Display name (姓名), e.g. 中牟县统计局 张三."),
    role: str = typer.Option(..., "--role", help="province_admin, prefecture_reviewer, county_reporter, department_reporter or viewer (or 省级管理员, 市级审核员, 县级填报员, 部门填报员, 只读用户)."),
    scope: Optional[str] = typer.Option(None, "--scope", help="Division code: a province (410000) for the admin, a prefecture (410100) for a reviewer, a county (410122) for a county reporter."),
    department: Optional[str] = typer.Option(None, "--department", help="Department code or name (department reporters)."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input instead of generating one."),
    out: Optional[Path] = typer.Option(None, "--out", help="Where the initial password goes (default: DIR/initial-passwords-<time>.csv)."),
    folder: Path = DIR, db: Optional[str] = DB,
) -> None:
    import sys

    from xianping.cli.output import console
    from xianping.platform.auth import users

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    with _session(folder, db) as s:
        new = users.NewUser(username, name, users.ROLE_NAMES.get(role, role), scope, department)
        user, pw = users.add_one(s, _cli_actor(), new, password)
        if password is None:
            path = _passwords_file(folder, out)
            _write_passwords(path, [(user, pw)])
            console.print(f"用户 user {user.username} ({user.role}) · 初始密码 initial password → {path}", markup=False)
        else:
            console.print(f"用户 user {user.username} ({user.role}) added with the password given", markup=False)


@users_app.command("import", help="Add the users of an Excel/CSV list (columns 用户名, 姓名, 角色, 区划代码, 部门): all rows "
                                  "are checked first, nothing is added unless every row is good; initial passwords go to --out.")
def users_import(
    file: Path = typer.Argument(..., help="The user list (.xlsx or .csv)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Where the initial passwords go (default: DIR/initial-passwords-<time>.csv)."),
    folder: Path = DIR, db: Optional[str] = DB,
) -> None:
    from xianping.cli.output import console
    from xianping.platform.auth import users

    with _session(folder, db) as s:
        made = users.import_list(s, _cli_actor(), file)
        path = _passwords_file(folder, out)
        _write_passwords(path, made)
    console.print(f"{len(made)} 个用户 users added · 初始密码 initial passwords → {path}", markup=False)


@users_app.command("reset-password", help="Reset USER's password: a temporary one (written to --out, mode 600, shown nowhere "
                                         "else) that the user must change at its next login; every session of the user ends.")
def users_reset_password(
    username: str = typer.Argument(..., help="The user whose password is reset."),
    out: Optional[Path] = typer.Option(None, "--out", help="Where the temporary password goes (default: DIR/reset-password-<user>-<time>.csv)."),
    folder: Path = DIR, db: Optional[str] = DB,
) -> None:
    from xianping.cli.output import console
    from xianping.platform.auth.password_reset import by_username, reset_password
    from xianping.problems import XianpingInputError

    with _session(folder, db) as s:
        user = by_username(s, username)
        if user is None:
            raise XianpingInputError(f"no user {username!r}; the users are listed by GET /api/users or the page /account/users")
        done = reset_password(s, _cli_actor(), user)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        path = out or folder / f"reset-password-{user.username}-{stamp}.csv"
        _write_passwords(path, [(user, done.temporary)])
    console.print(f"用户 user {user.username}: 密码已重置 password reset, {done.sessions_revoked} session(s) ended · "
                  f"临时密码 temporary password → {path} (to be changed at the next login)", markup=False)


@app.command("settings", help="Show the platform's settings, or change one: `xianping platform settings KEY VALUE` "
                              "(e.g. session_idle_minutes 60). Changes are audited; servers read them within a minute.")
def settings_cmd(
    key: Optional[str] = typer.Argument(None, help="The setting to change (omit to list them all)."),
    value: Optional[str] = typer.Argument(None, help="Its new value."),
    folder: Path = DIR, db: Optional[str] = DB,
) -> None:
    from xianping.cli.output import console
    from xianping.platform.auth import settings
    from xianping.problems import XianpingInputError

    if key is not None and value is None:
        raise XianpingInputError(f"settings {key}: give its new value too (xianping platform settings {key} VALUE)")
    with _session(folder, db) as s:
        if key is not None:
            settings.change(s, _cli_actor(), key, value or "")
        for k, v in settings.all_values(s).items():
            console.print(f"{k} = {v}    # {settings.SETTINGS[k].label}", markup=False)


@departments_app.command("add", help="Add a department (责任单位) and the indicator codes it supplies for all counties.")
def departments_add(
    code: str = typer.Argument(..., help="Short code, e.g. tjj."),
    name: str = typer.Argument(..., help="Name, e.g. 河南省统计局."),
    province: str = typer.Option(..., "--province", help="Province code, e.g. 410000."),
    indicators: str = typer.Option("", "--indicators", help="Comma-separated indicator codes of the framework."),
    folder: Path = DIR, db: Optional[str] = DB,
) -> None:
    from xianping.cli.output import console
    from xianping.platform.auth import departments

    with _session(folder, db) as s:
        d = departments.add(s, _cli_actor(), code, name, province, [i.strip() for i in indicators.split(",") if i.strip()])
        console.print(f"部门 department {d.code} {d.name} · {len(d.indicators)} indicators", markup=False)


@token_app.command("create", help="Create an API token for USER (for scripts: Authorization: Bearer <token>). The token is "
                                  "printed once; only its hash is stored.")
def token_create(
    username: str = typer.Argument(..., help="The user the token acts as."),
    name: str = typer.Option("", "--name", help="What it is for (shown in the audit log)."),
    days: int = typer.Option(365, "--days", min=0, max=3650, help="Valid for this many days (0: no expiry)."),
    folder: Path = DIR, db: Optional[str] = DB,
) -> None:
    from sqlalchemy import select

    from xianping.platform.audit import record
    from xianping.platform.auth import tokens
    from xianping.platform.db.models import User
    from xianping.problems import XianpingInputError

    with _session(folder, db) as s:
        user = s.scalars(select(User).where(User.username == username)).one_or_none()
        if user is None or not user.active:
            raise XianpingInputError(f"no active user {username!r}; add it with `xianping platform users add`")
        secret, row = tokens.create_api_token(s, user, name, days or None)
        s.flush()
        record(s, _cli_actor(), "token.create", "api_token", row.id, new={"user": username, "name": name,
                                                                          "expires_at": row.expires_at})
        s.commit()
    typer.echo(secret)   # stdout alone, so `TOKEN=$(xianping platform token create …)` works


def _cli_actor():
    import getpass

    from xianping.platform.audit.record import Actor

    return Actor(None, f"cli:{getpass.getuser()}")


@programme_app.command("create", help="Create a draft 考核方案 over a province's or prefecture's county-level units (--province 41 or "
                                      "4101), or over the towns/zones/clusters registered under a county (--county 410122 --units town).")
def programme_create(
    framework: Path = typer.Option(..., "--framework", help="The framework YAML (checked with every problem located)."),
    period: str = typer.Option(..., "--period", help="2025, 2025Q1 or 2025-03."),
    fill_by: str = typer.Option(..., "--fill-by", help="填报截止, YYYY-MM-DD."),
    review_by: str = typer.Option(..., "--review-by", help="审核截止, YYYY-MM-DD."),
    publicity_days: int = typer.Option(7, "--publicity-days", min=0, max=60, help="公示期 in days."),
    province: Optional[str] = typer.Option(None, "--province", help="Province or prefecture code (41, 410000, 4101)."),
    county: Optional[str] = typer.Option(None, "--county", help="A county code: the programme covers units registered under it."),
    units: str = typer.Option("county", "--units", help="county, town, village, zone or cluster."),
    classes: Optional[Path] = typer.Option(None, "--classes", help="CSV of unit code, class (分类考核)."),
    name: Optional[str] = typer.Option(None, "--name", help="The programme's name (default: framework name + period)."),
    change_share: float = typer.Option(0.30, "--change-share", min=0.0, max=100.0,
                                       help="A change from last period beyond this share asks the reporter for an explanation."),
    folder: Path = DIR, db: Optional[str] = DB,
) -> None:
    from datetime import date

    from xianping.cli.output import console
    from xianping.platform.workflow import programmes
    from xianping.problems import ProblemReport

    report = ProblemReport()
    dates = {}
    for opt, v in (("--fill-by", fill_by), ("--review-by", review_by)):
        try:
            dates[opt] = date.fromisoformat(v)
        except ValueError:
            report.add("bad_date", "not a date", column=opt, value=v, expected="YYYY-MM-DD")
    if (province is None) == (county is None):
        report.add("scope", "give exactly one of --province and --county", column="--province/--county",
                   expected="--province 41, or --county 410122 --units town")
    for p in (framework, classes):
        if p is not None and not p.is_file():
            report.add("no_such_file", "no such file", file=str(p), expected="an existing file")
    report.raise_if_errors("cannot create the programme")
    text = programmes.decode_upload(framework.read_bytes(), str(framework))
    cls = programmes.read_classes(classes.read_bytes(), str(classes)) if classes else {}
    with _session(folder, db) as s:
        p = programmes.create(s, _cli_actor(), name=name or f"{framework.stem} {period}", framework_yaml=text,
                              scope=province or county or "", period=period, fill_by=dates["--fill-by"],
                              review_by=dates["--review-by"], publicity_days=publicity_days, classes=cls,
                              unit_kind=units, framework_file=str(framework), settings={"change_share": change_share})
        console.print(f"考核方案 programme {p.id} (草稿 draft): {p.name} · {p.scope_code} · "
                      f"{len(p.settings['units'])} units · 填报截止 {p.fill_by} · 审核截止 {p.review_by} · 公示 {p.publicity_days} 天",
                      markup=False)
        console.print(f"下一步 next: xianping platform programme publish {p.id} --dir {folder}", markup=False)


@programme_app.command("publish", help="Publish a draft programme: one task per unit and per department (idempotent).")
def programme_publish(programme_id: int = typer.Argument(..., help="The programme's number."),
                      folder: Path = DIR, db: Optional[str] = DB) -> None:
    from xianping.cli.output import console
    from xianping.platform.workflow import programmes

    with _session(folder, db) as s:
        out = programmes.publish(s, _cli_actor(), programme_id)
        if out.already:
            console.print(f"考核方案 programme {programme_id} 已发布 is already open: no task created", markup=False)
        else:
            console.print(f"考核方案 programme {programme_id} 已发布 published: {out.created_unit_tasks} unit tasks, "
                          f"{out.created_department_tasks} department tasks · due {out.programme.fill_by}", markup=False)


@app.command("demo", help="Set up a demonstration platform in a new folder: 河南's 105 county-level units, the 2020 census "
                          "values of the bundled panel, a 统计局 department, a user per role (passwords in DIR/demo-users.csv, "
                          "mode 600) and tasks in every state (待填报, 已提交, 已退回, 已通过, 逾期), each step through the real services.")
def demo(folder: Path = DIR, db: Optional[str] = DB) -> None:
    from xianping.cli.output import console
    from xianping.platform.db.models import TASK_STATUSES_ZH
    from xianping.platform.workflow import demo as demo_service

    made = demo_service.build(folder, db)
    say = lambda text: console.print(text, markup=False)   # noqa: E731
    say(f"考核方案 programme {made.programme_id}: {made.programme_name} · {made.units} 个县域单位 county-level units")
    say("任务 tasks: " + " · ".join(f"{TASK_STATUSES_ZH.get(s, s)} {s} {n}" for s, n in sorted(made.states.items())))
    for state, (task_id, unit) in sorted(made.showcase.items()):
        say(f"  {TASK_STATUSES_ZH.get(state, state)} {state}: task {task_id} ({unit})")
    say("用户 users (role · username · scope):")
    for role, username, scope in made.users:
        say(f"  {role:20} {username:18} {scope}")
    d = made.dispatch
    if d is not None and d.months:
        say(f"月调度 dispatch (示例·虚构 made-up projects over real counties): {d.projects} 个项目 projects, {d.reports} 条月报 "
            f"reports {d.months[0]} … {d.months[-1]}, {d.indicator_values} 个指标监测值 indicator values, "
            f"{d.ledger_items} 个问题台账 ledger items · xianping dispatch measures --platform {folder} --month {d.months[-1]} --json")
    say(f"密码 passwords → {made.users_csv} (mode 600; not shown here)")
    say(f"下一步 next: xianping serve --platform {folder}{' --db …' if db else ''}  — then log in at http://127.0.0.1:8000/login")
