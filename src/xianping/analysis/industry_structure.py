"""County industry structure (县域产业结构): location quotients and 主导产业, specialisation and concentration.

Employment (or output) e is an array [..., counties, industries] — leading axes for years or samples. A unit that
is absent (a row of NaN) is left out of every sum. e_i is a county's total (the sum over the industries unless a
`total` is given, e.g. 各种行业人口总计 when only some industries are listed); E_j and E are the reference's.

    location quotient     LQ_ij = (e_ij / e_i) / (E_j / E)                         (区位熵; mathmodels `LQ`)
    Herfindahl            H_i = Σ_j s_ij²,  s_ij = e_ij / Σ_j e_ij;  scaled (H − 1/n) / (1 − 1/n)   (mathmodels `HHI`)
    Krugman               K_i = Σ_j |e_ij / e_i − E_j / E|  ∈ [0, 2]               (Krugman 1991, specialisation)
    Ellison–Glaeser       γ_j = (G_j / (1 − Σ_i x_i²) − H_j) / (1 − H_j)           (Ellison & Glaeser 1997, eq. 5)
                          G_j = Σ_i (s_ij − x_i)²,  s_ij = e_ij / E_j,  x_i = e_i / E (mathmodels `EG`)

The reference is the nation (every unit in the input) or the county's own province or prefecture, from the GB/T
2260 code prefix (2 or 4 digits; 省直辖县级 units such as 419001 济源 form their own 4190 group).

H_j in γ is the plant Herfindahl of industry j. County tables have no plants; `h="county"` then takes the
county-level Herfindahl Σ_i s_ij² (each county's employment in j as if it were one plant), the common
approximation with county data. It is an upper bound on the plant Herfindahl (plants merged into counties), and γ
falls as H rises, so it gives a lower bound on γ; H = 0 gives the upper bound G/(1 − Σx²) (`EGResult.eg_h0`).
The lower bound can be uninformative: on the 2010 census counties it is ≤ 0 for all 20 sections, because treating
every county as one plant explains all of the concentration by plant size. Give the plant Herfindahl (`h=array`, or
`plant_herfindahl` from plant rows) when you have it. γ is undefined (NaN) when H_j = 1; mathmodels returns 0 there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from xianping.problems import XianpingInputError

# GB/T 4754-2002 sections A–T, as tabulated by the 2010 census: (code, section, 中文, English, other spellings).
# Other spellings include the 2011/2017 names of the same section letter, so a 2020 table is read too.
INDUSTRIES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("agriculture", "A", "农林牧渔业", "Agriculture, forestry, animal husbandry and fishery", ("农、林、牧、渔业",)),
    ("mining", "B", "采矿业", "Mining", ()),
    ("manufacturing", "C", "制造业", "Manufacturing", ()),
    ("utilities", "D", "电力、燃气及水的生产和供应业", "Electricity, gas and water supply",
     ("电力、热力、燃气及水生产和供应业", "电力燃气及水的生产和供应业")),
    ("construction", "E", "建筑业", "Construction", ()),
    ("transport", "F", "交通运输、仓储和邮政业", "Transport, storage and post", ()),
    ("information", "G", "信息传输、计算机服务和软件业", "Information transmission, computer services and software",
     ("信息传输、软件和信息技术服务业",)),
    ("trade", "H", "批发和零售业", "Wholesale and retail trade", ()),
    ("hospitality", "I", "住宿和餐饮业", "Accommodation and catering", ()),
    ("finance", "J", "金融业", "Finance", ()),
    ("real_estate", "K", "房地产业", "Real estate", ()),
    ("business_services", "L", "租赁和商务服务业", "Leasing and business services", ()),
    ("research", "M", "科学研究、技术服务和地质勘查业", "Scientific research, technical services and geological prospecting",
     ("科学研究、技术服务和地质勘察业", "科学研究和技术服务业")),
    ("water_environment", "N", "水利、环境和公共设施管理业", "Water conservancy, environment and public facilities", ()),
    ("resident_services", "O", "居民服务和其他服务业", "Resident and other services", ("居民服务、修理和其他服务业",)),
    ("education", "P", "教育", "Education", ()),
    ("health_social", "Q", "卫生、社会保障和社会福利业", "Health, social security and social welfare", ("卫生和社会工作",)),
    ("culture", "R", "文化、体育和娱乐业", "Culture, sports and entertainment", ()),
    ("public_admin", "S", "公共管理和社会组织", "Public administration and social organisations",
     ("公共管理、社会保障和社会组织",)),
    ("international", "T", "国际组织", "International organisations", ()),
)
INDUSTRY_ZH = {c: zh for c, _, zh, _, _ in INDUSTRIES}
INDUSTRY_EN = {c: en for c, _, _, en, _ in INDUSTRIES}


def _norm(text: str) -> str:
    import unicodedata

    t = unicodedata.normalize("NFKC", str(text))
    return "".join(ch for ch in t if not ch.isspace() and ch not in "、,，·").casefold()


_SPELLINGS = {_norm(s): c for c, letter, zh, en, other in INDUSTRIES for s in (c, zh, en, *other)}


def industry_code(header: str) -> str | None:
    """The industry code of a column header (English code, 中文 name of 2002/2017, English name), or None."""
    return _SPELLINGS.get(_norm(header))


def group_sum(a, groups: Sequence[str] | np.ndarray) -> np.ndarray:
    """For every unit, the sum of `a` [..., units, k] over the units of its group (same shape); NaN counts as 0."""
    a = np.asarray(a, dtype=float)
    _, inv = np.unique(np.asarray(groups).astype(str), return_inverse=True)
    onehot = (inv[:, None] == np.arange(inv.max() + 1)[None, :]).astype(float)          # [units, groups]
    return onehot @ (onehot.T @ np.nan_to_num(a))


def _totals(e: np.ndarray, total) -> np.ndarray:
    if total is None:
        return np.where(np.isnan(e).all(axis=-1), np.nan, np.nansum(e, axis=-1))
    return np.broadcast_to(np.asarray(total, dtype=float), e.shape[:-1])


def _reference(e, ei, groups, reference, reference_total) -> tuple[np.ndarray, np.ndarray]:
    """(E_j [..., units, industries], E [..., units]) of every unit."""
    if reference is not None:
        R = np.broadcast_to(np.asarray(reference, dtype=float), e.shape)
        RT = R.sum(axis=-1) if reference_total is None else np.broadcast_to(np.asarray(reference_total, dtype=float), ei.shape)
        return R, RT
    if groups is None:
        R = np.broadcast_to(np.nansum(e, axis=-2, keepdims=True), e.shape)
        RT = np.broadcast_to(np.nansum(ei, axis=-1, keepdims=True), ei.shape)
    else:
        R = group_sum(e, groups)
        RT = group_sum(ei[..., None], groups)[..., 0]
    return R, RT


def reference_shares(e, total=None, groups=None) -> np.ndarray:
    """E_j / E of every unit's reference (the nation when groups is None, else the unit's group)."""
    e = np.asarray(e, dtype=float)
    R, RT = _reference(e, _totals(e, total), groups, None, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        return R / RT[..., None]


def location_quotient(e, total=None, groups=None, reference=None, reference_total=None) -> np.ndarray:
    """LQ_ij = (e_ij / e_i) / (E_j / E), [..., units, industries].

    total: e_i (default Σ_j e_ij). The reference is the nation (all units; E_j and E are the sums of e and of
    total over them), or with `groups` each unit's group (province / prefecture labels), or given explicitly:
    `reference` E_j broadcastable to e and `reference_total` E (default Σ_j E_j) — as mathmodels' national row.
    0/0 (an industry absent from the reference) is NaN.
    """
    e = np.asarray(e, dtype=float)
    ei = _totals(e, total)
    R, RT = _reference(e, ei, groups, reference, reference_total)
    with np.errstate(divide="ignore", invalid="ignore"):
        lq = (e / ei[..., None]) / (R / RT[..., None])
    return np.where(np.isfinite(lq), lq, np.nan)


def hhi(x, axis: int = -1, scaled: bool = False) -> np.ndarray:
    """Herfindahl Σ s², s = x / Σ x along `axis`; scaled (H − 1/n) / (1 − 1/n) with n the non-missing entries
    (zeros count, as in mathmodels `HHI`). Bounds: 1/n ≤ H ≤ 1; scaled in [0, 1]."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = x / np.nansum(x, axis=axis, keepdims=True)
        h = np.nansum(s ** 2, axis=axis)
        h = np.where(np.isnan(x).all(axis=axis) | (np.nansum(x, axis=axis) == 0), np.nan, h)
        if scaled:
            n = (~np.isnan(x)).sum(axis=axis)
            h = np.where(n > 1, (h - 1.0 / n) / (1.0 - 1.0 / n), np.nan)
    return h


