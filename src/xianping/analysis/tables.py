"""The edge of the analysis layer: scores in (an evaluation result, its results CSV, a store + framework, or any
CSV of indicators), tables and a method manifest out (CSV / XLSX / JSON).

`AnalysisInput.values` is [years, units, columns]; for evaluation results the columns are the framework's nodes
(leaves first, root last), with `parents` (child → parent node) and effective weights of every node, so that
obstacle degrees and coupling of subsystems can be computed from a results CSV alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from xianping.problems import XianpingInputError


@dataclass
class AnalysisInput:
    units: list[str]
    unit_names: list[str]
    years: list[str]
    columns: list[str]
    values: np.ndarray                               # [years, units, columns]
    column_names: dict[str, str] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)
    effective_weights: dict[tuple[str, str], float] = field(default_factory=dict)   # (node, year) → weight in the root
    root: str | None = None
    scale: float = 1.0
    attributes: dict[str, list[str]] = field(default_factory=dict)                 # text columns of a data CSV
    source: dict[str, Any] = field(default_factory=dict)

    def column(self, name: str | None) -> np.ndarray:
        name = name or self.root or self.columns[-1]
        if name not in self.columns:
            raise XianpingInputError(f"no column {name!r} in the input (have: {', '.join(self.columns[:20])}"
                                     f"{' …' if len(self.columns) > 20 else ''})")
        return self.values[..., self.columns.index(name)]

    def children(self, node: str) -> list[str]:
        return [c for c in self.columns if self.parents.get(c) == node]

    def leaves_under(self, node: str) -> list[str]:
        kids = self.children(node)
        if not kids:
            return [node]
        return [leaf for k in kids for leaf in self.leaves_under(k)]

    def year_index(self, year) -> int:
        y = str(year) if year is not None else self.years[-1]
        if y not in self.years:
            raise XianpingInputError(f"year {y} is not in the input ({', '.join(self.years)})")
        return self.years.index(y)


def from_evaluation(res) -> AnalysisInput:
    parents = {}
    for it in res.framework.walk():
        if len(it.codes) > 1:
            parents[it.node.code] = it.codes[-2]
    eff = {(n, y): float(res.effective_weights[t, k]) for t, y in enumerate(res.years) for k, n in enumerate(res.nodes)}
    scale = float(getattr(res.framework.defaults, "scale", None) or res.manifest.get("settings", {}).get("scale", 1) or 1) \
        if hasattr(res.framework, "defaults") else 1.0
    return AnalysisInput(list(res.units), list(res.unit_names), list(res.years), list(res.nodes), np.asarray(res.scores, dtype=float),
                         column_names={it.node.code: it.node.name_zh for it in res.framework.walk()}, parents=parents,
                         effective_weights=eff, root=res.root, scale=scale,
                         source={"kind": "evaluation", "framework": res.manifest["framework"]["code"],
                                 "framework_hash": res.manifest["framework"]["hash"], "data": res.manifest["data"]})


def from_results_csv(path: str | Path) -> AnalysisInput:
    """The long results of `xianping evaluate` / `xianping demo` (+ the .weights and .manifest.json beside it)."""
    import pandas as pd

    from xianping.evaluation.load_panel import sha256_file

    p = Path(path)
    if not p.exists():
        raise XianpingInputError(f"results file {p} does not exist")
    from xianping.evaluation.export import check_results

    if p.with_name(p.stem + ".manifest.json").exists():  # a results file its manifest does not name is refused
        check_results(p)
    try:
        df = pd.read_csv(p, dtype={"unit_code": str, "year": str})
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise XianpingInputError(f"{p} is not a results table (the CSV `xianping evaluate` writes): "
                                 f"{type(e).__name__}: {str(e).splitlines()[0]}") from None
    from xianping.report.excel_safe import csv_uncolumn

    # text cells as the evaluation wrote them: one leading apostrophe off (excel_safe's round-trip rule)
    df = df.assign(**{c: csv_uncolumn(df[c]) for c in ("unit_code", "unit_name", "node", "node_name", "type") if c in df})
    need = {"unit_code", "year", "node", "score"}
    if not need <= set(df.columns):
        raise XianpingInputError(f"{p} is not a results table: it needs the columns {', '.join(sorted(need))}")
    units = list(dict.fromkeys(df["unit_code"]))
    years = sorted(dict.fromkeys(df["year"]))
    nodes = list(dict.fromkeys(df["node"]))
    ui, yi, ni = ({v: i for i, v in enumerate(x)} for x in (units, years, nodes))
    vals = np.full((len(years), len(units), len(nodes)), np.nan)
    vals[df["year"].map(yi).to_numpy(), df["unit_code"].map(ui).to_numpy(), df["node"].map(ni).to_numpy()] = df["score"].to_numpy(float)
    names = df.drop_duplicates("unit_code").set_index("unit_code")["unit_name"].reindex(units).fillna("").astype(str).tolist() \
        if "unit_name" in df.columns else [""] * len(units)
    colnames = df.drop_duplicates("node").set_index("node")["node_name"].to_dict() if "node_name" in df.columns else {}
    parents, eff = {}, {}
    wpath = p.with_name(p.stem + ".weights" + p.suffix)
    if wpath.exists():
        try:
            w = pd.read_csv(wpath, dtype={"year": str})
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
            raise XianpingInputError(f"weights file {wpath} beside the results is not the CSV `xianping evaluate` "
                                     f"writes: {type(e).__name__}: {str(e).splitlines()[0]}") from None
        w = w.assign(**{c: csv_uncolumn(w[c]) for c in ("child", "node") if c in w})
        parents = dict(zip(w["child"], w["node"]))
        eff = {(c, y): float(e) for c, y, e in zip(w["child"], w["year"], w["effective_weight"])}
    root = next((n for n in nodes if n not in parents and any(parents.get(c) == n for c in nodes)), nodes[-1])
    for y in years:
        eff[(root, y)] = 1.0
    scale = 1.0
    mpath = p.with_name(p.stem + ".manifest.json")
    manifest = json.loads(mpath.read_text(encoding="utf-8")) if mpath.exists() else {}
    content = manifest.get("framework", {}).get("content") or {}
    scale = float((content.get("defaults") or {}).get("scale") or 1.0)
    return AnalysisInput(units, names, years, nodes, vals, column_names=colnames, parents=parents, effective_weights=eff, root=root,
                         scale=scale, source={"kind": "results_csv", "path": str(p), "sha256": sha256_file(p),
                                              "framework": manifest.get("framework", {}).get("code"),
                                              "framework_hash": manifest.get("framework", {}).get("hash")})


def from_data_csv(path: str | Path, code_column: str | None = None, year_column: str | None = None) -> AnalysisInput:
    """A wide table: a unit code column (unit_code / code / 代码 / adcode …), optionally a year column, numeric
    indicator columns (text columns are kept as attributes, e.g. a grouping or a population column)."""
    import pandas as pd

    from xianping.evaluation.load_panel import sha256_file

    p = Path(path)
    if not p.exists():
        raise XianpingInputError(f"data file {p} does not exist")
    if p.suffix.lower() in (".xlsx", ".xls"):
        df = pd.read_excel(p, dtype=str)
    else:  # gzip, UTF-8 or GBK: the evaluation's reader decides, so both read the same files
        import io

        from xianping.evaluation.load_panel import read_text

        df = pd.read_csv(io.StringIO(read_text(p)[0]), dtype=str)
    cols = list(df.columns)
    code = code_column or next((c for c in ("unit_code", "code", "adcode", "代码", "区划代码", "gb") if c in cols), None)
    if code is None or code not in cols:
        raise XianpingInputError(f"{p}: no unit code column (give --code-column; columns: {', '.join(map(str, cols[:15]))})")
    ycol = year_column or next((c for c in ("year", "period", "年份") if c in cols), None)
    df[code] = df[code].str.strip().str.replace(r"^156(?=\d{6}$)", "", regex=True)
    years = sorted(dict.fromkeys(df[ycol].astype(str))) if ycol else ["all"]
    units = list(dict.fromkeys(df[code]))
    names_col = next((c for c in ("unit_name", "name", "名称", "地区") if c in cols), None)
    num, attrs = [], {}
    for c in cols:
        if c in (code, ycol, names_col):
            continue
        conv = pd.to_numeric(df[c], errors="coerce")
        if conv.notna().sum() >= max(1, 0.5 * df[c].notna().sum()):
            num.append(c)
            df[c] = conv
        else:
            attrs[c] = c
    ui = {u: i for i, u in enumerate(units)}
    yi = {y: i for i, y in enumerate(years)}
    vals = np.full((len(years), len(units), len(num)), np.nan)
    t = df[ycol].astype(str).map(yi).to_numpy() if ycol else np.zeros(len(df), dtype=int)
    vals[t, df[code].map(ui).to_numpy()] = df[num].to_numpy(float) if num else np.empty((len(df), 0))
    first = df.drop_duplicates(code).set_index(code)
    attributes = {c: first[c].reindex(units).fillna("").astype(str).tolist() for c in attrs}
    names = first[names_col].reindex(units).fillna("").astype(str).tolist() if names_col else [""] * len(units)
    return AnalysisInput(units, names, years, num, vals, attributes=attributes,
                         source={"kind": "data_csv", "path": str(p), "sha256": sha256_file(p), "code_column": code, "year_column": ycol})


def load_input(results=None, store=None, framework=None, data=None, years=None, code_column=None) -> AnalysisInput:
    given = [x is not None for x in (results, store, data)]
    if sum(given) != 1:
        raise XianpingInputError("give exactly one input: --results FILE, --store DB with --framework NAME, or --data FILE")
    if results is not None:
        inp = from_results_csv(results)
    elif data is not None:
        inp = from_data_csv(data, code_column)
    else:
        if framework is None:
            raise XianpingInputError("--store needs --framework (e.g. census-social)")
        from xianping.evaluation import evaluate

        inp = from_evaluation(evaluate(framework, store=store, years=years))
    if years is not None and inp.source.get("kind") != "evaluation":
        ys = [y.strip() for y in str(years).split(",")] if isinstance(years, str) else [str(y) for y in years]
        missing = [y for y in ys if y not in inp.years]
        if missing:
            raise XianpingInputError(f"years {', '.join(missing)} are not in the input ({', '.join(inp.years)})")
        idx = [inp.years.index(y) for y in ys]
        inp.values, inp.years = inp.values[idx], ys
    return inp


def manifest(method: str, inp: AnalysisInput, settings: dict[str, Any], **extra: Any) -> dict[str, Any]:
    import importlib.metadata as md

    from xianping import __version__

    libs = {}
    for lib in ("numpy", "scipy", "statsmodels", "esda", "libpysal", "giddy", "mapclassify"):
        try:
            libs[lib] = md.version(lib)
        except md.PackageNotFoundError:
            pass
    return {"xianping_version": __version__, "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "analysis": method, "input": inp.source, "years": inp.years, "units": len(inp.units), "settings": settings,
            "libraries": libs, **extra}


def _clean(v):
    if isinstance(v, (np.floating, float)):
        return None if np.isnan(v) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, (list, tuple)):
        return json.dumps([_clean(x) for x in v], ensure_ascii=False)
    return v


def write_tables(tables: dict[str, list[dict[str, Any]]], out: str | Path, man: dict[str, Any]) -> dict[str, str]:
    """CSV: one file per table (`out` for the first, `<stem>.<table>.csv` for the others); XLSX: one sheet per table
    plus a 'manifest' sheet. The manifest JSON goes beside (`<stem>.manifest.json`)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    written: dict[str, str] = {}
    suffix = out.suffix.lower()
    from xianping.files import FileSet
    from xianping.report.excel_safe import append_row, csv_text

    files = FileSet()  # every table to a temporary file, the manifest last, all renamed together
    with files:  # an error discards every temporary file; leaving the block renames them
        if suffix == ".xlsx":
            from openpyxl import Workbook

            wb = Workbook()
            wb.remove(wb.active)
            for name, rows in tables.items():
                ws = wb.create_sheet(name[:31])
                cols = list(dict.fromkeys(k for r in rows for k in r))
                append_row(ws, cols)
                for r in rows:
                    append_row(ws, [_clean(r.get(c)) for c in cols])   # unit names from users' files stay text
            ws = wb.create_sheet("manifest")
            ws.append(["manifest"])
            ws.append([json.dumps(man, ensure_ascii=False, default=str)])
            files.stage(out, wb.save)
            written["tables"] = str(out)
        elif suffix == ".csv":
            import csv

            for i, (name, rows) in enumerate(tables.items()):
                path = out if i == 0 else out.with_name(f"{out.stem}.{name}.csv")
                cols = list(dict.fromkeys(k for r in rows for k in r))

                def write(tmp, rows=rows, cols=cols):
                    with open(tmp, "w", newline="", encoding="utf-8") as f:
                        w = csv.writer(f)
                        w.writerow([csv_text(c) for c in cols])
                        for r in rows:
                            w.writerow(["" if _clean(r.get(c)) is None else csv_text(_clean(r.get(c))) for c in cols])
                files.stage(path, write)
                written[name] = str(path)
        else:
            raise XianpingInputError(f"cannot write tables to {out.name}: use .csv or .xlsx")
        mpath = out.with_name(out.stem + ".manifest.json")
        files.stage_text(mpath, json.dumps(man, ensure_ascii=False, indent=1, default=str))
    written["manifest"] = str(mpath)
    return written
