#!/usr/bin/env python
"""月调度 on the platform database: 5,000 projects × 12 months of approved reports read into the frames contract and
turned into a month's measures and colours (issue 16: "measures and warnings recomputed ≤ 1 s" — here with the
database read included, which bench_dispatch.py leaves out).

Data: dispatch/synthetic.made_up_year (seeded, made-up projects) bulk-inserted into a fresh platform (SQLite file, or
PostgreSQL with --db pg: a database xianping_bench_<random> on 127.0.0.1:5432, dropped after). Not timed.
Timed, each alternated with its peer in one run (A B A B …, --repeat pairs), medians and the median of pair ratios:
  load      workflow/dispatch_load.load_frames — one SELECT per table into pandas (pd.read_sql_query)
  orm       the peer: the same three tables through ORM objects, one per row, then into DataFrames
  month     workflow/dispatch_measure.month_view for December: load + year measures + project and county colours +
            the county table (what GET /api/dispatch/measures and `xianping dispatch measures` do)
The machine's load average is printed before and after, with the command and the git commit.

    .venv/bin/python benchmarks/bench_dispatch_platform.py [--projects 5000] [--repeat 5] [--db sqlite|pg]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd


def insert(plat, n: int) -> int:
    """The made-up year, bulk-inserted (Core executemany): units, projects, plans, approved reports."""
    from sqlalchemy import insert as sql_insert, select

    from xianping.dispatch.synthetic import made_up_year
    from xianping.platform.db.dispatch_models import Project, ProjectPlan, ProjectReport
    from xianping.platform.db.models import Unit

    projects, plans, reports = made_up_year(n, seed=16)
    with plat.engine.begin() as c:
        c.execute(sql_insert(Unit), [{"code": u, "name": f"虚构县{u}", "kind": "county", "county_code": u, "active": True}
                                     for u in sorted(set(projects["unit_code"]))])
        rows = []
        for r in projects.to_dict("records"):
            rows.append({"code": r["project_id"], "name": r["name"], "unit_code": r["unit_code"], "sector": r["sector"],
                         "kind": r["kind"], "total_investment": float(r["total_investment"]),
                         "plan_start": pd.Timestamp(r["plan_start"]).date(), "plan_finish": pd.Timestamp(r["plan_finish"]).date(),
                         "actual_start": None if pd.isna(r["actual_start"]) else pd.Timestamp(r["actual_start"]).date(),
                         "actual_finish": None if pd.isna(r["actual_finish"]) else pd.Timestamp(r["actual_finish"]).date(),
                         "in_statistics": bool(r["in_statistics"]), "cluster": r["cluster"],
                         "responsible_unit": r["responsible_unit"], "responsible_person": r["responsible_person"] or "",
                         "version": 1})
        c.execute(sql_insert(Project), rows)
        ids = dict(c.execute(select(Project.code, Project.id)).all())
        c.execute(sql_insert(ProjectPlan), [{"project_id": ids[r["project_id"]], "year": int(r["year"]),
                                             "effective_month": r["effective_month"], "annual_plan": float(r["annual_plan"])}
                                            for r in plans.to_dict("records")])
        c.execute(sql_insert(ProjectReport), [
            {"project_id": ids[r["project_id"]], "month": r["month"], "investment_month": float(r["investment_month"]),
             "investment_ytd": float(r["investment_ytd"]), "investment_cumulative": float(r["investment_cumulative"]),
             "funds_in_place": float(r["funds_in_place"]), "started": bool(r["started"]), "finished": bool(r["finished"]),
             "progress": r["progress"], "problems": r["problems"], "status": "approved", "version": 1}
            for r in reports.to_dict("records")])
    return len(reports)


def orm_load(db):
    """The peer: every row an ORM object, then DataFrames (what `load_frames` is written not to do)."""
    from sqlalchemy import select

    from xianping.platform.db.dispatch_models import Project, ProjectPlan, ProjectReport

    projects = db.scalars(select(Project)).all()
    code = {p.id: p.code for p in projects}
    p = pd.DataFrame([{"project_id": x.code, "name": x.name, "unit_code": x.unit_code, "sector": x.sector,
                       "kind": x.kind, "total_investment": x.total_investment, "plan_start": x.plan_start,
                       "plan_finish": x.plan_finish, "actual_start": x.actual_start, "actual_finish": x.actual_finish,
                       "in_statistics": x.in_statistics, "cluster": x.cluster, "responsible_unit": x.responsible_unit,
                       "responsible_person": x.responsible_person} for x in projects])
    pl = pd.DataFrame([{"project_id": code[x.project_id], "year": x.year, "effective_month": x.effective_month,
                        "annual_plan": x.annual_plan} for x in db.scalars(select(ProjectPlan))])
    r = pd.DataFrame([{"project_id": code[x.project_id], "month": x.month, "investment_month": x.investment_month,
                       "investment_ytd": x.investment_ytd, "investment_cumulative": x.investment_cumulative,
                       "funds_in_place": x.funds_in_place, "started": x.started, "finished": x.finished,
                       "progress": x.progress, "problems": x.problems}
                      for x in db.scalars(select(ProjectReport).where(ProjectReport.status == "approved"))])
    db.expunge_all()
    return p, pl, r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--db", choices=("sqlite", "pg"), default="sqlite")
    args = ap.parse_args()
    from xianping.platform.audit.record import SYSTEM
    from xianping.platform.db.connect import open_platform
    from xianping.platform.workflow.dispatch_load import load_frames
    from xianping.platform.workflow.dispatch_measure import month_view

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])} · commit {commit} · load {os.getloadavg()}")
    pg_name, admin = None, None
    url = None
    if args.db == "pg":
        import psycopg

        pg_name = f"xianping_bench_{secrets.token_hex(4)}"
        admin = psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True)
        admin.execute(f'CREATE DATABASE "{pg_name}"')
        url = f"postgresql+psycopg://postgres@127.0.0.1/{pg_name}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            plat = open_platform(Path(tmp) / "p", url, create=True)
            try:
                n_reports = insert(plat, args.projects)
                print(f"{args.projects} projects, {n_reports} approved reports ({args.db})")
                with plat.sessions() as db:
                    frames = load_frames(db, SYSTEM)
                    assert len(frames.projects) == args.projects and len(frames.reports) == n_reports
                    p, _, r = orm_load(db)
                    assert len(p) == args.projects and len(r) == n_reports
                    a, b, m = [], [], []
                    for _ in range(args.repeat):
                        t = time.perf_counter(); load_frames(db, SYSTEM); a.append(time.perf_counter() - t)   # noqa: E702
                        db.rollback()
                        t = time.perf_counter(); orm_load(db); b.append(time.perf_counter() - t)              # noqa: E702
                        db.rollback()
                        t = time.perf_counter(); view = month_view(db, SYSTEM, "2024-12"); m.append(time.perf_counter() - t)  # noqa: E702
                        db.rollback()
                    print(f"load (one SELECT per table)   median {statistics.median(a):.3f} s   runs {[round(x, 3) for x in a]}")
                    print(f"orm (an object per row)       median {statistics.median(b):.3f} s   runs {[round(x, 3) for x in b]}")
                    print(f"orm ÷ load, median of pair ratios: {statistics.median(y / x for x, y in zip(a, b)):.1f}×")
                    print(f"month view (load + measures + colours) median {statistics.median(m):.3f} s   "
                          f"runs {[round(x, 3) for x in m]}   ({len(view.counties)} counties)")
            finally:
                plat.close()
    finally:
        if admin is not None:
            admin.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            admin.close()
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
