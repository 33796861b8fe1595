"""县评 xianping — monitoring and evaluation of county (县域) high-quality development.

Layers (a folder each): reference (division codes, measure units) → frameworks (indicator trees) →
store (DuckDB long panel) ← ingest (CSV/XLSX import with located errors) → engine → analysis, robust,
text, report, web. Heavy libraries are imported lazily so that `xianping --help` stays fast.
"""

__version__ = "0.1.0"
