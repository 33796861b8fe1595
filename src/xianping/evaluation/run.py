"""`evaluate(...)`: framework + panel + settings → EvaluationResult (with a manifest), and `rebuild(manifest)`."""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any, Callable

import numpy as np

from xianping.engine import pipeline as P
from xianping.engine._common import EngineWarning
from xianping.evaluation.load_panel import Panel, from_store, read_panel, sha256_file
from xianping.evaluation.manifest import build_manifest
from xianping.evaluation.plan import compile_plan, resolve_settings
from xianping.evaluation.result import EvaluationResult
from xianping.evaluation.scope import apply_scope
from xianping.problems import ProblemReport, XianpingInputError

# 分类考核 by gazetteer kind: 市辖区 / 县级市 / 县 (县, 自治县, 旗, 自治旗, 特区, 林区 …)
KIND_TYPES = {"市辖区": "市辖区", "县级市": "县级市"}


def _load_framework(framework):
    from xianping.frameworks.load import _resolve_path, load_framework
    from xianping.frameworks.model import Framework

    if isinstance(framework, Framework):
        return framework, None, {"name": framework.code, "source": "object"}
    path = _resolve_path(framework)
    fw = load_framework(framework)
    builtin = not Path(str(framework)).suffix and not Path(str(framework)).exists()
    return fw, str(path), {"name": str(framework) if builtin else fw.code, "source": "builtin" if builtin else str(path)}


def _types_from_table(path, units) -> tuple[dict[str, str], dict[str, Any]]:
    import csv

    p = Path(path)
    if not p.exists():
        raise XianpingInputError(f"types file {p} does not exist")
    report = ProblemReport()
    out: dict[str, str] = {}
    from xianping.ingest.read_text import read_text

    rows = list(csv.reader(io.StringIO(read_text(p, "types file"), newline="")))  # undecodable: named
    head = [h.strip() for h in rows[0]] if rows else []
    if "unit_code" not in head or "type" not in head:
        report.add("bad_header", "a types table needs the columns unit_code and type", file=str(p), row=1,
                   value=",".join(head), expected="unit_code,type")
        report.raise_if_errors(f"types file {p} is not usable")
    iu, it = head.index("unit_code"), head.index("type")
    for r, row in enumerate(rows[1:], start=2):
        if row and row[iu].strip():
            out[row[iu].strip()] = row[it].strip()
    return out, {"kind": "file", "path": str(p), "sha256": sha256_file(p)}


def _types_from_gazetteer(units, vintage) -> dict[str, str]:
    from xianping.reference.divisions import get_gazetteer

    gaz = get_gazetteer()
    out = {}
    for u in units:
        d = gaz.get(u, vintage) or gaz.get(u)
        out[u] = "未知" if d is None else KIND_TYPES.get(d.kind, "县")
    return out


def _unit_names(panel: Panel, vintage) -> list[str]:
    if panel.unit_names:
        return [panel.unit_names.get(u, "") for u in panel.units]
    from xianping.reference.divisions import get_gazetteer  # bundled: a failure to load it is a bug to see

    gaz = get_gazetteer()
    out = []
    for u in panel.units:
        d = gaz.get(u, vintage) if u.isdigit() else None
        out.append(d.full_name if d is not None else "")
    return out


def _groups(spec, panel: Panel, unit_types):
    if not spec:
        return None
    if spec == "province":
        lab = [u[:2] for u in panel.units]
    elif spec == "city":
        lab = [u[:4] for u in panel.units]
    elif spec == "type":
        lab = list(unit_types)
    elif spec in panel.attributes:
        lab = [panel.attributes[spec].get(u, "") for u in panel.units]
    else:
        raise XianpingInputError(f"impute groups {spec!r}: not province, city, type or a column of the data")
    return np.unique(lab, return_inverse=True)[1]


