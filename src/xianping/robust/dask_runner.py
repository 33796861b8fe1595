"""Run the evaluation chunks on a dask.distributed cluster: `--engine dask [--scheduler ADDRESS]`.

Without an address a LocalCluster is started (one single-threaded worker per core: the engine's numpy
calls are the parallel unit, and BLAS threads inside workers would compete). The context (plans and
prepared arrays) is scattered to every worker once; each task is one chunk of design rows
(`evaluate_batch.run_task`). The design is drawn on the client and every chunk is a pure function of its
rows, so the same seed gives results identical to the in-process engine, in any order of completion.
Workers of a remote cluster need xianping installed (same version).
"""

from __future__ import annotations

import os
from typing import Callable

from xianping.robust.evaluate_batch import Context, run_task

__all__ = ["DaskRunner"]


class DaskRunner:
    def __init__(self, scheduler: str | None = None, workers: int | None = None, processes: bool = True,
                 memory_limit: str | None = "auto"):
        from distributed import Client, LocalCluster

        self.cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            n = workers or max(1, min(os.cpu_count() or 1, 8))
            self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=processes, dashboard_address=None,
                                        memory_limit=memory_limit, silence_logs=40)
            self.client = Client(self.cluster)

    @property
    def address(self) -> str:
        return self.client.scheduler.address

    def run(self, ctx: Context, tasks, put: Callable) -> None:
        """tasks: (key, row indices, C, U, want_scores) each; put(row indices, result) as chunks finish."""
        from distributed import as_completed

        if not tasks:
            return
        ctx_f = self.client.scatter(ctx, broadcast=True, hash=False)
        futures = {}
        for key, idx, C, U, want in tasks:
            f = self.client.submit(run_task, ctx_f, key, C, U, want, pure=False)
            futures[f] = idx
        try:
            for f in as_completed(futures):
                put(futures[f], f.result())
        finally:
            self.client.cancel(list(futures) + [ctx_f])

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
