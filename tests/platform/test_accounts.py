"""Accounts, against the real app and a real database (SQLite and PostgreSQL): a user changes its password (the
policy, every other session ended), a province admin resets one within its province (a temporary password shown
once, must_change_password: pages lead to the change page, the API answers 403 until it is changed), the CLI's
reset-password and settings, the session idle timeout (last_seen_at written at most once a minute), old login
attempts pruned a batch per login; no password or hash in the audit log or any log line. And in Debian's chromium:
a user whose password was reset is sent to the change page and changes it."""

from __future__ import annotations

import csv
import logging
import os
import re
import shutil
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import func, insert, select

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from platform_fixtures import client, login
from xianping.platform.audit.record import SYSTEM
from xianping.platform.auth import login as login_verb
from xianping.platform.auth import passwords, settings, tokens, users
from xianping.platform.auth.access import MUST_CHANGE
from xianping.platform.db.models import AuditLog, LoginAttempt, LoginSession, User, utcnow

NEW = "Xinmima-2026-qiuji"   # a password that passes the policy (18 characters)


def _csrf(c) -> dict:
    return {"X-CSRF-Token": c.get("/api/me").json()["csrf_token"]}


def _user(plat, username) -> User:
    with plat.sessions() as db:
        return db.scalars(select(User).where(User.username == username)).one()


def _dump(plat, *tables: str) -> str:
    with plat.sessions() as db:
        return " ".join(str(v) for t in tables for row in db.execute(sa.text(f"SELECT * FROM {t}")).all() for v in row)


def test_policy_written_out():
    """passwords.weak: the four rules, each case by hand."""
    assert passwords.weak("short1234") == "at least 10 characters"                                  # 9 characters
    assert passwords.weak("aaaaabbbbb") == "more than a few distinct characters"                    # 2 distinct
    assert passwords.weak("Henan_Reporter", username="henan_reporter") == "something other than the username"
    assert passwords.weak("Old-password-1", username="u1", old="Old-password-1") == "a password other than the current one"
    assert passwords.weak("Old-password-2", username="u1", old="Old-password-1") is None
    assert passwords.weak("henan_reporter-x", username="henan_reporter") is None   # containing it is allowed


def test_change_password_ends_other_sessions_and_keeps_the_caller(app, world, plat):
    pw = world.passwords["zhongmou"]
    a, b = client(app), client(app)
    login(a, "zhongmou", pw)
    login(b, "zhongmou", pw)
    h = _csrf(a)
    url = "/api/account/password"

    r = a.post(url, json={"old_password": "not-the-password", "new_password": NEW, "new_password_again": NEW}, headers=h)
    assert r.status_code == 403 and "current password is wrong" in r.json()["detail"]
    r = a.post(url, json={"old_password": pw, "new_password": NEW, "new_password_again": NEW + "x"}, headers=h)
    assert r.status_code == 422 and [p["kind"] for p in r.json()["problems"]] == ["passwords_differ"]
    r = a.post(url, json={"old_password": pw, "new_password": "Short-1", "new_password_again": "Short-1"}, headers=h)
    assert r.status_code == 422 and r.json()["problems"][0]["expected"] == "at least 10 characters"
    r = a.post(url, json={"old_password": pw, "new_password": pw, "new_password_again": pw}, headers=h)
    assert r.status_code == 422 and r.json()["problems"][0]["expected"] == "a password other than the current one"
    assert a.post(url, json={"old_password": pw, "new_password": NEW, "new_password_again": NEW}).status_code == 403  # no CSRF
    assert _user(plat, "zhongmou").password_changed_at is None   # nothing changed so far

    r = a.post(url, json={"old_password": pw, "new_password": NEW, "new_password_again": NEW}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["sessions_revoked"] == 2 and r.headers["cache-control"] == "no-store"
    assert a.get("/api/me").status_code == 200          # the caller got a fresh session cookie
    assert b.get("/api/me").status_code == 401          # the other one ended
    assert client(app).post("/api/login", json={"username": "zhongmou", "password": pw}).status_code == 401
    assert client(app).post("/api/login", json={"username": "zhongmou", "password": NEW}).status_code == 200
    u = _user(plat, "zhongmou")
    assert not u.must_change_password and u.password_changed_at is not None and passwords.verify(u.password_hash, NEW)
    with plat.sessions() as db:
        open_ = db.scalar(select(func.count()).select_from(LoginSession).where(LoginSession.user_id == u.id,
                                                                               LoginSession.revoked_at.is_(None)))
        assert open_ == 2   # a's new one and the login just above
        acts = db.scalars(select(AuditLog.action).where(AuditLog.entity == "user", AuditLog.entity_id == str(u.id))
                          .order_by(AuditLog.id)).all()
        # (the last: the old password tried at /api/login above)
        assert acts == ["user.add", "password.change.fail", "user.password_change", "login.fail"]
        # a wrong current password counts as a failed login (the login throttle applies to guessing it): 2 with that one
        assert db.scalar(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.username == "zhongmou",
                                                                             LoginAttempt.success.is_(False))) == 2
    dumped = _dump(plat, "audit_log")
    assert NEW not in dumped and pw not in dumped and u.password_hash not in dumped and "argon2" not in dumped


