"""The audit log export (issue 14, build 6) on a large log: N audit rows (default 200,000) inserted in bulk into a
fresh platform (SQLite, or PostgreSQL with --db), then the province admin's CSV and XLSX exports written as the
routes write them (workflow/history.py: a yield_per cursor in batches of 2,000, excel_safe on every cell).
Reports rows/s (wall, with the process's CPU time and the load average: no peer, so no ratio), and with --memory the peak Python memory of each export (tracemalloc): flat in N, since no export
holds the log.

    python benchmarks/bench_audit_export.py                                   # SQLite, 200,000 rows
    python benchmarks/bench_audit_export.py --rows 1000000 --db postgresql://postgres@127.0.0.1/xp_bench
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa


def fill(plat, n: int) -> int:
    from xianping.platform.audit.record import SYSTEM
    from xianping.platform.auth import users
    from xianping.platform.db.models import AuditLog, utcnow

    with plat.sessions() as db:
        admin, _ = users.add_one(db, SYSTEM, users.NewUser("admin41", "ADMIN", "province_admin", "410000", None))
        uid = admin.id
    t0 = utcnow() - timedelta(days=30)
    step = 50_000
    with plat.engine.begin() as c:   # bulk inserts: the log is append-only, inserting is what it allows
        for start in range(0, n, step):
            c.execute(sa.insert(AuditLog), [
                {"at": t0 + timedelta(seconds=i), "actor_id": uid, "actor_name": "admin41", "ip": "10.0.0.1",
                 "action": "value.save", "entity": "data_value", "entity_id": str(i), "field": "410122:gdp",
                 "old": '{"value": 1.0}', "new": '{"value": 2.0}', "reason": "=1+1" if i % 1000 == 0 else "更正"}
                for i in range(start, min(n, start + step))])
    return uid


def load_average() -> str:
    return "load average %.2f %.2f %.2f on %d CPUs" % (*os.getloadavg(), os.cpu_count() or 0)


def measure(label: str, fn, memory: bool) -> None:
    # tracemalloc slows allocation-heavy code several times: the time is measured without it, the memory in a
    # second run with it (--memory)
    t, c = time.perf_counter(), time.process_time()
    rows = fn()
    dt, cpu = time.perf_counter() - t, time.process_time() - c
    print(f"{label}: {rows:,} rows in {dt:.2f} s wall = {rows / dt:,.0f} rows/s ({cpu:.2f} s CPU of this process; "
          f"{load_average()})")
    if memory:
        tracemalloc.start()
        fn()
        print(f"{label}: peak Python memory {tracemalloc.get_traced_memory()[1] / 2**20:.1f} MB")
        tracemalloc.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--db", default=None, help="a PostgreSQL URL (an empty database); default: SQLite in a temp folder")
    ap.add_argument("--memory", action="store_true", help="also the peak Python memory of each export (a second run)")
    args = ap.parse_args()
    from xianping.platform.db.connect import open_platform
    from xianping.platform.db.models import User
    from xianping.platform.workflow import history

    with tempfile.TemporaryDirectory() as d:
        plat = open_platform(Path(d) / "plat", args.db, create=True)
        t = time.perf_counter()
        uid = fill(plat, args.rows)
        print(f"{plat.engine.dialect.name}: {args.rows:,} audit rows inserted in {time.perf_counter() - t:.1f} s")
        with plat.sessions() as db:
            admin = db.get(User, uid)
            db.expunge(admin)
        f = history.AuditFilter()

        def csv_export() -> int:
            size = sum(len(b) for b in history.csv_chunks(plat, admin, f))
            print(f"  CSV {size / 2**20:.1f} MB")
            return args.rows

        def xlsx_export() -> int:
            with tempfile.TemporaryFile() as out:
                history.write_xlsx(plat, admin, f, out)
                print(f"  XLSX {out.tell() / 2**20:.1f} MB")
            return args.rows

        measure("CSV export", csv_export, args.memory)
        measure("XLSX export", xlsx_export, args.memory)
        plat.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
