"""store layer: the long panel of observations and the import batches they came from."""

from xianping.store.base import DEFAULT_CODE_VINTAGE, BatchMeta, PanelStore, WriteResult, is_valid_period
from xianping.store.duckdb_store import DuckDBStore, default_store_path, open_store

__all__ = [
    "DEFAULT_CODE_VINTAGE", "BatchMeta", "PanelStore", "WriteResult", "is_valid_period",
    "DuckDBStore", "default_store_path", "open_store",
]
