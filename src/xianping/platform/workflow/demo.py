"""`xianping platform demo`: a platform a newcomer can log into as each role and see the whole cycle.

One real province's county-level units (河南 41, 县域 units of the divisions reference as in force in 2020), a framework
of library indicators the bundled panel holds, the 2020 census values of that panel (Dong, Du & Liu 2022) reported,
reviewed and approved through the real services (so every value has its submission, reviewer and audit rows), and in
焦作 (4108) one task in each state a reviewer meets: pending, submitted, rejected with a reason, approved, and one
county's task past its deadline (overdue).

Who acts: the county reporters made here report their own counties; the 统计局 reporter reports the census
indicators it owns for every county; counties without a demo reporter are entered by the province office (考核办代填,
the audit log says so) — the demo needs ~100 counties' data, not ~100 logins.
"""

from __future__ import annotations

import csv
import io
import textwrap
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xianping.problems import XianpingInputError

PROVINCE = "410000"
PERIOD = "2020"            # the census year of the bundled panel
PREFECTURE = "410800"      # 焦作: its reviewer and counties carry the task states
STATE_COUNTIES = {"410821": "pending", "410822": "submitted", "410823": "rejected", "410825": "approved"}
OTHER_COUNTY = "410122"    # 中牟县 (郑州): a county reporter outside 焦作, its task overdue
DEPARTMENT = ("tjj", "河南省统计局", ["edu_years", "college_share", "illiteracy_rate"])

FRAMEWORK = textwrap.dedent("""\
    # 演示考核方案: library indicators present in the bundled 2020 census panel (xianping platform demo)
    code: henan-demo
    name_zh: 河南省县域人口与社会发展考核（演示）
    name_en: Henan county population and social development (demo)
    version: "1.0"
    defaults:
      normalisation: {method: min_max, shift: none, panel: pooled}
      weights: equal
      aggregation: arithmetic
      scale: 100
    root:
      code: demo_index
      name_zh: 人口与社会发展指数
      name_en: Population and social development index
      children:
        - code: urbanisation
          name_zh: 城镇化
          name_en: Urbanisation
          children:
            - {code: urbanisation_rate, name_zh: 常住人口城镇化率, name_en: Urbanisation rate, indicator: urbanisation_rate}
            - {code: nonfarm_employment_share, name_zh: 非农就业比重, name_en: Non-agricultural employment share, indicator: nonfarm_employment_share}
        - code: human_capital
          name_zh: 人力资本
          name_en: Human capital
          children:
            - {code: edu_years, name_zh: 平均受教育年限, name_en: Years of schooling, indicator: edu_years}
            - {code: college_share, name_zh: 大专及以上学历人口占比, name_en: Tertiary-educated share, indicator: college_share}
            - {code: illiteracy_rate, name_zh: 文盲率, name_en: Illiteracy rate, indicator: illiteracy_rate}
        - code: living_conditions
          name_zh: 居住条件
          name_en: Housing conditions
          children:
            - {code: housing_area_pc, name_zh: 人均住房建筑面积, name_en: Floor area per person, indicator: housing_area_pc}
            - {code: tap_water_share, name_zh: 管道自来水家庭户比重, name_en: Piped tap water, indicator: tap_water_share}
    """)
INDICATORS = ["urbanisation_rate", "nonfarm_employment_share", "edu_years", "college_share", "illiteracy_rate",
              "housing_area_pc", "tap_water_share"]

# role, username, display name, scope (division code), department
USERS = [
    ("province_admin", "henan_admin", "河南省考核办", PROVINCE, None),
    ("prefecture_reviewer", "jiaozuo_reviewer", "焦作市考核办 审核员", PREFECTURE, None),
    ("county_reporter", "xiuwu", "修武县统计局 填报员", "410821", None),
    ("county_reporter", "boai", "博爱县统计局 填报员", "410822", None),
    ("county_reporter", "wuzhi", "武陟县统计局 填报员", "410823", None),
    ("county_reporter", "wenxian", "温县统计局 填报员", "410825", None),
    ("county_reporter", "zhongmou", "中牟县统计局 填报员", OTHER_COUNTY, None),
    ("department_reporter", "tjj_reporter", "河南省统计局 填报员", None, DEPARTMENT[0]),
    ("viewer", "henan_viewer", "河南省 只读用户", PROVINCE, None),
]
CSV_HEADER = ["role", "username", "password", "scope code"]
REJECT_REASON = "人均住房建筑面积与普查公报不一致，请核实后重报 (differs from the census bulletin: check and resubmit)"


