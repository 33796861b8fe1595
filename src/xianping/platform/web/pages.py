"""The platform's pages: the login form (CSRF: a double-submit token in a cookie and the form, plus the Origin
check), logout, and "my tasks". Server-rendered in the dashboard's style; no script."""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from xianping.platform.auth import login as login_verb
from xianping.platform.auth.access import COOKIE, LOGGED_IN, PUBLIC, Rule, client_ip
from xianping.platform.auth.tokens import Principal
from xianping.platform.db.models import ROLES_ZH, Task
from xianping.platform.web.api import set_session_cookie, task_json, visible_tasks
from xianping.platform.web.deps import get_db

LOGIN_CSRF = "xianping_login_csrf"
LOGIN_FORM = Rule(public=True, csrf=False, origin=True, note="double-submit token + Origin/Referer: no session yet")


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this server only (no //other.site, no scheme)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/tasks"
    s = urlsplit(target)
    return "/tasks" if s.scheme or s.netloc else target


def router(templates) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    def login_page(request: Request, who: Principal | None, status: int = 200, message: str = "", username: str = "",
                   next_: str = "/tasks") -> Response:
        token = secrets.token_urlsafe(24)
        resp = templates.TemplateResponse(request, "login.html", {"active": "", "who": who, "csrf_token": token,
                                                                  "message": message, "username": username,
                                                                  "next": safe_next(next_)}, status_code=status)
        resp.set_cookie(LOGIN_CSRF, token, max_age=3600, path="/login", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @r.get("/login")
    def login_form(request: Request, next: str = "/tasks", who: Principal | None = Depends(PUBLIC)) -> Response:
        return login_page(request, who, next_=next)

    @r.post("/login")
    def login_submit(request: Request, username: str = Form(..., max_length=64), password: str = Form(..., max_length=1024),
                     csrf_token: str = Form("", max_length=100), next: str = Form("/tasks", max_length=2000),
                     _: Any = Depends(LOGIN_FORM), db: Session = Depends(get_db)) -> Response:
        cookie = request.cookies.get(LOGIN_CSRF, "")
        if not cookie or not hmac.compare_digest(cookie, csrf_token):
            raise HTTPException(403, "forbidden: the login form's CSRF token is missing or stale; reload the login page")
        out = login_verb.log_in(db, username, password, client_ip(request))
        if out.kind == "limited":
            resp = login_page(request, None, 429, "登录失败次数过多，请稍后再试 (too many failed logins: try again later)",
                              username, next)
            resp.headers["Retry-After"] = str(out.retry_after)
            return resp
        if out.kind == "bad":
            return login_page(request, None, 401, "用户名或密码错误 (wrong username or password)", username, next)
        assert out.secret is not None
        target = safe_next(next)
        if target == "/tasks" and out.user is not None and out.user.role == "county_reporter" and out.user.scope_code:
            target = f"/unit/{out.user.scope_code}"   # a county lands on its own profile (the default landing only)
        resp = RedirectResponse(target, status_code=303)
        set_session_cookie(request, resp, out.secret)
        resp.delete_cookie(LOGIN_CSRF, path="/login")
        return resp

    @r.post("/logout")
    def logout(request: Request, who: Principal = Depends(LOGGED_IN), db: Session = Depends(get_db)) -> Response:
        login_verb.log_out(db, who, client_ip(request))
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https")
        return resp

    @r.get("/tasks")
    def my_tasks(request: Request, who: Principal = Depends(LOGGED_IN), db: Session = Depends(get_db)) -> Response:
        rows = db.scalars(visible_tasks(db, who.user).order_by(Task.due_date, Task.id)).all()
        resp = templates.TemplateResponse(request, "tasks.html", {"active": "/tasks", "who": who,
                                                                  "role_zh": ROLES_ZH[who.user.role],
                                                                  "tasks": [task_json(t) for t in rows]})
        resp.headers["Cache-Control"] = "no-store"
        return resp

    return r