def krugman(e, total=None, groups=None, reference=None, reference_total=None) -> np.ndarray:
    """Krugman specialisation index K_i = Σ_j |e_ij / e_i − E_j / E| ∈ [0, 2], [..., units]; the reference as in
    `location_quotient` (0: the county's structure is the reference's; 2: no industry in common)."""
    e = np.asarray(e, dtype=float)
    ei = _totals(e, total)
    R, RT = _reference(e, ei, groups, reference, reference_total)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.abs(e / ei[..., None] - np.nan_to_num(R / RT[..., None]))
    return np.where(np.isnan(ei) | (ei == 0), np.nan, np.nansum(d, axis=-1))


@dataclass
class EGResult:
    """Ellison–Glaeser γ of each industry over the units, [..., industries], with its parts."""

    eg: np.ndarray          # γ_j
    G: np.ndarray           # raw geographic concentration Σ_i (s_ij − x_i)²
    H: np.ndarray           # the Herfindahl used for each industry
    sum_x2: np.ndarray      # Σ_i x_i², [...]
    h_source: str           # "county" (approximation) | "given" | "none"

    @property
    def eg_h0(self) -> np.ndarray:
        """γ with H = 0, G / (1 − Σx²): the upper bound of γ over every plant Herfindahl."""
        return self.G / (1.0 - self.sum_x2)[..., None]

    @property
    def meta(self) -> dict[str, Any]:
        return {"formula": "(G/(1 − Σx²) − H)/(1 − H), G = Σ(s_i − x_i)², x_i = e_i/E (all industries), s_i = e_ij/E_j",
                "source": "Ellison & Glaeser (1997), JPE 105(5); as mathmodels EG",
                "H": {"county": "county-level Herfindahl Σ_i s_ij² — the common approximation without plant data; an upper "
                                "bound on the plant Herfindahl, so γ is biased downward",
                      "given": "plant Herfindahl given by the user",
                      "none": "H = 0 (no plant-size correction)"}[self.h_source],
                "eg_h0": "G/(1 − Σx²), γ with H = 0: the upper bound; with the county H, γ is a lower bound",
                "undefined": "NaN where H = 1 (mathmodels returns 0)"}


