"""Accounts, JSON API:

    POST /api/account/password             {"old_password", "new_password", "new_password_again"} → the password
                                           changed, every other session ended; a cookie caller gets a new session
                                           cookie (and its CSRF token in the body). 403 wrong current password,
                                           422 the policy (located), 429 throttled.
    POST /api/users/{id}/reset-password    (province admin, users of its province) → a temporary password, in this
                                           answer only; the user must change it at its next login; 404 outside the
                                           province, 409 oneself.

While a user must change its password (after a reset), every other API route answers 403 saying so (auth/access.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from xianping.platform.auth.access import allow, client_ip
from xianping.platform.auth.password_change import PasswordRefused, change_password
from xianping.platform.auth.password_reset import reset_password, user_in_reach
from xianping.platform.auth.tokens import Principal
from xianping.platform.web.api import me_json, set_session_cookie
from xianping.platform.web.deps import get_db
from xianping.platform.web.programme_api import problems_response
from xianping.problems import XianpingInputError

ACCOUNT_OWNER = allow(note="the caller's own password (also while it must change it)")
USER_ADMIN = allow(roles=("province_admin",), scope="user")


class PasswordChange(BaseModel):
    old_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)
    new_password_again: str = Field(min_length=1, max_length=1024)


def refused(e: PasswordRefused) -> JSONResponse:
    headers = {"Cache-Control": "no-store"}
    if e.retry_after:
        headers["Retry-After"] = str(e.retry_after)
    return JSONResponse({"detail": str(e)}, status_code=e.status, headers=headers)


def _private(response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"


def router() -> APIRouter:
    r = APIRouter(tags=["platform accounts"], dependencies=[Depends(_private)])

    @r.post("/api/account/password", summary="Change the caller's password")
    def change(body: PasswordChange, request: Request, who: Principal = Depends(ACCOUNT_OWNER),
               db: Session = Depends(get_db)) -> Response:
        try:
            done = change_password(db, who.user.id, body.old_password, body.new_password, body.new_password_again,
                                   client_ip(request), new_session=who.via == "session")
        except PasswordRefused as e:
            return refused(e)
        except XianpingInputError as e:
            return problems_response(e, 422)
        out: dict[str, Any] = {"ok": True, "sessions_revoked": done.sessions_revoked}
        if done.secret is not None:
            out["user"] = me_json(Principal(done.user, "session", done.secret))
        resp = JSONResponse(out, headers={"Cache-Control": "no-store"})
        if done.secret is not None:
            set_session_cookie(request, resp, done.secret)
        return resp

    @r.post("/api/users/{user_id}/reset-password", summary="Reset a user's password (a temporary one, shown once)")
    def reset(user_id: int, request: Request, who: Principal = Depends(USER_ADMIN), db: Session = Depends(get_db)) -> Response:
        admin = who.user   # (read before this session: its id, role and scope)
        user = user_in_reach(db, admin, user_id)
        if user is None:
            raise HTTPException(404, f"no user {user_id} among those of your province")
        try:
            done = reset_password(db, admin, user, client_ip(request))
        except PasswordRefused as e:
            return refused(e)
        return JSONResponse({"id": user.id, "username": user.username, "temporary_password": done.temporary,
                             "must_change_password": True, "sessions_revoked": done.sessions_revoked},
                            headers={"Cache-Control": "no-store"})

    return r