def test_guessing_the_current_password_is_throttled_like_logins(world, plat):
    """A stolen session cannot try passwords: each wrong current password is a failed login of the user, and after
    MAX_FAILURES_PER_USERNAME of them (10) in the window the change is refused 429 — the right password too."""
    from xianping.platform.auth.password_change import PasswordRefused, change_password

    uid, pw = world.user_ids["czt_user"], world.passwords["czt_user"]
    for i in range(login_verb.MAX_FAILURES_PER_USERNAME):
        with plat.sessions() as db, pytest.raises(PasswordRefused) as e:
            change_password(db, uid, f"guess-{i:04d}-x", NEW, NEW, "10.1.1.1", new_session=False)
        assert e.value.status == 403
    with plat.sessions() as db, pytest.raises(PasswordRefused) as e:
        change_password(db, uid, pw, NEW, NEW, "10.1.1.2", new_session=False)
    assert e.value.status == 429 and e.value.retry_after == login_verb.WINDOW_MINUTES * 60
    assert passwords.verify(_user(plat, "czt_user").password_hash, pw)   # unchanged


def test_new_password_may_not_be_the_username(app, plat, world):
    with plat.sessions() as db:
        users.add_one(db, SYSTEM, users.NewUser("henan_reporter", "河南 填报", "county_reporter", "410181", None),
                      "Chushi-mima-2026")
    c = client(app)
    login(c, "henan_reporter", "Chushi-mima-2026")
    r = c.post("/api/account/password", headers=_csrf(c), json={"old_password": "Chushi-mima-2026",
                                                                 "new_password": "HENAN_REPORTER",
                                                                 "new_password_again": "HENAN_REPORTER"})
    assert r.status_code == 422 and r.json()["problems"][0]["expected"] == "something other than the username"
    assert "不能与用户名相同" in r.json()["problems"][0]["message"]


