"""考核方案: create over real 河南 (41) counties from the divisions reference, publish into a task per county and per
department with the right indicators, idempotent and audited; located refusals that create nothing; a county's
programme over its towns; the API and the CLI. Each test runs on SQLite and PostgreSQL (platform_fixtures)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import func, select

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from platform_fixtures import client, login
from xianping.frameworks.load import builtin_path
from xianping.platform.audit.record import SYSTEM
from xianping.platform.auth import departments
from xianping.platform.db.models import AuditLog, Programme, Task, Unit
from xianping.platform.workflow import programmes, reporting
from xianping.problems import XianpingInputError

SANQILAI = builtin_path("sanqilai").read_text(encoding="utf-8")
COUNTY_KINDS = {"县", "自治县", "县级市", "旗", "自治旗", "特区", "林区"}   # 县域 (not 市辖区), written out here


def henan_county_codes() -> set[str]:
    """Expected units, counted straight from the gazetteer's records (not through children()/is_county_area)."""
    from xianping.reference.divisions.gazetteer import get_gazetteer

    g = get_gazetteer()
    return {d.code for d in g._base.divisions
            if d.code.startswith("41") and d.level == "county" and d.kind in COUNTY_KINDS and d.valid_in(2025)}


def audit_count(db, action: str | None = None) -> int:
    q = select(func.count()).select_from(AuditLog)
    return db.scalar(q.where(AuditLog.action == action) if action else q)


def make(db, **kw) -> Programme:
    args = dict(name="河南 2025 年度考核", framework_yaml=SANQILAI, scope="41", period="2025", fill_by=date(2026, 1, 31),
                review_by=date(2026, 2, 15), publicity_days=7)
    args.update(kw)
    return programmes.create(db, SYSTEM, **args)


def test_create_and_publish_over_henan(plat):
    want = henan_county_codes()
    assert {"410122", "410181", "410221"} <= want and "410105" not in want   # 中牟县, 巩义市, 杞县 in; 金水区 out
    with plat.sessions() as db:
        departments.add(db, SYSTEM, "tjj", "河南省统计局", "410000", ["gdp", "budget_revenue"])
        departments.add(db, SYSTEM, "czt", "河南省财政厅", "410000", ["not_in_framework"])
        departments.add(db, SYSTEM, "hb", "湖北省统计局", "420000", ["gdp"])
        p = make(db, classes={"410122": "重点发展", "410181": "优化开发"})
        assert p.status == "draft" and p.scope_code == "410000" and p.fill_by == date(2026, 1, 31)
        assert set(p.settings["units"]) == want
        assert db.scalar(select(func.count()).select_from(Task).where(Task.programme_id == p.id)) == 0
        assert {u for u in db.scalars(select(Unit.code).where(Unit.code.in_(want)))} == want   # units registered
        out = programmes.publish(db, SYSTEM, p.id)
        assert (out.created_unit_tasks, out.created_department_tasks, out.already) == (len(want), 1, False)
        assert p.status == "open" and p.opened_at is not None
        tasks = db.scalars(select(Task).where(Task.programme_id == p.id)).all()
        assert {t.unit_code for t in tasks if t.unit_code} == want
        dept = [t for t in tasks if t.department_id]
        assert len(dept) == 1 and dept[0].department.code == "tjj" and all(t.due_date == date(2026, 1, 31) for t in tasks)
        fw = programmes.framework_of(p)
        assert reporting.task_indicators(db, dept[0], fw) == ["gdp", "budget_revenue"]
        county = next(t for t in tasks if t.unit_code == "410122")
        unit_inds = reporting.task_indicators(db, county, fw)
        assert "gdp" not in unit_inds and "budget_revenue" not in unit_inds
        assert set(unit_inds) | {"gdp", "budget_revenue"} == set(fw.indicator_codes())
        # the department's task covers every county, the county's task only itself
        assert len(reporting.cells(db, dept[0]).cells) == 2 * len(want)
        assert {c.unit_code for c in reporting.cells(db, county).cells} == {"410122"}
        # audited: the draft, the publishing (old → new) and every task
        assert audit_count(db, "programme.create") == 1
        row = db.scalars(select(AuditLog).where(AuditLog.action == "programme.publish")).one()
        assert (row.old, row.new, row.entity_id) == ("draft", "open", str(p.id))
        assert audit_count(db, "task.create") == len(want) + 1
        # publishing again changes nothing and says so
        before = audit_count(db)
        again = programmes.publish(db, SYSTEM, p.id)
        assert again.already and (again.created_unit_tasks, again.created_department_tasks) == (0, 0)
        assert db.scalar(select(func.count()).select_from(Task).where(Task.programme_id == p.id)) == len(want) + 1
        assert audit_count(db) == before


