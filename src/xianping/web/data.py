"""What the dashboard serves, loaded once: one evaluation's results (`xianping.report.data.ReportData`, the same
object every report is written from, so the dashboard shows the same numbers) plus the labels and indexes the
pages need — short names, province and prefecture, county type, tiers, neighbours on the shipped boundaries,
rank intervals from a robustness run and target progress when those exist.

Everything per request is a look-up or a numpy mask over arrays built here; responses that are asked for again
(the ranking of a year, the map of a year) are kept as encoded bytes in a small cache.
"""

from __future__ import annotations

import csv
import gzip
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from xianping.report.data import PROVINCE_EN, ReportData

SORTS = ("rank", "score", "change", "type_rank", "code", "name")
# where a ranking's places are counted: the result's own scope (全国, or the province/prefecture it was ranked
# within), or re-ranked within each unit's province, prefecture, kind (县/县级市/市辖区 …) or 分类考核 type
WITHIN = ("scope", "province", "prefecture", "kind", "type")
WITHIN_ZH = {"province": "省内", "prefecture": "市内", "kind": "同类", "type": "同类型"}


def _f(x, d: int = 2) -> float | None:
    x = float(x)
    return None if np.isnan(x) else round(x, d)


def _i(x) -> int | None:
    x = float(x)
    return None if np.isnan(x) else int(x)


@dataclass
class RankStats:
    """Rank intervals of a robustness run, [years, units] (NaN where absent)."""

    median: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    nominal: np.ndarray
    p_top: np.ndarray | None = None
    p_top_label: str = ""
    moved_by: list[list[str]] | None = None
    source: str = ""
    interval: str = "5–95 %"


def read_rank_stats(path: str | Path, years: list[str], units: list[str]) -> RankStats:
    """`rank_stats.csv` of `xianping robust --out DIR` (unit_code, year, nominal_rank, median_rank, q05, q95,
    moved_most_by, p_top<N> …) or the report layer's `<stem>.rank_intervals.csv` (rank_lo, rank_hi[, rank_median])."""
    T, M = len(years), len(units)
    arr = {k: np.full((T, M), np.nan) for k in ("median", "lo", "hi", "nominal", "p")}
    moved = [[""] * M for _ in range(T)]
    ui = {u: i for i, u in enumerate(units)}
    yi = {y: t for t, y in enumerate(years)}
    p_label = ""
    from xianping.report.excel_safe import csv_unescape

    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        cols = reader.fieldnames or []
        lo_c, hi_c = ("q05", "q95") if "q05" in cols else ("rank_lo", "rank_hi")
        med_c = "median_rank" if "median_rank" in cols else "rank_median"
        p_col = next((c for c in cols if c.startswith("p_top")), None)
        if p_col:
            p_label = p_col
        if lo_c not in cols or hi_c not in cols:
            raise ValueError(f"{path}: neither q05/q95 nor rank_lo/rank_hi columns")

        def num(v):
            try:
                return float(v)
            except (TypeError, ValueError):
                return np.nan

        for r in reader:
            i, t = ui.get(csv_unescape(r.get("unit_code", ""))), yi.get(str(r.get("year", "")))
            if i is None or t is None:
                continue
            arr["lo"][t, i], arr["hi"][t, i] = num(r.get(lo_c)), num(r.get(hi_c))
            arr["median"][t, i] = num(r.get(med_c))
            arr["nominal"][t, i] = num(r.get("nominal_rank"))
            if p_col:
                arr["p"][t, i] = num(r.get(p_col))
            moved[t][i] = csv_unescape(r.get("moved_most_by", "") or "")  # excel_safe's round-trip rule
    return RankStats(arr["median"], arr["lo"], arr["hi"], arr["nominal"], arr["p"] if p_col else None, p_label,
                     moved, str(path), "5–95 %" if lo_c == "q05" else "rank_lo–rank_hi")


