"""Shared console output: one rich console, problem tables, and the error → exit-code convention."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table

from xianping.problems import ProblemReport

console = Console()
err_console = Console(stderr=True)


def problem_table(report: ProblemReport, title: str = "问题 Problems") -> Table:
    table = Table(title=title, show_lines=False)
    for col in ("级别 severity", "文件 file", "行 row", "列 column", "值 value", "问题 problem", "应为 expected"):
        table.add_column(col, overflow="fold")
    for p in report:
        table.add_row(
            p.severity,
            p.file or "",
            "" if p.row is None else str(p.row),
            p.column or "",
            "" if p.value is None else repr(p.value),
            f"{p.message} [{p.kind}]",
            p.expected or "",
        )
    return table


def print_problems(report: ProblemReport, title: str = "问题 Problems", stderr: bool = True) -> None:
    if len(report):
        (err_console if stderr else console).print(problem_table(report, title))


def fail(message: str, code: int = 2) -> None:
    err_console.print(f"[bold red]错误 error:[/] {message}")
    sys.exit(code)
