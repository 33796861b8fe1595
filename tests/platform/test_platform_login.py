"""Login, sessions, cookies, CSRF, lockout, throttling and API tokens against the real app and a real database
(SQLite and PostgreSQL); and no password, token or session id in any log line written meanwhile."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import select

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from platform_fixtures import client, login
from xianping.platform.auth import login as login_verb
from xianping.platform.auth import tokens
from xianping.platform.db.models import ApiToken, AuditLog, LoginSession, User, utcnow


def _cookie_header(r) -> str:
    return next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("xianping_session="))


def test_login_sets_a_hardened_cookie_and_stores_only_its_hash(app, world, plat):
    c = client(app)
    r = c.post("/api/login", json={"username": "zhongmou", "password": world.passwords["zhongmou"]})
    assert r.status_code == 200
    head = _cookie_header(r)
    flags = {f.strip().lower() for f in head.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= flags and not any(f == "secure" for f in flags)
    secret = head.split(";")[0].split("=", 1)[1]
    assert len(secret) >= 40
    with plat.sessions() as db:
        row = db.scalars(select(LoginSession)).one()
        assert row.token_sha256 == tokens.digest(secret) and row.token_sha256 != secret
        assert timedelta(hours=11) < row.expires_at - utcnow() <= timedelta(hours=12)
        # nowhere in the database in clear
        dumped = " ".join(str(v) for t in ("sessions", "audit_log", "users") for row in
                          db.execute(sa.text(f"SELECT * FROM {t}")).all() for v in row)
        assert secret not in dumped and world.passwords["zhongmou"] not in dumped
    r = c.get("/api/me")
    me = r.json()
    assert (me["username"], me["role"], me["scope_code"], me["via"]) == ("zhongmou", "county_reporter", "410122", "session")
    assert r.headers["cache-control"] == "no-store"


def test_cookie_is_secure_over_https(app, world):
    c = client(app, base_url="https://platform.example")
    r = c.post("/api/login", json={"username": "admin41", "password": world.passwords["admin41"]})
    assert r.status_code == 200
    assert "secure" in {f.strip().lower() for f in _cookie_header(r).split(";")}


def test_bad_credentials_are_401_with_one_message(app, world):
    c = client(app)
    wrong = c.post("/api/login", json={"username": "zhongmou", "password": "not-the-password"})
    nobody = c.post("/api/login", json={"username": "no_such_user", "password": "whatever-it-is"})
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json() == nobody.json() == {"detail": "wrong username or password"}
    assert "set-cookie" not in wrong.headers
    assert c.get("/api/me").status_code == 401
    assert c.post("/api/login", json={"username": "zhongmou"}).status_code == 422


def test_lockout_after_repeated_failures_survives_the_right_password(app, world, plat):
    c = client(app)
    for _ in range(login_verb.MAX_FAILURES):
        assert c.post("/api/login", json={"username": "qixian", "password": "guess-guess"}).status_code == 401
    r = c.post("/api/login", json={"username": "qixian", "password": world.passwords["qixian"]})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 60
    with plat.sessions() as db:
        u = db.scalars(select(User).where(User.username == "qixian")).one()
        assert u.locked_until > utcnow()
        actions = db.scalars(select(AuditLog.action).where(AuditLog.entity == "user", AuditLog.entity_id == str(u.id))).all()
        assert actions.count("login.fail") == login_verb.MAX_FAILURES and "login.lock" in actions and "login.locked" in actions
        # the lock ends: then the right password works again
        u.locked_until = utcnow() - timedelta(seconds=1)
        db.commit()
    assert c.post("/api/login", json={"username": "qixian", "password": world.passwords["qixian"]}).status_code == 200


def test_one_client_trying_many_usernames_is_throttled(app, world, plat):
    """Per IP, counted in the database (as every worker process would see it)."""
    from xianping.platform.db.models import LoginAttempt

    with plat.sessions() as db:
        db.add_all([LoginAttempt(username=f"guess{i}", ip="testclient", success=False)
                    for i in range(login_verb.MAX_FAILURES_PER_IP)])
        db.commit()
    c = client(app)
    r = c.post("/api/login", json={"username": "admin41", "password": world.passwords["admin41"]})
    assert r.status_code == 429
    other = client(app, client=("10.9.9.9", 5000))   # another address is not throttled by this one's failures
    assert other.post("/api/login", json={"username": "admin41", "password": world.passwords["admin41"]}).status_code == 200


def test_csrf_is_required_for_cookie_writes(app, world):
    c = client(app)
    csrf = login(c, "rev4101", world.passwords["rev4101"])
    assert c.post("/api/logout").status_code == 403
    assert c.post("/api/logout", headers={"X-CSRF-Token": "0" * 64}).status_code == 403
    assert c.post("/logout", data={"csrf_token": "wrong"}, follow_redirects=False).status_code == 403
    assert c.get("/api/me").status_code == 200             # still logged in: nothing happened
    r = c.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert c.get("/api/me").status_code == 401


def test_logout_revokes_the_session_server_side(app, world):
    c = client(app)
    csrf = login(c, "admin41", world.passwords["admin41"])
    stolen = c.cookies.get("xianping_session")
    assert c.post("/api/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    replay = client(app, cookies={"xianping_session": stolen})
    assert replay.get("/api/me").status_code == 401


def test_login_from_another_site_is_refused(app, world):
    c = client(app)
    for h in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/page"}):
        r = c.post("/api/login", json={"username": "admin41", "password": world.passwords["admin41"]}, headers=h)
        assert r.status_code == 403 and "another site" in r.json()["detail"]
    ok = c.post("/api/login", json={"username": "admin41", "password": world.passwords["admin41"]},
                headers={"Origin": "http://testserver"})
    assert ok.status_code == 200


def test_login_form_needs_its_token_and_redirects_only_locally(app, world):
    c = client(app)
    page = c.get("/login?next=/unit/410122")
    assert page.status_code == 200 and "<script" not in page.text.lower()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    form = {"username": "zhongmou", "password": world.passwords["zhongmou"], "next": "/unit/410122"}
    assert c.post("/login", data=form, follow_redirects=False).status_code == 403          # no token
    bare = client(app)
    assert bare.post("/login", data={**form, "csrf_token": token}, follow_redirects=False).status_code == 403  # no cookie
    wrong = c.post("/login", data={**form, "password": "nope-nope-nope", "csrf_token": token}, follow_redirects=False)
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', wrong.text)[1]
    r = c.post("/login", data={**form, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/unit/410122"
    assert c.get("/api/me").json()["username"] == "zhongmou"
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        fresh = client(app)
        token = re.search(r'name="csrf_token" value="([^"]+)"', fresh.get("/login").text)[1]
        r = fresh.post("/login", data={**form, "next": evil, "csrf_token": token}, follow_redirects=False)
        # refused: the default landing instead, for a county its own profile (issue 14)
        assert r.status_code == 303 and r.headers["location"] == "/unit/410122", evil


def test_api_token_authenticates_scripts_without_csrf(app, world, plat):
    with plat.sessions() as db:
        user = db.scalars(select(User).where(User.username == "admin41")).one()
        secret, row = tokens.create_api_token(db, user, "ci")
        expired, old = tokens.create_api_token(db, user, "old", days=1)
        old.expires_at = utcnow() - timedelta(seconds=1)
        db.commit()
        assert secret not in {r.token_sha256 for r in db.scalars(select(ApiToken))}
    c = client(app, headers={"Authorization": f"Bearer {secret}"})
    me = c.get("/api/me").json()
    assert (me["username"], me["via"]) == ("admin41", "token") and "csrf_token" not in me
    assert c.get("/api/tasks").status_code == 200
    assert c.post("/api/logout").status_code == 200   # bearer: no cookie to forge, so no CSRF token needed
    for bad in (expired, secret[:-2] + "xx", "xp_"):
        assert client(app, headers={"Authorization": f"Bearer {bad}"}).get("/api/me").status_code == 401
    with plat.sessions() as db:
        db.scalars(select(ApiToken).where(ApiToken.name == "ci")).one().revoked_at = utcnow()
        db.commit()
    assert c.get("/api/me").status_code == 401


def test_no_secret_reaches_a_log(app, world, plat, caplog):
    """Capture every logger at DEBUG during logins (good and bad), API and token calls, and grep the lines."""
    with plat.sessions() as db:
        user = db.scalars(select(User).where(User.username == "admin41")).one()
        token, _ = tokens.create_api_token(db, user, "ci")
        db.commit()
    with caplog.at_level(logging.DEBUG):
        c = client(app)
        c.post("/api/login", json={"username": "admin41", "password": "wrong-password-123"})
        csrf = login(c, "admin41", world.passwords["admin41"])
        session = c.cookies.get("xianping_session")
        c.get("/api/me"), c.get("/api/tasks"), c.get("/tasks"), c.get("/")
        client(app, headers={"Authorization": f"Bearer {token}"}).get("/api/me")
        c.post("/api/logout", headers={"X-CSRF-Token": csrf})
    text = "\n".join(r.getMessage() + " " + repr(r.args) for r in caplog.records)
    assert caplog.records, "no log lines captured: the test would prove nothing"
    for secret in (world.passwords["admin41"], "wrong-password-123", session, token, tokens.digest(session),
                   tokens.digest(token), csrf):
        assert secret not in text


def test_concurrent_logins_lose_no_attempt(plat, world):
    """Logins from several threads at once (as several workers would): none fails on a lock, every attempt counted."""
    import threading

    from xianping.platform.db.models import LoginAttempt

    names = ["admin41", "rev4101", "rev4102", "zhongmou", "qixian", "tjj_user", "czt_user", "viewer41"]
    errors, outcomes = [], []

    def attempts(i: int, name: str) -> None:
        for k in range(4):
            try:
                with plat.sessions() as db:
                    pw = world.passwords[name] if k % 2 else "not-the-password"
                    outcomes.append(login_verb.log_in(db, name, pw, f"10.0.0.{i}").kind)
            except Exception as e:   # collected and asserted below: a lock error must fail the test, not vanish
                errors.append(repr(e))

    threads = [threading.Thread(target=attempts, args=(i, n)) for i, n in enumerate(names)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    assert sorted(outcomes) == sorted(["bad", "ok"] * 16)
    with plat.sessions() as db:
        rows = db.scalars(select(LoginAttempt)).all()
        assert len(rows) == 32 and sum(r.success for r in rows) == 16
        assert all(u.failed_logins == 0 for u in db.scalars(select(User).where(User.username.in_(names))))


def test_expired_session_and_deactivated_user_are_logged_out(app, world, plat):
    c = client(app)
    login(c, "zhongmou", world.passwords["zhongmou"])
    with plat.sessions() as db:
        db.scalars(select(LoginSession)).one().expires_at = utcnow() - timedelta(seconds=1)
        db.commit()
    assert c.get("/api/me").status_code == 401
    login(c, "zhongmou", world.passwords["zhongmou"])
    assert c.get("/api/me").status_code == 200
    with plat.sessions() as db:
        db.scalars(select(User).where(User.username == "zhongmou")).one().active = False
        db.commit()
    assert c.get("/api/me").status_code == 401
    assert c.post("/api/login", json={"username": "zhongmou", "password": world.passwords["zhongmou"]}).status_code == 401


def test_pages_escape_what_users_typed(app, plat):
    from xianping.platform.audit.record import SYSTEM
    from xianping.platform.auth import users

    with plat.sessions() as db:
        _, pw = users.add_one(db, SYSTEM, users.NewUser("mallory", '<script src="/x.js"></script>"李', "viewer", None, None))
    c = client(app)
    login(c, "mallory", pw)
    page = c.get("/tasks").text
    assert '<script src="/x.js">' not in page and "&lt;script src=&#34;/x.js&#34;&gt;" in page
    r = c.get('/login?next="><script>alert(1)</script>')
    assert "<script>alert(1)" not in r.text
