#!/usr/bin/env python
"""月调度 measures and warnings: 5,000 projects × 12 months recomputed (target ≤ 1 s, issue 16).

Made-up projects (seeded) over 100 county codes in 8 sectors; 3 % of the monthly reports missing, 10 % of the plans
revised in July, a quarter of the projects new. Timed, each the median of --repeat runs:
  validate   frames.validate_frames on the three tables (what an import pays once)
  recompute  measures.year_measures + county and sector groups + project and group colours for the 12 months
             (what "recomputed" means in the issue: the whole year's measures and warnings)
  month      evaluate_month for December (the recompute plus the month's tables with colour labels)
The machine's load average is printed before and after, with the command and the git commit.

    .venv/bin/python benchmarks/bench_dispatch.py [--projects 5000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import pandas as pd

from xianping.dispatch.evaluate_month import evaluate_month
from xianping.dispatch.frames import validate_frames
from xianping.dispatch.measures import year_measures
from xianping.dispatch.warning_rules import builtin_rules, group_colours, project_colours

YEAR = 2024


def make_tables(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = np.array([f"X{i:05d}" for i in range(n)])
    counties = np.array([f"41{p:02d}{c:02d}" for p in range(1, 11) for c in range(21, 31)])
    new = rng.random(n) < 0.25
    start = np.where(new, pd.Timestamp(f"{YEAR}-01-01").value + rng.integers(0, 300, n) * 86_400 * 10**9,
                     pd.Timestamp(f"{YEAR - 1}-06-01").value)
    finish = start + rng.integers(200, 900, n) * 86_400 * 10**9
    plan = rng.uniform(500, 50_000, n).round(2)
    projects = pd.DataFrame({
        "project_id": ids, "name": [f"虚构项目{i}" for i in range(n)], "unit_code": rng.choice(counties, n),
        "sector": rng.choice(["工业", "服务业", "基础设施", "农业", "社会民生", "能源", "交通", "文旅"], n),
        "kind": np.where(new, "new", "continuing"), "total_investment": (plan * 3).round(2),
        "plan_start": pd.to_datetime(start).normalize(), "plan_finish": pd.to_datetime(finish).normalize(),
        "actual_start": pd.to_datetime(np.where(new, np.datetime64("NaT"), pd.to_datetime(start))),
        "actual_finish": pd.NaT, "in_statistics": rng.random(n) < 0.8, "cluster": None,
        "responsible_unit": "示例单位", "responsible_person": "张三"})
    revised = rng.random(n) < 0.10
    plans = pd.concat([
        pd.DataFrame({"project_id": ids, "year": YEAR, "effective_month": f"{YEAR}-01", "annual_plan": plan}),
        pd.DataFrame({"project_id": ids[revised], "year": YEAR, "effective_month": f"{YEAR}-07",
                      "annual_plan": (plan[revised] * 0.8).round(2)})], ignore_index=True)
    monthly = (plan[:, None] / 12 * rng.uniform(0.5, 1.4, (n, 12))).round(2)
    ytd = monthly.cumsum(axis=1).round(2)
    keep = rng.random((n, 12)) >= 0.03
    pi, mi = np.nonzero(keep)
    reports = pd.DataFrame({
        "project_id": ids[pi], "month": [f"{YEAR}-{m + 1:02d}" for m in mi], "investment_month": monthly[pi, mi],
        "investment_ytd": ytd[pi, mi], "investment_cumulative": (ytd[pi, mi] + plan[pi]).round(2),
        "funds_in_place": (ytd[pi, mi] * 0.9).round(2), "started": new[pi] & (mi == 3), "finished": False,
        "progress": "", "problems": ""})
    return projects, plans, reports


def recompute(frames, rules):
    ym = year_measures(frames, YEAR)
    counties, sectors = ym.groups("unit_code"), ym.groups("sector")
    return project_colours(ym, rules), group_colours(counties, rules), group_colours(sectors, rules)


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"command: {' '.join([os.path.basename(sys.executable)] + sys.argv)}  (commit {commit})")
    print(f"load average before: {os.getloadavg()}  cpus: {os.cpu_count()}")
    projects, plans, reports = make_tables(a.projects)
    print(f"{len(projects):,} projects, {len(plans):,} plan rows, {len(reports):,} reports "
          f"({a.projects * 12 - len(reports):,} project-months without a report)")
    rules = builtin_rules()
    t_val, _, frames = timed(lambda: validate_frames(projects, plans, reports), a.repeat)
    t_rec, all_rec, (pc, cc, sc) = timed(lambda: recompute(frames, rules), a.repeat)
    t_month, _, month = timed(lambda: evaluate_month(frames, f"{YEAR}-12", rules), a.repeat)
    print(f"validate : {t_val:.3f} s (median of {a.repeat})")
    print(f"recompute: {t_rec:.3f} s (median of {a.repeat}; runs {', '.join(f'{t:.3f}' for t in all_rec)}) "
          f"target ≤ 1 s: {'met' if t_rec <= 1 else 'NOT met'}")
    print(f"month    : {t_month:.3f} s (evaluate_month, December tables with colours)")
    colours, counts = np.unique(month.projects["colour"], return_counts=True)
    print("December projects by colour:", dict(zip(colours.tolist(), counts.tolist())),
          f"| counties: {len(month.counties)}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
