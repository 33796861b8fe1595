"""Reports people hand on, written from evaluation results with every number traceable.

    from xianping.report import load_report_data, write_workbook, write_docx, write_html
    data = load_report_data("xianping-demo/results.csv")     # or ReportData.from_result(res)
    write_workbook(data, "ranking.xlsx"); write_docx(data, "report.docx"); write_html(data, "report.html")

A file per output: `workbook.py` (openpyxl), `word.py` (python-docx, narrative from `narrative.py` templates),
`html.py` (pyecharts options, ECharts inlined, county maps from the shipped boundaries). `data.py` reads the
results once for all three; `format_zh.py` writes numbers the Chinese way (万/亿, 个百分点, 第N位, 进位N位).
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {"ReportData": "data", "load_report_data": "data", "from_result": "data",
            "write_workbook": "workbook", "write_docx": "word", "write_html": "html",
            "narrative": "narrative", "build_context": "narrative", "render": "narrative", "write_reports": "run"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f"xianping.report.{_EXPORTS[name]}"), name)
    raise AttributeError(name)
