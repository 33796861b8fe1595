"""A task's own workbook is read back whatever the vintage of its units' codes (SQLite and PostgreSQL): a 2020
programme over 洛阳 holds 孟津县 410322 and 偃师市 410381 (districts since 2021), a town programme holds the towns
registered under a county (410122100). The reading path once checked every code against the 2024 divisions and
refused both; a code outside the task is still refused, located."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)
from xianping.problems import XianpingInputError


def filled(template: bytes, change: dict[str, str] | None = None) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    code_col, ind_col, value_col = header.index("代码"), header.index("指标代码"), header.index("数值")
    for row in ws.iter_rows(min_row=2):
        row[value_col].value = 9.0 if row[ind_col].value == "edu_years" else 50.0
        if change and row[code_col].value in change:
            row[code_col].value = change[row[code_col].value]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_old_vintage_and_town_codes_read_back(plat):
    from xianping.platform.audit.record import SYSTEM
    from xianping.platform.auth import users
    from xianping.platform.db.models import Task, Unit
    from xianping.platform.workflow import programmes, reporting
    from xianping.platform.workflow.demo import FRAMEWORK

    with plat.sessions() as db:
        db.add(Unit(code="410122100", name="城关镇", kind="town", county_code="410122", parent_code="410122"))
        db.commit()
        for scope, kind, period in [("410122", "town", "2024"), ("410300", "county", "2020")]:
            p = programmes.create(db, SYSTEM, name=f"t{scope}", framework_yaml=FRAMEWORK, scope=scope, period=period,
                                  unit_kind=kind, fill_by=date(2027, 1, 1), review_by=date(2027, 2, 1), publicity_days=7)
            programmes.publish(db, SYSTEM, p.id)
        admin, _ = users.add_one(db, SYSTEM, users.NewUser("admin41", "admin41", "province_admin", "410000", None))
        tasks = {t.unit_code: t for t in db.query(Task).filter(Task.unit_code.in_(["410122100", "410322", "410381"]))}
        assert set(tasks) == {"410122100", "410322", "410381"}
        for code, t in tasks.items():
            up = reporting.upload(db, admin, plat.folder, t, "t.xlsx", filled(reporting.template(db, t)))
            assert up.saved > 0 and up.submission is not None, code
        # a 2024 code in a 2020 programme's workbook is not the task's unit: refused, located, nothing stored
        t = db.query(Task).filter(Task.unit_code == "410323").one()
        with pytest.raises(XianpingInputError) as e:
            reporting.upload(db, admin, plat.folder, t, "t.xlsx", filled(reporting.template(db, t), {"410323": "410308"}))
        assert any(q.value is not None and "410308" in str(q.value) for q in e.value.report)
        assert db.get(Task, t.id).status == "pending"
