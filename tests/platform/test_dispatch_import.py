"""重点项目月调度 imports on SQLite and PostgreSQL: the project bank from a province-style sheet (title rows, headers
spelled as offices spell them, totals in 亿元, the county by name) and monthly report sheets — every problem located
(file, row, column as the sheet heads it, value), nothing stored while one is an error, the same sheet twice
changing nothing, a revised plan added as a new row effective its month, every write in the audit log.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from xianping.platform.audit.record import Actor
from xianping.platform.db.dispatch_models import Project, ProjectPlan, ProjectReport
from xianping.platform.db.models import AuditLog, User
from xianping.platform.workflow import dispatch_import_projects as imp
from xianping.platform.workflow import dispatch_import_reports as rep
from xianping.problems import XianpingInputError

CLI = Actor(None, "test:dispatch")
BANK_HEADER = ["序号", "项目编号", "项目名称", "所在县", "所属行业", "建设性质", "总投资（亿元）", "年度计划投资（万元）",
               "计划开工时间", "计划竣工时间", "是否入统", "责任单位", "责任人"]


def xlsx(path: Path, rows: list[list]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    return path


def bank(path: Path, *rows: list) -> Path:
    # a title row and a blank row above the header, as bank sheets have
    return xlsx(path, [["2025年省重点项目库（测试）"], [], BANK_HEADER, *rows])


GOOD = [
    [1, "T-001", "测试项目一", "中牟县", "先进制造业", "新建", 1.2, 6000, "2025-01-15", "2026-12-31", "是", "中牟县发改委", "甲"],
    [2, "T-002", "测试项目二", "巩义市", "基础设施", "续建", 0.5, 2400, "2024年3月", "2025-12-31", "否", "巩义市交通局", "乙"],
    [3, "T-003", "测试项目三", "杞县", "社会民生", "新建", 0.3, 1000, "2025.4.1", "2026.6.30", "是", "杞县卫健委", "丙"],
]


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_project_bank_import_converts_and_is_idempotent(plat, world, tmp_path):
    path = bank(tmp_path / "项目库.xlsx", *GOOD)
    with plat.sessions() as db:
        res = imp.import_projects_file(db, CLI, path, year=2025)
        assert (res.created, res.updated, res.plans_added) == (3, 0, 3)
        p1 = db.scalars(select(Project).where(Project.code == "T-001")).one()
        # 1.2 亿元 = 1.2 × 10⁴ 万元 (万 = 10⁴, 亿 = 10⁸): 12,000 万元
        assert p1.total_investment == pytest.approx(12000.0)
        assert (p1.unit_code, p1.kind, p1.in_statistics) == ("410122", "new", True)
        p2 = db.scalars(select(Project).where(Project.code == "T-002")).one()
        assert (p2.unit_code, p2.kind, p2.plan_start.isoformat()) == ("410181", "continuing", "2024-03-01")   # 2024年3月
        assert db.scalars(select(Project.plan_start).where(Project.code == "T-003")).one().isoformat() == "2025-04-01"
        plans = {(pl.project_id, pl.effective_month): pl.annual_plan for pl in db.scalars(select(ProjectPlan))}
        assert plans[(p1.id, "2025-01")] == 6000
        audit = db.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "project.create"))
        assert audit == 3

        again = imp.import_projects_file(db, CLI, path, year=2025)
        assert (again.created, again.updated, again.unchanged, again.plans_added) == (0, 0, 3, 0)
        assert _count(db, ProjectPlan) == 3

        # July: the plan of T-001 revised to 4,500 — a second row effective 2025-07, the January row kept
        revised = bank(tmp_path / "调整.xlsx", [1, *GOOD[0][1:7], 4500, *GOOD[0][8:]])
        rv = imp.import_projects_file(db, CLI, revised, year=2025, effective_month="2025-07")
        assert (rv.created, rv.updated, rv.plans_added) == (0, 0, 1)
        rows = db.execute(select(ProjectPlan.effective_month, ProjectPlan.annual_plan)
                          .where(ProjectPlan.project_id == p1.id).order_by(ProjectPlan.effective_month)).all()
        assert [tuple(r) for r in rows] == [("2025-01", 6000.0), ("2025-07", 4500.0)]
        row = db.scalars(select(AuditLog).where(AuditLog.action == "plan.add").order_by(AuditLog.id.desc())).first()
        assert (row.old, row.new, row.field) == ("6000.0", "4500.0", "T-001:2025-07")

        # an updated field: old → new in the log
        changed = bank(tmp_path / "改.xlsx", [1, *GOOD[0][1:11], "中牟县工信局", "甲"])
        assert imp.import_projects_file(db, CLI, changed, year=2025).updated == 1
        row = db.scalars(select(AuditLog).where(AuditLog.action == "project.update")).one()
        assert "中牟县发改委" in row.old and "中牟县工信局" in row.new


def test_project_bank_errors_are_located_and_nothing_is_stored(plat, world, tmp_path):
    path = bank(tmp_path / "坏.xlsx",
                GOOD[0],
                [2, "T-002", "测试项目二", "不存在县", "基础设施", "续建", 0.5, 2400, "2024-03-01", "2025-12-31", "否", "交通局", "乙"],
                [3, "T-003", "测试项目三", "杞县", "社会民生", "改建", 0.3, 1000, "2025-04-01", "2026-06-30", "是", "卫健委", "丙"],
                [4, "T-004", "测试项目四", "杞县", "社会民生", "新建", -1, 1000, "2025-04-01", "2025-01-01", "是", "卫健委", "丁"],
                [5, "T-001", "重复编号", "中牟县", "社会民生", "新建", 0.2, 100, "2025-04-01", "2026-01-01", "是", "卫健委", "戊"])
    with plat.sessions() as db, pytest.raises(XianpingInputError) as e:
        imp.import_projects_file(db, CLI, path, year=2025)
    got = {(p.kind, p.row, p.column) for p in e.value.report.errors}
    # rows as the spreadsheet numbers them: title 1, blank 2, header 3, data from 4
    assert ("unknown_county", 5, "所在县") in got
    assert not any(p.column == "unit_code" for p in e.value.report)   # said once, under the sheet's own column
    assert ("invalid_choice", 6, "建设性质") in got
    assert ("out_of_range", 7, "总投资（亿元）") in got            # negative, under the sheet's own header
    assert ("date_order", 7, "计划竣工时间") in got                 # finish before start
    assert ("duplicate_id", 8, "项目编号") in got
    assert all(p.file == str(path) for p in e.value.report.errors)
    with plat.sessions() as db:
        assert _count(db, Project) == 0 and _count(db, ProjectPlan) == 0
        assert db.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "project")) == 0


def test_header_problems_and_scope(plat, world, tmp_path):
    header = [h.replace("亿元", "美元") for h in BANK_HEADER]
    path = xlsx(tmp_path / "unit.xlsx", [header, GOOD[0]])
    with plat.sessions() as db, pytest.raises(XianpingInputError) as e:
        imp.import_projects_file(db, CLI, path, year=2025)
    kinds = {(p.kind, p.row, p.column) for p in e.value.report.errors}
    assert ("wrong_measure_unit", 1, "总投资（美元）") in kinds      # money, but not in 元: not converted by guess
    assert ("missing_column", 1, None) in kinds                    # so 总投资 itself is missing

    # 中牟县's reporter imports a sheet holding a 杞县 project: refused at that row, nothing stored
    path = bank(tmp_path / "scope.xlsx", GOOD[0], GOOD[2])
    with plat.sessions() as db:
        zhongmou = db.scalars(select(User).where(User.username == "zhongmou")).one()
        with pytest.raises(XianpingInputError) as e:
            imp.import_projects_file(db, zhongmou, path, year=2025)
        assert [(p.kind, p.row) for p in e.value.report.errors] == [("outside_scope", 5)]
        assert _count(db, Project) == 0
        res = imp.import_projects_file(db, zhongmou, bank(tmp_path / "own.xlsx", GOOD[0]), year=2025)
        assert res.created == 1


REPORT_HEADER = ["项目编号", "项目名称", "本月完成投资（万元）", "本年累计完成投资（万元）", "自开工累计完成投资（亿元）",
                 "到位资金（万元）", "是否开工", "是否竣工", "形象进度", "存在问题"]


def test_report_sheet_errors_located_and_all_or_nothing(plat, world, tmp_path):
    with plat.sessions() as db:
        imp.import_projects_file(db, CLI, bank(tmp_path / "b.xlsx", *GOOD), year=2025)
        ok = xlsx(tmp_path / "2025-02.xlsx", [REPORT_HEADER,
                                              ["T-001", "一", 800, 1500, 0.15, 1600, "是", "", "基础施工", ""],
                                              ["T-002", "二", 100, 300, 0.31, 200, "", "", "路基", "资金缺口"]])
        res = rep.import_reports_file(db, CLI, ok, month="2025-02")
        assert len(res.written) == 2 and res.warnings == []
        r1 = db.scalars(select(ProjectReport).join(Project).where(Project.code == "T-001")).one()
        # 0.15 亿元 → 1,500 万元; submitted for review, not yet approved
        assert (r1.investment_cumulative, r1.status, r1.started) == (pytest.approx(1500.0), "submitted", True)

        bad = xlsx(tmp_path / "2025-03.xlsx", [REPORT_HEADER,
                                               ["T-001", "一", 700, 2300, 0.23, "很多", "是", "", "", ""],
                                               ["T-999", "?", 1, 1, 0.0001, 1, "", "", "", ""],
                                               ["T-002", "二", 500, 400, 0.35, 300, "", "", "", ""]])
        with pytest.raises(XianpingInputError) as e:
            rep.import_reports_file(db, CLI, bad, month="2025-03")
        got = {(p.kind, p.row, p.column) for p in e.value.report.errors}
        assert got == {("wrong_type", 2, "到位资金（万元）"), ("unknown_project", 3, "项目编号"),
                       ("inconsistent_amounts", 4, "本月完成投资（万元）")}   # 500 this month > 400 year to date
        # T-001: 1,500 (Feb, stored) + 700 = 2,200 ≠ 2,300, T-002: 300 + 500 = 800 ≠ 400 — located warnings, checked
        # against the stored February reports though the sheet holds March only
        warn = [p for p in e.value.report if p.severity == "warning"]
        assert [(p.kind, p.row, p.column) for p in warn] == [("ytd_not_cumulative", 2, "本年累计完成投资（万元）"),
                                                              ("ytd_not_cumulative", 4, "本年累计完成投资（万元）")]
        assert db.scalar(select(func.count()).select_from(ProjectReport).where(ProjectReport.month == "2025-03")) == 0

        # a 月份 column naming another month than the one given
        other = xlsx(tmp_path / "m.xlsx", [["项目编号", "月份", "本月完成投资", "本年累计完成投资", "自开工累计完成投资", "到位资金"],
                                           ["T-001", "2025年4月", 1, 1, 1, 1]])
        with pytest.raises(XianpingInputError) as e:
            rep.import_reports_file(db, CLI, other, month="2025-03")
        assert [(p.kind, p.row, p.column, p.value) for p in e.value.report.errors] == \
            [("other_month", 2, "月份", "2025年4月")]

        # a submitted month is not changed by its reporter (its reviewer may send it back); the same values are fine
        changed = xlsx(tmp_path / "2025-02b.xlsx", [REPORT_HEADER, ["T-001", "一", 900, 1600, 0.16, 1600, "是", "", "", ""]])
        with pytest.raises(XianpingInputError) as e:
            rep.import_reports_file(db, CLI, changed, month="2025-02")
        assert [p.kind for p in e.value.report.errors] == ["not_editable"]
        assert rep.import_reports_file(db, CLI, ok, month="2025-02").written == []


def test_cli_import_error_is_located_without_traceback(tmp_path):
    """The real command: a located problem on stderr, exit 2, no traceback; a good sheet then imports."""
    from xianping.platform.db.connect import open_platform
    from xianping.platform.db.models import Unit

    plat = open_platform(tmp_path / "p", create=True)
    with plat.sessions() as db:
        db.add(Unit(code="410122", name="中牟县", kind="county", county_code="410122"))
        db.commit()
    plat.close()
    bad = bank(tmp_path / "bad.xlsx", [1, "T-1", "项目", "中牟县", "制造业", "新建", "一亿", 100, "2025-01-01",
                                       "2026-01-01", "是", "发改委", "甲"])
    run = [sys.executable, "-m", "xianping.cli.main", "dispatch", "import-projects", "--platform", str(tmp_path / "p")]
    r = subprocess.run([*run, str(bad), "--year", "2025"], capture_output=True, text=True, env=_env())
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert "总投资（亿元）" in r.stderr and "'一亿'" in r.stderr and "wrong_type" in r.stderr and "1 problem(s)" in r.stderr
    good = bank(tmp_path / "good.xlsx", GOOD[0])
    r = subprocess.run([*run, str(good), "--year", "2025", "--json"], capture_output=True, text=True, env=_env())
    assert r.returncode == 0, r.stderr
    import json

    assert json.loads(r.stdout)["created"] == 1


def _env():
    import os

    return {**os.environ, "COLUMNS": "200"}