def ellison_glaeser(e, h: str | np.ndarray | Sequence[float] = "county") -> EGResult:
    """γ_j over the units (axis −2) of e [..., units, industries]. h: "county" (Σ_i s_ij²), "none" (0) or the
    plant Herfindahl of each industry, broadcastable to [..., industries]."""
    e = np.nan_to_num(np.asarray(e, dtype=float))
    Ej = e.sum(axis=-2, keepdims=True)
    ei = e.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = ei / ei.sum(axis=-2, keepdims=True)                        # [..., units, 1]
        s = e / Ej                                                     # [..., units, industries]
        G = ((s - x) ** 2).sum(axis=-2)
        sum_x2 = (x[..., 0] ** 2).sum(axis=-1)
        if isinstance(h, str):
            if h not in ("county", "none"):
                raise XianpingInputError(f"unknown H {h!r} for the Ellison–Glaeser index: county | none | an array of plant Herfindahls")
            H = (s ** 2).sum(axis=-2) if h == "county" else np.zeros_like(G)
            src = h
        else:
            H = np.broadcast_to(np.asarray(h, dtype=float), G.shape)
            if ((H < 0) | (H > 1)).any():
                raise XianpingInputError("a plant Herfindahl must lie in [0, 1]")
            src = "given"
        eg = (G / (1.0 - sum_x2)[..., None] - H) / (1.0 - H)
    eg = np.where((H >= 1) | (Ej[..., 0, :] == 0), np.nan, eg)
    G = np.where(Ej[..., 0, :] == 0, np.nan, G)
    return EGResult(eg, G, np.asarray(H, dtype=float), sum_x2, src)


def plant_herfindahl(values: Sequence[float], industries: Sequence[str]) -> dict[str, float]:
    """H_j = Σ_k z_k², z_k = plant k's share of industry j, from one row per plant (as mathmodels `EG` takes them)."""
    v = np.asarray(values, dtype=float)
    labels, inv = np.unique(np.asarray(industries).astype(str), return_inverse=True)
    tot = np.bincount(inv, weights=v)
    return {str(lab): float(h) for lab, h in zip(labels, np.bincount(inv, weights=(v / tot[inv]) ** 2))}