def test_admin_reset_must_change_then_change(app, world, plat):
    admin = client(app)
    login(admin, "admin41", world.passwords["admin41"])
    ah = _csrf(admin)
    qixian = client(app)
    login(qixian, "qixian", world.passwords["qixian"])
    qid = world.user_ids["qixian"]
    with plat.sessions() as db:   # locked after failed logins: the reset lifts it
        db.get(User, qid).locked_until = utcnow() + timedelta(minutes=10)
        db.commit()

    # outside the admin's reach: another province's user, oneself, another role, no such user
    assert admin.post(f"/api/users/{world.user_ids['admin42']}/reset-password", headers=ah).status_code == 404
    assert admin.post("/api/users/999999/reset-password", headers=ah).status_code == 404
    r = admin.post(f"/api/users/{world.user_ids['admin41']}/reset-password", headers=ah)
    assert r.status_code == 409 and "/account/password" in r.json()["detail"]
    rev = client(app)
    login(rev, "rev4101", world.passwords["rev4101"])
    assert rev.post(f"/api/users/{qid}/reset-password", headers=_csrf(rev)).status_code == 403

    with plat.sessions() as db:   # a script's API token from before the reset
        from xianping.platform.auth.tokens import create_api_token

        secret, _ = create_api_token(db, db.get(User, qid), "nightly")
        db.commit()
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client(app).get("/api/tasks", headers=bearer).status_code == 200

    r = admin.post(f"/api/users/{qid}/reset-password", headers=ah)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert client(app).get("/api/tasks", headers=bearer).status_code == 401   # the reset revoked it
    temp = r.json()["temporary_password"]
    assert r.json()["must_change_password"] is True and r.json()["sessions_revoked"] == 1 and len(temp) == 14
    assert qixian.get("/api/me").status_code == 401                      # its session ended
    assert client(app).post("/api/login", json={"username": "qixian", "password": world.passwords["qixian"]}).status_code == 401
    u = _user(plat, "qixian")
    assert u.must_change_password and u.locked_until is None

    c = client(app)
    login(c, "qixian", temp)                                              # the temporary password logs in …
    r = c.get("/api/tasks")
    assert r.status_code == 403 and r.json()["detail"] == MUST_CHANGE    # … to nothing but the change
    assert "请先修改密码" in MUST_CHANGE and "password change required" in MUST_CHANGE
    assert c.get(f"/api/tasks/{world.tasks['410221']}").status_code == 403
    assert c.get("/api/rankings").status_code == 403                      # a dashboard route (through the gate)
    for page in ("/tasks", "/", f"/tasks/{world.tasks['410221']}"):       # pages lead to the change page
        r = c.get(page, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/account/password", page
    assert c.get("/account/password").status_code == 200 and "管理员重置了您的密码" in c.get("/account/password").text
    assert c.get("/api/me").json()["must_change_password"] is True       # /api/me says why
    h = _csrf(c)                                                          # /api/me still answers (the CSRF token)
    r = c.post("/api/account/password", headers=h, json={"old_password": temp, "new_password": NEW,
                                                          "new_password_again": NEW})
    assert r.status_code == 200, r.text
    assert c.get("/api/tasks").status_code == 200 and c.get("/api/me").json()["must_change_password"] is False
    assert [t["unit_code"] for t in c.get("/api/tasks").json()["tasks"]] == ["410221"]
    assert not _user(plat, "qixian").must_change_password

    with plat.sessions() as db:
        row = db.scalars(select(AuditLog).where(AuditLog.action == "user.password_reset")).one()
        assert (row.actor_name, row.entity_id, row.field) == ("admin41", str(qid), "password")
    dumped = _dump(plat, "audit_log")
    assert temp not in dumped and NEW not in dumped


def test_reset_page_shows_the_temporary_password_once(app, world, plat):
    admin = client(app)
    login(admin, "admin41", world.passwords["admin41"])
    assert 'href="/account/users"' in admin.get("/tasks").text   # offered on the admin's task page
    page = admin.get("/account/users")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    listed = set(re.findall(r"<tr><td>([^<]+)</td>", page.text))
    assert listed == {"admin41", "rev4101", "rev4102", "zhongmou", "qixian", "tjj_user", "czt_user", "viewer41"}
    assert f"/account/users/{world.user_ids['admin41']}/reset-password" not in page.text   # not oneself
    r = admin.post(f"/account/users/{world.user_ids['zhongmou']}/reset-password", data={"csrf_token": csrf})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    temp = re.search(r'<code id="temporary-password">([^<]+)</code>', r.text)[1]
    assert passwords.verify(_user(plat, "zhongmou").password_hash, temp)
    again = admin.get("/account/users").text
    assert temp not in again and "待改密码" in again
    # another province's user: as if it did not exist
    assert admin.post(f"/account/users/{world.user_ids['admin42']}/reset-password", data={"csrf_token": csrf}).status_code == 404


def test_change_form_page(app, world, plat):
    c = client(app)
    login(c, "viewer41", world.passwords["viewer41"])
    tasks = c.get("/tasks").text
    assert 'href="/account/password"' in tasks and "/account/users" not in tasks   # (the users page: admins only)
    page = c.get("/account/password")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    form = {"csrf_token": csrf, "old_password": world.passwords["viewer41"], "new_password": "abc",
            "new_password_again": "abc"}
    r = c.post("/account/password", data=form)
    assert r.status_code == 200 and "至少 10 个字符" in r.text and 'id="password-changed"' not in r.text
    r = c.post("/account/password", data={**form, "new_password": NEW, "new_password_again": NEW})
    assert r.status_code == 200 and 'id="password-changed"' in r.text
    assert c.get("/api/me").status_code == 200                            # the new session cookie
    assert passwords.verify(_user(plat, "viewer41").password_hash, NEW)


@pytest.fixture
def fresh_settings():
    # the server's per-process cache is keyed by the database URL, and the PostgreSQL tests share one URL
    settings.forget_cache()
    yield
    settings.forget_cache()


def test_idle_timeout_and_last_seen_once_a_minute(app, world, plat, fresh_settings):
    c = client(app)
    login(c, "zhongmou", world.passwords["zhongmou"])
    secret = c.cookies["xianping_session"]
    with plat.sessions() as db:
        row = db.scalars(select(LoginSession)).one()
        t0 = row.last_seen_at
        assert settings.value(db, "session_idle_minutes") == 30   # the default, no row

        # within a minute of the last write: nothing written
        assert tokens.by_session(db, secret, now=t0 + timedelta(seconds=59)) is not None
        db.commit()
        assert db.scalars(select(LoginSession.last_seen_at)).one() == t0
        # a minute later: written (once)
        assert tokens.by_session(db, secret, now=t0 + timedelta(seconds=61)) is not None
        db.commit()
        db.expire_all()
        assert db.scalars(select(LoginSession.last_seen_at)).one() == t0 + timedelta(seconds=61)
        t1 = t0 + timedelta(seconds=61)
        # idle 29:59 after that: still valid; 30:01: ended (30 minutes, the default)
        assert tokens.by_session(db, secret, now=t1 + timedelta(minutes=29, seconds=59)) is not None
        db.rollback()
        assert tokens.by_session(db, secret, now=t1 + timedelta(minutes=30, seconds=1)) is None
        # the absolute lifetime still holds for a session in use
        assert tokens.by_session(db, secret, now=row.expires_at + timedelta(seconds=1), idle_minutes=10**6) is None
        db.rollback()

    # through the app: 31 minutes without a request ends the session; 29 do not
    with plat.sessions() as db:
        db.execute(sa.update(LoginSession).values(last_seen_at=utcnow() - timedelta(minutes=29)))
        db.commit()
    assert c.get("/api/me").status_code == 200
    with plat.sessions() as db:   # that request moved last_seen_at to now
        assert utcnow() - db.scalars(select(LoginSession.last_seen_at)).one() < timedelta(seconds=30)
        db.execute(sa.update(LoginSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
        db.commit()
    assert c.get("/api/me").status_code == 401

    # the setting changes it (audited), for every process within a minute
    with plat.sessions() as db:
        settings.change(db, SYSTEM, "session_idle_minutes", "60")
        assert settings.value(db, "session_idle_minutes") == 60
        row = db.scalars(select(AuditLog).where(AuditLog.action == "setting.change")).one()
        assert (row.entity_id, row.old, row.new) == ("session_idle_minutes", "30", "60")
        with pytest.raises(Exception, match="from 5 to 720"):
            settings.change(db, SYSTEM, "session_idle_minutes", "1")
        with pytest.raises(Exception, match="no setting"):
            settings.change(db, SYSTEM, "idle", "10")
    assert c.get("/api/me").status_code == 200   # 31 minutes idle < 60


def test_old_login_attempts_pruned_a_batch_per_login(world, plat):
    now = utcnow()
    old = now - timedelta(minutes=login_verb.PRUNE_AFTER_MINUTES + 1)
    kept = now - timedelta(minutes=login_verb.PRUNE_AFTER_MINUTES - 1)   # past the window, not yet past the cutoff
    n_old = 2 * login_verb.PRUNE_BATCH + 500                               # 2500: three logins take them all
    with plat.sessions() as db:
        db.execute(insert(LoginAttempt), [{"at": old - timedelta(seconds=i), "username": "x", "ip": "10.0.0.9",
                                           "success": False} for i in range(n_old)])
        db.execute(insert(LoginAttempt), [{"at": kept, "username": "y", "ip": "10.0.0.8", "success": False}] * 7)
        db.commit()

    def counts():
        with plat.sessions() as db:
            cut = now - timedelta(minutes=login_verb.PRUNE_AFTER_MINUTES)
            return (db.scalar(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.at < cut)),
                    db.scalar(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.at >= cut)))

    expected_old = n_old
    for i in range(3):
        with plat.sessions() as db:
            assert login_verb.log_in(db, "tjj_user", world.passwords["tjj_user"], "127.0.0.1").kind == "ok"
        expected_old = max(0, expected_old - login_verb.PRUNE_BATCH)            # 1500, 500, 0
        assert counts() == (expected_old, 7 + i + 1), i                         # the recent ones and each login kept
    # the oldest went first: what a throttle could still count is never touched
    with plat.sessions() as db:
        assert login_verb.prune_attempts(db) == 0


def test_no_password_reaches_a_log(app, world, plat, caplog):
    caplog.set_level(logging.DEBUG)
    c = client(app)
    login(c, "tjj_user", world.passwords["tjj_user"])
    c.post("/api/account/password", headers=_csrf(c), json={"old_password": world.passwords["tjj_user"],
                                                             "new_password": NEW, "new_password_again": NEW})
    admin = client(app)
    login(admin, "admin41", world.passwords["admin41"])
    temp = admin.post(f"/api/users/{world.user_ids['czt_user']}/reset-password", headers=_csrf(admin)).json()["temporary_password"]
    text = "\n".join(r.getMessage() + " " + str(r.args) for r in caplog.records)
    for secret in (NEW, temp, world.passwords["tjj_user"], world.passwords["admin41"]):
        assert secret not in text


# ------------------------------------------------------------------------------------------------------------ CLI

XIANPING = [sys.executable, "-m", "xianping.cli.main"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*XIANPING, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})


