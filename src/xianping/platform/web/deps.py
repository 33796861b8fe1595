"""Per-request helpers of the platform routes."""

from __future__ import annotations

from typing import Iterator

from fastapi import Request
from sqlalchemy.orm import Session


def get_db(request: Request) -> Iterator[Session]:
    """A database session for one request (closed, and rolled back if not committed, when the response is done)."""
    with request.app.state.platform.sessions() as db:
        yield db
