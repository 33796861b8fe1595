"""A made-up dispatch year (projects, plans, reports in the frames contract), seeded: for the benchmark and for the
cross-check of the vectorised measures against pandas. Every project is fictitious and named as such (虚构项目).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

__all__ = ["made_up_year", "YEAR"]

YEAR = 2024


def made_up_year(n: int, seed: int = 0, year: int = YEAR, counties: Sequence[str] | None = None,
                 missing_share: float = 0.03) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(projects, plans, reports) of `n` made-up projects for `year` (seeded): a quarter new, 10 % of the plans
    revised in July, `missing_share` of the project-months without a report. `counties`: the codes to spread them
    over (default 100 codes of the form 41pp2c, not checked against GB/T 2260)."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"X{i:05d}" for i in range(n)])
    counties = np.array(list(counties) if counties is not None else
                        [f"41{p:02d}{c:02d}" for p in range(1, 11) for c in range(21, 31)])
    new = rng.random(n) < 0.25
    start = np.where(new, pd.Timestamp(f"{year}-01-01").value + rng.integers(0, 300, n) * 86_400 * 10**9,
                     pd.Timestamp(f"{year - 1}-06-01").value)
    finish = start + rng.integers(200, 900, n) * 86_400 * 10**9
    plan = rng.uniform(500, 50_000, n).round(2)
    projects = pd.DataFrame({
        "project_id": ids, "name": [f"虚构项目{i} (made up)" for i in range(n)], "unit_code": rng.choice(counties, n),
        "sector": rng.choice(["工业", "服务业", "基础设施", "农业", "社会民生", "能源", "交通", "文旅"], n),
        "kind": np.where(new, "new", "continuing"), "total_investment": (plan * 3).round(2),
        "plan_start": pd.to_datetime(start).normalize(), "plan_finish": pd.to_datetime(finish).normalize(),
        "actual_start": pd.to_datetime(np.where(new, np.datetime64("NaT"), pd.to_datetime(start))),
        "actual_finish": pd.NaT, "in_statistics": rng.random(n) < 0.8, "cluster": None,
        "responsible_unit": "示例单位", "responsible_person": "张三"})
    revised = rng.random(n) < 0.10
    plans = pd.concat([
        pd.DataFrame({"project_id": ids, "year": year, "effective_month": f"{year}-01", "annual_plan": plan}),
        pd.DataFrame({"project_id": ids[revised], "year": year, "effective_month": f"{year}-07",
                      "annual_plan": (plan[revised] * 0.8).round(2)})], ignore_index=True)
    monthly = (plan[:, None] / 12 * rng.uniform(0.5, 1.4, (n, 12))).round(2)
    ytd = monthly.cumsum(axis=1).round(2)
    keep = rng.random((n, 12)) >= missing_share
    pi, mi = np.nonzero(keep)
    reports = pd.DataFrame({
        "project_id": ids[pi], "month": [f"{year}-{m + 1:02d}" for m in mi], "investment_month": monthly[pi, mi],
        "investment_ytd": ytd[pi, mi], "investment_cumulative": (ytd[pi, mi] + plan[pi]).round(2),
        "funds_in_place": (ytd[pi, mi] * 0.9).round(2), "started": new[pi] & (mi == 3), "finished": False,
        "progress": "", "problems": ""})
    return projects, plans, reports
