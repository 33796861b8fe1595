"""Statements against the panel store: list conflicts with stored values, or store them (source "report").

Only intact observations go in: a value that was read (not lost, not a placeholder, not implausible, not a
guess), not a target, for a located region, a store period (2023, 2023Q1, 2023-03) and a library indicator;
the value is converted to the library indicator's unit. A growth rate of an indicator whose lexicon entry names
a growth indicator (地区生产总值 → gdp_growth) is stored under that one. Every stored value carries its
provenance in `flags`: ``report;file=…;span=a-b``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from xianping.text.statement import Statement

REL_TOL = 1e-6


@dataclass
class Observations:
    rows: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[tuple[Statement, str]] = field(default_factory=list)


def _why_not(st: Statement) -> str | None:
    from xianping.store.base import is_valid_period

    if st.target:
        return "target"
    for f in ("damaged_number", "placeholder", "implausible", "range", "qualitative", "repair_guess"):
        if f in st.flags:
            return f
    if st.region_code is None:
        return "no region"
    if st.period is None or not is_valid_period(st.period):
        return f"period {st.period!r} is not a store period"
    return None


def to_observations(stmts: Iterable[Statement]) -> Observations:
    from xianping.frameworks.library import load_library
    from xianping.reference.measure_units import conversion_factor
    from xianping.text.lexicon import load_lexicon

    lib, lex = load_library(), load_lexicon()
    out = Observations()
    seen: set[tuple[str, str, str]] = set()
    for st in stmts:
        why = _why_not(st)
        if why:
            out.skipped.append((st, why))
            continue
        prov = f"report;file={Path(st.source).name};span={st.span[0]}-{st.span[1]}"
        cands: list[tuple[str, float, str]] = []
        if st.indicator and st.value is not None:
            unit = lib.get(st.indicator).unit
            try:
                cands.append((st.indicator, st.value * conversion_factor(st.unit or unit, unit), unit))
            except Exception:
                out.skipped.append((st, f"unit {st.unit} does not convert to {unit}"))
        term = lex.by_spelling.get(st.indicator_name or "")
        if st.growth_pct is not None and term is not None and term.growth_code:
            cands.append((term.growth_code, st.growth_pct, "%"))
        if not cands and not any(s is st for s, _ in out.skipped):
            out.skipped.append((st, "no library indicator"))
        for code, value, unit in cands:
            key = (st.region_code, st.period, code)  # type: ignore[assignment]
            if key in seen:
                continue
            seen.add(key)  # type: ignore[arg-type]
            out.rows.append({"unit_code": st.region_code, "period": st.period, "indicator": code, "value": value,
                             "unit": unit, "source": "report", "flags": prov, "file": st.source})
    return out


def conflicts(stmts: Iterable[Statement], store) -> list[dict[str, Any]]:
    """Observations whose stored value differs (relative tolerance 1e-6)."""
    obs = to_observations(stmts)
    out = []
    for o in obs.rows:
        for s in store.observations(indicators=[o["indicator"]], units=[o["unit_code"]], periods=[o["period"]]):
            if s["value"] is None:
                continue
            if abs(s["value"] - o["value"]) > REL_TOL * max(abs(s["value"]), abs(o["value"]), 1):
                out.append({**o, "stored": s["value"], "stored_source": s["source"], "batch_id": s["batch_id"]})
    return out


def import_statements(stmts: list[Statement], store, files: list[str | Path]):
    """Write the storable statements as one batch; returns (WriteResult, Observations)."""
    from xianping.store.base import BatchMeta

    obs = to_observations(stmts)
    h = hashlib.sha256()
    for f in files:
        h.update(Path(f).read_bytes())
    meta = BatchMeta(file_name=";".join(Path(f).name for f in files), sha256=h.hexdigest(), layout="report",
                     options={"reader": "xianping.text"}, notes=f"{len(obs.rows)} values from report text")
    return store.write_batch(obs.rows, meta, source="report"), obs
