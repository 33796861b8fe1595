"""Run one analysis on an `AnalysisInput` and return (tables, summary, settings) — what the CLI writes.

Each `run_*` takes the input and plain settings, calls the verbs, and labels the arrays as rows. Scores of an
evaluation (0–100 when the framework's scale is 100) are divided by the scale where a method needs [0, 1]
(obstacles, coupling); disparity, convergence and spatial statistics use the scores as they are.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from xianping.analysis.tables import AnalysisInput
from xianping.problems import XianpingInputError

Out = tuple[dict[str, list[dict[str, Any]]], dict[str, Any], dict[str, Any]]


# Code columns of tables that programs write (xianping export, pandas, COINr): read as they are, any numeric column
# an indicator. Tables people make (代码/地区 headers, titles above them, 人均GDP（元）) go through the ingest layer.
_PROGRAM_CODE_COLUMNS = ("unit_code", "code", "adcode", "gb", "uCode")


def data_input(path, years=None, **read: Any) -> tuple[AnalysisInput, Any]:
    """`--data FILE` of `xianping analyse`: (input, the reading's problems). A table a program wrote (a unit_code /
    code / adcode column in row 1) is read as it is (`tables.from_data_csv`, any numeric column); any other table, or
    any reading option (mapping, code_year, period, sheet, trust_codes, skip_unknown, split_rule), is read by the
    ingest layer as `xianping import` and `evaluate --data` read it: library indicators as columns, the same
    warnings and notes."""
    from pathlib import Path

    from xianping.analysis.tables import load_input
    from xianping.evaluation.load_panel import _head_and_units, from_ingest
    from xianping.problems import ProblemReport

    options = {k: v for k, v in read.items() if v not in (None, False)}
    path = Path(path)
    if not path.exists():
        raise XianpingInputError(f"data file {path} does not exist")
    if not options and path.suffix.lower() != ".npz" and any(c in _head_and_units(path)[0] for c in _PROGRAM_CODE_COLUMNS):
        return load_input(data=path, years=years), ProblemReport()
    panel = from_ingest(path, None, years, **options)
    from xianping.frameworks.library import load_library
    from xianping.reference.divisions import get_gazetteer

    lib, gaz = load_library(), get_gazetteer()
    vintage = panel.source.get("code_vintage") or 2024
    names = []
    for u in panel.units:
        d = gaz.get(u, vintage) or gaz.get(u)
        names.append(d.name if d is not None else "")
    cols = {c: lib.get(c).name_zh for c in panel.columns if c in lib}
    inp = AnalysisInput(panel.units, names, panel.years, panel.columns, panel.values, column_names=cols,
                        source=panel.source)
    return inp, panel.problems


def _years(inp: AnalysisInput, year) -> list[int]:
    return [inp.year_index(year)] if year is not None else list(range(len(inp.years)))


def run_obstacles(inp: AnalysisInput, node: str | None = None, top: int = 3, year=None) -> Out:
    from xianping.analysis.obstacles import obstacle_degree
    from xianping.analysis.strengths import strengths_weaknesses

    node = node or inp.root
    if node is None or not inp.parents:
        raise XianpingInputError("obstacle degrees need an evaluation result (--results with its .weights file, or --store --framework)")
    if node not in inp.columns:
        raise XianpingInputError(f"--node {node!r}: not a node of this result; expected one of "
                                 f"{', '.join(c for c in inp.columns if c in set(inp.parents.values()) | {inp.root})}")
    leaves = inp.leaves_under(node)
    li = [inp.columns.index(c) for c in leaves]
    dims = [inp.parents.get(c, node) for c in leaves]
    top = min(top, len(leaves))   # no more obstacles than indicators under the node
    rows, dim_rows, sw_rows, counts = [], [], [], {}
    for t in _years(inp, year):
        y = inp.years[t]
        z = inp.values[t][:, li] / inp.scale
        F = np.array([inp.effective_weights.get((c, y), np.nan) for c in leaves])
        F = F / np.nansum(F)
        ok = ~np.isnan(z).any(axis=1)
        r = obstacle_degree(np.where(ok[:, None], z, 0.0), F, scaled=True)
        idx, val = r.top(top)
        dn, dv = r.by_dimension(dims)
        comp = inp.values[t][:, inp.columns.index(node)]
        R = np.column_stack([_rank(inp.values[t][:, j]) for j in li])
        crank = _rank(comp)
        sw = strengths_weaknesses(R, crank)
        s_idx, w_idx = sw.top(top)
        for i, u in enumerate(inp.units):
            if not ok[i]:
                continue
            base = {"unit_code": u, "unit_name": inp.unit_names[i], "year": y}
            if r.no_obstacle[i]:
                rows.append({**base, "k": None, "indicator": "", "obstacle_pct": None, "note": "no obstacle: every indicator at its best"})
            else:
                for k in range(top):
                    c = leaves[idx[i, k]]
                    counts[c] = counts.get(c, 0) + (k == 0)
                    rows.append({**base, "k": k + 1, "indicator": c, "indicator_name": inp.column_names.get(c, ""),
                                 "dimension": dims[idx[i, k]], "obstacle_pct": 100 * float(val[i, k]),
                                 "normalised": float(z[i, idx[i, k]])})
                for d, v in zip(dn, dv[i]):
                    dim_rows.append({**base, "dimension": d, "dimension_name": inp.column_names.get(d, ""), "obstacle_pct": 100 * float(v)})
            for kind, arr in (("优势 strength", s_idx[i]), ("劣势 weakness", w_idx[i])):
                for k, j in enumerate(arr):
                    if j >= 0:
                        sw_rows.append({**base, "type": kind, "k": k + 1, "indicator": leaves[j], "indicator_rank": int(R[i, j]),
                                        "composite_rank": int(crank[i]), "gap": int(sw.gap[i, j])})
    summary = {"node": node, "indicators": len(leaves), "top": top,
               "most_frequent_first_obstacle": sorted(counts.items(), key=lambda kv: -kv[1])[:5]}
    return ({"obstacles": rows, "dimensions": dim_rows, "strengths": sw_rows}, summary,
            {"node": node, "top": top, "factor": "effective weight in the index", "deviation": "1 - score/scale",
             "strengths": "composite rank - indicator rank, margin 10 % of units"})


def _rank(v: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    out = np.full(v.shape, np.nan)
    ok = ~np.isnan(v)
    out[ok] = rankdata(-v[ok], method="min")
    return out


def run_coupling(inp: AnalysisInput, subsystems: Sequence[str] | None = None, variant: str = "standard",
                 weights: Sequence[float] | None = None, year=None, thresholds=(0.8, 1.2)) -> Out:
    from xianping.analysis.coupling import coupling_coordination
    from xianping.analysis.relative_development import relative_development

    subs = list(subsystems) if subsystems else (inp.children(inp.root) if inp.root else [])
    if len(subs) < 2:
        raise XianpingInputError("coupling needs at least two subsystems: --subsystems a,b[,c…] (nodes or columns)")
    ti = _years(inp, year)
    U = np.stack([inp.column(s) for s in subs], axis=-1)[ti] / inp.scale
    r = coupling_coordination(U, weights=weights, variant=variant)
    rd = relative_development(U[..., 0], U[..., 1], thresholds=thresholds, names=(subs[0], subs[1])) if len(subs) == 2 else None
    rows = []
    for a, t in enumerate(ti):
        for i, u in enumerate(inp.units):
            if np.isnan(U[a, i]).all():
                continue
            row = {"unit_code": u, "unit_name": inp.unit_names[i], "year": inp.years[t],
                   **{f"U_{s}": float(U[a, i, j]) for j, s in enumerate(subs)},
                   "C": r.C[a, i], "T": r.T[a, i], "D": r.D[a, i], "grade": r.grade[a, i], "grade_index": int(r.grade_index[a, i]),
                   "C_stage": r.stage[a, i], "undefined": bool(r.undefined[a, i])}
            if rd is not None:
                row.update(E=rd.E[a, i], relative_type=rd.label[a, i])
            rows.append(row)
    summary = {"subsystems": subs, "variant": variant, "by_year": {}}
    for a, t in enumerate(ti):
        g, n = np.unique(r.grade[a][r.grade[a] != ""], return_counts=True)
        summary["by_year"][inp.years[t]] = {"mean_D": float(np.nanmean(r.D[a])), "grades": dict(zip(map(str, g), map(int, n))),
                                            "undefined": int(r.undefined[a].sum())}
    return {"coupling": rows}, summary, {**r.meta, "subsystems": subs, **({"relative_development": rd.meta} if rd else {})}


def group_of(inp: AnalysisInput, by: str) -> list[str]:
    from xianping.analysis.regions import GROUPINGS, group_labels

    if by in inp.attributes:
        return inp.attributes[by]
    if by in GROUPINGS:
        return group_labels(inp.units, by)
    raise XianpingInputError(f"unknown grouping {by!r}: province | prefecture | type | region or a text column of the data")


def run_disparity(inp: AnalysisInput, indicator: str | None = None, by: str = "province", weight_column: str | None = None,
                  year=None) -> Out:
    from xianping.analysis.dagum import dagum
    from xianping.analysis.gini import gini
    from xianping.analysis.theil import theil_l, theil_t
    from xianping.analysis.variation import cv

    ind = indicator or inp.root or inp.columns[-1]
    v = inp.column(ind)
    groups = np.array(group_of(inp, by))
    wts = inp.column(weight_column) if weight_column else None
    summary_rows, dagum_rows, theil_rows, per_year = [], [], [], {}
    for t in _years(inp, year):
        y = v[t]
        ok = ~np.isnan(y) & (True if wts is None else ~np.isnan(wts[t]))
        w = None if wts is None else wts[t][ok]
        yy, gg = y[ok], groups[ok]
        d = dagum(yy, gg, w)
        tt, tl = theil_t(yy, gg, w), (theil_l(yy, gg, w) if (yy > 0).all() else None)
        row = {"year": inp.years[t], "n": int(ok.sum()), "mean": float(np.average(yy, weights=w)), "gini": gini(yy, w), "cv": cv(yy, w),
               "theil_T": tt.value, "theil_T_between": tt.between, "theil_T_within": tt.within,
               "theil_L": tl.value if tl else None, "theil_L_between": tl.between if tl else None, "theil_L_within": tl.within if tl else None,
               "dagum_G": d.G, "dagum_Gw": d.Gw, "dagum_Gnb": d.Gnb, "dagum_Gt": d.Gt,
               **{f"dagum_{k}_pct": v_ for k, v_ in d.shares_pct.items()}}
        summary_rows.append(row)
        dagum_rows += [{"year": inp.years[t], **r} for r in d.rows()]
        theil_rows += [{"year": inp.years[t], "index": "T", **r} for r in tt.rows()]
        if tl:
            theil_rows += [{"year": inp.years[t], "index": "L", **r} for r in tl.rows()]
        per_year[inp.years[t]] = {k: row[k] for k in ("gini", "cv", "theil_T", "dagum_G", "dagum_Gw", "dagum_Gnb", "dagum_Gt")}
    return ({"disparity": summary_rows, "dagum": dagum_rows, "theil": theil_rows},
            {"indicator": ind, "by": by, "weighted": weight_column, "per_year": per_year},
            {"indicator": ind, "by": by, "weights": weight_column or "units count equally",
             "dagum": "groups ordered by mean (desc), sorted O(n log n)", "theil": "T (income shares) and L (population shares)",
             "cv": "ddof 0 (population sd), Williamson-weighted with weights"})


def run_convergence(inp: AnalysisInput, indicator: str | None = None, measure: str = "cv", model: str = "cross_section",
                    fixed_effects: str = "twoway", controls: Sequence[str] | None = None, bandwidth="silverman") -> Out:
    from xianping.analysis.convergence import beta_convergence, sigma_convergence
    from xianping.analysis.density import kernel_density

    ind = indicator or inp.root or inp.columns[-1]
    y = inp.column(ind)
    if len(inp.years) < 2:
        raise XianpingInputError("convergence needs at least two years")
    sig = sigma_convergence(y, inp.years, measure=measure)
    tables: dict[str, list[dict[str, Any]]] = {"sigma": sig["rows"]}
    summary: dict[str, Any] = {"indicator": ind, "sigma": {k: sig[k] for k in ("measure", "first", "last", "change", "converging", "units")}}
    if (y[~np.isnan(y)] > 0).all():
        if model == "cross_section":
            X = np.column_stack([inp.column(c)[0] for c in controls]) if controls else None
            b = beta_convergence(y[[0, -1]], [inp.years[0], inp.years[-1]], controls=X, control_names=controls)
        else:
            X = np.stack([inp.column(c) for c in controls], axis=-1) if controls else None
            b = beta_convergence(y, inp.years, controls=X, control_names=controls, model="panel", fixed_effects=fixed_effects)
        tables["beta"] = [b.summary() | {"controls": str(b.controls)}]
        summary["beta"] = b.summary()
    else:
        summary["beta"] = "not estimated: ln y needs y > 0 (a score of 0 exists)"
    kd = kernel_density(y, inp.years, bandwidth=bandwidth)
    tables["density"] = [{"x": float(x), **{yr: float(kd["density"][t, j]) for t, yr in enumerate(inp.years)}}
                         for j, x in enumerate(kd["grid"])]
    tables["density_summary"] = [r | {"peaks": str([round(p, 3) for p in r["peaks"]])} for r in kd["rows"]]
    summary["density"] = kd["rows"]
    return tables, summary, {"indicator": ind, "sigma": sig["meta"], "beta_model": model, "fixed_effects": fixed_effects,
                             "controls": list(controls or []), "density": kd["meta"]}


_USER_UNITS: dict = {}


def _user_units(boundaries, join):
    """The user's boundaries read once per run (file, its modification time, join column)."""
    from pathlib import Path

    from xianping.analysis.boundaries import user_units

    p = Path(boundaries)
    key = (str(p.resolve()), p.stat().st_mtime_ns if p.exists() else None, join)
    if key not in _USER_UNITS:
        import warnings

        _USER_UNITS.clear()
        with warnings.catch_warnings():   # geopandas: centroids in lon/lat are approximate; they serve knn/distance only
            warnings.simplefilter("ignore", UserWarning)
            _USER_UNITS[key] = user_units(boundaries, join)
    return _USER_UNITS[key]


