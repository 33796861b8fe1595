"""The demo's dispatch year (workflow/dispatch_demo.py) on SQLite and PostgreSQL: made-up projects labelled as such
over the demo's real counties, deterministic (the same seed gives the same figures on both databases), a year with
the cases it promises (a revised plan, missing months, a stalled project, above-plan investment, a report waiting and
one rejected in the last month, ledger items open / in progress / closed, escalations), every report and item with
its audit rows; and the interface other scripts rely on, `xianping dispatch measures --json`, over it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

from sqlalchemy import func, select

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from xianping.platform.audit.record import SYSTEM
from xianping.platform.db.dispatch_models import LedgerItem, Project, ProjectPlan, ProjectReport, ProjectReportFile
from xianping.platform.db.models import AuditLog, Unit, User
from xianping.platform.workflow import dispatch_demo
from xianping.platform.workflow.dispatch_measure import month_view

TODAY = date(2026, 12, 5)
COUNTIES = {"410821": "修武县", "410822": "博爱县", "410823": "武陟县", "410825": "温县", "410882": "沁阳市",
            "410883": "孟州市", "410122": "中牟县"}
USERS = [("henan_admin", "province_admin", "410000"), ("jiaozuo_reviewer", "prefecture_reviewer", "410800"),
         ("xiuwu", "county_reporter", "410821"), ("boai", "county_reporter", "410822"),
         ("wuzhi", "county_reporter", "410823"), ("wenxian", "county_reporter", "410825"),
         ("zhongmou", "county_reporter", "410122")]


def demo_dispatch(plat):
    """The demo's units and users as workflow/demo.py makes them (the names the dispatch part looks up), then it."""
    from xianping.platform.auth import users

    with plat.sessions() as db:
        for code, name in COUNTIES.items():
            db.add(Unit(code=code, name=name, kind="county", county_code=code))
        db.commit()
        made = {u: users.add_one(db, SYSTEM, users.NewUser(u, u, role, scope, None))[0] for u, role, scope in USERS}
        return dispatch_demo.build(db, plat.folder, made, TODAY)


