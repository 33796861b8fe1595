"""Dispatch measures against hand computations on tests/dispatch/example.py (every figure worked out below).

Year 2024, elapsed share by months: k/12 (June = 50 %). Plans: P1 1,200; P2 800; P3 1,000 then 600 from May; P4 500.
"""

import math

import numpy as np
import pytest

from xianping.dispatch.frames import validate_frames
from xianping.dispatch.measures import elapsed_share, month_measures, year_measures

from . import example as ex


@pytest.fixture(scope="module")
def frames():
    return validate_frames(ex.projects(), ex.plans(), ex.reports())


def _row(table, key, value):
    rows = table[table[key] == value]
    assert len(rows) == 1
    return rows.iloc[0]


def test_june_projects(frames):
    p = month_measures(frames, "2024-06").projects.set_index("project_id")
    # P1: ytd 6 × 100 = 600 of 1,200 → 50 %; elapsed 6/12 = 50 % → pace 0; funds 500/1,200 = 41.67 %
    assert p.loc["P1", "completion"] == pytest.approx(50.0)
    assert p.loc["P1", "pace"] == pytest.approx(0.0)
    assert p.loc["P1", "funds_rate"] == pytest.approx(500 / 1200 * 100)
    # P2 (starts in July) reports zeros: 0 % of 800, 50 points behind; not yet due to start
    assert p.loc["P2", "completion"] == 0.0 and p.loc["P2", "pace"] == pytest.approx(-50.0)
    assert not p.loc["P2", "due_start"] and not p.loc["P2", "started"]
    # P3 did not report June: missing, not zero; its plan in force is the revised 600
    assert p.loc["P3", "status"] == "no_report"
    assert math.isnan(p.loc["P3", "investment_ytd"]) and math.isnan(p.loc["P3", "completion"])
    assert p.loc["P3", "annual_plan"] == 600
    # P4: 650 of 500 → 130 % (investment above plan kept), 80 points ahead; due in May, finished June: late
    assert p.loc["P4", "completion"] == pytest.approx(130.0) and p.loc["P4", "pace"] == pytest.approx(80.0)
    assert p.loc["P4", "due_finish"] and p.loc["P4", "finished"] and not p.loc["P4", "finished_on_time"]


def test_june_counties_sum_over_reporting_projects(frames):
    c = month_measures(frames, "2024-06").counties
    xw = _row(c, "unit_code", "410821")
    # 修武: P1 + P2 reported, P3 not: Σytd = 600 + 0, Σplan = 1,200 + 800 → 30 %, pace 30 − 50 = −20
    assert (xw.n_projects, xw.n_reported, xw.n_no_report) == (3, 2, 1)
    assert xw.ytd_reported == 600 and xw.plan_reported == 2000 and xw.plan_all == 2600
    assert xw.completion == pytest.approx(30.0) and xw.pace == pytest.approx(-20.0)
    # funds 500 + 0 over 2,000 = 25 %; start: P3 due (Feb) and started → 1/1; 入统: P1, P3 started, both 入统
    assert xw.funds_rate == pytest.approx(25.0)
    assert (xw.n_due_start, xw.n_started_due, xw.start_rate) == (1, 1, 100.0)
    assert xw.in_statistics_rate == 100.0 and math.isnan(xw.on_time_rate)
    ba = _row(c, "unit_code", "410822")
    # 博爱: P4 alone, 130 %; P4 due in May and finished in June → on-time rate 0/1
    assert ba.completion == pytest.approx(130.0) and ba.on_time_rate == 0.0


