from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "src" / "xianping" / "demo" / "data" / "census_co2_panel.csv.gz"


@pytest.fixture(scope="session")
def census_csv(tmp_path_factory) -> Path:
    """The bundled census/CO2 long panel, decompressed (long CSV: unit_code, period, indicator, value …)."""
    out = tmp_path_factory.mktemp("census") / "census_co2_panel.csv"
    with gzip.open(DEMO, "rb") as f, open(out, "wb") as g:
        shutil.copyfileobj(f, g)
    return out


@pytest.fixture(scope="session")
def census_store(census_csv, tmp_path_factory) -> Path:
    """A DuckDB store holding the bundled panel, built with open_store + import_table."""
    from xianping.ingest.run_import import import_table
    from xianping.store.duckdb_store import open_store

    path = tmp_path_factory.mktemp("store") / "demo.duckdb"
    with open_store(path) as st:
        import_table(census_csv, st, source="demo")
    return path
