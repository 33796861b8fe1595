"""The province admin's programme page (server-rendered, CSRF token in every form, no script):

    GET  /programmes                  the admin's programmes, a publish button on each draft, the new-programme form
    POST /programmes                  multipart: name, framework (YAML file), classes (CSV, optional), scope, unit_kind,
                                      period, fill_by, review_by, publicity_days → 303 to the list, or the page with
                                      every problem located (422)
    POST /programmes/{id}/publish     → 303 to the list (publishing again creates nothing, said so)
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from xianping.platform.auth.access import client_ip
from xianping.platform.auth.scope import prefix
from xianping.platform.auth.tokens import Principal
from xianping.platform.db.models import UNIT_KINDS_ZH, Programme
from xianping.platform.web.deps import get_db
from xianping.platform.web.programme_api import PROGRAMME_ADMIN, in_province, own_programme, programme_json
from xianping.platform.workflow import programmes
from xianping.problems import ProblemReport, XianpingInputError

MAX_FRAMEWORK_BYTES = 4 * 2**20


def router(templates) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    def page(request: Request, who: Principal, db: Session, *, status: int = 200, message: str = "",
             error: XianpingInputError | None = None) -> Response:
        rows = db.scalars(select(Programme).where(in_province(who.user)).order_by(Programme.id.desc())).all()
        resp = templates.TemplateResponse(request, "programmes.html", {
            "active": "/programmes", "who": who, "csrf": who.csrf or "", "message": message,
            "programmes": [programme_json(db, p) for p in rows], "unit_kinds": UNIT_KINDS_ZH,
            "problems": list(error.report) if error else [], "problem_summary": error.summary if error else ""},
            status_code=status)
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @r.get("/programmes")
    def programmes_page(request: Request, msg: str = "", who: Principal = Depends(PROGRAMME_ADMIN),
                        db: Session = Depends(get_db)) -> Response:
        return page(request, who, db, message=msg[:200])

    @r.post("/programmes")
    async def programmes_create(request: Request, who: Principal = Depends(PROGRAMME_ADMIN),
                                db: Session = Depends(get_db)) -> Response:
        form = await request.form()
        report = ProblemReport()

        def text(name: str, limit: int = 200) -> str:
            v = form.get(name)
            return v.strip()[:limit] if isinstance(v, str) else ""

        def day(name: str) -> date | None:
            try:
                return date.fromisoformat(text(name, 10))
            except ValueError:
                report.add("bad_date", "not a date", column=name, value=text(name, 20), expected="YYYY-MM-DD")
                return None

        fw, cls = form.get("framework"), form.get("classes")
        fw_bytes = await fw.read(MAX_FRAMEWORK_BYTES + 1) if isinstance(fw, UploadFile) else b""
        fill_by, review_by = day("fill_by"), day("review_by")
        try:
            days = int(text("publicity_days", 4) or "7")
        except ValueError:
            days = -1
        scope = text("scope", 12)
        if not fw_bytes:
            report.add("missing_framework", "no framework file", column="framework", expected="a framework YAML file")
        elif len(fw_bytes) > MAX_FRAMEWORK_BYTES:
            report.add("yaml_too_large", "the framework file is too large", column="framework", value=len(fw_bytes),
                       expected=f"at most {MAX_FRAMEWORK_BYTES:,} bytes")
        if not scope.startswith(prefix(who.user) or "-"):
            report.add("outside_province", "outside your province", column="scope", value=scope,
                       expected=f"a code under {who.user.scope_code}")
        try:
            report.raise_if_errors("cannot create the programme")
            fw_name = fw.filename if isinstance(fw, UploadFile) and fw.filename else "framework.yaml"
            classes = {}
            if isinstance(cls, UploadFile) and cls.filename:
                classes = programmes.read_classes(await cls.read(MAX_FRAMEWORK_BYTES), cls.filename)
            text_yaml = programmes.decode_upload(fw_bytes, fw_name)
            p = programmes.create(db, who.user, name=text("name"), framework_yaml=text_yaml, scope=scope,
                                  period=text("period", 16), fill_by=fill_by, review_by=review_by, publicity_days=days,
                                  classes=classes, unit_kind=text("unit_kind", 16) or "county", framework_file=fw_name,
                                  ip=client_ip(request))
        except XianpingInputError as e:
            db.rollback()
            return page(request, who, db, error=e)
        return RedirectResponse(f"/programmes?msg=已创建草稿 created draft {p.id}", status_code=303)

    @r.post("/programmes/{programme_id}/publish")
    def programmes_publish(programme_id: int, request: Request, who: Principal = Depends(PROGRAMME_ADMIN),
                           db: Session = Depends(get_db)) -> Response:
        own_programme(db, who.user, programme_id)
        try:
            out = programmes.publish(db, who.user, programme_id, ip=client_ip(request))
        except XianpingInputError as e:
            return page(request, who, db, error=e)
        msg = ("已发布，未新建任务 already open: nothing new" if out.already else
               f"已发布 published: {out.created_unit_tasks} + {out.created_department_tasks} tasks")
        return RedirectResponse(f"/programmes?msg={msg}", status_code=303)

    return r
