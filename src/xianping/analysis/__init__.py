"""Regional analysis on evaluation results: diagnostics (obstacles, strengths, coupling coordination, relative
development), disparity (Gini, Theil T/L, Dagum, CV), convergence and dynamics (σ/β-convergence, kernel density,
classic and spatial Markov), spatial patterns (weights from the shipped boundaries, Moran's I, Geary's C, LISA,
Gi*) and targets. A file per verb; numpy arrays in, small result objects out; tables and files in `tables.py`
and the CLI. Heavy libraries (esda, libpysal, giddy, statsmodels, scipy) are imported inside the functions.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "dagum": "dagum", "DagumResult": "dagum", "gini": "gini", "theil": "theil", "theil_t": "theil", "theil_l": "theil",
    "cv": "variation", "group_labels": "regions", "REGIONS": "regions",
    "coupling_coordination": "coupling", "grade_of": "coupling", "relative_development": "relative_development",
    "obstacle_degree": "obstacles", "strengths_weaknesses": "strengths",
    "sigma_convergence": "convergence", "beta_convergence": "convergence", "kernel_density": "density",
    "markov": "markov", "spatial_markov": "markov",
    "shipped_units": "boundaries", "user_units": "boundaries", "shipped_geometry": "boundaries", "build_weights": "spatial_weights",
    "moran": "autocorrelation", "geary": "autocorrelation", "local_moran": "autocorrelation", "getis_ord": "autocorrelation",
    "evaluate_targets": "targets",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f"xianping.analysis.{_EXPORTS[name]}"), name)
    raise AttributeError(name)