def _engine_call(fn, report: ProblemReport, where: str, strict: bool, info=None, file=None, labels=None):
    """Run an engine call, turning its warnings into report entries and ValueErrors into located errors
    (at the node's key path in the framework file when the engine names the node)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", EngineWarning)
        try:
            out = fn()
        except P.NodeError as e:
            from xianping.frameworks.yaml_lines import format_path

            node = (info or {}).get("nodes", {}).get(e.code, {})
            col = format_path(node["path"]) if "path" in node else e.code
            if isinstance(e, P.ZeroInMeanError) and labels is not None:
                years, units = labels
                t, i = e.where[-3], e.where[-2]
                report.add("zero_in_mean",
                           f"node {e.code!r}: the {e.method} mean of unit {units[i]} in {years[t]} meets "
                           f"{'a zero' if e.value == 0 else 'a negative value'} in child {e.child!r} "
                           f"(normalised value {e.value:g}), and the node declares no zero policy",
                           file=file, column=col, value=e.value,
                           expected=f"aggregation: {{method: {e.method}, zero_policy: epsilon, epsilon: 0.001}} "
                                    "(or zero_policy: shift), or a normalisation without zeros such as min_max to [1, 100]")
                raise XianpingInputError(f"evaluation failed at node {e.code}", report) from None
            report.add("engine_error", str(e), file=file, column=col, value=e.code,
                       expected="a setting that fits the data (see the message)")
            raise XianpingInputError(f"evaluation failed at node {e.code}", report) from None
        except ValueError as e:
            report.add("engine_error", f"{where}: {e}", column=where)
            raise XianpingInputError(f"evaluation failed at {where}", report) from None
    for w in caught:
        if issubclass(w.category, EngineWarning):
            report.add("engine_warning", f"{where}: {w.message}", column=where, severity="warning")
    return out


def _zero_variance(plan, scored, info, report, framework_file, strict, codes_of_years):
    """Entropy/CRITIC on a child with no variation: say which, where (its weight is 0)."""
    from xianping.frameworks.yaml_lines import format_path

    n = plan.n
    names = plan.node_codes
    for idx, step in enumerate(plan.nodes):
        if step.weights.get("method") not in ("entropy", "critic", "cv", "std"):
            continue
        # leaves: the data before normalisation (a constant column normalises to NaN, 0/0); nodes: scores
        v = np.concatenate([codes_of_years[..., :n], scored.values[..., n:]], axis=-1)[..., list(step.children)]
        pooled = v.reshape(-1, v.shape[-1]) if plan.panel == "pooled" else v
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            sd = np.nanstd(pooled, axis=-2)
        bad = np.atleast_2d(sd == 0)
        for j, c in enumerate(step.children):
            if np.any(bad[..., j]):
                report.add("zero_variance", f"{step.weights['method']} weights of {step.code!r}: child {names[c]!r} has no "
                           "variation (constant column); its weight is 0", file=framework_file,
                           column=format_path(info["nodes"][step.code]["path"]), value=names[c],
                           expected="an indicator that varies across units, or another weighting method",
                           severity="error" if strict else "warning")


def resolve_inputs(framework, settings, read_panel: Callable[[list[str]], Panel], say=lambda s: None):
    """Framework, settings, plan and panel of one evaluation, shared by `evaluate` and the robustness layer.

    `read_panel(codes)` loads the indicators (and denominators) the plan needs. The plan is compiled twice:
    once to know the codes, once more with the base year's index, which frozen anchors need. The returned report
    holds the framework's warnings from the first compilation (weights that do not sum, AHP consistency)."""
    say("framework")
    fw, fw_file, fw_meta = _load_framework(framework)
    st = resolve_settings(fw, settings)
    report = ProblemReport()
    plan0, info = compile_plan(fw, st, file=fw_file, report=report)
    report.raise_if_errors(f"framework {fw.code} cannot be evaluated with these settings")
    say("data")
    codes = list(plan0.indicators) + [c for c in info["denominators"] if c not in plan0.indicators]
    panel = read_panel(codes)
    report.extend(panel.problems)  # the reading's warnings and notes (columns not read, units taken per person …)
    # the units in scope only (all | 县域, within a province or prefecture), and tiers sized to them
    panel = apply_scope(panel, st, report, tiers_given="tiers" in (settings or {}) or "tiers" in (fw.evaluation or {}))
    col = {c: j for j, c in enumerate(panel.columns)}
    # one pass over the panel, not one per indicator (village-scale panels are large)
    empty = np.all(np.isnan(panel.values), axis=(0, 1)) if panel.values.size else np.ones(len(panel.columns), bool)
    missing_codes = [c for c in codes if c not in col or empty[col[c]]]
    if missing_codes:
        report.add("indicator_not_in_data", f"no values for {', '.join(missing_codes)} in the data", value=", ".join(missing_codes),
                   expected="every indicator of the framework (and its denominators)")
        raise XianpingInputError("the data lack indicators the framework needs", report)
    base_year = str(st["base_year"]) if st["base_year"] is not None else panel.years[0]
    if base_year not in panel.years:
        raise XianpingInputError(f"base year {base_year} is not among the years evaluated ({', '.join(panel.years)})")
    st["base_year"] = base_year
    _missing_unit_years(panel, [col[c] for c in plan0.indicators], report)
    bi = panel.years.index(base_year)
    plan, info = compile_plan(fw, st, file=fw_file, report=ProblemReport(), base_index=bi)
    return fw, fw_file, fw_meta, st, plan, info, panel, bi, report


