"""Located problems: every complaint about user input names file, row, column, value and what was expected.

Shared by every layer that reads user input (frameworks YAML, imported tables, mapping files, uncertainty
specs). A `ProblemReport` collects all problems of one run so the user sees every one of them at once, not
only the first; `XianpingInputError` carries a report out to the CLI, which prints it and exits non-zero.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Literal

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Problem:
    """One located problem.

    `kind` is a stable machine-readable tag (e.g. ``unknown_unit``, ``percent_out_of_range``) so that
    tests and other programs can tell problems apart without parsing the message.
    `row` is 1-based as a spreadsheet shows it (the line number for YAML/JSON files); `column` is the header
    text (or a key path for YAML).
    """

    kind: str
    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None
    expected: str | None = None
    severity: Severity = "error"

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(str(self.file))
        if self.row is not None:
            # tables have rows; YAML/JSON/text files have lines (and a key path in `column`)
            is_text = str(self.file or "").lower().endswith((".yaml", ".yml", ".json", ".txt", ".md"))
            parts.append(f"{'line' if is_text else 'row'} {self.row}")
        if self.column:
            parts.append(f"column {self.column!s}")
        return ", ".join(parts)

    def as_text(self) -> str:
        loc = self.location()
        text = f"{loc}: {self.message}" if loc else self.message
        if self.value is not None and self.value != "":
            text += f" (value: {self.value!r})"
        if self.expected:
            text += f"; expected {self.expected}"
        return text

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if d["value"] is not None and not isinstance(d["value"], (str, int, float, bool)):
            d["value"] = str(d["value"])
        return d


@dataclass
class ProblemReport:
    """All problems of one operation, in the order found."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, kind: str, message: str, **where: Any) -> Problem:
        p = Problem(kind=kind, message=message, **where)
        self.problems.append(p)
        return p

    def extend(self, other: "ProblemReport | Iterable[Problem]") -> None:
        self.problems.extend(other.problems if isinstance(other, ProblemReport) else other)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def kinds(self) -> list[str]:
        return [p.kind for p in self.problems]

    def __len__(self) -> int:
        return len(self.problems)

    def __iter__(self):
        return iter(self.problems)

    def as_text(self) -> str:
        return "\n".join(f"[{p.severity}] {p.as_text()}" for p in self.problems)

    def to_json(self) -> str:
        return json.dumps([p.as_dict() for p in self.problems], ensure_ascii=False, indent=1)

    def raise_if_errors(self, summary: str) -> None:
        if self.has_errors:
            raise XianpingInputError(summary, self)


class XianpingError(Exception):
    """Base class for errors that the CLI reports as a message (no traceback) with a non-zero exit."""

    exit_code = 2


class XianpingInputError(XianpingError):
    """User input was rejected; `report` holds every located problem."""

    def __init__(self, summary: str, report: ProblemReport | None = None):
        super().__init__(summary)
        self.summary = summary
        self.report = report or ProblemReport()

    def __str__(self) -> str:
        if not self.report.problems:
            return self.summary
        return f"{self.summary}\n{self.report.as_text()}"
