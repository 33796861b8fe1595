"""填报 over 郑州 (4101)'s real counties: the web form (last period's value shown), plausibility warnings that block
submitting until explained (change, sums, range), the Excel template downloaded → filled with openpyxl → uploaded
through ingest's reading path, bad uploads located with nothing stored, the same upload twice changing nothing,
evidence files (type sniffed, size cap, scope), and an audit row (old → new) for every write. SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from platform_fixtures import client, login
from xianping.platform.audit.record import SYSTEM, writing
from xianping.platform.auth import departments, users
from xianping.platform.db.models import AuditLog, DataValue, EvidenceFile, Submission, Task
from xianping.platform.workflow import evidence, programmes

sys.path.insert(0, str(Path(__file__).parent.parent / "reliability"))
from hostile import entity_bomb  # noqa: E402  (the reliability corpus's workbook bomb)

FW = """code: zz
name_zh: 郑州测试考核
name_en: Zhengzhou test
root:
  code: zz
  name_zh: 综合
  name_en: Total
  children:
    - {code: z_gdp, name_zh: 地区生产总值, name_en: GDP, indicator: gdp}
    - {code: z_p, name_zh: 第一产业增加值, name_en: Primary VA, indicator: {code: va_primary, unit: 亿元, direction: positive}}
    - {code: z_s, name_zh: 第二产业增加值, name_en: Secondary VA, indicator: {code: va_secondary, unit: 亿元, direction: positive}}
    - {code: z_t, name_zh: 第三产业增加值, name_en: Tertiary VA, indicator: {code: va_tertiary, unit: 亿元, direction: positive}}
    - {code: z_rev, name_zh: 一般公共预算收入, name_en: Budget revenue, indicator: budget_revenue}
    - {code: z_ratio, name_zh: 城乡收入比, name_en: Income ratio, indicator: income_ratio}