def test_june_sectors_and_total(frames):
    mm = month_measures(frames, "2024-06")
    ind = _row(mm.sectors, "sector", "工业")
    # 工业: P1, P2, P4 → (600 + 0 + 650)/(1,200 + 800 + 500) = 1,250/2,500 = 50 %
    assert ind.completion == pytest.approx(50.0) and ind.pace == pytest.approx(0.0)
    svc = _row(mm.sectors, "sector", "服务业")
    # 服务业: only P3, which did not report → no completion, one project without a report
    assert math.isnan(svc.completion) and svc.n_no_report == 1
    tot = mm.total.iloc[0]
    assert tot.completion == pytest.approx(50.0) and tot.n_no_report == 1 and tot.n_projects == 4


def test_plan_revised_mid_year(frames):
    ym = year_measures(frames, 2024)
    p3 = list(ym.projects["project_id"]).index("P3")
    # April: ytd 300 against the original 1,000 → 30 %, elapsed 4/12 → pace 30 − 33.33 = −3.33
    assert ym.plan[p3, 3] == 1000 and ym.completion[p3, 3] == pytest.approx(30.0)
    assert ym.pace[p3, 3] == pytest.approx(30 - 100 * 4 / 12)
    # May: revision to 600 in force: 400/600 = 66.67 %, pace 66.67 − 41.67 = 25
    assert ym.plan[p3, 4] == 600 and ym.completion[p3, 4] == pytest.approx(400 / 6)
    assert ym.pace[p3, 4] == pytest.approx(25.0)


def test_project_starting_mid_year(frames):
    ym = year_measures(frames, 2024)
    c = ym.groups("unit_code")
    xw = list(c.keys).index("410821")
    # July: P2 (planned start July) due but its start is reported in August; P3 started → start rate 1/2
    assert c.sums["n_due_start"][xw, 6] == 2 and c.start_rate[xw, 6] == pytest.approx(50.0)
    assert c.start_rate[xw, 7] == pytest.approx(100.0)
    # August: P2 started and not 入统 → 入统 rate 2 of 3 started
    assert c.in_statistics_rate[xw, 7] == pytest.approx(200 / 3)


def test_finished_projects_keep_their_final_figure(frames):
    ym = year_measures(frames, 2024)
    mm = month_measures(frames, "2024-10")
    p = mm.projects.set_index("project_id")
    # P3 finished in September: October is not a missing report, its ytd 800 of 600 stands
    assert p.loc["P3", "status"] == "finished" and p.loc["P3", "investment_ytd"] == 800
    # P2 reported nothing after August: missing
    assert p.loc["P2", "status"] == "no_report"
    xw = _row(mm.counties, "unit_code", "410821")
    # 修武 October: P1 1,000 + P3 800 over 1,200 + 600 = 100 %, pace 100 − 83.33; P2 not reporting
    assert xw.completion == pytest.approx(100.0) and xw.pace == pytest.approx(100 - 1000 / 12)
    assert (xw.n_no_report, xw.n_closed) == (1, 1)
    # on time: September P3 (planned September, finished September) 1 of 1; October adds P1 (planned 31 October,
    # not finished by the October report) → 1/2, and so on to December
    on_time = ym.groups("unit_code").on_time_rate[0]
    assert on_time[8] == 100.0 and xw.on_time_rate == pytest.approx(50.0) and on_time[11] == pytest.approx(50.0)
    assert np.isnan(on_time[:8]).all()  # nothing due in 修武 before September


def test_missing_month_last_reported_variant(frames):
    mm = month_measures(frames, "2024-06", missing="last_reported")
    p = mm.projects.set_index("project_id")
    # P3's May ytd (400) stands in for June, flagged carried, still not a report
    assert p.loc["P3", "carried"] and p.loc["P3", "status"] == "no_report"
    assert p.loc["P3", "completion"] == pytest.approx(400 / 6)
    xw = _row(mm.counties, "unit_code", "410821")
    # (600 + 0 + 400)/(1,200 + 800 + 600) = 1,000/2,600 = 38.46 %
    assert xw.completion == pytest.approx(1000 / 26) and xw.n_no_report == 1
    assert mm.settings["missing"] == "last_reported"