def test_cli_reset_password_and_settings(app, plat, world, db_url, tmp_path):
    where = ["--dir", str(plat.folder)] + (["--db", db_url] if db_url else [])
    c = client(app)
    login(c, "rev4102", world.passwords["rev4102"])
    out = tmp_path / "reset.csv"
    p = _run("platform", "users", "reset-password", "rev4102", "--out", str(out), *where)
    assert p.returncode == 0, p.stdout + p.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[1][0] == "rev4102"
    temp = rows[1][4]
    assert temp not in p.stdout + p.stderr and "1 session(s) ended" in p.stdout
    assert c.get("/api/me").status_code == 401
    again = client(app)
    login(again, "rev4102", temp)
    assert again.get("/api/review").status_code == 403
    with plat.sessions() as db:
        row = db.scalars(select(AuditLog).where(AuditLog.action == "user.password_reset")).one()
        assert row.actor_name.startswith("cli:") and row.actor_id is None

    p = _run("platform", "users", "reset-password", "nobody_here", *where)
    assert p.returncode != 0 and "no user 'nobody_here'" in p.stdout + p.stderr and "Traceback" not in p.stderr
    p = _run("platform", "settings", "session_idle_minutes", "2", *where)
    assert p.returncode != 0 and "from 5 to 720" in p.stdout + p.stderr and "Traceback" not in p.stderr
    p = _run("platform", "settings", "session_idle_minutes", "45", *where)
    assert p.returncode == 0 and "session_idle_minutes = 45" in p.stdout
    with plat.sessions() as db:
        assert settings.value(db, "session_idle_minutes") == 45