def _missing_unit_years(panel: Panel, cols: list[int], report: ProblemReport) -> None:
    """A unit with values in some evaluated year but none in another drops out of that year's ranking: say which
    units and years (a warning), instead of letting them vanish."""
    T, m = panel.values.shape[:2]
    if T < 2 or not cols:
        return
    has = np.zeros((T, m), dtype=bool)
    for j in cols:  # column by column: no copy of a village-scale panel
        has |= ~np.isnan(panel.values[..., j])
    gaps = has.any(axis=0)[None, :] & ~has
    if not gaps.any():
        return
    vintage = panel.source.get("code_vintage") or 2024
    for t in np.flatnonzero(gaps.any(axis=1)):
        idx = np.flatnonzero(gaps[t])
        # names of the units shown only (a village panel has 500,000 units)
        names = _unit_names(Panel(panel.values[:0, idx[:20]], [], [panel.units[i] for i in idx[:20]], [],
                                  {panel.units[i]: panel.unit_names[panel.units[i]] for i in idx[:20]
                                   if panel.units[i] in panel.unit_names}), vintage)
        shown = ", ".join(f"{panel.units[i]} {n}".strip() for i, n in zip(idx[:20], names))
        more = f" … and {len(idx) - 20} more" if len(idx) > 20 else ""
        years_with = sorted({panel.years[s] for i in idx[:20] for s in np.flatnonzero(has[:, i])})
        report.add("unit_year_missing",
                   f"{len(idx)} unit(s) have no data in {panel.years[t]} but do in other years "
                   f"({', '.join(years_with)}): {shown}{more}; they are not scored or ranked in {panel.years[t]}",
                   file=panel.source.get("path"), value=panel.years[t], severity="warning",
                   expected=f"a row for every unit in {panel.years[t]}, or --years without {panel.years[t]}")


def _given_panel(panel: Panel, codes: list[str], years) -> Panel:
    """A Panel the caller already read (the platform's approved values, one columnar query): the codes asked, in order,
    and the years asked (all when None); the caller's source description goes into the manifest."""
    ys = [str(y).strip() for y in (years.split(",") if isinstance(years, str) else years or panel.years) if str(y).strip()]
    absent = [y for y in ys if y not in panel.years]
    if absent:
        raise XianpingInputError(f"years {', '.join(absent)} are not in the data ({', '.join(panel.years)})")
    values = panel.take(codes)[[panel.years.index(y) for y in ys]]
    return Panel(values, ys, list(panel.units), list(codes), dict(panel.unit_names), dict(panel.attributes),
                 dict(panel.source), panel.problems)