def test_demo_dispatch_year(plat):
    out = demo_dispatch(plat)
    assert out.year == 2026 and out.months[0] == "2026-01" and out.months[-1] == "2026-11"
    assert "虚构" in out.notice.read_text(encoding="utf-8") and "MADE UP" in out.notice.read_text(encoding="utf-8")
    with plat.sessions() as db:
        projects = db.scalars(select(Project)).all()
        assert len(projects) == 42 and {p.unit_code for p in projects} == set(COUNTIES)
        assert all(p.name.startswith("【示例·虚构】") and "示例" in p.responsible_unit for p in projects)
        # 孟州市 revised three plans from July: a second plan row each, lower than the first
        revised = db.execute(select(Project.code, ProjectPlan.annual_plan).join(Project)
                             .where(ProjectPlan.effective_month == "2026-07").order_by(Project.code)).all()
        assert len(revised) == 3 and all(code.startswith("SL-2026-410883-") for code, _ in revised)
        # the last month as a reviewer finds it: 中牟县 waiting, one of 博爱县's sent back with its reason
        last = dict(db.execute(select(ProjectReport.status, func.count()).where(ProjectReport.month == "2026-11")
                               .group_by(ProjectReport.status)).all())
        assert last["submitted"] == 6 and last["rejected"] == 1
        rejected = db.scalars(select(ProjectReport).where(ProjectReport.status == "rejected")).one()
        assert rejected.project.unit_code == "410822" and rejected.review_reason
        # 温县 skips months: fewer than 11 reports a project; 博爱县's stalled project stops after August
        per = dict(db.execute(select(Project.code, func.count(ProjectReport.id)).join(ProjectReport)
                              .group_by(Project.code)).all())
        assert all(per[p.code] < 11 for p in projects if p.unit_code == "410825")
        assert per["SL-2026-410822-03"] == 8
        assert db.scalar(select(func.count()).select_from(ProjectReportFile)) == 6   # a photo per county (not 中牟县)
        # every report has its audit rows; the ledger's items too
        n_reports = db.scalar(select(func.count()).select_from(ProjectReport))
        submitted = db.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "report.submit"))
        assert submitted == n_reports == out.reports
        status = dict(db.execute(select(LedgerItem.status, func.count()).group_by(LedgerItem.status)).all())
        assert status.get("closed") == 1 and status.get("in_progress") == 1 and status["open"] >= 5
        opened = db.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "ledger.open"))
        assert opened == db.scalar(select(func.count()).select_from(LedgerItem)) == out.ledger_items
        assert out.escalated >= 1

        # the year has every colour a county meets, and investment above plan (沁阳市 over 100 % by November)
        view = month_view(db, SYSTEM, "2026-11")
        colours = {c["unit_code"]: c["colour"] for c in view.county_rows()}
        assert {"green", "red"} <= set(colours.values())
        assert view.counties.set_index("unit_code").loc["410882", "completion"] > 100
        assert {c["colour"] for c in month_view(db, SYSTEM, "2026-06").county_rows()} >= {"green", "red"}
        # the reviewer of 焦作 reaches its six counties, not 中牟县
        rev = db.scalars(select(User).where(User.username == "jiaozuo_reviewer")).one()
        assert {c["unit_code"] for c in month_view(db, rev, "2026-11").county_rows()} == set(COUNTIES) - {"410122"}
        # ranked by completion, as the notices rank: 沁阳市 (above its plan) first
        assert view.county_rows()[0]["unit_code"] == "410882"
        # 中牟县's November reports wait for review: none of its 5 projects due (one finished earlier) is in → 0/5,
        # no completion (its finished project's final figure alone is not shown as if it had reported), 无报告;
        # projects that finished earlier and still report are not counted among the due ones (修武县 5/5 of 6)
        zm = {c["unit_code"]: c for c in view.county_rows()}
        assert (zm["410122"]["report_state"], zm["410122"]["n_due_report"], zm["410122"]["n_reported"]) == \
            ("none_received", 5, 0)
        assert zm["410122"]["completion"] is None and zm["410122"]["colour"] == "no_report"
        assert (zm["410821"]["n_projects"], zm["410821"]["n_due_report"], zm["410821"]["n_reported"]) == (6, 5, 5)

        # 监测: made-up monthly indicator values and targets (labelled 示例; the notice says so), imported through the
        # import, judged against the targets and the province's growth; 武陟县 (set 20 % behind its target's pace
        # and 2.5 points below the province's growth) is red in November, and indicator items are in the ledger
        from xianping.platform.db.dispatch_models import IndicatorValue
        from xianping.platform.workflow.dispatch_monitor import indicator_view

        assert out.indicators.is_file() and out.indicator_values == 7 * 2 * 11 + 2 * 11
        assert all("示例" in i for i in db.scalars(select(IndicatorValue.indicator).distinct()))
        nov = {(r["unit_code"], r["indicator"][:4]): r for r in indicator_view(db, SYSTEM, "2026-11").rows}
        assert nov[("410823", "固定资产")]["colour"] == "red" and nov[("410823", "固定资产")]["pace"] < -10
        assert nov[("410882", "固定资产")]["colour"] == "green"
        assert db.scalar(select(func.count()).select_from(LedgerItem).where(LedgerItem.source_kind == "indicator")) > 0


def test_demo_dispatch_is_deterministic_and_the_cli_reads_it(plat, db_url, tmp_path):
    """Built twice (here and in a second platform), the month's figures are identical; on SQLite the real command
    prints them as JSON — the interface the monthly brief and other scripts rely on."""
    from xianping.platform.db.connect import open_platform

    demo_dispatch(plat)
    with plat.sessions() as db:
        first = month_view(db, SYSTEM, "2026-09").as_dict(projects=True)
    if db_url is not None:
        return   # the comparison of two builds and the CLI run once, on SQLite
    other = open_platform(tmp_path / "other", create=True)
    try:
        demo_dispatch(other)
        with other.sessions() as db:
            assert month_view(db, SYSTEM, "2026-09").as_dict(projects=True) == first
    finally:
        other.close()
    r = subprocess.run([sys.executable, "-m", "xianping.cli.main", "dispatch", "measures", "--platform",
                        str(plat.folder), "--month", "2026-09", "--json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got["month"] == "2026-09" and got["counties"] == first["counties"]
    assert set(got["counties"][0]) >= {"unit_code", "name", "completion", "pace", "start_rate", "colour"}
