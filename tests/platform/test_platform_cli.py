"""The platform from the command line, as an admin would run it, and one real server: `xianping platform init`,
`departments add`, `users import` from an Excel list, `token create`, then `xianping serve --platform` under
uvicorn on a loopback port, spoken to over HTTP — on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import openpyxl
import pytest
from sqlalchemy import func, select

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from platform_fixtures import build_world
from xianping.platform.audit.record import SYSTEM
from xianping.platform.auth.users import import_list
from xianping.platform.db.connect import open_platform
from xianping.platform.db.models import User
from xianping.problems import XianpingInputError

XIANPING = [sys.executable, "-m", "xianping.cli.main"]


def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
    p = subprocess.run([*XIANPING, *args], capture_output=True, text=True, timeout=300,
                       env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})
    if ok:
        assert p.returncode == 0, p.stdout + p.stderr
    return p


def user_list(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["用户名", "姓名", "角色", "区划代码", "部门"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def db_args(folder: Path, db_url) -> list[str]:
    return ["--dir", str(folder)] + (["--db", db_url] if db_url else [])


def test_users_import_refuses_a_bad_list_whole(tmp_path, db_url):
    folder = tmp_path / "plat"
    run("platform", "init", *db_args(folder, db_url))
    bad = user_list(tmp_path / "users.xlsx", [
        ["henan_admin", "考核办 王", "省级管理员", 410000, None],
        ["zhongmou_tj", "中牟县统计局 李", "县级填报员", "4101", None],        # a prefecture code for a county user
        ["zhongmou_tj", "重复", "viewer", None, None],                        # the same username again
        ["tjj_li", "统计局 赵", "部门填报员", None, "no-such-dept"],
        ["x y", "", "boss", None, None],
    ])
    p = run("platform", "users", "import", str(bad), *db_args(folder, db_url), ok=False)
    out = p.stdout + p.stderr
    assert p.returncode == 2 and "Traceback" not in out
    assert "nothing was added" in out and str(bad) in out
    plat = open_platform(folder, db_url)
    try:
        with plat.sessions() as db, pytest.raises(XianpingInputError) as e:
            import_list(db, SYSTEM, bad)
    finally:
        plat.close()
    got = {(p.row, p.kind, p.column) for p in e.value.report.problems}
    assert got == {(3, "bad_scope", "区划代码 scope code"), (4, "duplicate_username", "用户名 username"),
                   (5, "unknown_department", "部门 department"), (6, "bad_username", "用户名 username"),
                   (6, "unknown_role", "角色 role"), (6, "missing_name", "姓名 name")}
    assert all(p.file == str(bad) for p in e.value.report.problems)
    plat = open_platform(folder, db_url)
    try:
        with plat.sessions() as db:
            assert db.scalar(select(func.count()).select_from(User)) == 0   # the good first row was not added either
    finally:
        plat.close()
    assert not list(folder.glob("initial-passwords-*.csv"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_admin_sets_up_and_users_log_in_over_http(tmp_path, db_url, serve_cache):
    folder = tmp_path / "plat"
    args = db_args(folder, db_url)
    run("platform", "init", *args)
    run("platform", "init", *args)   # idempotent
    run("platform", "departments", "add", "stats41", "统计局", "--province", "410000", "--indicators", "gdp,revenue", *args)
    users = user_list(tmp_path / "users.xlsx", [
        ["henan_admin", "考核办 王", "省级管理员", 410000, None],
        ["zhongmou_tj", "中牟县统计局 李", "县级填报员", "410122", None],
        ["tjj_li", "统计局 赵", "部门填报员", None, "统计局"],
    ])
    p = run("platform", "users", "import", str(users), *args)
    [pw_file] = folder.glob("initial-passwords-*.csv")
    assert stat.S_IMODE(pw_file.stat().st_mode) == 0o600
    rows = list(csv.reader(pw_file.read_text(encoding="utf-8-sig").splitlines()))[1:]
    passwords = {r[0]: r[4] for r in rows}
    assert set(passwords) == {"henan_admin", "zhongmou_tj", "tjj_li"}
    assert not any(pw in p.stdout + p.stderr for pw in passwords.values())   # the file, never the terminal
    token = run("platform", "token", "create", "zhongmou_tj", "--name", "script", *args).stdout.strip()
    assert token.startswith("xp_")
    plat = open_platform(folder, db_url)   # divisions, programmes and tasks (their services are not built yet)
    try:
        build_world(plat)
    finally:
        plat.close()

    port = _free_port()
    server = subprocess.Popen([*XIANPING, "serve", "--platform", str(folder), *(["--db", db_url] if db_url else []),
                               "--cache", str(serve_cache), "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(base + "/login", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
            assert server.poll() is None, server.stdout.read()
        with httpx.Client(base_url=base) as anon:
            assert anon.get("/api/tasks").status_code == 401
            r = anon.get("/", follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"] == "/login?next=/"
        with httpx.Client(base_url=base) as c:
            assert c.post("/api/login", json={"username": "zhongmou_tj", "password": "wrong-wrong"}).status_code == 401
            r = c.post("/api/login", json={"username": "zhongmou_tj", "password": passwords["zhongmou_tj"]})
            assert r.status_code == 200 and "httponly" in r.headers["set-cookie"].lower()
            tasks = c.get("/api/tasks").json()["tasks"]
            assert sorted(t["unit_code"] for t in tasks) == ["410122", "410122100"]
            assert all(t["status"] == "pending" for t in tasks)
            assert c.get(f"/api/tasks/{tasks[0]['id']}").json()["unit_code"] == tasks[0]["unit_code"]
            others = {t["id"] for t in httpx.get(base + "/api/tasks", cookies=_login(base, "henan_admin", passwords)).json()["tasks"]}
            foreign = sorted(others - {t["id"] for t in tasks})
            assert foreign and c.get(f"/api/tasks/{foreign[0]}").status_code == 404
            assert c.get("/").status_code == 200                 # the published rankings, logged in
            assert c.get("/tasks").status_code == 200
        r = httpx.get(base + "/api/me", headers={"Authorization": f"Bearer {token}"})
        assert r.json()["username"] == "zhongmou_tj"
    finally:
        server.terminate()
        out = server.communicate(timeout=30)[0]
    for secret in [token, *passwords.values()]:
        assert secret not in out


def _login(base: str, username: str, passwords: dict) -> dict:
    r = httpx.post(base + "/api/login", json={"username": username, "password": passwords[username]})
    assert r.status_code == 200
    return {"xianping_session": r.cookies["xianping_session"]}

