"""ingest layer: import CSV/XLSX tables into the panel store with located, actionable problems."""

from xianping.ingest.run_import import ImportResult, import_table

__all__ = ["ImportResult", "import_table"]
