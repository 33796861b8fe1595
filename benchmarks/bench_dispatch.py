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

from xianping.dispatch.evaluate_month import evaluate_month
from xianping.dispatch.frames import validate_frames
from xianping.dispatch.measures import year_measures
from xianping.dispatch.synthetic import YEAR, made_up_year
from xianping.dispatch.warning_rules import builtin_rules, group_colours, project_colours


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
    projects, plans, reports = made_up_year(a.projects)
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
