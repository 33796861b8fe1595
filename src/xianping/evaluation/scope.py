"""Which units an evaluation ranks (评价范围): all county-level units or 县域, within the nation, a province or a prefecture.

Setting `scope` (evaluation settings, CLI `--scope/--within/--include-districts`):

    units: all | county          all county-level units (default), or 县域: 县, 自治县, 旗, 自治旗, 县级市, 特区, 林区
                                 (reference.divisions.kinds) — no 市辖区
    include_districts: [codes]   市辖区 a province counts as 县域 (with units: county)
    within: auto | none | province:41 | prefecture:4108
                                 auto (default): the province when every unit in scope lies in one (the province's own
                                 assessment: 第一方阵 = 全省前30位), else none (national)

Rule: units outside the scope are DROPPED before the evaluation, so normalisation anchors, data-driven weights,
screening, ranks and tiers are all computed among the units in scope (a provincial 县域 assessment evaluates its
own counties; city districts do not set the anchors of a 县域 ranking). The manifest's `scope` entry says what was
kept and dropped (by kind); the resolved setting (within: auto → province:41) rebuilds the same result.
A unit's kind is its kind in the code vintage of the data (default 2024): a 2024-vintage panel counts 410307
偃师区 (撤市设区 2021) as 市辖区 in every year.

Tiers are sized to the units in scope: a top-N tier with N ≥ the units in scope would put every unit in 第一方阵.
When the top_n:30 default meets that, quartiles are used instead (a warning); when N was given (settings, CLI or the
framework) it is an error naming the setting, N and the count, unless the tier spec says `force: true`.

`group_ranks` / `rank_rows` give, on any result, each unit's rank within its province, prefecture and kind among
the units evaluated (the reports' 省内、市内、同类 ranks).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from xianping.evaluation.load_panel import Panel
from xianping.problems import ProblemReport, XianpingInputError

UNITS = ("all", "county")
KIND_LOOKUP_MAX = 50_000  # units above which scope all does not look up (and count) each unit's kind
DEFAULT_SCOPE: dict[str, Any] = {"units": "all", "include_districts": [], "within": "auto"}
RULE = ("units outside the scope are dropped before evaluation: normalisation anchors, data-driven weights, screening, "
        "ranks and tiers are computed among the units in scope")
_LEVEL_ZH = {"province": "省内", "prefecture": "市内", "none": "全国"}


@dataclass
class ScopedPanel(Panel):
    """A panel of the units in scope, with the scope's summary for the manifest."""

    scope: dict[str, Any] = field(default_factory=dict)


def _problem(report: ProblemReport, kind: str, message: str, column: str, value=None, expected=None, severity="error"):
    report.add(kind, message, column=column, value=value, expected=expected, severity=severity)


def parse_within(text: Any, report: ProblemReport | None = None) -> tuple[str, str | None]:
    """'auto' | 'none' | 'province:41' (or province:410000) | 'prefecture:4108' (or prefecture:410800) →
    (level, code prefix). Errors go into `report` (or raise) at column scope.within."""
    own = report is None
    report = report if report is not None else ProblemReport()
    t = str(text if text is not None else "none").strip().lower()
    out: tuple[str, str | None] = ("none", None)
    if t in ("auto", "none", "nation", "national"):
        out = ("auto" if t == "auto" else "none", None)
    else:
        level, _, code = t.partition(":")
        width = {"province": 2, "prefecture": 4}.get(level)
        code = code.strip()
        if width and code.isdigit() and (len(code) == width or (len(code) == 6 and code[width:] == "0" * (6 - width))):
            out = (level, code[:width])
        else:
            _problem(report, "bad_scope", f"scope within {text!r} is not understood", "scope.within", text,
                     "auto, none, province:41 (two digits, or 410000) or prefecture:4108 (four digits, or 410800)")
    if own:
        report.raise_if_errors("the evaluation scope is not valid")
    return out


