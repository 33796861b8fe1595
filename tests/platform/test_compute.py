"""Compute: a real programme over 焦作市's 10 county-level units (names from the divisions reference) and four
library indicators, its approved values built through the ORM with their audit rows. The platform's result must be
the one `evaluate --data` gives on the same values written as a CSV (scores and ranks identical); the data version
is stable, and changes when one value changes.
"""

from __future__ import annotations

import hashlib
import textwrap
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pytest

from platform_fixtures import *  # noqa: F401,F403 (its fixtures)

FW = textwrap.dedent("""\
    code: jiaozuo_test
    name_zh: 焦作县域考核
    name_en: Jiaozuo county test
    root:
      code: idx
      name_zh: 综合指数
      children:
        - code: econ
          name_zh: 经济
          children:
            - {code: e1, name_zh: 人均GDP, indicator: {code: gdp_per_capita}}
            - {code: e2, name_zh: 一般公共预算收入, indicator: {code: budget_revenue}}
        - code: soc
          name_zh: 社会
          children:
            - {code: s1, name_zh: 城镇化率, indicator: {code: urbanisation_rate}}
            - {code: s2, name_zh: 农村居民收入, indicator: {code: income_rural}}
    """)
INDICATORS = ["gdp_per_capita", "budget_revenue", "urbanisation_rate", "income_rural"]
PERIOD = "2025"


def jiaozuo():
    from xianping.reference.divisions import get_gazetteer

    return [(d.code, d.name) for d in get_gazetteer().children("410800", 2024)]


def values_of(units) -> dict[tuple[str, str], float]:
    """Plausible, distinct numbers for each unit × indicator (fixed, so the test is repeatable)."""
    rng = np.random.default_rng(14)
    base = {"gdp_per_capita": 60000, "budget_revenue": 150000, "urbanisation_rate": 55, "income_rural": 20000}
    return {(u, c): round(float(base[c] * rng.uniform(0.6, 1.4)), 2) for u, _ in units for c in INDICATORS}


USERS = [  # username, role, scope
    ("jz_admin", "province_admin", "410000"), ("hb_admin", "province_admin", "420000"),
    ("jz_rev", "prefecture_reviewer", "410800"), ("boai", "county_reporter", "410822"),
    ("wenxian", "county_reporter", "410825"), ("jz_viewer", "viewer", "410000"), ("hb_viewer", "viewer", "420000"),
]


@dataclass
class Jz:
    programme_id: int
    units: list
    values: dict                       # (unit, indicator) → the approved number
    passwords: dict = field(default_factory=dict)
    value_ids: dict = field(default_factory=dict)   # (unit, indicator) → DataValue id


def build_programme(plat, status: str = "open", classes: dict | None = None) -> Jz:
    """The programme, its users, one approved task per unit and every value approved by the prefecture reviewer —
    written as the reporting and review steps write them (value, then status, each with its audit row)."""
    from xianping.platform.audit.record import SYSTEM, writing
    from xianping.platform.auth import users
    from xianping.platform.db.models import DataValue, Programme, Submission, Task, Unit, utcnow

    units = jiaozuo()
    vals = values_of(units)
    jz = Jz(0, units, vals)
    with plat.sessions() as db:
        ids = {}
        for username, role, scope in USERS:
            u, pw = users.add_one(db, SYSTEM, users.NewUser(username, username, role, scope, None))
            jz.passwords[username], ids[username] = pw, u.id
        with writing(db, SYSTEM) as w:
            for code, name in units:
                db.add(Unit(code=code, name=name, kind="county", county_code=code))
            p = Programme(name="焦作市 2025 年度县域考核", framework_yaml=FW,
                          framework_sha256=hashlib.sha256(FW.encode()).hexdigest(), classes=classes or {},
                          period_kind="year", period=PERIOD, scope_code="410000", fill_days=20, review_days=10,
                          publicity_days=7, status=status)
            db.add(p)
            db.flush()
            w.record("programme.add", "programme", p.id, new={"name": p.name, "status": status})
        jz.programme_id = p.id
        reviewer = ids["jz_rev"]
        for code, _ in units:
            with writing(db, SYSTEM) as w:
                t = Task(programme_id=p.id, unit_code=code, due_date=date(2026, 1, 31), status="approved")
                db.add(t)
                db.flush()
                s = Submission(task_id=t.id, user_id=reviewer, explanations={})
                db.add(s)
                db.flush()
                for c in INDICATORS:
                    v = DataValue(programme_id=p.id, unit_code=code, indicator=c, period=PERIOD, value=vals[(code, c)],
                                  status="approved", submission_id=s.id, reviewer_id=reviewer, reviewed_at=utcnow())
                    db.add(v)
                    db.flush()
                    jz.value_ids[(code, c)] = v.id
                    w.record("value.set", "data_value", v.id, field="value", new=vals[(code, c)], reason="fixture: reported")
                    w.record("value.approve", "data_value", v.id, field="status", old="submitted", new="approved")
                w.record("task.approve", "task", t.id, field="status", old="submitted", new="approved")
    return jz


