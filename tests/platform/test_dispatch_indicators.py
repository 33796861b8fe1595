"""监测预警 on the platform (issue 16 item 4), SQLite and PostgreSQL: monitored indicator values imported from a sheet
(all rows or none, located errors, audited, scoped), judged against the year's targets and the provincial growth by
xianping.dispatch.monitoring + the builtin rules, and opening ledger items like project warnings.

Figures by hand (builtin rules, indicators: pace yellow > 5 behind, red > 10; growth_vs_province yellow > 0, red > 3,
red also when yellow two periods running; growth_vs_target yellow > 1, red > 3):
  地区生产总值, 2025-Q2 (elapsed 2 quarters = 6/12 = 50 %), 河南省 (410000) growth 7.5:
    中牟县 50 of 100 → share 50 %, pace 50 − 50 = 0.00 (exactly on pace: 时间过半、任务过半); growth 8.0 − target 8.0 = 0;
           8.0 − 7.5 = +0.5                                                                       → 绿 green
    巩义市 44.99 of 100 → pace −5.01 (just over the yellow threshold 5); 8.0 − 8.0 = 0; +0.5         → 黄 yellow
    杞县   60 of 100 → pace +10; 6.0 − 6.0 = 0; 6.0 − 7.5 = −1.5 (growing slower than the province) → 黄 yellow
  规上工业增加值 (growth only, no target), 河南省 7.0 in May and June:
    巩义市 May 5.0 → −2.0 yellow; June 4.0 → −3.0 (not more than 3: yellow alone) but yellow two months running → 红 red
    中牟县 June 7.0 → 0.0 green; May has no row while June is reported → 无报告 no report
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from xianping.platform.audit.record import Actor
from xianping.platform.db.dispatch_models import IndicatorTarget, IndicatorValue, LedgerItem
from xianping.platform.db.models import AuditLog, User
from xianping.platform.workflow import dispatch_warn
from xianping.platform.workflow.dispatch_import_indicators import import_indicators_file, period_text
from xianping.platform.workflow.dispatch_monitor import indicator_view
from xianping.problems import XianpingInputError

OFFICE = Actor(None, "test:office")
HEADER = "区划代码,地区,指标,期别,本期累计值(亿元),累计增速(%),年度目标值(亿元),目标增速(%)\n"
ROWS = """410000,河南省,地区生产总值,2025年二季度,,7.5,,
410122,中牟县,地区生产总值,2025-Q2,50,8.0,100,8.0
410181,巩义市,地区生产总值,2025Q2,44.99,8.0,100,8.0
410221,杞县,地区生产总值,2025-Q2,60,6.0,100,6.0
410000,河南省,规上工业增加值,2025年5月,,7.0,,
410000,河南省,规上工业增加值,2025-06,,7.0,,
410181,巩义市,规上工业增加值,2025年5月,,5.0,,
410181,巩义市,规上工业增加值,2025-06,,4.0,,
410122,中牟县,规上工业增加值,2025-06,,7.0,,
"""
GDP, IND = "地区生产总值", "规上工业增加值"


def _sheet(tmp_path, body: str, name: str = "2025年上半年主要指标.csv"):
    p = tmp_path / name
    p.write_text("2025年上半年县域主要指标监测表（示例·虚构）\n" + HEADER + body, encoding="utf-8")
    return p


def _by(view):
    return {(r["unit_code"], r["indicator"]): r for r in view.rows}


def test_import_judge_warn_and_audit(plat, world, tmp_path):
    with plat.sessions() as db:
        res = import_indicators_file(db, OFFICE, _sheet(tmp_path, ROWS))
        assert (res.rows, res.written, res.unchanged, res.targets_written) == (9, 9, 0, 3)
        q2 = _by(indicator_view(db, OFFICE, "2025-Q2"))
        assert indicator_view(db, OFFICE, "2025-Q2").province == "410000"
        zm, gy, qx = q2[("410122", GDP)], q2[("410181", GDP)], q2[("410221", GDP)]
        assert zm["elapsed"] == pytest.approx(50.0) and zm["share"] == pytest.approx(50.0)
        assert zm["pace"] == pytest.approx(0.0, abs=1e-9) and zm["growth_vs_province"] == pytest.approx(0.5)
        assert zm["colour"] == "green"
        assert gy["pace"] == pytest.approx(-5.01) and gy["colour"] == "yellow"
        assert qx["pace"] == pytest.approx(10.0) and qx["growth_vs_province"] == pytest.approx(-1.5)
        assert qx["growth_vs_target"] == pytest.approx(0.0) and qx["colour"] == "yellow"
        assert ("410000", GDP) not in q2          # the province is the comparison, not a row
        june = _by(indicator_view(db, OFFICE, "2025-06"))
        assert june[("410181", IND)]["growth_vs_province"] == pytest.approx(-3.0)
        assert june[("410181", IND)]["colour"] == "red"       # yellow May and June: two running
        assert june[("410122", IND)]["colour"] == "green"
        may = _by(indicator_view(db, OFFICE, "2025-05"))
        assert may[("410122", IND)]["colour"] == "no_report" and may[("410122", IND)]["growth"] is None

        # the month's warnings open ledger items: June's indicator and, June closing Q2, the quarter's
        opened = dispatch_warn.open_items(db, OFFICE, "2025-06")
        items = {(i.source_key, i.colour) for i in db.scalars(select(LedgerItem)).all()}
        assert items == {(f"410181:{IND}", "red"), (f"410181:{GDP}:Q2", "yellow"), (f"410221:{GDP}:Q2", "yellow")}
        assert len(opened.opened) == 3 and all(i.source_kind == "indicator" for i in db.scalars(select(LedgerItem)))
        assert dispatch_warn.open_items(db, OFFICE, "2025-06").opened == []    # once
        actions = dict(db.execute(select(AuditLog.action, func.count()).group_by(AuditLog.action)).all())
        assert actions["indicator.value"] == 9 and actions["indicator.target"] == 3 and actions["ledger.open"] == 3

        # the same sheet again changes nothing; a corrected figure is an audited change (old → new)
        again = import_indicators_file(db, OFFICE, _sheet(tmp_path, ROWS))
        assert (again.written, again.unchanged, again.targets_written) == (0, 9, 0)
        fixed = import_indicators_file(db, OFFICE, _sheet(tmp_path, "410181,巩义市,地区生产总值,2025-Q2,50,8.0,100,8.0\n"))
        assert fixed.written == 1
        row = db.scalars(select(AuditLog).where(AuditLog.action == "indicator.value")
                         .order_by(AuditLog.id.desc())).first()
        assert json.loads(row.old)["value"] == 44.99 and json.loads(row.new)["value"] == 50.0

        # a prefecture reviewer (郑州 4101) sees its counties only, still compared with the province
        rev = db.scalars(select(User).where(User.username == "rev4101")).one()
        mine = _by(indicator_view(db, rev, "2025-Q2"))
        assert set(u for u, _ in mine) == {"410122", "410181"}
        assert mine[("410181", GDP)]["growth_vs_province"] == pytest.approx(0.5)


def test_bad_rows_are_located_and_nothing_is_stored(plat, world, tmp_path):
    bad = ROWS.replace("410181,巩义市,地区生产总值,2025Q2,44.99,8.0", "410181,巩义市,地区生产总值,2025-13,44.99,8.0") \
              .replace("410181,巩义市,规上工业增加值,2025-06,,4.0", "410181,巩义市,规上工业增加值,2025-06,,四") \
        + "410221,杞县,地区生产总值,2025-06,30,6.0,120,6.0\n" + "999999,无此县,地区生产总值,2025-Q2,1,1,,\n"
    with plat.sessions() as db:
        with pytest.raises(XianpingInputError) as err:
            import_indicators_file(db, OFFICE, _sheet(tmp_path, bad))
        got = {(p.row, p.column, p.kind) for p in err.value.report.errors}
        # spreadsheet rows: title 1, header 2, data from 3
        assert (5, "期别", "bad_period") in got
        assert (10, "累计增速(%)", "wrong_type") in got
        assert (12, "指标", "duplicate_target") in got      # 杞县 2025: a second, different target
        assert (13, "区划代码", "unknown_unit") in got
        assert all(str(p.file).endswith("2025年上半年主要指标.csv") for p in err.value.report.errors)
        assert db.scalar(select(func.count()).select_from(IndicatorValue)) == 0
        assert db.scalar(select(func.count()).select_from(IndicatorTarget)) == 0
        # scope: a county reporter imports nothing; a prefecture reviewer not the province's row nor another prefecture
        rev = db.scalars(select(User).where(User.username == "rev4101")).one()
        with pytest.raises(XianpingInputError) as err:
            import_indicators_file(db, rev, _sheet(tmp_path, ROWS))
        outside = {p.row for p in err.value.report.errors if p.kind == "outside_scope"}
        assert outside == {3, 6, 7, 8}    # 410000 ×3 rows and 杞县 (开封)
        assert db.scalar(select(func.count()).select_from(IndicatorValue)) == 0


def test_period_spellings():
    assert period_text("2025年二季度") == "2025-Q2" and period_text("2025Q4") == "2025-Q4"
    assert period_text("2025年1-6月") == "2025-06" and period_text("2025年6月") == "2025-06"
    assert period_text("2025-13") == "2025-13"    # left for the contract to name


def test_api_and_cli(app, world, plat, tmp_path):
    from typer.testing import CliRunner

    from xianping.cli.main import app as cli

    c = client(app)
    login(c, "qixian", world.passwords["qixian"])
    csrf = c.cookies.get("xp_csrf") or ""
    body = (HEADER + ROWS).encode("utf-8")
    r = c.post("/api/dispatch/indicators/import", files={"file": ("指标.csv", body, "text/csv")},
               headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403     # a county reporter does not import the statistics office's figures
    c2 = client(app)
    tok = login(c2, "admin41", world.passwords["admin41"])
    r = c2.post("/api/dispatch/indicators/import", files={"file": ("指标.csv", body, "text/csv")},
                headers={"X-CSRF-Token": tok})
    assert r.status_code == 200, r.text
    assert r.json()["written"] == 9
    r = c2.get("/api/dispatch/indicators", params={"period": "2025-Q2"})
    assert {x["unit_code"]: x["colour"] for x in r.json()["indicators"]} == {"410122": "green", "410181": "yellow",
                                                                            "410221": "yellow"}
    qx = c.get("/api/dispatch/indicators", params={"period": "2025-Q2"}).json()["indicators"]
    assert [x["unit_code"] for x in qx] == ["410221"]
    out = CliRunner().invoke(cli, ["dispatch", "measures", "--platform", str(plat.folder), *(
        ["--db", plat.url] if plat.url and plat.url.startswith("postgresql") else []), "--month", "2025-06", "--json"])
    assert out.exit_code == 0, out.output
    got = {(x["unit_code"], x["indicator"], x["period"]): x["colour"] for x in json.loads(out.output)["indicators"]}
    assert got[("410181", IND, "2025-06")] == "red" and got[("410181", GDP, "2025-Q2")] == "yellow"
    # the month page's table and the brief's section over the same rows (June closes Q2: both periods)
    page = c2.get("/dispatch", params={"month": "2025-06"})
    assert page.status_code == 200, page.text[:500]
    assert f'data-indicator="410181:{IND}:2025-06" data-colour="red"' in page.text
    assert f'data-indicator="410221:{GDP}:2025-Q2" data-colour="yellow"' in page.text
    from xianping.report.dispatch_brief import platform_inputs

    with plat.sessions() as db:
        rows = platform_inputs(db, OFFICE, "2025-06")["indicators"]
    assert {(r["unit_code"], r["period"], r["colour"]) for r in rows if r["colour"] in ("red", "yellow")} == {
        ("410181", "2025-06", "red"), ("410181", "2025-Q2", "yellow"), ("410221", "2025-Q2", "yellow")}


def test_values_from_a_quarterly_programme(plat, world, tmp_path):
    """A quarterly programme's approved values are monitored too (its indicator code, no growth), against a target
    imported by a target-only row (期别 = the year). By hand: 巩义市 gdp_q 2025Q2 = 30 of 100 → 30 %, Q2 elapsed 50 %
    → pace −20 (more than 10 behind) → 红 red; 中牟县's value is still draft: not monitored; an imported figure for
    the same unit, indicator and period wins over the programme's."""
    from xianping.platform.audit.record import writing
    from xianping.platform.db.models import DataValue, Programme

    with plat.sessions() as db:
        with writing(db, OFFICE) as w:
            p = Programme(name="2025年二季度监测（示例）", framework_yaml="code: q", framework_sha256="0" * 64, classes={},
                          period_kind="quarter", period="2025Q2", scope_code="410000", fill_days=10, review_days=5,
                          publicity_days=0, status="open")
            db.add(p)
            db.flush()
            for unit, status, value in (("410181", "approved", 30.0), ("410122", "draft", 80.0)):
                v = DataValue(programme_id=p.id, unit_code=unit, indicator="gdp_q", period="2025Q2", value=value,
                              status=status)
                db.add(v)
                db.flush()
                w.record("value.save", "data_value", v.id, field="value", new=value)
        res = import_indicators_file(db, OFFICE, _sheet(tmp_path, "410181,巩义市,gdp_q,2025,,,100,\n"))
        assert (res.rows, res.written, res.targets_written) == (0, 0, 1)
        q2 = _by(indicator_view(db, OFFICE, "2025-Q2"))
        assert set(q2) == {("410181", "gdp_q")}
        gy = q2[("410181", "gdp_q")]
        assert (gy["value"], gy["share"], gy["pace"], gy["growth"], gy["colour"]) == (30.0, 30.0, -20.0, None, "red")
        import_indicators_file(db, OFFICE, _sheet(tmp_path, "410181,巩义市,gdp_q,2025-Q2,52,,,\n"))
        assert _by(indicator_view(db, OFFICE, "2025-Q2"))[("410181", "gdp_q")]["pace"] == pytest.approx(2.0)