@dataclass
class DemoMade:
    folder: Path
    programme_id: int
    programme_name: str
    units: int
    users_csv: Path
    users: list[tuple[str, str, str]] = field(default_factory=list)     # role, username, scope code (no password)
    states: dict[str, int] = field(default_factory=dict)                 # task status (overdue counted apart) → n
    showcase: dict[str, tuple[int, str]] = field(default_factory=dict)   # state → (task id, unit code)
    without_data: list[str] = field(default_factory=list)                # units the panel lacks: left pending
    dispatch: Any = None                                                 # dispatch_demo.DispatchDemo (月调度)


def census_values(codes: list[str]) -> tuple[dict[tuple[str, str], float], dict[str, str]]:
    """(unit code, indicator) → the 2020 value of the bundled panel, for units as in force in 2020; and, for a unit
    the panel holds under its successor's code (its tables follow the 2021 divisions: 偃师市 → 偃师区, 孟津县 + 吉利区 →
    孟津区), the gazetteer's note of that succession — the demo says so in each such value's history."""
    import pandas as pd

    from xianping.demo.load_demo import bundled_panel_bytes
    from xianping.reference.divisions import get_gazetteer

    df = pd.read_csv(io.BytesIO(bundled_panel_bytes()), dtype={"unit_code": str, "period": str},
                     usecols=["unit_code", "period", "indicator", "value"])
    df = df[(df["period"] == PERIOD) & df["indicator"].isin(INDICATORS)].dropna(subset=["value"])
    have = set(df["unit_code"])
    source = {c: c for c in codes if c in have}
    notes = {}
    for code, m in get_gazetteer().code_map([c for c in codes if c not in have], int(PERIOD), int(PERIOD) + 4).items():
        if len(m.targets) == 1 and m.targets[0] in have:
            source[code], notes[code] = m.targets[0], m.note
    back = {s: c for c, s in source.items()}
    df = df[df["unit_code"].isin(list(back))]
    return ({(back[u], i): round(float(v), 4) for u, i, v in zip(df["unit_code"], df["indicator"], df["value"])}, notes)


def _refuse_unless_empty(db: Session, folder: Path) -> None:
    from xianping.platform.db.models import Programme, User

    users, progs = db.scalar(select(func.count(User.id))), db.scalar(select(func.count(Programme.id)))
    if users or progs or (folder / "demo-users.csv").exists():
        raise XianpingInputError(
            f"--dir {folder} already holds a platform ({users} users, {progs} programmes"
            f"{', demo-users.csv' if (folder / 'demo-users.csv').exists() else ''}): the demo is set up in a new folder, "
            f"e.g. xianping platform demo --dir plat-demo")


def _write_users_csv(path: Path, rows: list[list[str]]) -> None:
    """role, username, password, scope code — mode 600 from the first byte, written whole."""
    from xianping.files import replace_when_done

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_HEADER)
    w.writerows(rows)   # passwords are letters and digits, usernames ours: nothing a spreadsheet would run
    with replace_when_done(path) as tmp:
        tmp.touch(mode=0o600)
        tmp.write_text(buf.getvalue(), encoding="utf-8")