def admin_of(plat, username="jz_admin"):
    from sqlalchemy import select

    from xianping.platform.db.models import User

    with plat.sessions() as db:
        u = db.scalars(select(User).where(User.username == username)).one()
        db.expunge(u)
        return u


def write_csv(path, units, vals) -> None:
    rows = [{"unit_code": u, "year": PERIOD, **{c: vals[(u, c)] for c in INDICATORS}} for u, _ in units]
    pd.DataFrame(rows).to_csv(path, index=False)


# ---------------------------------------------------------------------------------------------------------- tests

def test_compute_equals_evaluate_on_the_same_values_as_a_csv(plat, tmp_path):
    from xianping.evaluation.run import evaluate
    from xianping.platform.db.models import AuditLog, Programme, Result
    from xianping.platform.workflow import compute

    jz = build_programme(plat)
    admin = admin_of(plat)
    with plat.sessions() as db:
        res = compute.compute(db, admin, jz.programme_id, plat.folder)
        assert res.status == "draft" and len(res.data_version) == 64
        assert db.get(Programme, jz.programme_id).status == "computed"   # open with every task approved: closed too
        manifest = res.manifest
        version = res.data_version
        actions = [a.action for a in db.query(AuditLog).order_by(AuditLog.id)]
        assert actions[-3:] == ["programme.close", "result.compute", "programme.compute"]
    assert manifest["platform"] == {"programme_id": jz.programme_id, "programme": "焦作市 2025 年度县域考核",
                                    "period": PERIOD, "data_version": version, "approved_values": 40,
                                    "framework_sha256": hashlib.sha256(FW.encode()).hexdigest()}
    assert manifest["data"]["data_version"] == version and manifest["data"]["approved_values"] == 40
    assert manifest["framework"]["hash"] and manifest["steps"]   # what it was scored with, every method choice

    # the reference: the same values as a CSV through evaluate --data
    f = tmp_path / "same.csv"
    write_csv(f, jz.units, jz.values)
    (tmp_path / "fw.yaml").write_text(FW, encoding="utf-8")
    ref = evaluate(str(tmp_path / "fw.yaml"), data=str(f))
    out = compute.results_dir(plat.folder, jz.programme_id, version)
    got = pd.read_csv(out / "results.csv", dtype={"unit_code": str, "year": str})
    want = ref.long_table()
    want = want.assign(unit_code=want["unit_code"].astype(str), year=want["year"].astype(str))
    key = ["unit_code", "year", "node"]
    m = got.merge(want.astype({"node": str}), on=key, suffixes=("", "_ref"))
    assert len(m) == len(got) == len(want) == 10 * 7   # 10 units × 7 nodes
    assert np.array_equal(m["score"].to_numpy(float), m["score_ref"].to_numpy(float), equal_nan=True)
    assert (m["rank"].astype("Int64") == m["rank_ref"].astype("Int64")).all()
    names = dict(jz.units)
    assert set(got["unit_name"]) == set(names.values())   # names from the divisions reference

    # the ranking the API serves: the root node, best first
    with plat.sessions() as db:
        rows = compute.ranking(plat.folder, db.get(Result, compute.current_result(db, jz.programme_id).id))
    idx = want[want["node"] == "idx"].sort_values("rank")
    assert [r["unit_code"] for r in rows] == idx["unit_code"].tolist()
    assert [r["rank"] for r in rows] == list(range(1, 11))


