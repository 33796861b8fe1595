"""Shared console output: one rich console, problem tables, and the error → exit-code convention."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from xianping.problems import ProblemReport

console = Console()
err_console = Console(stderr=True)


def problem_table(report: ProblemReport, title: str = "问题 Problems") -> Table:
    table = Table(title=escape(title), show_lines=False)  # titles may name a file
    for col in ("级别 severity", "文件 file", "行 row", "列 column", "值 value", "问题 problem", "应为 expected"):
        table.add_column(col, overflow="fold")
    for p, group in _grouped(report):
        # user text may hold "[...]" that rich would take as markup (and the kind tag is in brackets);
        # a warning repeated in many places (147 unmapped census columns) is one row, as on narrow terminals
        many = len(group) > 1
        table.add_row(
            p.severity,
            escape(p.file or ""),
            "" if p.row is None or many else str(p.row),
            escape(_summarise_places(group) if many else (p.column or "")),
            "" if p.value is None or many else escape(repr(p.value)),
            escape(f"{p.message}{f' — {len(group)} ×' if many else ''} [{p.kind}]"),
            escape(p.expected or ""),
        )
    return table


_STYLE = {"error": "bold red", "warning": "yellow", "note": "cyan"}


def print_problems(report: ProblemReport, title: str = "问题 Problems", stderr: bool = True) -> None:
    """A table on wide terminals; one line per problem on narrow ones, where a 7-column table is unreadable."""
    if not len(report):
        return
    con = err_console if stderr else console
    if con.width >= 140:
        con.print(problem_table(report, title))
        return
    con.print(f"[bold]{escape(title)}[/]")
    for p, group in _grouped(report):
        style = _STYLE.get(p.severity, "bold")
        if len(group) == 1:
            con.print(f"[{style}]{p.severity}[/] {escape(p.as_text())} [dim]{escape('[' + p.kind + ']')}[/]")
            continue
        where = _summarise_places(group)
        con.print(f"[{style}]{p.severity}[/] {escape(p.file or '')}: {escape(p.message)} — {len(group)} × "
                  f"({escape(where)}) [dim]{escape('[' + p.kind + ']')}[/]")


def _grouped(report: ProblemReport, min_group: int = 4):
    """Notes and warnings that differ only in where they are (150 unmapped census columns) read as one line;
    errors are always listed one by one."""
    groups: dict[tuple, list] = {}
    order: list[tuple] = []
    for i, p in enumerate(report):
        key = (p.severity, p.kind, p.file, p.message, p.expected) if p.severity != "error" else (i,)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(p)
    for key in order:
        g = groups[key]
        if len(g) < min_group:
            for p in g:
                yield p, [p]
        else:
            yield g[0], g


def _summarise_places(group, shown: int = 8) -> str:
    cols = list(dict.fromkeys(p.column for p in group if p.column))
    rows = list(dict.fromkeys(p.row for p in group if p.row is not None))
    parts = []
    if len(cols) > 1 or (cols and len(rows) <= 1):
        parts.append("columns: " + ", ".join(cols[:shown]) + (f", … {len(cols) - shown} more" if len(cols) > shown else ""))
    if len(rows) > 1:
        parts.append("rows: " + ", ".join(map(str, rows[:shown])) + (f", … {len(rows) - shown} more" if len(rows) > shown else ""))
    return "; ".join(parts) or "see --json"


def fail(message: str, code: int = 2) -> None:
    err_console.print(f"[bold red]错误 error:[/] {escape(message)}")
    sys.exit(code)