def test_refusals_are_located_and_create_nothing(plat, tmp_path):
    with plat.sessions() as db:
        with pytest.raises(XianpingInputError) as e:
            make(db, framework_yaml="code: x\nname_zh: 坏\nroot: [\n", framework_file="考核.yaml")
        p = e.value.report.errors[0]
        assert p.file == "考核.yaml" and p.row == 4 and p.kind == "yaml_syntax"
        bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(f"{c}: &{c} [*{p_}, *{p_}, *{p_}, *{p_}, *{p_}, *{p_}, *{p_}, *{p_}]\n"
                                                             for p_, c in zip("abcdefgh", "bcdefghi"))
        with pytest.raises(XianpingInputError) as e:
            make(db, framework_yaml=bomb)
        assert e.value.report.errors   # the loader's alias limit, not a billion nodes
        with pytest.raises(XianpingInputError) as e:
            make(db, classes={"410122": "不存在的类", "999999": "重点发展"}, period="2025Q5", review_by=date(2026, 1, 1))
        kinds = {p.kind: p for p in e.value.report.errors}
        assert {"bad_period", "bad_deadline"} <= set(kinds)
        with pytest.raises(XianpingInputError) as e:
            make(db, classes={"410122": "不存在的类", "999999": "重点发展"})
        kinds = {p.kind: p for p in e.value.report.errors}
        assert kinds["unknown_class"].value == "不存在的类" and kinds["class_of_unknown_unit"].value == "999999"
        with pytest.raises(XianpingInputError):
            make(db, scope="99")
        assert db.scalar(select(func.count()).select_from(Programme)) == 0
        assert db.scalar(select(func.count()).select_from(Unit)) == 0
        assert audit_count(db) == 0
    bad = tmp_path / "classes.csv"
    bad.write_text("代码,类别\n410122,重点发展\nxx,\n", encoding="utf-8")
    with pytest.raises(XianpingInputError) as e:
        programmes.read_classes(bad.read_bytes(), "classes.csv")
    assert e.value.report.errors[0].row == 3 and e.value.report.errors[0].file == "classes.csv"


def test_a_county_programme_over_its_towns(plat):
    with plat.sessions() as db:
        departments.add(db, SYSTEM, "tjj", "河南省统计局", "410000", ["gdp"])
        for code, name in (("410122100", "城关镇"), ("410122101", "=HYPERLINK(\"http://x\",\"韩寺镇\")")):
            db.add(Unit(code=code, name=name, kind="town", county_code="410122", parent_code="410122"))
        db.add(Unit(code="410181100", name="别县的镇", kind="town", county_code="410181", parent_code="410181"))
        db.commit()
        with pytest.raises(XianpingInputError):
            make(db, scope="41", unit_kind="town")   # towns run under one county
        p = make(db, scope="410122", unit_kind="town", name="中牟县 百县千镇")
        assert p.settings["units"] == ["410122100", "410122101"]
        out = programmes.publish(db, SYSTEM, p.id)
        assert (out.created_unit_tasks, out.created_department_tasks) == (2, 0)   # the county reports it all
        # a registered name that looks like a formula stays text in the template (report.excel_safe)
        import io

        import openpyxl

        t = db.scalars(select(Task).where(Task.programme_id == p.id, Task.unit_code == "410122101")).one()
        ws = openpyxl.load_workbook(io.BytesIO(reporting.template(db, t))).worksheets[0]
        assert ws["B2"].value.startswith("=HYPERLINK") and ws["B2"].data_type == "s" and ws["B2"].quotePrefix