def evaluate(framework, *, store=None, data=None, years=None, by_type: bool = False, types=None,
             settings: dict[str, Any] | None = None, progress: Callable[[str], None] | None = None,
             mapping=None, code_year: int | None = None, period: str | None = None, sheet=None,
             trust_codes: bool = False, skip_unknown: bool = False, split_rule=None) -> EvaluationResult:
    """Evaluate every unit with a framework (built-in name, YAML path, or Framework object).

    Data: `store` (a PanelStore or a path to one) or `data` (a CSV/XLSX table, read as `xianping import` reads it,
    or a coded/binary panel; see `load_panel`; or a `Panel` already read, as the platform reads approved values). `mapping`, `code_year`, `period`, `sheet`, `trust_codes`,
    `skip_unknown`, `split_rule`: reading options of `data`, with the meaning they have for `xianping import`.
    `years`: list or "2010,2020" (default: all). `by_type`: also score with each county type's overrides and rank
    within types; `types`: a CSV with unit_code,type or a dict (default: the gazetteer kind, 市辖区/县级市/县).
    `settings`: see `plan.DEFAULT_SETTINGS`; every setting actually used goes into the manifest, and every warning
    (of the reading and of the evaluation) into its `warnings` list.
    """
    say = progress or (lambda s: None)
    if (store is None) == (data is None):
        raise XianpingInputError("give exactly one data source: a store or a data file")
    read = {"mapping": mapping, "code_year": code_year, "period": period, "sheet": sheet, "trust_codes": trust_codes,
            "skip_unknown": skip_unknown, "split_rule": split_rule}
    if store is not None and any(v not in (None, False) for v in read.values()):
        given = ", ".join(k for k, v in read.items() if v not in (None, False))
        raise XianpingInputError(f"{given}: reading options of a data file; a store holds imported values "
                                 "(give them to `xianping import`, or evaluate the file with --data)")
    fw, fw_file, fw_meta, st, plan, info, panel, bi, report = resolve_inputs(
        framework, settings,
        lambda codes: from_store(store, codes, years) if store is not None else
        _given_panel(data, codes, years) if isinstance(data, Panel) else read_panel(data, codes, years, **read),
        say=say)
    vintage = panel.source.get("code_vintage") or 2024
    unit_types, types_meta = None, None
    # a 考核办法 with classes needs each unit's class too (evaluation/score_sheet), from --types or the gazetteer
    if by_type or (st["impute"].get("groups") == "type") or (fw.scoring is not None and fw.scoring.classes):
        if types is None:
            tmap = _types_from_gazetteer(panel.units, vintage)
            types_meta = {"kind": "gazetteer_kind", "vintage": vintage, "classes": "市辖区 | 县级市 | 县 (县, 自治县, 旗 …)"}
        elif isinstance(types, dict):
            tmap, types_meta = {str(k): str(v) for k, v in types.items()}, {"kind": "mapping", "table": dict(types)}
        else:
            tmap, types_meta = _types_from_table(types, panel.units)
        unit_types = [tmap.get(u, "未分类") for u in panel.units]
    x = panel.take(plan.indicators)
    den = panel.take(info["denominators"]) if info["denominators"] else None
    groups = _groups(st["impute"].get("groups"), panel, unit_types)
    times = [float(y[:4]) for y in panel.years]
    say("pipeline")
    prepared = _engine_call(lambda: P.prepare(plan, x, den, groups, times), report, "prepare", st["strict"])
    scored = _engine_call(lambda: P.score(plan, prepared.normalised, prepared.keep_indicators, raw=prepared.treated),
                          report, "weights and aggregation", st["strict"], info, fw_file,
                          labels=(panel.years, panel.units))
    _zero_variance(plan, scored, info, report, fw_file, st["strict"], prepared.treated)
    report.raise_if_errors(f"framework {fw.code}: bad settings for this data")
    tiers = P.tiers(scored.values[..., -1], st.get("tiers"), ties=plan.ties)
    by_type_out = None
    if by_type:
        say("by type")
        by_type_out = _score_by_type(fw, st, fw_file, plan, prepared, unit_types, report, bi)
    say("manifest")
    manifest = build_manifest(fw, fw_meta, fw_file, st, plan, info, panel, prepared, by_type, types_meta, report)
    manifest["scope"] = getattr(panel, "scope", None) or {}  # which units were evaluated and ranked (evaluation.scope)
    return EvaluationResult(fw, plan, info, panel, _unit_names(panel, vintage), unit_types, prepared, scored, tiers,
                            by_type_out, manifest, report)


