"""Audit views (issue 14, build 6) on SQLite and PostgreSQL: the export of the audit log (CSV and XLSX, filtered by
date and unit, the province admin's province only, no formula cells) holds every change of a reviewed task; the
log cannot be edited through the application: no route writes it, and the ORM and raw SQL are refused on rows the
review wrote (the base cases are in test_platform_audit.py).
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from platform_fixtures import client
from test_review import logged_in, submitted_task
from xianping.platform.db.models import AuditLog, AuditLogIsAppendOnly
from xianping.platform.web.routes import rule_table

FORMULA = "=HYPERLINK(\"http://evil.example\",\"x\")"


def reviewed(app, plat, world):
    """410122 submitted, rejected with a reason that is a formula, and 410221's task submitted (another prefecture)."""
    ids = submitted_task(plat, world)
    other = submitted_task(plat, world, unit="410221", reporter="qixian", values={"gdp": 7.0})
    rev = logged_in(app, world, "rev4101")
    tid = world.tasks["410122"]
    r = rev.post(f"/api/tasks/{tid}/reject", json={"values": [{"id": ids["gdp"], "reason": FORMULA}],
                                                   "new_deadline": (date.today() + timedelta(days=4)).isoformat()})
    assert r.status_code == 200, r.text
    return ids, other


def _csv(r) -> list[dict]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv") and r.content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))


def test_export_holds_every_change_without_formula_cells(app, plat, world):
    ids, other = reviewed(app, plat, world)
    admin = logged_in(app, world, "admin41")
    rows = _csv(admin.get("/api/audit.csv"))
    with plat.sessions() as db:
        about_gdp = db.scalars(select(AuditLog.id).where(AuditLog.entity == "data_value",
                                                         AuditLog.entity_id == str(ids["gdp"]))).all()
        province42 = db.scalars(select(AuditLog.id).where(AuditLog.actor_name == "admin42")).all()
    got = {int(r["序号 id"]) for r in rows}
    assert set(about_gdp) <= got and len(about_gdp) == 3            # saved, submitted, rejected
    assert not set(province42) & got
    rejected = [r for r in rows if r["操作 action"] == "value.reject"]
    assert [r["原因 reason"] for r in rejected] == ["'" + FORMULA]   # excel_safe: text, not a formula
    assert rejected[0]["操作人 actor"] == "rev4101" and rejected[0]["原值 old"] == "submitted"

    # the unit filter: 410221's rows only; a date filter past today: nothing but the header
    only = _csv(admin.get("/api/audit.csv", params={"unit": "410221"}))
    assert {r["对象编号 entity_id"] for r in only if r["对象 entity"] == "data_value"} == {str(other["gdp"])}
    assert {r["对象编号 entity_id"] for r in only if r["对象 entity"] == "task"} == {str(world.tasks["410221"])}
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert _csv(admin.get("/api/audit.csv", params={"since": tomorrow})) == []
    assert len(_csv(admin.get("/api/audit.csv", params={"until": date.today().isoformat(), "unit": "4101"}))) >= 3

    r = admin.get("/api/audit.xlsx", params={"unit": "4101"})
    assert r.status_code == 200 and r.content[:2] == b"PK"
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "formula cells in the audit export"
    texts = [c.value for c in cells]
    assert FORMULA in texts and "value.reject" in texts
    assert ws.max_row - 1 == len(_csv(admin.get("/api/audit.csv", params={"unit": "4101"})))


@pytest.mark.parametrize("params, status", [({"unit": "420102"}, 404), ({"unit": "41;drop"}, 422),
                                            ({"since": "2026-02-01", "until": "2026-01-01"}, 422),
                                            ({"since": "yesterday"}, 422)])
def test_export_refuses_bad_filters(app, world, params, status):
    admin = logged_in(app, world, "admin41")
    for ext in ("csv", "xlsx"):
        r = admin.get(f"/api/audit.{ext}", params=params)
        assert r.status_code == status, (ext, params, r.text)


def test_export_is_the_province_admins(app, world):
    for name in ("rev4101", "zhongmou", "tjj_user", "viewer41"):
        c = logged_in(app, world, name)
        assert c.get("/api/audit.csv").status_code == 403 and c.get("/api/audit.xlsx").status_code == 403
    assert client(app).get("/api/audit.csv").status_code == 401


def test_the_log_cannot_be_edited_through_the_application(app, plat, world):
    ids, _ = reviewed(app, plat, world)
    admin = logged_in(app, world, "admin41")   # (a login is audited: logged in before the snapshot)
    with plat.engine.connect() as c:
        before = c.execute(sa.text("SELECT * FROM audit_log ORDER BY id")).all()
    # no route of the app writes the audit log: none names it with an unsafe method, and unsafe requests to the
    # audit routes are refused
    unsafe = [(p, m) for (p, m) in rule_table(app) if m in ("POST", "PUT", "PATCH", "DELETE") and "audit" in p]
    assert unsafe == []
    for url in ("/api/audit.csv", "/api/audit.xlsx", f"/api/values/{ids['gdp']}/history"):
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            assert admin.request(method, url).status_code == 405, (method, url)
    # the review's own rows: the ORM refuses a change or a deletion, the database refuses raw SQL
    with plat.sessions() as db:
        row = db.scalars(select(AuditLog).where(AuditLog.action == "value.reject")).one()
        row.reason = "nothing to see"
        with pytest.raises(AuditLogIsAppendOnly):
            db.commit()
        db.rollback()
        db.delete(db.get(AuditLog, row.id))
        with pytest.raises(AuditLogIsAppendOnly):
            db.commit()
        db.rollback()
        rid = row.id
    for sql in (f"UPDATE audit_log SET reason = 'x' WHERE id = {rid}", f"DELETE FROM audit_log WHERE id = {rid}"):
        with plat.engine.connect() as c:
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                c.execute(sa.text(sql))
    with plat.engine.connect() as c:
        assert c.execute(sa.text("SELECT * FROM audit_log ORDER BY id")).all() == before
    with plat.sessions() as db:
        assert db.scalar(select(func.count()).select_from(AuditLog)) == len(before)