def test_programme_api(app, world):
    admin, other, reporter = client(app), client(app), client(app)
    h = {"X-CSRF-Token": login(admin, "admin41", world.passwords["admin41"])}
    h42 = {"X-CSRF-Token": login(other, "admin42", world.passwords["admin42"])}
    hr = {"X-CSRF-Token": login(reporter, "zhongmou", world.passwords["zhongmou"])}
    body = {"name": "焦作 2025", "framework_yaml": SANQILAI, "scope": "4108", "period": "2025", "fill_by": "2026-01-31",
            "review_by": "2026-02-15", "publicity_days": 5}
    assert reporter.post("/api/programmes", json=body, headers=hr).status_code == 403
    assert other.post("/api/programmes", json=body, headers=h42).status_code == 403   # 41's prefecture, not 42's
    assert admin.post("/api/programmes", json=body).status_code == 403                 # no CSRF token
    bad = admin.post("/api/programmes", json={**body, "framework_yaml": "code: [\n"}, headers=h)
    assert bad.status_code == 422 and bad.json()["problems"][0]["file"] == "framework.yaml"
    r = admin.post("/api/programmes", json=body, headers=h)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    assert r.json()["status"] == "draft" and r.json()["units"] == 6   # 焦作's 修武 博爱 武陟 温县 沁阳 孟州
    assert other.post(f"/api/programmes/{pid}/publish", headers=h42).status_code == 404
    r = admin.post(f"/api/programmes/{pid}/publish", headers=h)
    assert r.status_code == 200 and r.json()["created_unit_tasks"] == 6 and not r.json()["already_open"]
    r = admin.post(f"/api/programmes/{pid}/publish", headers=h)
    assert r.json()["already_open"] and r.json()["created_unit_tasks"] == 0
    listed = {p["id"]: p for p in admin.get("/api/programmes").json()["programmes"]}
    assert listed[pid]["tasks"] == 6 + 1 and listed[pid]["status"] == "open"   # + 统计局 (gdp)
    assert pid not in {p["id"] for p in other.get("/api/programmes").json()["programmes"]}
    page = admin.get("/programmes")
    assert page.status_code == 200 and "焦作 2025" in page.text
    assert reporter.get("/programmes", follow_redirects=False).status_code == 403


def test_cli_create_and_publish(db_url, tmp_path):
    folder = tmp_path / "plat"
    db = ["--db", db_url] if db_url else []

    def run(*args, ok=True):
        p = subprocess.run([sys.executable, "-m", "xianping.cli.main", "platform", *args, "--dir", str(folder), *db],
                           capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})
        assert (p.returncode == 0) == ok, p.stdout + p.stderr
        assert "Traceback" not in p.stderr
        return p

    run("init")
    fw = tmp_path / "F.yaml"
    fw.write_text(SANQILAI, encoding="utf-8")
    classes = tmp_path / "classes.csv"
    classes.write_text("代码,类别\n410122,重点发展\n", encoding="utf-8")
    out = run("programme", "create", "--framework", str(fw), "--province", "4108", "--period", "2025",
              "--fill-by", "2026-01-31", "--review-by", "2026-02-15", "--publicity-days", "7", "--classes", str(classes),
              ok=False)
    assert "410122" in out.stdout + out.stderr   # a class for a unit outside 焦作: located, nothing created
    run("programme", "create", "--framework", str(fw), "--province", "4108", "--period", "2025",
        "--fill-by", "2026-01-31", "--review-by", "2026-02-15", "--publicity-days", "7", "--change-share", "0.2")
    from xianping.platform.db.connect import open_platform

    plat = open_platform(folder, db_url)
    try:
        with plat.sessions() as s:
            p = s.get(Programme, 1)
            assert (p.status, p.settings["change_share"], p.publicity_days, p.review_by) == ("draft", 0.2, 7, date(2026, 2, 15))
    finally:
        plat.close()
    assert "6 unit tasks" in run("programme", "publish", "1").stdout.replace("\n", " ")
    assert "already open" in run("programme", "publish", "1").stdout.replace("\n", " ")
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: x\nroot: [\n", encoding="utf-8")
    p = run("programme", "create", "--framework", str(bad), "--province", "41", "--period", "2025",
            "--fill-by", "2026-01-31", "--review-by", "2026-02-15", ok=False)
    assert "bad.yaml" in p.stdout + p.stderr and "line 3" in (p.stdout + p.stderr).replace("\n", " ")
