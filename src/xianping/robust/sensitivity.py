"""First-order and total Sobol indices from a Saltelli design, with bootstrap confidence intervals.

With f_A, f_B, f_ABi the outputs on the rows A, B, AB_i of `sample.saltelli_design` and V the variance
of the outputs on A and B together (Saltelli et al. 2010, Comput. Phys. Commun. 181:259, Table 2):

- first order, Saltelli 2010 (b):  S_i = mean(f_B · (f_ABi − f_A)) / V
- first order, Jansen 1999 (f):    S_i = (V − ½ mean((f_B − f_ABi)²)) / V
- total, Jansen 1999 (f):          ST_i = ½ mean((f_A − f_ABi)²) / V   (the total estimator Saltelli 2010 recommends)

Outputs may carry trailing axes (one index per county: Y = its rank); the estimators are vectorised
over them. Bootstrap: the n base rows resampled with replacement, percentile interval (COINr
`get_sensitivity` reports the 5 % and 95 % quantiles).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["ESTIMATORS", "SobolIndices", "split", "sobol_indices", "bootstrap"]

ESTIMATORS = ("saltelli2010", "jansen")


class SobolIndices(NamedTuple):
    S1: np.ndarray  # [k, ...]
    ST: np.ndarray  # [k, ...]
    variance: np.ndarray  # [...]


def split(y, n: int, k: int):
    """Outputs on the rows A, B, AB_1 … AB_k → (f_A [n, ...], f_B [n, ...], f_AB [k, n, ...])."""
    y = np.asarray(y, dtype=float)
    if y.shape[0] != n * (k + 2):
        raise ValueError(f"a Saltelli design with n = {n} and k = {k} has {n * (k + 2)} rows, got {y.shape[0]}")
    return y[:n], y[n : 2 * n], y[2 * n :].reshape((k, n) + y.shape[1:])


def sobol_indices(fA, fB, fAB, estimator: str = "saltelli2010") -> SobolIndices:
    """S1 and ST of every input; fA, fB [n, ...], fAB [k, n, ...]."""
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator {estimator!r} is not one of {ESTIMATORS}")
    fA, fB, fAB = (np.asarray(a, dtype=float) for a in (fA, fB, fAB))
    V = np.var(np.concatenate([fA, fB], axis=0), axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if estimator == "saltelli2010":
            S1 = np.mean(fB[None] * (fAB - fA[None]), axis=1) / V
        else:
            S1 = (V - 0.5 * np.mean((fB[None] - fAB) ** 2, axis=1)) / V
        ST = 0.5 * np.mean((fA[None] - fAB) ** 2, axis=1) / V
    return SobolIndices(S1, ST, V)


def bootstrap(fA, fB, fAB, estimator: str = "saltelli2010", resamples: int = 500, seed: int = 0,
              quantiles=(0.05, 0.95)) -> dict[str, np.ndarray]:
    """Percentile intervals of S1 and ST by resampling the n base rows: {"S1": [2, k, ...], "ST": [2, k, ...]}."""
    fA, fB, fAB = (np.asarray(a, dtype=float) for a in (fA, fB, fAB))
    n = fA.shape[0]
    rng = np.random.default_rng(seed)
    s1, st = [], []
    for _ in range(resamples):  # a few hundred resamples of small vectors
        i = rng.integers(0, n, n)
        r = sobol_indices(fA[i], fB[i], fAB[:, i], estimator)
        s1.append(r.S1), st.append(r.ST)
    q = np.asarray(quantiles)
    return {"S1": np.nanquantile(np.stack(s1), q, axis=0), "ST": np.nanquantile(np.stack(st), q, axis=0)}
