"""Write an EvaluationResult: the long table as CSV or Parquet, the weights table beside it, and the manifest
(`<out>.manifest.json`) last, naming the sha256 of both — so a reader can tell a results file from the run its
manifest describes (`check_results`).

The long table is built from the arrays in one go (`EvaluationResult.long_table`) and written by DuckDB's COPY
(CSV and Parquet from the same frame; DuckDB prints a double as the shortest text that reads back to the same
bits — the same text as Python's repr). All three files go to temporary files first and are renamed together
(`xianping.files.FileSet`): an interrupted run leaves the previous results and manifest in place.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from xianping.files import FileSet, sha256_file
from xianping.problems import XianpingInputError

SUFFIXES = (".csv", ".parquet")
CHUNK_ROWS = 250_000


def manifest_path(out: Path) -> Path:
    out = Path(out)
    return out.with_name(out.stem + ".manifest.json")


def weights_path(out: Path) -> Path:
    out = Path(out)
    return out.with_name(out.stem + ".weights" + out.suffix)


def _check_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise XianpingInputError(f"cannot write results to {path.name}: use .csv or .parquet")
    return suffix


def _select(df) -> str:
    import pandas as pd

    select = []
    for c in df.columns:
        q = '"' + str(c).replace('"', '""') + '"'
        dt = df[c].dtype
        if isinstance(dt, pd.CategoricalDtype) or dt == object:
            select.append(f"CAST({q} AS VARCHAR) AS {q}")
        elif dt.kind == "f":  # NaN is a value to DuckDB: make it NULL so CSV gets "" as before
            select.append(f"CASE WHEN isnan({q}) THEN NULL ELSE {q} END AS {q}")
        else:
            select.append(q)
    return ", ".join(select)


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def write_table(df, path: Path, suffix: str | None = None) -> int:
    """Write a DataFrame to `path` (CSV with a header, or Parquet) through DuckDB; returns the rows written.
    Missing values (NaN, <NA>, a missing label) are empty in CSV and NULL in Parquet; labels are text."""
    return write_chunks([df], path, suffix)


def write_chunks(frames, path: Path, suffix: str | None = None) -> int:
    """Write DataFrames with the same columns, one after the other, as one CSV or Parquet file. Each frame is
    copied out by DuckDB as it comes, so only one chunk of a large table is in memory at a time: CSV parts are
    appended byte for byte (the header once), Parquet parts are joined by one streaming COPY. CSV text cells follow
    excel_safe's round-trip rule (a formula start or an apostrophe gets one leading apostrophe; readers strip it);
    Parquet keeps the text as it is (typed cells, nothing for a spreadsheet to evaluate)."""
    import shutil

    import duckdb

    from xianping.report.excel_safe import csv_column

    suffix = suffix or _check_suffix(path)
    rows, parts = 0, []
    con = duckdb.connect()
    try:
        with open(path, "wb") as out:
            for i, df in enumerate(frames):
                part = path.with_name(f"{path.name}.part{i}")
                parts.append(part)
                if suffix == ".csv":  # users' text (unit names, types, node names) never a live formula: excel_safe
                    df = df.assign(**{c: csv_column(df[c]) for c in df.columns})
                con.register("_table", df)
                if suffix == ".csv":
                    con.execute(f"COPY (SELECT {_select(df)} FROM _table) TO {_quote(part)} (FORMAT CSV, HEADER {'true' if i == 0 else 'false'})")
                    with open(part, "rb") as f:
                        shutil.copyfileobj(f, out, 1 << 20)
                    part.unlink()
                else:
                    con.execute(f"COPY (SELECT {_select(df)} FROM _table) TO {_quote(part)} (FORMAT PARQUET)")
                con.unregister("_table")
                rows += len(df)
        if suffix == ".parquet":  # insertion order is kept: parts in the order listed, rows in file order
            con.execute(f"COPY (SELECT * FROM read_parquet([{', '.join(_quote(p) for p in parts)}])) TO {_quote(path)} (FORMAT PARQUET)")
    finally:
        con.close()
        for p in parts:
            p.unlink(missing_ok=True)
    return rows


def write_result(result, out_path, base_year=None) -> dict[str, str]:
    """Results, weights, then the manifest naming both files' sha256; all three appear together or not at all."""
    from xianping.evaluation.score_sheet import stage_score_sheet

    out = Path(out_path)
    suffix = _check_suffix(out)
    wpath, mpath = weights_path(out), manifest_path(out)
    weights = result.weights_table()
    files: dict[str, Any] = {}
    written: dict[str, Any] = {}

    def chunks():
        # a few hundred thousand rows at a time: the whole long table never sits in memory at once
        per = max(1, CHUNK_ROWS // max(1, len(result.units)))
        for y in result.years:
            for k in range(0, len(result.nodes), per):
                df = result.long_table(nodes=result.nodes[k:k + per], years=[y], base_year=base_year)
                written.setdefault("columns", list(df.columns))
                yield df

    with FileSet() as fs:
        tmp = fs.stage(out, lambda p: written.update(rows=write_chunks(chunks(), p, suffix)))
        files["results"] = {"file": out.name, "sha256": sha256_file(tmp), "rows": written["rows"], "columns": written["columns"]}
        tmp = fs.stage(wpath, lambda p: write_table(weights, p, suffix))
        files["weights"] = {"file": wpath.name, "sha256": sha256_file(tmp), "rows": len(weights)}
        # 考核得分表 beside the results when the framework has a scoring section (evaluation/score_sheet)
        scoring = stage_score_sheet(result, out, fs, files, suffix)
        manifest = {**result.manifest, "files": files, **({"scoring": scoring} if scoring is not None else {})}
        fs.stage_text(mpath, json.dumps(manifest, ensure_ascii=False, indent=1))
    paths = {"results": str(out), "weights": str(wpath), "manifest": str(mpath)}
    if "scoresheet" in files:
        paths["scoresheet"] = str(out.with_name(files["scoresheet"]["file"]))
    return paths


def check_results(path: str | Path, manifest: dict[str, Any] | None = None) -> dict[str, Any]:
    """The manifest beside a results file, after checking that the file is the one it names (sha256).

    Raises XianpingInputError when the manifest is missing or unreadable, or names other content — an
    interrupted or overlapping run, or a file edited by hand. Manifests written before the hash was recorded
    (no `files` entry) are accepted as they are."""
    p = Path(path)
    mpath = manifest_path(p)
    if manifest is None:
        if not mpath.exists():
            raise XianpingInputError(f"results file {p.name} has no manifest beside it ({mpath.name})")
        try:
            manifest = json.loads(mpath.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise XianpingInputError(f"manifest {mpath} is not readable JSON ({e}); run `xianping evaluate` again") from None
    if not isinstance(manifest, dict):
        raise XianpingInputError(f"manifest {mpath} is not a manifest of `xianping evaluate` (a JSON object)")
    entry = (manifest.get("files") or {}).get("results")
    if entry is None:
        return manifest
    if entry.get("file") and entry["file"] != p.name:
        raise XianpingInputError(f"manifest {mpath.name} describes {entry['file']}, not {p.name}")
    got = sha256_file(p)
    if got != entry.get("sha256"):
        raise XianpingInputError(
            f"results file {p} does not match its manifest {mpath.name}: sha256 {got[:12]}… where the manifest "
            f"names {str(entry.get('sha256'))[:12]}… — the run that wrote it was interrupted or the file was changed "
            "afterwards; run `xianping evaluate` (or `xianping demo`) again")
    return manifest
