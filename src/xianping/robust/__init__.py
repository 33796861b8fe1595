"""Robustness (稳健性): uncertainty and sensitivity analysis of a framework's ranks, batched.

spec (what is uncertain) → sample (seeded designs) → evaluate_batch (the engine's sample axis, chunks,
in process or on dask) → rank_stats (per county) and sensitivity (Sobol indices).

    from xianping.robust import robust
    r = robust("framework.yaml", data="data.csv", spec="spec.yaml", n=1000, seed=1)
    r.write("out/")
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {"robust": "run", "compare": "run", "RobustResult": "run", "UncertaintySpec": "spec", "load_spec": "spec",
            "load_model": "load", "sobol_indices": "sensitivity", "saltelli_design": "sample", "random_design": "sample"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f"xianping.robust.{_EXPORTS[name]}"), name)
    raise AttributeError(name)
