"""Map the unit codes of an imported table from their vintage (`--code-year`) to the store's vintage.

same/rename/recode: 1:1. merge: the values of all sources of a target are combined by the indicator's
library rule — `sum`, or `weighted_mean` by `merge_weight` when that indicator is in the same import;
otherwise refused. split: refused unless a split rule gives each target's share of the source.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

from xianping.problems import ProblemReport

ONE_TO_ONE = {"same", "rename", "recode"}


def load_split_rule(path: str | Path, report: ProblemReport) -> dict[str, list[tuple[str, float]]]:
    """source code → [(target code, share)], from CSV (source,target,share) or YAML {source: {target: share}}.
    Shares of a source must add up to 1 (±0.001)."""
    path = Path(path)
    file = str(path)
    rule: dict[str, list[tuple[str, float]]] = defaultdict(list)
    rows_of: dict[str, int] = {}
    if not path.exists():
        report.add("file_not_found", "split rule file not found", file=file, expected="a CSV source,target,share or YAML file")
        return {}
    if path.suffix.lower() == ".csv":
        text = _text(path, report)
        if text is None:
            return {}
        for i, r in enumerate(csv.reader(text.splitlines()), start=1):
            if not r or not r[0].strip() or r[0].strip().lower() in ("source", "源代码"):
                continue
            try:
                share = float(r[2])
            except (IndexError, ValueError):
                report.add("bad_split_rule", "share is not a number", file=file, row=i, column="share",
                           value=r[2] if len(r) > 2 else None, expected="a share between 0 and 1")
                continue
            rule[r[0].strip()].append((r[1].strip(), share))
            rows_of.setdefault(r[0].strip(), i)
    else:
        from xianping.frameworks.yaml_lines import YamlSyntaxError, load_with_lines

        text = _text(path, report)
        if text is None:
            return {}
        try:
            data, lines = load_with_lines(text)  # the limits (aliases, depth, size) and duplicate keys refused
        except YamlSyntaxError as e:
            for p in e.problems(file):
                report.add("bad_split_rule", f"not valid YAML: {p.message}", file=file, row=p.row, column=p.column,
                           expected="{source: {target: share}}")
            return {}
        for src, targets in (data.items() if isinstance(data, dict) else []):
            rows_of.setdefault(str(src), lines.get((src,)))
            if not isinstance(targets, dict):
                report.add("bad_split_rule", f"source {src} must map to {{target: share}}", file=file,
                           row=lines.get((src,)), value=targets, expected="{target: share, ...}")
                continue
            for t, share in targets.items():
                try:
                    rule[str(src)].append((str(t), float(share)))
                except (TypeError, ValueError):
                    report.add("bad_split_rule", "share is not a number", file=file, row=lines.get((src, t)),
                               column=str(t), value=share, expected="a share between 0 and 1")
    for src, parts in rule.items():
        total = sum(s for _, s in parts)
        if abs(total - 1.0) > 1e-3:
            report.add("bad_split_rule", f"shares of {src} add up to {total:g}", file=file, row=rows_of.get(src),
                       value=total, expected="shares that add up to 1")
    return dict(rule)


def _text(path: Path, report: ProblemReport) -> str | None:
    """The rule file's text by the one decoding rule (UTF-8 ± BOM, UTF-16, GBK); other bytes are a problem naming it."""
    from xianping.ingest.read_table import decode_text

    data = path.read_bytes()
    try:
        return decode_text(data)[0]
    except UnicodeDecodeError as e:
        report.add("bad_split_rule", f"split rule file is not text (byte {data[e.start:e.start + 1]!r} at position "
                   f"{e.start})", file=str(path), expected="a CSV source,target,share or YAML file in UTF-8 or GBK")
        return None


