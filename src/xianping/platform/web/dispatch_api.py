"""重点项目月调度 JSON API (issue 16): the project bank, monthly reports and their review, the month's measures and
colours, the issue ledger. Pages (and the monthly brief) sit on these answers.

Access (workflow/dispatch_scope.py; scope "dispatch" = the caller's division by county code):
    county_reporter       its county's projects: reads, reports months (form or sheet), attaches photos, imports its
                          own county's rows of the bank, works on its ledger items (in_progress with a note)
    prefecture_reviewer   its prefecture: reads, approves/rejects reports, opens the ledger for a month, closes items
    province_admin        its province: all of the above
    department_reporter, viewer   403 on every route: dispatch publishes nothing yet; the monthly brief (a later
                          step) is what a viewer will read
A row outside the caller's division answers 404, as one that does not exist.

    GET  /api/dispatch/projects                 ?county=&q=          the bank (with the plan in force)
    GET  /api/dispatch/projects/{code}                               one project: plans, reports (all states), photos
    PUT  /api/dispatch/projects/{code}          JSON {fields: {name, sector, plan_finish …}, annual_plan?,
                                                effective_month?, version?}  the web form's edit (checked as an import)
    POST /api/dispatch/projects/import          multipart file [year, effective_month]        → 200 counts | 422
    PUT  /api/dispatch/projects/{code}/reports/{month}   JSON {investment_month, investment_ytd, investment_cumulative,
                                                funds_in_place, started, finished, progress, problems, submit}
    GET  /api/dispatch/reports                  ?month=&status=&county=   (the review queue: status=submitted)
    POST /api/dispatch/reports/import           multipart file [month]                       → submitted for review
    POST /api/dispatch/reports/approve          JSON {ids, versions?}
    POST /api/dispatch/reports/reject           JSON {ids, reason, versions?}
    POST /api/dispatch/reports/{report_id}/photos    multipart file (jpg/png/pdf/xlsx, sniffed)
    GET  /api/dispatch/photos/{photo_id}
    GET  /api/dispatch/measures                 ?month= (default: the latest month with an approved report) &projects=1
    GET  /api/dispatch/ledger                   ?status=&month=&county=
    GET  /api/dispatch/ledger/{item_id}                              the item and its history (audit rows)
    POST /api/dispatch/ledger/{item_id}/progress   JSON {note, owner?, due_date?, version?}
    POST /api/dispatch/ledger/{item_id}/close      JSON {note, version?}
    POST /api/dispatch/warn                     JSON {month}: open ledger items for its warnings, escalate overdue
    POST /api/dispatch/indicators/import        multipart file: monitored indicator values + targets (reviewers)
    GET  /api/dispatch/indicators               ?period=YYYY-MM|YYYY-Qn: share of target, pace, growth gaps, colour

Refusals of data are 422 with every problem located ({"detail", "problems": [{file, row, column, value, expected}]});
a step the state does not allow 409; another's change first 409 "已被他人修改 … reload".
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from xianping.platform.auth.access import allow, client_ip
from xianping.platform.auth.tokens import Principal
from xianping.platform.db.dispatch_models import (LEDGER_COLOURS_ZH, LEDGER_SOURCES_ZH, LEDGER_STATUSES,
                                                  LEDGER_STATUSES_ZH, PROJECT_KINDS_ZH, REPORT_STATUSES,
                                                  REPORT_STATUSES_ZH, LedgerItem, Project, ProjectPlan, ProjectReport,
                                                  ProjectReportFile)
from xianping.platform.db.models import Unit, utcnow
from xianping.platform.web.deps import get_db
from xianping.platform.web.programme_api import problems_response
from xianping.platform.workflow import dispatch_ledger, dispatch_review
from xianping.platform.workflow.dispatch_review import DispatchRefused
from xianping.platform.workflow.dispatch_scope import (LEDGER_WORKERS, READERS as READ_ROLES, REPORTERS as REPORT_ROLES,
                                                       REVIEWERS as REVIEW_ROLES, ledger_condition, project_condition)
from xianping.problems import XianpingError, XianpingInputError

READERS = allow(roles=READ_ROLES, scope="dispatch", note="the caller's division (county / prefecture / province)")
REPORTERS = allow(roles=REPORT_ROLES, scope="dispatch")
REVIEWERS = allow(roles=REVIEW_ROLES, scope="dispatch")
WORKERS = allow(roles=LEDGER_WORKERS, scope="dispatch")
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
MAX_SHEET = 20 * 2**20
MAX_TEXT = 2000


class ReportIn(BaseModel):
    investment_month: float | str | None = None
    investment_ytd: float | str | None = None
    investment_cumulative: float | str | None = None
    funds_in_place: float | str | None = None
    started: bool | str | None = None
    finished: bool | str | None = None
    progress: str = Field("", max_length=MAX_TEXT)
    problems: str = Field("", max_length=MAX_TEXT)
    submit: bool = True


class ProjectEditIn(BaseModel):
    fields: dict[str, Any] = Field(default_factory=dict, max_length=20)   # name, sector, plan_finish … (FIELDS)
    annual_plan: float | None = None                                       # a new plan, effective effective_month
    effective_month: str | None = Field(None, pattern=MONTH)
    version: int | None = None


class Decision(BaseModel):
    ids: list[int] = Field(min_length=1, max_length=10_000)
    reason: str = Field("", max_length=MAX_TEXT)
    versions: dict[int, int] | None = None


class Step(BaseModel):
    note: str = Field("", max_length=MAX_TEXT)
    owner: str | None = Field(None, max_length=200)
    due_date: date | None = None
    version: int | None = None


class MonthIn(BaseModel):
    month: str = Field(pattern=MONTH)


def _private(response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"


def refused(e: XianpingError) -> HTTPException:
    return HTTPException(getattr(e, "status", 422), str(e))


def _iso(d) -> str | None:
    return d.isoformat() if d is not None else None


def project_json(p: Project, plan: ProjectPlan | None = None, county: str | None = None) -> dict[str, Any]:
    return {"code": p.code, "id": p.id, "name": p.name, "unit_code": p.unit_code, "county": county, "sector": p.sector,
            "kind": p.kind, "kind_zh": PROJECT_KINDS_ZH[p.kind], "total_investment": p.total_investment,
            "plan_start": _iso(p.plan_start), "plan_finish": _iso(p.plan_finish), "actual_start": _iso(p.actual_start),
            "actual_finish": _iso(p.actual_finish), "in_statistics": p.in_statistics, "cluster": p.cluster,
            "responsible_unit": p.responsible_unit, "responsible_person": p.responsible_person, "version": p.version,
            "annual_plan": plan.annual_plan if plan else None, "plan_year": plan.year if plan else None,
            "plan_effective_month": plan.effective_month if plan else None}


def report_json(r: ProjectReport, code: str | None = None) -> dict[str, Any]:
    return {"id": r.id, "project_code": code or r.project.code, "month": r.month, "status": r.status,
            "status_zh": REPORT_STATUSES_ZH[r.status], "investment_month": r.investment_month,
            "investment_ytd": r.investment_ytd, "investment_cumulative": r.investment_cumulative,
            "funds_in_place": r.funds_in_place, "started": r.started, "finished": r.finished, "progress": r.progress,
            "problems": r.problems, "submitted_at": _iso(r.submitted_at), "reviewed_at": _iso(r.reviewed_at),
            "review_reason": r.review_reason, "file_name": r.file_name, "version": r.version}


def item_json(i: LedgerItem, today: date | None = None) -> dict[str, Any]:
    today = today or utcnow().date()
    return {"id": i.id, "source_kind": i.source_kind, "source_kind_zh": LEDGER_SOURCES_ZH[i.source_kind],
            "source_key": i.source_key, "unit_code": i.unit_code, "month": i.month, "colour": i.colour,
            "colour_zh": LEDGER_COLOURS_ZH[i.colour], "title": i.title, "detail": i.detail, "owner": i.owner,
            "due_date": i.due_date.isoformat(), "overdue": i.status != "closed" and i.due_date < today,
            "status": i.status, "status_zh": LEDGER_STATUSES_ZH[i.status], "closing_note": i.closing_note,
            "closed_at": _iso(i.closed_at), "escalated_at": _iso(i.escalated_at), "escalated_to": i.escalated_to,
            "created_at": i.created_at.isoformat(), "version": i.version}


def _plans_in_force(db: Session, ids: list[int], month: str) -> dict[int, ProjectPlan]:
    out: dict[int, ProjectPlan] = {}
    for pl in db.scalars(select(ProjectPlan).where(ProjectPlan.project_id.in_(ids), ProjectPlan.year == int(month[:4]),
                                                   ProjectPlan.effective_month <= month)
                         .order_by(ProjectPlan.effective_month)):
        out[pl.project_id] = pl   # the latest effective month wins
    return out


def _project(db: Session, who: Principal, code: str) -> Project:
    p = db.scalars(select(Project).where(Project.code == code, project_condition(who.user))).one_or_none()
    if p is None:
        raise HTTPException(404, f"no project {code} among yours")
    return p


def latest_month(db: Session, who) -> str | None:
    return db.scalar(select(func.max(ProjectReport.month)).join(Project, Project.id == ProjectReport.project_id)
                     .where(ProjectReport.status == "approved", project_condition(who)))


def router() -> APIRouter:
    r = APIRouter(tags=["platform dispatch"], dependencies=[Depends(_private)])

    @r.get("/api/dispatch/projects", summary="The project bank in the caller's division", response_model=None)
    def projects(county: str | None = Query(None, max_length=6), q: str | None = Query(None, max_length=100),
                 month: str | None = Query(None, pattern=MONTH), who: Principal = Depends(READERS),
                 db: Session = Depends(get_db)) -> dict[str, Any]:
        stmt = select(Project).where(project_condition(who.user)).order_by(Project.unit_code, Project.code)
        if county:
            stmt = stmt.where(Project.unit_code == county)
        if q:
            stmt = stmt.where(Project.name.contains(q, autoescape=True) | Project.code.contains(q, autoescape=True))
        rows = db.scalars(stmt).all()
        month = month or latest_month(db, who.user) or f"{utcnow().year}-12"
        plans = _plans_in_force(db, [p.id for p in rows], month)
        names = dict(db.execute(select(Unit.code, Unit.name).where(Unit.code.in_({p.unit_code for p in rows}))).all())
        return {"month": month, "projects": [project_json(p, plans.get(p.id), names.get(p.unit_code)) for p in rows]}

    @r.get("/api/dispatch/projects/{project_code}", summary="One project: its plans, monthly reports and photos", response_model=None)
    def project(project_code: str, who: Principal = Depends(READERS), db: Session = Depends(get_db)) -> dict[str, Any]:
        p = _project(db, who, project_code)
        plans = db.scalars(select(ProjectPlan).where(ProjectPlan.project_id == p.id)
                           .order_by(ProjectPlan.effective_month)).all()
        reports = db.scalars(select(ProjectReport).where(ProjectReport.project_id == p.id)
                             .order_by(ProjectReport.month)).all()
        photos = db.scalars(select(ProjectReportFile).where(ProjectReportFile.report_id.in_([x.id for x in reports]))
                            .order_by(ProjectReportFile.id)).all()
        by_report: dict[int, list] = {}
        for f in photos:
            by_report.setdefault(f.report_id, []).append({"id": f.id, "name": f.name, "content_type": f.content_type,
                                                          "size": f.size, "url": f"/api/dispatch/photos/{f.id}"})
        county = db.scalar(select(Unit.name).where(Unit.code == p.unit_code))
        return {**project_json(p, plans[-1] if plans else None, county),
                "plans": [{"year": x.year, "effective_month": x.effective_month, "annual_plan": x.annual_plan}
                          for x in plans],
                "reports": [report_json(x, p.code) | {"photos": by_report.get(x.id, [])} for x in reports]}

    @r.put("/api/dispatch/projects/{project_code}", summary="Edit a project (fields, or a new annual plan from a month)")
    def edit_project(project_code: str, body: ProjectEditIn, request: Request, who: Principal = Depends(REPORTERS),
                     db: Session = Depends(get_db)) -> Response:
        from xianping.platform.workflow.dispatch_project_edit import edit

        try:
            edit(db, who.user, project_code, body.fields, version=body.version, annual_plan=body.annual_plan,
                 effective_month=body.effective_month, ip=client_ip(request))
        except XianpingInputError as e:
            return problems_response(e, 422)
        except DispatchRefused as e:
            raise refused(e) from None
        return JSONResponse(project(project_code, who, db))

    @r.post("/api/dispatch/projects/import", summary="Import the project bank from a sheet (all rows or none)")
    async def import_projects(request: Request, file: UploadFile = File(...), year: int | None = Form(None),
                              effective_month: str | None = Form(None), who: Principal = Depends(REPORTERS),
                              db: Session = Depends(get_db)) -> Response:
        from starlette.concurrency import run_in_threadpool

        from xianping.platform.workflow.dispatch_import_projects import check_month, import_projects_upload

        data = await file.read(MAX_SHEET + 1)
        folder = request.app.state.platform.folder

        def run():
            check_month(effective_month or None, "effective_month")
            return import_projects_upload(db, who.user, folder, file.filename or "projects.xlsx", data, year=year,
                                          effective_month=effective_month or None, ip=client_ip(request)).as_dict()
        try:
            return JSONResponse(await run_in_threadpool(run))
        except XianpingInputError as e:
            return problems_response(e, 422)
        except StaleDataError:
            raise HTTPException(409, "已被他人修改 a project was changed meanwhile; reload") from None

    @r.put("/api/dispatch/projects/{project_code}/reports/{month}", summary="Save or submit a project's month (form)")
    def put_report(project_code: str, month: str, body: ReportIn, request: Request,
                   who: Principal = Depends(REPORTERS), db: Session = Depends(get_db)) -> Response:
        from xianping.platform.workflow.dispatch_report import form_frame, save_reports

        p = _project(db, who, project_code)
        if not re.fullmatch(MONTH, month):
            raise HTTPException(422, f"month {month!r}: expected YYYY-MM")
        values = body.model_dump(exclude={"submit"})
        try:
            written, notes = save_reports(db, who.user, form_frame(p.code, month, values), source="form",
                                          submit=body.submit, ip=client_ip(request))
        except XianpingInputError as e:
            return problems_response(e, 422)
        except StaleDataError:
            raise HTTPException(409, "已被他人修改 the report was changed meanwhile; reload") from None
        rep = db.scalars(select(ProjectReport).where(ProjectReport.project_id == p.id,
                                                     ProjectReport.month == month)).one()
        return JSONResponse({**report_json(rep, p.code), "changed": bool(written),
                             "warnings": [n.as_dict() for n in notes]})

    @r.get("/api/dispatch/reports", summary="Monthly reports in the caller's division (the review queue: status=submitted)", response_model=None)
    def reports(month: str | None = Query(None, pattern=MONTH), status: str | None = Query(None, max_length=16),
                county: str | None = Query(None, max_length=6), who: Principal = Depends(READERS),
                db: Session = Depends(get_db)) -> dict[str, Any]:
        if status is not None and status not in REPORT_STATUSES:
            raise HTTPException(422, f"status {status!r}: expected one of {', '.join(REPORT_STATUSES)}")
        stmt = (select(ProjectReport, Project.code, Project.name, Project.unit_code)
                .join(Project, Project.id == ProjectReport.project_id).where(project_condition(who.user))
                .order_by(ProjectReport.month, Project.unit_code, Project.code))
        if month:
            stmt = stmt.where(ProjectReport.month == month)
        if status:
            stmt = stmt.where(ProjectReport.status == status)
        if county:
            stmt = stmt.where(Project.unit_code == county)
        return {"reports": [report_json(x, code) | {"project_name": name, "unit_code": unit}
                            for x, code, name, unit in db.execute(stmt).all()]}

    @r.post("/api/dispatch/reports/import", summary="Import a month's reports from a sheet (submitted for review)")
    async def import_reports(request: Request, file: UploadFile = File(...), month: str | None = Form(None),
                             who: Principal = Depends(REPORTERS), db: Session = Depends(get_db)) -> Response:
        from starlette.concurrency import run_in_threadpool

        from xianping.platform.workflow.dispatch_import_reports import import_reports_upload

        data = await file.read(MAX_SHEET + 1)
        folder = request.app.state.platform.folder

        def run():
            return import_reports_upload(db, who.user, folder, file.filename or "reports.xlsx", data,
                                         month=month or None, ip=client_ip(request)).as_dict()
        try:
            return JSONResponse(await run_in_threadpool(run))
        except XianpingInputError as e:
            return problems_response(e, 422)
        except StaleDataError:
            raise HTTPException(409, "已被他人修改 a report was changed meanwhile; reload") from None

    @r.post("/api/dispatch/reports/approve", summary="Approve submitted reports (the measures then read them)", response_model=None)
    def approve(body: Decision, request: Request, who: Principal = Depends(REVIEWERS),
                db: Session = Depends(get_db)) -> dict[str, Any]:
        try:
            done = dispatch_review.approve(db, who.user, body.ids, versions=body.versions, ip=client_ip(request))
        except DispatchRefused as e:
            raise refused(e) from None
        return {"reports": [report_json(x) for x in done]}

    @r.post("/api/dispatch/reports/reject", summary="Send submitted reports back with a reason", response_model=None)
    def reject(body: Decision, request: Request, who: Principal = Depends(REVIEWERS),
               db: Session = Depends(get_db)) -> dict[str, Any]:
        try:
            done = dispatch_review.reject(db, who.user, body.ids, reason=body.reason, versions=body.versions,
                                          ip=client_ip(request))
        except DispatchRefused as e:
            raise refused(e) from None
        return {"reports": [report_json(x) for x in done]}

    @r.post("/api/dispatch/reports/{report_id}/photos", summary="Attach a progress photo to a report")
    async def photo(report_id: int, request: Request, file: UploadFile = File(...), who: Principal = Depends(REPORTERS),
                    db: Session = Depends(get_db)) -> Response:
        from xianping.platform.workflow import dispatch_photo
        from xianping.platform.workflow.dispatch_report import report_in_scope
        from xianping.platform.workflow.evidence import MAX_EVIDENCE_BYTES

        data = await file.read(MAX_EVIDENCE_BYTES + 1)
        rep = report_in_scope(db, who.user, report_id)
        if rep is None:
            raise HTTPException(404, f"no report {report_id} among yours")
        try:
            f = dispatch_photo.attach(db, who.user, request.app.state.platform.folder, rep, file.filename or "photo",
                                      data, ip=client_ip(request))
        except XianpingInputError as e:
            return problems_response(e)
        except DispatchRefused as e:
            raise refused(e) from None
        return JSONResponse({"id": f.id, "report_id": rep.id, "name": f.name, "size": f.size,
                             "content_type": f.content_type, "sha256": f.sha256,
                             "url": f"/api/dispatch/photos/{f.id}"}, status_code=201)

    @r.get("/api/dispatch/photos/{photo_id}", summary="A report's photo (within the report's scope)")
    def get_photo(photo_id: int, request: Request, who: Principal = Depends(READERS),
                  db: Session = Depends(get_db)) -> Response:
        from xianping.platform.workflow.dispatch_photo import open_photo

        try:
            path, f = open_photo(db, who.user, request.app.state.platform.folder, photo_id)
        except DispatchRefused as e:
            raise refused(e) from None
        return FileResponse(path, media_type=f.content_type, filename=f.name,
                            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})

    @r.get("/api/dispatch/measures", summary="The month's measures and colours per county (and project) in the division", response_model=None)
    def measures(month: str | None = Query(None, pattern=MONTH), projects: bool = Query(False),
                 who: Principal = Depends(READERS), db: Session = Depends(get_db)) -> dict[str, Any]:
        from xianping.platform.workflow.dispatch_measure import month_view

        month = month or latest_month(db, who.user)
        if month is None:
            return {"month": None, "counties": [], "projects": [], "detail": "no approved report yet"}
        return month_view(db, who.user, month).as_dict(projects=projects)

    @r.post("/api/dispatch/indicators/import", summary="Import monitored indicator values and targets (all rows or none)")
    async def import_indicators(request: Request, file: UploadFile = File(...), who: Principal = Depends(REVIEWERS),
                                db: Session = Depends(get_db)) -> Response:
        from starlette.concurrency import run_in_threadpool

        from xianping.platform.workflow.dispatch_import_indicators import import_indicators_upload

        data = await file.read(MAX_SHEET + 1)
        folder = request.app.state.platform.folder

        def run():
            return import_indicators_upload(db, who.user, folder, file.filename or "indicators.xlsx", data,
                                            ip=client_ip(request)).as_dict()
        try:
            return JSONResponse(await run_in_threadpool(run))
        except XianpingInputError as e:
            return problems_response(e, 422)
        except DispatchRefused as e:
            raise refused(e) from None

    @r.get("/api/dispatch/indicators", summary="Monitored indicators of a month or quarter in the division, coloured",
           response_model=None)
    def indicators(period: str = Query(..., pattern=r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$"),
                   who: Principal = Depends(READERS), db: Session = Depends(get_db)) -> dict[str, Any]:
        from xianping.platform.workflow.dispatch_monitor import indicator_view

        return indicator_view(db, who.user, period).as_dict()

    @r.get("/api/dispatch/ledger", summary="Issue-ledger items in the caller's division", response_model=None)
    def ledger(status: str | None = Query(None, max_length=16), month: str | None = Query(None, pattern=MONTH),
               county: str | None = Query(None, max_length=6), who: Principal = Depends(READERS),
               db: Session = Depends(get_db)) -> dict[str, Any]:
        if status is not None and status not in LEDGER_STATUSES:
            raise HTTPException(422, f"status {status!r}: expected one of {', '.join(LEDGER_STATUSES)}")
        stmt = select(LedgerItem).where(ledger_condition(who.user)).order_by(LedgerItem.due_date, LedgerItem.id)
        if status:
            stmt = stmt.where(LedgerItem.status == status)
        if month:
            stmt = stmt.where(LedgerItem.month == month)
        if county:
            stmt = stmt.where(LedgerItem.unit_code == county)
        today = utcnow().date()
        return {"today": today.isoformat(), "items": [item_json(i, today) for i in db.scalars(stmt)]}

    @r.get("/api/dispatch/ledger/{item_id}", summary="A ledger item and its history", response_model=None)
    def ledger_item(item_id: int, who: Principal = Depends(READERS), db: Session = Depends(get_db)) -> dict[str, Any]:
        try:
            item = dispatch_ledger.item_in_scope(db, who.user, item_id)
            return {**item_json(item), "history": dispatch_ledger.history(db, who.user, item_id)}
        except DispatchRefused as e:
            raise refused(e) from None

    @r.post("/api/dispatch/ledger/{item_id}/progress", summary="Take an item up / add a progress note", response_model=None)
    def ledger_progress(item_id: int, body: Step, request: Request, who: Principal = Depends(WORKERS),
                        db: Session = Depends(get_db)) -> dict[str, Any]:
        try:
            item = dispatch_ledger.progress(db, who.user, item_id, note=body.note, owner=body.owner,
                                            due_date=body.due_date, version=body.version, ip=client_ip(request))
        except DispatchRefused as e:
            raise refused(e) from None
        return {**item_json(item), "history": dispatch_ledger.history(db, who.user, item_id)}

    @r.post("/api/dispatch/ledger/{item_id}/close", summary="Close an item (销号) with a closing note", response_model=None)
    def ledger_close(item_id: int, body: Step, request: Request, who: Principal = Depends(REVIEWERS),
                     db: Session = Depends(get_db)) -> dict[str, Any]:
        try:
            item = dispatch_ledger.close(db, who.user, item_id, note=body.note, version=body.version,
                                         ip=client_ip(request))
        except DispatchRefused as e:
            raise refused(e) from None
        return {**item_json(item), "history": dispatch_ledger.history(db, who.user, item_id)}

    @r.post("/api/dispatch/warn", summary="Open ledger items for the month's red/yellow warnings; escalate overdue items", response_model=None)
    def warn(body: MonthIn, request: Request, who: Principal = Depends(REVIEWERS),
             db: Session = Depends(get_db)) -> dict[str, Any]:
        from xianping.platform.workflow.dispatch_escalate import escalate
        from xianping.platform.workflow.dispatch_warn import open_items

        try:
            opened = open_items(db, who.user, body.month, ip=client_ip(request))
            escalated = escalate(db, who.user, ip=client_ip(request))
        except (IntegrityError, StaleDataError):   # another run opened or changed the same items first
            raise HTTPException(409, "已被他人处理 another run opened these items first; reload the ledger") from None
        return opened.as_dict() | {"escalated": escalated}

    return r
