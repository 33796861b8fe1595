"""监测: monthly and quarterly indicator values against the year's targets and the provincial average growth.

Input tables (validated here with located problems, as `frames` does for projects):
values — unit_code (6 digits; the province's own code for its figures) · indicator (text) · period ('YYYY-MM' for a
    month, 'YYYY-Qn' for a quarter) · value (the year-to-date cumulative value, 1–m月累计, as statistics publish it;
    blank when only the growth is known) · growth (% 同比 year to date; blank when not published)
targets — unit_code · indicator · year · target_value (the year's target for the cumulative value; blank if none) ·
    target_growth (the year's growth target, %; blank if none)

Measures per (unit, indicator) and period (month k of 12, quarter q = month 3q):
- elapsed (%): k ÷ 12 × 100 (or by days, `elapsed="days"`, as in measures.elapsed_share)
- share (%) = value ÷ target_value × 100; pace (points) = share − elapsed: "时间过半、任务过半" is pace ≥ 0 at June
- growth_vs_target (points) = growth − target_growth
- growth_vs_province (points) = growth − the province's growth for the same indicator and period (the row whose
  unit_code is `province`); missing when the province's row is missing.
A period without a row is missing (never zero): every measure of it is NaN and `reported` is false.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Mapping

import numpy as np
import pandas as pd

from xianping.problems import ProblemReport

from .frames import _blank, _Checker, _text
from .measures import ElapsedConvention, elapsed_share

__all__ = ["VALUE_COLUMNS", "TARGET_COLUMNS", "MonitoringFrames", "Monitoring", "validate_monitoring", "monitor",
           "parse_period"]

VALUE_COLUMNS = ("unit_code", "indicator", "period", "value", "growth")
TARGET_COLUMNS = ("unit_code", "indicator", "year", "target_value", "target_growth")
Frequency = Literal["month", "quarter"]
_PERIOD_MONTH = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{1,2})\s*$")
_PERIOD_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]\s*([1-4])\s*$")


def parse_period(s: pd.Series) -> pd.DataFrame:
    """'YYYY-MM' or 'YYYY-Qn' → columns year, frequency ('month'|'quarter'), step (month 1…12 or quarter 1…4);
    rows that are neither have NaN year."""
    txt = s.astype(str)
    m = txt.str.extract(_PERIOD_MONTH).apply(pd.to_numeric, errors="coerce")
    q = txt.str.extract(_PERIOD_QUARTER).apply(pd.to_numeric, errors="coerce")
    is_m = m[0].notna() & m[1].between(1, 12)
    is_q = ~is_m & q[0].notna()
    return pd.DataFrame({"year": np.where(is_m, m[0], np.where(is_q, q[0], np.nan)),
                         "frequency": np.where(is_m, "month", np.where(is_q, "quarter", None)),
                         "step": np.where(is_m, m[1], np.where(is_q, q[1], np.nan))}, index=s.index)


def _number(chk: _Checker, s: pd.Series, col: str) -> np.ndarray:
    """A number that may be blank (NaN) or negative (a growth rate)."""
    blank = _blank(s)
    num = pd.to_numeric(s.astype(str).str.replace(",", "", regex=False).str.replace("%", "", regex=False)
                        .str.strip().where(~blank, None), errors="coerce").to_numpy(dtype=float)
    chk.flag(~blank & np.isnan(num), "wrong_type", col, s, f"{col} is not a number", "a number (or blank)")
    chk.flag(np.isinf(num), "not_finite", col, s, f"{col} is not finite", "a finite number")
    return np.where(np.isinf(num), np.nan, num)


def _code(chk: _Checker, s: pd.Series) -> pd.Series:
    code = _text(s.map(lambda v: str(int(v)) if isinstance(v, (int, np.integer)) else v))
    chk.flag(~code.str.fullmatch(r"\d{6}").to_numpy(), "bad_code", "unit_code", s,
             "unit_code is not a 6-digit GB/T 2260 code", "a code such as 410821 (or 410000 for the province)")
    return code


@dataclass
class MonitoringFrames:
    values: pd.DataFrame  # + year, frequency, step
    targets: pd.DataFrame


def validate_monitoring(values: pd.DataFrame, targets: pd.DataFrame, *,
                        sources: Mapping[str, str] | None = None) -> MonitoringFrames:
    """Validate and normalise; raises XianpingInputError with every located problem of both tables."""
    sources = sources or {}
    report = ProblemReport()
    chk = _Checker("values", values.reset_index(drop=True), report, sources.get("values"))
    tchk = _Checker("targets", targets.reset_index(drop=True), report, sources.get("targets"))
    chk.missing_columns(values, VALUE_COLUMNS)
    tchk.missing_columns(targets, TARGET_COLUMNS)
    report.raise_if_errors("the monitoring tables (values, targets) have errors")
    v = values.reset_index(drop=True)
    out = pd.DataFrame({"unit_code": _code(chk, v["unit_code"]), "indicator": _text(v["indicator"])})
    chk.flag(out["indicator"].eq("").to_numpy(), "missing_value", "indicator", v["indicator"], "indicator is blank",
             "an indicator name")
    per = parse_period(v["period"])
    chk.flag(per["year"].isna().to_numpy(), "bad_period", "period", v["period"], "period is neither a month nor a "
             "quarter", "YYYY-MM (a month) or YYYY-Qn (a quarter)")
    out["period"] = _text(v["period"])
    out["year"] = per["year"].fillna(0).astype(int)
    out["frequency"] = per["frequency"]
    out["step"] = per["step"].fillna(0).astype(int)
    out["value"] = _number(chk, v["value"], "value")
    out["growth"] = _number(chk, v["growth"], "growth")
    chk.flag(_blank(v["value"]) & _blank(v["growth"]), "missing_value", "value",
             v["value"], "neither value nor growth is given", "a value, a growth rate or both (a period without "
             "figures has no row)")
    dup = out.duplicated(["unit_code", "indicator", "year", "frequency", "step"]).to_numpy() & per["year"].notna()
    chk.flag(dup.to_numpy(), "duplicate_value", "period", v["period"], "the unit reports this indicator twice for "
             "the period", "one row per unit, indicator and period")

    t = targets.reset_index(drop=True)
    tout = pd.DataFrame({"unit_code": _code(tchk, t["unit_code"]), "indicator": _text(t["indicator"])})
    year = pd.to_numeric(t["year"], errors="coerce")
    bad_year = (year.isna() | (year != year.round()) | (year < 1990) | (year > 2100)).to_numpy()
    tchk.flag(bad_year, "bad_year", "year", t["year"], "year is not a calendar year", "a year such as 2024")
    tout["year"] = year.where(~bad_year, 0).astype(int)
    tout["target_value"] = _number(tchk, t["target_value"], "target_value")
    tout["target_growth"] = _number(tchk, t["target_growth"], "target_growth")
    tchk.flag((tout["target_value"] <= 0).to_numpy(), "out_of_range", "target_value", t["target_value"],
              "target_value is not positive", "a positive annual target (or blank)")
    tdup = tout.duplicated(["unit_code", "indicator", "year"]).to_numpy()
    tchk.flag(tdup, "duplicate_target", "indicator", t["indicator"], "a second target for the unit, indicator and "
              "year", "one target row per unit, indicator and year")
    report.raise_if_errors("the monitoring tables (values, targets) have errors")
    return MonitoringFrames(out, tout)


@dataclass
class Monitoring:
    """Indicator measures for one year and one frequency: arrays (entities, periods)."""

    year: int
    frequency: Frequency
    entities: pd.DataFrame  # unit_code, indicator (the province's own rows are the comparison, not entities)
    elapsed: np.ndarray  # (T,) %
    reported: np.ndarray
    value: np.ndarray
    growth: np.ndarray
    target_value: np.ndarray  # (E,)
    target_growth: np.ndarray  # (E,)
    province_growth: np.ndarray  # (E, T)
    share: np.ndarray
    pace: np.ndarray
    growth_vs_target: np.ndarray
    growth_vs_province: np.ndarray
    settings: dict

    def period_table(self, step: int) -> pd.DataFrame:
        j = step - 1
        t = self.entities.copy()
        t["period"] = (f"{self.year}-{step:02d}" if self.frequency == "month" else f"{self.year}-Q{step}")
        t["reported"] = self.reported[:, j]
        for name in ("value", "growth", "province_growth", "share", "pace", "growth_vs_target",
                     "growth_vs_province"):
            t[name] = getattr(self, name)[:, j]
        t["target_value"] = self.target_value
        t["target_growth"] = self.target_growth
        t["elapsed"] = self.elapsed[j]
        return t


def monitor(frames: MonitoringFrames, year: int, frequency: Frequency = "month", *, province: str | None = None,
            elapsed: ElapsedConvention = "months") -> Monitoring:
    """Measures of every (unit, indicator) reported at `frequency` in `year` (see the module's definitions)."""
    steps = 12 if frequency == "month" else 4
    v = frames.values
    v = v[(v["year"] == year) & (v["frequency"] == frequency)]
    units = v[v["unit_code"] != province] if province else v
    ent = units[["unit_code", "indicator"]].drop_duplicates().sort_values(["unit_code", "indicator"])
    ent = ent.reset_index(drop=True)
    key = pd.MultiIndex.from_frame(ent)
    e = len(ent)
    reported = np.zeros((e, steps), dtype=bool)
    value = np.full((e, steps), np.nan)
    growth = np.full((e, steps), np.nan)
    i = key.get_indexer(pd.MultiIndex.from_frame(units[["unit_code", "indicator"]]))
    j = units["step"].to_numpy() - 1
    reported[i, j] = True
    value[i, j] = units["value"].to_numpy(dtype=float)
    growth[i, j] = units["growth"].to_numpy(dtype=float)

    t = frames.targets[frames.targets["year"] == year]
    tk = pd.MultiIndex.from_frame(t[["unit_code", "indicator"]])
    ti = tk.get_indexer(key) if len(t) else np.full(e, -1)
    target_value = np.where(ti >= 0, t["target_value"].to_numpy(dtype=float)[np.maximum(ti, 0)] if len(t) else 0,
                            np.nan)
    target_growth = np.where(ti >= 0, t["target_growth"].to_numpy(dtype=float)[np.maximum(ti, 0)] if len(t) else 0,
                             np.nan)

    province_growth = np.full((e, steps), np.nan)
    if province:
        pv = v[v["unit_code"] == province]
        if len(pv):
            indicators = pd.Index(pv["indicator"].unique())
            pg = np.full((len(indicators), steps), np.nan)
            pg[indicators.get_indexer(pv["indicator"]), pv["step"].to_numpy() - 1] = pv["growth"].to_numpy(float)
            k = indicators.get_indexer(ent["indicator"])
            province_growth = np.where((k >= 0)[:, None], pg[np.maximum(k, 0)], np.nan)

    share_all = elapsed_share(year, elapsed)
    el = share_all if frequency == "month" else share_all[2::3]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = value / target_value[:, None] * 100
    settings = {"year": year, "frequency": frequency, "province": province, "elapsed": elapsed,
                "value": "year-to-date cumulative (1–m月累计)"}
    return Monitoring(year=year, frequency=frequency, entities=ent, elapsed=el, reported=reported, value=value,
                      growth=growth, target_value=target_value, target_growth=target_growth,
                      province_growth=province_growth, share=share, pace=share - el[None, :],
                      growth_vs_target=growth - target_growth[:, None], growth_vs_province=growth - province_growth,
                      settings=settings)

