"""What every report is written from: one evaluation's results as labelled arrays, with the manifest, the
framework's node and indicator metadata (中文名, English, unit), and the analysis results that exist.

Two ways in, with the same object out:

    ReportData.from_result(res)          # an EvaluationResult in memory (raw values included)
    load_report_data("out/results.csv")  # a results CSV with its manifest (and weights) beside it, or the
                                         # folder `xianping demo` wrote; raw values come from rebuilding the
                                         # evaluation from the manifest when its data are still there

Nothing here computes a score: scores, ranks, tiers and changes are read from the result. Obstacle degree and
coupling coordination come from `xianping.analysis` on those scores; rank intervals only from a robustness
file beside the results (`<stem>.rank_intervals.csv`: unit_code, year, rank_lo, rank_hi[, rank_median]).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xianping.ingest.read_text import read_text
from xianping.report.excel_safe import csv_unescape
from xianping.problems import XianpingError, XianpingInputError

PROVINCE_EN = {
    "11": "Beijing", "12": "Tianjin", "13": "Hebei", "14": "Shanxi", "15": "Inner Mongolia", "21": "Liaoning",
    "22": "Jilin", "23": "Heilongjiang", "31": "Shanghai", "32": "Jiangsu", "33": "Zhejiang", "34": "Anhui",
    "35": "Fujian", "36": "Jiangxi", "37": "Shandong", "41": "Henan", "42": "Hubei", "43": "Hunan",
    "44": "Guangdong", "45": "Guangxi", "46": "Hainan", "50": "Chongqing", "51": "Sichuan", "52": "Guizhou",
    "53": "Yunnan", "54": "Tibet", "61": "Shaanxi", "62": "Gansu", "63": "Qinghai", "64": "Ningxia",
    "65": "Xinjiang", "71": "Taiwan", "81": "Hong Kong", "82": "Macao",
}


def province_name(code2: str) -> str:
    from xianping.reference.divisions import get_gazetteer

    d = get_gazetteer().get(code2 + "0000")
    return d.name if d is not None else code2


@dataclass
class ReportFailure:
    """A part of a report that could not be made, and why — every report lists these (以下部分未能生成：…)."""

    part: str      # in Chinese, as the report names it (原始指标值, 障碍度分析 …)
    reason: str


@dataclass
class NodeInfo:
    code: str
    name_zh: str
    name_en: str
    level: int              # 0 root, 1 dimensions, …
    parent: str | None
    leaf: bool
    unit: str = ""          # leaves: the indicator's unit
    indicator: str = ""     # leaves: the indicator code
    direction: str = ""
    kind: str = ""
    target: float | None = None

    def label(self, with_unit: bool = True) -> str:
        u = f"（{self.unit}）" if with_unit and self.unit else ""
        return f"{self.name_zh}{u}"


@dataclass
class ReportData:
    framework: dict[str, Any]            # code, name_zh, name_en, version, source
    years: list[str]
    base_year: str | None
    units: list[str]
    unit_names: list[str]
    unit_types: list[str] | None
    nodes: list[NodeInfo]                # the result's node order (leaves first, root last)
    score: np.ndarray                    # [T, m, N]
    rank: np.ndarray                     # [T, m, N] (NaN: not ranked)
    tier: np.ndarray                     # [T, m] root tier (1 best, 0 outside top-N, −1 none)
    manifest: dict[str, Any]
    type_rank: np.ndarray | None = None  # [T, m, N] rank within type
    raw: np.ndarray | None = None        # [T, m, n] indicator values as given (NaN missing), leaves in node order
    imputed: np.ndarray | None = None    # bool [T, m, n]
    raw_note: str = ""                   # why raw values are missing, when they are
    weights: list[dict[str, Any]] = field(default_factory=list)
    obstacles: dict[str, Any] | None = None
    coupling: dict[str, Any] | None = None
    rank_intervals: dict[str, Any] | None = None
    source: dict[str, str] = field(default_factory=dict)   # paths the data came from
    failures: list[ReportFailure] = field(default_factory=list)   # parts that could not be made, listed by reports
    _groups: dict[str, Any] = field(default_factory=dict, repr=False)   # group ranks by node, computed once

    # ── labels ────────────────────────────────────────────────────────────
    @property
    def root(self) -> NodeInfo:
        return self.nodes[-1]

    @property
    def leaves(self) -> list[NodeInfo]:
        return [n for n in self.nodes if n.leaf]

    @property
    def dimensions(self) -> list[NodeInfo]:
        return [n for n in self.nodes if n.level == 1 and not n.leaf]

    @property
    def latest(self) -> str:
        return self.years[-1]

    def t(self, year) -> int:
        return self.years.index(str(year))

    def k(self, node: str) -> int:
        return [n.code for n in self.nodes].index(node)

    def node(self, code: str) -> NodeInfo:
        return self.nodes[self.k(code)]

    def province(self, i: int) -> str:
        return self.units[i][:2]

    @property
    def tiers_on(self) -> bool:
        return bool(self.manifest.get("settings", {}).get("tiers")) and bool(np.any(self.tier >= 0))

    def tier_label(self, tier: int) -> str:
        spec = self.manifest.get("settings", {}).get("tiers") or {}
        if tier < 0:
            return ""
        if spec.get("method") == "top_n":
            return f"第一方阵（前{spec.get('n', 30)}）" if tier == 1 else ""
        return f"第{tier}档"

    def rank_change(self, year=None, node=None) -> np.ndarray:
        """[m] places gained since the base year (进位 > 0); NaN when either rank is missing."""
        if self.base_year is None:
            return np.full(len(self.units), np.nan)
        k = self.k(node or self.root.code)
        return self.rank[self.t(self.base_year), :, k] - self.rank[self.t(year or self.latest), :, k]

    def score_change(self, year=None, node=None) -> np.ndarray:
        if self.base_year is None:
            return np.full(len(self.units), np.nan)
        k = self.k(node or self.root.code)
        return self.score[self.t(year or self.latest), :, k] - self.score[self.t(self.base_year), :, k]

    def ranked(self, year=None, node=None) -> list[int]:
        """Unit indices ranked in `year`, best first (ties by code)."""
        t, k = self.t(year or self.latest), self.k(node or self.root.code)
        r = self.rank[t, :, k]
        idx = [i for i in range(len(self.units)) if not np.isnan(r[i])]
        return sorted(idx, key=lambda i: (r[i], self.units[i]))

    # ── scope and ranks within groups: the ONE place every report format gets them ──
    @property
    def scope(self) -> dict[str, Any]:
        """The manifest's scope summary (label, units in/out, rank_label 全国排名/省内排名/市内排名);
        results from before scopes count as all units, national."""
        from xianping.evaluation.scope import scope_of

        return scope_of(self)

    @property
    def rank_label(self) -> str:
        return self.scope.get("rank_label") or "全国排名"

    @property
    def tier_spec(self) -> dict[str, Any]:
        """The tiers the result was made with (may be quantile:4 when the top_n default was resized)."""
        return self.manifest.get("settings", {}).get("tiers") or {}

    def top_n(self, n: int = 30, year=None) -> int:
        """A "前N名" caption's N: never more than the units ranked in `year`."""
        return min(n, len(self.ranked(year)))

    def group_ranks(self, node: str | None = None) -> dict[str, Any]:
        """Each unit's rank within its province, prefecture and kind, every year (evaluation.scope.group_ranks_of
        on the result's own scores of `node`, only the ranked units taking part, the result's tie rule)."""
        code = node or self.root.code
        if code not in self._groups:
            from xianping.evaluation.scope import group_ranks_of

            k = self.k(code)
            s = np.where(np.isnan(self.rank[..., k]), np.nan, self.score[..., k])
            st = self.manifest.get("settings", {})
            vintage = int(self.scope.get("kind_vintage") or (self.manifest.get("data") or {}).get("code_vintage") or 2024)
            self._groups[code] = group_ranks_of(self.units, s, ties=st.get("ties", "min"), vintage=vintage)
        return self._groups[code]

    def rank_rows(self, year=None, node: str | None = None) -> list[dict[str, Any]]:
        """One row per unit (result order) of `year`: the same keys as evaluation.scope.rank_rows (rank, ranked,
        province, province_name, rank_province, ranked_province, prefecture…, kind…, and on by-type results type,
        rank_type, ranked_type), from the report data (a results CSV read back or a result in memory)."""
        from xianping.evaluation.scope import group_rank_rows

        t, k = self.t(year or self.latest), self.k(node or self.root.code)
        by_type = None
        if self.type_rank is not None and self.unit_types:
            by_type = (self.unit_types, self.type_rank[t, :, k], None)
        return group_rank_rows(self.units, self.unit_names, self.years[t], self.score[t, :, k], self.rank[t, :, k],
                               self.group_ranks(node), t, by_type)

    def quality_rows(self) -> list[dict[str, Any]]:
        """Data-quality flags from the manifest (and the imputed cells when the data were rebuilt)."""
        steps = self.manifest.get("steps", {})
        out: list[dict[str, Any]] = []
        for c in steps.get("missing_years", {}).get("carried_forward", []):
            out.append({"kind": "carried_forward", "zh": "沿用相邻年份数据", "unit_code": "", "year": c["year"],
                        "indicator": c["indicator"], "detail": f"{c['cells']} cells filled from the nearest year",
                        "detail_zh": f"{c['cells']}个数据沿用相邻年份"})
        scr = steps.get("screen", {})
        for c in scr.get("indicators_out", []):
            out.append({"kind": "indicator_screened_out", "zh": "指标数据不足未参评", "unit_code": "", "year": c["year"],
                        "indicator": c["indicator"], "detail": f"availability {c['availability']:.0%}",
                        "detail_zh": f"数据可得率{c['availability']:.0%}"})
        names = dict(zip(self.units, self.unit_names))
        for c in scr.get("units_out", []):
            out.append({"kind": "unit_screened_out", "zh": "县级单位数据不足未参评", "unit_code": c["unit_code"],
                        "unit_name": names.get(c["unit_code"], ""), "year": c["year"], "indicator": "",
                        "detail": f"availability {c['availability']:.0%}", "detail_zh": f"数据可得率{c['availability']:.0%}"})
        for p in self.manifest.get("problems", []):
            out.append({"kind": p.get("kind", "problem"), "zh": "提示" if p.get("severity") != "error" else "错误",
                        "unit_code": "", "year": "", "indicator": p.get("column") or "", "detail": p.get("message", "")})
        return out