def _weights_for(inp: AnalysisInput, weights: str, boundaries=None, join=None, islands="drop"):
    from xianping.analysis.spatial_weights import build_weights

    units = _user_units(boundaries, join) if boundaries else None
    return build_weights(inp.units, weights, units=units, islands=islands)


def data_for_boundaries(data, boundaries, join: str, years=None) -> AnalysisInput | None:
    """`--data FILE --boundaries B --join COL`: the data read as it is, its units being the values of the column of
    FILE that matches most values of the boundaries' column COL — a name column as well as a code column (an
    analyst's table of county names and the user's own polygons need no GB/T 2260 code). That column is the one
    named COL when FILE has it, else the text column with the most matches. None when no column of FILE matches any
    value (the caller reads FILE as usual and the codes are matched). The join (columns, matched, unmatched) goes
    into the input's source, hence the manifest."""
    from pathlib import Path

    import pandas as pd

    from xianping.analysis.tables import load_input

    p = Path(data)
    if not p.exists():
        raise XianpingInputError(f"data file {p} does not exist")
    keys = set(_user_units(boundaries, join).codes)
    if p.suffix.lower() in (".xlsx", ".xls"):
        df = pd.read_excel(p, dtype=str)
    elif p.suffix.lower() in (".csv", ".txt", ".gz", ".tsv"):
        import io

        from xianping.evaluation.load_panel import read_text

        df = pd.read_csv(io.StringIO(read_text(p)[0]), dtype=str, sep=None, engine="python")
    else:
        return None
    hits = {str(c): int(df[c].dropna().astype(str).str.strip().isin(keys).sum()) for c in df.columns}
    column = str(join) if hits.get(str(join), 0) else max(hits, key=lambda c: hits[c], default=None)
    if column is None or hits[column] == 0:
        return None
    inp = load_input(data=p, years=years, code_column=column)
    unmatched = [u for u in inp.units if u not in keys]
    inp.source["boundaries_join"] = {"data_column": column, "boundaries_column": join, "matched": len(inp.units) - len(unmatched),
                                     "unmatched": unmatched}
    return inp


