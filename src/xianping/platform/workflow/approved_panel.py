"""A programme's approved values → the engine's Panel [periods, units, indicators] and their data version.

One columnar query (pandas over the session's connection), indexed with numpy: a province of villages has millions
of approved values, never walked row by row in Python. The data version is the sha256 of the canonical approved set
(rows sorted by unit, indicator, period; value as repr), so the same numbers give the same version on SQLite and on
PostgreSQL, and any change of one value gives another.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from xianping.evaluation.load_panel import Panel
from xianping.platform.db.models import DataValue, Programme, Unit


@dataclass
class ApprovedData:
    panel: Panel
    data_version: str
    count: int          # approved values read (NULL values included: they are missing, not zero)


def approved_frame(session: Session, programme_id: int) -> pd.DataFrame:
    """The approved values of a programme, one query: unit_code, indicator, period, value."""
    q = (select(DataValue.unit_code, DataValue.indicator, DataValue.period, DataValue.value)
         .where(DataValue.programme_id == programme_id, DataValue.status == "approved"))
    df = pd.read_sql(q, session.connection())
    for c in ("unit_code", "indicator", "period"):
        df[c] = df[c].astype(str)
    df["value"] = pd.to_numeric(df["value"], errors="raise").astype("float64")
    return df


def data_version(df: pd.DataFrame) -> str:
    """sha256 over the sorted approved set, one line per value: unit \\t indicator \\t period \\t repr(value)."""
    d = df.sort_values(["unit_code", "indicator", "period"], kind="stable")
    # the shortest text that reads back to the same double (numpy's repr, in a compiled loop): the same on every
    # database; a NULL value is "nan"
    vals = d["value"].astype(str).fillna("nan")
    lines = d["unit_code"] + "\t" + d["indicator"] + "\t" + d["period"] + "\t" + vals
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def read_approved(session: Session, programme: Programme) -> ApprovedData:
    """The programme's approved values as a Panel (units: every active unit of the programme that has a value;
    names from the units table, which holds the divisions reference's names), with the data version."""
    df = approved_frame(session, programme.id)
    version = data_version(df)
    units, ui = np.unique(df["unit_code"].to_numpy(dtype=str), return_inverse=True)
    periods, pi = np.unique(df["period"].to_numpy(dtype=str), return_inverse=True)
    codes, ci = np.unique(df["indicator"].to_numpy(dtype=str), return_inverse=True)
    values = np.full((len(periods), len(units), len(codes)), np.nan)
    values[pi, ui, ci] = df["value"].to_numpy()
    with_values = select(DataValue.unit_code).where(DataValue.programme_id == programme.id, DataValue.status == "approved")
    names = dict(session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(with_values))).all())
    source = {"kind": "platform", "programme_id": programme.id, "programme": programme.name, "period": programme.period,
              "data_version": version, "approved_values": int(len(df)), "code_vintage": 2024}
    panel = Panel(values, periods.tolist(), units.tolist(), codes.tolist(), unit_names=names, source=source)
    return ApprovedData(panel, version, int(len(df)))