# ── building ─────────────────────────────────────────────────────────────
def _node_infos(manifest: dict[str, Any], node_codes: list[str], names_zh: dict[str, str] | None = None,
                failures: list[ReportFailure] | None = None) -> list[NodeInfo]:
    """Node metadata from the framework content in the manifest (resolved against the indicator library)."""
    from pydantic import ValidationError

    from xianping.frameworks.model import Framework

    content = manifest["framework"]["content"]
    meta_leaf: dict[str, Any] = {}
    try:
        fw = Framework.model_validate(content)
        for leaf in fw.indicators():
            meta_leaf[leaf.node_code] = leaf.indicator
    except (ValidationError, XianpingError) as e:   # the tree as written still names every node
        if failures is not None:
            failures.append(ReportFailure("指标单位与方向（指标库）", f"清单中的指标体系未通过校验：{e}"))
    infos: dict[str, NodeInfo] = {}

    def rec(node: dict[str, Any], level: int, parent: str | None) -> None:
        code = node["code"]
        ind = meta_leaf.get(code)
        leaf = node.get("indicator") is not None
        ref = node.get("indicator") or {}
        if isinstance(ref, str):
            ref = {"code": ref}
        infos[code] = NodeInfo(
            code=code, name_zh=node.get("name_zh") or (ind.name_zh if ind else code),
            name_en=node.get("name_en") or (ind.name_en if ind else ""), level=level, parent=parent, leaf=leaf,
            unit=(ind.unit if ind else ref.get("unit", "")) or "", indicator=(ind.code if ind else ref.get("code", "")) or "",
            direction=(ind.direction if ind else ref.get("direction", "")) or "", kind=(ind.kind if ind else "") or "",
            target=ind.target if ind else ref.get("target"))
        for ch in node.get("children") or []:
            rec(ch, level + 1, code)

    rec(content["root"], 0, None)
    return [infos[c] if c in infos else NodeInfo(c, (names_zh or {}).get(c, c), "", 0, None, False) for c in node_codes]