def resolve_scope(spec: Any, report: ProblemReport) -> dict[str, Any]:
    """A scope setting (dict, or the shorthand 'all' / 'county') → {units, include_districts, within} with defaults;
    problems located at scope.<key>."""
    if spec is None:
        spec = {}
    if isinstance(spec, str):
        spec = {"units": spec}
    if not isinstance(spec, dict):
        _problem(report, "bad_scope", "the scope setting must be a mapping", "scope", spec,
                 "{units: all | county, include_districts: [codes], within: auto | none | province:41 | prefecture:4108}")
        return dict(DEFAULT_SCOPE)
    unknown = sorted(set(spec) - set(DEFAULT_SCOPE))
    for k in unknown:
        _problem(report, "unknown_setting", f"unknown scope setting {k!r}", f"scope.{k}", spec[k],
                 "units, include_districts or within")
    out = {**DEFAULT_SCOPE, **{k: v for k, v in spec.items() if k in DEFAULT_SCOPE and v is not None}}
    units = str(out["units"]).strip().lower()
    if units in ("县域", "counties"):
        units = "county"
    if units not in UNITS:
        _problem(report, "bad_scope", f"scope units {out['units']!r} is not known", "scope.units", out["units"],
                 "all (every county-level unit) or county (县域: 县, 自治县, 旗, 自治旗, 县级市, 特区, 林区; no 市辖区)")
        units = "all"
    inc = out["include_districts"]
    if isinstance(inc, str):
        inc = [c for c in inc.replace("，", ",").split(",")]
    if not isinstance(inc, (list, tuple)):
        _problem(report, "bad_scope", "include_districts must be a list of district codes", "scope.include_districts", inc,
                 "a list like [410307, 410308]")
        inc = []
    inc = [str(c).strip() for c in inc if str(c).strip()]
    if inc and units != "county":
        _problem(report, "bad_scope", "include_districts only applies with units: county (all already includes every district)",
                 "scope.include_districts", ",".join(inc), "scope units: county", severity="warning")
    level, prefix = parse_within(out["within"], report)
    within = "auto" if level == "auto" else ("none" if level == "none" else f"{level}:{prefix}")
    return {"units": units, "include_districts": inc, "within": within}


def size_tiers(st: dict[str, Any], m: int, given: bool, report: ProblemReport) -> dict[str, Any] | None:
    """Tiers that fit `m` units in scope (see the module docstring); updates st['tiers']; returns a note or None."""
    spec = st.get("tiers") or {}
    if spec.get("method", "top_n") != "top_n" or not spec:
        return None
    n = int(spec.get("n", 30))
    if n < m:
        return None
    if given and spec.get("force"):
        _problem(report, "tiers_cover_all", f"tiers top_n:{n} put all {m} units in scope in 第一方阵 (kept: force: true)",
                 "tiers.n", n, f"N below {m}", severity="warning")
        return {"tiers": f"top_n:{n} kept by force although it covers all {m} units"}
    if given:
        _problem(report, "tiers_too_large", f"tiers top_n:{n} would put all {m} units in scope in 第一方阵 "
                 f"(the option --tiers or the setting tiers.n)", "tiers.n", n,
                 f"N below {m} (e.g. top_n:{max(1, m // 4)}), quantile:4, or force: true in the tiers setting "
                 "(CLI --force-tiers) to keep it")
        return None
    st["tiers"] = {"method": "quantile", "k": 4}
    _problem(report, "tiers_resized", f"the default tiers top_n:{n} would put all {m} units in scope in 第一方阵: "
             "quartiles (quantile:4, 第一方阵 = the best quarter) are used instead", "tiers", f"top_n:{n}",
             f"--tiers top_n:N with N below {m} to choose the 第一方阵 size", severity="warning")
    return {"tiers": f"default top_n:{n} ≥ {m} units in scope: quantile:4 used"}