def leading_industries(lq: np.ndarray, share: np.ndarray, min_share: float = 0.05) -> np.ndarray:
    """主导产业 mask: LQ > 1 and the industry's share of the county ≥ min_share."""
    return (np.nan_to_num(lq) > 1.0) & (np.nan_to_num(share) >= min_share)


# ---- tables: an AnalysisInput in, (tables, summary, settings) out, as the other `run_*` of the analysis layer ----

REFERENCES = {"nation": None, "province": 2, "prefecture": 4}
DEMO_FILE = "census2010_industry_employment.csv.gz"


def demo_path():
    """The bundled census 2010 industry table (scripts/build_industry_data.py), as a context manager giving a Path."""
    from importlib import resources

    return resources.as_file(resources.files("xianping.demo").joinpath("data", DEMO_FILE))


def _data_note(inp) -> str | None:
    """The sampling note of a table built by scripts/build_industry_data.py (its .meta.json beside it)."""
    import json
    from pathlib import Path

    path = Path(str(inp.source.get("path", "")))
    meta = path.with_name(path.name.split(".")[0] + ".meta.json")
    if path.name and meta.exists():
        return json.loads(meta.read_text(encoding="utf-8")).get("sampling")
    return None


def _locate(inp, cells) -> list[tuple[int | None, str]]:
    """Spreadsheet row (1-based, header = 1) of (year index, unit index) cells of a --data table."""
    import io
    from pathlib import Path

    import pandas as pd

    p = Path(inp.source["path"])
    if p.suffix.lower() in (".xlsx", ".xls"):
        df = pd.read_excel(p, dtype=str)
    else:
        from xianping.evaluation.load_panel import read_text

        df = pd.read_csv(io.StringIO(read_text(p)[0]), dtype=str)
    codes = df[inp.source["code_column"]].astype(str).str.strip().str.replace(r"^156(?=\d{6}$)", "", regex=True).tolist()
    ycol = inp.source.get("year_column")
    yrs = df[ycol].astype(str).tolist() if ycol else ["all"] * len(df)
    where = {(y, c): i + 2 for i, (y, c) in reversed(list(enumerate(zip(yrs, codes))))}
    return [where.get((inp.years[t], inp.units[i])) for t, i in cells]


def industry_columns(inp, industries: Sequence[str] | None = None) -> list[str]:
    """The input's industry columns: those named, or every column recognised as a GB/T 4754 section."""
    from xianping.problems import ProblemReport

    file = str(inp.source.get("path", "input"))
    if industries:
        missing = [c for c in industries if c not in inp.columns]
        if missing:
            rep = ProblemReport()
            for c in missing:
                rep.add("unknown_column", f"industry column {c!r} is not a numeric column of the table", file=file, row=1, column=c,
                        expected=f"one of {', '.join(inp.columns[:25])}")
            rep.raise_if_errors(f"{file}: industry columns not found")
        return list(industries)
    cols = [c for c in inp.columns if industry_code(c) is not None]
    if len(cols) < 2:
        rep = ProblemReport()
        rep.add("no_industry_columns", "the table has no industry employment columns (at least two are needed)", file=file, row=1,
                value=", ".join(map(str, inp.columns[:15])),
                expected="columns named by GB/T 4754 section (制造业 or manufacturing, 批发和零售业 or trade …, "
                         "see `xianping.analysis.industry_structure.INDUSTRIES`), or --industries COL1,COL2,…")
        rep.raise_if_errors(f"{file}: no industry columns")
    return cols


