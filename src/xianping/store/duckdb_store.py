"""The default panel store: one DuckDB file with a long `observations` table, `batches` and `subunits`."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Sequence

from xianping.problems import ProblemReport, XianpingInputError
from xianping.store.base import (
    DEFAULT_CODE_VINTAGE,
    OBSERVATION_COLUMNS,
    BatchMeta,
    PanelStore,
    WriteResult,
)

ENV_VAR = "XIANPING_STORE"
DEFAULT_FILE = "xianping.duckdb"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS batches (
    batch_id INTEGER PRIMARY KEY,
    file_name VARCHAR,
    sha256 VARCHAR,
    imported_at TIMESTAMP,
    rows INTEGER,
    layout VARCHAR,
    options VARCHAR,          -- JSON, canonical (sorted keys) so equal options compare equal as text
    code_vintage INTEGER,
    source VARCHAR,
    notes VARCHAR
);
CREATE TABLE IF NOT EXISTS observations (
    unit_code VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    indicator VARCHAR NOT NULL,
    value DOUBLE,             -- NULL: the source reported the cell as missing ('—', '…'); see flags
    unit VARCHAR,
    source VARCHAR,
    flags VARCHAR,
    batch_id INTEGER,
    PRIMARY KEY (unit_code, period, indicator)
);
CREATE TABLE IF NOT EXISTS subunits (
    code VARCHAR PRIMARY KEY,
    name VARCHAR,
    parent_code VARCHAR,
    level VARCHAR
);
"""

# Relative tolerance for "the same value": spreadsheets round-trip floats through text.
_REL_TOL = 1e-9


def canonical_options(options: dict[str, Any]) -> str:
    return json.dumps(options, ensure_ascii=False, sort_keys=True, default=str)


def default_store_path() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT_FILE)


def open_store(path: str | Path | None = None, *, code_vintage: int | None = None) -> "DuckDBStore":
    """Open (creating if needed) the panel store at `path`, else $XIANPING_STORE, else ./xianping.duckdb."""
    return DuckDBStore(Path(path) if path is not None else default_store_path(), code_vintage=code_vintage)


