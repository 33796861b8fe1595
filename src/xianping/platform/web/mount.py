"""Mount the platform into the dashboard app (`xianping serve --platform DIR`): its API and pages, the login
requirement on every dashboard route (gate.py), the login redirect for pages.

    app = create_app(dash)             # the read-only dashboard, unchanged
    mount(app, open_platform(folder))  # now a platform: login, roles, scope
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from jinja2 import ChoiceLoader, FileSystemLoader
from starlette.middleware import Middleware

from xianping.platform.auth.access import MUST_CHANGE, PASSWORD_PAGE, MustChangePassword, NotLoggedIn
from xianping.platform.db.connect import Platform
from xianping.platform.web import api, pages
from xianping.platform.web.gate import Gate
from xianping.platform.web import audit_api, audit_pages, review_api, review_pages
from xianping.platform.web import programme_api, programme_pages, reporting_api, reporting_pages
from xianping.platform.web import objection_api, objection_pages, result_api, result_pages
from xianping.platform.web import account_api, account_pages
from xianping.platform.web import dispatch_api, dispatch_pages

HERE = Path(__file__).parent
ENV = "XIANPING_PLATFORM"   # JSON {"dir", "db"} for worker processes (xianping serve --platform DIR --workers N)


def mount(app: FastAPI, plat: Platform) -> FastAPI:
    app.state.platform = plat
    templates = app.state.templates
    # the platform's templates first, then the dashboard's (they extend its base.html)
    templates.env.loader = ChoiceLoader([FileSystemLoader(str(HERE / "templates")), templates.env.loader])
    templates.env.globals["nav"] = [*templates.env.globals.get("nav", []), ("/tasks", "任务", "Tasks")]
    templates.context_processors.append(_role_nav(templates.env.globals["nav"]))
    # each area's JSON API and its pages (the pages render with the shared templates)
    for area_api, area_pages in ((api, pages), (review_api, review_pages), (audit_api, audit_pages),
                                 (programme_api, programme_pages), (reporting_api, reporting_pages),
                                 (result_api, result_pages), (objection_api, objection_pages),
                                 (account_api, account_pages), (dispatch_api, dispatch_pages)):
        app.include_router(area_api.router())
        app.include_router(area_pages.router(templates))

    @app.exception_handler(NotLoggedIn)
    async def _not_logged_in(request: Request, exc: NotLoggedIn) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "not logged in: POST /api/login first, or send an API token "
                                           "(Authorization: Bearer …)"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer", "Cache-Control": "no-store"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?next=" + quote(target, safe="/"), status_code=303)

    @app.exception_handler(MustChangePassword)
    async def _must_change(request: Request, exc: MustChangePassword) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": MUST_CHANGE}, status_code=403, headers={"Cache-Control": "no-store"})
        return RedirectResponse(PASSWORD_PAGE, status_code=303)

    # inside SecurityHeaders and HeadAsGet, outside the response cache (see gate.py)
    names = [m.cls.__name__ for m in app.user_middleware]
    at = names.index("HeadAsGet") + 1 if "HeadAsGet" in names else 0
    app.user_middleware.insert(at, Middleware(Gate, fastapi_app=app))
    return app


# the pages of each role's work, after the dashboard's and /tasks (each route still checks its own rule)
ROLE_NAV = {"province_admin": ["/programmes", "/review", "/overdue", "/objections", "/dispatch"],
            "prefecture_reviewer": ["/review", "/overdue", "/objections", "/dispatch"],
            "county_reporter": ["/objections", "/dispatch"]}
NAV_LABELS = {"/programmes": ("考核方案", "Programmes"), "/review": ("审核", "Review"), "/overdue": ("逾期", "Overdue"),
              "/objections": ("异议", "Objections"), "/dispatch": ("月调度", "Dispatch")}


def _role_nav(base: list):
    """A context processor: the nav of the logged-in user's role (a page's route dependency left its principal on
    request.state; a page without one gets the plain nav)."""
    def nav(request: Request) -> dict:
        who = getattr(request.state, "principal", None)
        extra = ROLE_NAV.get(who.user.role, []) if who is not None else []
        return {"nav": [*base, *((href, *NAV_LABELS[href]) for href in extra)]}
    return nav


def app_from_env() -> FastAPI:
    """A worker process's app: the dashboard ($XIANPING_SERVE) with the platform ($XIANPING_PLATFORM) mounted."""
    from xianping.platform.db.connect import open_platform
    from xianping.web.app import app_from_env as dashboard_from_env

    cfg = json.loads(os.environ[ENV])
    return mount(dashboard_from_env(), open_platform(Path(cfg["dir"]), cfg.get("db")))