def apply_scope(panel: Panel, st: dict[str, Any], report: ProblemReport, *, tiers_given: bool) -> ScopedPanel:
    """Keep the units in scope (st['scope']) and size the tiers; st['scope'] becomes the resolved setting (within:
    auto resolved), st['tiers'] may be resized. Errors are raised located at the setting; warnings go into `report`."""
    from xianping.reference.divisions import get_gazetteer
    from xianping.reference.divisions.kinds import is_county_area

    rep = ProblemReport()
    spec = resolve_scope(st.get("scope"), rep)
    rep.raise_if_errors("the evaluation scope is not valid")
    vintage = int(panel.source.get("code_vintage") or 2024)
    gaz = get_gazetteer()
    units = list(panel.units)
    # kinds are looked up per unit: for county-level panels (a few thousand units), or when the 县域 scope needs
    # them; a village-scale panel (millions of units) evaluated with units: all is not walked unit by unit
    count_kinds = spec["units"] == "county" or len(units) <= KIND_LOOKUP_MAX
    if count_kinds:
        kinds = np.array([(gaz.kind_of(u, vintage) or "未知") if u.isdigit() else "未知" for u in units], dtype=object)
    else:
        kinds = None
    keep = np.ones(len(units), dtype=bool)
    if spec["units"] == "county":
        inc = set()
        for c in spec["include_districts"]:
            d = gaz.get(c, vintage)
            if d is None:
                _problem(rep, "bad_scope", f"include_districts: {c} is not a division code in force in {vintage} "
                         "(the data's code vintage)", "scope.include_districts", c, f"a 市辖区 code of {vintage}")
            elif d.kind != "市辖区":
                _problem(rep, "bad_scope", f"include_districts: {c} {d.full_name} is a {d.kind}, not a 市辖区"
                         + (" (already 县域)" if is_county_area(d.kind) else ""), "scope.include_districts", c,
                         "市辖区 codes only", severity="warning" if is_county_area(d.kind) else "error")
            else:
                inc.add(d.code)
        rep.raise_if_errors("the evaluation scope is not valid")
        keep = np.array([is_county_area(k) or u in inc for u, k in zip(units, kinds)], dtype=bool)
        unknown = [u for u, k in zip(units, kinds) if k == "未知"]
        if unknown:
            _problem(rep, "scope_unknown_units", f"{len(unknown)} unit code(s) are not divisions in force in {vintage}, "
                     "so their kind is unknown and they are left out of the 县域 scope: " + ", ".join(unknown[:10])
                     + (" …" if len(unknown) > 10 else ""), "scope.units", unknown[0],
                     f"GB/T 2260 county codes of {vintage} (or scope units: all)", severity="warning")
    level, prefix = parse_within(spec["within"])
    within_from = "given"
    if level == "auto":
        # short-circuits on the first unit that is not a 6-digit code (a village panel answers at once)
        kept = units if keep.all() else [u for u, k in zip(units, keep) if k]
        coded = bool(kept) and all(len(u) == 6 and u.isdigit() for u in kept)
        provs = {u[:2] for u in kept} if coded else set()
        if len(provs) == 1:
            level, prefix, within_from = "province", provs.pop(), "auto: every unit in scope lies in one province"
        else:
            level, prefix, within_from = "none", None, "auto: the units in scope span several provinces (or are not division codes)"
    elif level == "none":
        within_from = "given" if st.get("scope") and "within" in (st["scope"] if isinstance(st["scope"], dict) else {}) else "default"
    if prefix is not None:
        keep &= np.char.startswith(np.asarray(units, dtype=str), prefix)
    place = None
    if prefix is not None:
        head = gaz.get(prefix.ljust(6, "0"), vintage) or gaz.get(prefix.ljust(6, "0"))
        place = head.full_name if head is not None else prefix
    m = int(keep.sum())
    label = (place or "全国") + (" 县域" if spec["units"] == "county" else " 县级单位")
    if m == 0:
        _problem(rep, "scope_empty", f"no unit of the data is in the scope {label} ({spec['units']}, within "
                 f"{level}{':' + prefix if prefix else ''})", "scope", spec["within"] if prefix else spec["units"],
                 "a scope that keeps some of the data's units (xianping units lookup PREFIX lists a region's units)")
        rep.raise_if_errors("the evaluation scope leaves no unit")
    resolved = {"units": spec["units"], "include_districts": spec["include_districts"],
                "within": f"{level}:{prefix}" if prefix is not None else "none"}
    st["scope"] = resolved
    tier_note = size_tiers(st, m, tiers_given, rep)
    report.extend(rep)
    report.raise_if_errors("the tiers do not fit the units in scope")
    dropped = [] if keep.all() else [u for u, k in zip(units, keep) if not k]

    def counts(mask):
        return dict(Counter(kinds[mask].tolist()).most_common()) if kinds is not None else {}

    if dropped:
        report.add("scope_dropped", f"{len(dropped)} unit(s) outside the scope {label} left out of the evaluation "
                   f"({', '.join(f'{k} {n}' for k, n in counts(~keep).items())})", column="scope",
                   value=len(dropped), severity="note")
    summary = {
        **resolved,
        "within_level": level, "within_code": prefix, "within_name": place, "within_from": within_from,
        "rank_label": f"{_LEVEL_ZH[level]}排名" if level in _LEVEL_ZH else "排名",
        "label": label,
        "kind_vintage": vintage,
        "units_in": m, "units_out": len(dropped),
        "kinds_in": counts(keep), "kinds_out": counts(~keep),  # {} when not counted (more than KIND_LOOKUP_MAX units)
        "dropped_units": dropped,
        "rule": RULE,
        **(tier_note or {}),
    }
    idx = None if m == len(units) else np.flatnonzero(keep)
    values = panel.values if idx is None else panel.values[:, idx, :]
    # every field of the panel carried over (the reading adds some), the unit axis cut to the units in scope
    kw = {f.name: getattr(panel, f.name) for f in fields(Panel)}
    kw.update(values=values, units=units if m == len(units) else [units[i] for i in idx])
    return ScopedPanel(**kw, scope=summary)


