"""Per-request helpers of the platform routes."""

from __future__ import annotations

from typing import Iterator

from fastapi import Request
from sqlalchemy.orm import Session


def get_db(request: Request) -> Iterator[Session]:
    """A database session for one request (closed, and rolled back if not committed, when the response is done).

    Its connection is held until then: a sync route that returns a dict (not a Response) is declared with
    response_model=None, or FastAPI validates the answer in a worker thread while the connection waits — and with
    every worker thread waiting for a connection, that is a deadlock until the pool times out (500s; seen with 200
    reporters logging in at once: benchmarks/bench_platform.py)."""
    with request.app.state.platform.sessions() as db:
        yield db
