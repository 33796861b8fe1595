"""Spatial autocorrelation: global Moran's I (analytic and permutation inference), Geary's C, local Moran
(LISA: HH/LL/HL/LH with significance) and Getis-Ord Gi* hot spots.

Point estimates and analytic inference come from esda (Moran, Geary, Moran_Local, G_Local). The conditional-
permutation pseudo p-values of the LOCAL statistics are computed here (`_conditional_p`), because esda's
numba kernels for them are compiled on every run (no cache: 20–45 s before the first result on 2,800 counties),
too slow for a command-line tool; the method is esda's (Anselin 1995): for each unit, its value is held fixed
and its k_i neighbours are drawn without replacement from the other n − 1 units; p = (folded count + 1)/(P + 1).

Conventions (esda): row-standardised weights; local I_i = (n − 1) z_i Σ_j w_ij z_j / Σ z²; quadrants
1 HH, 2 LH, 3 LL, 4 HL; p_norm/p_rand two-tailed unless `two_tailed=False`; p_sim one-sided (folded).
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}


@contextlib.contextmanager
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            yield


@contextlib.contextmanager
def _seeded(seed):
    # esda's global statistics draw from numpy's global RNG; seed it for reproducible p_sim, then restore
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def moran(y, w, permutations: int = 999, seed: int = 12345, two_tailed: bool = True, transformation: str = "r") -> dict[str, Any]:
    """Global Moran's I: moran_i, expected, variance_norm, variance_rand, z_norm, z_rand, p_norm, p_rand, p_sim."""
    import esda

    y = np.asarray(y, dtype=float)
    with _quiet(), _seeded(seed):
        m = esda.Moran(y, w, transformation=transformation, permutations=permutations, two_tailed=two_tailed)
    out = {"moran_i": float(m.I), "expected": float(m.EI), "variance_norm": float(m.VI_norm), "variance_rand": float(m.VI_rand),
           "z_norm": float(m.z_norm), "z_rand": float(m.z_rand), "p_norm": float(m.p_norm), "p_rand": float(m.p_rand),
           "p_sim": float(m.p_sim) if permutations else None, "n": int(m.n), "permutations": permutations,
           "two_tailed": two_tailed, "seed": seed}
    return out


def geary(y, w, permutations: int = 999, seed: int = 12345) -> dict[str, Any]:
    import esda

    with _quiet(), _seeded(seed):
        g = esda.Geary(np.asarray(y, dtype=float), w, transformation="r", permutations=permutations)
    return {"geary_c": float(g.C), "expected": float(g.EC), "variance_rand": float(g.VC_rand), "z_rand": float(g.z_rand),
            "p_rand": float(g.p_rand), "p_sim": float(g.p_sim) if permutations else None}


def _rows(w) -> list[tuple[np.ndarray, np.ndarray]]:
    ids = w.id_order
    pos = {k: i for i, k in enumerate(ids)}
    return [(np.array([pos[j] for j in w.neighbors[k]], dtype=int), np.asarray(w.weights[k], dtype=float)) for k in ids]


def _conditional_p(z: np.ndarray, rows, observed: np.ndarray, stat, permutations: int, seed: int) -> np.ndarray:
    """Folded conditional-permutation pseudo p-value of a local statistic stat(i, lag_sample)."""
    n = len(z)
    rng = np.random.default_rng(seed)
    kmax = max((len(r[0]) for r in rows), default=0)
    if kmax == 0:
        return np.full(n, np.nan)
    # one [P, kmax] draw without replacement from n − 1 ids, shared by all units (as esda does)
    perm = np.argpartition(rng.random((permutations, n - 1)), kmax - 1, axis=1)[:, :kmax] if kmax < n - 1 else \
        np.argsort(rng.random((permutations, n - 1)), axis=1)
    p = np.full(n, np.nan)
    for i, (nb, wt) in enumerate(rows):
        k = len(nb)
        if k == 0:
            continue
        ids = perm[:, :k]
        ids = ids + (ids >= i)
        sim = stat(i, z[ids] @ wt)
        larger = np.sum(sim >= observed[i])
        if permutations - larger < larger:
            larger = permutations - larger
        p[i] = (larger + 1.0) / (permutations + 1.0)
    return p


