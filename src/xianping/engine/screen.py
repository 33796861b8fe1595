"""Screening (数据可得性筛选): drop units or indicators below a data-availability threshold.

Data x [..., units, indicators]. Availability of a unit = share of its indicators observed (non-NaN);
of an indicator = share of units observed; optionally also the share of non-zero values. The result
says who is kept and why, so the caller can report every unit and indicator screened out.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._common import as_data

__all__ = ["ScreenResult", "availability", "screen"]


class ScreenResult(NamedTuple):
    keep_units: np.ndarray  # bool [..., units]
    keep_indicators: np.ndarray  # bool [..., indicators]
    unit_availability: np.ndarray  # [..., units] share observed
    indicator_availability: np.ndarray  # [..., indicators]
    unit_nonzero: np.ndarray  # [..., units] share of non-zero among all indicators (COINr Non_Zero)


def availability(x, axis: int) -> np.ndarray:
    """Share of non-missing cells along `axis` (−1: per unit over indicators; −2: per indicator over units)."""
    x = np.asarray(x, dtype=float)
    return np.mean(~np.isnan(x), axis=axis)


def screen(x, unit_threshold: float | None = None, indicator_threshold: float | None = None,
           nonzero_threshold: float | None = None, indicators_first: bool = True) -> ScreenResult:
    """Keep units with availability ≥ `unit_threshold` (and, if given, non-zero share ≥ `nonzero_threshold`)
    and indicators with availability ≥ `indicator_threshold`; None disables a check.

    Unit availability is Dat_Avail = 1 − N_missing / n_indicators (COINr `Screen(unit_screen = "byNA",
    dat_thresh)`: a unit is dropped when Dat_Avail < dat_thresh; with "byNAandzeros" also when the
    non-zero share Non_Zero = 1 − N_zero/n < nonzero_thresh). Source: COINr R/screen.R; oracle
    coinr_asem ASEM_screen_datasummary (dat_thresh 0.9). With `indicators_first`, unit availability is
    measured over the indicators kept (so an indicator missing everywhere does not drop every unit).
    """
    x = as_data(x)
    ind_av = availability(x, -2)
    keep_ind = np.ones(ind_av.shape, dtype=bool) if indicator_threshold is None else ind_av >= indicator_threshold
    cols = np.expand_dims(keep_ind, -2) if indicators_first else np.ones(x.shape[:-2] + (1, x.shape[-1]), dtype=bool)
    n_used = np.maximum(np.sum(cols, axis=-1), 1)
    obs = ~np.isnan(x) & cols
    unit_av = np.sum(obs, axis=-1) / n_used
    nonzero = np.sum(obs & (x != 0), axis=-1) / n_used
    keep_u = np.ones(unit_av.shape, dtype=bool)
    if unit_threshold is not None:
        keep_u &= unit_av >= unit_threshold
    if nonzero_threshold is not None:
        keep_u &= nonzero >= nonzero_threshold
    return ScreenResult(keep_u, keep_ind, unit_av, ind_av, nonzero)
