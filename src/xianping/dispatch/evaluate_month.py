"""One month of 月调度: measures and warning colours of every project, county and sector, ready for the brief, the
dashboard and `xianping dispatch measures --json`.

The year's arrays are computed once (measures.year_measures) and the colours over all 12 months (so that "yellow two
months running" sees the month before); the month's rows are then taken out. Counties and sectors use the rule
file's `counties` section.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .frames import DispatchFrames
from .measures import ElapsedConvention, MissingRule, project_table, year_measures
from .monitoring import MonitoringFrames, monitor, parse_period
from .warning_rules import (COLOURS, LABELS, WarningRules, builtin_rules, group_colours, indicator_colours,
                            project_colours)

__all__ = ["MonthResult", "evaluate_month", "evaluate_indicators"]


@dataclass
class MonthResult:
    month: str
    projects: pd.DataFrame  # project_table + colour, colour_label
    counties: pd.DataFrame  # GroupMeasures.month_table + colour, colour_label
    sectors: pd.DataFrame
    total: pd.DataFrame
    settings: dict = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: NaN → None, numpy scalars → Python, rows as records."""
        return {"month": self.month, "settings": self.settings,
                "total": _records(self.total)[0], "counties": _records(self.counties),
                "sectors": _records(self.sectors), "projects": _records(self.projects)}


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in df.to_dict(orient="records"):
        clean = {}
        for k, v in row.items():
            if isinstance(v, np.generic):
                v = v.item()
            if isinstance(v, float) and math.isnan(v):
                v = None
            clean[k] = v
        out.append(clean)
    return out


def _with_colour(table: pd.DataFrame, codes: np.ndarray) -> pd.DataFrame:
    names = COLOURS[codes]
    return table.assign(colour=names, colour_label=[LABELS[n] for n in names])


def evaluate_month(frames: DispatchFrames, month: str, rules: WarningRules | None = None, *,
                   elapsed: ElapsedConvention = "months", missing: MissingRule = "unknown") -> MonthResult:
    """Measures and colours for month 'YYYY-MM' (rules: the builtin ones when None)."""
    rules = rules or builtin_rules()
    year, k = int(month[:4]), int(month[5:7])
    ym = year_measures(frames, year, elapsed=elapsed, missing=missing)
    projects = _with_colour(project_table(ym, k), project_colours(ym, rules)[:, k - 1])
    tables = {}
    for name, by in (("counties", "unit_code"), ("sectors", "sector"), ("total", None)):
        gm = ym.groups(by)
        tables[name] = _with_colour(gm.month_table(k), group_colours(gm, rules)[:, k - 1])
    settings = dict(ym.settings, month=month, rules=rules.name)
    return MonthResult(month=month, projects=projects, settings=settings, **tables)


def evaluate_indicators(frames: MonitoringFrames, period: str, rules: WarningRules | None = None, *,
                        province: str | None = None, elapsed: ElapsedConvention = "months") -> pd.DataFrame:
    """Every (unit, indicator) of period 'YYYY-MM' or 'YYYY-Qn': share, pace, growth gaps and colour (the rules'
    `indicators` section, over the year's periods of that frequency so that runs see the period before)."""
    from xianping.problems import XianpingInputError

    per = parse_period(pd.Series([period]))
    if per["year"].isna().iloc[0]:
        raise XianpingInputError(f"period {period!r}: expected YYYY-MM (a month) or YYYY-Qn (a quarter)")
    year, frequency, step = int(per["year"].iloc[0]), per["frequency"].iloc[0], int(per["step"].iloc[0])
    mon = monitor(frames, year, frequency, province=province, elapsed=elapsed)
    return _with_colour(mon.period_table(step), indicator_colours(mon, rules or builtin_rules())[:, step - 1])