def crosswalk_records(
    records: list[dict[str, Any]],
    *,
    gazetteer: Any,
    library: Any,
    from_year: int,
    to_year: int,
    report: ProblemReport,
    file: str,
    split_rule: dict[str, list[tuple[str, float]]] | None = None,
) -> list[dict[str, Any]]:
    """Records (unit_code, period, indicator, value, unit, flags, row, column) re-keyed to `to_year` codes."""
    codes = sorted({r["unit_code"] for r in records})
    if not codes:
        return []
    mapping = gazetteer.code_map(codes, from_year, to_year)
    for code in codes:
        # codes abolished during from_year (a table of that year may still use them) map from the year before
        if mapping.get(code) is None or mapping[code].relation == "unmapped":
            prev = gazetteer.get(code, from_year - 1)
            if prev is not None and prev.end == from_year:
                mapping[code] = gazetteer.code_map([code], from_year - 1, to_year)[code]
    first_row: dict[str, dict[str, Any]] = {}
    for r in records:
        first_row.setdefault(r["unit_code"], r)

    targets_of: dict[str, list[tuple[str, float]]] = {}
    relation_of: dict[str, str] = {}
    for code in codes:
        m = mapping.get(code)
        where = first_row[code]
        if m is None or m.relation == "unmapped" or not m.targets:
            report.add("unmapped_code", f"code {code} of {from_year} has no successor in {to_year}",
                       file=file, row=where.get("row"), column=where.get("code_column"), value=code,
                       expected=f"a code in force in {from_year}" + (f" ({m.note})" if m is not None and m.note else ""))
            continue
        relation_of[code] = m.relation
        if len(m.targets) > 1 or m.relation == "split":
            rule = (split_rule or {}).get(code)
            if rule is None:
                report.add("split_needs_rule", f"code {code} was split into {', '.join(m.targets)} by {to_year}",
                           file=file, row=where.get("row"), column=where.get("code_column"), value=code,
                           expected="a --split-rule file giving each target's share (source,target,share)")
                continue
            unknown = [t for t, _ in rule if t not in m.targets]
            if unknown:
                report.add("bad_split_rule", f"split rule for {code} names {', '.join(unknown)}, not among its successors",
                           file=file, value=code, expected=f"targets among {', '.join(m.targets)}")
                continue
            targets_of[code] = list(rule)
        else:
            targets_of[code] = [(m.targets[0], 1.0)]

    sources_of: dict[str, set[str]] = defaultdict(set)
    for code, parts in targets_of.items():
        for t, _ in parts:
            sources_of[t].add(code)

    # value of each (source, period, indicator), for weights
    by_key: dict[tuple[str, str, str], dict[str, Any]] = {(r["unit_code"], r["period"], r["indicator"]): r for r in records}
    groups: dict[tuple[str, str, str], list[tuple[dict[str, Any], float]]] = defaultdict(list)
    for r in records:
        for t, share in targets_of.get(r["unit_code"], []):
            groups[(t, r["period"], r["indicator"])].append((r, share))

    # every source of each target in from_year, from the gazetteer: whole units and parts of split units
    whole_of: dict[str, set[str]] = defaultdict(set)
    part_of: dict[str, set[str]] = defaultdict(set)
    for code, parts in targets_of.items():
        for t, _ in parts:
            for c in mapping[code].co_sources_of(t):
                (part_of if c.part else whole_of)[t].add(c.code)
    incomplete: dict[tuple[str, tuple[str, ...]], list[Any]] = {}  # (target, missing) → [first row, n groups]
    partial: dict[tuple[str, tuple[str, ...]], list[Any]] = {}

    out: list[dict[str, Any]] = []
    reported: set[tuple[str, str]] = set()
    for (target, period, ind), parts in groups.items():
        first = parts[0][0]
        present = {r["unit_code"] for r, _ in parts}
        missing = tuple(sorted(whole_of[target] - present))
        if missing:
            # the target's value would silently cover only the sources present
            entry = incomplete.setdefault((target, missing), [first, 0, present, ind, period])
            entry[1] += 1
            continue
        flags = _merged_flags(parts)
        sources = list(dict.fromkeys(r.get("source") for r, _ in parts if r.get("source")))
        if len(sources) > 1:
            first = {**first, "source": "/".join(sources)}
        missing_parts = tuple(sorted(part_of[target] - present))
        if missing_parts:
            entry = partial.setdefault((target, missing_parts), [first, 0, present, ind, period])
            entry[1] += 1
            flags.append(f"crosswalk:partial:{'+'.join(missing_parts)}")
        if len(parts) == 1 and parts[0][1] == 1.0:
            rel = relation_of[first["unit_code"]]
            if rel != "same":
                flags.append(f"crosswalk:{rel}:{first['unit_code']}")
            out.append({**first, "unit_code": target, "flags": ";".join(flags)})
            continue
        indicator = library.get(ind) if ind in library else None
        rule = indicator.merge if indicator is not None else "none"
        srcs = "+".join(sorted(r["unit_code"] for r, _ in parts))
        values = [(r, share, r["value"]) for r, share in parts]
        if len(parts) == 1:  # one source split over several targets
            r, share, v = values[0]
            if rule == "sum":
                value = None if v is None else v * share
                flags.append(f"crosswalk:split:{srcs}:share={share:g}")
            else:  # a rate or mean is assumed equal across the parts of a split unit
                value = v
                flags.append(f"crosswalk:split_copy:{srcs}")
            out.append({**first, "unit_code": target, "value": value, "flags": ";".join(flags)})
            continue
        if rule == "none":
            if (target, ind) not in reported:
                reported.add((target, ind))
                report.add("merge_not_allowed", f"{srcs} merged into {target}, but {ind} cannot be combined (merge: none)",
                           file=file, row=first.get("row"), column=first.get("column"), value=srcs,
                           expected="an indicator with merge: sum or weighted_mean, or codes of the store's vintage")
            continue
        if any(v is None for _, _, v in values):
            flags.append(f"crosswalk:merge:{srcs}:incomplete")
            out.append({**first, "unit_code": target, "value": None, "flags": ";".join(flags)})
            continue
        if rule == "sum":
            value = sum(v * s for _, s, v in values)
        else:
            wcode = indicator.merge_weight
            weights = []
            for r, s, v in values:
                w = by_key.get((r["unit_code"], period, wcode))
                weights.append(None if w is None else w["value"])
            if any(w is None for w in weights):
                if (target, ind) not in reported:
                    reported.add((target, ind))
                    missing = [r["unit_code"] for (r, _, _), w in zip(values, weights) if w is None]
                    report.add("merge_needs_weight",
                               f"{srcs} merged into {target}: {ind} is a weighted mean by {wcode}, which is missing for {', '.join(missing)}",
                               file=file, row=first.get("row"), column=first.get("column"), value=srcs,
                               expected=f"a {wcode} column in the same import")
                continue
            total_w = sum(w * s for (_, s, _), w in zip(values, weights))
            value = sum(v * w * s for (_, s, v), w in zip(values, weights)) / total_w if total_w else None
        flags.append(f"crosswalk:merge:{srcs}")
        out.append({**first, "unit_code": target, "value": value, "flags": ";".join(flags)})
    _report_incomplete(incomplete, partial, gazetteer, to_year, report, file)
    return out