def run_industry(inp, reference: str = "nation", min_share: float = 0.05, industries: Sequence[str] | None = None,
                 total: str | None = None, plant_hhi: dict[str, float] | None = None, units: Sequence[str] | None = None):
    """LQ against the reference and 主导产业 per county, HHI and Krugman per county, Ellison–Glaeser per industry."""
    from xianping.analysis.regions import group_labels
    from xianping.problems import ProblemReport

    if reference not in REFERENCES:
        raise XianpingInputError(f"unknown reference {reference!r}: nation | province | prefecture")
    if not 0 <= min_share < 1:
        raise XianpingInputError(f"--min-share must lie in [0, 1) (a share, 0.05 = 5 %), not {min_share}")
    cols = industry_columns(inp, industries)
    file = str(inp.source.get("path", "input"))
    e = np.stack([inp.column(c) for c in cols], axis=-1)                       # [years, units, industries]
    neg = np.argwhere(e < 0)
    if len(neg):
        rep = ProblemReport()
        rows = _locate(inp, [(t, i) for t, i, _ in neg[:50]]) if inp.source.get("kind") == "data_csv" else [None] * len(neg)
        for (t, i, j), row in zip(neg[:50], rows):
            rep.add("negative_employment", f"employment of unit {inp.units[i]} in {cols[j]} is negative", file=file, row=row,
                    column=cols[j], value=float(e[t, i, j]), expected="a count or amount ≥ 0")
        rep.raise_if_errors(f"{file}: {len(neg)} negative employment value(s)")
    partial = np.isnan(e).any(-1) & ~np.isnan(e).all(-1)
    e = np.where(partial[..., None], np.nan, e)
    tot = None
    if total is not None:
        tot = inp.column(total).copy()
        tot[np.isnan(e).all(-1)] = np.nan
        short = np.nansum(e, -1) > tot + 1e-9
        if short.any():
            t, i = np.argwhere(short)[0]
            raise XianpingInputError(f"{file}: the industries of unit {inp.units[i]} add up to more than its {total} "
                                     f"({np.nansum(e[t, i]):g} > {tot[t, i]:g}); --total must include every industry listed")
    nd = REFERENCES[reference]
    prefix = None if nd is None else np.array([u[:nd] for u in inp.units])
    ref_names = (["全国 nation"] * len(inp.units) if nd is None else
                 [f"{n} ({p})" for n, p in zip(group_labels(inp.units, reference), prefix)])
    ei = _totals(e, tot)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = e / ei[..., None]
    lq = location_quotient(e, total=tot, groups=prefix)
    rshare = reference_shares(e, total=tot, groups=prefix)
    lead = leading_industries(lq, share, min_share)
    H, Hs = hhi(e), hhi(e, scaled=True)
    K = krugman(e, total=tot, groups=prefix)
    h_arg: Any = "county"
    if plant_hhi:
        unknown = [k for k in plant_hhi if k not in cols and industry_code(k) not in {industry_code(c) for c in cols}]
        if unknown:
            raise XianpingInputError(f"plant Herfindahl given for industries not in the table: {', '.join(unknown)}")
        by_code = {industry_code(k) or k: v for k, v in plant_hhi.items()}
        h_arg = np.array([plant_hhi.get(c, by_code.get(industry_code(c) or c, np.nan)) for c in cols])
        if np.isnan(h_arg).any():
            raise XianpingInputError("--plant-hhi must give H for every industry: missing "
                                     + ", ".join(c for c, h in zip(cols, h_arg) if np.isnan(h)))
    eg = ellison_glaeser(e, h=h_arg)

    zh = {c: INDUSTRY_ZH.get(industry_code(c) or "", inp.column_names.get(c, c)) for c in cols}
    en = {c: INDUSTRY_EN.get(industry_code(c) or "", c) for c in cols}
    flags = inp.attributes.get("flags")
    county_rows, lq_rows, lead_rows, conc_rows = [], [], [], []
    summary: dict[str, Any] = {"reference": reference, "min_share": min_share, "industries": len(cols), "by_year": {}}
    focus = {str(u) for u in units or []}
    unknown_units = focus - set(inp.units)
    if unknown_units:
        raise XianpingInputError(f"--unit {', '.join(sorted(unknown_units))} is not in the input")
    profiles: dict[str, Any] = {}
    for t, y in enumerate(inp.years):
        present = ~np.isnan(ei[t]) & (ei[t] > 0)
        for i in np.flatnonzero(present):
            u, name = inp.units[i], inp.unit_names[i]
            idx = [j for j in np.argsort(-np.nan_to_num(lq[t, i])) if lead[t, i, j]]
            text = "; ".join(f"{zh[cols[j]]} {cols[j]} (LQ {lq[t, i, j]:.2f}, {100 * share[t, i, j]:.1f} %)" for j in idx)
            base = {"unit_code": u, "unit_name": name, "year": y}
            county_rows.append({**base, "reference": ref_names[i], "employed": float(ei[t, i]), "hhi": float(H[t, i]),
                                "hhi_scaled": float(Hs[t, i]), "krugman": float(K[t, i]), "n_leading": len(idx),
                                "leading": text,
                                **({"flags": flags[i]} if flags is not None else {})})
            lq_rows.append({**base, **{c: float(lq[t, i, j]) for j, c in enumerate(cols)}})
            for k, j in enumerate(idx):
                lead_rows.append({**base, "rank": k + 1, "industry": cols[j], "industry_zh": zh[cols[j]], "industry_en": en[cols[j]],
                                  "employment": float(e[t, i, j]), "share": float(share[t, i, j]),
                                  "reference_share": float(rshare[t, i, j]), "lq": float(lq[t, i, j])})
            if u in focus:
                profiles.setdefault(u, {})[y] = {
                    "name": name, "reference": ref_names[i], "employed": float(ei[t, i]), "hhi": float(H[t, i]),
                    "hhi_scaled": float(Hs[t, i]), "krugman": float(K[t, i]),
                    "主导产业": [{"industry": cols[j], "zh": zh[cols[j]], "en": en[cols[j]], "lq": float(lq[t, i, j]),
                                "share": float(share[t, i, j])} for j in idx]}
        E = np.nansum(e[t], axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            s_ind = np.nan_to_num(e[t]) / E
        for j, c in enumerate(cols):
            where = np.argsort(-s_ind[:, j])[:3]
            conc_rows.append({"year": y, "industry": c, "industry_zh": zh[c], "industry_en": en[c], "employment": float(E[j]),
                              "share_of_total": float(E[j] / E.sum()), "eg": float(eg.eg[t, j]),
                              "eg_h0": float(eg.eg_h0[t, j]), "G": float(eg.G[t, j]),
                              "H": float(eg.H[t, j]), "H_source": eg.h_source, "sum_x2": float(eg.sum_x2[t]),
                              "units_lq_gt_1": int((np.nan_to_num(lq[t, :, j]) > 1).sum()), "units_leading": int(lead[t, :, j].sum()),
                              "largest_units": "; ".join(f"{inp.unit_names[i]} {100 * s_ind[i, j]:.1f} %" for i in where if s_ind[i, j] > 0)})
        n_lead = lead[t][present].sum(axis=0)
        summary["by_year"][y] = {
            "units": int(present.sum()), "mean_hhi": float(np.nanmean(H[t][present])),
            "mean_krugman": float(np.nanmean(K[t][present])),
            "units_with_leading_industry": {f"{zh[c]} {c}": int(n) for c, n in sorted(zip(cols, n_lead), key=lambda x: -x[1])},
            "ellison_glaeser": {f"{zh[c]} {c}": {"eg": round(float(v), 4), "eg_h0": round(float(v0), 4)}
                                for c, v, v0 in sorted(zip(cols, eg.eg[t], eg.eg_h0[t]), key=lambda x: -np.nan_to_num(x[2], nan=-9))},
            "units_left_out_missing_values": [inp.units[i] for i in np.flatnonzero(partial[t])],
        }
    summary["ellison_glaeser_H"] = eg.meta["H"]
    if eg.h_source == "county" and (np.nan_to_num(eg.eg) <= 0).all():
        summary["ellison_glaeser_note"] = ("with the county-level H every γ is ≤ 0 here: counting each county as one plant "
                                           "explains all concentration by plant size; the true γ lies between eg and eg_h0 "
                                           "(H = 0); rank industries by eg_h0, or give plant Herfindahls with --plant-hhi")
    if profiles:
        summary["units"] = profiles
    note = _data_note(inp)
    if note:
        summary["data_note"] = note
    settings = {
        "reference": reference, "reference_rule": {"nation": "all units of the input", "province": "units with the same "
                    "2-digit GB/T 2260 prefix in the input", "prefecture": "units with the same 4-digit prefix in the input "
                    "(省直辖县级 units form their own group)"}[reference],
        "min_share": min_share, "leading_rule": "LQ > 1 and share of the unit's employment ≥ min_share",
        "industries": {c: {"zh": zh[c], "en": en[c]} for c in cols},
        "total": total or "sum of the industry columns",
        "lq": "(e_ij/e_i)/(E_j/E) (mathmodels LQ)", "hhi": "Σ s_ij² over the industries; scaled (H − 1/n)/(1 − 1/n), n = industries",
        "krugman": "Σ_j |e_ij/e_i − E_j/E| against the same reference, ∈ [0, 2]",
        "ellison_glaeser": {**eg.meta, "across": "all units of the input (whatever the LQ reference)"},
        "missing": "a unit with a missing industry value is left out of that year (listed in the summary)",
        **({"data_note": note} if note else {}),
    }
    return {"industry": county_rows, "lq": lq_rows, "leading": lead_rows, "concentration": conc_rows}, summary, settings
