#!/usr/bin/env python
"""月度通报 (the monthly brief): written for 5,000 projects (target ≤ 5 s, issue 16).

The made-up year of dispatch/synthetic.py (seeded: 5,000 projects over 100 county codes in 8 sectors, 3 % of the
monthly reports missing) and a ledger of 300 open items. Timed, each the median of --repeat runs:
  month   evaluate_month for December (the year's measures and colours, the month's tables)
  brief   report.dispatch_brief.write_brief: the narrative with every number traced, the Word document (公文 layout,
          county table of 100 rows, red / yellow / no-report lists of at most 30 rows each, ledger table), the
          sources file and the complete warning lists beside it
  total   month + brief: from the three tables to the brief on disk
The machine's load average is printed before and after, with the command and the git commit.

    .venv/bin/python benchmarks/bench_dispatch_brief.py [--projects 5000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from xianping.dispatch.evaluate_month import evaluate_month
from xianping.dispatch.frames import validate_frames
from xianping.dispatch.synthetic import YEAR, made_up_year
from xianping.report.dispatch_brief import write_brief


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"command: {' '.join([os.path.basename(sys.executable)] + sys.argv)}  (commit {commit})")
    print(f"load average before: {os.getloadavg()}  cpus: {os.cpu_count()}")
    frames = validate_frames(*made_up_year(a.projects))
    ledger = [{"id": i, "unit_code": f"41{1 + i % 10:02d}{21 + i % 10:02d}", "title": f"虚构事项{i}（made up）",
               "colour": "red" if i % 3 else "yellow", "owner": "示例单位", "due_date": f"{YEAR + 1}-01-31",
               "status": "open" if i % 4 else "in_progress"} for i in range(300)]
    month = f"{YEAR}-12"
    t_month, t_brief, t_total = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(a.repeat):
            t0 = time.perf_counter()
            res = evaluate_month(frames, month)
            t1 = time.perf_counter()
            out = write_brief(res, Path(tmp) / f"brief{n}.docx", area="虚构省", ledger=ledger)
            t2 = time.perf_counter()
            t_month.append(t1 - t0)
            t_brief.append(t2 - t1)
            t_total.append(t2 - t0)
        size = out.stat().st_size
    red = int((res.projects["colour"] == "red").sum())
    print(f"{len(frames.projects):,} projects, {len(frames.reports):,} reports; December: {red:,} red projects, "
          f"{len(res.counties)} counties; brief {size / 1024:.0f} KB")
    for name, t in (("month", t_month), ("brief", t_brief), ("total", t_total)):
        print(f"{name:6s} median {statistics.median(t):.2f} s  (runs: {', '.join(f'{x:.2f}' for x in t)})")
    print(f"target: brief written ≤ 5 s → {'met' if statistics.median(t_total) <= 5 else 'NOT met'}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