def run_markov(inp: AnalysisInput, indicator: str | None = None, k: int = 4, classing: str = "pooled", cutoffs=None,
               relative: bool = False, spatial: bool = False, weights: str = "queen", boundaries=None, join=None) -> Out:
    from xianping.analysis.markov import markov, spatial_markov

    ind = indicator or inp.root or inp.columns[-1]
    y = inp.column(ind)
    r = markov(y, k=k, classing=classing, cutoffs=cutoffs, relative=relative)
    kk = r.P.shape[0]
    tables = {"markov": [{"from": i + 1, **{f"to_{j + 1}": float(r.P[i, j]) for j in range(kk)}, "n": int(r.transitions[i].sum()),
                          "steady_state": float(r.steady_state[i])} for i in range(kk)]}
    summary: dict[str, Any] = {"indicator": ind, "k": kk, "cutoffs": r.cutoffs, "units_left_out": r.dropped,
                               "P": r.P.tolist(), "steady_state": r.steady_state.tolist()}
    settings = {"indicator": ind, **r.meta}
    if spatial:
        full = ~np.isnan(y).any(axis=0)
        sub = AnalysisInput([u for u, f in zip(inp.units, full) if f], [], inp.years, [], np.empty(0))
        sw = _weights_for(sub, weights, boundaries, join)
        pos = {u: i for i, u in enumerate(inp.units)}
        ys = y[:, [pos[c] for c in sw.codes]]
        s = spatial_markov(ys, sw.w, k=k, classing=classing, cutoffs=cutoffs, lag_cutoffs=cutoffs, relative=relative)
        tables["spatial_markov"] = [{"lag_class": l + 1, "from": i + 1, **{f"to_{j + 1}": float(s.P[l, i, j]) for j in range(s.P.shape[2])},
                                     "n": int(s.T[l, i].sum())} for l in range(s.P.shape[0]) for i in range(s.P.shape[1])]
        summary["homogeneity"] = {"Q": s.Q, "Q_p_value": s.Q_p_value, "LR": s.LR, "LR_p_value": s.LR_p_value, "dof": s.dof}
        settings["spatial"] = {**s.meta, "weights": sw.manifest()}
    return tables, summary, settings


