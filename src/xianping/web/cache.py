"""A response cache in front of the app for the heavy, read-only API answers (rankings, maps, boundaries).

The data never change while the server runs, so a successful answer to a GET is the answer to every later GET
with the same path, query string and gzip preference. A hit is sent straight from memory, before routing and
parameter validation: the ranking of all 2 835 counties then costs the server little more than writing the bytes.
Only complete 200 responses are kept; errors are always computed afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Awaitable, Callable

Scope = dict[str, Any]
Message = dict[str, Any]


class ResponseCache:
    def __init__(self, app, paths: tuple[str, ...] = ("/api/rankings", "/api/map", "/api/geo/counties"),
                 max_entries: int = 512, max_bytes: int = 256 * 2**20):
        self.app = app
        self.paths = frozenset(paths)
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0
        self.store: OrderedDict[tuple, tuple[int, list, bytes]] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        gz = any(k == b"accept-encoding" and b"gzip" in v for k, v in scope["headers"])
        key = (scope["path"], scope.get("query_string", b""), gz)
        hit = self.store.get(key)
        if hit is not None:
            self.hits += 1
            status, headers, body = hit
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        self.misses += 1
        start: Message = {}
        parts: list[bytes] = []
        complete = False

        async def capture(message: Message) -> None:
            nonlocal complete
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    complete = True
            await send(message)

        await self.app(scope, receive, capture)
        if complete and start.get("status") == 200:
            body = b"".join(parts)
            with self.lock:
                if key not in self.store and len(body) <= self.max_bytes:
                    self.store[key] = (200, list(start.get("headers", [])), body)
                    self.size += len(body)
                    while len(self.store) > self.max_entries or self.size > self.max_bytes:
                        _, (_, _, old) = self.store.popitem(last=False)
                        self.size -= len(old)
