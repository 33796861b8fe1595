"""The server bounds its expensive work (issue 13): distinct what-if requests fired at once on a real uvicorn server
— the work queue runs one and queues one (work_slots=1, work_queue=1), the rest get 503 with Retry-After at once,
none fails any other way, and the cheap routes (ranking, meta, a page) answer while the queue is still busy.
How fast the cheap routes answer under this load is measured in benchmarks/bench_web.py --mixed, not here."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from xianping.web.workqueue import Busy, WorkQueue


@pytest.fixture(scope="module")
def small_queue_server(dash):
    """The test session's dashboard behind its own app with the smallest queue, on a free loopback port."""
    from xianping.web.app import create_app

    from .one_province_server import serving

    app = create_app(dash, work_slots=1, work_queue=1)
    with serving(app) as url:
        yield url, app


def _distinct_units(dash, n: int, skip: set[str]) -> list[str]:
    """Counties ranked in the latest year whose what-if is not cached yet (so every request is real work)."""
    import numpy as np

    t = len(dash.years) - 1
    ranked = [c for i, c in enumerate(dash.codes) if not np.isnan(dash.data.rank[t, i, dash.root_k]) and c not in skip]
    return ranked[100:100 + n]


def test_concurrent_whatif_requests_are_bounded_and_cheap_routes_answer(small_queue_server, dash):
    url, app = small_queue_server
    work = app.state.work
    n = 10
    codes = _distinct_units(dash, n, skip={k[1] for k in dash._bytes if isinstance(k, tuple) and k[:1] == ("whatif",)})
    assert len(set(codes)) == n
    results: dict[str, httpx.Response] = {}

    def whatif(code: str) -> None:
        with httpx.Client(timeout=600) as c:
            results[code] = c.get(f"{url}/api/units/{code}/whatif", params={"year": dash.years[-1]})

    with ThreadPoolExecutor(n) as pool:
        futures = [pool.submit(whatif, c) for c in codes]
        # wait until the queue holds its full load (1 running + 1 waiting), then ask the cheap routes
        deadline = time.time() + 120
        while work.admitted < 2 or work.refused < 1:
            assert time.time() < deadline and not all(f.done() for f in futures), work.stats()
            time.sleep(0.02)
        with httpx.Client(timeout=60) as c:
            cheap = [c.get(f"{url}/api/rankings", params={"limit": 5}), c.get(f"{url}/api/meta"), c.get(f"{url}/"),
                     c.head(f"{url}/api/rankings")]
        busy_while_cheap_answered = work.admitted
        for f in futures:
            f.result()
    assert [r.status_code for r in cheap] == [200, 200, 200, 200]
    assert [x["rank"] for x in cheap[0].json()["rows"]] == [1, 2, 3, 4, 5]
    # the cheap routes answered while expensive work was still admitted (running or waiting)
    assert busy_while_cheap_answered >= 1
    statuses = sorted(r.status_code for r in results.values())
    ok = [c for c, r in results.items() if r.status_code == 200]
    busy = [r for r in results.values() if r.status_code == 503]
    assert len(ok) + len(busy) == n, statuses                 # nothing else: no 500, no timeout
    assert len(ok) >= 2 and len(busy) >= 1, statuses         # the queue's two admitted, the rest refused
    for r in busy:
        assert int(r.headers["retry-after"]) >= 1
        assert "busy" in r.json()["detail"]
    for c in ok:
        assert results[c].json()["unit_code"] == c
    assert work.admitted == 0 and work.refused >= len(busy)
    # refused work is not lost state: a refused county asked again once the queue is free gets its answer
    again = next(c for c, r in results.items() if r.status_code == 503)
    r = httpx.get(f"{url}/api/units/{again}/whatif", params={"year": dash.years[-1]}, timeout=600)
    assert r.status_code == 200 and r.json()["unit_code"] == again


def test_report_downloads_share_the_queue(small_queue_server, dash):
    """A download that must be written waits in the same queue: with it full, the request is refused with 503; one
    already written is served at once, full queue or not."""
    import asyncio

    url, app = small_queue_server
    work = app.state.work
    built = Path(dash.cache_dir) / f"{dash.data.framework.get('code') or 'results'}-{dash.years[-1]}.xlsx"
    built.unlink(missing_ok=True)   # another test may have written it: this one needs it to be built

    def full_queue():
        """Both places of the queue held by jobs that wait for the test, until the block ends."""
        import contextlib

        @contextlib.contextmanager
        def held():
            release = threading.Event()

            async def hold() -> None:
                await asyncio.gather(work.run(release.wait), work.run(release.wait))

            th = threading.Thread(target=lambda: asyncio.run(hold()))
            th.start()
            try:
                deadline = time.time() + 30
                while work.admitted < 2:
                    assert time.time() < deadline
                    time.sleep(0.01)
                yield
            finally:
                release.set()
                th.join(30)
        return held()

    with full_queue():
        r = httpx.get(f"{url}/download/xlsx", params={"year": dash.years[-1]}, timeout=60)
        assert r.status_code == 503 and int(r.headers["retry-after"]) >= 1, r.text
        assert "busy" in r.text
        assert httpx.get(f"{url}/api/meta", timeout=60).status_code == 200
        assert not built.exists()
    r = httpx.get(f"{url}/download/xlsx", params={"year": dash.years[-1]}, timeout=300)
    assert r.status_code == 200 and r.content[:2] == b"PK" and built.read_bytes() == r.content
    # a report already written is served at once, even while the queue is full: it waits for nothing
    with full_queue():
        again = httpx.get(f"{url}/download/xlsx", params={"year": dash.years[-1]}, timeout=60)
        assert again.status_code == 200 and again.content == r.content


def test_work_queue_refuses_beyond_its_depth_and_counts_finished_jobs():
    import asyncio

    q = WorkQueue(slots=1, depth=2)
    gate = threading.Event()

    async def main():
        jobs = [asyncio.ensure_future(q.run(gate.wait)) for _ in range(3)]
        await asyncio.sleep(0.05)
        assert q.admitted == 3
        with pytest.raises(Busy) as e:
            await q.run(lambda: None)
        assert e.value.status == 503 and e.value.retry_after >= 1
        gate.set()
        assert await asyncio.gather(*jobs) == [True, True, True]
        assert await q.run(lambda: 42) == 42

    asyncio.run(main())
    assert q.admitted == 0 and q.refused == 1
    with pytest.raises(ValueError):
        WorkQueue(slots=0)