def _framework_meta(manifest: dict[str, Any]) -> dict[str, Any]:
    fw = manifest["framework"]
    c = fw.get("content", {})
    return {"code": fw.get("code") or c.get("code"), "name_zh": c.get("name_zh", ""), "name_en": c.get("name_en", ""),
            "version": fw.get("version") or c.get("version"), "source": c.get("source", ""), "hash": fw.get("hash", "")}


def from_result(res, base_year=None, analysis: bool = True) -> ReportData:
    """Report data from an EvaluationResult in memory."""
    m = res.manifest
    base = str(base_year) if base_year is not None else (m["settings"].get("base_year") if len(res.years) > 1 else None)
    if base is not None and (base not in res.years or base == res.years[-1]):
        base = res.years[0] if len(res.years) > 1 and res.years[0] != res.years[-1] else None
    n = len(res.plan.indicators)
    failures: list[ReportFailure] = []
    data = ReportData(
        framework=_framework_meta(m), years=list(res.years), base_year=base, units=list(res.units),
        unit_names=list(res.unit_names), unit_types=list(res.unit_types) if res.unit_types else None,
        nodes=_node_infos(m, list(res.nodes), failures=failures), score=np.asarray(res.scores, float), rank=np.asarray(res.ranks, float),
        tier=np.asarray(res.tiers), manifest=m,
        type_rank=np.asarray(res.by_type["ranks"], float) if res.by_type is not None else None,
        raw=np.asarray(res.prepared.raw, float)[..., :n], imputed=np.asarray(res.prepared.imputed_mask, bool)[..., :n],
        weights=res.weights_rows(), source={"kind": "result"}, failures=failures)
    if analysis:
        attach_analysis(data)
    return data


