"""The access rules: every route of the served app (platform, dashboard, API docs, static files) declares one, and the
authorisation matrix — every route × every role (and no login) × every task in and out of the caller's scope —
run against the real app with real users, expecting exactly what the rule table says: 0 unauthorised reads or
writes, and no refusal of what is allowed.

Expected task visibility is written out here from the fixture's divisions (not computed by the code under test).
"""

from __future__ import annotations

import re

import pytest

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from platform_fixtures import MATRIX, client, login
from xianping.platform.auth.access import allow
from xianping.platform.web.dashboard_rules import DASHBOARD_RULES
from xianping.platform.web.routes import flat_routes, rule_table

# what each matrix user may read (unit codes and dept:<code>), from the divisions in platform_fixtures
VISIBLE = {
    "admin41": {"410122", "410181", "410221", "410122100", "dept:tjj", "dept:czt"},
    "rev4101": {"410122", "410181", "410122100"},
    "zhongmou": {"410122", "410122100"},
    "tjj_user": {"dept:tjj"},
    "viewer41": set(),
}
USERS_SEEN_BY_ADMIN41 = {"admin41", "rev4101", "rev4102", "zhongmou", "qixian", "tjj_user", "czt_user", "viewer41"}


def test_every_route_declares_an_access_rule(app):
    table = rule_table(app)
    missing = sorted(k for k, rule in table.items() if rule is None)
    assert not missing, f"routes without an access rule (declare allow(...)/PUBLIC, or add dashboard ones to " \
                        f"platform/web/dashboard_rules.py): {missing}"
    assert len(table) >= 30
    paths = {p for p, _ in table}
    assert {"/api/login", "/api/tasks/{task_id}", "/", "/static", "/api/docs", "/openapi.json"} <= paths
    stale = sorted(set(DASHBOARD_RULES) - {i.path for i in flat_routes(app)})
    assert not stale, f"dashboard_rules.py names routes the dashboard no longer has: {stale}"


def test_a_new_route_without_a_rule_fails_the_check_and_is_refused(app, world):
    """The machinery can fail: a route added without a rule shows up as missing, and the gate refuses it even to the
    province admin; one added with allow(...) is found and enforced."""
    from fastapi import Depends

    @app.get("/api/forgotten")
    def forgotten() -> dict:
        return {"leak": True}

    @app.get("/api/admins-only")
    def admins_only(_=Depends(allow(roles=("province_admin",)))) -> dict:
        return {"ok": True}

    table = rule_table(app)
    assert table[("/api/forgotten", "GET")] is None
    assert table[("/api/admins-only", "GET")].roles == ("province_admin",)
    admin, reporter = client(app), client(app)
    login(admin, "admin41", world.passwords["admin41"])
    login(reporter, "zhongmou", world.passwords["zhongmou"])
    r = admin.get("/api/forgotten")
    assert r.status_code == 403 and "leak" not in r.text
    assert client(app).get("/api/forgotten").status_code == 403
    assert admin.get("/api/admins-only").status_code == 200
    assert reporter.get("/api/admins-only").status_code == 403
    assert client(app).get("/api/admins-only").status_code == 401


# ---------------------------------------------------------------------------------------------------------------------
# How the matrix speaks to each route. A new route needs nothing here when it is a GET without path parameters;
# otherwise add its parameter (FIXED, or SCOPED with the rows and who sees them) or its write request (WRITES) —
# the matrix fails and says so until it knows how.

FIXED = {"code": lambda ctx: ctx.dash.codes[0], "fmt": lambda ctx: "no-such-format"}   # rules without row scope
SCOPED = {"task_id": "task"}   # parameter → the rule scope it stands for; rows: world.tasks, readers: VISIBLE
WRITES = {}                    # (path, method) → request(ctx, url, username) for unsafe routes


def write(path: str, method: str = "POST"):
    def register(fn):
        WRITES[(path, method)] = fn
        return fn
    return register


@write("/api/login")
def _api_login(ctx, url, username):
    name = username or "admin41"   # anonymous logging in is the point of the route
    return client(ctx.app).post(url, json={"username": name, "password": ctx.world.passwords[name]})


