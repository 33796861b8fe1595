"""The default panel store: one DuckDB file with a long `observations` table, `batches`, `holdings` and `subunits`.

Who owns a row: `observations.batch_id` is the batch whose value is stored; a batch that listed a row already
stored (the same value, or a missing cell where a value is stored) keeps its own version in `holdings`. Removing
a batch hands each of its rows to the earliest other batch holding it (with that batch's version of the row) and
deletes only rows no other batch holds — so a batch owns exactly the rows it stored, and removal never deletes a
row another batch listed.

Concurrency: DuckDB lets one process open a file for writing. The store opens it for each operation only (an
import reads and checks its file with the store closed), writes `<store>.inuse.json` (pid, command, since) while
it holds it, and a second process waits for it with a message, then fails with "the store … is in use by …
since …" instead of DuckDB's lock error. A file that does not exist is created by the first write only: reading
a store that is not there is an error, never an empty new store.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from xianping.problems import ProblemReport, XianpingError, XianpingInputError
from xianping.store.base import (
    DEFAULT_CODE_VINTAGE,
    OBSERVATION_COLUMNS,
    BatchMeta,
    PanelStore,
    WriteResult,
)

ENV_VAR = "XIANPING_STORE"
DEFAULT_FILE = "xianping.duckdb"
WAIT_ENV_VAR = "XIANPING_STORE_WAIT"   # seconds to wait for a store another process is using (default 30)
DEFAULT_WAIT_S = 30.0

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
-- rows a batch listed whose stored value is another batch's (its own version kept for a handover on removal)
CREATE TABLE IF NOT EXISTS holdings (
    batch_id INTEGER NOT NULL,
    unit_code VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    indicator VARCHAR NOT NULL,
    value DOUBLE,
    unit VARCHAR,
    source VARCHAR,
    flags VARCHAR,
    PRIMARY KEY (batch_id, unit_code, period, indicator)
);
CREATE TABLE IF NOT EXISTS batch_problems (   -- the warnings and notes of reading a batch's file
    batch_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    severity VARCHAR, kind VARCHAR, message VARCHAR, file VARCHAR, "row" BIGINT, "column" VARCHAR,
    value VARCHAR, expected VARCHAR,
    PRIMARY KEY (batch_id, seq)
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


def open_store(path: str | Path | None = None, *, code_vintage: int | None = None, wait: float | None = None,
               on_wait: Callable[[str], None] | None = None) -> "DuckDBStore":
    """The panel store at `path`, else $XIANPING_STORE, else ./xianping.duckdb. The file is created by the first
    write (an import); reading a store that does not exist raises "store … does not exist". `wait`: seconds to
    wait when another process is using the store (default $XIANPING_STORE_WAIT or 30), telling `on_wait`
    (default: a line on stderr) once."""
    return DuckDBStore(Path(path) if path is not None else default_store_path(), code_vintage=code_vintage,
                       wait=wait, on_wait=on_wait)


def _wait_seconds(wait: float | None) -> float:
    if wait is not None:
        return max(0.0, float(wait))
    text = os.environ.get(WAIT_ENV_VAR)
    if not text:
        return DEFAULT_WAIT_S
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (value >= 0 and value != float("inf")):
        raise XianpingInputError(f"{WAIT_ENV_VAR}={text!r} is not a number of seconds (expected e.g. 30, or 0 not to wait)")
    return value


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class DuckDBStore(PanelStore):
    def __init__(self, path: str | Path | None, code_vintage: int | None = None, wait: float | None = None,
                 on_wait: Callable[[str], None] | None = None):
        import duckdb

        self.path = Path(path) if path is not None else None
        self._requested_vintage = code_vintage
        self._vintage: int | None = None
        self._wait = _wait_seconds(wait)
        self._on_wait = on_wait or _stderr
        self._con = None          # the open connection: always for an in-memory store, else only inside a session
        self._depth = 0
        self._lock = threading.RLock()  # one session per store object at a time (threads of a server share one)
        if self.path is None:
            self._con = duckdb.connect(":memory:")
            self._init_schema(self._con)
        elif self.path.exists():
            with self._session():  # checks the vintage now: an import into a store of another vintage fails early
                pass

    # -- sessions: the file is open (and locked) only while an operation runs -------------------------

    @property
    def info_path(self) -> Path | None:
        """`<store>.inuse.json`: who holds the store now (pid, command, since), for the message of the next one."""
        return None if self.path is None else self.path.with_name(self.path.name + ".inuse.json")

    def _init_schema(self, con) -> None:
        con.execute(_SCHEMA)
        stored = con.execute("SELECT value FROM meta WHERE key = 'code_vintage'").fetchone()
        if stored is None:
            self._vintage = self._requested_vintage or DEFAULT_CODE_VINTAGE
            con.execute("INSERT INTO meta VALUES ('code_vintage', ?)", [str(self._vintage)])
        else:
            self._vintage = int(stored[0])
            if self._requested_vintage is not None and self._requested_vintage != self._vintage:
                raise XianpingInputError(
                    f"store {self.path} keeps codes of vintage {self._vintage}, not {self._requested_vintage}"
                )

    def _holder(self, message: str) -> str:
        """Who holds the store, from the in-use file (when it names a live process) or DuckDB's message."""
        m = re.search(r"PID (\d+)", message)
        lock_pid = int(m.group(1)) if m else None
        try:
            info = json.loads(self.info_path.read_text(encoding="utf-8"))
            pid = int(info["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            info, pid = None, None
        if info is not None and (pid == lock_pid or (lock_pid is None and _pid_alive(pid))):
            return f"pid {pid} ({info.get('command', '?')}) since {info.get('since', '?')}"
        if lock_pid is not None:
            try:
                cmd = Path(f"/proc/{lock_pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            except OSError:
                cmd = "?"
            return f"pid {lock_pid} ({cmd[:120]}) since an unknown time (it left no {self.info_path.name})"
        return "another process (DuckDB gives no pid) since an unknown time"

    def _connect(self):
        import duckdb

        deadline, told = None, False
        while True:
            try:
                return duckdb.connect(str(self.path))
            except duckdb.IOException as e:
                msg = str(e)
                if "lock" not in msg.lower():
                    raise XianpingInputError(f"cannot open the store {self.path}: {msg}") from None
                holder = self._holder(msg)
                now = time.monotonic()
                deadline = deadline if deadline is not None else now + self._wait
                if now >= deadline:
                    raise XianpingError(
                        f"the store {self.path} is in use by {holder}; waited {self._wait:g} s — try again when it "
                        f"has finished (or wait longer: {WAIT_ENV_VAR}=seconds)") from None
                if not told:
                    self._on_wait(f"the store {self.path} is in use by {holder}; waiting up to {self._wait:g} s …")
                    told = True
                time.sleep(0.1)

    def _mark_in_use(self) -> None:
        # advisory only (the lock is DuckDB's): written with a rename so a reader never sees half of it, no fsync
        info = {"pid": os.getpid(), "command": " ".join(Path(sys.argv[0]).name if i == 0 else a for i, a in enumerate(sys.argv))[:200],
                "since": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")}
        tmp = self.info_path.with_name(f".{self.info_path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.info_path)

    def _clear_in_use(self) -> None:
        try:
            if json.loads(self.info_path.read_text(encoding="utf-8")).get("pid") == os.getpid():
                self.info_path.unlink()
        except (OSError, ValueError):
            pass  # gone already, or another process's: theirs to remove

    @contextmanager
    def _session(self, create: bool = False) -> Iterator[Any]:
        """The connection for one operation (nested calls share it). `create`: a write may create the file."""
        with self._lock:
            with self._open_session(create) as con:
                yield con

    @contextmanager
    def _open_session(self, create: bool) -> Iterator[Any]:
        if self._con is not None:
            self._depth += 1
            try:
                yield self._con
            finally:
                self._depth -= 1
            return
        if not self.path.exists():
            if not create:
                raise XianpingInputError(f"store {self.path} does not exist",
                                         _missing_report(self.path))
            self.path.parent.mkdir(parents=True, exist_ok=True)
        con = self._connect()
        self._con = con
        try:
            self._mark_in_use()
            self._init_schema(con)
            yield con
        finally:
            self._con = None
            con.close()
            self._clear_in_use()

    @contextmanager
    def session(self) -> Iterator["DuckDBStore"]:
        """Keep the store open across several operations (a burst of reads); other processes wait meanwhile, so
        keep it short. Operations outside a session open and close the store themselves."""
        with self._session():
            yield self

    @property
    def exists(self) -> bool:
        return self.path is None or self.path.exists()

    @property
    def code_vintage(self) -> int:
        if self._vintage is None:  # a store not created yet: what the first import will give it
            return self._requested_vintage or DEFAULT_CODE_VINTAGE
        return self._vintage

    # -- writing -----------------------------------------------------------------------------------

    def find_batch(self, sha256: str, options: dict[str, Any]) -> int | None:
        if not self.exists:
            return None
        with self._session() as con:
            row = con.execute(
                "SELECT min(batch_id) FROM batches WHERE sha256 = ? AND options = ?",
                [sha256, canonical_options(options)],
            ).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def write_batch(
        self, observations: Iterable[dict[str, Any]], meta: BatchMeta, source: str = "import"
    ) -> WriteResult:
        import numpy as np

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

        with self._session(create=True) as con:
            existing = self.find_batch(meta.sha256, meta.options)
            if existing is not None:
                return WriteResult(existing, 0, 0, 0, already_imported=True)
            return self._write_staged(con, staging, meta, source, len(obs))

    def _write_staged(self, con, staging, meta: BatchMeta, source: str, n_obs: int) -> WriteResult:
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
            # rows already stored that this batch does not fill: the stored value stays, this batch holds its version
            unchanged = con.execute(
                """INSERT INTO holdings
                   SELECT ?, s.unit_code, s.period, s.indicator, s.value, s.unit, s.source, s.flags
                   FROM _stg s JOIN observations o USING (unit_code, period, indicator)
                   WHERE NOT (s.value IS NOT NULL AND o.value IS NULL)""",
                [batch_id],
            ).fetchone()[0]
            # stored missing cells this batch gives a value: the value becomes this batch's, the old owner holds its own
            con.execute(
                """INSERT OR IGNORE INTO holdings
                   SELECT o.batch_id, o.unit_code, o.period, o.indicator, o.value, o.unit, o.source, o.flags
                   FROM observations o JOIN _stg s USING (unit_code, period, indicator)
                   WHERE o.value IS NULL AND s.value IS NOT NULL AND o.batch_id IS NOT NULL"""
            )
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
                    n_obs, meta.layout, canonical_options(meta.options), meta.code_vintage, source, meta.notes,
                ],
            )
            con.execute("DROP TABLE _stg")
            self._write_problems(con, batch_id, meta.problems)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return WriteResult(int(batch_id), int(inserted), int(unchanged), int(filled))

    def register_subunits(self, rows: Iterable[dict[str, Any]]) -> int:
        data = [[str(r["code"]), r.get("name"), r.get("parent_code"), r.get("level")] for r in rows]
        with self._session(create=True) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                if data:
                    con.executemany("INSERT OR REPLACE INTO subunits VALUES (?, ?, ?, ?)", data)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
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
        if not self.exists:  # listing answers "none" (as batches, subunits); the columnar read for an evaluation refuses
            return []
        where, params = self._where(indicators, units, periods)
        with self._session() as con:
            cur = con.execute(
                f"SELECT {', '.join(OBSERVATION_COLUMNS)} FROM observations{where} ORDER BY indicator, period, unit_code",
                params,
            )
            return [dict(zip(OBSERVATION_COLUMNS, r)) for r in cur.fetchall()]

    def observation_columns(self, indicators=None, units=None, periods=None) -> dict[str, Any]:
        """Columnar read through DuckDB's numpy fetch (no Python object per row for the numbers)."""
        import numpy as np

        where, params = self._where(indicators, units, periods)
        with self._session() as con:
            cols = con.execute(
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

    @staticmethod
    def _write_problems(con, batch_id: int, problems: list[dict[str, Any]]) -> None:
        """One columnar insert of a batch's reading problems (a million warned rows: one statement, not a loop of them)."""
        if not problems:
            return
        import numpy as np

        def col(key, kind=object):
            if kind is np.int64:
                return np.array([-1 if p.get(key) is None else int(p[key]) for p in problems], dtype=np.int64)
            return np.array([None if p.get(key) is None else str(p[key]) for p in problems], dtype=object)

        frame = {"severity": col("severity"), "kind": col("kind"), "message": col("message"), "file": col("file"),
                 "row": col("row", np.int64), "column": col("column"), "value": col("value"), "expected": col("expected")}
        con.register("_prob_np", frame)
        con.execute(
            """INSERT INTO batch_problems
               SELECT ?, row_number() OVER () - 1, severity, kind, message, file, CASE WHEN "row" < 0 THEN NULL ELSE "row" END,
                      "column", value, expected FROM _prob_np""", [int(batch_id)])
        con.unregister("_prob_np")

    def batch_problems(self, batch_ids: Iterable[int]) -> list[dict[str, Any]]:
        """The warnings and notes recorded when these batches were read, in batch and reading order."""
        ids = [int(b) for b in batch_ids]
        if not ids or not self.exists:
            return []
        with self._session() as con:
            cur = con.execute(
                f"""SELECT severity, kind, message, file, "row", "column", value, expected FROM batch_problems
                    WHERE batch_id IN ({", ".join("?" * len(ids))}) ORDER BY batch_id, seq""", ids)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]

    def batches(self) -> list[dict[str, Any]]:
        """Every batch, oldest first; besides `rows` (listed in its file): `stored` (rows whose stored value is
        this batch's) and `shared` (rows it listed whose stored value came from another batch)."""
        if not self.exists:
            return []
        with self._session() as con:
            cur = con.execute(
                """SELECT b.*, coalesce(o.n, 0) AS stored, coalesce(h.n, 0) AS shared FROM batches b
                   LEFT JOIN (SELECT batch_id, count(*) AS n FROM observations GROUP BY batch_id) o USING (batch_id)
                   LEFT JOIN (SELECT batch_id, count(*) AS n FROM holdings GROUP BY batch_id) h USING (batch_id)
                   ORDER BY batch_id""")
            names = [d[0] for d in cur.description]
            rows = cur.fetchall()
        out = []
        for r in rows:
            d = dict(zip(names, r))
            d["options"] = json.loads(d["options"]) if d["options"] else {}
            d["stored"], d["shared"] = int(d["stored"]), int(d["shared"])
            out.append(d)
        return out

    def remove_batch(self, batch_id: int) -> int:
        """Delete a batch: each row it stored that another batch also listed passes to the earliest such batch
        (with that batch's version: a value before a missing cell); only rows no other batch listed are deleted.
        Returns the observations deleted."""
        if not self.exists:
            raise XianpingInputError(f"store {self.path} does not exist", _missing_report(self.path))
        with self._session() as con:
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
                con.execute(
                    """CREATE OR REPLACE TEMP TABLE _heir AS
                       SELECT h.* FROM holdings h JOIN observations o USING (unit_code, period, indicator)
                       WHERE o.batch_id = ? AND h.batch_id <> ?
                       QUALIFY row_number() OVER (PARTITION BY h.unit_code, h.period, h.indicator
                                                  ORDER BY h.value IS NULL, h.batch_id) = 1""",
                    [int(batch_id), int(batch_id)],
                )
                con.execute(
                    """UPDATE observations o SET value = h.value, unit = h.unit, source = h.source, flags = h.flags,
                              batch_id = h.batch_id
                       FROM _heir h
                       WHERE o.unit_code = h.unit_code AND o.period = h.period AND o.indicator = h.indicator"""
                )
                con.execute(
                    """DELETE FROM holdings h USING _heir x
                       WHERE h.batch_id = x.batch_id AND h.unit_code = x.unit_code AND h.period = x.period
                         AND h.indicator = x.indicator"""
                )
                n = con.execute("DELETE FROM observations WHERE batch_id = ?", [int(batch_id)]).fetchone()[0]
                con.execute("DELETE FROM holdings WHERE batch_id = ?", [int(batch_id)])
                con.execute("DELETE FROM batches WHERE batch_id = ?", [int(batch_id)])
                con.execute("DELETE FROM batch_problems WHERE batch_id = ?", [int(batch_id)])
                con.execute("DROP TABLE _heir")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return int(n)

    def summary(self) -> dict[str, Any]:
        with self._session() as con:
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
            n_batches = con.execute("SELECT count(*) FROM batches").fetchone()[0]
        return {
            "observations": int(total[0]),
            "units": int(total[1]),
            "units_per_period": {k: int(v) for k, v in per_period.items()},
            "indicators": [dict(zip(keys, r)) for r in ind],
            "batches": n_batches,
            "code_vintage": self.code_vintage,
        }

    def subunits(self, parent_code: str | None = None) -> list[dict[str, Any]]:
        if not self.exists:
            return []
        sql, params = "SELECT code, name, parent_code, level FROM subunits", []
        if parent_code is not None:
            sql, params = sql + " WHERE parent_code = ?", [parent_code]
        with self._session() as con:
            cur = con.execute(sql + " ORDER BY code", params)
            return [dict(zip(("code", "name", "parent_code", "level"), r)) for r in cur.fetchall()]

    # -- export ------------------------------------------------------------------------------------

    def export(self, path: str | Path, indicators=None, periods=None) -> int:
        from xianping.files import replace_when_done

        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".parquet", ".xlsx"):
            raise XianpingInputError(
                f"cannot export to {path.name}: unknown format {suffix or '(no suffix)'}; use .csv, .parquet or .xlsx"
            )
        where, params = self._where(indicators, None, periods)
        select = f"SELECT {', '.join(OBSERVATION_COLUMNS)} FROM observations{where} ORDER BY indicator, period, unit_code"
        with self._session() as con, replace_when_done(path) as tmp:
            if suffix == ".xlsx":
                return self._export_xlsx(con, tmp, select, params)
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
            con.execute(f"COPY ({inlined}) TO '{str(tmp).replace(chr(39), chr(39) * 2)}' ({fmt})")
            return int(con.execute(f"SELECT count(*) FROM ({select})", params).fetchone()[0])

    def _export_xlsx(self, con, path: Path, select: str, params: list[Any]) -> int:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("observations")
        ws.append(list(XLSX_HEADERS))
        n = 0
        from xianping.report.excel_safe import append_row

        for r in con.execute(select, params).fetchall():
            append_row(ws, r)   # formula-like text from users' cells is stored as text
            n += 1
        meta = wb.create_sheet("batches")
        cur = con.execute("SELECT batch_id, file_name, sha256, imported_at, rows, layout, options, code_vintage, source FROM batches ORDER BY batch_id")
        meta.append(["批次 batch_id", "文件 file_name", "sha256", "导入时间 imported_at", "行数 rows", "格式 layout", "选项 options", "代码版本 code_vintage", "来源 source"])
        for r in cur.fetchall():
            append_row(meta, r)
        wb.save(path)
        return n

    def close(self) -> None:
        if self.path is None and self._con is not None:
            self._con.close()
            self._con = None


def _missing_report(path: Path) -> ProblemReport:
    report = ProblemReport()
    report.add("no_store", f"store {path} does not exist", file=str(path),
               expected=f"an existing store (create one with `xianping import FILE --store {path}` or `xianping demo`)")
    return report


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
