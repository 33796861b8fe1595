"""Framework + data → a `Model`: everything the batched evaluation needs, resolved once.

The same steps as `xianping.evaluation.evaluate` (framework, resolved settings, compiled plan, panel,
base year, groups for group imputation, year numbers), so the nominal run here is the evaluation's.
Data: a store, a CSV that `evaluation.load_panel.from_csv` reads, or a wide table in COINr's layout
(uCode, indicator columns) such as ../shared/bench/bench_2800x40.csv, or a binary .npz panel. Wide files are read with pandas
(a 2.5-million-row village panel in seconds); indicator columns match framework codes ignoring case
(I01 ↔ i01), since library codes are lower-case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from xianping.evaluation.load_panel import Panel, from_csv, from_store, sha256_file
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


def _wide_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig") as f:
        return [h.strip() for h in f.readline().rstrip("\r\n").split(",")]


def _npz_panel(path: Path, codes, years=None) -> Panel:
    """A binary panel (scripts/make_village_scale.py): values [T, m, k], years, units, columns."""
    with np.load(path) as f:
        vals, ys, units, cols = f["values"], [str(y) for y in f["years"]], [str(u) for u in f["units"]], [str(c) for c in f["columns"]]
    want = [str(y).strip() for y in (years.split(",") if isinstance(years, str) else years)] if years is not None else ys
    absent = [y for y in want if y not in ys]
    if absent:
        raise XianpingInputError(f"data file {path} has no rows for year(s) {', '.join(absent)}")
    low = {c.lower(): j for j, c in enumerate(cols)}
    ti = [ys.index(y) for y in want]
    ci = [low.get(c.lower(), -1) for c in codes]
    arr = vals if ti == list(range(len(ys))) else vals[ti]
    if ci != list(range(len(cols))):  # the file's columns in the plan's order already: no copy
        arr = np.take(arr, [max(j, 0) for j in ci], axis=-1)
    if min(ci, default=0) < 0:
        arr[..., [j for j, c in enumerate(ci) if c < 0]] = np.nan
    return Panel(arr, want, units, list(codes), {}, {}, {"kind": "npz", "path": str(path), "sha256": sha256_file(path)})


def read_panel(path, codes, years=None) -> Panel:
    """A data file → Panel with `codes` as columns (see the module doc)."""
    path = Path(path)
    if not path.exists():
        raise XianpingInputError(f"data file {path} does not exist")
    if path.suffix == ".npz":
        return _npz_panel(path, codes, years)
    head = _wide_header(path)
    low = {h.lower(): h for h in head}
    ucol = "unit_code" if "unit_code" in head else "uCode" if "uCode" in head else None
    if ucol is None or {"indicator", "value"} <= set(head):
        return from_csv(path, codes, years)  # long files, or no unit column: the evaluation's reader and its errors
    import pandas as pd

    ycol = "period" if "period" in head else "year" if "year" in head else None
    str_cols = [c for c in (ucol, ycol, "unit_name") if c and c in head]
    df = pd.read_csv(path, dtype={c: str for c in str_cols}, na_values=["", "NA", "NaN", "nan", "—", "-", "…", "..."],
                     keep_default_na=False, encoding="utf-8-sig")
    cols = [low.get(c.lower()) for c in codes]
    bad = [h for h in cols if h is not None and not pd.api.types.is_numeric_dtype(df[h])]
    if bad:  # let the evaluation's reader locate every bad cell
        return from_csv(path, codes, years)
    ys = None
    if years is not None:
        ys = [s.strip() for s in (years.split(",") if isinstance(years, str) else map(str, years)) if s.strip()]
    if ycol is None:
        df["__year"] = "0"
        ycol = "__year"
    if ys:
        absent = [y for y in ys if y not in set(df[ycol])]
        if absent:
            raise XianpingInputError(f"data file {path} has no rows for year(s) {', '.join(absent)}")
        df = df[df[ycol].isin(ys)]
    found = ys or sorted(df[ycol].unique())
    units = list(dict.fromkeys(df[ucol].str.strip()))
    ui = pd.Index(units)
    yi = pd.Index(found)
    r = yi.get_indexer(df[ycol])
    c = ui.get_indexer(df[ucol].str.strip())
    arr = np.full((len(found), len(units), len(codes)), np.nan)
    for j, h in enumerate(cols):
        if h is not None:
            arr[r, c, j] = df[h].to_numpy(dtype=float)
    names = dict(zip(df[ucol].str.strip(), df["unit_name"])) if "unit_name" in df else {}
    used = {h for h in cols if h is not None} | {ucol, ycol, "unit_name"}
    attrs = {h: dict(zip(df[ucol].str.strip(), df[h].astype(str))) for h in df.columns
             if h not in used and not pd.api.types.is_numeric_dtype(df[h])}
    src = {"kind": "csv", "path": str(path), "sha256": sha256_file(path)}
    return Panel(arr, list(found), units, list(codes), names, attrs, src)


def load_model(framework, *, data=None, store=None, years=None, settings: dict[str, Any] | None = None,
               panel: Panel | None = None) -> Model:
    """Resolve a framework and its data once (as `evaluate` does). `panel`: an already loaded Panel."""
    from xianping.evaluation.run import resolve_inputs

    if panel is None and (store is None) == (data is None):
        raise XianpingInputError("give exactly one data source: a store or a data file")
    given = panel

    def read(codes):
        if given is not None:
            return given
        return from_store(store, codes, years) if store is not None else read_panel(data, codes, years)

    fw, fw_file, fw_meta, st, plan, info, panel, bi, _warnings = resolve_inputs(framework, settings, read)
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
    return Model(fw, fw_file, fw_meta, st, dict(settings or {}), plan, info, panel, x, den, times, bi, unit_types)