def run_spatial(inp: AnalysisInput, indicator: str | None = None, year=None, weights: str = "queen", boundaries=None, join=None,
                permutations: int = 999, seed: int = 12345, alpha: float = 0.05, fdr: bool = False, islands: str = "drop",
                scaling: str = "esda", lisa_p: str = "p_sim") -> Out:
    from xianping.analysis.autocorrelation import GEARY_Z_SIGN, TAILS, Z_SIGN, geary, getis_ord, local_moran, moran

    ind = indicator or inp.root or inp.columns[-1]
    t = inp.year_index(year)
    v = inp.column(ind)[t]
    present = ~np.isnan(v)
    sub = AnalysisInput([u for u, p in zip(inp.units, present) if p], [], inp.years, [], np.empty(0))
    sw = _weights_for(sub, weights, boundaries, join, islands)
    pos = {u: i for i, u in enumerate(inp.units)}
    idx = np.array([pos[c] for c in sw.codes])
    y = v[idx]
    g = moran(y, sw.w, permutations=permutations, seed=seed)
    c = geary(y, sw.w, permutations=permutations, seed=seed)
    lm = local_moran(y, sw.w, permutations=permutations, seed=seed, alpha=alpha, fdr=fdr, scaling=scaling, significance=lisa_p)
    gi = getis_ord(y, sw.w, permutations=permutations, seed=seed, alpha=alpha, fdr=fdr)
    li, gn = lm.inference, gi.inference

    def f(a, i):
        return None if a is None or np.isnan(a[i]) else float(a[i])

    local = []
    for i, u in enumerate(sw.codes):
        row = {"unit_code": u, "unit_name": inp.unit_names[idx[i]] if inp.unit_names else "", "value": float(y[i]),
               "local_i": float(lm.values[i]), "quadrant": lm.quadrant[i]}
        for form in ("conditional", "total"):
            row.update({f"e_i_{form}": f(li[f"expected_{form}"], i), f"var_i_{form}": f(li[f"variance_{form}"], i),
                        f"z_i_{form}": f(li[f"z_{form}"], i), f"p_i_{form}_greater": f(li[f"p_{form}_greater"], i),
                        f"p_i_{form}_less": f(li[f"p_{form}_less"], i), f"p_i_{form}_two_sided": f(li[f"p_{form}_two_sided"], i)})
        for k in ("p_sim", "p_sim_greater", "p_sim_less", "p_sim_two_sided"):
            row[k] = f(li.get(k), i)
        row["lisa"] = lm.cluster[i]
        row.update({"gi_star_z": f(gi.z, i), "gi_p_norm_greater": f(gn["p_norm_greater"], i), "gi_p_norm_less": f(gn["p_norm_less"], i),
                    "gi_p_norm_two_sided": f(gn["p_norm_two_sided"], i), "gi_p_sim": f(gn.get("p_sim"), i),
                    "hotspot": gi.cluster[i]})
        local.append(row)
    geary_keys = [k for k in c if k not in ("z_sign",)]
    summary = {"indicator": ind, "year": inp.years[t], "weights": weights, "n": len(sw.codes), **g,
               **{("geary_c" if k == "geary_c" else f"geary_{k}"): c[k] for k in geary_keys},
               "lisa": lm.counts(), "hotspots": gi.counts(), "islands": sw.islands, "missing_boundaries": sw.missing,
               "left_out_missing_value": int((~present).sum()),
               "sign_conventions": {"moran": Z_SIGN, "geary": GEARY_Z_SIGN, "local_moran": Z_SIGN, "gi_star": gi.meta["z_sign"]},
               "local_moran_scaling": lm.meta["scaling_formula"], "lisa_significance": lm.meta["significance_p"]}
    if "boundaries_join" in inp.source:
        summary["join"] = inp.source["boundaries_join"]
    return ({"global": [{k: v_ for k, v_ in summary.items() if not isinstance(v_, (list, dict))}], "local": local}, summary,
            {"indicator": ind, "year": inp.years[t], "weights": sw.manifest(), "permutations": permutations, "seed": seed,
             "alpha": alpha, "fdr": fdr,
             "moran": {"method": "esda.Moran, row-standardised", "z_sign": Z_SIGN, "tails": TAILS,
                       "p_norm/p_rand": "two-sided (kept for earlier outputs); each tail is named in p_norm_greater … p_sim_two_sided"},
             "geary": {"method": "esda.Geary, row-standardised", "z_sign": GEARY_Z_SIGN, "tails": TAILS,
                       "p_rand": "one-sided, greater (positive autocorrelation) = p_rand_greater"},
             "local": lm.meta, "gi_star": gi.meta, **({"join": inp.source["boundaries_join"]} if "boundaries_join" in inp.source else {})})


def run_targets(inp: AnalysisInput, spec: list[dict[str, Any]], file: str | None = None) -> Out:
    from xianping.analysis.regions import group_labels
    from xianping.analysis.targets import evaluate_targets

    values = {c: inp.values[..., j] for j, c in enumerate(inp.columns)}
    rows = evaluate_targets(spec, values, inp.units, inp.years, provinces=group_labels(inp.units, "province"), file=file)
    names = dict(zip(inp.units, inp.unit_names))
    for r in rows:
        r["unit_name"] = names.get(r["unit_code"], "")
    summary = {}
    for r in rows:
        s = summary.setdefault(r["target"], {"units": 0, "attained": 0, "on_track": 0})
        s["units"] += 1
        s["attained"] += bool(r["attained"])
        s["on_track"] += bool(r["on_track"])
    return {"targets": rows}, summary, {"targets": spec, "projection": "CAGR for thresholds, linear rank pace for rank targets"}
