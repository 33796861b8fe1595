"""Access rules, declared on every route: `Depends(allow(roles=…, scope=…))` or `Depends(PUBLIC)`.

The rule is the route's dependency, so it is enforced where it is declared, and the rule table (route path +
method → rule) is read back from the app's routes (`rule_table(app)`): a test fails when any route has none.
Routes of the dashboard (which knows nothing of the platform) get theirs from web/dashboard_rules.py, enforced by
web/gate.py; a route with no rule at all is refused (fail closed).

    ADMIN = allow(roles=("province_admin",), scope="user")
    @router.get("/api/users")
    def users(who: Principal = Depends(ADMIN), db: Session = Depends(get_db)): …

roles None = any logged-in user. scope names what the handler narrows its rows by (auth/scope.py): "task", "user",
None (no rows of anyone else). csrf: unsafe methods with cookie authentication carry the session's CSRF token
(form field csrf_token or header X-CSRF-Token); login routes check Origin/Referer instead (origin=True).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Any, Iterable

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from xianping.platform.auth import tokens
from xianping.platform.db.models import ROLES

COOKIE = "xianping_session"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class NotLoggedIn(Exception):
    """No valid session or token: 401 for the API, a redirect to the login page for pages (web/mount.py)."""


# After an admin's reset the user holds a temporary password: until it chooses its own, nothing is served but these
# (the change itself, who am I, logging out); pages are sent to the change page, the API answers 403 saying so.
PASSWORD_PAGE = "/account/password"
BEFORE_PASSWORD_CHANGE = frozenset({PASSWORD_PAGE, "/api/account/password", "/api/me", "/api/logout", "/logout"})
MUST_CHANGE = ("请先修改密码：管理员重置了您的密码，修改前不能进行其他操作 (password change required: an administrator reset "
               "your password; choose a new one first — POST /api/account/password, or the page /account/password)")


class MustChangePassword(Exception):
    """The caller holds a temporary password: 403 for the API, a redirect to the change page for pages (web/mount.py)."""


def must_change_first(who: "tokens.Principal | None", path: str) -> bool:
    """Whether this request is refused because the user must change its password first."""
    return who is not None and bool(who.user.must_change_password) and path not in BEFORE_PASSWORD_CHANGE


@dataclass(frozen=True)
class Rule:
    roles: tuple[str, ...] | None = None
    scope: str | None = None
    public: bool = False
    csrf: bool = True
    origin: bool = False
    note: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        unknown = set(self.roles or ()) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles in an access rule: {sorted(unknown)}")

    def describe(self) -> str:
        if self.public:
            return "public"
        who = "any logged-in user" if self.roles is None else ", ".join(self.roles)
        return who + (f" (scope: {self.scope})" if self.scope else "")

    def admits(self, role: str) -> bool:
        return not self.public and (self.roles is None or role in self.roles)

    async def __call__(self, request: Request) -> tokens.Principal | None:
        plat = request.app.state.platform
        who = await run_in_threadpool(identify, plat, request)
        request.state.principal = who
        if self.origin and request.method in UNSAFE:
            check_origin(request)
        if self.public:
            return who
        if who is None:
            raise NotLoggedIn()
        if not self.admits(who.user.role):
            raise HTTPException(403, f"forbidden: {request.method} {request.url.path} is for {self.describe()}, "
                                     f"not the role {who.user.role}")
        if must_change_first(who, request.url.path):
            raise MustChangePassword()
        if self.csrf and request.method in UNSAFE and who.via == "session":
            await check_csrf(request, who)
        return who


def allow(roles: Iterable[str] | None = None, scope: str | None = None, **kw: Any) -> Rule:
    return Rule(tuple(roles) if roles is not None else None, scope, **kw)


PUBLIC = Rule(public=True, csrf=False)
LOGGED_IN = Rule()


def client_ip(request: Request) -> str:
    # the peer address; behind a reverse proxy run uvicorn with --proxy-headers so this is the client's
    return request.client.host if request.client else "unknown"


def identify(plat, request: Request) -> tokens.Principal | None:
    """The caller: an `Authorization: Bearer` API token, else the session cookie; None when neither is valid."""
    auth = request.headers.get("authorization", "")
    with plat.sessions() as db:
        if auth[:7].lower() == "bearer ":
            who = tokens.by_api_token(db, auth[7:].strip())
            db.commit()
        else:
            secret = request.cookies.get(COOKIE)
            who = tokens.by_session(db, secret) if secret else None
            db.commit()   # last_seen_at, when by_session moved it (at most once a minute)
        if who is not None:
            db.expunge(who.user)   # read after this session closes (id, role, scope, names)
        return who


def check_origin(request: Request) -> None:
    """A browser's cross-site POST names the other site in Origin (or Referer): refused. Scripts send neither."""
    from urllib.parse import urlsplit

    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        return
    s = urlsplit(source)
    if s.netloc != request.headers.get("host", request.url.netloc):
        raise HTTPException(403, "forbidden: the request came from another site (Origin/Referer does not match this server)")


async def check_csrf(request: Request, who: tokens.Principal) -> None:
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        v = form.get("csrf_token")
        sent = v if isinstance(v, str) else None
    if not sent or not hmac.compare_digest(sent, who.csrf or ""):
        raise HTTPException(403, "forbidden: CSRF token missing or wrong (send the csrf_token form field or the "
                                 "X-CSRF-Token header given by GET /api/me)")


def rule_of(route: Any) -> Rule | None:
    """The Rule a route declares as a dependency (searched through nested dependencies), or None."""
    dependant = getattr(route, "dependant", None)
    stack = list(dependant.dependencies) if dependant is not None else []
    while stack:
        d = stack.pop()
        if isinstance(d.call, Rule):
            return d.call
        stack.extend(d.dependencies)
    return None
