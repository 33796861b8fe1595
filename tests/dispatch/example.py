"""A small made-up dispatch year (2024) whose every measure is worked out by hand in the tests.

Counties (real GB/T 2260 codes, made-up projects): 410821 修武县, 410822 博爱县.

P1 修武 工业 continuing, plan 1,200 (from 2024-01), 100 万元 every month Jan–Dec, funds 500 by June, 入统, planned
   finish 2024-10 never reported finished.
P2 修武 工业 new, planned start 2024-07 (starts mid-year), plan 800, reports 0 Jan–Jun, the start reported in
   August (a month late), 200 万元 in Aug; not 入统.
P3 修武 服务业 new, planned start 2024-02, finish 2024-09; plan 1,000 revised to 600 from 2024-05; 100 万元 a month
   Feb–May, no report in June, July ytd 650 (June's 100 and July's 150); start reported Feb, finish reported Sept.
P4 博爱 工业 continuing, plan 500, planned finish 2024-05; 130 万元 a month Jan–May and 0 in June: ytd 650 (above
   the plan: 130 %); the finish reported in June (late).
"""

import pandas as pd


def projects() -> pd.DataFrame:
    rows = [
        ("P1", "示例项目一（虚构）", "410821", "工业", "continuing", 5000, "2023-03-01", "2024-10-31", "2023-03-15", None, True),
        ("P2", "示例项目二（虚构）", "410821", "工业", "new", 3000, "2024-07-01", "2025-12-31", None, None, False),
        ("P3", "示例项目三（虚构）", "410821", "服务业", "new", 900, "2024-02-01", "2024-09-30", None, None, True),
        ("P4", "示例项目四（虚构）", "410822", "工业", "continuing", 2000, "2023-01-01", "2024-05-31", "2023-01-10", None, True),
    ]
    df = pd.DataFrame(rows, columns=["project_id", "name", "unit_code", "sector", "kind", "total_investment",
                                     "plan_start", "plan_finish", "actual_start", "actual_finish", "in_statistics"])
    return df.assign(cluster=None, responsible_unit="示例单位", responsible_person="张三")


def plans() -> pd.DataFrame:
    return pd.DataFrame([("P1", 2024, "2024-01", 1200), ("P2", 2024, "2024-01", 800), ("P3", 2024, "2024-01", 1000),
                         ("P3", 2024, "2024-05", 600), ("P4", 2024, "2024-01", 500)],
                        columns=["project_id", "year", "effective_month", "annual_plan"])


def reports() -> pd.DataFrame:
    rows = []
    def add(pid, month, inv, ytd, cum, funds=0.0, started=False, finished=False):
        rows.append(dict(project_id=pid, month=f"2024-{month:02d}", investment_month=inv, investment_ytd=ytd,
                         investment_cumulative=cum, funds_in_place=funds, started=started, finished=finished,
                         progress="", problems=""))
    for m in range(1, 13):  # P1: 100 a month, cumulative from 2,000 before 2024
        add("P1", m, 100, 100 * m, 2000 + 100 * m, funds=500 if m == 6 else 80 * m)
    for m in range(1, 7):  # P2: reports zero before its start
        add("P2", m, 0, 0, 0)
    add("P2", 7, 0, 0, 0)
    add("P2", 8, 200, 200, 200, started=True)
    add("P3", 1, 0, 0, 0)
    for m in range(2, 6):
        add("P3", m, 100, 100 * (m - 1), 100 * (m - 1), started=(m == 2))
    add("P3", 7, 150, 650, 650)  # June not reported
    add("P3", 8, 100, 750, 750)
    add("P3", 9, 50, 800, 800, finished=True)
    for m in range(1, 6):
        add("P4", m, 130, 130 * m, 1000 + 130 * m)
    add("P4", 6, 0, 650, 1650, finished=True)
    return pd.DataFrame(rows)