def test_data_version_is_stable_and_changes_with_one_value(plat):
    from sqlalchemy import func, select

    from xianping.platform.audit.record import writing
    from xianping.platform.db.models import DataValue, Programme, Result
    from xianping.platform.workflow import compute
    from xianping.platform.workflow.approved_panel import read_approved

    jz = build_programme(plat)
    admin = admin_of(plat)
    with plat.sessions() as db:
        compute.close(db, admin, jz.programme_id)
        first = compute.compute(db, admin, jz.programme_id, plat.folder)
        v1 = first.data_version
        again = compute.compute(db, admin, jz.programme_id, plat.folder)   # idempotent: the same result, nothing new
        assert again.id == first.id
        assert db.scalar(select(func.count()).select_from(Result)) == 1
        # the version is the documented canonical hash, recomputed here from the fixture's numbers
        lines = sorted(f"{u}\t{c}\t{PERIOD}\t{v!r}" for (u, c), v in jz.values.items())
        assert v1 == hashlib.sha256("\n".join(lines).encode()).hexdigest()
        assert read_approved(db, db.get(Programme, jz.programme_id)).data_version == v1
        # one value changes → another version, and a second result beside the first
        dv = db.get(DataValue, jz.value_ids[("410822", "income_rural")])
        with writing(db, admin) as w:
            w.record("value.set", "data_value", dv.id, field="value", old=dv.value, new=dv.value + 1, reason="test")
            dv.value = dv.value + 1
        second = compute.compute(db, admin, jz.programme_id, plat.folder)
        assert second.data_version != v1 and second.id != first.id
        assert compute.current_result(db, jz.programme_id).id == second.id
        assert (compute.results_dir(plat.folder, jz.programme_id, v1) / "results.csv").exists()
        assert (compute.results_dir(plat.folder, jz.programme_id, second.data_version) / "results.csv").exists()


def test_close_with_missing_tasks_needs_a_reason_and_names_them(plat):
    from xianping.platform.audit.record import writing
    from xianping.platform.db.models import AuditLog, Programme, Task
    from xianping.platform.workflow import compute

    jz = build_programme(plat)
    admin = admin_of(plat)
    with plat.sessions() as db:
        t = db.query(Task).filter_by(programme_id=jz.programme_id, unit_code="410825").one()
        with writing(db, admin) as w:
            t.status = "submitted"
            w.record("task.reopen", "task", t.id, field="status", old="approved", new="submitted")
        with pytest.raises(compute.WorkflowRefused) as e:
            compute.compute(db, admin, jz.programme_id, plat.folder)
        assert e.value.status == 409 and "410825 温县 (submitted)" in str(e.value)
        with pytest.raises(compute.WorkflowRefused) as e:
            compute.close(db, admin, jz.programme_id)
        assert e.value.status == 409 and "give a reason" in str(e.value)
        assert db.get(Programme, jz.programme_id).status == "open"
        compute.close(db, admin, jz.programme_id, reason="温县 late; 考核办 decision 12")
        row = db.query(AuditLog).filter_by(action="programme.close").one()
        assert "温县 late" in row.reason and "unit 410825 温县 (submitted)" in row.reason
        res = compute.compute(db, admin, jz.programme_id, plat.folder)
        # 温县's values are still approved (its task was reopened after approval): the count says what was read
        assert res.manifest["platform"]["approved_values"] == 40
        with pytest.raises(compute.WorkflowRefused) as e:
            compute.close(db, admin, jz.programme_id)
        assert e.value.status == 409


def test_other_province_admin_cannot_touch_the_programme(plat):
    from xianping.platform.workflow import compute

    jz = build_programme(plat)
    other = admin_of(plat, "hb_admin")
    with plat.sessions() as db:
        for verb in (lambda: compute.close(db, other, jz.programme_id, reason="x"),
                     lambda: compute.compute(db, other, jz.programme_id, plat.folder),
                     lambda: compute.start_publicity(db, other, jz.programme_id)):
            with pytest.raises(compute.WorkflowRefused) as e:
                verb()
            assert e.value.status == 404


def test_classes_score_by_type(plat, tmp_path):
    from xianping.evaluation.run import evaluate
    from xianping.platform.workflow import compute

    classes = {c: ("城区" if c[4] in "01" else "县") for c, _ in jiaozuo()}
    jz = build_programme(plat, classes=classes)
    admin = admin_of(plat)
    with plat.sessions() as db:
        res = compute.compute(db, admin, jz.programme_id, plat.folder)
        assert res.manifest["by_type"] is True
    got = pd.read_csv(compute.results_dir(plat.folder, jz.programme_id, res.data_version) / "results.csv",
                      dtype={"unit_code": str, "year": str})
    f = tmp_path / "same.csv"
    write_csv(f, jz.units, jz.values)
    (tmp_path / "fw.yaml").write_text(FW, encoding="utf-8")
    ref = evaluate(str(tmp_path / "fw.yaml"), data=str(f), by_type=True, types=classes).long_table()
    root = got[got["node"] == "idx"].set_index("unit_code")
    rroot = ref[ref["node"].astype(str) == "idx"].assign(unit_code=lambda d: d["unit_code"].astype(str)).set_index("unit_code")
    assert dict(root["type"]) == classes
    assert (root["type_rank"].astype("Int64") == rroot.loc[root.index, "type_rank"].astype("Int64")).all()