@dataclass
class LocalResult:
    values: np.ndarray            # I_i or G*_i
    z: np.ndarray | None          # analytic z (Gi*) or None
    p_sim: np.ndarray | None
    p_norm: np.ndarray | None
    quadrant: np.ndarray          # "HH" | "LH" | "LL" | "HL" (LISA) or "hot" | "cold" (Gi*)
    significant: np.ndarray
    cluster: np.ndarray           # quadrant if significant else "不显著"
    meta: dict[str, Any] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        labels, n = np.unique(self.cluster, return_counts=True)
        return {str(k): int(v) for k, v in zip(labels, n)}


def _significant(p: np.ndarray, alpha: float, fdr: bool) -> np.ndarray:
    if not fdr:
        return p < alpha
    # Benjamini–Hochberg step-up
    ok = ~np.isnan(p)
    out = np.zeros(len(p), dtype=bool)
    ps = p[ok]
    order = np.argsort(ps)
    m = len(ps)
    passed = ps[order] <= alpha * np.arange(1, m + 1) / m
    if passed.any():
        cut = np.max(np.where(passed)[0])
        sel = np.zeros(m, dtype=bool)
        sel[order[: cut + 1]] = True
        out[np.where(ok)[0]] = sel
    return out


def local_moran(y, w, permutations: int = 999, seed: int = 12345, alpha: float = 0.05, fdr: bool = False) -> LocalResult:
    import esda

    y = np.asarray(y, dtype=float)
    with _quiet():
        lm = esda.Moran_Local(y, w, transformation="r", permutations=0)
    w.transform = "r"
    z = y - y.mean()
    lag = np.array([z[nb] @ wt for nb, wt in _rows(w)])
    obs = z * lag
    p = _conditional_p(z, _rows(w), obs, lambda i, s: z[i] * s, permutations, seed) if permutations else None
    quad = np.array([QUADRANTS.get(int(q), "") for q in lm.q], dtype=object)
    sig = _significant(p, alpha, fdr) if p is not None else np.zeros(len(y), dtype=bool)
    cluster = np.where(sig, quad, "不显著").astype(object)
    return LocalResult(values=np.asarray(lm.Is, dtype=float), z=None, p_sim=p, p_norm=None, quadrant=quad, significant=sig,
                       cluster=cluster, meta={"method": "local_moran", "scaling": "(n-1) z_i Σ w_ij z_j / Σ z² (esda)",
                                              "permutations": permutations, "seed": seed, "alpha": alpha, "fdr": fdr,
                                              "inference": "conditional permutation (own vectorised code, esda's method)"})


def getis_ord(y, w, permutations: int = 999, seed: int = 12345, alpha: float = 0.05, fdr: bool = False) -> LocalResult:
    """Getis-Ord Gi* with binary weights including the unit itself; hot (z > 0) / cold (z < 0) spots."""
    import esda

    y = np.asarray(y, dtype=float)
    w.transform = "b"
    with _quiet():
        g = esda.G_Local(y, w, transform="B", permutations=0, star=True)
    rows = _rows(w)
    total = y.sum()
    obs = np.asarray(g.Gs, dtype=float)
    p = _conditional_p(y, rows, obs, lambda i, s: (y[i] + s) / total, permutations, seed) if permutations else None
    zs = np.asarray(g.Zs, dtype=float)
    quad = np.where(zs > 0, "hot", "cold").astype(object)
    pn = np.asarray(g.p_norm, dtype=float)
    sig = _significant(p if p is not None else pn, alpha, fdr)
    return LocalResult(values=obs, z=zs, p_sim=p, p_norm=pn, quadrant=quad, significant=sig,
                       cluster=np.where(sig, quad, "不显著").astype(object),
                       meta={"method": "getis_ord_gi_star", "weights": "binary, self included (star)",
                             "permutations": permutations, "seed": seed, "alpha": alpha, "fdr": fdr,
                             "significance": "p_sim" if p is not None else "p_norm"})
