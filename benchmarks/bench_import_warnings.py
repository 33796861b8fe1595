"""Benchmark: `import_table` on a table with a warning on every row (issue 13: target 1M rows ≤ 60 s).

    .venv/bin/python benchmarks/bench_import_warnings.py [--rows 1000000] [--sizes 20000,40000] [--store]

The table is made here: real county codes of 2024 (the bundled gazetteer) × months, one column 性别比 (sex ratio)
at 250, above the indicator's plausible range [50, 200], so every row gives an `implausible_value` warning (the value
is kept). Each size is read with no store (as `evaluate --data` reads it) and, with --store, imported into a fresh
DuckDB store. Before the fix the report's errors were re-counted on every row: 20k warned rows took 10 s, 40k 37 s.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def make_table(path: Path, rows: int) -> Path:
    from xianping.reference.divisions import get_gazetteer

    codes = [d.code for d in get_gazetteer().counties_in(2024) if d.level == "county"]
    months = -(-rows // len(codes))
    periods = [f"{1990 + m // 12}-{m % 12 + 1:02d}" for m in range(months)]
    with open(path, "w", encoding="utf-8") as f:
        f.write("代码,月份,性别比\n")
        n = 0
        for p in periods:
            for c in codes:
                if n == rows:
                    return path
                f.write(f"{c},{p},250\n")
                n += 1
    return path


def one(rows: int, tmp: Path, store: bool) -> dict:
    from xianping.ingest import import_table
    from xianping.store import open_store

    f = make_table(tmp / f"warned_{rows}.csv", rows)
    t, c = time.perf_counter(), time.process_time()
    res = import_table(f, None, dry_run=True)
    read_s, read_cpu = time.perf_counter() - t, time.process_time() - c
    warned = sum(p.kind == "implausible_value" for p in res.notes)
    # wall and CPU seconds: on a shared machine the wall time also counts other processes' turns
    out = {"rows": rows, "warnings": warned, "read_s": round(read_s, 2), "read_cpu_s": round(read_cpu, 2)}
    if store:
        t, c = time.perf_counter(), time.process_time()
        with open_store(tmp / f"s_{rows}.duckdb") as st:
            r = import_table(f, st)
        out.update(import_s=round(time.perf_counter() - t, 2), import_cpu_s=round(time.process_time() - c, 2),
                   stored=r.stored)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--sizes", default="20000,40000", help="smaller sizes run first, to show the growth is linear")
    ap.add_argument("--store", action="store_true", help="also import into a DuckDB store")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",") if s] + [a.rows]
    with tempfile.TemporaryDirectory() as d:
        for n in sizes:
            r = one(n, Path(d), a.store)
            print(r, f"{r['read_s'] / n * 1e6:.1f} µs/row; load average %.2f %.2f %.2f on %d CPUs"
                  % (*os.getloadavg(), os.cpu_count() or 0), flush=True)


if __name__ == "__main__":
    main()