"""
INDS = ["gdp", "va_primary", "va_secondary", "va_tertiary", "budget_revenue", "income_ratio"]
GOOD = {"gdp": 600.0, "va_primary": 60.0, "va_secondary": 240.0, "va_tertiary": 300.0, "budget_revenue": 40.0,
        "income_ratio": 1.8}
LAST = {"gdp": 580.0, "budget_revenue": 38.5}   # 2024, approved


class Setup:
    pass


def setup(plat) -> Setup:
    s = Setup()
    s.pw = {}
    with plat.sessions() as db:
        departments.add(db, SYSTEM, "czt", "河南省财政厅", "410000", ["budget_revenue"])
        old = programmes.create(db, SYSTEM, name="郑州 2024", framework_yaml=FW, scope="4101", period="2024",
                                fill_by=date(2025, 1, 31), review_by=date(2025, 2, 15), publicity_days=7)
        with writing(db, SYSTEM) as w:   # last year's approved values
            for ind, x in LAST.items():
                v = DataValue(programme_id=old.id, unit_code="410122", indicator=ind, period="2024", value=x, status="approved")
                db.add(v)
                db.flush()
                w.record("value.set", "data_value", v.id, new=x)
        p = programmes.create(db, SYSTEM, name="郑州 2025", framework_yaml=FW, scope="4101", period="2025",
                              fill_by=date(2099, 1, 31), review_by=date(2099, 2, 15), publicity_days=7)
        programmes.publish(db, SYSTEM, p.id)
        s.pid = p.id
        s.task = {t.unit_code or "dept": t.id for t in db.scalars(select(Task).where(Task.programme_id == p.id))}
        for name, role, scope, dept in (("zhongmou", "county_reporter", "410122", None),
                                        ("gongyi", "county_reporter", "410181", None),
                                        ("czt_user", "department_reporter", None, "czt"),
                                        ("rev4101", "prefecture_reviewer", "410100", None),
                                        ("viewer41", "viewer", "410000", None)):
            u, pw = users.add_one(db, SYSTEM, users.NewUser(name, name, role, scope, dept))
            s.pw[name] = pw
    return s


@pytest.fixture
def rs(plat):
    return setup(plat)


def session(app, rs, name):
    c = client(app)
    return c, {"X-CSRF-Token": login(c, name, rs.pw[name])}


def count(plat, model, *where) -> int:
    with plat.sessions() as db:
        return db.scalar(select(func.count()).select_from(model).where(*where))


def form_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def test_form_fill_warnings_and_submit(app, plat, rs):
    c, h = session(app, rs, "zhongmou")
    tid = rs.task["410122"]
    page = c.get(f"/tasks/{tid}")
    assert page.status_code == 200
    # one input per indicator the county owns (budget_revenue is 财政厅's), last period's value shown
    names = set(re.findall(r'name="v:410122:([a-z_]+)"', page.text))
    assert names == set(INDS) - {"budget_revenue"}
    row = re.search(r'<tr data-key="410122:gdp">.*?</tr>', page.text, re.S)[0]
    assert "580" in row and "亿元" in row
    token = form_token(page.text)
    values = {f"v:410122:{k}": str(x) for k, x in GOOD.items() if k != "budget_revenue"}
    # gdp 800 vs 580 last year: +37.9 % (> 30 %); the three industries (600) do not add up to 800; ratio 12 > 10
    bad = {**values, "v:410122:gdp": "800", "v:410122:income_ratio": "12"}
    r = c.post(f"/tasks/{tid}", data={**bad, "csrf_token": token, "action": "submit"}, follow_redirects=False)
    assert r.status_code == 200 and "data-problems" in r.text and r.text.count("needs_explanation") == 0   # kinds are not shown, messages are
    warned = set(re.findall(r'data-warning="([^"]+)"', r.text))
    assert warned == {"410122:gdp:change", "410122:gdp:sum", "410122:income_ratio:range"}
    assert "应为" in r.text and count(plat, Submission) == 0
    with plat.sessions() as db:   # the drafts were saved, the task not submitted
        assert db.get(Task, tid).status == "pending"
        got = {v.indicator: (v.value, v.status) for v in db.scalars(select(DataValue).where(DataValue.unit_code == "410122",
                                                                                           DataValue.period == "2025"))}
    assert got["gdp"] == (800.0, "draft") and got["income_ratio"] == (12.0, "draft")
    # two explanations of three: still refused, naming the third
    x = {"x:410122:gdp:change": "新投产项目", "x:410122:gdp:sum": "含税收调整"}
    r = c.post(f"/tasks/{tid}", data={**bad, **x, "csrf_token": token, "action": "submit"}, follow_redirects=False)
    assert r.status_code == 200 and "data-problems" in r.text and "410122:income_ratio:range" in r.text and count(plat, Submission) == 0
    x["x:410122:income_ratio:range"] = "城镇居民收入统计口径变化"
    r = c.post(f"/tasks/{tid}", data={**bad, **x, "csrf_token": token, "action": "submit"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    with plat.sessions() as db:
        t = db.get(Task, tid)
        s = db.scalars(select(Submission)).one()
        assert t.status == "submitted" and s.task_id == tid and s.file_name is None
        assert s.explanations == {k[2:]: v for k, v in x.items()}
        vals = db.scalars(select(DataValue).where(DataValue.unit_code == "410122", DataValue.period == "2025")).all()
        assert {v.status for v in vals} == {"submitted"} and {v.submission_id for v in vals} == {s.id}
        assert {v.reporter_id for v in vals} == {s.user_id}
        # every write audited, old → new: the first save of gdp (None → 800), its submission (draft → submitted)
        gdp = next(v for v in vals if v.indicator == "gdp")
        trail = db.scalars(select(AuditLog).where(AuditLog.entity == "data_value", AuditLog.entity_id == str(gdp.id))
                           .order_by(AuditLog.id)).all()
        assert [a.action for a in trail] == ["value.save", "value.submit"]
        assert trail[0].old is None and '"value": 800.0' in trail[0].new and (trail[1].old, trail[1].new) == ("draft", "submitted")
        assert trail[0].actor_name == "zhongmou"
        assert db.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "task.submit")) == 1
    # a submitted task takes no more values; another county's reporter and the reviewer cannot write to it
    assert c.put(f"/api/tasks/{tid}/values", json={"values": [{"unit_code": "410122", "indicator": "gdp", "value": 1}]},
                 headers=h).status_code == 422
    g, gh = session(app, rs, "gongyi")
    assert g.get(f"/tasks/{tid}").status_code == 404
    assert g.put(f"/api/tasks/{tid}/values", json={"values": []}, headers=gh).status_code == 404
    rv, rh = session(app, rs, "rev4101")
    assert rv.get(f"/api/tasks/{tid}/values").status_code == 200
    assert rv.put(f"/api/tasks/{tid}/values", json={"values": []}, headers=rh).status_code == 403


def test_api_values_and_located_refusals(app, plat, rs):
    c, h = session(app, rs, "zhongmou")
    tid = rs.task["410122"]
    r = c.put(f"/api/tasks/{tid}/values", headers=h, json={"values": [
        {"unit_code": "410122", "indicator": "gdp", "value": "六百"},
        {"unit_code": "410181", "indicator": "gdp", "value": 1},            # another county's cell
        {"unit_code": "410122", "indicator": "budget_revenue", "value": 1},  # 财政厅's indicator
        {"unit_code": "410122", "indicator": "va_primary", "value": -5}]})   # va_* are positive, not nonnegative: kept
    assert r.status_code == 422 and r.json()["id"] == tid
    kinds = {(p["kind"], p["column"]) for p in r.json()["problems"]}
    assert kinds == {("not_a_number", "410122:gdp"), ("not_in_task", "410181:gdp"), ("not_in_task", "410122:budget_revenue")}
    assert count(plat, DataValue, DataValue.period == "2025") == 0
    r = c.put(f"/api/tasks/{tid}/values", headers=h, json={"values": [{"unit_code": "410122", "indicator": k, "value": x}
                                                                     for k, x in GOOD.items() if k != "budget_revenue"]})
    assert r.status_code == 200 and r.json()["changed"] == 5 and r.json()["warnings"] == []
    cells = {x["indicator"]: x for x in r.json()["cells"]}
    assert cells["gdp"]["last"] == 580.0 and cells["gdp"]["value"] == 600.0
    n = count(plat, AuditLog)
    again = c.put(f"/api/tasks/{tid}/values", headers=h, json={"values": [{"unit_code": "410122", "indicator": "gdp", "value": 600}]})
    assert again.json()["changed"] == 0 and count(plat, AuditLog) == n   # nothing changed, nothing recorded
    r = c.post(f"/api/tasks/{tid}/submit", headers=h, json={})
    assert r.status_code == 200 and r.json()["status"] == "submitted"


def fill_template(data: bytes, values: dict[tuple[str, str], object]) -> tuple[bytes, list]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    for i, row in enumerate(rows[1:], start=2):
        key = (row[0], row[2])
        if key in values:
            ws.cell(row=i, column=7, value=values[key])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), rows


def test_department_template_roundtrip_and_same_upload_twice(app, plat, rs):
    c, h = session(app, rs, "czt_user")
    tid = rs.task["dept"]
    r = c.get(f"/api/tasks/{tid}/template.xlsx")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    units = ["410122", "410181", "410182", "410183", "410184", "410185"]   # 郑州's 中牟 巩义 荥阳 新密 新郑 登封
    want = {(u, "budget_revenue"): 30.0 + i for i, u in enumerate(units)}
    want[("410122", "budget_revenue")] = 39.0   # last year 38.5: within 30 %
    data, rows = fill_template(r.content, want)
    assert list(rows[0]) == ["代码", "名称", "指标代码", "指标(中文) indicator", "单位", "上期值 last period", "数值"]
    assert [(x[0], x[2]) for x in rows[1:]] == list(want)
    first = rows[1]
    assert first[1] == "中牟县" and first[3] == "一般公共预算收入" and first[4] == "亿元" and first[5] == 38.5
    r = c.post(f"/api/tasks/{tid}/upload", headers=h, files={"file": ("财政厅.xlsx", data, "application/octet-stream")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["saved"] == 6 and body["warnings"] == [] and body["submission_id"] and not body["unchanged"]
    with plat.sessions() as db:
        s = db.get(Submission, body["submission_id"])
        assert s.file_name == "财政厅.xlsx" and len(s.file_sha256) == 64
        got = {(v.unit_code, v.indicator): v.value for v in db.scalars(
            select(DataValue).where(DataValue.period == "2025", DataValue.submission_id == s.id))}
        assert got == want
        assert db.get(Task, tid).status == "submitted"
    assert (plat.folder / "uploads" / f"{s.file_sha256}.xlsx").read_bytes() == data   # kept outside the web root
    n_audit, n_sub = count(plat, AuditLog), count(plat, Submission)
    r = c.post(f"/api/tasks/{tid}/upload", headers=h, files={"file": ("财政厅.xlsx", data, "application/octet-stream")})
    assert r.status_code == 200 and r.json()["unchanged"] and r.json()["saved"] == 0
    assert "nothing changed" in r.json()["notes"][-1]
    assert count(plat, AuditLog) == n_audit and count(plat, Submission) == n_sub
    # the page's upload form says the same
    page = c.get(f"/tasks/{tid}")
    r = c.post(f"/tasks/{tid}/upload", data={"csrf_token": form_token(page.text)},
               files={"file": ("财政厅.xlsx", data, "application/octet-stream")})
    assert r.status_code == 200 and "nothing changed" in r.text and count(plat, Submission) == n_sub


def test_upload_with_warnings_waits_for_explanations(app, plat, rs):
    c, h = session(app, rs, "zhongmou")
    tid = rs.task["410122"]
    tpl = c.get(f"/api/tasks/{tid}/template.xlsx").content
    vals = {("410122", k): x for k, x in GOOD.items() if k != "budget_revenue"}
    vals[("410122", "gdp")] = 900.0   # +55 % and not the sum of the three industries
    data, _ = fill_template(tpl, vals)
    r = c.post(f"/api/tasks/{tid}/upload", headers=h, files={"file": ("zm.xlsx", data, "application/octet-stream")})
    assert r.status_code == 200 and r.json()["submission_id"] is None
    keys = {w["key"] for w in r.json()["warnings"]}
    assert keys == {"410122:gdp:change", "410122:gdp:sum"}
    assert count(plat, Submission) == 0 and count(plat, DataValue, DataValue.status == "draft") == 5
    sha = r.json()["sha256"]
    r = c.post(f"/api/tasks/{tid}/submit", headers=h, json={"explanations": {"410122:gdp:change": "新投产项目"},
                                                           "file_sha256": sha, "file_name": "zm.xlsx"})
    assert r.status_code == 422 and [p["column"] for p in r.json()["problems"]] == ["410122:gdp:sum"]
    r = c.post(f"/api/tasks/{tid}/submit", headers=h, json={"file_sha256": sha, "file_name": "zm.xlsx", "explanations": {
        "410122:gdp:change": "新投产项目", "410122:gdp:sum": "含建筑业调整"}})
    assert r.status_code == 200
    with plat.sessions() as db:
        s = db.scalars(select(Submission)).one()
        assert (s.file_name, s.file_sha256) == ("zm.xlsx", sha)


def test_bad_uploads_are_located_and_store_nothing(app, plat, rs):
    c, h = session(app, rs, "zhongmou")
    tid = rs.task["410122"]
    tpl = c.get(f"/api/tasks/{tid}/template.xlsx").content
    vals = {("410122", k): x for k, x in GOOD.items() if k != "budget_revenue"}

    def send(data, name="zm.xlsx"):
        return c.post(f"/api/tasks/{tid}/upload", headers=h, files={"file": (name, data, "application/octet-stream")})

    text_cell, _ = fill_template(tpl, {**vals, ("410122", "va_primary"): "六十"})
    r = send(text_cell)
    assert r.status_code == 422
    p = r.json()["problems"][0]
    assert p["file"] == "zm.xlsx" and p["row"] == 3 and p["column"] == "数值" and p["value"] == "六十"
    # an unknown county code (no such division)
    wb = openpyxl.load_workbook(io.BytesIO(text_cell))
    wb.worksheets[0]["A3"] = "419999"
    wb.worksheets[0]["G3"] = 60
    buf = io.BytesIO()
    wb.save(buf)
    r = send(buf.getvalue())
    assert r.status_code == 422 and any(p["row"] == 3 and p["value"] in ("419999", 419999) for p in r.json()["problems"])
    # a real county that is not this task's
    wb.worksheets[0]["A3"], wb.worksheets[0]["B3"] = "410181", "巩义市"
    buf = io.BytesIO()
    wb.save(buf)
    r = send(buf.getvalue())
    assert r.status_code == 422 and r.json()["problems"][0]["kind"] == "not_in_task"
    assert "410181" in r.json()["problems"][0]["value"]
    r = send(entity_bomb())   # an XML entity bomb inside a workbook: refused by read_table, located
    assert r.status_code == 422 and r.json()["problems"] and r.json()["problems"][0]["file"] == "zm.xlsx"
    assert send(b"MZ\x90\x00" + bytes(100), "virus.xlsx").json()["problems"][0]["kind"] == "not_xlsx"
    assert send(b"a,b\n", "x.exe").json()["problems"][0]["kind"] == "bad_file_type"
    r = send(b"PK\x03\x04" + bytes(6 * 2**20))
    assert r.status_code == 422 and r.json()["problems"][0]["kind"] == "file_too_large"
    assert count(plat, DataValue, DataValue.period == "2025") == 0 and count(plat, Submission) == 0
    assert not list((plat.folder / "uploads").glob("*.xlsx"))
    assert not [p for p in (plat.folder / "uploads" / ".incoming").iterdir()]
    assert count(plat, AuditLog, AuditLog.action.in_(["value.save", "value.submit", "submission.create"])) == 0
    # the page shows the same located problems
    page = c.get(f"/tasks/{tid}")
    r = c.post(f"/tasks/{tid}/upload", data={"csrf_token": form_token(page.text)},
               files={"file": ("zm.xlsx", text_cell, "application/octet-stream")})
    assert r.status_code == 200 and "data-problems" in r.text and "第3行" in r.text and "六十" in r.text and "Traceback" not in r.text


PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_evidence_limits_and_scope(app, plat, rs):
    c, h = session(app, rs, "zhongmou")
    tid = rs.task["410122"]
    r = c.put(f"/api/tasks/{tid}/values", headers=h, json={"values": [{"unit_code": "410122", "indicator": "gdp", "value": 600}]})
    vid = next(x["value_id"] for x in r.json()["cells"] if x["indicator"] == "gdp")

    def attach(name, data, who=(c, h)):
        return who[0].post(f"/api/values/{vid}/evidence", headers=who[1], files={"file": (name, data, "application/octet-stream")})

    r = attach("统计公报.pdf", PDF)
    assert r.status_code == 201 and r.json()["content_type"] == "application/pdf"
    eid = r.json()["id"]
    assert attach("photo.png", PNG).status_code == 201
    for name, data, kind in (("fake.pdf", PNG, "content_mismatch"), ("a.exe", b"MZ" + bytes(10), "bad_file_type"),
                             ("zip.xlsx", b"PK\x03\x04" + bytes(40), "content_mismatch"),
                             ("big.png", PNG + bytes(evidence.MAX_EVIDENCE_BYTES), "file_too_large"),
                             ("empty.pdf", b"", "empty_file")):
        r = attach(name, data)
        assert r.status_code == 422 and r.json()["problems"][0]["kind"] == kind, name
    assert count(plat, EvidenceFile) == 2
    stored = sorted(p.name for p in (plat.folder / "evidence").rglob("*") if p.is_file())
    assert len(stored) == 2 and all(re.fullmatch(r"[0-9a-f]{64}\.(pdf|png)", n) for n in stored)
    got = c.get(f"/api/evidence/{eid}")
    assert got.status_code == 200 and got.content == PDF and got.headers["content-type"] == "application/pdf"
    assert "attachment" in got.headers["content-disposition"]
    g = session(app, rs, "gongyi")
    assert g[0].get(f"/api/evidence/{eid}").status_code == 404
    assert attach("x.pdf", PDF, g).status_code == 404
    assert session(app, rs, "rev4101")[0].get(f"/api/evidence/{eid}").status_code == 200   # 郑州's reviewer reads it
    v = session(app, rs, "viewer41")
    assert v[0].get(f"/api/evidence/{eid}").status_code == 403
    with plat.sessions() as db:
        rows = db.scalars(select(AuditLog).where(AuditLog.action == "evidence.attach")).all()
        assert len(rows) == 2 and all(a.actor_name == "zhongmou" for a in rows)
