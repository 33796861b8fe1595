"""Classic and spatial Markov chains of tiers (giddy), with the homogeneity test.

y is [years, units]. Tiers (states) by `classing`:
  per_year  — quantiles of each year (giddy/mapclassify default: class = first bin with y ≤ bin, right-closed);
  pooled    — quantiles of the pooled panel (the most common choice in Chinese papers);
  fixed     — user cut-offs (e.g. 0.8/0.9/1.0/1.2 of the mean with relative=True), right-closed.
P_ij = n_ij / n_i (ML); empty rows stay 0 unless fill_empty=True (1 on the diagonal). Spatial Markov conditions
the transition on the class of the spatial lag (row-standardised) in the same year t. Homogeneity test
(Bickenbach & Bode 2003): Q (χ²) and LR = 2 Σ_l Σ_i Σ_j n_ij(l) ln[p_ij(l)/p_ij], df = Σ_l (a_l − 1)(b_l − 1).
Units with a missing value in any year are left out (and counted).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np


@dataclass
class MarkovResult:
    transitions: np.ndarray       # [k, k] counts
    P: np.ndarray                 # [k, k]
    steady_state: np.ndarray      # [k]
    sojourn_time: np.ndarray      # [k]
    class_ids: np.ndarray         # [units, years]
    cutoffs: list[float] | None
    dropped: int
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class SpatialMarkovResult:
    T: np.ndarray                 # [m, k, k] counts by lag class
    P: np.ndarray                 # [m, k, k]
    p: np.ndarray                 # [k, k] aspatial
    transitions: np.ndarray
    Q: float
    Q_p_value: float
    LR: float
    LR_p_value: float
    dof: int
    cutoffs: list[float] | None
    lag_cutoffs: list[float] | None
    dropped: int
    meta: dict[str, Any] = field(default_factory=dict)


def _prepare(y, relative: bool):
    y = np.asarray(y, dtype=float)
    if y.ndim != 2 or y.shape[0] < 2:
        raise ValueError("y must be [years, units] with at least two years")
    ok = ~np.isnan(y).any(axis=0)
    y = y[:, ok]
    if relative:
        y = y / y.mean(axis=1, keepdims=True)
    return y.T.copy(), ok  # giddy wants [units, years]


def classify(yu: np.ndarray, k: int, classing: str, cutoffs: Sequence[float] | None):
    import mapclassify as mc

    if classing == "fixed" or cutoffs is not None:
        if cutoffs is None:
            raise ValueError("classing 'fixed' needs cutoffs")
        bins = np.array(list(cutoffs) + [np.inf])
        return mc.UserDefined(yu.ravel(), bins).yb.reshape(yu.shape), list(map(float, cutoffs))
    if classing == "pooled":
        q = mc.Quantiles(yu.ravel(), k=k)
        return q.yb.reshape(yu.shape), [float(b) for b in q.bins[:-1]]
    if classing == "per_year":
        return np.column_stack([mc.Quantiles(yu[:, t], k=k).yb for t in range(yu.shape[1])]), None
    raise ValueError(f"unknown classing {classing!r}: per_year | pooled | fixed")


@contextlib.contextmanager
def _quiet():
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        yield


def markov(y, k: int = 4, classing: str = "pooled", cutoffs: Sequence[float] | None = None, relative: bool = False,
           fill_empty: bool = False) -> MarkovResult:
    from giddy.markov import Markov

    yu, ok = _prepare(y, relative)
    ids, cuts = classify(yu, k, classing, cutoffs)
    kk = len(cuts) + 1 if cuts is not None and classing != "pooled" else k
    with _quiet():
        m = Markov(ids, classes=np.arange(kk), fill_empty_classes=fill_empty, summary=False)
        ss, so = np.asarray(m.steady_state, dtype=float), np.asarray(m.sojourn_time, dtype=float)
    note = {}
    if ss.ndim != 1:   # a reducible chain (few units or years): giddy gives one distribution per closed class
        ss = np.full(np.asarray(m.p).shape[0], np.nan)
        note = {"steady_state": "none unique: the chain is reducible (several closed classes)"}
    return MarkovResult(np.asarray(m.transitions), np.asarray(m.p), ss, so, ids, cuts, int((~ok).sum()),
                        {"method": "markov", "classing": classing, "k": kk, "relative_to_mean": relative, "fill_empty": fill_empty,
                         "estimator": "ML p_ij = n_ij / n_i (giddy)", **note})


def spatial_markov(y, w, k: int = 4, m: int | None = None, classing: str = "pooled", cutoffs: Sequence[float] | None = None,
                   lag_cutoffs: Sequence[float] | None = None, relative: bool = False, fill_empty: bool = False) -> SpatialMarkovResult:
    """y: [years, units] in the order of `w`'s ids (libpysal W, row-standardised here)."""
    from giddy.markov import Spatial_Markov

    yu, ok = _prepare(y, relative)
    if (~ok).any():
        raise ValueError("spatial Markov needs every unit in every year: drop units with missing values (and their weights)")
    w.transform = "r"
    fixed = classing != "per_year"
    with _quiet():
        sm = Spatial_Markov(yu, w, k=k, m=m or k, fixed=fixed, cutoffs=list(cutoffs) if cutoffs is not None else None,
                            lag_cutoffs=list(lag_cutoffs) if lag_cutoffs is not None else None, fill_empty_classes=fill_empty)
        out = SpatialMarkovResult(np.asarray(sm.T), np.asarray(sm.P), np.asarray(sm.p), np.asarray(sm.transitions),
                                  float(sm.Q), float(sm.Q_p_value), float(sm.LR), float(sm.LR_p_value), int(sm.dof_hom),
                                  None if sm.cutoffs is None else [float(c) for c in sm.cutoffs],
                                  None if sm.lag_cutoffs is None else [float(c) for c in sm.lag_cutoffs], 0,
                                  {"method": "spatial_markov", "classing": classing, "k": int(sm.k), "m": int(sm.m),
                                   "relative_to_mean": relative, "lag": "row-standardised spatial lag, same year t",
                                   "homogeneity": "Bickenbach & Bode (2003) Q and LR (giddy.markov.homogeneity)"})
    return out
