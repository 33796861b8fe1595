"""Link observations from several code vintages to one vintage, reporting every code that could not be linked.

Used by scripts/build_demo_data.py. It reuses the import crosswalk (`ingest.crosswalk_table`), so the
bundled data follow exactly the rules a user's import follows: renames and recodes 1:1, merges combine totals
by sum and rates by population-weighted mean, splits and codes without successor are left out — here not
as an error but as a line in the linking report, because the demo data are a selection, not a user's file.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from xianping.problems import ProblemReport

# (source_code, source_vintage, period, indicator, value, unit, source)
SourceRecord = tuple[str, int, str, str, float, str, str]
# (unit_code, period, indicator, value, unit, source, flags)
LinkedRecord = tuple[str, str, str, float, str, str, str]


def link_to_vintage(records: Iterable[SourceRecord], vintage: int, library=None):
    """Return (linked records, report rows).

    `library` (default: the built-in indicator library) gives each indicator's merge rule; a build script whose
    indicators are not in the library (industry employment counts) passes the library extended by them.

    Report rows are (source_code, source_vintage, relation, targets, n_indicators, note) for every source code
    that was not carried over 1:1 under its own code: recoded, renamed, merged, split or unmapped.
    """
    from xianping.frameworks.library import load_library
    from xianping.ingest.crosswalk_table import crosswalk_records
    from xianping.reference.divisions import get_gazetteer

    gaz, lib = get_gazetteer(), (library if library is not None else load_library())
    by_vintage: dict[int, list[dict]] = defaultdict(list)
    for code, src_vintage, period, ind, value, unit, source in records:
        by_vintage[src_vintage].append(
            {"unit_code": code, "period": period, "indicator": ind, "value": value, "unit": unit,
             "source": source, "flags": "", "row": None, "column": None}
        )

    linked: list[LinkedRecord] = []
    report_rows: list[tuple] = []
    for src_vintage, recs in sorted(by_vintage.items()):
        codes = sorted({r["unit_code"] for r in recs})
        mapping = gaz.code_map(codes, src_vintage, vintage)
        inds_of: dict[str, set[str]] = defaultdict(set)
        for r in recs:
            inds_of[r["unit_code"]].add(r["indicator"])
        problems = ProblemReport()
        out = crosswalk_records(recs, gazetteer=gaz, library=lib, from_year=src_vintage, to_year=vintage,
                                report=problems, file=f"vintage {src_vintage}")
        for r in out:
            if r["value"] is None:
                # an incomplete merge: say so in the report rather than ship a missing value as data
                report_rows.append((r["unit_code"], src_vintage, "merge_incomplete", r["unit_code"],
                                    r["indicator"], r["flags"]))
                continue
            linked.append((r["unit_code"], r["period"], r["indicator"], float(r["value"]), r["unit"], r["source"],
                           r.get("flags") or ""))
        for code in codes:
            m = mapping.get(code)
            if m is not None and m.relation == "same":
                continue
            relation = m.relation if m is not None else "unmapped"
            targets = ";".join(m.targets) if m is not None else ""
            note = m.note if m is not None else "unknown code"
            report_rows.append((code, src_vintage, relation, targets, len(inds_of[code]), note))
        for p in problems:
            if p.severity == "error":
                report_rows.append((str(p.value), src_vintage, p.kind, "", p.column or "", p.message))
    return linked, report_rows
