"""The gate: for routes that do not carry their own rule (the dashboard's), the rule from dashboard_rules.py is
enforced before the route runs — and a route with no rule at all is refused (fail closed), so a dashboard route
added later is never served to anonymous users by mistake.

Sits inside SecurityHeaders and HeadAsGet (its refusals carry the same headers, a HEAD is checked as the GET it
becomes) and outside the response cache (a cached ranking is never handed to someone not logged in).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from xianping.platform.auth.access import MUST_CHANGE, PASSWORD_PAGE, identify, must_change_first
from xianping.platform.web.routes import declared_rule, flat_routes


class Gate:
    def __init__(self, app, fastapi_app: Any):
        self.app = app
        self.fastapi_app = fastapi_app
        self._routes: list | None = None
        self._seen = -1

    def _find(self, method: str, path: str):
        # rebuilt when routes were added since (a route added late must not slip past unchecked)
        if self._routes is None or self._seen != len(self.fastapi_app.router.routes):
            self._seen = len(self.fastapi_app.router.routes)
            self._routes = [(info, *declared_rule(info)) for info in flat_routes(self.fastapi_app)]
        for info, rule, where in self._routes:
            if info.matches(method, path):
                return info, rule, where
        return None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        hit = self._find(scope["method"], scope["path"])
        if hit is None or hit[2] == "route":          # 404/405 as usual, or the route checks its own rule
            await self.app(scope, receive, send)
            return
        info, rule, _ = hit
        if rule is None:
            await _send(send, 403, {"detail": f"forbidden: no access rule is declared for {scope['path']}"})
            return
        if rule.public:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        who = await run_in_threadpool(identify, self.fastapi_app.state.platform, request)
        if who is None:
            if _is_api(scope["path"]):
                await _send(send, 401, {"detail": "not logged in: POST /api/login first, or send an API token "
                                                  "(Authorization: Bearer …)"}, [(b"www-authenticate", b"Bearer")])
            else:
                target = scope["path"] + ("?" + scope["query_string"].decode("latin-1") if scope.get("query_string") else "")
                await _send(send, 303, None, [(b"location", b"/login?next=" + quote(target, safe="/").encode())])
            return
        if not rule.admits(who.user.role):
            await _send(send, 403, {"detail": f"forbidden: {scope['path']} is for {rule.describe()}"})
            return
        if must_change_first(who, scope["path"]):   # a temporary password: the change comes first
            if _is_api(scope["path"]):
                await _send(send, 403, {"detail": MUST_CHANGE})
            else:
                await _send(send, 303, None, [(b"location", PASSWORD_PAGE.encode())])
            return
        await self.app(scope, receive, send)


def _is_api(path: str) -> bool:
    return path.startswith("/api/") or path == "/openapi.json"


async def _send(send, status: int, body: dict | None, headers: list | None = None) -> None:
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
    hdrs = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
            (b"cache-control", b"no-store")] + (headers or [])
    await send({"type": "http.response.start", "status": status, "headers": hdrs})
    await send({"type": "http.response.body", "body": data})
