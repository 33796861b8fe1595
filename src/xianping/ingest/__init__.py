"""ingest layer: import CSV/XLSX tables into the panel store with located, actionable problems."""

__all__ = ["ImportResult", "import_table"]


def __getattr__(name: str):
    # lazy (PEP 562): reading one helper such as ingest.read_table.decode_text does not import the whole
    # import pipeline and its validation models (xianping extract starts faster)
    if name in __all__:
        from xianping.ingest import run_import

        return getattr(run_import, name)
    raise AttributeError(f"module 'xianping.ingest' has no attribute {name!r}")
