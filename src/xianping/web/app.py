"""The FastAPI application: pages (server-rendered Jinja2 with ECharts served locally), the JSON API, static files.

    from xianping.web import create_app, load_dashboard
    app = create_app(load_dashboard())            # the bundled demo results
    uvicorn.run(app, host="127.0.0.1", port=8000)

Read-only. Errors never carry a traceback: bad inputs get 422/404 with what would have been valid, anything
unexpected a 500 with a short message (the traceback goes to the server log only). Every response carries a
Content-Security-Policy and the other security headers (web.headers); HEAD is answered wherever GET is; what-if
and report downloads run on a small work queue (web.workqueue) and get 503 + Retry-After when it is full; the API
docs (/api/docs, /api/redoc) load only vendored assets (static/vendor).
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from xianping.web.data import Dashboard
from xianping.web.validate import Invalid

HERE = Path(__file__).parent
log = logging.getLogger("xianping.web")


def echarts_bytes() -> bytes:
    """ECharts 5 as vendored by the report layer (Apache-2.0); nothing is fetched from a CDN."""
    return resources.files("xianping.report").joinpath("assets", "echarts.min.js").read_bytes()


def _got(e: dict[str, Any]) -> str:
    """The value a parameter was given, so a 422 says what was wrong, not only what was expected."""
    v = e.get("input")
    if v is None or isinstance(v, (dict, list)):
        return ""
    v = str(v)
    return f" (got {v[:40]!r})"


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path in ("/openapi.json",)


def create_app(dash: Dashboard, work_slots: int = 1, work_queue: int = 4) -> FastAPI:
    """work_slots what-if/report computations run at once and work_queue more wait; beyond, 503 + Retry-After."""
    from xianping import __version__
    from xianping.web import api
    from xianping.web.pages import compare, downloads, framework, map_page, quality, rankings, unit

    fw = dash.data.framework
    app = FastAPI(title="县评 xianping API", version=__version__,
                  description=f"Read-only JSON API of the county evaluation dashboard: {fw.get('name_zh', '')} "
                              f"({fw.get('name_en', '')}), years {', '.join(dash.years)}, {len(dash.codes)} county-level units. "
                              "Scores are the same numbers as `xianping report` writes.",
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json")   # docs served below, from local assets
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(dash=dash, fw=fw, nav=NAV)
    templates.env.filters["num"] = lambda x, d=2: "—" if x is None else f"{x:.{d}f}"
    templates.env.filters["signed"] = lambda x: "—" if x is None else (f"+{x}" if x > 0 else str(x))
    app.state.dash = dash
    app.state.templates = templates

    from xianping.web.cache import ResponseCache

    from xianping.web.headers import HeadAsGet, SecurityHeaders
    from xianping.web.workqueue import Busy, WorkQueue

    app.state.work = WorkQueue(work_slots, work_queue)
    app.add_middleware(ResponseCache)   # repeated GETs of rankings/maps/boundaries are answered from memory
    app.add_middleware(HeadAsGet)       # outside the cache, so HEAD of a cached GET is answered from it too
    app.add_middleware(SecurityHeaders)  # outermost: every response, cached or static or error, carries them
    app.include_router(api.router(dash))
    for page in (rankings, unit, map_page, compare, framework, quality, downloads):
        app.include_router(page.router(dash, templates))
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    _echarts: dict[str, bytes] = {}

    @app.get("/assets/echarts.min.js", include_in_schema=False)
    def echarts() -> Response:
        if "js" not in _echarts:
            _echarts["js"] = echarts_bytes()
        return Response(_echarts["js"], media_type="application/javascript", headers={"Cache-Control": "max-age=86400"})

    _api_docs(app)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response((HERE / "static" / "favicon.svg").read_bytes(), media_type="image/svg+xml")

    def error(request: Request, status: int, message: str, errors: list[dict[str, Any]] | None = None) -> Response:
        if _wants_json(request):
            body: dict[str, Any] = {"detail": message}
            if errors is not None:
                body["errors"] = errors
            return JSONResponse(body, status_code=status)
        return templates.TemplateResponse(request, "error.html", {"status": status, "message": message, "active": ""},
                                          status_code=status)

    @app.exception_handler(Busy)
    async def _busy(request: Request, exc: Busy) -> Response:
        r = error(request, 503, exc.message)
        r.headers["Retry-After"] = str(exc.retry_after)
        return r

    @app.exception_handler(Invalid)
    async def _invalid(request: Request, exc: Invalid) -> Response:
        return error(request, exc.status, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errs = [{"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", "")) + _got(e), "type": str(e.get("type", ""))}
                for e in exc.errors()]
        msg = "; ".join(f"{e['loc'][0] if e['loc'] else 'request'} parameter '{e['loc'][-1] if e['loc'] else ''}': {e['msg']}"
                        for e in errs) or "invalid request"
        return error(request, 422, msg, errs)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        msg = {404: f"not found: {request.url.path}", 405: f"method {request.method} not allowed on {request.url.path} (read-only)"}.get(
            exc.status_code, str(exc.detail))
        return error(request, exc.status_code, msg)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return error(request, 500, "internal error: the server could not answer this request (details are in the server log)")

    app.openapi = lambda: _openapi(app, dash)
    return app


def _api_docs(app: FastAPI) -> None:
    """Swagger UI (/api/docs) and ReDoc (/api/redoc) from the vendored assets in static/vendor (no CDN, so they
    work offline). FastAPI's Swagger page starts the UI with an inline script: it is allowed by its sha256 in
    that page's own Content-Security-Policy, so the site-wide policy needs no 'unsafe-inline'."""
    import base64
    import hashlib
    import re

    from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html

    from xianping.web.headers import csp

    def with_hashes(html: bytes) -> Response:
        hashes = " ".join("'sha256-" + base64.b64encode(hashlib.sha256(m).digest()).decode() + "'"
                          for m in re.findall(rb"<script>(.*?)</script>", html, flags=re.S))
        return Response(html, media_type="text/html", headers={"Content-Security-Policy": csp(hashes)})

    pages: dict[str, bytes] = {}

    @app.get("/api/docs", include_in_schema=False)
    def swagger() -> Response:
        if "swagger" not in pages:
            pages["swagger"] = get_swagger_ui_html(
                openapi_url=app.openapi_url, title=f"{app.title} · Swagger UI",
                swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
                swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css", swagger_favicon_url="/favicon.ico").body
        return with_hashes(pages["swagger"])

    @app.get("/api/redoc", include_in_schema=False)
    def redoc() -> Response:
        if "redoc" not in pages:
            pages["redoc"] = get_redoc_html(openapi_url=app.openapi_url, title=f"{app.title} · ReDoc",
                                            redoc_js_url="/static/vendor/redoc/redoc.standalone.js",
                                            redoc_favicon_url="/favicon.ico", with_google_fonts=False).body
        return with_hashes(pages["redoc"])


def _openapi(app: FastAPI, dash: Dashboard) -> dict[str, Any]:
    """FastAPI's description with the loaded results' valid values as enums (years, provinces, cities, types,
    tiers, nodes, sort keys), so clients and schemathesis know exactly what is accepted."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    from xianping.web.data import SORTS

    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    enums: dict[str, tuple[str, list[Any]]] = {
        "year": ("string", list(dash.years)),
        "province": ("string", list(dash.prov_name) + list(dash.prov_name.values())),
        "city": ("string", sorted({c["code"] for cs in dash.cities.values() for c in cs})),
        "type": ("string", list(dash.type_list)),
        "tier": ("integer", list(dash.tiers)),
        "sort": ("string", list(SORTS)),
        "order": ("string", ["asc", "desc"]),
        "node": ("string", [n.code for n in dash.data.nodes]),
    }
    for item in schema.get("paths", {}).values():
        for op in item.values():
            for prm in op.get("parameters", []):
                if prm.get("in") == "query" and prm["name"] in enums:
                    kind, values = enums[prm["name"]]
                    old = prm.get("schema", {})
                    prm["schema"] = {"type": kind, "enum": values, "title": old.get("title", prm["name"])}
    app.openapi_schema = schema
    return schema


ENV = "XIANPING_SERVE"   # JSON of load_dashboard's arguments, for worker processes (xianping serve --workers N)


def app_from_env() -> FastAPI:
    """The app in a uvicorn worker process: loads the results named in $XIANPING_SERVE (set by `xianping serve`)."""
    import json
    import os

    from xianping.web.source import load_dashboard

    cfg = json.loads(os.environ[ENV])
    demo = cfg.pop("demo", False)
    work = {k: cfg.pop(k) for k in ("work_slots", "work_queue") if k in cfg}
    paths = ("results", "store", "robust", "targets", "cache")
    dash = load_dashboard(**{k: (Path(v) if k in paths and v is not None else v) for k, v in cfg.items()})
    if demo:
        dash.origin["kind"] = "demo"
    return create_app(dash, **work)


NAV = [("/", "排名", "Rankings"), ("/map", "地图", "Map"), ("/compare", "对比", "Compare"),
       ("/framework", "指标体系", "Framework"), ("/quality", "数据质量", "Data quality"), ("/downloads", "下载", "Downloads")]