# ------------------------------------------------------------------ ranks within groups, for reports and the web


MUNICIPALITIES = ("11", "12", "31", "50")  # 北京 天津 上海 重庆: their 4-digit groups have no prefecture record


def unit_groups(units, vintage: int = 2024) -> dict[str, Any]:
    """Province, prefecture and kind of each unit (by code and the gazetteer in `vintage`), with names:
    {"province": [m] codes (2 digits), "prefecture": [m] (4 digits), "kind": [m], "names": {code: name}}."""
    from xianping.reference.divisions import get_gazetteer

    gaz = get_gazetteer()
    prov, pref, kind, names = [], [], [], {}
    for u in units:
        d = gaz.get(u, vintage) or gaz.get(u) if str(u).isdigit() else None
        ok = len(str(u)) == 6 and str(u).isdigit()
        p, f = (u[:2], u[:4]) if ok else ("", "")
        prov.append(p)
        pref.append(f)
        kind.append(d.kind if d is not None else "未知")
        for code, width in ((p, 2), (f, 4)):
            if code and code not in names:
                h = gaz.get(code.ljust(6, "0"), vintage) or gaz.get(code.ljust(6, "0"))
                if h is None and width == 4:  # 1101, 5002, 4290, 4190 …: no prefecture record
                    ph = gaz.get(code[:2] + "0000")
                    pname = ph.name if ph is not None else code[:2]
                    # a 直辖市's districts and counties are the city's own (东城区 is 北京市's, 市内 = 北京市); a
                    # province's 4x90 codes are its directly administered county-level units (济源市, 神农架林区)
                    names[code] = pname if code[:2] in MUNICIPALITIES else pname + "直辖县级单位"
                else:
                    names[code] = h.name if h is not None else code
    return {"province": np.array(prov), "prefecture": np.array(pref), "kind": np.array(kind), "names": names}


def group_ranks(result, node: str | None = None) -> dict[str, Any]:
    """Each unit's rank within its province, prefecture and kind among the units of `result`, every year:
    {"province"|"prefecture"|"kind": {"rank": [T, m], "count": [T, m], "group": [m]}, "names": {code: name}},
    on the result's own scores with its tie rule (engine.rank.rank_within)."""
    k = result.nodes.index(node or result.root)
    vintage = int(result.panel.source.get("code_vintage") or 2024)
    return group_ranks_of(result.units, result.scores[..., k], ties=result.plan.ties, vintage=vintage)


def group_ranks_of(units, scores, ties: str = "min", vintage: int = 2024) -> dict[str, Any]:
    """`group_ranks` on plain arrays (e.g. a results file read back): units [m], scores [..., m] (higher = better)."""
    from xianping.engine import rank as R

    g = unit_groups(list(units), vintage)
    s = np.asarray(scores, dtype=float)
    out: dict[str, Any] = {"names": g["names"]}
    for key in ("province", "prefecture", "kind"):
        r, n = R.rank_within(s, g[key], ties=ties)
        out[key] = {"rank": r, "count": n, "group": g[key]}
    return out


