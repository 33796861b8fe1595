"""Indicator frameworks (指标体系): the indicator library, the framework tree model, loading and built-ins.

Public API (imported lazily so that `import xianping.frameworks` stays cheap for the CLI):
    load_library, IndicatorLibrary, Indicator, normalise_header      (library)
    Framework, Node, WeightSpec, AggregationSpec, IndicatorRef        (model)
    load_framework, validate_framework_file, builtin_names            (load)
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "load_library": "library", "IndicatorLibrary": "library", "Indicator": "library", "normalise_header": "library",
    "parse_direction": "library",
    "Framework": "model", "Node": "model", "WeightSpec": "model", "AggregationSpec": "model",
    "IndicatorRef": "model", "NormalisationSpec": "model", "Defaults": "model", "LeafIndicator": "model",
    "load_framework": "load", "validate_framework_file": "load", "builtin_names": "load",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f"xianping.frameworks.{_EXPORTS[name]}"), name)
    raise AttributeError(name)
