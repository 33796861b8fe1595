"""Load the bundled panel into a store in an output folder, through the same import path users take."""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

PANEL = "census_co2_panel.csv.gz"


@dataclass
class LoadedDemo:
    out: Path
    store_path: Path
    data_path: Path
    imports: list[Any] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    result: Any = None  # EvaluationResult of census-social, 2010 and 2020
    results_path: Path | None = None
    reports: dict[str, Path] = field(default_factory=dict)  # xlsx, docx, html written from the results


def bundled_panel_bytes() -> bytes:
    return gzip.decompress(resources.files("xianping.demo").joinpath("data", PANEL).read_bytes())


DEMO_FRAMEWORK = "census-social"
DEMO_YEARS = ("2010", "2020")


def load_demo(out: Path | str, evaluate_index: bool = True, reports: bool = False) -> LoadedDemo:
    """Write the bundled long table to OUT/census_co2_panel.csv, import it into OUT/xianping.duckdb and summarise.

    Importing again is a no-op (the store recognises the file by its content hash), so `xianping demo` can be
    run any number of times.
    """
    from xianping.frameworks.library import load_library
    from xianping.ingest.run_import import import_table
    from xianping.reference.divisions import get_gazetteer
    from xianping.store.duckdb_store import open_store

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    data_path = out / PANEL.removesuffix(".gz")
    payload = bundled_panel_bytes()
    if not data_path.exists() or data_path.read_bytes() != payload:
        from xianping.files import write_bytes

        write_bytes(data_path, payload)  # an interrupted demo never leaves half a panel to import
    store_path = out / "xianping.duckdb"
    loaded = LoadedDemo(out, store_path, data_path)
    with open_store(store_path) as store:
        loaded.imports.append(import_table(data_path, store, source="bundled"))
        loaded.summary = summarise(store, load_library(), get_gazetteer())
        if evaluate_index:
            from xianping.evaluation.run import evaluate

            # by type: 分类考核 within 市辖区 / 县级市 / 县 as well as overall
            loaded.result = evaluate(DEMO_FRAMEWORK, store=store, years=list(DEMO_YEARS), by_type=True)
            loaded.results_path = out / "results.csv"
            loaded.result.write(loaded.results_path, base_year=DEMO_YEARS[0])
            if reports:  # the workbook, the Word report and the HTML report of census-social
                from xianping.report.data import from_result
                from xianping.report.run import write_reports

                loaded.reports = write_reports(from_result(loaded.result), out, stem="report")
    return loaded


def summarise(store, library, gazetteer) -> dict[str, Any]:
    """Counties per period and coverage per indicator, against the county-level units of the store's vintage."""
    s = store.summary()
    counties = len(gazetteer.counties_in(store.code_vintage))
    per_ind: dict[str, int] = {}
    per_period = []
    for period, units in sorted(s["units_per_period"].items()):
        per_period.append({"period": period, "units": units})
    # indicators present per period, for the first table
    rows = store.observations()
    inds_in: dict[str, set[str]] = {}
    for r in rows:
        inds_in.setdefault(r["period"], set()).add(r["indicator"])
    for row in per_period:
        row["indicators"] = len(inds_in.get(row["period"], ()))
    coverage = []
    for ind in s["indicators"]:
        code = ind["indicator"]
        meta = library.get(code) if code in library else None
        per_ind[code] = ind["units"]
        periods = ind["first_period"] if ind["periods"] == 1 else f"{ind['first_period']}–{ind['last_period']} ({ind['periods']})"
        coverage.append({
            "indicator": code, "name_zh": meta.name_zh if meta else "", "unit": meta.unit if meta else "",
            "periods": periods, "units": ind["units"], "values": ind["values"], "missing": ind["missing"],
        })
    return {"counties": counties, "per_period": per_period, "coverage": coverage, "store": s}
