"""The vectorised measures (arrays projects × 12, bincount sums) against a second, independent computation from
the long tables with pandas (merge_asof for the plan in force, groupby sums), on seeded random years with missing
months, mid-year revisions and finished projects."""

import numpy as np
import pandas as pd
import pytest

from xianping.dispatch.frames import validate_frames
from xianping.dispatch.measures import year_measures

from xianping.dispatch.synthetic import YEAR, made_up_year


def _reference_county_completion(frames, month: str) -> pd.DataFrame:
    """Σytd ÷ Σplan over the projects that reported `month` and have a plan in force, straight from the tables."""
    plans = frames.plans[frames.plans["year"] == YEAR].sort_values("effective_month")
    rep = frames.reports[frames.reports["month"] == month]
    cand = plans[plans["effective_month"] <= month]
    in_force = cand.groupby("project_id").tail(1)[["project_id", "annual_plan"]]  # latest effective ≤ month
    df = rep.merge(in_force, on="project_id").merge(frames.projects[["project_id", "unit_code"]], on="project_id")
    g = df.groupby("unit_code").agg(ytd=("investment_ytd", "sum"), plan=("annual_plan", "sum"))
    listed = in_force.merge(frames.projects[["project_id", "unit_code"]], on="project_id")
    n_listed = listed.groupby("unit_code").size()
    g["completion"] = g["ytd"] / g["plan"] * 100
    g["n_no_report"] = n_listed.reindex(g.index) - df.groupby("unit_code").size()
    return g


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_county_completion_matches_pandas(seed):
    projects, plans, reports = made_up_year(300, seed=seed)  # no finished projects: every missing month is missing
    frames = validate_frames(projects, plans, reports)
    ym = year_measures(frames, YEAR)
    g = ym.groups("unit_code")
    keys = list(g.keys)
    for k in (1, 6, 7, 12):  # July: the revisions take effect
        ref = _reference_county_completion(frames, f"{YEAR}-{k:02d}")
        got = g.completion[[keys.index(c) for c in ref.index], k - 1]
        np.testing.assert_allclose(got, ref["completion"].to_numpy(), rtol=1e-12)
        np.testing.assert_array_equal(g.sums["n_no_report"][[keys.index(c) for c in ref.index], k - 1],
                                      ref["n_no_report"].to_numpy())


def test_project_pace_matches_a_loop():
    projects, plans, reports = made_up_year(60, seed=5)
    frames = validate_frames(projects, plans, reports)
    ym = year_measures(frames, YEAR)
    ids = list(ym.projects["project_id"])
    for r in frames.reports.itertuples():  # one report at a time, from the definitions
        k = int(r.month[5:7])
        p = frames.plans[(frames.plans.project_id == r.project_id) & (frames.plans.effective_month <= r.month)]
        plan = p.sort_values("effective_month")["annual_plan"].iloc[-1]
        assert ym.pace[ids.index(r.project_id), k - 1] == pytest.approx(r.investment_ytd / plan * 100 - k / 12 * 100)
