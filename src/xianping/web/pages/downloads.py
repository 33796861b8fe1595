"""下载 Downloads: the ranking workbook (xlsx), the Word report (docx) and the self-contained HTML report, written
by the report layer (`xianping.report`) from the same loaded results, once per format and year (kept in the
cache folder)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Optional

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from xianping.web import validate as V

FORMATS = {"xlsx": ("排名工作簿", "Ranking workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
           "docx": ("分析报告", "Word report", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
           "html": ("网页报告", "HTML report (offline)", "text/html")}


def router(dash, templates) -> APIRouter:
    r = APIRouter(include_in_schema=False)
    locks: dict[tuple[str, str], threading.Lock] = {}
    guard = threading.Lock()

    def cached(fmt: str, year: str) -> Path:
        out_dir = dash.cache_dir or Path.cwd() / ".xianping-downloads"
        return Path(out_dir) / f"{dash.data.framework.get('code') or 'results'}-{year}.{fmt}"

    def build(fmt: str, year: str) -> Path:
        from xianping.report.run import write_report

        path = cached(fmt, year)
        with guard:
            lock = locks.setdefault((fmt, year), threading.Lock())
        with lock:
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f"{path.stem}.{os.getpid()}.part{path.suffix}")   # workers may race
                # attach=False: a download is the one file; no manifest/sources left beside it in the cache
                write_report(dash.data, fmt, tmp, year=year, **({"attach": False} if fmt == "docx" else {}))
                tmp.replace(path)
        return path

    @r.get("/downloads")
    def downloads_page(request: Request, year: Optional[str] = None):
        y = V.year(dash, year)
        return templates.TemplateResponse(request, "downloads.html", {"active": "/downloads", "year": y, "formats": FORMATS})

    @r.get("/download/{fmt}")
    async def download(request: Request, fmt: str, year: Optional[str] = None):
        if fmt not in FORMATS:
            raise V.Invalid(404, f"no download {fmt!r}: choose xlsx, docx or html")
        y = V.year(dash, year)
        # a report already written is served at once (renamed into place whole, so existing means complete); only a
        # build goes on the server's work queue (503 + Retry-After when it is full), not on the threads pages use
        path = cached(fmt, y)
        if not path.exists():
            path = await request.app.state.work.run(build, fmt, y)
        name = f"县评-{dash.data.framework.get('code') or 'results'}-{y}.{fmt}"
        return FileResponse(path, media_type=FORMATS[fmt][2], filename=name)

    return r
