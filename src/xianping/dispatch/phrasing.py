"""The sentences a 月度通报 uses for the dispatch measures, written from the unrounded numbers.

    completion_sentence(10, 97.16, 13.83) → "1—10月完成年度计划的97.2%，超时序进度13.8个百分点"

Each figure is rounded on its own from the unrounded value (as the published notices do: 97.2 % and 13.8 points
cannot both come from rounding 97.2 first). The phrasing of pace: 超时序进度 N 个百分点 (ahead), 滞后时序进度 N 个百分点
(behind), 与时序进度持平 (level at the shown precision). A missing figure is said to be missing, never 0.
"""

from __future__ import annotations

import math

__all__ = ["pace_phrase", "completion_sentence"]


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def pace_phrase(pace: float | None, digits: int = 1) -> str:
    if _missing(pace):
        return "时序进度无法计算（无报告）"
    r = round(float(pace), digits)
    if r == 0:
        return "与时序进度持平"
    return f"{'超' if r > 0 else '滞后'}时序进度{abs(r):.{digits}f}个百分点"


def completion_sentence(month: int, completion: float | None, pace: float | None, digits: int = 1) -> str:
    """'1—k月完成年度计划的X%，<pace phrase>' ('1月' for January)."""
    span = "1月" if month == 1 else f"1—{month}月"
    if _missing(completion):
        return f"{span}无报告，完成情况缺失"
    return f"{span}完成年度计划的{round(float(completion), digits):.{digits}f}%，{pace_phrase(pace, digits)}"
