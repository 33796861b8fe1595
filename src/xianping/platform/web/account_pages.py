"""Accounts, pages (server-rendered, CSRF token in every form, no script):

    GET  /account/password                     the change form (current password, the new one twice); after an
                                               admin's reset every page leads here until it is done
    POST /account/password                     changes it: every other session ends, this browser gets a new one
    GET  /account/users                        (province admin) the users of its province, a reset button each
    POST /account/users/{id}/reset-password    (province admin) resets: the temporary password shown on this
                                               answer only (no-store), to hand to the user

A form shown again with what is wrong answers 200 (a failed page load is a console error in the browser).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from xianping.platform.auth.access import client_ip
from xianping.platform.auth.password_change import PasswordRefused, change_password
from xianping.platform.auth.password_reset import reset_password, user_in_reach
from xianping.platform.auth.passwords import MIN_LENGTH
from xianping.platform.auth.scope import user_condition
from xianping.platform.auth.tokens import Principal
from xianping.platform.db.models import ROLES_ZH, User
from xianping.platform.web.account_api import ACCOUNT_OWNER, USER_ADMIN
from xianping.platform.web.api import set_session_cookie
from xianping.platform.web.deps import get_db
from xianping.problems import XianpingInputError


def router(templates) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    def render(request: Request, name: str, context: dict, status: int = 200) -> Response:
        resp = templates.TemplateResponse(request, name, {"active": "", **context}, status_code=status)
        resp.headers["Cache-Control"] = "no-store"
        return resp

    def password_page(request: Request, who: Principal, *, message: str = "", problems=(), done: bool = False,
                      csrf: str | None = None) -> Response:
        return render(request, "account_password.html", {"who": who, "csrf": csrf or who.csrf or "", "message": message,
                                                         "problems": list(problems), "done": done,
                                                         "min_length": MIN_LENGTH,
                                                         "must_change": bool(who.user.must_change_password)})

    @r.get("/account/password")
    def password_form(request: Request, who: Principal = Depends(ACCOUNT_OWNER)) -> Response:
        return password_page(request, who)

    @r.post("/account/password")
    def password_submit(request: Request, old_password: str = Form("", max_length=1024),
                        new_password: str = Form("", max_length=1024), new_password_again: str = Form("", max_length=1024),
                        who: Principal = Depends(ACCOUNT_OWNER), db: Session = Depends(get_db)) -> Response:
        try:
            done = change_password(db, who.user.id, old_password, new_password, new_password_again, client_ip(request),
                                   new_session=who.via == "session")
        except PasswordRefused as e:
            resp = password_page(request, who, message=str(e))
            if e.retry_after:
                resp.headers["Retry-After"] = str(e.retry_after)
            return resp
        except XianpingInputError as e:
            return password_page(request, who, message=e.summary, problems=e.report)
        fresh = Principal(done.user, "session", done.secret) if done.secret else who
        resp = password_page(request, fresh, done=True, csrf=fresh.csrf)
        if done.secret is not None:
            set_session_cookie(request, resp, done.secret)
        return resp

    def users_page(request: Request, who: Principal, db: Session, reset: dict | None = None, message: str = "") -> Response:
        rows = db.scalars(select(User).where(user_condition(who.user)).order_by(User.username)).all()
        return render(request, "account_users.html", {"who": who, "csrf": who.csrf or "", "users": rows,
                                                      "roles_zh": ROLES_ZH, "reset": reset, "message": message})

    @r.get("/account/users")
    def users_list(request: Request, who: Principal = Depends(USER_ADMIN), db: Session = Depends(get_db)) -> Response:
        return users_page(request, who, db)

    @r.post("/account/users/{user_id}/reset-password")
    def users_reset(user_id: int, request: Request, who: Principal = Depends(USER_ADMIN),
                    db: Session = Depends(get_db)) -> Response:
        admin = who.user   # (read before this session: its id, role and scope)
        user = user_in_reach(db, admin, user_id)
        if user is None:
            raise HTTPException(404, f"no user {user_id} among those of your province")
        try:
            done = reset_password(db, admin, user, client_ip(request))
        except PasswordRefused as e:
            return users_page(request, who, db, message=str(e))
        return users_page(request, who, db, reset={"username": user.username, "display_name": user.display_name,
                                                   "temporary": done.temporary, "sessions": done.sessions_revoked})

    return r
