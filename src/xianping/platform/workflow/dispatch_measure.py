"""A month's dispatch measures and colours over the platform's approved reports: xianping.dispatch.measures on the
frames dispatch_load reads (one SELECT per table), coloured by xianping.dispatch.warning_rules (the builtin rules,
or a YAML file given).

    m = month_view(db, who, "2025-06")        # m.counties / m.projects: DataFrames with measures and colour
    m.county_rows()                            # JSON-ready rows: completion, pace, start rate, colour …
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from xianping.platform.audit.record import Actor
from xianping.platform.db.models import Unit, User
from xianping.problems import XianpingInputError

COUNTY_FIELDS = ("unit_code", "name", "colour", "colour_label", "report_state", "completion", "pace", "start_rate",
                 "on_time_rate", "funds_rate", "in_statistics_rate", "n_projects", "n_due_report", "n_reported",
                 "n_no_report", "n_closed", "plan_all",
                 "plan_reported", "ytd_reported", "funds_reported")
PROJECT_FIELDS = ("project_id", "name", "unit_code", "sector", "kind", "status", "colour", "colour_label",
                  "annual_plan", "investment_ytd", "completion", "elapsed", "pace", "funds_rate", "started", "finished")


@dataclass
class MonthView:
    month: str
    elapsed: float
    counties: pd.DataFrame
    projects: pd.DataFrame
    sectors: pd.DataFrame
    total: pd.DataFrame
    settings: dict

    def county_rows(self) -> list[dict[str, Any]]:
        return _rows(self.counties, COUNTY_FIELDS)

    def project_rows(self) -> list[dict[str, Any]]:
        return _rows(self.projects, PROJECT_FIELDS)

    def as_dict(self, projects: bool = False) -> dict[str, Any]:
        out = {"month": self.month, "elapsed": _plain(self.elapsed), "settings": self.settings,
               "total": _rows(self.total, tuple(c for c in COUNTY_FIELDS if c in self.total.columns))[0]
               if len(self.total) else None,
               "counties": self.county_rows(),
               "sectors": _rows(self.sectors, tuple(c for c in self.sectors.columns))}
        if projects:
            out["projects"] = self.project_rows()
        return out


def _plain(v: Any) -> Any:
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None   # missing (no report, no plan) — never 0
    if isinstance(v, float):
        return round(v, 6)
    return v


def _rows(df: pd.DataFrame, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    cols = [c for c in fields if c in df.columns]
    return [{c: _plain(v) for c, v in zip(cols, vals)} for vals in df[cols].itertuples(index=False, name=None)]


def check_month(month: str) -> tuple[int, int]:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month or ""):
        raise XianpingInputError(f"--month {month!r}: not a month; expected YYYY-MM such as 2025-06")
    return int(month[:4]), int(month[5:7])


def month_view(db: Session, who: User | Actor | None, month: str, *, rules_file: Path | None = None,
               statuses: tuple[str, ...] = ("approved",)) -> MonthView:
    from xianping.dispatch.measures import project_table, year_measures
    from xianping.dispatch.warning_rules import LABELS, COLOURS, group_colours, load_rules, project_colours
    from xianping.platform.workflow.dispatch_load import load_frames

    year, k = check_month(month)
    rules = load_rules(rules_file)
    frames = load_frames(db, who, statuses=statuses, year=year)
    ym = year_measures(frames, year)
    names = dict(db.execute(select(Unit.code, Unit.name).where(Unit.kind == "county")).all())

    projects = project_table(ym, k)
    pc = COLOURS[project_colours(ym, rules)[:, k - 1]]
    projects["colour"], projects["colour_label"] = pc, [LABELS[c] for c in pc]

    gm = ym.groups("unit_code")
    counties = gm.month_table(k)
    cc = COLOURS[group_colours(gm, rules)[:, k - 1]] if len(gm.keys) else []
    counties["colour"] = list(cc)
    counties["colour_label"] = [LABELS[c] for c in cc]
    counties["name"] = counties["unit_code"].map(names).fillna("")
    # the counties ranked as the notices rank them: completion of the plan, highest first (no figure last)
    counties = counties.sort_values(["completion", "unit_code"], ascending=[False, True], na_position="last")
    sectors = ym.groups("sector").month_table(k)
    total = ym.groups(None).month_table(k)
    settings = dict(ym.settings, month=month, rules=str(rules_file) if rules_file else "builtin/warnings.yaml",
                    reported_rule="n_reported counts the projects due to report in the month (n_due_report: not "
                                  "finished earlier) whose report is in; a county with report_state none_received "
                                  "(reports due, none in) or none_due (all finished earlier) has no completion, "
                                  "pace or funds rate for the month",
                    reports=list(statuses))
    return MonthView(month, float(ym.elapsed[k - 1]), counties.reset_index(drop=True), projects, sectors, total,
                     settings)
