"""The panel store interface: a long table of observations plus the import batches they came from.

Kept small on purpose so that another database (Postgres, SQLite, a remote service) can serve later;
`duckdb_store.DuckDBStore` is the default implementation.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

# The code vintage the store keeps unit codes in unless told otherwise (imports crosswalk to it).
DEFAULT_CODE_VINTAGE = 2024

OBSERVATION_COLUMNS = ("unit_code", "period", "indicator", "value", "unit", "source", "flags", "batch_id")

# '2020', '2020Q1' (quarter) or '2020-03' (month, e.g. monthly dispatch data)
PERIOD_RE = re.compile(r"^(?:\d{4}|\d{4}Q[1-4]|\d{4}-(?:0[1-9]|1[0-2]))$")


def is_valid_period(text: str) -> bool:
    return bool(PERIOD_RE.match(text))


@dataclass(frozen=True)
class BatchMeta:
    """What a batch records about its origin; `sha256` + `options` identify a repeated import."""

    file_name: str
    sha256: str
    layout: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    code_vintage: int = DEFAULT_CODE_VINTAGE
    notes: str = ""
    # the reading's warnings and notes (Problem.as_dict()), kept with the batch so that an evaluation from the
    # store says the same as one from the file (issue 12: one reading path, the same warnings both ways)
    problems: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class WriteResult:
    batch_id: int
    inserted: int  # new rows
    unchanged: int  # rows already stored with the same value
    filled: int  # stored missing values now given a value
    already_imported: bool = False  # the same content + options was imported before as `batch_id`


class PanelStore(ABC):
    """A long panel: (unit_code, period, indicator) → value, with the batch each value came from.

    Observations passed to `write_batch` are dicts with keys unit_code, period, indicator, value (float or
    None for a reported-missing cell), unit, flags, optionally `source` (the row's own source, else the
    batch's `source` argument), and optionally `row`/`column`/`file` used only to
    locate a conflict in the problem report.
    """

    path: Path | None

    @abstractmethod
    def write_batch(self, observations: Iterable[dict[str, Any]], meta: BatchMeta, source: str = "import") -> WriteResult:
        """Store all observations in one transaction, or none (raises XianpingInputError on conflicts). The same
        content with the same options is a no-op (`already_imported`); with other options it is a new batch that
        owns the rows it lists, even those whose equal value another batch stored first."""

    @abstractmethod
    def find_batch(self, sha256: str, options: dict[str, Any]) -> int | None:
        """The batch id that already holds this content imported with these options, if any."""

    @abstractmethod
    def observations(
        self,
        indicators: Sequence[str] | None = None,
        units: Sequence[str] | None = None,
        periods: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Rows as dicts (keys: OBSERVATION_COLUMNS), ordered by indicator, period, unit_code."""

    def observation_columns(
        self,
        indicators: Sequence[str] | None = None,
        units: Sequence[str] | None = None,
        periods: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """The same rows as columns: unit_code, period, indicator (object arrays), value (float, NaN for
        missing), batch_id (int, −1 for none) — what the engine edge turns into [years, units, indicators]
        without a Python loop per row. A backend may override this with a columnar read."""
        import numpy as np

        rows = self.observations(indicators, units, periods)
        return {
            "unit_code": np.array([r["unit_code"] for r in rows], dtype=object),
            "period": np.array([r["period"] for r in rows], dtype=object),
            "indicator": np.array([r["indicator"] for r in rows], dtype=object),
            "value": np.array([np.nan if r["value"] is None else r["value"] for r in rows], dtype=float),
            "batch_id": np.array([-1 if r["batch_id"] is None else r["batch_id"] for r in rows], dtype=np.int64),
        }

    @abstractmethod
    def batches(self) -> list[dict[str, Any]]:
        """Every batch (batch_id, file_name, sha256, imported_at, rows, layout, options, code_vintage, source,
        notes), oldest first."""

    @abstractmethod
    def remove_batch(self, batch_id: int) -> int:
        """Delete a batch in one transaction. A batch owns every row it listed: a row another batch also listed
        passes to that batch (with that batch's value), only rows no other batch listed are deleted; returns the
        observations deleted. Raises XianpingInputError (kind ``unknown_batch``) when there is no such batch."""

    @abstractmethod
    def summary(self) -> dict[str, Any]:
        """{'units_per_period': {period: n}, 'indicators': [{indicator, periods, units, values, missing}]}."""

    @abstractmethod
    def register_subunits(self, rows: Iterable[dict[str, Any]]) -> int:
        """Write towns/villages (code, name, parent_code, level) in one transaction; returns the number written.
        Callers validate first (`Gazetteer.register_subunits`); the store only keeps them."""

    @abstractmethod
    def subunits(self, parent_code: str | None = None) -> list[dict[str, Any]]: ...

    @abstractmethod
    def export(
        self,
        path: str | Path,
        indicators: Sequence[str] | None = None,
        periods: Sequence[str] | None = None,
    ) -> int:
        """Write observations to CSV, Parquet or XLSX (by suffix); returns the number of rows written."""

    @property
    @abstractmethod
    def code_vintage(self) -> int: ...

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> "PanelStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
