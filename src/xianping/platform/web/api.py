"""The platform's JSON API (the interface other scripts rely on):

    POST /api/login    {"username", "password"} → session cookie xianping_session (+ the CSRF token in the body);
                       401 on bad credentials, 429 (Retry-After) when throttled or locked
    POST /api/logout   ends the session
    GET  /api/me       the caller (role, scope, CSRF token for cookie clients)
    GET  /api/tasks    the caller's tasks: id, unit_code, status …
    GET  /api/tasks/{id}
    GET  /api/users    (province admin) the users of its province

401 without a session or token; 403 for a role the route is not for; 404 for a row outside the caller's scope
(the same answer as for a row that does not exist, so scope does not leak what exists).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from xianping.platform.auth import login as login_verb
from xianping.platform.auth.access import COOKIE, LOGGED_IN, Rule, allow, client_ip
from xianping.platform.auth.scope import task_condition, user_condition
from xianping.platform.auth.tokens import SESSION_HOURS, Principal
from xianping.platform.db.models import PROGRAMME_STATUSES_ZH, ROLES_ZH, TASK_STATUSES_ZH, Task, User
from xianping.platform.web.deps import get_db

LOGIN = Rule(public=True, csrf=False, origin=True, note="checks Origin/Referer: there is no session yet")
TASK_READERS = allow(roles=("province_admin", "prefecture_reviewer", "county_reporter", "department_reporter"), scope="task")
ADMIN = allow(roles=("province_admin",), scope="user")


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)   # argon2 hashes any length; a megabyte would cost time


def me_json(p: Principal) -> dict[str, Any]:
    u = p.user
    out = {"id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role,
           "role_zh": ROLES_ZH[u.role], "scope_code": u.scope_code, "department_id": u.department_id, "via": p.via,
           "must_change_password": bool(u.must_change_password)}   # a script learns why everything else answers 403
    if p.csrf:
        out["csrf_token"] = p.csrf
    return out


def task_json(t: Task) -> dict[str, Any]:
    return {"id": t.id, "programme_id": t.programme_id, "programme": t.programme.name, "period": t.programme.period,
            "programme_status": t.programme.status, "programme_status_zh": PROGRAMME_STATUSES_ZH[t.programme.status],
            "unit_code": t.unit_code, "unit_name": t.unit.name if t.unit else None,
            "department_id": t.department_id, "department": t.department.name if t.department else None,
            "status": t.status, "status_zh": TASK_STATUSES_ZH[t.status], "due_date": t.due_date.isoformat(),
            "version": t.version, "updated_at": t.updated_at.isoformat()}


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    response.set_cookie(COOKIE, secret, max_age=SESSION_HOURS * 3600, path="/", httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")


def visible_tasks(db: Session, user: User):
    return (select(Task).where(task_condition(user))
            .options(selectinload(Task.programme), selectinload(Task.unit), selectinload(Task.department)))


def _private(response: Response) -> None:
    # answers about one user: never kept by a shared cache or the browser's back button after logout
    response.headers["Cache-Control"] = "no-store"


def router() -> APIRouter:
    r = APIRouter(tags=["platform"], dependencies=[Depends(_private)])

    @r.post("/api/login", summary="Log in (session cookie)")
    def login(body: Credentials, request: Request, _: Any = Depends(LOGIN), db: Session = Depends(get_db)) -> Response:
        out = login_verb.log_in(db, body.username, body.password, client_ip(request))
        if out.kind == "limited":
            return JSONResponse({"detail": "too many failed logins: try again later"}, status_code=429,
                                headers={"Retry-After": str(out.retry_after)})
        if out.kind == "bad":
            return JSONResponse({"detail": "wrong username or password"}, status_code=401)
        assert out.user is not None and out.secret is not None
        resp = JSONResponse({"ok": True, "user": me_json(Principal(out.user, "session", out.secret))})
        set_session_cookie(request, resp, out.secret)
        return resp

    @r.post("/api/logout", summary="Log out")
    def logout(request: Request, who: Principal = Depends(LOGGED_IN), db: Session = Depends(get_db)) -> Response:
        login_verb.log_out(db, who, client_ip(request))
        resp = JSONResponse({"ok": True})
        resp.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https")
        return resp

    @r.get("/api/me", summary="The logged-in user", response_model=None)
    def me(who: Principal = Depends(LOGGED_IN)) -> dict[str, Any]:
        return me_json(who)

    @r.get("/api/tasks", summary="The caller's tasks (within its role and division scope)", response_model=None)
    def tasks(who: Principal = Depends(LOGGED_IN), db: Session = Depends(get_db)) -> dict[str, Any]:
        rows = db.scalars(visible_tasks(db, who.user).order_by(Task.due_date, Task.id)).all()
        return {"tasks": [task_json(t) for t in rows]}

    @r.get("/api/tasks/{task_id}", summary="One task (404 outside the caller's scope)", response_model=None)
    def task(task_id: int, who: Principal = Depends(TASK_READERS), db: Session = Depends(get_db)) -> dict[str, Any]:
        t = db.scalars(visible_tasks(db, who.user).where(Task.id == task_id)).one_or_none()
        if t is None:
            raise HTTPException(404, f"no task {task_id} among yours")
        from xianping.platform.workflow.review import reasons   # the last review: what the reporter must fix
        return {**task_json(t), "review": reasons(db, t.id)}

    @r.get("/api/users", summary="Users of the admin's province", response_model=None)
    def users(who: Principal = Depends(ADMIN), db: Session = Depends(get_db)) -> dict[str, Any]:
        rows = db.scalars(select(User).where(user_condition(who.user)).order_by(User.username)).all()
        return {"users": [{"id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role,
                           "scope_code": u.scope_code, "department_id": u.department_id, "active": u.active,
                           "locked_until": u.locked_until.isoformat() if u.locked_until else None} for u in rows]}

    return r
