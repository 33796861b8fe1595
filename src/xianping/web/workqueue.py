"""A small queue for the server's expensive work (提升路径 what-if, report downloads): at most `slots` jobs run at
once and `depth` more wait; a request beyond that is refused at once with 503 and Retry-After.

Why not just a lock: a sync route holds one of the server's shared worker threads while it waits, so 60 what-if
requests waiting on one lock take every thread and the cheap pages stall behind them (issue 13). Here the wait
is an awaited future on the event loop; the work runs on the queue's own threads, so rankings, pages and health
keep their threads whatever the queue holds. A job whose client went away still counts until it has finished
(or is dropped unstarted), so disconnecting clients cannot pile up work.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, TypeVar

from xianping.web.validate import Invalid

T = TypeVar("T")


class Busy(Invalid):
    """503 Service Unavailable: the queue is full; `retry_after` seconds is when a slot is likely free."""

    def __init__(self, retry_after: int, slots: int, depth: int):
        super().__init__(503, f"服务繁忙 busy: {slots} computation(s) running and {depth} waiting (the most this server "
                              f"queues); try again in about {retry_after} s")
        self.retry_after = retry_after


class WorkQueue:
    def __init__(self, slots: int = 1, depth: int = 4, name: str = "xianping-work"):
        if slots < 1 or depth < 0:
            raise ValueError(f"work queue needs slots ≥ 1 and depth ≥ 0 (got {slots}, {depth})")
        self.slots, self.depth = slots, depth
        self._pool = ThreadPoolExecutor(max_workers=slots, thread_name_prefix=name)
        self._lock = threading.Lock()
        self.admitted = 0          # running + waiting
        self.refused = 0
        self._mean = 5.0           # seconds per job, moving average (a first guess until one has run)

    def retry_after(self) -> int:
        waves = math.ceil((self.admitted + 1) / self.slots)
        return max(1, min(300, math.ceil(self._mean * waves)))

    def _timed(self, fn: Callable[..., T], *args: Any) -> T:
        t0 = time.perf_counter()
        try:
            return fn(*args)
        finally:
            dt = time.perf_counter() - t0
            with self._lock:
                self._mean = 0.7 * self._mean + 0.3 * dt

    def _done(self, _: Future) -> None:
        with self._lock:
            self.admitted -= 1

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) on a queue thread, or Busy at once when `slots + depth` jobs are already admitted."""
        with self._lock:
            if self.admitted >= self.slots + self.depth:
                self.refused += 1
                raise Busy(self.retry_after(), self.slots, self.depth)
            self.admitted += 1
        try:
            fut = self._pool.submit(self._timed, fn, *args)
        except BaseException:
            with self._lock:
                self.admitted -= 1
            raise
        fut.add_done_callback(self._done)
        try:
            return await asyncio.wrap_future(fut)
        except asyncio.CancelledError:
            fut.cancel()   # the client went away: drop the job if it has not started (a running one finishes)
            raise

    def stats(self) -> dict[str, Any]:
        return {"slots": self.slots, "depth": self.depth, "admitted": self.admitted, "refused": self.refused,
                "mean_seconds": round(self._mean, 3)}
