"""Indicator monitoring against the year's targets ("时间过半、任务过半") and the provincial average growth, on a
made-up example worked out by hand below; and located problems in the input tables."""

import math

import pandas as pd
import pytest

from xianping.dispatch import warning_rules as wr
from xianping.dispatch.monitoring import monitor, validate_monitoring
from xianping.problems import XianpingInputError

INV = "固定资产投资"


def _values():
    # (unit, indicator, period, ytd value in 亿元, ytd growth %); 博爱 (410822) has no May row; 410000 = 河南省
    return pd.DataFrame([
        ("410821", INV, "2024-05", 40, 9.0), ("410821", INV, "2024-06", 55, 8.0),
        ("410822", INV, "2024-06", 45, 4.0),
        ("410000", INV, "2024-05", None, 6.0), ("410000", INV, "2024-06", None, 5.5),
        ("410821", INV, "2024-Q2", 55, 8.0),
    ], columns=["unit_code", "indicator", "period", "value", "growth"])


def _targets():
    return pd.DataFrame([("410821", INV, 2024, 100, 10.0), ("410822", INV, 2024, 100, 6.0)],
                        columns=["unit_code", "indicator", "year", "target_value", "target_growth"])


@pytest.fixture(scope="module")
def mon():
    return monitor(validate_monitoring(_values(), _targets()), 2024, "month", province="410000")


def test_june_against_targets_and_province(mon):
    t = mon.period_table(6).set_index("unit_code")
    assert list(t.index) == ["410821", "410822"]  # the province is the comparison, not a row
    # 修武: 55 of 100 = 55 %, June elapsed 50 % → pace +5 (任务过半); growth 8 − target 10 = −2; 8 − 5.5 = +2.5
    assert t.loc["410821", "share"] == pytest.approx(55.0) and t.loc["410821", "pace"] == pytest.approx(5.0)
    assert t.loc["410821", "growth_vs_target"] == pytest.approx(-2.0)
    assert t.loc["410821", "growth_vs_province"] == pytest.approx(2.5)
    # 博爱: 45 % → pace −5; 4 − 6 = −2; 4 − 5.5 = −1.5
    assert t.loc["410822", "pace"] == pytest.approx(-5.0)
    assert t.loc["410822", "growth_vs_province"] == pytest.approx(-1.5)


def test_may_and_the_missing_period(mon):
    t = mon.period_table(5).set_index("unit_code")
    # 修武 May: 40 % − 41.67 % = −1.67; 9 − 6 = +3
    assert t.loc["410821", "pace"] == pytest.approx(40 - 500 / 12)
    assert t.loc["410821", "growth_vs_province"] == pytest.approx(3.0)
    # 博爱 has no May row: missing, not zero
    assert not t.loc["410822", "reported"] and math.isnan(t.loc["410822", "pace"])


def test_quarterly(mon):
    q = monitor(validate_monitoring(_values(), _targets()), 2024, "quarter", province="410000")
    t = q.period_table(2)
    # Q2 ends in June: elapsed 50 %; 55 % → +5; no provincial quarterly row → no comparison
    assert q.elapsed.tolist() == [25.0, 50.0, 75.0, 100.0]
    assert t["pace"].iloc[0] == pytest.approx(5.0) and math.isnan(t["growth_vs_province"].iloc[0])


def test_indicator_colours_with_the_builtin_rules(mon):
    codes = wr.indicator_colours(mon, wr.builtin_rules())
    names = wr.COLOURS[codes]
    # builtin: pace yellow > 5; growth_vs_province yellow > 0; growth_vs_target yellow > 1 (red > 3)
    # 修武 May: −1.67, +3, 9 − 10 = −1 (exactly 1: green) → green; June: target −2 → yellow
    assert list(names[0, 4:6]) == ["green", "yellow"]
    # 博爱 May: no row while June is reported → 无报告; June: pace −5 (green at the boundary), −1.5 and −2 → yellow
    assert list(names[1, 4:6]) == ["no_report", "yellow"]
    # July onwards is not due yet: no colour
    assert set(names[:, 6:].ravel()) == {"none"}


def test_bad_monitoring_tables_are_located():
    values = _values().astype(object)  # a sheet's cells: text and numbers mixed
    values.loc[1, "period"] = "2024-13"
    values.loc[2, "unit_code"] = "41082"
    values.loc[3, "growth"] = None
    values.loc[4, "growth"] = "五"
    targets = pd.concat([_targets(), _targets().iloc[[0]]], ignore_index=True)
    targets.loc[1, "target_value"] = 0
    with pytest.raises(XianpingInputError) as err:
        validate_monitoring(values, targets)
    got = {(p.file, p.row, p.column, p.kind) for p in err.value.report.problems}
    assert got == {("values", 3, "period", "bad_period"), ("values", 4, "unit_code", "bad_code"),
                   ("values", 5, "value", "missing_value"), ("values", 6, "growth", "wrong_type"),
                   ("targets", 3, "target_value", "out_of_range"), ("targets", 4, "indicator", "duplicate_target")}


def test_missing_columns_named():
    with pytest.raises(XianpingInputError) as err:
        validate_monitoring(_values().drop(columns="growth"), _targets(), sources={"values": "月度指标.xlsx"})
    p = err.value.report.problems[0]
    assert (p.file, p.column, p.kind) == ("月度指标.xlsx", "growth", "missing_column")


def test_evaluate_indicators_for_a_period():
    from xianping.dispatch.evaluate_month import evaluate_indicators

    t = evaluate_indicators(validate_monitoring(_values(), _targets()), "2024-06", province="410000")
    # as in test_indicator_colours_with_the_builtin_rules: both counties 黄 in June (behind their growth targets)
    assert t.set_index("unit_code")["colour_label"].to_dict() == {"410821": "黄 yellow", "410822": "黄 yellow"}
    q = evaluate_indicators(validate_monitoring(_values(), _targets()), "2024-Q2", province="410000")
    # Q2: pace +5, no provincial quarter, growth 8 − 10 = −2 → behind the target by more than 1 → 黄
    assert list(q["colour"]) == ["yellow"]
    with pytest.raises(XianpingInputError):
        evaluate_indicators(validate_monitoring(_values(), _targets()), "2024-H1")
