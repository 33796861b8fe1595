"""Turn pydantic validation errors and semantic findings into located `Problem`s (file, YAML line, key path)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from xianping.frameworks.yaml_lines import Path, format_path, line_of
from xianping.problems import Problem, Severity


@dataclass(frozen=True)
class Finding:
    """A semantic problem found on a validated model, located by key path (not yet by line)."""

    kind: str
    message: str
    path: Path
    value: Any = None
    expected: str | None = None
    severity: Severity = "error"

    def locate(self, file: str | None, lines: dict[Path, int] | None) -> Problem:
        return Problem(
            kind=self.kind,
            message=self.message,
            file=file,
            row=line_of(lines, self.path) if lines else None,
            column=format_path(self.path) or None,
            value=self.value,
            expected=self.expected,
            severity=self.severity,
        )


# pydantic error type → (our kind, what was expected); ctx fills the braces
_EXPECTED: dict[str, tuple[str, str]] = {
    "missing": ("missing_key", "this key to be present"),
    "extra_forbidden": ("unknown_key", "only the keys this section defines"),
    "literal_error": ("invalid_choice", "one of {expected}"),
    "float_parsing": ("wrong_type", "a number"),
    "float_type": ("wrong_type", "a number"),
    "finite_number": ("not_finite", "a finite number (not .inf or .nan)"),
    "int_parsing": ("wrong_type", "an integer"),
    "int_type": ("wrong_type", "an integer"),
    "int_from_float": ("wrong_type", "an integer"),
    "bool_parsing": ("wrong_type", "true or false"),
    "bool_type": ("wrong_type", "true or false"),
    "string_type": ("wrong_type", "a text string"),
    "list_type": ("wrong_type", "a list"),
    "tuple_type": ("wrong_type", "a list"),
    "dict_type": ("wrong_type", "a mapping (key: value)"),
    "model_type": ("wrong_type", "a mapping (key: value)"),
    "model_attributes_type": ("wrong_type", "a mapping (key: value)"),
    "too_short": ("wrong_length", "at least {min_length} item(s)"),
    "too_long": ("wrong_length", "at most {max_length} item(s)"),
    "string_pattern_mismatch": ("bad_code", "text matching {pattern}"),
    "string_too_short": ("wrong_length", "a non-empty text"),
    "greater_than_equal": ("out_of_range", "a number ≥ {ge}"),
    "greater_than": ("out_of_range", "a number > {gt}"),
    "less_than_equal": ("out_of_range", "a number ≤ {le}"),
    "less_than": ("out_of_range", "a number < {lt}"),
}


def pydantic_problems(
    err: ValidationError, file: str | None, lines: dict[Path, int] | None, prefix: Path = ()
) -> list[Problem]:
    out = []
    for e in err.errors(include_url=False):
        loc = prefix + tuple(e["loc"])
        kind, expected = _EXPECTED.get(e["type"], ("invalid_value", ""))
        ctx = e.get("ctx") or {}
        try:
            expected = expected.format(**ctx) if expected else None
        except (KeyError, IndexError):
            pass
        msg = e["msg"]
        if e["type"] == "value_error":
            msg = msg.removeprefix("Value error, ")
            # our own validators put "expected" after a ' | ' so it lands in its column
            if " | expected " in msg:
                msg, expected = msg.split(" | expected ", 1)
            kind = ctx.get("kind", "invalid_value") if isinstance(ctx, dict) else "invalid_value"
            if msg.startswith("[") and "] " in msg:
                kind, msg = msg[1:].split("] ", 1)
        value = e.get("input")
        if e["type"] in ("missing",):
            value = None
        elif isinstance(value, (dict, list)):
            value = _short(value)
        out.append(
            Problem(
                kind=kind,
                message=msg,
                file=file,
                row=line_of(lines, loc) if lines else None,
                column=format_path(loc) or None,
                value=value,
                expected=expected,
            )
        )
    return out


def _short(v: Any, limit: int = 60) -> str:
    s = repr(v)
    return s if len(s) <= limit else s[: limit - 1] + "…"
