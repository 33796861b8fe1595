"""The dispatch JSON API on SQLite and PostgreSQL, as a county, its prefecture's reviewer and the province admin use
it: the bank imported, a month reported on the form, reviewed, and the month's measures changing with the
approval — checked against figures computed by hand here — and every refusal the access rules promise.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from platform_fixtures import client, login
from xianping.platform.db.models import AuditLog

HEADER = ["项目编号", "项目名称", "区划代码", "所属行业", "建设性质", "总投资（万元）", "年度计划投资（万元）", "计划开工时间",
          "计划竣工时间", "是否入统", "责任单位", "责任人"]
ROWS = [["T-001", "测试项目一", "410122", "先进制造业", "新建", 12000, 6000, "2025-01-15", "2026-12-31", "是", "中牟县发改委", "甲"],
        ["T-002", "测试项目二", "410181", "基础设施", "续建", 5000, 2400, "2024-03-01", "2026-12-31", "否", "巩义市交通局", "乙"]]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)


def sheet(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def session(app, world, username):
    c = client(app)
    csrf = login(c, username, world.passwords[username])
    c.headers["X-CSRF-Token"] = csrf
    return c


def county(measures: dict, code: str) -> dict:
    return next(c for c in measures["counties"] if c["unit_code"] == code)


def test_report_review_and_measures_through_the_api(app, world):
    admin, rev, zhongmou = (session(app, world, u) for u in ("admin41", "rev4101", "zhongmou"))
    r = admin.post("/api/dispatch/projects/import", files={"file": ("项目库.xlsx", sheet([HEADER, *ROWS]))},
                   data={"year": "2025"})
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["plans_added"]) == (2, 2)

    march = {"investment_month": 1800, "investment_ytd": 1800, "investment_cumulative": 1800, "funds_in_place": 2000,
             "started": True, "progress": "主体施工"}
    r = zhongmou.put("/api/dispatch/projects/T-001/reports/2025-03", json=march)
    assert r.status_code == 200, r.text
    report_id = r.json()["id"]
    assert r.json()["status"] == "submitted"

    # before review the month is not a fact yet: 中牟县 has no report in the measures (missing, never 0)
    m = admin.get("/api/dispatch/measures", params={"month": "2025-03"}).json()
    c = county(m, "410122")
    assert (c["n_reported"], c["completion"], c["colour"]) == (0, None, "no_report")

    # 巩义市 has no county login: the province office enters its sheet (all rows checked, submitted for review)
    r = admin.post("/api/dispatch/reports/import", data={"month": "2025-03"},
                   files={"file": ("巩义3月.xlsx", sheet([["项目编号", "本月完成投资", "本年累计完成投资", "自开工累计完成投资",
                                                          "到位资金"], ["T-002", 100, 300, 2600, 300]]))})
    assert r.status_code == 200, r.text
    gongyi_id = r.json()["report_ids"][0]

    # the queue: 郑州's reviewer sees both, 开封's none; 开封's reviewer cannot approve them (as if absent)
    queue = rev.get("/api/dispatch/reports", params={"status": "submitted"}).json()["reports"]
    assert {x["project_code"] for x in queue} == {"T-001", "T-002"}
    other = session(app, world, "rev4102")
    assert other.get("/api/dispatch/reports", params={"status": "submitted"}).json()["reports"] == []
    assert other.post("/api/dispatch/reports/approve", json={"ids": [report_id]}).status_code == 404
    r = rev.post("/api/dispatch/reports/approve", json={"ids": [report_id, gongyi_id]})
    assert r.status_code == 200, r.text
    assert rev.post("/api/dispatch/reports/approve", json={"ids": [report_id]}).status_code == 409   # already approved

    m = admin.get("/api/dispatch/measures", params={"month": "2025-03"}).json()
    assert m["elapsed"] == pytest.approx(25.0)                  # March: 3/12 of the year
    c = county(m, "410122")
    # by hand: 1,800 ÷ 6,000 = 30 %; pace 30 − 25 = +5 points; the one new project due (planned Jan) started: 100 %
    assert c["completion"] == pytest.approx(30.0)
    assert c["pace"] == pytest.approx(5.0)
    assert c["start_rate"] == pytest.approx(100.0)
    assert c["colour"] == "green"
    g = county(m, "410181")
    # 300 ÷ 2,400 = 12.5 %; 12.5 − 25 = −12.5: more than the county rule's 10 points behind → red (builtin rules)
    assert (g["completion"], g["pace"], g["colour"]) == (pytest.approx(12.5), pytest.approx(-12.5), "red")
    assert [x["unit_code"] for x in m["counties"]] == ["410122", "410181"]   # ranked by completion
    # the month defaults to the latest with an approved report
    assert admin.get("/api/dispatch/measures").json()["month"] == "2025-03"
    # the county sees its own county only
    assert [x["unit_code"] for x in zhongmou.get("/api/dispatch/measures").json()["counties"]] == ["410122"]

    with app.state.platform.sessions() as db:
        actions = db.scalars(select(AuditLog.action).where(AuditLog.entity == "project_report",
                                                           AuditLog.entity_id == str(report_id))
                             .order_by(AuditLog.id)).all()
        assert actions == ["report.submit", "report.approve"]


def test_reject_fix_resubmit_photo_and_scope(app, world):
    admin, rev, zhongmou = (session(app, world, u) for u in ("admin41", "rev4101", "zhongmou"))
    assert admin.post("/api/dispatch/projects/import", files={"file": ("b.xlsx", sheet([HEADER, *ROWS]))},
                      data={"year": "2025"}).status_code == 200
    april = {"investment_month": 500, "investment_ytd": 500, "investment_cumulative": 500, "funds_in_place": 500}
    rid = zhongmou.put("/api/dispatch/projects/T-001/reports/2025-04", json=april).json()["id"]
    assert rev.post("/api/dispatch/reports/reject", json={"ids": [rid]}).status_code == 422   # a reason is needed
    r = rev.post("/api/dispatch/reports/reject", json={"ids": [rid], "reason": "累计数与台账不符"})
    assert r.status_code == 200 and r.json()["reports"][0]["status"] == "rejected"
    seen = zhongmou.get("/api/dispatch/projects/T-001").json()["reports"][0]
    assert (seen["status"], seen["review_reason"]) == ("rejected", "累计数与台账不符")
    r = zhongmou.put("/api/dispatch/projects/T-001/reports/2025-04", json=april | {"investment_month": 600,
                                                                                  "investment_ytd": 600,
                                                                                  "investment_cumulative": 600})
    assert r.json()["status"] == "submitted"

    # a photo with the report, read back by the reviewer; 杞县 does not reach it
    r = zhongmou.post(f"/api/dispatch/reports/{rid}/photos", files={"file": ("现场.png", PNG, "image/png")})
    assert r.status_code == 201, r.text
    url = r.json()["url"]
    assert rev.get(url).content == PNG
    qixian = session(app, world, "qixian")
    assert qixian.get(url).status_code == 404
    bad = zhongmou.post(f"/api/dispatch/reports/{rid}/photos", files={"file": ("x.png", b"not a png", "image/png")})
    assert bad.status_code == 422 and bad.json()["problems"][0]["kind"] == "content_mismatch"

    assert rev.post("/api/dispatch/reports/approve", json={"ids": [rid]}).status_code == 200
    r = zhongmou.put("/api/dispatch/projects/T-001/reports/2025-04", json=april)
    assert r.status_code == 422 and r.json()["problems"][0]["kind"] == "not_editable"   # approved is final

    # a bad form value: 422 naming the field, nothing stored
    r = zhongmou.put("/api/dispatch/projects/T-001/reports/2025-05", json=april | {"funds_in_place": "很多"})
    assert r.status_code == 422
    errors = [(p["kind"], p["column"], p["row"]) for p in r.json()["problems"] if p["severity"] == "error"]
    assert errors == [("wrong_type", "funds_in_place", None)]
    assert [x["month"] for x in zhongmou.get("/api/dispatch/projects/T-001").json()["reports"]] == ["2025-04"]

    # scope: another county's project is as absent; a county cannot review; viewers and departments are refused
    assert qixian.get("/api/dispatch/projects/T-001").status_code == 404
    assert qixian.get("/api/dispatch/projects").json()["projects"] == []
    assert qixian.put("/api/dispatch/projects/T-001/reports/2025-05", json=april).status_code == 404
    assert zhongmou.post("/api/dispatch/reports/approve", json={"ids": [rid]}).status_code == 403
    assert {p["code"] for p in zhongmou.get("/api/dispatch/projects").json()["projects"]} == {"T-001"}
    assert {p["code"] for p in rev.get("/api/dispatch/projects").json()["projects"]} == {"T-001", "T-002"}
    for username in ("viewer41", "tjj_user"):
        c = session(app, world, username)
        assert c.get("/api/dispatch/measures").status_code == 403
        assert c.get("/api/dispatch/projects").status_code == 403
    assert client(app).get("/api/dispatch/ledger").status_code == 401


def test_edit_a_project_and_revise_its_plan(app, world):
    admin, zhongmou, qixian = (session(app, world, u) for u in ("admin41", "zhongmou", "qixian"))
    assert admin.post("/api/dispatch/projects/import", files={"file": ("b.xlsx", sheet([HEADER, *ROWS]))},
                      data={"year": "2025"}).status_code == 200
    v = zhongmou.get("/api/dispatch/projects/T-001").json()["version"]
    r = zhongmou.put("/api/dispatch/projects/T-001", json={"fields": {"responsible_person": "王五"}, "version": v})
    assert r.status_code == 200 and r.json()["responsible_person"] == "王五"
    assert zhongmou.put("/api/dispatch/projects/T-001", json={"fields": {"name": "x"}, "version": v}).status_code == 409
    r = zhongmou.put("/api/dispatch/projects/T-001", json={"fields": {"plan_finish": "2024-01-01"}})
    assert r.status_code == 422 and [(p["kind"], p["column"]) for p in r.json()["problems"]] == [("date_order", "plan_finish")]
    assert zhongmou.put("/api/dispatch/projects/T-001", json={"fields": {"unit_code": "410221"}}).status_code == 422
    assert qixian.put("/api/dispatch/projects/T-001", json={"fields": {"name": "x"}}).status_code == 404

    # the plan revised from July: June keeps 6,000, July reads 4,500 (by hand: 2,700 ÷ 4,500 = 60 %, 58.33 % elapsed)
    r = admin.put("/api/dispatch/projects/T-001", json={"annual_plan": 4500, "effective_month": "2025-07"})
    assert [(p["effective_month"], p["annual_plan"]) for p in r.json()["plans"]] == [("2025-01", 6000), ("2025-07", 4500)]
    rev = session(app, world, "rev4101")
    for month, ytd in (("2025-06", 2500), ("2025-07", 2700)):
        rid = zhongmou.put(f"/api/dispatch/projects/T-001/reports/{month}",
                           json={"investment_month": 200 if month == "2025-07" else 2500, "investment_ytd": ytd,
                                 "investment_cumulative": ytd, "funds_in_place": ytd, "started": month == "2025-06"}
                           ).json()["id"]
        assert rev.post("/api/dispatch/reports/approve", json={"ids": [rid]}).status_code == 200
    june = county(admin.get("/api/dispatch/measures", params={"month": "2025-06"}).json(), "410122")
    july = county(admin.get("/api/dispatch/measures", params={"month": "2025-07"}).json(), "410122")
    assert june["completion"] == pytest.approx(2500 / 6000 * 100)     # 41.67 %
    assert july["completion"] == pytest.approx(60.0)
    assert july["pace"] == pytest.approx(60.0 - 7 / 12 * 100)         # +1.67 points


def test_photo_on_the_county_page(app, world):
    """形象进度照片 through the county page's form (multipart, CSRF): stored by evidence.store_file (sniffed), audited,
    shown on the county page to the reporter and its reviewer, refused for another county's reporter (404), for bytes
    that are not what the name says (422) and once the report is approved (409)."""
    admin, rev, zhongmou = (session(app, world, u) for u in ("admin41", "rev4101", "zhongmou"))
    assert admin.post("/api/dispatch/projects/import", files={"file": ("b.xlsx", sheet([HEADER, *ROWS]))},
                      data={"year": "2025"}).status_code == 200
    june = {"investment_month": 500, "investment_ytd": 3000, "investment_cumulative": 3000, "funds_in_place": 500,
            "started": True}
    rid = zhongmou.put("/api/dispatch/projects/T-001/reports/2025-06", json=june).json()["id"]
    form = {"csrf_token": zhongmou.headers["X-CSRF-Token"], "report_id": str(rid)}
    page = zhongmou.get("/dispatch/county/410122", params={"month": "2025-06"}).text
    assert 'action="/dispatch/county/410122/photo"' in page and "data-photos" not in page
    r = zhongmou.post("/dispatch/county/410122/photo", data=form, files={"file": ("6月现场.png", PNG, "image/png")},
                      follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    with app.state.platform.sessions() as db:
        from xianping.platform.db.dispatch_models import ProjectReportFile

        f = db.scalars(select(ProjectReportFile).where(ProjectReportFile.report_id == rid)).one()
        assert (f.name, f.content_type, f.size) == ("6月现场.png", "image/png", len(PNG))
        audit = db.scalars(select(AuditLog).where(AuditLog.action == "report.photo")).one()
        assert audit.entity_id == str(f.id) and audit.actor_name.lower() == "zhongmou"
    url = f"/api/dispatch/photos/{f.id}"
    for c in (zhongmou, rev):   # the reporter and its reviewer see it on the page, and the bytes behind it
        page = c.get("/dispatch/county/410122", params={"month": "2025-06"}).text
        assert f'<img src="{url}"' in page
        assert c.get(url).content == PNG
    qixian = session(app, world, "qixian")
    r = qixian.post("/dispatch/county/410122/photo", data=form | {"csrf_token": qixian.headers["X-CSRF-Token"]},
                    files={"file": ("x.png", PNG, "image/png")}, follow_redirects=False)
    assert r.status_code == 404 and qixian.get(url).status_code == 404
    r = zhongmou.post("/dispatch/county/410122/photo", data=form, files={"file": ("x.png", b"GIF89a", "image/png")},
                      follow_redirects=False)
    assert r.status_code == 422
    assert rev.post("/api/dispatch/reports/approve", json={"ids": [rid]}).status_code == 200
    r = zhongmou.post("/dispatch/county/410122/photo", data=form, files={"file": ("y.png", PNG, "image/png")},
                      follow_redirects=False)
    assert r.status_code == 409
    with app.state.platform.sessions() as db:
        assert len(db.scalars(select(ProjectReportFile).where(ProjectReportFile.report_id == rid)).all()) == 1