def _score_by_type(fw, st, fw_file, plan, prepared, unit_types, report, bi):
    """Per type: the type's framework (overrides applied) on the common normalised data of its units."""
    types = sorted(set(unit_types))
    T, m = prepared.normalised.shape[-3], prepared.normalised.shape[-2]
    N = len(plan.node_codes)
    vals = np.full((T, m, N), np.nan)
    ranks = np.full((T, m, N), np.nan)
    weights: dict[str, dict[str, np.ndarray]] = {}
    arr = np.asarray(unit_types)
    for t in types:
        idx = np.where(arr == t)[0]
        sub_fw = fw.for_type(t) if t in fw.type_overrides else fw
        rep = ProblemReport()
        p_t, _ = compile_plan(sub_fw, st, file=fw_file, report=rep, base_index=bi)
        report.extend(p for p in rep if p.severity != "error" or True)
        if p_t.node_codes != plan.node_codes:
            raise XianpingInputError(f"type {t}: the override changes the tree")
        sc = _engine_call(lambda: P.score(p_t, prepared.normalised[..., idx, :], prepared.keep_indicators,
                                          raw=prepared.treated[..., idx, :]), report, f"type {t}", st["strict"])  # noqa: B023
        vals[:, idx, :] = sc.values
        ranks[:, idx, :] = sc.ranks
        weights[t] = sc.weights
    return {"types": types, "values": vals, "ranks": ranks, "weights": weights}


def rebuild(manifest: dict[str, Any] | str | Path, *, check_data: bool = True) -> EvaluationResult:
    """Evaluate again from a manifest (dict or JSON file): same framework (hash checked), same data
    (batches / sha256 checked), same settings. Raises if the framework or the data changed."""
    import json

    if not isinstance(manifest, dict):
        manifest = json.loads(Path(manifest).read_text(encoding="utf-8"))
    fwm = manifest["framework"]
    target = fwm["name"] if fwm["source"] == "builtin" else fwm["source"]
    if fwm["source"] == "object":
        from xianping.frameworks.model import Framework

        target = Framework.model_validate(fwm["content"])
    src = manifest["data"]
    kw: dict[str, Any] = {"years": manifest["years"], "by_type": manifest["by_type"], "settings": manifest["settings"]}
    if src["kind"] == "store":
        kw["store"] = src["path"]
    else:
        kw["data"] = src["path"]
        kw.update(src.get("read_options") or {})
    tm = manifest.get("types")
    if tm and tm.get("kind") == "file":
        kw["types"] = tm["path"]
    elif tm and tm.get("kind") == "mapping":
        kw["types"] = tm["table"]
    res = evaluate(target, **kw)
    if res.manifest["framework"]["hash"] != fwm["hash"]:
        raise XianpingInputError(f"framework {fwm['name']} changed since the manifest was written (hash differs)")
    if check_data and res.manifest["data"] != src:
        raise XianpingInputError("the data changed since the manifest was written (batches or sha256 differ)")
    return res