def rank_rows(result, year=None, node: str | None = None) -> list[dict[str, Any]]:
    """One row per unit of one year: the scope's rank (of N ranked), and the ranks within province, prefecture and
    kind (each of its group's ranked count), with the group names — what a county's report section states
    (全省第3位，全市第1位，同类县第5位). Province/prefecture/kind ranks re-rank the result's own scores within each
    group; on a by-type result the 分类考核 type score and rank (the type's overrides) are added (type, type_score,
    rank_type, ranked_type)."""
    t = result._t(year)
    k = result.nodes.index(node or result.root)
    by_type = None
    if result.by_type is not None:  # 分类考核: the type's own score and rank (its overrides), beside the kind rank
        by_type = (result.unit_types, result.by_type["ranks"][t, :, k], result.by_type["values"][t, :, k])
    return group_rank_rows(result.units, result.unit_names, result.years[t], result.scores[t, :, k],
                           result.ranks[t, :, k], group_ranks(result, node), t, by_type)


def group_rank_rows(units, unit_names, year, scores, ranks, gr, t: int, by_type=None) -> list[dict[str, Any]]:
    """`rank_rows` from plain arrays of one year and node — scores [m], ranks [m], `gr` from group_ranks(_of) — so
    that a result in memory and a results file read back (report.data) state the same ranks. by_type: (types [m],
    type ranks [m], type scores [m] or None)."""
    def iv(v):
        return None if not np.isfinite(v) else int(v)

    n_all = int(np.isfinite(ranks).sum())
    rows = []
    for i, u in enumerate(units):
        p, f, kd = (str(gr[key]["group"][i]) for key in ("province", "prefecture", "kind"))
        rows.append({
            "unit_code": u, "unit_name": unit_names[i], "year": year,
            "score": None if not np.isfinite(scores[i]) else float(scores[i]),
            "rank": iv(ranks[i]), "ranked": n_all,
            "province": p, "province_name": gr["names"].get(p, ""), "rank_province": iv(gr["province"]["rank"][t, i]),
            "ranked_province": int(gr["province"]["count"][t, i]),
            "prefecture": f, "prefecture_name": gr["names"].get(f, ""), "rank_prefecture": iv(gr["prefecture"]["rank"][t, i]),
            "ranked_prefecture": int(gr["prefecture"]["count"][t, i]),
            "kind": kd, "rank_kind": iv(gr["kind"]["rank"][t, i]), "ranked_kind": int(gr["kind"]["count"][t, i]),
        })
    if by_type is not None:
        types, tr, ts = np.asarray(by_type[0]), by_type[1], by_type[2]
        ranked = {ty: int(np.isfinite(tr[types == ty]).sum()) for ty in set(types.tolist())}
        for i, row in enumerate(rows):
            row.update({"type": str(types[i]), "rank_type": iv(tr[i]), "ranked_type": ranked[str(types[i])]})
            if ts is not None:
                row["type_score"] = None if not np.isfinite(ts[i]) else float(ts[i])
    return rows


def scope_of(result) -> dict[str, Any]:
    """The result's scope summary (manifest `scope`); results written before scopes existed count as all/none."""
    sc = (getattr(result, "manifest", None) or {}).get("scope")
    if sc:
        return sc
    return {"units": "all", "include_districts": [], "within": "none", "within_level": "none", "within_code": None,
            "within_name": None, "within_from": "not recorded (result from before scopes)", "rank_label": "全国排名",
            "label": "全国 县级单位", "units_in": len(getattr(result, "units", []) or []), "units_out": 0, "rule": RULE}


def reject_unknown(spec: Any) -> None:
    """Raise a located error for a scope setting that does not parse (used by the CLI before any work)."""
    rep = ProblemReport()
    resolve_scope(spec, rep)
    if rep.has_errors:
        raise XianpingInputError("the evaluation scope is not valid", rep)