def _num(s: str) -> float:
    return float(s) if s not in ("", None) else np.nan


def _read_results_table(p: Path) -> pd.DataFrame:
    """The results CSV as text columns (pandas' C reader: millions of rows in seconds, where csv.DictReader took
    minutes); decoding problems named by read_text."""
    text = read_text(p, "results file")
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise XianpingInputError(f"{p.name} is not a readable CSV table: {str(e).strip()}") from None
    if df.empty or not {"unit_code", "year", "node", "score", "rank"} <= set(df.columns):
        raise XianpingInputError(f"{p.name} is not a results table (needs unit_code, year, node, score, rank)")
    return df


def _last_per_unit(df: pd.DataFrame, col: str, ui: np.ndarray, m: int, skip_empty: bool) -> list[str]:
    """Each unit's text in `col` as its last row (its last non-empty one with skip_empty) gives it, column-wise."""
    vals = df[col].to_numpy()
    keep = vals != "" if skip_empty else np.ones(len(vals), dtype=bool)
    last = pd.DataFrame({"u": ui[keep], "v": vals[keep]}).drop_duplicates("u", keep="last")
    out = np.full(m, "", dtype=object)
    out[last["u"].to_numpy()] = last["v"].to_numpy()
    return out.tolist()


def _numbers(df: pd.DataFrame, col: str, p: Path) -> np.ndarray:
    """A numeric column: empty cells are missing (NaN); any other text is refused with its row and value, never
    turned into NaN silently."""
    raw = df[col].to_numpy()
    empty = raw == ""
    out = pd.to_numeric(pd.Series(np.where(empty, "nan", raw)), errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(out) & ~empty & (np.char.lower(raw.astype(str)) != "nan")
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        raise XianpingInputError(f"{p.name}, row {r + 2}, column {col}: {raw[r]!r} is not a number (expected a "
                                 f"number or an empty cell); {int(bad.sum())} such cell(s) in all")
    return out


def resolve_results_path(path: str | Path) -> Path:
    p = Path(path)
    if p.is_dir():
        cands = [p / "results.csv"] if (p / "results.csv").exists() else sorted(
            q for q in p.glob("*.csv") if not q.name.endswith((".weights.csv", ".rank_intervals.csv"))
            and q.with_name(q.stem + ".manifest.json").exists())
        if not cands:
            raise XianpingInputError(f"{p} holds no results CSV with a manifest beside it (run `xianping evaluate` or `xianping demo`)")
        p = cands[0]
    if not p.exists():
        raise XianpingInputError(f"results file {p} does not exist")
    if p.suffix.lower() != ".csv":
        raise XianpingInputError(f"results file {p.name}: give the results .csv written by `xianping evaluate`")
    if not p.with_name(p.stem + ".manifest.json").exists():
        raise XianpingInputError(f"results file {p.name} has no manifest beside it ({p.stem}.manifest.json)")
    return p


def load_report_data(path: str | Path, rebuild: bool = True, analysis: bool = True) -> ReportData:
    """Report data from a results CSV (or a folder holding results.csv) with its manifest beside it.

    `rebuild`: evaluate again from the manifest to recover the raw indicator values (only when the manifest's
    data source still exists; the rebuilt scores must equal the CSV's, else the CSV is used alone)."""
    p = resolve_results_path(path)
    from xianping.evaluation.export import check_results

    manifest = check_results(p)  # refuses a results file its manifest does not name (an interrupted run)
    df = _read_results_table(p)
    # columnar: each key column factorised in order of first appearance (the order the evaluation wrote them)
    yi, years = pd.factorize(df["year"], sort=False)
    ui, units = pd.factorize(df["unit_code"], sort=False)
    ki, node_codes = pd.factorize(df["node"], sort=False)
    years, units, node_codes = list(years), list(units), list(node_codes)
    T, M, N = len(years), len(units), len(node_codes)
    score, rank, trank = np.full((T, M, N), np.nan), np.full((T, M, N), np.nan), np.full((T, M, N), np.nan)
    score[yi, ui, ki] = _numbers(df, "score", p)
    rank[yi, ui, ki] = _numbers(df, "rank", p)
    if "type_rank" in df:
        trank[yi, ui, ki] = _numbers(df, "type_rank", p)
    tier = np.full((T, M), -1, dtype=np.int64)
    if "tier" in df:
        at_root = (ki == N - 1) & (df["tier"].to_numpy() != "")   # the root node is written last
        tier[yi[at_root], ui[at_root]] = _numbers(df, "tier", p)[at_root].astype(np.int64)
    names = _last_per_unit(df, "unit_name", ui, M, skip_empty=True) if "unit_name" in df else [""] * M
    types = _last_per_unit(df, "type", ui, M, skip_empty=False) if "type" in df else None
    # text cells as the evaluation wrote them: one leading apostrophe off (excel_safe's round-trip rule), once per
    # distinct unit and node, not per row
    units, node_codes, names = ([csv_unescape(v) for v in x] for x in (units, node_codes, names))
    types = [csv_unescape(v) for v in types] if types is not None else None
    base = manifest.get("settings", {}).get("base_year") if T > 1 else None
    if base is not None and (base not in years or base == years[-1]):
        base = years[0]
    wpath = p.with_name(p.stem + ".weights.csv")
    weights = []
    if wpath.exists():
        weights = [{**{k: csv_unescape(v) for k, v in w.items()}, "weight": _num(w["weight"]),
                    "effective_weight": _num(w["effective_weight"])}
                   for w in csv.DictReader(io.StringIO(read_text(wpath, "weights file"), newline=""))]
    failures: list[ReportFailure] = []
    data = ReportData(framework=_framework_meta(manifest), years=years, base_year=base, units=units, unit_names=names,
                      unit_types=types, nodes=_node_infos(manifest, node_codes, failures=failures), score=score, rank=rank, tier=tier,
                      manifest=manifest, type_rank=trank if "type_rank" in df else None, weights=weights,
                      source={"kind": "csv", "results": str(p), "manifest": str(p.with_name(p.stem + ".manifest.json"))},
                      raw_note="原始值未载入 raw values not loaded", failures=failures)
    if rebuild:
        _attach_raw(data, manifest)
    ri = p.with_name(p.stem + ".rank_intervals.csv")
    if ri.exists():
        data.rank_intervals = read_rank_intervals(ri, data)
    if analysis:
        attach_analysis(data)
    return data


def _attach_raw(data: ReportData, manifest: dict[str, Any]) -> None:
    src = manifest.get("data", {})
    where = src.get("path")
    if not where or not Path(where).exists():
        data.raw_note = f"原始值不可用：数据源 {where} 不存在 (raw values unavailable: data source not found)"
        return
    try:
        from xianping.evaluation.run import rebuild

        res = rebuild(manifest)
    except (XianpingError, OSError, ValueError) as e:   # the CSV alone still makes a report; the report says what is lost
        data.raw_note = f"原始值不可用：按清单重算失败 (rebuild failed: {e})"
        data.failures.append(ReportFailure("原始指标值（按清单重算）", f"按结果清单重算失败：{e}"))
        return
    if list(res.units) != data.units or list(res.years) != data.years:
        data.raw_note = "原始值不可用：重算结果与结果表不一致 (rebuilt units/years differ)"
        return
    same = np.allclose(np.nan_to_num(res.scores[..., -1], nan=-1), np.nan_to_num(data.score[..., -1], nan=-1), atol=1e-9)
    if not same:
        data.raw_note = "原始值不可用：重算得分与结果表不一致 (rebuilt scores differ from the CSV)"
        return
    n = len(res.plan.indicators)
    data.raw = np.asarray(res.prepared.raw, float)[..., :n]
    data.imputed = np.asarray(res.prepared.imputed_mask, bool)[..., :n]
    data.raw_note = ""
    data.source["raw"] = f"rebuilt from {where}"


def read_rank_intervals(path: Path, data: ReportData) -> dict[str, Any]:
    """unit_code, year, rank_lo, rank_hi[, rank_median] → arrays [T, m] (NaN where absent)."""
    T, M = len(data.years), len(data.units)
    lo, hi, med = np.full((T, M), np.nan), np.full((T, M), np.nan), np.full((T, M), np.nan)
    ui = {u: i for i, u in enumerate(data.units)}
    with io.StringIO(read_text(path, "rank intervals file"), newline="") as f:
        for r in csv.DictReader(f):
            code = csv_unescape(r.get("unit_code"))
            if code in ui and r.get("year") in data.years:
                t, i = data.years.index(r["year"]), ui[code]
                lo[t, i], hi[t, i] = _num(r["rank_lo"]), _num(r["rank_hi"])
                med[t, i] = _num(r.get("rank_median", ""))
    return {"lo": lo, "hi": hi, "median": med, "file": str(path)}


def attach_analysis(data: ReportData) -> None:
    """Obstacle degree of every unit (indicators and first-level dimensions) and the coupling coordination of the
    first-level dimensions, from the analysis layer when it is installed; left out (None) otherwise."""
    from xianping.analysis.coupling import coupling_coordination
    from xianping.analysis.obstacles import obstacle_degree

    leaves = data.leaves
    lk = [data.k(n.code) for n in leaves]
    eff = np.full((len(data.years), len(lk)), np.nan)
    for w in data.weights:
        if w["child"] in {n.code for n in leaves} and w["year"] in data.years:
            eff[data.years.index(w["year"]), [n.code for n in leaves].index(w["child"])] = w["effective_weight"]
    dims = data.dimensions
    if np.isnan(eff).any() or not dims:
        return
    scale = float(data.manifest.get("framework", {}).get("content", {}).get("defaults", {}).get("scale", 100) or 100)
    z = np.clip(data.score[..., lk] / scale, 0, 1)
    try:
        ob = obstacle_degree(np.where(np.isnan(z), 1.0, z), eff)   # a missing indicator holds nobody back
    except ValueError as e:
        data.failures.append(ReportFailure("障碍度分析", str(e)))
        return
    dim_of = []
    for n in leaves:
        p = n
        while p.parent is not None and p.level > 1:
            p = data.node(p.parent)
        dim_of.append(p.code)
    names, by_dim = ob.by_dimension(dim_of)
    ranked = ~np.isnan(data.rank[..., -1])
    O = np.where(ranked[..., None], ob.O, np.nan)
    data.obstacles = {"O": O, "dims": names, "by_dim": np.where(ranked[..., None], by_dim, np.nan),
                      "leaves": [n.code for n in leaves], "meta": ob.meta}
    if len(dims) >= 2:
        U = data.score[..., [data.k(d.code) for d in dims]] / scale
        try:
            cc = coupling_coordination(np.where(ranked[..., None], U, np.nan))
        except (ValueError, XianpingError) as e:
            data.failures.append(ReportFailure("耦合协调度分析", str(e)))
            return
        data.coupling = {"C": cc.C, "T": cc.T, "D": cc.D, "grade": cc.grade, "grade_index": cc.grade_index,
                         "undefined": cc.undefined & ranked, "dims": [d.code for d in dims], "meta": cc.meta}
