"""监测预警 over the platform's imported indicator values: a period's share of the year's target, pace against the
calendar (时间过半、任务过半), growth against the target and against the provincial average growth, and the colour
the rules' `indicators` section gives — xianping.dispatch.evaluate_month.evaluate_indicators on the rows of the
caller's division (plus the province's own rows, the comparison): the imported values (dispatch_import_indicators)
and the approved values of the platform's monthly or quarterly programmes (targets: imported).

    v = indicator_view(db, who, "2025-06")     # or "2025-Q2"; v.rows: JSON-ready, worst colour first
    indicator_periods_of_month("2025-06")       # ['2025-06', '2025-Q2']: what a month's warnings look at
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from xianping.platform.audit.record import Actor
from xianping.platform.db.dispatch_models import IndicatorTarget, IndicatorValue
from xianping.platform.db.models import Unit, User
from xianping.platform.workflow.dispatch_measure import _rows
from xianping.platform.workflow.dispatch_scope import division
from xianping.problems import XianpingInputError

INDICATOR_FIELDS = ("unit_code", "name", "indicator", "period", "colour", "colour_label", "reported", "value",
                    "target_value", "share", "elapsed", "pace", "growth", "target_growth", "growth_vs_target",
                    "province_growth", "growth_vs_province")
ORDER = {"red": 0, "yellow": 1, "no_report": 2, "green": 3, "none": 4}
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$")


@dataclass
class IndicatorView:
    period: str
    province: str | None
    table: pd.DataFrame
    settings: dict

    @property
    def rows(self) -> list[dict[str, Any]]:
        return _rows(self.table, INDICATOR_FIELDS)

    def as_dict(self) -> dict[str, Any]:
        return {"period": self.period, "province": self.province, "settings": self.settings, "indicators": self.rows}


def indicator_periods_of_month(month: str) -> list[str]:
    """The month itself and, when it closes a quarter, the quarter."""
    k = int(month[5:7])
    return [month] + ([f"{month[:4]}-Q{k // 3}"] if k % 3 == 0 else [])


def programme_values(db: Session, division: str, year: int) -> pd.DataFrame:
    """Approved values of the platform's monthly and quarterly programmes (period_kind month/quarter) of `year` in the
    division, as monitoring values: the indicator is the programme's indicator code, the value the reported figure
    (taken as the year-to-date cumulative value, 1–m月累计, as monthly statistics are reported), no growth."""
    from xianping.platform.db.models import DataValue, Programme

    rows = db.execute(select(DataValue.unit_code, DataValue.indicator, DataValue.period, DataValue.value)
                      .join(Programme, Programme.id == DataValue.programme_id)
                      .where(Programme.period_kind.in_(("month", "quarter")), DataValue.status == "approved",
                             DataValue.value.is_not(None), DataValue.period.startswith(str(year)),
                             DataValue.unit_code.startswith(division, autoescape=True))).all()
    df = pd.DataFrame(rows, columns=["unit_code", "indicator", "period", "value"])
    # 2025Q2 / 2025-Q2 / 2025-06 → the monitoring contract's spelling
    df["period"] = df["period"].str.replace(r"^(\d{4})-?[Qq]([1-4])$", r"\1-Q\2", regex=True)
    return df.assign(growth=float("nan"))


def _with_programme_values(db: Session, division: str, year: int, imported: pd.DataFrame) -> pd.DataFrame:
    """The imported values, and a programme's approved values where no import gives the same unit, indicator and
    period (an import — the statistics office's figures with growth — wins)."""
    prog = programme_values(db, division, year)
    if prog.empty:
        return imported
    key = ["unit_code", "indicator", "period"]
    seen = pd.MultiIndex.from_frame(imported[key]) if len(imported) else pd.MultiIndex.from_tuples([], names=key)
    prog = prog[~pd.MultiIndex.from_frame(prog[key]).isin(seen)]
    return pd.concat([imported, prog[imported.columns if len(imported.columns) else prog.columns]], ignore_index=True)


def indicator_view(db: Session, who: User | Actor | None, period: str, *,
                   rules_file: Path | None = None) -> IndicatorView:
    from xianping.dispatch.evaluate_month import evaluate_indicators
    from xianping.dispatch.monitoring import validate_monitoring
    from xianping.dispatch.warning_rules import load_rules

    if not PERIOD.fullmatch(period or ""):
        raise XianpingInputError(f"--period {period!r}: expected YYYY-MM (a month) or YYYY-Qn (a quarter)")
    p = division(who)
    year = int(period[:4])
    empty = IndicatorView(period, None, pd.DataFrame(columns=list(INDICATOR_FIELDS)), {"period": period})
    if p is None:
        return empty
    # the province's own rows (code NN0000) are the comparison: the one province of the caller's division
    provinces = db.scalars(select(IndicatorValue.unit_code).distinct()
                           .where(IndicatorValue.unit_code.like("__0000"),
                                  IndicatorValue.unit_code.startswith(p[:2], autoescape=True))).all()
    province = provinces[0] if len(provinces) == 1 else None
    visible = or_(IndicatorValue.unit_code.startswith(p, autoescape=True), IndicatorValue.unit_code == (province or ""))
    vals = pd.read_sql(select(IndicatorValue.unit_code, IndicatorValue.indicator, IndicatorValue.period,
                              IndicatorValue.value, IndicatorValue.growth)
                       .where(visible, IndicatorValue.period.startswith(f"{year}-")), db.connection())
    vals = _with_programme_values(db, p, year, vals)
    if vals.empty:
        return empty
    tgts = pd.read_sql(select(IndicatorTarget.unit_code, IndicatorTarget.indicator, IndicatorTarget.year,
                              IndicatorTarget.target_value, IndicatorTarget.target_growth)
                       .where(IndicatorTarget.unit_code.startswith(p, autoescape=True),
                              IndicatorTarget.year == year), db.connection())
    frames = validate_monitoring(vals, tgts, sources={"values": "indicator_values", "targets": "indicator_targets"})
    t = evaluate_indicators(frames, period, load_rules(rules_file), province=province)
    t = t[t["unit_code"].str.startswith(p)]   # the province is the comparison, never a row (monitor leaves it out)
    names = dict(db.execute(select(Unit.code, Unit.name)).all())
    t = t.assign(name=t["unit_code"].map(names).fillna(""), _o=t["colour"].map(ORDER))
    t = t.sort_values(["_o", "unit_code", "indicator"]).drop(columns="_o").reset_index(drop=True)
    settings = {"period": period, "province": province,
                "rules": str(rules_file) if rules_file else "builtin/warnings.yaml",
                "value": "year-to-date cumulative (1–m月累计)",
                "share": "value ÷ the year's target × 100", "pace": "share − elapsed share of the year (k/12)",
                "growth_vs_target": "growth − target growth (points)",
                "growth_vs_province": "growth − the province's growth, same indicator and period (points)"}
    return IndicatorView(period, province, t, settings)


__all__ = ["IndicatorView", "indicator_view", "indicator_periods_of_month", "INDICATOR_FIELDS"]
