"""Write an EvaluationResult: long rows as CSV or Parquet (Parquet through DuckDB, no pandas/pyarrow),
the weights table beside them, and the manifest as JSON (`<out>.manifest.json`)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    return list(rows[0]) if rows else ["unit_code", "unit_name", "year", "node", "score", "rank"]


def write_rows(rows: list[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = _columns(rows)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(cols)
            for r in rows:
                w.writerow(["" if r.get(c) is None else (repr(r[c]) if isinstance(r[c], float) else r[c]) for c in cols])
        return
    if suffix == ".parquet":
        import duckdb

        data = {}
        for c in cols:
            vals = [r.get(c) for r in rows]
            kinds = {type(v) for v in vals if v is not None}
            if kinds <= {float, int} and kinds:
                data[c] = np.array([np.nan if v is None else v for v in vals], dtype=float if float in kinds or None in vals else np.int64)
            else:
                data[c] = np.array(["" if v is None else str(v) for v in vals], dtype=object)
        con = duckdb.connect()
        try:
            con.register("_rows", data)
            target = str(path).replace("'", "''")
            con.execute(f"COPY (SELECT * FROM _rows) TO '{target}' (FORMAT PARQUET)")
        finally:
            con.close()
        return
    from xianping.problems import XianpingInputError

    raise XianpingInputError(f"cannot write results to {path.name}: use .csv or .parquet")


def manifest_path(out: Path) -> Path:
    return out.with_name(out.stem + ".manifest.json")


def write_result(result, out_path, base_year=None) -> dict[str, str]:
    out = Path(out_path)
    write_rows(result.to_rows(base_year=base_year), out)
    wpath = out.with_name(out.stem + ".weights" + out.suffix)
    write_rows(result.weights_rows(), wpath)
    mpath = manifest_path(out)
    mpath.write_text(json.dumps(result.manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return {"results": str(out), "weights": str(wpath), "manifest": str(mpath)}
