"""What every served response carries (issue 13): a Content-Security-Policy that allows scripts from this server
only, nosniff, Referrer-Policy and frame denial — on every HTML page, the API, static files, errors and cached
answers; HEAD answered wherever GET is; the API docs (Swagger UI, ReDoc) from vendored assets, rendering in
Chromium with every request off this server blocked and no CSP violation on any page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from fastapi.routing import iter_route_contexts

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

HTML_PAGES = ["/", "/map", "/compare", "/compare?units=410821,410882", "/framework", "/quality", "/downloads",
              "/api/docs", "/api/redoc"]


def _unit(dash) -> str:
    return dash.codes[0]


def _csp(headers) -> dict[str, str]:
    return {d.split()[0]: d for d in (p.strip() for p in headers["content-security-policy"].split(";")) if d}


def check_headers(headers, path: str) -> None:
    csp = _csp(headers)
    script = csp["script-src"].split()[1:]
    assert script[0] == "'self'", (path, script)
    assert all(s.startswith("'sha256-") for s in script[1:]), (path, script)     # no 'unsafe-inline', no hosts
    assert "'unsafe-eval'" not in headers["content-security-policy"], path
    assert csp["frame-ancestors"] == "frame-ancestors 'none'" and csp["object-src"] == "object-src 'none'", path
    assert headers["x-content-type-options"] == "nosniff", path
    assert headers["referrer-policy"] == "same-origin", path
    assert headers["x-frame-options"] == "DENY", path


def test_every_html_route_and_response_kind_has_the_headers(client, dash):
    code = _unit(dash)
    pages = HTML_PAGES + [f"/unit/{code}"]
    for path in pages:
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), (path, r.status_code)
        check_headers(r.headers, path)
    # API, cached API answer (second request comes from the response cache), static, errors
    for path in ["/api/meta", "/api/rankings?limit=5", "/api/rankings?limit=5", "/static/app.css",
                 "/static/vendor/swagger-ui/swagger-ui.css", "/assets/echarts.min.js", "/nosuchpage", "/api/units/999999",
                 "/api/rankings?year=1900", "/unit/999999"]:
        r = client.get(path)
        check_headers(r.headers, path)


def test_only_the_swagger_page_allows_its_own_inline_script_by_hash(client):
    import base64
    import hashlib

    r = client.get("/api/docs")
    inline = re.findall(r"<script>(.*?)</script>", r.text, flags=re.S)
    assert len(inline) == 1 and "SwaggerUIBundle" in inline[0]
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert _csp(r.headers)["script-src"] == f"script-src 'self' 'sha256-{digest}'"
    assert 'src="/static/vendor/swagger-ui/swagger-ui-bundle.js"' in r.text and "cdn" not in r.text.lower()
    redoc = client.get("/api/redoc")
    assert 'src="/static/vendor/redoc/redoc.standalone.js"' in redoc.text and "fonts.googleapis" not in redoc.text
    # the site's own pages have no inline script at all (JSON data islands are not scripts)
    page = client.get("/").text
    assert not re.search(r"<script(?![^>]*\b(src|type=\"application/json\"))[^>]*>", page)
    assert not re.search(r"\son[a-z]+=", page)


def _fill(path: str, dash) -> str:
    return path.replace("{code}", _unit(dash)).replace("{fmt}", "xlsx")


def test_head_is_answered_wherever_get_is(client, app, dash):
    # the route table as FastAPI's OpenAPI builder walks it (included routers flattened)
    paths = sorted({c.path for c in iter_route_contexts(app.routes) if "GET" in (getattr(c, "methods", None) or ())})
    assert "/api/rankings" in paths and "/api/units/{code}/whatif" in paths and "/download/{fmt}" in paths
    paths += ["/static/app.css", "/static/vendor/redoc/redoc.standalone.js"]
    for p in paths:
        url = _fill(p, dash)
        if p == "/api/units/{code}/whatif":
            url += "?target=9999999"        # a 422 answer: HEAD must give GET's status without computing
        if p == "/api/compare":
            url += "?units=410821,410882"
        g = client.get(url)
        h = client.head(url)
        assert h.status_code == g.status_code != 405, (url, g.status_code, h.status_code)
        assert h.content == b"", url
        assert h.headers.get("content-type") == g.headers.get("content-type"), url
        if "content-encoding" not in g.headers:
            assert h.headers.get("content-length") == g.headers.get("content-length"), url
        check_headers(h.headers, url)
    # still read-only: other methods are refused
    assert client.post("/api/rankings").status_code == 405


# ---------------------------------------------------------------------------------------------
# in Chromium: offline, the real CSP enforced, every CSP report is a failure


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium)")
    pw_api = pytest.importorskip("playwright.sync_api")
    with pw_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def offline_page(browser, live_server):
    """A page whose every request off the test server is aborted (so a CDN asset would simply be missing)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    blocked: list[str] = []

    def route(r):
        if r.request.url.startswith((live_server, "data:", "blob:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    pg = ctx.new_page()
    pg.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
          if m.type == "error" or "Content Security Policy" in m.text else None)
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.problems, pg.blocked = problems, blocked
    yield pg
    ctx.close()


def test_api_docs_render_offline(offline_page, live_server):
    pg = offline_page
    pg.goto(live_server + "/api/docs", wait_until="load")
    pg.wait_for_selector(".opblock-summary-path", timeout=30_000)
    paths = pg.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/rankings" in [p.strip() for p in paths] and len(paths) >= 8
    assert pg.locator(".info .title").inner_text().startswith("县评 xianping API")
    pg.goto(live_server + "/api/redoc", wait_until="load")
    pg.wait_for_selector("[data-section-id*='operation']", timeout=30_000)
    assert pg.locator("[data-section-id*='operation']").count() >= 8   # one section per API operation
    # ReDoc 2.5.4 hard-codes its sidebar logo from cdn.redoc.ly (hidden when it fails): the CSP refuses it, so
    # nothing leaves the machine; that refusal is the one console message allowed here
    logo = [p for p in pg.problems if "https://cdn.redoc.ly/redoc/logo-mini.svg" in p and "Content Security Policy" in p]
    assert len(logo) <= 1
    assert not pg.blocked and not [p for p in pg.problems if p not in logo], (pg.blocked, pg.problems)


def test_pages_run_under_the_csp_without_violations(offline_page, live_server, dash):
    pg = offline_page
    code = _unit(dash)
    for path, ready in [("/", "#topchart canvas"), (f"/unit/{code}", "#trend canvas"), ("/map", "#map canvas"),
                        ("/compare?units=410821,410882", "#cradar canvas"), ("/downloads", "#d-year"),
                        ("/framework", "table"), ("/quality", "table")]:
        resp = pg.goto(live_server + path, wait_until="load")
        assert "script-src 'self'" in resp.headers["content-security-policy"], path
        pg.wait_for_selector(ready, timeout=30_000)
        pg.wait_for_timeout(300)
    # the inline handlers that were moved into dashboard.js still work: the year select submits its form
    pg.goto(live_server + "/downloads", wait_until="load")
    pg.select_option("#d-year", "2010")
    pg.wait_for_url("**/downloads?year=2010", timeout=15_000)
    assert not pg.blocked and not pg.problems, (pg.blocked, pg.problems)