@dataclass
class Dashboard:
    data: ReportData
    origin: dict[str, str] = field(default_factory=dict)     # what was loaded (demo cache, store, results file)
    rank_stats: RankStats | None = None
    targets: list[dict[str, Any]] | None = None               # rows of analysis.targets.evaluate_targets
    targets_file: str = ""
    cache_dir: Path | None = None                             # downloads are written here
    score_sheet: Any = None                                   # 考核得分表 (DataFrame) of a points-based framework

    def __post_init__(self) -> None:
        d = self.data
        from xianping.reference.divisions import get_gazetteer

        g = get_gazetteer()
        self.years = list(d.years)
        self.codes = list(d.units)
        self.index = {c: i for i, c in enumerate(self.codes)}
        m = len(self.codes)
        self.short, self.full, self.prov, self.city, self.city_name = [], [], [], [], []
        for c, full in zip(self.codes, d.unit_names):
            div = g.get(c)
            parents = dict(div.parents) if div is not None else {}
            self.short.append(div.name if div is not None else full)
            self.full.append(full or (div.full_name if div is not None else c))
            self.prov.append(c[:2])
            pref = [pc for pc in parents if pc[2:4] != "00"]
            self.city.append(pref[-1] if pref else "")
            self.city_name.append(parents[pref[-1]] if pref else "")
        self.types = list(d.unit_types) if d.unit_types else [""] * m
        self.prov_name = {}
        for p in sorted(set(self.prov)):
            div = g.get(p + "0000")
            self.prov_name[p] = div.name if div is not None else p
        self.provinces = [{"code": p, "name_zh": self.prov_name[p], "name_en": PROVINCE_EN.get(p, "")} for p in self.prov_name]
        cities: dict[str, dict[str, str]] = {}
        for p, c, n in zip(self.prov, self.city, self.city_name):
            if c:
                cities.setdefault(p, {})[c] = n
        self.cities = {p: [{"code": c, "name": n} for c, n in sorted(v.items())] for p, v in cities.items()}
        self.type_list = [t for t in dict.fromkeys(self.types) if t]
        self.root_k = d.k(d.root.code)
        self.dims = d.dimensions
        self.dim_k = [d.k(n.code) for n in self.dims]
        self.leaves = d.leaves
        self.leaf_k = [d.k(n.code) for n in self.leaves]
        # numpy views for filters
        self.prov_arr = np.array(self.prov)
        self.city_arr = np.array(self.city)
        self.type_arr = np.array(self.types)
        self.search_text = [f"{c} {s} {f}".lower() for c, s, f in zip(self.codes, self.short, self.full)]
        self.tiers = sorted({int(t) for t in np.unique(d.tier) if t >= 0}) if d.tiers_on else []
        # the scope the result was ranked in, and every unit's rank within its province, prefecture and kind for
        # every year (report.data → evaluation.scope.group_ranks_of: one vectorised pass, the reports' numbers)
        self.scope = dict(d.scope)
        self.rank_label = d.rank_label
        self.groups = d.group_ranks()
        self.group_name = self.groups["names"]
        self.kinds = [str(x) for x in self.groups["kind"]["group"]]
        if d.type_rank is not None and d.unit_types:
            tr = d.type_rank[..., self.root_k]
            # ranked units of each unit's type, every year: [T, m] (one bincount per year)
            _, inv = np.unique(self.type_arr, return_inverse=True)
            ranked = np.isfinite(tr)
            self.type_count = np.stack([np.bincount(inv, weights=ranked[t], minlength=inv.max() + 1)[inv]
                                        for t in range(len(self.years))]).astype(int)
        else:
            self.type_count = None
        self._rows: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._bytes: OrderedDict[Any, bytes] = OrderedDict()
        self._geo: bytes | None = None
        self._neigh = None
        self._strengths: dict[int, Any] = {}
        # 提升路径 (web/whatif.py): the evaluation model, rebuilt on the first what-if request; one what-if at a time
        self._wi_model = None
        self._wi_model_lock = threading.Lock()
        self._wi_lock = threading.Lock()
        if self.rank_stats is None and d.rank_intervals is not None:
            ri = d.rank_intervals
            self.rank_stats = RankStats(ri["median"], ri["lo"], ri["hi"], np.full_like(ri["lo"], np.nan), source=ri.get("file", ""),
                                        interval="rank_lo–rank_hi")
        self.targets_by_unit: dict[str, list[dict[str, Any]]] = {}
        for r in self.targets or []:
            self.targets_by_unit.setdefault(r["unit_code"], []).append(r)

    # ── labels ────────────────────────────────────────────────────────────
    @property
    def root(self):
        return self.data.root

    @property
    def latest(self) -> str:
        return self.years[-1]

    @property
    def base_year(self) -> str | None:
        return self.data.base_year

    def tier_label(self, tier: int) -> str:
        if tier < 0:
            return ""
        return self.data.tier_label(tier)

    def tier_option_label(self, tier: int) -> str:
        """For the tier filter: top-N tiers also offer 'the rest' (tier 0)."""
        return self.tier_label(tier) or ("其余 the rest" if tier == 0 else str(tier))

    def node_name(self, code: str) -> str:
        try:
            return self.data.node(code).name_zh
        except ValueError:
            return code

    def unit_ref(self, i: int) -> dict[str, Any]:
        return {"unit_code": self.codes[i], "unit_name": self.short[i], "full_name": self.full[i],
                "province": self.prov[i], "province_name": self.prov_name[self.prov[i]],
                "city": self.city[i], "city_name": self.city_name[i], "type": self.types[i]}

    # ── rankings ──────────────────────────────────────────────────────────
    def ranking_rows(self, year: str) -> list[dict[str, Any]]:
        """Every unit ranked in `year`, best first, as API rows (built once per year)."""
        rows = self._rows.get(year)
        if rows is not None:
            return rows
        d = self.data
        t, k = d.t(year), self.root_k
        change = d.rank_change(year) if d.base_year and year != d.base_year else np.full(len(self.codes), np.nan)
        schange = d.score_change(year) if d.base_year and year != d.base_year else np.full(len(self.codes), np.nan)
        rs = self.rank_stats
        n_ranked = int(np.sum(~np.isnan(d.rank[t, :, k])))
        rows = []
        for i in d.ranked(year):
            tier = int(d.tier[t, i]) if self.tiers else -1
            lo = hi = None
            if rs is not None and not np.isnan(rs.lo[t, i]):
                lo, hi = _f(rs.lo[t, i], 1), _f(rs.hi[t, i], 1)
            rows.append({**self.unit_ref(i), "score": _f(d.score[t, i, k]), "rank": _i(d.rank[t, i, k]), "ranked": n_ranked,
                         **self.group_fields(t, i),
                         "type_rank": _i(d.type_rank[t, i, k]) if d.type_rank is not None else None,
                         "tier": tier if tier >= 0 else None, "tier_label": self.tier_label(tier),
                         "rank_change": _i(change[i]), "score_change": _f(schange[i]), "rank_lo": lo, "rank_hi": hi, "_i": i})
        self._rows[year] = rows
        return rows

    def group_fields(self, t: int, i: int) -> dict[str, Any]:
        """Unit i's ranks within its province, prefecture, kind (and 分类考核 type) in year index t, each with the
        number of units ranked in that group."""
        g = self.groups
        fc = str(g["prefecture"]["group"][i])
        out = {"rank_province": _i(g["province"]["rank"][t, i]), "ranked_province": int(g["province"]["count"][t, i]),
               "prefecture_group": fc, "prefecture_group_name": self.group_name.get(fc, ""),
               "rank_prefecture": _i(g["prefecture"]["rank"][t, i]), "ranked_prefecture": int(g["prefecture"]["count"][t, i]),
               "kind": self.kinds[i], "rank_kind": _i(g["kind"]["rank"][t, i]), "ranked_kind": int(g["kind"]["count"][t, i]),
               "ranked_type": int(self.type_count[t, i]) if self.type_count is not None else None}
        return out

    def within_label(self, within: str) -> str:
        """The rank column's name: the result's rank label (全国排名/省内排名/市内排名) or 省内/市内/同类/同类型名次."""
        return self.rank_label if within == "scope" else WITHIN_ZH[within] + "名次"

    def within_options(self) -> list[tuple[str, str]]:
        """(value, label) of the rank-within choices this result offers (type only on 分类考核 results)."""
        out = [("scope", f"{self.rank_label}（{self.scope.get('within_name') or '全国'}）"), ("province", "省内 by province"),
               ("prefecture", "市内 by prefecture"), ("kind", "同类 by kind (县/县级市/市辖区)")]
        if self.type_count is not None:
            out.append(("type", "同类型 by 分类考核 type"))
        return out

    def rankings(self, year: str, province: str | None = None, city: str | None = None, type_: str | None = None,
                 tier: int | None = None, q: str | None = None, sort: str = "rank", order: str | None = None,
                 within: str = "scope") -> list[dict[str, Any]]:
        """The ranked units of `year` after the filters, each with within_rank / within_ranked: its place among the
        units of its group (`within`: scope = the result's own rank; province, prefecture, kind, type). Sorting by
        rank with a group puts each group's units together, best first."""
        rows = self.ranking_rows(year)
        if within not in WITHIN or (within == "type" and self.type_count is None):
            raise ValueError(f"within {within!r}: choose one of {', '.join(v for v, _ in self.within_options())}")
        rk, nk, gk = {"scope": ("rank", "ranked", None), "province": ("rank_province", "ranked_province", "province"),
                      "prefecture": ("rank_prefecture", "ranked_prefecture", "prefecture_group"),
                      "kind": ("rank_kind", "ranked_kind", "kind"), "type": ("type_rank", "ranked_type", "type")}[within]
        rows = [{**r, "within": within, "within_rank": r[rk], "within_ranked": r[nk]} for r in rows]
        if gk is not None and sort == "rank":
            rows.sort(key=lambda r: (r[gk], r["within_rank"] is None, r["within_rank"] or 0, r["rank"] or 0))
        if province:
            rows = [r for r in rows if r["province"] == province]
        if city:
            rows = [r for r in rows if r["city"] == city]
        if type_:
            rows = [r for r in rows if r["type"] == type_]
        if tier is not None:
            rows = [r for r in rows if r["tier"] == tier]
        if q:
            ql = q.strip().lower()
            rows = [r for r in rows if ql in self.search_text[r["_i"]]]
        desc = (order or ("desc" if sort in ("score", "change") else "asc")) == "desc"
        if sort != "rank" or desc:
            key = {"rank": lambda r: r["within_rank"], "score": lambda r: r["score"],
                   "change": lambda r: r["rank_change"], "type_rank": lambda r: r["type_rank"],
                   "code": lambda r: r["unit_code"], "name": lambda r: r["full_name"]}[sort]
            present = [r for r in rows if key(r) is not None]
            missing = [r for r in rows if key(r) is None]
            rows = sorted(present, key=key, reverse=desc) + missing
        return rows

    # ── cached encoded responses ─────────────────────────────────────────
    def cached(self, key: Any, build) -> bytes:
        b = self._bytes.get(key)
        if b is not None:
            return b
        b = build()
        with self._lock:
            self._bytes[key] = b
            while len(self._bytes) > 256:
                self._bytes.popitem(last=False)
        return b

    # ── map ───────────────────────────────────────────────────────────────
    def boundary_units(self):
        if self._neigh is None:
            from xianping.analysis.boundaries import shipped_units

            try:
                self._neigh = shipped_units()
            except (OSError, ValueError, KeyError) as e:  # a damaged install: no maps, the rest works, and it is said
                import logging

                logging.getLogger("xianping.web").warning("map pages without boundaries: %s", e)
                self._neigh = False
        return self._neigh or None

    def geo_gzip(self) -> bytes:
        """The shipped simplified county GeoJSON (properties code, name, province), gzip-encoded once."""
        if self._geo is None:
            from xianping.analysis.boundaries import shipped_geometry

            geo = shipped_geometry()
            slim = {"type": "FeatureCollection", "attribution": geo.get("attribution", ""),
                    "features": [{"type": "Feature", "geometry": f["geometry"],
                                  "properties": {"code": f["properties"]["code"], "name": f["properties"].get("name", ""),
                                                 "province": f["properties"]["code"][:2]}} for f in geo["features"]]}
            self._geo = gzip.compress(json.dumps(slim, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)
        return self._geo

    def map_rows(self, year: str, province: str | None = None, node: str | None = None) -> list[dict[str, Any]]:
        d = self.data
        t, k = d.t(year), d.k(node) if node else self.root_k
        su = self.boundary_units()
        out = []
        for i, c in enumerate(self.codes):
            if province and self.prov[i] != province:
                continue
            s = d.score[t, i, k]
            if np.isnan(s):
                continue
            b = su.resolve(c) if su is not None else None
            out.append({"unit_code": c, "boundary_code": b, "unit_name": self.short[i], "score": _f(s),
                        "rank": _i(d.rank[t, i, k])})
        return out

    def neighbours(self, i: int) -> list[int]:
        su = self.boundary_units()
        if su is None:
            return []
        b = su.resolve(self.codes[i])
        if b is None:
            return []
        if not hasattr(self, "_back"):
            self._back = {}
            for j, c in enumerate(self.codes):
                bc = su.resolve(c)
                if bc is not None:
                    self._back.setdefault(bc, j)
        back = self._back
        return [back[n] for n in su.queen.get(b, []) if n in back]

    # ── a county ──────────────────────────────────────────────────────────
    def strengths(self, t: int):
        s = self._strengths.get(t)
        if s is None:
            from xianping.analysis.strengths import strengths_weaknesses

            d = self.data
            sw = strengths_weaknesses(d.rank[t][:, self.leaf_k], d.rank[t][:, self.root_k])
            s = (sw, *sw.top(3))
            self._strengths[t] = s
        return s

    def score_sheet_of(self, i: int) -> list[dict[str, Any]] | None:
        """The county's 考核得分表 per year (evaluation/score_sheet, as written): the total row's facts and every
        indicator, bonus, penalty and veto row — points, max_points, points_lost. None for an index framework."""
        df = self.score_sheet
        if df is None:
            return None
        if getattr(self, "_sheet_rows", None) is None:  # row positions per unit, once
            self._sheet_rows = df.groupby("unit_code", sort=False).indices
        rows = df.iloc[self._sheet_rows.get(self.codes[i], [])]
        num = (lambda v, dd=4: None if v is None or v != v else round(float(v), dd))
        # the places the points are stated to (scoring.decimals in the results' manifest; 2 when not recorded)
        dec = int(((self.data.manifest.get("scoring") or {}).get("programme") or {}).get("decimals", 2))
        out = []
        for y, g in rows.groupby("year", sort=True):
            tot = g[g["kind"] == "total"]
            if tot.empty:
                continue
            t = tot.iloc[0]
            out.append({"year": str(y), "class": t["class"] or None, "decimals": dec, "total": num(t["points"]),
                        "max_points": num(t["max_points"]), "points_lost": num(t["points_lost"]),
                        "rank": _i(t["rank"]), "class_rank": _i(t["class_rank"]),
                        "award": [a for a in str(t["award"] or "").split("；") if a], "vetoed": bool(t["vetoed"]),
                        "rows": [{"item": r["item"], "item_zh": r["item_zh"] or r["item"], "kind": r["kind"],
                                  "rule": r["rule"] or "", "value": num(r["value"]), "points": num(r["points"]),
                                  "max_points": num(r["max_points"]), "points_lost": num(r["points_lost"]),
                                  "vetoed": bool(r["vetoed"])}
                                 for _, r in g[g["kind"] != "total"].iterrows()]})
        return out

    def profile(self, i: int) -> dict[str, Any]:
        d = self.data
        k = self.root_k
        yrs = []
        for t, y in enumerate(self.years):
            tier = int(d.tier[t, i]) if self.tiers else -1
            yrs.append({"year": y, "score": _f(d.score[t, i, k]), "rank": _i(d.rank[t, i, k]), **self.group_fields(t, i),
                        "type_rank": _i(d.type_rank[t, i, k]) if d.type_rank is not None else None,
                        "ranked_units": int(np.sum(~np.isnan(d.rank[t, :, k]))),
                        "tier": tier if tier >= 0 else None, "tier_label": self.tier_label(tier),
                        "national_mean": _f(np.nanmean(d.score[t, :, k])) if not np.all(np.isnan(d.score[t, :, k])) else None})
        dims = []
        for n, kk in zip(self.dims, self.dim_k):
            dims.append({"code": n.code, "name_zh": n.name_zh, "name_en": n.name_en,
                         "scores": [_f(d.score[t, i, kk]) for t in range(len(self.years))],
                         "ranks": [_i(d.rank[t, i, kk]) for t in range(len(self.years))],
                         "national_mean": [_f(np.nanmean(d.score[t, :, kk])) if not np.all(np.isnan(d.score[t, :, kk])) else None
                                           for t in range(len(self.years))]})
        inds = []
        for n, kk, j in zip(self.leaves, self.leaf_k, range(len(self.leaf_k))):
            row = {"code": n.code, "name_zh": n.name_zh, "name_en": n.name_en, "unit": n.unit, "parent": n.parent,
                   "direction": n.direction, "scores": [_f(d.score[t, i, kk]) for t in range(len(self.years))],
                   "ranks": [_i(d.rank[t, i, kk]) for t in range(len(self.years))]}
            if d.raw is not None:
                row["values"] = [_f(d.raw[t, i, j], 4) for t in range(len(self.years))]
                row["imputed"] = [bool(d.imputed[t, i, j]) if d.imputed is not None else False for t in range(len(self.years))]
            inds.append(row)
        t = len(self.years) - 1
        # the latest year in which the unit was ranked
        while t > 0 and np.isnan(d.rank[t, i, k]):
            t -= 1
        year = self.years[t]
        sw, s_idx, w_idx = self.strengths(t)
        strengths = [{"code": self.leaves[j].code, "name_zh": self.leaves[j].name_zh, "name_en": self.leaves[j].name_en,
                      "indicator_rank": _i(d.rank[t, i, self.leaf_k[j]]), "gap": _i(sw.gap[i, j])} for j in s_idx[i] if j >= 0]
        weaknesses = [{"code": self.leaves[j].code, "name_zh": self.leaves[j].name_zh, "name_en": self.leaves[j].name_en,
                       "indicator_rank": _i(d.rank[t, i, self.leaf_k[j]]), "gap": _i(sw.gap[i, j])} for j in w_idx[i] if j >= 0]
        obstacles = None
        if d.obstacles is not None and not np.all(np.isnan(d.obstacles["O"][t, i])):
            O = d.obstacles["O"][t, i]
            order = [j for j in np.argsort(-np.nan_to_num(O, nan=-1)) if not np.isnan(O[j])][:5]
            leaf_codes = d.obstacles["leaves"]
            obstacles = {"year": year, "indicators": [{"code": leaf_codes[j], "name_zh": d.node(leaf_codes[j]).name_zh,
                                                       "name_en": d.node(leaf_codes[j]).name_en, "obstacle_pct": _f(O[j] * 100, 1)}
                                                      for j in order],
                         "dimensions": [{"code": c, "name_zh": d.node(c).name_zh, "name_en": d.node(c).name_en,
                                         "obstacle_pct": _f(v * 100, 1)} for c, v in zip(d.obstacles["dims"], d.obstacles["by_dim"][t, i])]}
        interval = None
        if self.rank_stats is not None:
            rs = self.rank_stats
            interval = []
            for tt, y in enumerate(self.years):
                if not np.isnan(rs.lo[tt, i]):
                    interval.append({"year": y, "rank": _i(d.rank[tt, i, k]), "median": _f(rs.median[tt, i], 1),
                                     "lo": _f(rs.lo[tt, i], 1), "hi": _f(rs.hi[tt, i], 1), "interval": rs.interval,
                                     "p_top": _f(rs.p_top[tt, i], 3) if rs.p_top is not None else None,
                                     "p_top_label": rs.p_top_label,
                                     "moved_most_by": rs.moved_by[tt][i] if rs.moved_by else ""})
        neigh = []
        for j in self.neighbours(i):
            neigh.append({**{k_: v for k_, v in self.unit_ref(j).items() if k_ in ("unit_code", "unit_name", "type")},
                          "score": _f(d.score[t, j, k]), "rank": _i(d.rank[t, j, k])})
        neigh.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0))
        targets = None
        if self.targets is not None:
            targets = [{kk: (None if isinstance(v, float) and np.isnan(v) else (v.item() if isinstance(v, np.generic) else v))
                        for kk, v in r.items() if kk not in ("unit_code", "unit_name")} for r in self.targets_by_unit.get(self.codes[i], [])]
        su = self.boundary_units()
        return {**self.unit_ref(i), "framework": self.data.framework.get("code"),
                "scope": self.scope_summary(), "rank_label": self.rank_label, "kind": self.kinds[i],
                "prefecture_group_name": self.group_name.get(str(self.groups["prefecture"]["group"][i]), ""),
                "index": {"code": self.root.code, "name_zh": self.root.name_zh, "name_en": self.root.name_en},
                "years": yrs, "focus_year": year, "dimensions": dims, "indicators": inds,
                "strengths": strengths, "weaknesses": weaknesses, "obstacles": obstacles, "rank_interval": interval,
                "targets": targets, "neighbours": neigh, "score_sheet": self.score_sheet_of(i),
                "boundary_code": su.resolve(self.codes[i]) if su is not None else None}

    def scope_summary(self) -> dict[str, Any]:
        """The scope as the API gives it (the manifest's scope without the dropped units' list)."""
        sc = self.scope
        return {"label": sc.get("label", ""), "rank_label": self.rank_label, "units": sc.get("units", "all"),
                "within": sc.get("within", "none"), "within_level": sc.get("within_level", "none"),
                "within_code": sc.get("within_code"), "within_name": sc.get("within_name"),
                "units_in": int(sc.get("units_in", len(self.codes)) or 0), "units_out": int(sc.get("units_out", 0) or 0),
                "kinds_in": sc.get("kinds_in") or {}, "kinds_out": sc.get("kinds_out") or {}}

    # ── framework and data quality ───────────────────────────────────────
    def framework_tree(self) -> dict[str, Any]:
        d = self.data
        m = d.manifest
        nodes_meta = m.get("steps", {}).get("nodes", {})
        w = {}
        for r in d.weights:
            w.setdefault(r["child"], {})[r["year"]] = {"weight": _f(r["weight"], 4), "effective_weight": _f(r["effective_weight"], 4)}
        directions = m.get("steps", {}).get("normalise", {}).get("directions", {})

        def rec(code: str) -> dict[str, Any]:
            n = d.node(code)
            kids = [c.code for c in d.nodes if c.parent == code]
            meta = nodes_meta.get(code, {})
            out = {"code": n.code, "name_zh": n.name_zh, "name_en": n.name_en, "level": n.level, "leaf": n.leaf,
                   "weights": w.get(code, {}), "weighting": (meta.get("weights") or {}).get("method"),
                   "aggregation": (meta.get("aggregation") or {}).get("method")}
            if n.leaf:
                dr = directions.get(n.indicator or n.code, n.direction)
                out.update(indicator=n.indicator, unit=n.unit, direction=str(dr) if dr is not None else "", kind=n.kind)
            out["children"] = [rec(c) for c in kids]
            return out

        settings = m.get("settings", {})
        return {**d.framework, "years": self.years, "settings": settings,
                "normalisation": {k: v for k, v in m.get("steps", {}).get("normalise", {}).items() if k in ("method", "shift", "panel", "scale")},
                "tree": rec(self.root.code)}

    def quality(self) -> dict[str, Any]:
        d = self.data
        m = len(self.codes)
        coverage = []
        if d.raw is not None:
            for j, n in enumerate(self.leaves):
                per = []
                for t, y in enumerate(self.years):
                    have = int(np.sum(~np.isnan(d.raw[t, :, j])))
                    imp = int(np.sum(d.imputed[t, :, j])) if d.imputed is not None else 0
                    per.append({"year": y, "units": have, "of": m, "share": round(have / m, 4) if m else None, "imputed": imp})
                coverage.append({"indicator": n.indicator or n.code, "name_zh": n.name_zh, "name_en": n.name_en, "unit": n.unit, "years": per})
        else:
            for n, kk in zip(self.leaves, self.leaf_k):
                per = []
                for t, y in enumerate(self.years):
                    have = int(np.sum(~np.isnan(d.score[t, :, kk])))
                    per.append({"year": y, "units": have, "of": m, "share": round(have / m, 4) if m else None, "imputed": None})
                coverage.append({"indicator": n.indicator or n.code, "name_zh": n.name_zh, "name_en": n.name_en, "unit": n.unit, "years": per})
        flags = d.quality_rows()
        screened = [r for r in flags if r["kind"] == "unit_screened_out"]
        for r in screened:
            i = self.index.get(r["unit_code"])
            if i is not None:
                r["unit_name"] = self.short[i]
                r["province_name"] = self.prov_name[self.prov[i]]
        other = [r for r in flags if r["kind"] != "unit_screened_out"]
        steps = d.manifest.get("steps", {})
        ranked = {y: int(np.sum(~np.isnan(d.rank[t, :, self.root_k]))) for t, y in enumerate(self.years)}
        return {"units": m, "ranked": ranked, "coverage": coverage, "raw_note": d.raw_note,
                "imputation": steps.get("impute", {}), "missing_years": steps.get("missing_years", {}),
                "screen": {k: v for k, v in steps.get("screen", {}).items() if k not in ("units_out", "indicators_out")},
                "screened_out": screened, "flags": other}
