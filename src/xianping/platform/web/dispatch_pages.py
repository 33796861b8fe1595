"""重点项目月调度 pages — none yet: the month's dashboard, the county page, the report form and the ledger pages are
a later step (issue 16 Build 6), written on the JSON API in dispatch_api.py. The router exists so the area is
mounted like every other (web/mount.py's one loop) and the pages can be added here without touching mount.py."""

from __future__ import annotations

from fastapi import APIRouter


def router(templates) -> APIRouter:
    return APIRouter(tags=["platform dispatch pages"])