@write("/login")
def _form_login(ctx, url, username):
    name = username or "admin41"
    c = client(ctx.app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)[1]
    return c.post(url, data={"username": name, "password": ctx.world.passwords[name], "csrf_token": token},
                  follow_redirects=False)


@write("/api/logout")
@write("/logout")
def _logout(ctx, url, username):
    c, csrf = ctx.fresh_session(username)   # its own session: the matrix's sessions stay logged in
    return c.post(url, headers={"X-CSRF-Token": csrf} if csrf else {}, follow_redirects=False)


# review routes (platform/web/review_*.py, audit_api.py): the task is made submitted before each request (through the
# ORM with its audit row), so every admitted caller meets a task it can decide on
def _submitted(ctx, url) -> int:
    from xianping.platform.audit.record import SYSTEM, writing
    from xianping.platform.db.models import Task

    tid = int(re.search(r"/(\d+)/", url)[1])
    with ctx.app.state.platform.sessions() as db, writing(db, SYSTEM) as w:
        t = db.get(Task, tid)
        w.record("task.submit", "task", tid, field="status", old=t.status, new="submitted", reason="matrix")
        t.status = "submitted"
    with ctx.app.state.platform.sessions() as db:
        return db.get(Task, tid).version


def _session(ctx, username):
    if username not in ctx.sessions:
        ctx.sessions[username] = ctx.fresh_session(username)
    return ctx.sessions[username]


@write("/api/tasks/{task_id}/approve")
@write("/api/tasks/{task_id}/reject")
def _review_api(ctx, url, username):
    version = _submitted(ctx, url)
    c, csrf = _session(ctx, username)
    return c.post(url, json={"version": version, "reason": "matrix", "new_deadline": "2099-01-31"},
                  headers={"X-CSRF-Token": csrf} if csrf else {}, follow_redirects=False)


@write("/review/{task_id}/approve")
@write("/review/{task_id}/reject")
def _review_form(ctx, url, username):
    version = _submitted(ctx, url)
    c, csrf = _session(ctx, username)
    return c.post(url, data={"version": version, "reason": "matrix", "new_deadline": "2099-01-31", "csrf_token": csrf or ""},
                  follow_redirects=False)


def _a_value(ctx) -> str:
    """A value of 中牟县 410122 (gdp, an indicator of 统计局): every role admitted to a value route may read it."""
    if not hasattr(ctx, "value_id"):
        from xianping.platform.audit.record import SYSTEM, writing
        from xianping.platform.db.models import DataValue, Task

        with ctx.app.state.platform.sessions() as db, writing(db, SYSTEM) as w:
            pid = db.get(Task, ctx.world.tasks["410122"]).programme_id
            v = DataValue(programme_id=pid, unit_code="410122", indicator="gdp", period="2025", value=1.0)
            db.add(v)
            db.flush()
            w.record("value.save", "data_value", v.id, field="value", new=1.0)
            ctx.value_id = v.id
    return str(ctx.value_id)


FIXED["value_id"] = _a_value


# programmes and reporting (platform/web/programme_*.py, reporting_*.py): admitted callers get an answer about their
# request (200/201/303, or 422 naming what is wrong), never a refusal; nothing here widens anyone's reach
def _world_programme(ctx) -> str:
    from sqlalchemy import select

    from xianping.platform.db.models import Programme

    with ctx.app.state.platform.sessions() as db:
        return str(db.scalar(select(Programme.id).where(Programme.scope_code == "410000")))


FIXED["programme_id"] = _world_programme
FIXED["evidence_id"] = lambda ctx: "999999"   # no such file: admitted roles get 404, the others 401/403
PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)


def _h(csrf):
    return {"X-CSRF-Token": csrf} if csrf else {}


@write("/api/programmes")
def _programme_create(ctx, url, username):
    c, csrf = _session(ctx, username)   # not a framework: the admin is told so (422), nothing created
    return c.post(url, json={"name": "m", "framework_yaml": "code: [", "scope": "41", "period": "2025",
                             "fill_by": "2026-01-31", "review_by": "2026-02-15"}, headers=_h(csrf), follow_redirects=False)


@write("/api/programmes/{programme_id}/publish")
def _programme_publish(ctx, url, username):
    c, csrf = _session(ctx, username)   # already open: nothing new, said so
    return c.post(url, headers=_h(csrf), follow_redirects=False)


