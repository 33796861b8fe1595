"""Evaluation: a framework and a panel → scores, ranks and tiers of every node, with a manifest.

    from xianping.evaluation import evaluate, rebuild
    res = evaluate("census-social", store="demo.duckdb", years=[2010, 2020], by_type=True)
    res.top(30, year=2020); res.movers(2010, 2020); res.write("results.csv")

The engine (`xianping.engine.pipeline`) does the numbers on arrays; this layer compiles the framework
into a plan, loads the panel from the store or a CSV, labels the arrays and writes the manifest.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {"evaluate": "run", "rebuild": "run", "EvaluationResult": "result", "compile_plan": "plan",
            "resolve_settings": "plan", "DEFAULT_SETTINGS": "plan"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f"xianping.evaluation.{_EXPORTS[name]}"), name)
    raise AttributeError(name)
