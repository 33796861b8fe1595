"""The notice sentences; the published example is "1–10月完成年度计划的97.2%，超时序进度13.8个百分点"
(../shared/docs/assessment_practice.md, 重点项目月调度): 13.8 points after October (elapsed 10/12 = 83.33 %) needs an
unrounded completion of 97.15–97.24 % with a pace of 13.82–13.87, each rounded on its own — e.g. 97.16 %."""

from xianping.dispatch.measures import elapsed_share
from xianping.dispatch.phrasing import completion_sentence, pace_phrase


def test_published_example():
    completion = 97.16
    pace = completion - elapsed_share(2024)[9]  # 97.16 − 83.333 = 13.827
    assert completion_sentence(10, completion, pace) == "1—10月完成年度计划的97.2%，超时序进度13.8个百分点"
    # rounding the completion first would have said 13.9: the sentence is written from the unrounded numbers
    assert round(97.2 - 1000 / 12, 1) == 13.9


def test_behind_level_and_missing():
    assert pace_phrase(-20.0) == "滞后时序进度20.0个百分点"
    assert pace_phrase(0.04) == "与时序进度持平" and pace_phrase(-0.04) == "与时序进度持平"
    assert pace_phrase(float("nan")) == "时序进度无法计算（无报告）"
    assert completion_sentence(1, None, None) == "1月无报告，完成情况缺失"
    assert completion_sentence(6, 30.0, -20.0) == "1—6月完成年度计划的30.0%，滞后时序进度20.0个百分点"
