"""A one-province result for the dashboard tests: the bundled demo store evaluated with the scope within 河南
(province:41), written and loaded as `xianping serve --results` would, and served on a real uvicorn server."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path


def henan_dashboard(cache_dir: Path, out: Path):
    from xianping.evaluation import evaluate
    from xianping.web.source import load_dashboard

    if not (cache_dir / "demo" / "xianping.duckdb").exists():  # the demo store is built by the first dashboard load
        load_dashboard(cache=cache_dir)
    res = evaluate("census-social", store=str(cache_dir / "demo" / "xianping.duckdb"), years="2010,2020",
                   settings={"scope": {"within": "province:41"}, "base_year": "2010"})
    res.write(out / "results.csv", base_year="2010")
    return res, load_dashboard(results=out / "results.csv", cache=cache_dir)


@contextmanager
def serving(app):
    """uvicorn serving `app` on 127.0.0.1 and a free port (the socket is bound here, so no race for the port); the one
    live server of the web tests (conftest.live_server, test_bounds, the one-province pages)."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    th = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    th.start()
    deadline = time.time() + 30
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        th.join(10)
        sock.close()