class DuckDBStore(PanelStore):
    def __init__(self, path: str | Path | None, code_vintage: int | None = None):
        import duckdb

        self.path = Path(path) if path is not None else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._con = duckdb.connect(str(self.path) if self.path is not None else ":memory:")
        self._con.execute(_SCHEMA)
        stored = self._con.execute("SELECT value FROM meta WHERE key = 'code_vintage'").fetchone()
        if stored is None:
            self._vintage = code_vintage or DEFAULT_CODE_VINTAGE
            self._con.execute("INSERT INTO meta VALUES ('code_vintage', ?)", [str(self._vintage)])
        else:
            self._vintage = int(stored[0])
            if code_vintage is not None and code_vintage != self._vintage:
                raise XianpingInputError(
                    f"store {self.path} keeps codes of vintage {self._vintage}, not {code_vintage}"
                )

    @property
    def code_vintage(self) -> int:
        return self._vintage

    # -- writing -----------------------------------------------------------------------------------

    def find_batch(self, sha256: str, options: dict[str, Any]) -> int | None:
        row = self._con.execute(
            "SELECT min(batch_id) FROM batches WHERE sha256 = ? AND options = ?",
            [sha256, canonical_options(options)],
        ).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def write_batch(
        self, observations: Iterable[dict[str, Any]], meta: BatchMeta, source: str = "import"
    ) -> WriteResult:
        import numpy as np

        existing = self.find_batch(meta.sha256, meta.options)
        if existing is not None:
            return WriteResult(existing, 0, 0, 0, already_imported=True)

        obs = list(observations)
        cols: dict[str, list[Any]] = {k: [] for k in ("unit_code", "period", "indicator", "value", "unit", "source", "flags", "src_row", "src_col", "src_file")}
        for o in obs:
            cols["unit_code"].append(str(o["unit_code"]))
            cols["period"].append(str(o["period"]))
            cols["indicator"].append(str(o["indicator"]))
            v = o.get("value")
            cols["value"].append(np.nan if v is None else float(v))
            cols["unit"].append(o.get("unit") or "")
            cols["source"].append(o.get("source") or source)  # a row's own source wins over the batch's
            cols["flags"].append(o.get("flags") or "")
            cols["src_row"].append(-1 if o.get("row") is None else int(o["row"]))
            cols["src_col"].append(str(o.get("column") or ""))
            cols["src_file"].append(str(o.get("file") or meta.file_name))
        staging = {
            k: (np.array(v, dtype=np.float64) if k == "value" else np.array(v, dtype=np.int64) if k == "src_row" else np.array(v, dtype=object))
            for k, v in cols.items()
        }

        con = self._con
        con.execute("BEGIN TRANSACTION")
        try:
            con.register("_stg_np", staging)
            # NaN from numpy becomes a real NULL here, so "missing" has one representation.
            con.execute(
                """CREATE OR REPLACE TEMP TABLE _stg AS
                   SELECT unit_code, period, indicator,
                          CASE WHEN isnan(value) THEN NULL ELSE value END AS value,
                          NULLIF(unit, '') AS unit, source, NULLIF(flags, '') AS flags, src_row, src_col, src_file
                   FROM _stg_np"""
            )
            con.unregister("_stg_np")
            dup = con.execute(
                """SELECT unit_code, period, indicator, count(*) FROM _stg
                   GROUP BY ALL HAVING count(*) > 1 LIMIT 5"""
            ).fetchall()
            if dup:
                # The importer removes these before writing; reaching here is a caller bug, not user input.
                raise ValueError(f"write_batch got duplicate keys: {dup}")
            conflicts = con.execute(
                f"""SELECT s.unit_code, s.period, s.indicator, s.value, o.value, o.batch_id, s.src_row, s.src_col, s.src_file
                    FROM _stg s JOIN observations o USING (unit_code, period, indicator)
                    WHERE s.value IS NOT NULL AND o.value IS NOT NULL
                      AND abs(s.value - o.value) > {_REL_TOL} * greatest(abs(s.value), abs(o.value), 1)
                    ORDER BY s.src_row, s.src_col"""
            ).fetchall()
            if conflicts:
                report = ProblemReport()
                for unit, period, ind, new, old, bid, row, col, f in conflicts:
                    report.add(
                        "stored_conflict",
                        f"{unit} {period} {ind}: stored value {old:g} (batch {bid}) differs from the new value",
                        file=f or None, row=None if row < 0 else int(row), column=col or None, value=new,
                        expected=f"{old:g} as stored in batch {bid}, or remove that batch first (xianping batches remove {bid})",
                    )
                raise XianpingInputError(
                    f"{len(conflicts)} value(s) disagree with values already stored; nothing was written", report
                )
            # ids are never reused: a removed batch's id stays retired (meta.last_batch_id)
            batch_id = con.execute(
                """SELECT greatest(coalesce(max(batch_id), 0),
                                   coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_batch_id'), 0)) + 1
                   FROM batches"""
            ).fetchone()[0]
            unchanged = con.execute(
                """SELECT count(*) FROM _stg s JOIN observations o USING (unit_code, period, indicator)
                   WHERE NOT (s.value IS NOT NULL AND o.value IS NULL)"""
            ).fetchone()[0]
            filled = con.execute(
                """UPDATE observations o SET value = s.value, unit = s.unit, flags = s.flags,
                          source = s.source, batch_id = ?
                   FROM _stg s
                   WHERE o.unit_code = s.unit_code AND o.period = s.period AND o.indicator = s.indicator
                     AND o.value IS NULL AND s.value IS NOT NULL""",
                [batch_id],
            ).fetchone()[0]
            inserted = con.execute(
                """INSERT INTO observations
                   SELECT s.unit_code, s.period, s.indicator, s.value, s.unit, s.source, s.flags, ?
                   FROM _stg s ANTI JOIN observations o USING (unit_code, period, indicator)""",
                [batch_id],
            ).fetchone()[0]
            con.execute(
                "INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    batch_id, meta.file_name, meta.sha256, datetime.now(timezone.utc).replace(tzinfo=None),
                    len(obs), meta.layout, canonical_options(meta.options), meta.code_vintage, source, meta.notes,
                ],
            )
            con.execute("DROP TABLE _stg")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return WriteResult(int(batch_id), int(inserted), int(unchanged), int(filled))

    def register_subunits(self, rows: Iterable[dict[str, Any]]) -> int:
        data = [[str(r["code"]), r.get("name"), r.get("parent_code"), r.get("level")] for r in rows]
        self._con.execute("BEGIN TRANSACTION")
        try:
            if data:
                self._con.executemany("INSERT OR REPLACE INTO subunits VALUES (?, ?, ?, ?)", data)
            self._con.execute("COMMIT")
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        return len(data)

    # -- reading -----------------------------------------------------------------------------------

    def _where(self, indicators, units, periods) -> tuple[str, list[Any]]:
        clauses, params = [], []
        for col, values in (("indicator", indicators), ("unit_code", units), ("period", periods)):
            if values:
                values = [str(v) for v in values]
                clauses.append(f"{col} IN ({', '.join('?' * len(values))})")
                params.extend(values)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def observations(self, indicators=None, units=None, periods=None) -> list[dict[str, Any]]:
        where, params = self._where(indicators, units, periods)
        cur = self._con.execute(
            f"SELECT {', '.join(OBSERVATION_COLUMNS)} FROM observations{where} ORDER BY indicator, period, unit_code",
            params,
        )
        return [dict(zip(OBSERVATION_COLUMNS, r)) for r in cur.fetchall()]

    def observation_columns(self, indicators=None, units=None, periods=None) -> dict[str, Any]:
        """Columnar read through DuckDB's numpy fetch (no Python object per row for the numbers)."""
        import numpy as np

        where, params = self._where(indicators, units, periods)
        cols = self._con.execute(
            "SELECT unit_code, period, indicator, coalesce(value, 'NaN'::DOUBLE) AS value, "
            f"coalesce(batch_id, -1) AS batch_id FROM observations{where} ORDER BY indicator, period, unit_code",
            params,
        ).fetchnumpy()
        return {
            "unit_code": np.asarray(cols["unit_code"], dtype=object),
            "period": np.asarray(cols["period"], dtype=object),
            "indicator": np.asarray(cols["indicator"], dtype=object),
            "value": np.asarray(cols["value"], dtype=float),
            "batch_id": np.asarray(cols["batch_id"], dtype=np.int64),
        }

    def batches(self) -> list[dict[str, Any]]:
        cur = self._con.execute("SELECT * FROM batches ORDER BY batch_id")
        names = [d[0] for d in cur.description]
        out = []
        for r in cur.fetchall():
            d = dict(zip(names, r))
            d["options"] = json.loads(d["options"]) if d["options"] else {}
            out.append(d)
        return out

    def remove_batch(self, batch_id: int) -> int:
        con = self._con
        if con.execute("SELECT count(*) FROM batches WHERE batch_id = ?", [int(batch_id)]).fetchone()[0] == 0:
            report = ProblemReport()
            ids = [str(r[0]) for r in con.execute("SELECT batch_id FROM batches ORDER BY batch_id").fetchall()]
            report.add("unknown_batch", f"no batch {batch_id} in the store", value=batch_id,
                       expected=("one of " + ", ".join(ids)) if ids else "a batch id (the store has no batches)")
            raise XianpingInputError(f"no batch {batch_id}; nothing was removed", report)
        con.execute("BEGIN TRANSACTION")
        try:
            last = con.execute("SELECT max(batch_id) FROM batches").fetchone()[0]
            con.execute(
                """INSERT INTO meta VALUES ('last_batch_id', ?) ON CONFLICT (key) DO UPDATE
                   SET value = CAST(greatest(CAST(meta.value AS INTEGER), CAST(excluded.value AS INTEGER)) AS VARCHAR)""",
                [str(last)],
            )
            n = con.execute("DELETE FROM observations WHERE batch_id = ?", [int(batch_id)]).fetchone()[0]
            con.execute("DELETE FROM batches WHERE batch_id = ?", [int(batch_id)])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return int(n)

    def summary(self) -> dict[str, Any]:
        con = self._con
        per_period = dict(
            con.execute("SELECT period, count(DISTINCT unit_code) FROM observations GROUP BY period ORDER BY period").fetchall()
        )
        ind = con.execute(
            """SELECT indicator, count(DISTINCT period), count(DISTINCT unit_code), count(value),
                      count(*) - count(value), min(period), max(period)
               FROM observations GROUP BY indicator ORDER BY indicator"""
        ).fetchall()
        keys = ("indicator", "periods", "units", "values", "missing", "first_period", "last_period")
        total = con.execute("SELECT count(*), count(DISTINCT unit_code) FROM observations").fetchone()
        return {
            "observations": int(total[0]),
            "units": int(total[1]),
            "units_per_period": {k: int(v) for k, v in per_period.items()},
            "indicators": [dict(zip(keys, r)) for r in ind],
            "batches": con.execute("SELECT count(*) FROM batches").fetchone()[0],
            "code_vintage": self._vintage,
        }

    def subunits(self, parent_code: str | None = None) -> list[dict[str, Any]]:
        sql, params = "SELECT code, name, parent_code, level FROM subunits", []
        if parent_code is not None:
            sql, params = sql + " WHERE parent_code = ?", [parent_code]
        cur = self._con.execute(sql + " ORDER BY code", params)
        return [dict(zip(("code", "name", "parent_code", "level"), r)) for r in cur.fetchall()]

    # -- export ------------------------------------------------------------------------------------

    def export(self, path: str | Path, indicators=None, periods=None) -> int:
        path = Path(path)
        suffix = path.suffix.lower()
        where, params = self._where(indicators, None, periods)
        select = f"SELECT {', '.join(OBSERVATION_COLUMNS)} FROM observations{where} ORDER BY indicator, period, unit_code"
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix in (".csv", ".parquet"):
            fmt = "FORMAT CSV, HEADER" if suffix == ".csv" else "FORMAT PARQUET"
            # COPY takes no bound parameters in the query, so inline the (already str) filter values safely.
            inlined = select
            if suffix == ".csv":   # users' text (source, flags, unit) never becomes a formula in a spreadsheet (OWASP)
                from xianping.report.excel_safe import sql_csv_text

                cols = ", ".join(sql_csv_text(c) + f" AS {c}" if c in ("indicator", "unit", "source", "flags") else c
                                 for c in OBSERVATION_COLUMNS)
                inlined = f"SELECT {cols} FROM observations{where} ORDER BY indicator, period, unit_code"
            for p in params:
                inlined = inlined.replace("?", "'" + p.replace("'", "''") + "'", 1)
            self._con.execute(f"COPY ({inlined}) TO '{str(path).replace(chr(39), chr(39) * 2)}' ({fmt})")
            return int(self._con.execute(f"SELECT count(*) FROM ({select})", params).fetchone()[0])
        if suffix == ".xlsx":
            return self._export_xlsx(path, select, params)
        raise XianpingInputError(
            f"cannot export to {path.name}: unknown format {suffix or '(no suffix)'}; use .csv, .parquet or .xlsx"
        )

    def _export_xlsx(self, path: Path, select: str, params: list[Any]) -> int:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("observations")
        ws.append(list(XLSX_HEADERS))
        n = 0
        from xianping.report.excel_safe import append_row

        for r in self._con.execute(select, params).fetchall():
            append_row(ws, r)   # formula-like text from users' cells is stored as text
            n += 1
        meta = wb.create_sheet("batches")
        cur = self._con.execute("SELECT batch_id, file_name, sha256, imported_at, rows, layout, options, code_vintage, source FROM batches ORDER BY batch_id")
        meta.append(["批次 batch_id", "文件 file_name", "sha256", "导入时间 imported_at", "行数 rows", "格式 layout", "选项 options", "代码版本 code_vintage", "来源 source"])
        for r in cur.fetchall():
            append_row(meta, r)
        wb.save(path)
        return n

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


# Chinese + English headers for XLSX; `read_xlsx_export` in tests maps them back by the English part.
XLSX_HEADERS = (
    "区划代码 unit_code",
    "时期 period",
    "指标 indicator",
    "数值 value",
    "单位 unit",
    "来源 source",
    "标记 flags",
    "批次 batch_id",
)
