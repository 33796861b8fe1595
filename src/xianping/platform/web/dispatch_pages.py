"""重点项目月调度 pages (server-rendered; forms carry the session's CSRF token; charts drawn by /static/dispatch.js
with the dashboard's ECharts and map helpers — no inline script). Access as the JSON API (dispatch_api.py: the
caller's division; department reporters and viewers 403).

    GET  /dispatch                        ?month=   the month: totals, county ranking, warnings map, sectors, trend,
                                                    red/yellow lists, the brief to download
    GET  /dispatch/brief.docx             ?month=   the month's 月度通报 (Word, 公文 layout) over the caller's division
    GET  /dispatch/county/{county_code}   ?month=   a county: its projects, their colours and monthly reports; the
                                                    reporter's form for the month, the reviewer's approve button
    POST /dispatch/county/{county_code}/report      (reporter) one project's month, submitted for review
    POST /dispatch/county/{county_code}/photo       (reporter) multipart report_id, file: a progress photo (形象进度照片)
                                                    with a month's report not yet approved (sniffed, capped, audited)
    POST /dispatch/county/{county_code}/approve     (reviewer) approve the county's submitted reports of a month
    GET  /dispatch/ledger                 ?status=  问题台账: items in the division; open items first
    POST /dispatch/ledger/warn                      (reviewer) open items for a month's red/yellow warnings, escalate
    GET  /dispatch/ledger/{item_id}                 one item and its history (the audit log's rows)
    POST /dispatch/ledger/{item_id}/close           (reviewer) 销号 with a closing note
Each POST answers 303 back to its page, or the page again with the refusal and its status.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from xianping.platform.auth.access import client_ip
from xianping.platform.auth.tokens import Principal
from xianping.platform.db.dispatch_models import (REPORT_STATUSES_ZH, LedgerItem, Project, ProjectReport,
                                                  ProjectReportFile)
from xianping.platform.db.models import Unit, utcnow
from xianping.platform.web.deps import get_db
from xianping.platform.web.dispatch_api import MONTH, READERS, REPORTERS, REVIEWERS, item_json, latest_month
from xianping.platform.workflow import dispatch_ledger, dispatch_review
from xianping.platform.workflow.dispatch_scope import covers, ledger_condition, project_condition
from xianping.problems import XianpingError

COLOUR_ZH = {"green": "绿", "yellow": "黄", "red": "红", "no_report": "无报告"}
REPORT_FIELDS = ("investment_month", "investment_ytd", "investment_cumulative", "funds_in_place")


def _num(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if np.isnan(x) else round(x, 4)


def month_data(db: Session, who, month: str) -> dict[str, Any]:
    """The month's tables over the approved reports in the caller's division, and the year's trend up to it."""
    from xianping.dispatch.measures import year_measures
    from xianping.platform.workflow.dispatch_load import load_frames
    from xianping.report.dispatch_brief import area_name, platform_inputs

    inputs = platform_inputs(db, who, month)
    res, names = inputs["result"], inputs["names"]
    k = int(month[5:7])
    ym = year_measures(load_frames(db, who, year=int(month[:4])), int(month[:4]))
    g = ym.groups(None)
    trend = [{"month": f"{month[:4]}-{j + 1:02d}", "completion": _num(g.completion[0, j]), "pace": _num(g.pace[0, j]),
              "elapsed": _num(ym.elapsed[j])} for j in range(k)] if len(g.keys) and len(ym.projects) else []
    counties = res.counties.sort_values(["completion", "unit_code"], ascending=[False, True], na_position="last")
    crow = [{"code": r["unit_code"], "name": names.get(r["unit_code"], r["unit_code"]), "colour": r["colour"],
             "colour_zh": COLOUR_ZH.get(r["colour"], r["colour"]), "completion": _num(r["completion"]),
             "pace": _num(r["pace"]), "start_rate": _num(r["start_rate"]), "n_projects": int(r["n_projects"]),
             "n_reported": int(r["n_reported"]), "n_no_report": int(r["n_no_report"]),
             "n_due_report": int(r["n_due_report"]), "report_state": r["report_state"],
             "plan_all": _num(r["plan_all"]), "ytd_reported": _num(r["ytd_reported"])}
            for r in counties.to_dict(orient="records")]
    srow = [{"name": r["sector"] or "未分行业", "n_projects": int(r["n_projects"]), "completion": _num(r["completion"]),
             "pace": _num(r["pace"]), "colour": r["colour"], "plan_all": _num(r["plan_all"]),
             "ytd_reported": _num(r["ytd_reported"])}
            for r in res.sectors.sort_values("completion", ascending=False, na_position="last").to_dict(orient="records")]
    p = res.projects[res.projects["status"] != "no_plan"]
    lists = {}
    for colour in ("red", "yellow"):
        sel = p[p["colour"] == colour].sort_values(["pace", "project_id"], na_position="last")
        lists[colour] = [{"code": r["project_id"], "name": r["name"], "county": names.get(r["unit_code"], r["unit_code"]),
                          "unit_code": r["unit_code"], "completion": _num(r["completion"]), "pace": _num(r["pace"])}
                         for r in sel.to_dict(orient="records")]
    total = res.total.to_dict(orient="records")[0] if len(res.total) else {}
    total = {c: (_num(v) if isinstance(v, (float, np.floating)) else int(v) if isinstance(v, (np.integer, int)) else v)
             for c, v in total.items()}
    codes = [c["code"] for c in crow]
    return {"month": month, "area": area_name(codes), "elapsed": _num(float(ym.elapsed[k - 1])), "total": total,
            "counties": crow, "sectors": srow, "lists": lists, "trend": trend,
            "provinces": sorted({c[:2] for c in codes}),
            # 监测: the month's (and, at a quarter's end, the quarter's) monitored indicators, worst colour first
            "indicators": [dict(r, colour_zh=COLOUR_ZH.get(r["colour"], "—"),
                                name=r["name"] or names.get(r["unit_code"], r["unit_code"]))
                           for r in inputs.get("indicators", [])],
            "n_no_report": int((p["status"] == "no_report").sum())}


