"""Shared helpers of the engine: array coercion, direction parsing, named-variant checks, warnings.

Convention for every verb: data arrays are shaped [..., units, indicators]; the units axis is -2 and
the indicator axis is -1; any leading axes (years, samples) are batch axes and are never looped over.
NaN means missing.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["EngineWarning", "as_data", "directions", "check_variant", "warn", "expand_cols"]


class EngineWarning(UserWarning):
    """A numerical situation the engine handled explicitly (constant column, zero weight …)."""


def warn(message: str) -> None:
    warnings.warn(message, EngineWarning, stacklevel=3)


def as_data(x, min_ndim: int = 2) -> np.ndarray:
    """Return `x` as a float array with at least `min_ndim` dimensions (no copy if already float)."""
    a = np.asarray(x, dtype=float)
    if a.ndim < min_ndim:
        raise ValueError(f"expected an array with at least {min_ndim} dimensions [..., units, indicators], got shape {a.shape}")
    return a


_DIR_CODES = {"+": 1.0, "-": -1.0, "+1": 1.0, "-1": -1.0, "benefit": 1.0, "cost": -1.0, "正向": 1.0, "逆向": -1.0}


def directions(direction, n: int) -> np.ndarray:
    """Parse a direction spec (scalar or one entry per indicator: +1/-1, "+"/"-") into a float array (n,)."""
    if isinstance(direction, (str, int, float, np.integer, np.floating)):
        direction = [direction] * n
    out = np.empty(n, dtype=float)
    seq = list(direction)
    if len(seq) != n:
        raise ValueError(f"direction has {len(seq)} entries, data has {n} indicators")
    for j, d in enumerate(seq):
        if isinstance(d, str):
            if d not in _DIR_CODES:
                raise ValueError(f"unknown direction {d!r} (use +1/-1, '+'/'-'; moderate/interval go through normalise())")
            out[j] = _DIR_CODES[d]
        else:
            if d not in (1, -1):
                raise ValueError(f"direction must be +1 or -1, got {d!r}")
            out[j] = float(d)
    return out


def check_variant(name: str, value: str, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not one of {allowed}")
    return value


def expand_cols(v, ndim: int) -> np.ndarray:
    """Turn a per-indicator array [..., n] into [..., 1, n] so it broadcasts against [..., m, n]."""
    v = np.asarray(v, dtype=float)
    if v.ndim == 0:
        return v
    return np.expand_dims(v, -2)


def nan_guard():
    """Context manager silencing numpy's divide/invalid warnings where NaN results are intended."""
    return np.errstate(divide="ignore", invalid="ignore")


def quiet():
    """Silence numpy's RuntimeWarnings (all-NaN slices, 0/0) where NaN is the intended result."""
    ctx = warnings.catch_warnings()

    class _Q:
        def __enter__(self):
            ctx.__enter__()
            warnings.simplefilter("ignore", RuntimeWarning)
            self._e = np.errstate(divide="ignore", invalid="ignore")
            self._e.__enter__()

        def __exit__(self, *a):
            self._e.__exit__(*a)
            return ctx.__exit__(*a)

    return _Q()


def seq_len(x: Sequence | np.ndarray) -> int:
    return len(x)