def _merged_flags(parts: list[tuple[dict[str, Any], float]]) -> list[str]:
    """The flags of every source row of a target, each once, in order."""
    flags: list[str] = []
    for r, _ in parts:
        flags += [f for f in (r.get("flags") or "").split(";") if f and f not in flags]
    return flags


def _report_incomplete(incomplete, partial, gazetteer, to_year, report: ProblemReport, file: str) -> None:
    def label(code: str) -> str:
        d = gazetteer.get(code, to_year) or gazetteer.get(code)
        return f"{code} {d.name}" if d is not None else code

    for (target, missing), (first, n, present, ind, period) in sorted(incomplete.items(), key=lambda kv: kv[1][0].get("row") or 0):
        everyone = sorted(set(missing) | present)
        more = f" (and {n - 1} more indicator/period combination(s))" if n > 1 else ""
        report.add("merge_incomplete",
                   f"{label(target)} is formed from {', '.join(label(c) for c in everyone)}, but the table has no "
                   f"{ind} {period} for {', '.join(label(c) for c in missing)}{more}: its value would cover only "
                   f"{'+'.join(sorted(present))}",
                   file=file, row=first.get("row"), column=first.get("code_column"), value="+".join(missing),
                   expected=f"rows for all of {', '.join(everyone)}, or codes of the store's vintage")
    for (target, missing), (first, n, present, ind, period) in sorted(partial.items(), key=lambda kv: kv[1][0].get("row") or 0):
        more = f" (and {n - 1} more indicator/period combination(s))" if n > 1 else ""
        report.add("merge_partial",
                   f"{label(target)} also takes in part of {', '.join(label(c) for c in missing)}, which the table does "
                   f"not distribute: its {ind} {period}{more} covers only {'+'.join(sorted(present))}; kept, flagged "
                   f"crosswalk:partial:{'+'.join(missing)}",
                   file=file, row=first.get("row"), column=first.get("code_column"), value="+".join(missing),
                   severity="warning",
                   expected="a row for the split unit and a --split-rule giving this target's share, or codes of the store's vintage")