@write("/api/tasks/{task_id}/values", "PUT")
def _values_put(ctx, url, username):
    c, csrf = _session(ctx, username)
    return c.put(url, json={"values": []}, headers=_h(csrf), follow_redirects=False)


@write("/api/tasks/{task_id}/submit")
def _task_submit(ctx, url, username):
    c, csrf = _session(ctx, username)
    return c.post(url, json={"explanations": {}}, headers=_h(csrf), follow_redirects=False)


@write("/api/tasks/{task_id}/upload")
def _task_upload(ctx, url, username):
    c, csrf = _session(ctx, username)
    return c.post(url, files={"file": ("t.csv", b"x,y\n1,2\n", "text/csv")}, headers=_h(csrf), follow_redirects=False)


@write("/api/values/{value_id}/evidence")
def _value_evidence(ctx, url, username):
    c, csrf = _session(ctx, username)
    return c.post(url, files={"file": ("e.png", PNG, "image/png")}, headers=_h(csrf), follow_redirects=False)


@write("/tasks/{task_id}")
def _task_form(ctx, url, username):
    c, csrf = _session(ctx, username)
    return c.post(url, data={"csrf_token": csrf or "", "action": "save"}, follow_redirects=False)


@write("/tasks/{task_id}/upload")
def _task_form_upload(ctx, url, username):
    c, csrf = _session(ctx, username)
    return c.post(url, data={"csrf_token": csrf or ""}, files={"file": ("t.csv", b"x,y\n1,2\n", "text/csv")},
                  follow_redirects=False)


@write("/tasks/{task_id}/evidence/{value_id}")
def _task_form_evidence(ctx, url, username):
    c, csrf = _session(ctx, username)
    return c.post(url, data={"csrf_token": csrf or ""}, files={"file": ("e.png", PNG, "image/png")}, follow_redirects=False)


@write("/programmes")
def _programme_form(ctx, url, username):
    c, csrf = _session(ctx, username)
    return c.post(url, data={"csrf_token": csrf or "", "name": "m", "scope": "41", "period": "2025"},
                  files={"framework": ("f.yaml", b"code: [", "application/yaml")}, follow_redirects=False)


@write("/programmes/{programme_id}/publish")
def _programme_form_publish(ctx, url, username):
    c, csrf = _session(ctx, username)
    return c.post(url, data={"csrf_token": csrf or ""}, follow_redirects=False)


# results and objections (platform/web/result_*.py, objection_*.py): the world's programme is open with tasks not
# approved, so an admitted admin is told 409 (close without a reason, compute, 公示, publish) and changes nothing;
# an objection to a value outside 公示 is 409, to an objection that does not exist 404 — the others 401/403
FIXED["step"] = lambda ctx: "compute"
FIXED["objection_id"] = lambda ctx: "999999"


@write("/api/programmes/{programme_id}/close")
@write("/api/programmes/{programme_id}/compute")
@write("/api/programmes/{programme_id}/publicity")
@write("/api/programmes/{programme_id}/result/publish")
def _result_step(ctx, url, username):
    c, csrf = _session(ctx, username)
    return c.post(url, json={}, headers=_h(csrf), follow_redirects=False)


@write("/programmes/{programme_id}/result/{step}")
@write("/objections/{objection_id}/resolve")
def _result_form(ctx, url, username):
    c, csrf = _session(ctx, username)
    return c.post(url, data={"csrf_token": csrf or "", "decision": "dismissed", "reason": "matrix"}, follow_redirects=False)


@write("/api/objections")
def _objection_file(ctx, url, username):
    c, csrf = _session(ctx, username)
    return c.post(url, json={"value_id": int(_a_value(ctx)), "text": "matrix"}, headers=_h(csrf), follow_redirects=False)


@write("/objections")
def _objection_form(ctx, url, username):
    c, csrf = _session(ctx, username)
    return c.post(url, data={"csrf_token": csrf or "", "value_id": _a_value(ctx), "text": "matrix"},
                  files={"evidence": ("e.png", PNG, "image/png")}, follow_redirects=False)


