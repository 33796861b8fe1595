"""监测预警 colours: rules written in YAML (builtin/warnings.yaml) applied to projects, counties and indicators.

A rule names a measure and two thresholds on how far behind the entity is:
    behind = −value for pace measures (pace, growth_vs_target, growth_vs_province: points behind),
             target − value for rate measures (start_rate, on_time_rate, funds_rate, in_statistics_rate).
    绿 green  behind ≤ yellow_behind_more_than (on pace or ahead is green)
    黄 yellow behind > yellow_behind_more_than
    红 red    behind > red_behind_more_than, or yellow (or worse) in each of the last
              `red_when_yellow_months_running` periods, this one included (null: no such escalation)
Comparisons are made on `behind` rounded to 1e-9 points, so that 30 % computed as 0.3 × 100 = 30.000000000000004
does not fall on the wrong side of a boundary. A period where the rule's measure is missing breaks a run; runs do
not reach back into the previous year (year-to-date figures restart in January).
An entity's colour is the worst over its rules that apply; 无报告 (no report) overrides it for a project without the
month's report and for a county none of whose projects due to report did (one whose projects all finished
earlier is not "no report": nothing was due); a project finished in an earlier month is
not warned; 'none' when nothing applies (a project not
on the year's list, an indicator without target or comparison).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from xianping.problems import ProblemReport, XianpingInputError

from .measures import GroupMeasures, YearMeasures
from .monitoring import Monitoring

__all__ = ["WarningRules", "Rule", "load_rules", "rules_from_text", "builtin_rules", "colour_codes",
           "project_colours", "group_colours", "indicator_colours", "COLOURS", "LABELS",
           "GREEN", "YELLOW", "RED", "NO_REPORT", "NONE"]

GREEN, YELLOW, RED, NO_REPORT, NONE = 0, 1, 2, 3, 4
COLOURS = np.array(["green", "yellow", "red", "no_report", "none"], dtype=object)
LABELS = {"green": "绿 green", "yellow": "黄 yellow", "red": "红 red", "no_report": "无报告 no report", "none": "—"}
PACE_MEASURES = ("pace", "growth_vs_target", "growth_vs_province")
RATE_MEASURES = ("start_rate", "on_time_rate", "funds_rate", "in_statistics_rate")
ROUND = 9


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    measure: str
    target: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    yellow_behind_more_than: float = Field(ge=0, allow_inf_nan=False)
    red_behind_more_than: float = Field(ge=0, allow_inf_nan=False)
    red_when_yellow_months_running: int | None = Field(default=None, ge=2, le=12)
    label: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "Rule":
        if self.red_behind_more_than <= self.yellow_behind_more_than:
            raise ValueError(f"[threshold_order] red_behind_more_than ({self.red_behind_more_than:g}) must exceed "
                             f"yellow_behind_more_than ({self.yellow_behind_more_than:g}) | expected red > yellow")
        if self.measure in RATE_MEASURES and self.target is None:
            raise ValueError(f"[missing_target] the rate measure {self.measure} needs a target (e.g. target: 90) | "
                             "expected target: a rate in %")
        if self.measure in PACE_MEASURES and self.target is not None:
            raise ValueError(f"[unexpected_target] {self.measure} is compared with the calendar or a comparison, "
                             "not a target | expected no target key")
        return self


def _section(allowed: tuple[str, ...]):
    class SectionRule(Rule):
        @model_validator(mode="before")
        @classmethod
        def _measure(cls, data: Any) -> Any:
            if isinstance(data, dict) and "measure" in data and data["measure"] not in allowed:
                raise ValueError(f"[invalid_choice] measure {data['measure']!r} does not apply here | expected "
                                 f"one of {', '.join(allowed)}")
            return data
    return SectionRule


ProjectRule = _section(("pace",))
CountyRule = _section(("pace",) + RATE_MEASURES)
IndicatorRule = _section(PACE_MEASURES)


class WarningRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Literal[1]
    name: str = "warning rules"
    projects: list[ProjectRule] = Field(min_length=1)  # type: ignore[valid-type]
    counties: list[CountyRule] = Field(min_length=1)  # type: ignore[valid-type]
    indicators: list[IndicatorRule] = Field(min_length=1)  # type: ignore[valid-type]


def rules_from_text(text: str, file: str = "warnings.yaml") -> WarningRules:
    """Parse and validate a rule file's text; every problem located (file, line, key path)."""
    from xianping.frameworks.located import pydantic_problems
    from xianping.frameworks.yaml_lines import YamlSyntaxError, load_with_lines

    try:
        data, lines = load_with_lines(text)
    except YamlSyntaxError as e:
        raise XianpingInputError(f"warning rules {file}: not valid YAML", ProblemReport(e.problems(file))) from None
    if not isinstance(data, dict):
        report = ProblemReport()
        report.add("not_a_mapping", "a warning-rule file is a mapping with version, projects, counties and "
                   "indicators", file=file, row=1, value=type(data).__name__,
                   expected="version: 1, projects: [...], counties: [...], indicators: [...]")
        raise XianpingInputError(f"warning rules {file} are not valid", report)
    try:
        return WarningRules.model_validate(data)
    except ValidationError as err:
        raise XianpingInputError(f"warning rules {file} are not valid",
                                 ProblemReport(pydantic_problems(err, file, lines))) from None