def build(folder: Path, db_url: str | None = None, today: date | None = None) -> DemoMade:
    from xianping.platform.audit.record import Actor, writing
    from xianping.platform.auth import departments, users
    from xianping.platform.db.connect import open_platform
    from xianping.platform.db.models import DataValue, Task, User
    from xianping.platform.workflow import dispatch_demo, programmes, reporting, review

    today = today or date.today()
    folder = Path(folder)
    cli = Actor(None, "cli:platform-demo")
    plat = open_platform(folder, db_url, create=True)   # = `platform init` (idempotent migration)
    try:
        with plat.sessions() as db:
            _refuse_unless_empty(db, folder)
            departments.add(db, cli, DEPARTMENT[0], DEPARTMENT[1], PROVINCE, DEPARTMENT[2])
            made: dict[str, User] = {}
            rows = []
            for role, username, name, scope, dept in USERS:
                u, pw = users.add_one(db, cli, users.NewUser(username, name, role, scope, dept))
                made[username] = u
                rows.append([role, username, pw, scope or PROVINCE])
            _write_users_csv(folder / "demo-users.csv", rows)

            p = programmes.create(db, cli, name="河南省 2020 年度县域人口与社会发展考核（演示）", framework_yaml=FRAMEWORK,
                                  scope=PROVINCE, period=PERIOD, fill_by=today + timedelta(days=14),
                                  review_by=today + timedelta(days=28), publicity_days=7, framework_file="henan-demo.yaml")
            programmes.publish(db, cli, p.id)
            units = list(p.settings["units"])
            vals, successors = census_values(units)
            out = DemoMade(folder, p.id, p.name, len(units), folder / "demo-users.csv",
                           [(r[0], r[1], r[3]) for r in rows])
            admin, reviewer = made["henan_admin"], made["jiaozuo_reviewer"]
            reporter_of = {u.scope_code: u for u in made.values() if u.role == "county_reporter"}
            tasks = db.scalars(select(Task).where(Task.programme_id == p.id).order_by(Task.id)).all()

            for t in tasks:
                sheet = reporting.cells(db, t)
                want = {(c.unit_code, c.indicator): vals.get((c.unit_code, c.indicator)) for c in sheet.cells}
                if any(v is None for v in want.values()):
                    out.without_data.append(t.unit_code or f"department {t.department_id}")
                    continue
                code = t.unit_code
                state = STATE_COUNTIES.get(code, "overdue" if code == OTHER_COUNTY else "approved")
                if state in ("pending", "overdue"):
                    continue   # nothing reported yet: the reporter's first login fills it
                reporter = (made["tjj_reporter"] if t.department_id is not None
                            else reporter_of.get(code, admin))   # 考核办代填 where the demo has no county login
                if state == "rejected":   # reported with a slip (×10), sent back naming that value
                    want[(code, "housing_area_pc")] = round(want[(code, "housing_area_pc")] * 10, 4)
                reporting.save_draft(db, reporter, t, want, sheet=sheet)
                expl = {w.key: "核实无误：与第七次全国人口普查县级汇总表一致 (checked against the 2020 census table)"
                        for w in reporting.warnings(db, t)}
                reporting.submit(db, reporter, t, expl)
                if state == "submitted":
                    continue
                who = reviewer if (code or "").startswith("4108") else admin
                if state == "rejected":
                    bad = next(c.value_id for c in reporting.cells(db, t).cells if c.indicator == "housing_area_pc")
                    review.reject(db, who, t.id, reason=None, values=[review.ValueReason(bad, REJECT_REASON)],
                                  new_deadline=today + timedelta(days=7), today=today)
                else:
                    review.approve(db, who, t.id)
            # values read under a successor's code: each value's history says whose figure it is
            with writing(db, cli) as w:
                for v in db.scalars(select(DataValue).where(DataValue.programme_id == p.id,
                                                            DataValue.unit_code.in_(list(successors)))):
                    w.record("value.source", "data_value", v.id, field=f"{v.unit_code}:{v.indicator}",
                             reason=f"演示数据取自普查汇总表的继承单位 (the census table lists the successor): "
                                    f"{successors[v.unit_code]}")

            # 中牟县: its deadline set back to yesterday — the overdue list shows it to the province
            late = db.scalars(select(Task).where(Task.programme_id == p.id, Task.unit_code == OTHER_COUNTY)).one()
            with writing(db, cli) as w:
                old, late.due_date = late.due_date, today - timedelta(days=1)
                w.record("task.deadline", "task", late.id, field="due_date", old=old.isoformat(),
                         new=late.due_date.isoformat(), reason="演示：填报截止已过 (demo: a task past its deadline)")
            out.dispatch = dispatch_demo.build(db, folder, made, today)   # 月调度: made-up projects over real counties (示例·虚构)
            for t in db.scalars(select(Task).where(Task.programme_id == p.id)):
                st = "overdue" if t.status != "approved" and t.due_date < today else t.status
                out.states[st] = out.states.get(st, 0) + 1
                if t.unit_code in STATE_COUNTIES or t.unit_code == OTHER_COUNTY:
                    out.showcase[st] = (t.id, t.unit_code)
            return out
    finally:
        plat.close()