@write("/api/objections/{objection_id}/resolve")
def _objection_resolve(ctx, url, username):
    c, csrf = _session(ctx, username)
    return c.post(url, json={"decision": "dismissed", "reason": "matrix"}, headers=_h(csrf), follow_redirects=False)


# accounts (platform/web/account_*.py): a password change with the right current password and a new one that is
# too short is answered 422 (nothing changed, so the matrix's sessions stay valid); the admin resets 杞县's qixian
# (a user of its province the matrix never logs in as) and gets its temporary password
FIXED["user_id"] = lambda ctx: str(ctx.world.user_ids["qixian"])


@write("/api/account/password")
@write("/account/password")
def _password_change(ctx, url, username):
    c, csrf = _session(ctx, username)
    body = {"old_password": ctx.world.passwords.get(username or "", "x"), "new_password": "short",
            "new_password_again": "short"}
    if url.startswith("/api/"):
        return c.post(url, json=body, headers=_h(csrf), follow_redirects=False)
    return c.post(url, data={**body, "csrf_token": csrf or ""}, follow_redirects=False)


@write("/api/users/{user_id}/reset-password")
@write("/account/users/{user_id}/reset-password")
def _password_reset(ctx, url, username):
    c, csrf = _session(ctx, username)
    return c.post(url, data={"csrf_token": csrf or ""}, headers=_h(csrf), follow_redirects=False)


# dispatch (platform/web/dispatch_api.py): no such project / report / photo / ledger item, so admitted roles get 404 or
# 422 (a sheet that is no sheet) and change nothing; the world has no projects, so /warn opens nothing (200)
FIXED.update(project_code=lambda ctx: "NO-SUCH", month=lambda ctx: "2025-06", report_id=lambda ctx: "999999",
             photo_id=lambda ctx: "999999", item_id=lambda ctx: "999999")


@write("/api/dispatch/projects/import")
@write("/api/dispatch/reports/import")
@write("/api/dispatch/reports/{report_id}/photos")
@write("/api/dispatch/indicators/import")
def _dispatch_upload(ctx, url, username):
    c, csrf = _session(ctx, username)
    return c.post(url, files={"file": ("m.csv", b"x,y\n1,2\n", "text/csv")}, headers=_h(csrf), follow_redirects=False)


@write("/api/dispatch/projects/{project_code}", "PUT")
@write("/api/dispatch/projects/{project_code}/reports/{month}", "PUT")
@write("/api/dispatch/reports/approve")
@write("/api/dispatch/reports/reject")
@write("/api/dispatch/ledger/{item_id}/progress")
@write("/api/dispatch/ledger/{item_id}/close")
@write("/api/dispatch/warn")
def _dispatch_json(ctx, url, username):
    c, csrf = _session(ctx, username)
    body = {"ids": [999999], "reason": "matrix", "note": "matrix", "month": "2025-06", "investment_month": 1}
    return c.request("PUT" if url.endswith(("/2025-06", "NO-SUCH")) else "POST", url, json=body, headers=_h(csrf),
                     follow_redirects=False)


# dispatch pages (platform/web/dispatch_pages.py): a county every admitted role of the matrix reaches (中牟县); the forms
# name no such project / item or a month with nothing submitted, so admitted roles get 404/409/200 and change nothing
FIXED["county_code"] = lambda ctx: "410122"


@write("/dispatch/county/{county_code}/photo")
def _dispatch_photo_form(ctx, url, username):
    c, csrf = _session(ctx, username)
    return c.post(url, data={"csrf_token": csrf or "", "report_id": "999999"},
                  files={"file": ("p.png", b"\x89PNG\r\n\x1a\n", "image/png")}, follow_redirects=False)


@write("/dispatch/county/{county_code}/report")
@write("/dispatch/county/{county_code}/approve")
@write("/dispatch/ledger/warn")
@write("/dispatch/ledger/{item_id}/close")
def _dispatch_forms(ctx, url, username):
    c, csrf = _session(ctx, username)
    return c.post(url, data={"csrf_token": csrf or "", "project": "NO-SUCH", "month": "2025-06", "note": "matrix",
                             "investment_ytd": "1"}, follow_redirects=False)


