"""The manifest: everything needed to rebuild a result exactly, and to defend it.

framework (name, source, content hash, content), data (store path + batch ids + sha256 of each batch,
or the CSV's sha256), years, units, every setting actually used (defaults resolved), the compiled
per-node methods (weights with AHP CR, aggregation options), frozen anchors, what was imputed,
carried forward or screened out, the problems met (notes and warnings, and the warnings again on their own
in `warnings`: those of reading the data file, too), and the xianping version.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any

import numpy as np


def json_safe(v):
    """Plain JSON values for manifests and API answers: numpy scalars and arrays to Python, NaN and ±inf to null
    (strict JSON has neither), dict keys to str. One rule for every manifest, the what-if tables and the web."""
    if isinstance(v, dict):
        return {str(k): json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [json_safe(x) for x in v]
    if isinstance(v, np.ndarray):
        return json_safe(v.tolist())
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return f if np.isfinite(f) else None
    return v


def build_manifest(fw, fw_meta, fw_file, settings, plan, info, panel, prepared, by_type, types_meta, report) -> dict[str, Any]:
    from xianping import __version__

    years = panel.years
    codes = list(plan.indicators)
    carried = [{"indicator": codes[j], "year": years[t], "cells": int(prepared.imputed_mask[t, :, j].sum())}
               for t, j in zip(*np.where(prepared.carried_forward))]
    dropped_ind = [{"indicator": codes[j], "year": years[t], "availability": float(prepared.indicator_availability[t, j])}
                   for t, j in zip(*np.where(~prepared.keep_indicators))]
    dropped_units = [{"unit_code": panel.units[i], "year": years[t], "availability": float(prepared.unit_availability[t, i])}
                     for t, i in zip(*np.where(~prepared.keep_units))]
    anchors = None
    if prepared.anchors is not None:
        lo, hi = (np.broadcast_to(np.asarray(a, dtype=float).reshape(-1, len(codes))[0], (len(codes),)) for a in prepared.anchors)
        anchors = {c: [float(lo[j]), float(hi[j])] for j, c in enumerate(codes)}
    special = None  # moderate/interval columns: the range their largest deviation M comes from
    if prepared.bounds is not None:
        blo, bhi = (np.broadcast_to(np.asarray(a, dtype=float).reshape(-1, len(codes))[0], (len(codes),)) for a in prepared.bounds)
        special = {}
        for j, c in enumerate(codes):
            d = plan.directions[j]
            if d == "moderate":
                opt = plan.optimum[j]
                M = max(abs(blo[j] - opt), abs(bhi[j] - opt))
                special[c] = {"kind": "moderate", "optimum": opt, "range": [float(blo[j]), float(bhi[j])], "M": float(M)}
            elif d == "interval":
                a, b = plan.interval[j]
                special[c] = {"kind": "interval", "interval": [a, b], "range": [float(blo[j]), float(bhi[j])],
                              "M": float(max(a - blo[j], bhi[j] - b))}
    steps = {
        "order": ["denominate", "missing_years", "impute", "screen", "treat", "normalise", "weight", "aggregate", "rank", "tiers"],
        "denominate": {c: info["denominators"][b] for c, b in zip(codes, plan.denominators) if b >= 0},
        "missing_years": {"policy": plan.missing_years, "carried_forward": carried},
        "impute": {**plan.impute, "groups": settings["impute"].get("groups"),
                   "cells": int(prepared.imputed_mask.sum())},
        "screen": {**plan.screen, "indicators_out": dropped_ind, "units_out": dropped_units},
        "treat": plan.treat,
        "normalise": {**plan.normalise, "panel": plan.panel, "scale": plan.scale,
                      "directions": {c: d for c, d in zip(codes, plan.directions)},
                      "anchors": anchors,
                      "moderate_interval_anchors": special,
                      "anchors_note": {"per_year": "min/max of each year (scores not comparable across years)",
                                       "pooled": "min/max over all years evaluated (adding a year changes them)",
                                       "frozen": f"anchors of the base year {settings['base_year']} (or given); adding a year leaves them"}[plan.panel]},
        "weights_panel": {"per_year": "data-driven weights per year", "pooled": "data-driven weights on all county-years pooled (面板)",
                          "frozen": f"data-driven weights of the base year {settings['base_year']}"}[plan.panel],
        "nodes": {s.code: {"children": [plan.node_codes[c] for c in s.children], "weights": s.weights,
                           "aggregation": s.aggregation} for s in plan.nodes},
        "aggregation_missing": plan.missing,
        "ties": plan.ties,
        "tiers": settings.get("tiers"),
    }
    src = dict(panel.source)
    return json_safe({
        "xianping_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "framework": {**fw_meta, "code": fw.code, "version": fw.version, "file": fw_file, "hash": fw.content_hash(),
                      "content": fw.to_dict()},
        "data": src,
        "years": years,
        "units": len(panel.units),
        "indicators": codes,
        "by_type": bool(by_type),
        "types": types_meta,
        "settings": settings,
        "steps": steps,
        "problems": [p.as_dict() for p in report],
        # what the user must see: columns not read, units with a year missing, values kept outside their usual range …
        "warnings": [p.as_dict() for p in report if p.severity == "warning"],
    })