# ------------------------------------------------------------------------------------------------------ browser

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "platform-accounts"


@pytest.fixture
def live(app):
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    th.join(10)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (/usr/bin/chromium)")
def test_reset_user_is_sent_to_the_change_page_in_chromium(live, plat, world):
    pw_api = pytest.importorskip("playwright.sync_api")
    problems: list[str] = []
    with pw_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)

        def page():
            pg = b.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
            pg.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            pg.on("request", lambda r: problems.append(f"external request: {r.url}")
                  if not r.url.startswith((live, "data:", "about:")) else None)
            return pg

        def log_in(pg, username, password):
            pg.goto(f"{live}/login")
            pg.fill("input[name=username]", username)
            pg.fill("input[name=password]", password)
            pg.click("button[type=submit]")

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        admin = page()
        log_in(admin, "admin41", world.passwords["admin41"])
        admin.wait_for_url(f"{live}/tasks")
        admin.goto(f"{live}/account/users")
        admin.click(f"form[action='/account/users/{world.user_ids['qixian']}/reset-password'] button")
        temp = admin.inner_text("#temporary-password").strip()
        admin.screenshot(path=str(ARTIFACTS / "01-admin-reset.png"), full_page=True)

        county = page()
        log_in(county, "qixian", temp)
        county.wait_for_url(f"{live}/account/password")          # not its landing page: the change comes first
        assert county.is_visible("#must-change")
        county.goto(f"{live}/tasks")                             # nothing else is served meanwhile
        county.wait_for_url(f"{live}/account/password")
        county.screenshot(path=str(ARTIFACTS / "02-must-change.png"), full_page=True)
        county.fill("input[name=old_password]", temp)
        county.fill("input[name=new_password]", NEW)
        county.fill("input[name=new_password_again]", NEW)
        county.click("form[action='/account/password'] button[type=submit]")
        county.wait_for_selector("#password-changed")
        county.screenshot(path=str(ARTIFACTS / "03-changed.png"), full_page=True)
        county.goto(f"{live}/tasks")
        assert county.url == f"{live}/tasks" and "410221" in county.content()
        b.close()
    assert not problems, problems
    u = _user(plat, "qixian")
    assert not u.must_change_password and passwords.verify(u.password_hash, NEW)
