"""Compile a Framework (+ county-type overrides + settings) into an engine `Plan` of numpy steps.

Every choice that the engine needs is resolved here, from the framework, the settings, or a default,
and returned in `settings` (the complete, resolved settings) so the manifest records what was used.
Problems are located by the framework's key path (and file when known).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from xianping.engine import weights as W
from xianping.engine.pipeline import MISSING_YEAR_POLICIES, PANEL_MODES, NodeStep, Plan
from xianping.problems import ProblemReport

# Every setting evaluate() understands, with its default (None: taken from the framework).
DEFAULT_SETTINGS: dict[str, Any] = {
    "panel": None,  # per_year | pooled | frozen (framework defaults.normalisation.panel)
    "base_year": None,  # frozen anchors/weights, and rank change; default: first year
    "anchors": None,  # {indicator: [lo, hi]} frozen anchors to reuse (e.g. from an earlier manifest)
    "normalisation": None,  # {"method", "shift", "shift_value"}; default from the framework
    "missing_years": "carry_forward",  # an indicator with no value at all in a year: carry_forward | drop | error
    "impute": {"method": "none", "groups": None},  # engine.impute methods; groups: province | city | type | <column>
    # a unit needs half of the indicators in a year, or it is screened out that year (reported): otherwise
    # available-case aggregation would score a county from one indicator
    "screen": {"unit_threshold": 0.5, "indicator_threshold": None, "nonzero_threshold": None},
    "treat": {"method": "none"},  # none | coinr (winsorise, then log; COINr defaults; fallback log_CT | log | none)
    "missing": "renormalise",  # aggregation with a missing child: renormalise | propagate
    "ties": "min",
    "tiers": {"method": "top_n", "n": 30},  # top_n | quantile (k) | natural_breaks (k) | fixed (cuts); sized to the units in scope
    # which units are evaluated and ranked (evaluation.scope): all | county (县域) [+ include_districts], within
    # auto | none | province:41 | prefecture:4108; units outside are dropped before the evaluation
    "scope": {"units": "all", "include_districts": [], "within": "auto"},
    "strict": False,  # AHP CR ≥ 0.1, normalised weights, zero-variance entropy columns become errors
    "types_from": "gazetteer_kind",  # when by_type without a types table
}

RI_NAMES = {"saaty": "saaty", "gong_xu": "gong_xu_1000"}
_DIR = {"positive": 1, "negative": -1}


def resolve_settings(framework, settings: dict[str, Any] | None) -> dict[str, Any]:
    """Defaults ← framework ← user settings; unknown keys are an error (typos must not pass silently)."""
    user = dict(settings or {})
    unknown = sorted((set(user) | set(framework.evaluation or {})) - set(DEFAULT_SETTINGS))
    if unknown:
        report = ProblemReport()
        for k in unknown:
            report.add("unknown_setting", f"unknown evaluation setting {k!r}", column=k,
                       value=user.get(k, (framework.evaluation or {}).get(k)),
                       expected="one of " + ", ".join(sorted(DEFAULT_SETTINGS)))
        report.raise_if_errors("unknown evaluation settings")
    out = copy.deepcopy(DEFAULT_SETTINGS)
    ns = framework.defaults.normalisation
    out["panel"] = ns.panel
    out["normalisation"] = {"method": ns.method, "shift": ns.shift, "shift_value": ns.shift_value}
    for k, v in list((framework.evaluation or {}).items()) + list(user.items()):
        if k == "tiers" and isinstance(v, dict) and v.get("method", "top_n") != (out.get(k) or {}).get("method"):
            out[k] = dict(v)  # another tier method: top_n's n would only mislead in the manifest
        elif isinstance(out.get(k), dict) and isinstance(v, dict) and k not in ("anchors",):
            out[k] = {**out[k], **v}
        elif v is not None:
            out[k] = v
    return out


def _problem(report, kind, message, path, file, value=None, expected=None, severity="error"):
    from xianping.frameworks.yaml_lines import format_path

    report.add(kind, message, file=file, column=format_path(path), value=value, expected=expected, severity=severity)


def _weight_dict(spec, children, node_path, report, file, strict, defaults_method: str, label: str) -> dict[str, Any]:
    """WeightSpec (or None) + children's `weight` → the engine's weight dict (AHP solved here)."""
    given = [c.weight for c in children]
    if spec is None:  # children carry weights and no method is named
        method = "explicit"
        spec_d: dict[str, Any] = {"method": method}
    else:
        spec_d = spec.model_dump(exclude_none=True)
        method = spec.method
    if method == "explicit":
        vals = [g if g is not None else np.nan for g in given]
        if any(np.isnan(vals)):
            _problem(report, "missing_weight", f"{label}: a child has no weight", node_path + ("children",), file,
                     expected="a weight on every child")
            vals = [1.0] * len(children)
        tot = float(np.sum(vals))
        if tot <= 0:
            _problem(report, "zero_weights", f"{label}: the children's weights are all zero", node_path + ("children",),
                     file, 0, "at least one positive weight")
            vals = [1.0] * len(children)
            tot = float(len(children))
        elif abs(tot - 1) > 1e-6:
            _problem(report, "weights_do_not_sum", f"{label}: weights sum to {tot:g}, not 1"
                     + ("" if strict else "; normalised to sum 1"), node_path + ("children",), file, round(tot, 10),
                     "weights summing to 1", severity="error" if strict else "warning")
        spec_d = {"method": "explicit", "given": [float(v) for v in vals], "values": [float(v) / tot for v in vals]}
    elif method == "ahp":
        ri = RI_NAMES.get(spec.ri_table or "saaty", "saaty")
        res = W.ahp(np.asarray(spec.matrix, dtype=float), method=spec.solver or "eigenvector", ri_table=ri)
        cr = float(res.cr)
        spec_d.update({"values": [float(v) for v in res.weights], "lambda_max": float(res.lambda_max), "ci": float(res.ci),
                       "ri": float(res.ri), "ri_table": ri, "cr": cr, "solver": spec.solver or "eigenvector"})
        if cr >= 0.1:
            _problem(report, "ahp_inconsistent", f"{label}: AHP consistency ratio CR = {cr:.4f} ≥ 0.10 (RI table {ri})",
                     node_path + ("weights", "matrix"), file, round(cr, 6), "CR < 0.10: revise the judgements",
                     severity="error" if strict else "warning")
    elif method == "combined":
        comps = [_weight_dict(c, children, node_path, report, file, strict, defaults_method, label) for c in spec.components]
        spec_d = {"method": "combined", "combine": spec.combine, "alpha": spec.alpha, "components": comps}
    elif method == "entropy":
        spec_d = {"method": "entropy", "variant": (spec.variant if spec else None) or "zero_ln_zero",
                  "shift": (spec.shift if spec else None) or 0.01}
    elif method == "critic":
        spec_d = {"method": "critic", "correlation": (spec.correlation if spec else None) or "signed"}
    elif method == "cv":
        spec_d = {"method": "cv", "basis": (spec.basis if spec else None) or "raw"}
    elif method == "pca":
        spec_d = {"method": "pca", "variant": (spec.variant if spec else None) or "composite",
                  "signed": bool(spec.signed) if spec else False, "options": dict((spec.options if spec else None) or {})}
    elif spec is not None and spec.options is not None:  # an engine.mcda weighting (defaults filled by the model)
        spec_d = {"method": method, "basis": spec.basis, "options": dict(spec.options)}
    return spec_d


def compile_plan(framework, settings: dict[str, Any], *, file: str | None = None, report: ProblemReport | None = None,
                 base_index: int = 0) -> tuple[Plan, dict[str, Any]]:
    """Framework → (Plan, info). `settings` must be resolved (resolve_settings). Problems go into `report`
    (errors are raised by the caller once all are collected). info: denominator codes, node metadata."""
    report = report if report is not None else ProblemReport()
    strict = bool(settings.get("strict"))
    leaves = framework.indicators()
    leaf_index = {leaf.node_code: i for i, leaf in enumerate(leaves)}
    indicators = tuple(leaf.indicator.code for leaf in leaves)
    dirs, opt, itv, gps, tgs = [], [], [], [], []
    denom_codes: list[str] = []
    denoms: list[int] = []
    for leaf in leaves:
        ind = leaf.indicator
        if ind.direction == "moderate" and ind.optimal_interval is not None:
            dirs.append("interval")
        elif ind.direction == "moderate" or (ind.direction == "target" and settings["normalisation"]["method"] != "target"):
            dirs.append("moderate")
        else:
            dirs.append(_DIR.get(ind.direction, 1))
        opt.append(ind.optimum if ind.optimum is not None else ind.target)
        itv.append(tuple(ind.optimal_interval) if ind.optimal_interval is not None else None)
        gps.append(tuple(ind.goalposts) if ind.goalposts is not None else None)
        tgs.append(ind.target)
        # denominate only when the framework's leaf asks for it; a library `denominator` describes how a
        # per-capita indicator was derived and is not applied again
        item = next(it for it in framework.walk() if it.node.code == leaf.node_code)
        ref = item.node.indicator
        if ref is not None and "denominator" in ref.model_fields_set and ref.denominator:
            if ref.denominator not in denom_codes:
                denom_codes.append(ref.denominator)
            denoms.append(denom_codes.index(ref.denominator))
        else:
            denoms.append(-1)
    d = framework.defaults
    steps: list[NodeStep] = []
    meta: dict[str, dict[str, Any]] = {}
    for leaf in leaves:
        meta[leaf.node_code] = {"depth": len(leaf.codes) - 1, "indicator": leaf.indicator.code, "leaf": True}
    order: list[str] = list(leaf_index)

    def rec(item_node, path, depth):
        if item_node.is_leaf:
            return leaf_index[item_node.code]
        kids = [rec(c, path + ("children", i), depth + 1) for i, c in enumerate(item_node.children)]
        label = f"node {item_node.code!r}"
        spec = item_node.weights
        if spec is None and not all(c.weight is not None for c in item_node.children):
            spec = d.weights
        wd = _weight_dict(spec, item_node.children, path, report, file, strict, d.weights.method, label)
        agg = (item_node.aggregation or d.aggregation).model_dump(exclude_none=True)
        steps.append(NodeStep(item_node.code, tuple(kids), wd, agg))
        order.append(item_node.code)
        meta[item_node.code] = {"depth": depth, "leaf": False, "path": path}
        return len(leaves) + len(steps) - 1

    rec(framework.root, ("root",), 0)
    panel = settings["panel"]
    if panel not in PANEL_MODES:
        report.add("bad_setting", f"panel {panel!r} is not one of {PANEL_MODES}", column="panel", value=panel)
    if settings["missing_years"] not in MISSING_YEAR_POLICIES:
        report.add("bad_setting", f"missing_years {settings['missing_years']!r} is not one of {MISSING_YEAR_POLICIES}",
                   column="missing_years", value=settings["missing_years"])
    anchors = None
    if settings.get("anchors"):
        a = settings["anchors"]
        missing = [c for c in indicators if c not in a]
        if missing:
            report.add("bad_setting", f"anchors are missing for {', '.join(missing)}", column="anchors",
                       expected="[lo, hi] for every indicator")
        else:
            anchors = tuple((float(a[c][0]), float(a[c][1])) for c in indicators)
    imp = {k: v for k, v in settings["impute"].items() if k != "groups"}
    plan = Plan(
        indicators=indicators,
        leaf_codes=tuple(leaf_index),
        nodes=tuple(steps),
        directions=tuple(dirs),
        denominators=tuple(denoms),
        denominator_scale=tuple(1.0 for _ in denoms),
        optimum=tuple(opt),
        interval=tuple(itv),
        goalposts=tuple(gps),
        targets=tuple(tgs),
        missing_years=settings["missing_years"],
        impute=imp,
        screen=dict(settings["screen"]),
        treat=dict(settings["treat"]),
        normalise={k: v for k, v in settings["normalisation"].items() if v is not None},
        panel=panel,
        base_index=base_index,
        anchors=anchors,
        scale=float(d.scale),
        missing=settings["missing"],
        ties=settings["ties"],
        rank_leaves=True,
    )
    return plan, {"denominators": denom_codes, "nodes": meta, "order": order}