def _denied(r, rule) -> bool:
    if r.status_code in (401, 403):
        return True
    if r.status_code == 303 and r.headers.get("location", "").startswith("/login?next="):   # (logout goes to /login)
        return True
    return rule.scope in SCOPED.values() and r.status_code == 404   # outside the scope: as if it did not exist


class Ctx:
    def __init__(self, app, world, dash):
        self.app, self.world, self.dash = app, world, dash
        self.sessions = {}

    def fresh_session(self, username):
        c = client(self.app)
        return c, (login(c, username, self.world.passwords[username]) if username else None)


def test_authorisation_matrix(app, world, dash):
    table = rule_table(app)
    ids = {v: k for k, v in world.tasks.items()}
    ctx = Ctx(app, world, dash)
    actors: dict[str | None, object] = {None: client(app)}
    roles = {None: None}
    for role, (username, own, other) in MATRIX.items():
        c = client(app)
        login(c, username, world.passwords[username])
        actors[username], roles[username] = c, role
        assert own in VISIBLE[username] or role == "viewer"
        assert other not in VISIBLE[username]

    def send(path, method, username, key=None):
        """One request as `username` (None: not logged in); unsafe routes get what a real client sends."""
        url = path
        for name, fill in FIXED.items():
            url = url.replace("{" + name + "}", fill(ctx))
        for name in SCOPED:
            if key is not None:
                url = url.replace("{" + name + "}", str(world.tasks[key]))
        if "{" in url:
            raise AssertionError(f"the matrix does not know how to fill {path}: add its parameter to FIXED or SCOPED")
        if method in ("GET", "HEAD"):
            return actors[username].request(method, url, follow_redirects=False)
        if method == "*":   # a mount (static files)
            return actors[username].get(url + "/app.css", follow_redirects=False)
        if (path, method) not in WRITES:
            raise AssertionError(f"the matrix has no request for {method} {path}: add one to WRITES (every write route is checked)")
        return WRITES[(path, method)](ctx, url, username)

    wrong, checks = [], 0
    for (path, method), rule in table.items():
        assert rule is not None
        task_keys = sorted(world.tasks) if any("{" + n + "}" in path for n in SCOPED) else [None]
        for username, role in roles.items():
            for key in task_keys:
                r = send(path, method, username, key)
                checks += 1
                in_scope = key is None or (username is not None and key in VISIBLE[username])
                expect = rule.public or (role is not None and rule.admits(role) and (rule.scope not in SCOPED.values() or in_scope))
                if expect == _denied(r, rule) or r.status_code >= 500:
                    wrong.append(f"{method} {path} as {username or 'anonymous'} ({role}) task {key}: "
                                 f"{r.status_code}, expected {'allow' if expect else 'deny'}")
                elif expect and key is not None and path.startswith("/api/") and \
                        r.headers.get("content-type", "").startswith("application/json"):   # (not template.xlsx)
                    assert r.json()["id"] == world.tasks[key]
    assert not wrong, f"{len(wrong)} of {checks} checks disagree with the rule table:\n" + "\n".join(wrong)
    assert checks > 200

    # list routes: exactly the rows in scope, nothing of anyone else's
    for username, seen in VISIBLE.items():
        got = {ids[t["id"]] for t in actors[username].get("/api/tasks").json()["tasks"]}
        assert got == seen, username
        page = actors[username].get("/tasks").text
        assert {k for k in world.tasks if not k.startswith("dept:") and f">{k}<" in page} == \
            {k for k in seen if not k.startswith("dept:")}, username
    users = {u["username"] for u in actors["admin41"].get("/api/users").json()["users"]}
    assert users == USERS_SEEN_BY_ADMIN41


@pytest.mark.parametrize("path", ["/", "/api/rankings", "/unit/{code}", "/openapi.json", "/api/docs", "/tasks"])
def test_dashboard_needs_login_under_a_platform(app, dash, path):
    url = path.replace("{code}", dash.codes[0])
    r = client(app).get(url, follow_redirects=False)
    if url.startswith(("/api/", "/openapi")):
        assert r.status_code == 401 and "not logged in" in r.json()["detail"]
    else:
        assert r.status_code == 303 and r.headers["location"] == "/login?next=" + url
    assert "content-security-policy" in r.headers   # refusals carry the site's headers too
