"""Framework + data → a `Model`: everything the batched evaluation needs, resolved once.

The same steps as `xianping.evaluation.evaluate` (framework, resolved settings, compiled plan, panel,
base year, groups for group imputation, year numbers), so the nominal run here is the evaluation's.
Data: a store, or a data file read by `evaluation.load_panel.read_panel` (a table as `xianping import` reads it,
with the same reading options and warnings; long/wide coded CSV, COINr's wide layout, a binary .npz panel) — the
same reader `evaluate` uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from xianping.evaluation.load_panel import Panel, from_store, read_panel
from xianping.problems import XianpingInputError

__all__ = ["Model", "load_model", "read_panel"]


@dataclass
class Model:
    framework: Any
    framework_file: str | None
    framework_meta: dict[str, Any]
    settings: dict[str, Any]  # resolved (defaults ← framework ← user)
    user_settings: dict[str, Any]
    plan: Any  # the nominal engine Plan
    info: dict[str, Any]
    panel: Panel
    x: np.ndarray  # [T, m, n]
    den: np.ndarray | None
    times: list[float]
    base_index: int
    unit_types: list[str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def units(self) -> list[str]:
        return self.panel.units

    @property
    def years(self) -> list[str]:
        return self.panel.years

    def groups(self, impute: dict[str, Any]):
        from xianping.evaluation.run import _groups

        return _groups(impute.get("groups"), self.panel, self.unit_types)


def load_model(framework, *, data=None, store=None, years=None, settings: dict[str, Any] | None = None,
               panel: Panel | None = None, **read: Any) -> Model:
    """Resolve a framework and its data once (as `evaluate` does). `panel`: an already loaded Panel. `read`: the
    reading options of a data file (mapping, code_year, period, …), as `evaluate` takes them. The warnings and notes
    of reading the data and of the nominal plan are kept in `extra["problems"]`."""
    from xianping.evaluation.run import resolve_inputs

    if panel is None and (store is None) == (data is None):
        raise XianpingInputError("give exactly one data source: a store or a data file")
    if store is not None and any(v not in (None, False) for v in read.values()):
        raise XianpingInputError(f"{', '.join(k for k, v in read.items() if v not in (None, False))}: reading options of "
                                 "a data file; a store holds imported values")
    given = panel

    def read_codes(codes):
        if given is not None:
            return given
        return from_store(store, codes, years) if store is not None else read_panel(data, codes, years, **read)

    fw, fw_file, fw_meta, st, plan, info, panel, bi, problems = resolve_inputs(framework, settings, read_codes)
    unit_types = None
    if st["impute"].get("groups") == "type":
        from xianping.evaluation.run import _types_from_gazetteer

        tmap = _types_from_gazetteer(panel.units, panel.source.get("code_vintage") or 2024)
        unit_types = [tmap.get(u, "未分类") for u in panel.units]
    # the panel's own array when its columns are the plan's (a village panel is not copied again)
    x = panel.values if list(panel.columns) == list(plan.indicators) else panel.take(plan.indicators)
    den = panel.take(info["denominators"]) if info["denominators"] else None
    times = []
    for y in panel.years:
        try:
            times.append(float(str(y)[:4]))
        except ValueError:
            times.append(float(len(times)))
    return Model(fw, fw_file, fw_meta, st, dict(settings or {}), plan, info, panel, x, den, times, bi, unit_types,
                 extra={"problems": problems})
