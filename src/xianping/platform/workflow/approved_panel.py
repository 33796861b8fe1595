"""A programme's approved values → the engine's Panel [periods, units, indicators] and their data version.

One query, its rows transposed into columns and indexed with numpy: a province of villages has millions
of approved values, never walked row by row in Python. The data version is the sha256 of the canonical approved set
(rows sorted by unit, indicator, period; value as repr), so the same numbers give the same version on SQLite and on
PostgreSQL, and any change of one value gives another.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from xianping.evaluation.load_panel import Panel
from xianping.platform.db.models import DataValue, Programme, Unit


@dataclass
class ApprovedData:
    panel: Panel
    data_version: str
    count: int          # approved values read (NULL values included: they are missing, not zero)


@dataclass
class Columns:
    unit: np.ndarray        # str
    indicator: np.ndarray   # str
    period: np.ndarray      # str
    value: np.ndarray       # float64, NaN for NULL


def approved_columns(session: Session, programme_id: int) -> Columns:
    """The approved values of a programme, one query, as columns. The DBAPI cursor's rows are transposed in C
    (zip): SQLAlchemy's per-row processing cost more than the query itself at a million rows."""
    q = (select(DataValue.unit_code, DataValue.indicator, DataValue.period, DataValue.value)
         .where(DataValue.programme_id == int(programme_id), DataValue.status == "approved"))
    conn = session.connection()
    # literal binds: an integer and a constant, nothing from a user; the statement runs in the session's transaction
    sql = str(q.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cur = conn.connection.cursor()
    try:
        cur.execute(sql)
        rows = cur.fetchall()
    finally:
        cur.close()
    u, i, p, v = zip(*rows) if rows else ((), (), (), ())
    return Columns(np.array(u, dtype=str), np.array(i, dtype=str), np.array(p, dtype=str), np.array(v, dtype=float))


def data_version(c: Columns) -> str:
    """sha256 over the sorted approved set, one line per value: unit \t indicator \t period \t repr(value)."""
    order = np.lexsort((c.period, c.indicator, c.unit))   # code-point order, the same on every database
    # numpy's float text is the shortest that reads back to the same double (as repr): "0.1", "3.0", "nan" for NULL
    cols = [x[order].astype(object) for x in (c.unit, c.indicator, c.period, c.value.astype(str))]
    lines = cols[0] + "\t" + cols[1] + "\t" + cols[2] + "\t" + cols[3]
    return hashlib.sha256("\n".join(lines.tolist()).encode("utf-8")).hexdigest()


def read_approved(session: Session, programme: Programme) -> ApprovedData:
    """The programme's approved values as a Panel (units: every active unit of the programme that has a value;
    names from the units table, which holds the divisions reference's names), with the data version."""
    c = approved_columns(session, programme.id)
    version = data_version(c)
    units, ui = np.unique(c.unit, return_inverse=True)
    periods, pi = np.unique(c.period, return_inverse=True)
    codes, ci = np.unique(c.indicator, return_inverse=True)
    values = np.full((len(periods), len(units), len(codes)), np.nan)
    values[pi, ui, ci] = c.value
    with_values = select(DataValue.unit_code).where(DataValue.programme_id == programme.id, DataValue.status == "approved")
    names = dict(session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(with_values))).all())
    source = {"kind": "platform", "programme_id": programme.id, "programme": programme.name, "period": programme.period,
              "data_version": version, "approved_values": int(len(c.value)), "code_vintage": 2024}
    panel = Panel(values, periods.tolist(), units.tolist(), codes.tolist(), unit_names=names, source=source)
    return ApprovedData(panel, version, int(len(c.value)))