def _months(db: Session, who) -> list[str]:
    rows = db.scalars(select(ProjectReport.month).join(Project, Project.id == ProjectReport.project_id)
                      .where(project_condition(who), ProjectReport.status == "approved").distinct()).all()
    return sorted(rows, reverse=True)


def _month_or_latest(db: Session, who, month: str | None) -> str:
    return month or latest_month(db, who) or f"{utcnow().year}-{max(utcnow().month - 1, 1):02d}"


def _county_reports(db: Session, code: str, month: str) -> tuple[list[dict], dict[int, dict]]:
    projects = db.scalars(select(Project).where(Project.unit_code == code).order_by(Project.code)).all()
    reports = db.scalars(select(ProjectReport).where(ProjectReport.project_id.in_([x.id for x in projects]),
                                                     ProjectReport.month.startswith(month[:4]))
                         .order_by(ProjectReport.month)).all()
    by: dict[int, dict] = {}
    for r in reports:
        by.setdefault(r.project_id, {})[r.month] = r
    return projects, by


def router(templates) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    def render(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
        resp = templates.TemplateResponse(request, name, {"active": "/dispatch", **ctx}, status_code=status)
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @r.get("/dispatch")
    def month_page(request: Request, month: str | None = Query(None, pattern=MONTH), who: Principal = Depends(READERS),
                   db: Session = Depends(get_db)) -> Response:
        from xianping.web.pages.map_page import _inset

        month = _month_or_latest(db, who.user, month)
        data = month_data(db, who.user, month)
        dash = request.app.state.dash
        has_geo = dash.boundary_units() is not None
        page = {k: data[k] for k in ("month", "counties", "sectors", "trend", "provinces")}
        page["inset"] = _inset() if has_geo and "46" in data["provinces"] else None
        page["has_geo"] = has_geo
        return render(request, "dispatch_month.html", {"who": who, "d": data, "page": page,
                                                        "months": _months(db, who.user), "has_geo": has_geo})

    @r.get("/dispatch/brief.docx")
    def brief(month: str | None = Query(None, pattern=MONTH), who: Principal = Depends(READERS),
              db: Session = Depends(get_db)) -> Response:
        from xianping.report.dispatch_brief import platform_inputs, write_brief

        month = _month_or_latest(db, who.user, month)
        inputs = platform_inputs(db, who.user, month)
        res = inputs.pop("result")
        tmp = Path(tempfile.mkdtemp(prefix="xianping-brief-"))
        out = write_brief(res, tmp / f"{month}月调度通报.docx", attach=False, **inputs)

        def cleanup() -> None:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
        return FileResponse(out, filename=out.name, background=BackgroundTask(cleanup), headers={"Cache-Control": "no-store"},
                            media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")

    def county_page(request: Request, who: Principal, db: Session, code: str, month: str | None,
                    message: str = "", status: int = 200) -> Response:
        if not re.fullmatch(r"\d{6}", code) or not covers(who.user, code):
            raise HTTPException(404, f"no county {code} among yours")
        month = _month_or_latest(db, who.user, month)
        from xianping.dispatch.evaluate_month import evaluate_month
        from xianping.platform.workflow.dispatch_load import load_frames

        res = evaluate_month(load_frames(db, who.user, county_codes=[code], year=int(month[:4])), month)
        measures = {r["project_id"]: r for r in res.projects.to_dict(orient="records")}
        county = res.counties.to_dict(orient="records")[0] if len(res.counties) else None
        projects, reports = _county_reports(db, code, month)
        # 形象进度照片 of the month's reports (sent by /api/dispatch/photos/{id}, which checks the report's scope)
        this_ids = [rep.id for by_month in reports.values() if (rep := by_month.get(month)) is not None]
        photos: dict[int, list[dict]] = {}
        for f in db.scalars(select(ProjectReportFile).where(ProjectReportFile.report_id.in_(this_ids))
                            .order_by(ProjectReportFile.id)) if this_ids else []:
            photos.setdefault(f.report_id, []).append({"id": f.id, "name": f.name, "url": f"/api/dispatch/photos/{f.id}",
                                                       "image": f.content_type.startswith("image/")})
        rows = []
        for p in projects:
            m = measures.get(p.code, {})
            this = reports.get(p.id, {}).get(month)
            rows.append({"p": p, "colour": m.get("colour", "no_report"),
                         "colour_zh": "已竣工" if m.get("status") == "finished" else COLOUR_ZH.get(m.get("colour"), "—"),
                         "status_zh": REPORT_STATUSES_ZH.get(this.status, this.status) if this is not None else "",
                         "annual_plan": _num(m.get("annual_plan")), "ytd": _num(m.get("investment_ytd")),
                         "completion": _num(m.get("completion")), "pace": _num(m.get("pace")), "this": this,
                         "photos": photos.get(this.id, []) if this is not None else [],
                         "months": [reports.get(p.id, {}).get(f"{month[:4]}-{j:02d}") for j in range(1, 13)]})
        name = db.scalar(select(Unit.name).where(Unit.code == code)) or code
        role = who.user.role
        return render(request, "dispatch_county.html", {
            "who": who, "code": code, "name": name, "month": month, "rows": rows, "message": message,
            "county": {k: (_num(v) if isinstance(v, (float, np.floating)) else v) for k, v in (county or {}).items()},
            "can_report": role in ("county_reporter", "province_admin"),
            "can_review": role in ("prefecture_reviewer", "province_admin"),
            "n_submitted": sum(1 for x in rows if x["this"] is not None and x["this"].status == "submitted"),
            "month_numbers": list(range(1, 13))}, status)

    @r.get("/dispatch/county/{county_code}")
    def county(request: Request, county_code: str, month: str | None = Query(None, pattern=MONTH),
               who: Principal = Depends(READERS), db: Session = Depends(get_db)) -> Response:
        return county_page(request, who, db, county_code, month)

    @r.post("/dispatch/county/{county_code}/report")
    async def report_form(request: Request, county_code: str, who: Principal = Depends(REPORTERS),
                          db: Session = Depends(get_db)) -> Response:
        from starlette.concurrency import run_in_threadpool

        from xianping.platform.workflow.dispatch_report import form_frame, save_reports

        form = await request.form()
        month, project = str(form.get("month") or ""), str(form.get("project") or "")[:64]

        def run() -> Response:
            if not re.fullmatch(MONTH, month):
                return county_page(request, who, db, county_code, None, f"月份 month {month[:20]!r}: expected YYYY-MM", 422)
            p = db.scalars(select(Project).where(Project.code == project, Project.unit_code == county_code,
                                                 project_condition(who.user))).one_or_none()
            if p is None:
                raise HTTPException(404, f"no project {project} in county {county_code} among yours")
            values = {k: (str(form.get(k)).strip() or None) if form.get(k) is not None else None for k in REPORT_FIELDS}
            values.update(started=form.get("started") == "1", finished=form.get("finished") == "1",
                          progress=str(form.get("progress") or "")[:2000], problems=str(form.get("problems") or "")[:2000])
            try:
                save_reports(db, who.user, form_frame(p.code, month, values), source="form", submit=True,
                             ip=client_ip(request))
            except XianpingError as e:
                db.rollback()
                return county_page(request, who, db, county_code, month, str(e), 422)
            return RedirectResponse(f"/dispatch/county/{county_code}?month={month}", status_code=303)
        return await run_in_threadpool(run)

    @r.post("/dispatch/county/{county_code}/photo")
    async def photo_form(request: Request, county_code: str, report_id: int = Form(...), file: UploadFile = File(...),
                         who: Principal = Depends(REPORTERS), db: Session = Depends(get_db)) -> Response:
        """形象进度照片 with a month's report: stored by evidence.store_file through dispatch_photo.attach (type
        sniffed, size cap, audited); the report must be in the caller's county/division, else 404."""
        from starlette.concurrency import run_in_threadpool

        from xianping.platform.web.reporting_api import read_capped
        from xianping.platform.workflow import dispatch_photo
        from xianping.platform.workflow.dispatch_report import report_in_scope
        from xianping.platform.workflow.dispatch_review import DispatchRefused
        from xianping.platform.workflow.evidence import MAX_EVIDENCE_BYTES

        data = await read_capped(file, MAX_EVIDENCE_BYTES)

        def run() -> Response:
            rep = report_in_scope(db, who.user, report_id)
            if rep is None or rep.project.unit_code != county_code:
                raise HTTPException(404, f"no report {report_id} in county {county_code} among yours")
            try:
                dispatch_photo.attach(db, who.user, request.app.state.platform.folder, rep, file.filename or "photo",
                                      data, ip=client_ip(request))
            except DispatchRefused as e:
                db.rollback()
                return county_page(request, who, db, county_code, rep.month, str(e), e.status)
            except XianpingError as e:
                db.rollback()
                return county_page(request, who, db, county_code, rep.month, str(e), 422)
            return RedirectResponse(f"/dispatch/county/{county_code}?month={rep.month}", status_code=303)
        return await run_in_threadpool(run)

    @r.post("/dispatch/county/{county_code}/approve")
    async def approve_form(request: Request, county_code: str, who: Principal = Depends(REVIEWERS),
                           db: Session = Depends(get_db)) -> Response:
        from starlette.concurrency import run_in_threadpool

        form = await request.form()
        month = str(form.get("month") or "")

        def run() -> Response:
            if not re.fullmatch(MONTH, month) or not covers(who.user, county_code):
                raise HTTPException(404, f"no county {county_code} among yours, or no month {month[:20]!r}")
            ids = db.scalars(select(ProjectReport.id).join(Project, Project.id == ProjectReport.project_id)
                             .where(Project.unit_code == county_code, ProjectReport.month == month,
                                    ProjectReport.status == "submitted")).all()
            if not ids:
                return county_page(request, who, db, county_code, month, "没有待审核的报告 nothing submitted to approve", 409)
            try:
                dispatch_review.approve(db, who.user, ids, ip=client_ip(request))
            except XianpingError as e:
                db.rollback()
                return county_page(request, who, db, county_code, month, str(e), getattr(e, "status", 422))
            return RedirectResponse(f"/dispatch/county/{county_code}?month={month}", status_code=303)
        return await run_in_threadpool(run)

    def ledger_page(request: Request, who: Principal, db: Session, status: str | None, message: str = "",
                    code: int = 200) -> Response:
        today = utcnow().date()
        stmt = select(LedgerItem).where(ledger_condition(who.user))
        if status in ("open", "in_progress", "closed"):
            stmt = stmt.where(LedgerItem.status == status)
        items = sorted((item_json(i, today) for i in db.scalars(stmt)),
                       key=lambda i: (i["status"] == "closed", i["colour"] != "red", i["due_date"], i["id"]))
        names = dict(db.execute(select(Unit.code, Unit.name).where(Unit.code.in_({i["unit_code"] for i in items}))).all())
        return render(request, "dispatch_ledger.html", {
            "who": who, "items": items, "names": names, "status": status or "", "message": message,
            "can_close": who.user.role in ("prefecture_reviewer", "province_admin"),
            "month": latest_month(db, who.user) or ""}, code)

    @r.get("/dispatch/ledger")
    def ledger(request: Request, status: str | None = Query(None, max_length=16), who: Principal = Depends(READERS),
               db: Session = Depends(get_db)) -> Response:
        return ledger_page(request, who, db, status)

    @r.post("/dispatch/ledger/warn")
    async def warn_form(request: Request, who: Principal = Depends(REVIEWERS), db: Session = Depends(get_db)) -> Response:
        from starlette.concurrency import run_in_threadpool

        from xianping.platform.workflow.dispatch_escalate import escalate
        from xianping.platform.workflow.dispatch_warn import open_items

        form = await request.form()
        month = str(form.get("month") or "")

        def run() -> Response:
            if not re.fullmatch(MONTH, month):
                return ledger_page(request, who, db, None, f"月份 month {month[:20]!r}: expected YYYY-MM", 422)
            opened = open_items(db, who.user, month, ip=client_ip(request))
            escalate(db, who.user, ip=client_ip(request))
            return ledger_page(request, who, db, None, f"{month}: 新开 opened {len(opened.opened)} · 升级为红 raised "
                                                       f"{len(opened.raised)} · 已有 already open {opened.kept}")
        return await run_in_threadpool(run)

    @r.get("/dispatch/ledger/{item_id}")
    def ledger_item(request: Request, item_id: int, who: Principal = Depends(READERS),
                    db: Session = Depends(get_db)) -> Response:
        return item_page(request, who, db, item_id)

    def item_page(request: Request, who: Principal, db: Session, item_id: int, message: str = "",
                  code: int = 200) -> Response:
        try:
            item = dispatch_ledger.item_in_scope(db, who.user, item_id)
            history = dispatch_ledger.history(db, who.user, item_id)
        except XianpingError as e:
            raise HTTPException(getattr(e, "status", 404), str(e)) from None
        name = db.scalar(select(Unit.name).where(Unit.code == item.unit_code)) or item.unit_code
        return render(request, "dispatch_item.html", {
            "who": who, "item": item_json(item), "name": name, "history": history, "message": message,
            "can_close": who.user.role in ("prefecture_reviewer", "province_admin")}, code)

    @r.post("/dispatch/ledger/{item_id}/close")
    async def close_form(request: Request, item_id: int, who: Principal = Depends(REVIEWERS),
                         db: Session = Depends(get_db)) -> Response:
        from starlette.concurrency import run_in_threadpool

        form = await request.form()
        note = str(form.get("note") or "")[:2001]
        version = str(form.get("version") or "")

        def run() -> Response:
            try:
                dispatch_ledger.close(db, who.user, item_id, note=note,
                                      version=int(version) if version.isdigit() else None, ip=client_ip(request))
            except XianpingError as e:
                db.rollback()
                if getattr(e, "status", 422) == 404:
                    raise HTTPException(404, str(e)) from None
                return item_page(request, who, db, item_id, str(e), getattr(e, "status", 422))
            return RedirectResponse(f"/dispatch/ledger/{item_id}", status_code=303)
        return await run_in_threadpool(run)

    return r


__all__ = ["router", "month_data"]