def test_elapsed_by_days():
    # 2024 is a leap year: 30 June is day 182 of 366; 2023: 31 January is day 31 of 365
    assert elapsed_share(2024, "days")[5] == pytest.approx(182 / 366 * 100)
    assert elapsed_share(2023, "days")[0] == pytest.approx(31 / 365 * 100)
    assert elapsed_share(2024, "days")[11] == pytest.approx(100.0)
    np.testing.assert_allclose(elapsed_share(2024), np.arange(1, 13) / 12 * 100)


def test_month_without_plan_is_not_listed(frames):
    plans = ex.plans()
    plans.loc[plans["project_id"] == "P2", "effective_month"] = "2024-03"  # P2's plan only from March
    f = validate_frames(ex.projects(), plans, ex.reports())
    ym = year_measures(f, 2024)
    p2 = list(ym.projects["project_id"]).index("P2")
    assert not ym.in_list[p2, :2].any() and ym.in_list[p2, 2:].all()
    g = ym.groups("unit_code")
    # 修武 January: P1 100/1,200 and P3 0/1,000 (P2 left out) → 100/2,200
    assert g.sums["n_projects"][0, 0] == 2 and g.completion[0, 0] == pytest.approx(100 / 22)


def test_reported_counts_only_projects_due_and_no_completion_without_a_report(frames):
    """"0/6 报送, 120 %" is not shown: a county's reported count counts the projects due to report that month (not
    those finished earlier), and a county none of whose due projects reported — or with nothing due — has no
    completion for the month. By hand, on tests/dispatch/example.py:
    - 博爱 (P4 alone; P4 finished in June) in July: 1 project, 0 due, 0 reported → state none_due; before this rule
      its completion was P4's final 650/500 = 130 % with 0 of 1 reported; now none, and no colour from pace.
    - 修武 in October with P1's October report taken out: P1, P2 due and silent, P3 finished in September → 0 of 2
      due reported → none_received, no completion (P3's 800/600 = 133.3 % alone would have been shown), 无报告.
    - 修武 in October as reported: 1 of 2 due (P1) reported; completion (1,000 + 800)/(1,200 + 600) = 100 % keeps
      the finished P3's final figure in the county's year."""
    from xianping.dispatch.frames import validate_frames
    from xianping.dispatch.warning_rules import COLOURS, builtin_rules, group_colours

    from . import example as ex

    july = month_measures(frames, "2024-07")
    ba = _row(july.counties, "unit_code", "410822")
    assert (ba.n_projects, ba.n_due_report, ba.n_reported, ba.n_no_report, ba.n_closed) == (1, 0, 0, 0, 1)
    assert ba.report_state == "none_due" and np.isnan(ba.completion) and np.isnan(ba.pace)
    ym = year_measures(frames, 2024)
    gm = ym.groups("unit_code")
    codes = COLOURS[group_colours(gm, builtin_rules())]
    assert codes[list(gm.keys).index("410822"), 6] == "none"

    october = month_measures(frames, "2024-10")
    xw = _row(october.counties, "unit_code", "410821")
    assert (xw.n_projects, xw.n_due_report, xw.n_reported, xw.n_closed) == (3, 2, 1, 1)
    assert xw.report_state == "reported" and xw.completion == pytest.approx(100.0)

    r = ex.reports()
    silent = validate_frames(ex.projects(), ex.plans(), r[~((r.project_id == "P1") & (r.month == "2024-10"))])
    xw = _row(month_measures(silent, "2024-10").counties, "unit_code", "410821")
    assert (xw.n_due_report, xw.n_reported, xw.n_no_report) == (2, 0, 2)
    assert xw.report_state == "none_received" and np.isnan(xw.completion) and np.isnan(xw.funds_rate)
    gm = year_measures(silent, 2024).groups("unit_code")
    assert COLOURS[group_colours(gm, builtin_rules())][list(gm.keys).index("410821"), 9] == "no_report"