def load_rules(path: str | Path | None = None) -> WarningRules:
    """A rule file, or the builtin rules when `path` is None."""
    if path is None:
        return builtin_rules()
    from xianping.ingest.read_text import read_text

    return rules_from_text(read_text(path, "warning rules"), str(path))


def builtin_rules() -> WarningRules:
    text = resources.files("xianping.dispatch").joinpath("builtin/warnings.yaml").read_text(encoding="utf-8")
    return rules_from_text(text, "builtin/warnings.yaml")


def colour_codes(behind: np.ndarray, rule: Rule) -> np.ndarray:
    """Codes (…, T) of one rule from how far behind each entity is in each period (NaN: NONE)."""
    b = np.round(np.asarray(behind, dtype=float), ROUND)
    has = ~np.isnan(b)
    with np.errstate(invalid="ignore"):
        yellow = has & (b > rule.yellow_behind_more_than)
        red = has & (b > rule.red_behind_more_than)
    n = rule.red_when_yellow_months_running
    if n:
        run = yellow.copy()
        for lag in range(1, n):  # yellow now and in each of the n − 1 periods before
            shifted = np.zeros_like(yellow)
            shifted[..., lag:] = yellow[..., :-lag]
            run &= shifted
        red |= run
    return np.where(red, RED, np.where(yellow, YELLOW, np.where(has, GREEN, NONE))).astype(np.int8)


def _worst(codes: list[np.ndarray]) -> np.ndarray:
    """Worst colour over rules; NONE only where no rule applies."""
    stack = np.stack(codes)
    graded = np.where(stack == NONE, -1, stack)
    worst = graded.max(axis=0)
    return np.where(worst < 0, NONE, worst).astype(np.int8)


def _behind(rule: Rule, value: np.ndarray) -> np.ndarray:
    return (rule.target - value) if rule.measure in RATE_MEASURES else -value


def project_colours(ym: YearMeasures, rules: WarningRules) -> np.ndarray:
    """(projects, 12) codes: the rules on each project's measures; NO_REPORT where listed and not reported."""
    codes = _worst([colour_codes(_behind(r, getattr(ym, r.measure)), r) for r in rules.projects])
    codes = np.where(ym.in_list & ~ym.reported, NO_REPORT, codes)
    return np.where(ym.in_list & ~ym.closed, codes, NONE).astype(np.int8)  # a finished project is not warned


def group_colours(gm: GroupMeasures, rules: WarningRules) -> np.ndarray:
    """(groups, 12) codes for counties (or sectors): NO_REPORT where projects are listed and none reported."""
    codes = _worst([colour_codes(_behind(r, getattr(gm, r.measure)), r) for r in rules.counties])
    silent = (gm.sums["n_due_report"] > 0) & (gm.sums["n_reported"] == 0)   # reports due, none in
    codes = np.where(silent, NO_REPORT, codes)
    return np.where(gm.sums["n_projects"] > 0, codes, NONE).astype(np.int8)


def indicator_colours(mon: Monitoring, rules: WarningRules) -> np.ndarray:
    """(entities, periods) codes; NO_REPORT where the entity has other periods but not this one (up to the latest
    reported period of the year: later periods are not due yet)."""
    codes = _worst([colour_codes(_behind(r, getattr(mon, r.measure)), r) for r in rules.indicators])
    last = np.where(mon.reported.any(axis=0))[0]
    due = np.arange(mon.reported.shape[1]) <= (last.max() if last.size else -1)
    codes = np.where(due[None, :] & ~mon.reported, NO_REPORT, codes)
    return codes.astype(np.int8)


def colour_table(keys: pd.DataFrame, codes: np.ndarray, k: int) -> pd.DataFrame:
    """Period k's (1-based) colours beside the entities' keys, with the Chinese label."""
    out = keys.reset_index(drop=True).copy()
    names = COLOURS[codes[:, k - 1]]
    out["colour"] = names
    out["colour_label"] = pd.Series(names).map(LABELS).to_numpy()
    return out
