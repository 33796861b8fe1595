"""What every response of the server carries, as two small ASGI middlewares (outside the routes and the response
cache, so a cached answer, a static file and an error page get the same):

- SecurityHeaders: Content-Security-Policy (scripts only from this server: no inline script, no CDN), nosniff,
  Referrer-Policy, X-Frame-Options and frame-ancestors. A route that needs a different policy (the API docs with
  FastAPI's inline initialiser, allowed by its hash) sets its own Content-Security-Policy and it is kept.
- HeadAsGet: HEAD answered wherever GET is (FastAPI's routes answer only the methods they declare, so HEAD got
  405): the request is routed as GET and the body dropped, headers (Content-Length too) as for GET.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# style-src keeps 'unsafe-inline': ECharts tooltips and the templates' bar widths are style attributes; styles
# cannot run code. worker-src blob: is ReDoc's search worker. img-src data: for Swagger UI's and ECharts' icons.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")

HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
           (b"x-frame-options", b"DENY"), (b"cross-origin-opener-policy", b"same-origin")]


def csp(extra_script: str = "") -> str:
    """The policy with more script sources (e.g. "'sha256-…'") for one route."""
    return CSP.replace("script-src 'self'", f"script-src 'self' {extra_script}".rstrip())


class SecurityHeaders:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def add(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                have = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in HEADERS if k not in have]
                if b"content-security-policy" not in have:
                    headers.append((b"content-security-policy", CSP.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, add)


class HeadAsGet:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def no_body(message: Message) -> None:
            if message["type"] == "http.response.pathsend":   # a server sending files itself: nothing to send
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            elif message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, no_body)
