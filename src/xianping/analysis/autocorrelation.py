"""Spatial autocorrelation: global Moran's I and Geary's C (normality, randomisation and permutation inference,
every tail), local Moran (LISA: HH/LL/HL/LH, two scalings, analytic and permutation inference) and Getis-Ord Gi*
hot spots.

Global point estimates and moments come from esda (Moran, Geary); the tails, the permutation p-values in each
direction and the sign convention of Geary's z are set here. Local Moran and Gi* are computed here, vectorised over
a sparse weights matrix: esda's numba kernels are compiled on every run (no cache: 20–45 s before the first result on
2,800 counties), too slow for a command-line tool.

Conventions, stated in every result's `meta` and the manifest:
- z = (statistic − E[statistic]) / sd for Moran's I, local I_i and Gi*: z > 0 is positive autocorrelation
  (clustering), a hot spot for Gi*. Geary's C is small under positive autocorrelation, so its z is given as spdep
  (≥ 0.4-35) and Cliff & Ord (1973, p. 21) give it: z = (E[C] − C) / sd, z > 0 is positive autocorrelation (esda's
  z_rand has the opposite sign).
- p_greater: alternative of positive autocorrelation (spdep's alternative="greater"); p_less: negative; p_two_sided:
  either. Permutation p-values: (#{sim ≥ obs} + 1)/(P + 1) and (#{sim ≤ obs} + 1)/(P + 1) for the two tails, the
  two-sided one twice the smaller (at most 1), and esda's folded one-sided (#{the rarer side} + 1)/(P + 1) as p_sim.
- Local I_i scaling: "esda" I_i = (n − 1) z_i Σ_j w_ij z_j / Σ z² (esda, spdep mlvar=FALSE); "spdep" I_i = n z_i
  Σ_j w_ij z_j / Σ z² (spdep localmoran's default mlvar=TRUE). The two differ by n/(n − 1); E[I_i] and Var[I_i] are
  scaled with the statistic, so z and every p-value are the same under both (spdep with mlvar=FALSE prints the
  (n − 1) I_i beside moments of the n form, so its z is not ours; its default mlvar=TRUE is our "spdep").
- Local analytic moments under randomisation (Sokal, Oden & Thomson 1998): "conditional" (x_i held fixed, eqs A7/A8;
  spdep's localmoran default) and "total" (eqs A3/A4; spdep conditional=FALSE, esda's EI/VI).
- Conditional permutation (Anselin 1995, as esda): x_i held fixed, its k_i neighbours drawn without replacement from
  the other n − 1 units, one [P, k_max] draw shared by all units.
- Quadrants 1 HH, 2 LH, 3 LL, 4 HL on the sign of z_i and its lag (0 counts as low, as esda).
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from xianping.problems import XianpingInputError

QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}

# name → (what it divides z_i Σ w_ij z_j by, as a multiple of Σ z²): I_i = c · z_i lag_i / Σ z² with c = n or n − 1
LOCAL_MORAN_SCALINGS = {"esda": "n - 1", "spdep": "n"}
LOCAL_SIGNIFICANCE = ("p_sim", "p_sim_two_sided", "conditional", "total")
Z_SIGN = "z = (statistic − expected) / sd; z > 0: positive spatial autocorrelation (clustering)"
GEARY_Z_SIGN = "z = (E[C] − C) / sd, as spdep (≥ 0.4-35) and Cliff & Ord (1973): z > 0: positive autocorrelation (C < 1)"
TAILS = ("p_greater: positive autocorrelation (spdep alternative='greater'); p_less: negative; p_two_sided: either; "
         "p_sim (esda): folded one-sided (#rarer side + 1)/(P + 1)")


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


def normal_tails(z) -> dict[str, Any]:
    """p_greater = P(Z ≥ z), p_less = P(Z ≤ z), p_two_sided = 2 P(Z ≥ |z|) for a standard normal Z."""
    from scipy.stats import norm

    z = np.asarray(z, dtype=float)
    return {"p_greater": norm.sf(z), "p_less": norm.cdf(z), "p_two_sided": 2 * norm.sf(np.abs(z))}


def permutation_tails(ge, le, permutations: int) -> dict[str, Any]:
    """Pseudo p-values from the counts of simulated values ≥ and ≤ the observed one (a negative count: a unit
    without neighbours, nothing to permute: NaN)."""
    ge, le = np.asarray(ge, dtype=float), np.asarray(le, dtype=float)
    ge, le = np.where(ge < 0, np.nan, ge), np.where(le < 0, np.nan, le)
    g, l_ = (ge + 1) / (permutations + 1), (le + 1) / (permutations + 1)
    folded = (np.minimum(ge, permutations - ge) + 1) / (permutations + 1)   # esda: #{sim ≥ obs}, or the other side
    return {"p_sim_greater": g, "p_sim_less": l_, "p_sim_two_sided": np.minimum(1.0, 2 * np.minimum(g, l_)), "p_sim": folded}


def _scalars(d: dict[str, Any]) -> dict[str, Any]:
    return {k: float(v) for k, v in d.items()}


def moran(y, w, permutations: int = 999, seed: int = 12345, two_tailed: bool = True, transformation: str = "r") -> dict[str, Any]:
    """Global Moran's I: moran_i, expected, variance_norm / variance_rand, z_norm / z_rand with each tail's p
    (p_norm_greater, p_norm_less, p_norm_two_sided, the same for rand), permutation p in each direction, and
    p_norm / p_rand as `two_tailed` asks (kept for earlier callers)."""
    import esda

    y = np.asarray(y, dtype=float)
    with _quiet(), _seeded(seed):
        m = esda.Moran(y, w, transformation=transformation, permutations=permutations, two_tailed=two_tailed)
    out = {"moran_i": float(m.I), "expected": float(m.EI), "variance_norm": float(m.VI_norm), "variance_rand": float(m.VI_rand),
           "z_norm": float(m.z_norm), "z_rand": float(m.z_rand), "p_norm": float(m.p_norm), "p_rand": float(m.p_rand),
           "p_sim": float(m.p_sim) if permutations else None, "n": int(m.n), "permutations": permutations,
           "two_tailed": two_tailed, "seed": seed}
    for kind in ("norm", "rand"):
        out.update({f"p_{kind}_{k[2:]}": v for k, v in _scalars(normal_tails(out[f"z_{kind}"])).items()})
    if permutations:
        sim = np.asarray(m.sim, dtype=float)
        tails = permutation_tails(np.sum(sim >= m.I), np.sum(sim <= m.I), permutations)
        out.update({k: v for k, v in _scalars(tails).items() if k != "p_sim"})
    return out


def geary(y, w, permutations: int = 999, seed: int = 12345) -> dict[str, Any]:
    """Geary's C: geary_c, expected (1), variance_norm / variance_rand, z_norm / z_rand in spdep's sign (z > 0:
    positive autocorrelation, C < 1) with each tail's p, and permutation p in each direction (greater: C small)."""
    import esda

    with _quiet(), _seeded(seed):
        g = esda.Geary(np.asarray(y, dtype=float), w, transformation="r", permutations=permutations)
    out = {"geary_c": float(g.C), "expected": float(g.EC), "variance_norm": float(g.VC_norm), "variance_rand": float(g.VC_rand),
           "z_norm": -float(g.z_norm), "z_rand": -float(g.z_rand), "z_sign": GEARY_Z_SIGN}
    for kind in ("norm", "rand"):
        out.update({f"p_{kind}_{k[2:]}": v for k, v in _scalars(normal_tails(out[f"z_{kind}"])).items()})
    out["p_rand"] = out["p_rand_greater"]   # the one-sided p printed before, now named by its tail
    out["p_sim"] = None
    if permutations:
        sim = np.asarray(g.sim, dtype=float)
        # positive autocorrelation is a small C: the "greater" tail counts simulations at or below the observed C
        tails = permutation_tails(np.sum(sim <= g.C), np.sum(sim >= g.C), permutations)
        out.update(_scalars(tails))
    return out


def _sparse(w):
    """CSR matrix of `w` in its id order (the transform it has now)."""
    import scipy.sparse as sp

    return sp.csr_matrix(w.sparse)


def _draw_without_replacement(rng, permutations: int, pool: int, k: int) -> np.ndarray:
    """[P, k] ordered draws without replacement from range(pool): i.i.d. rows, a row with a repeat drawn again
    (rejection keeps every ordered sample equally likely; with k ≪ pool few rows are redrawn)."""
    if 2 * k > pool:
        return np.argsort(rng.random((permutations, pool)), axis=1)[:, :k]
    out = rng.integers(0, pool, size=(permutations, k))
    bad = np.arange(permutations)
    while True:
        srt = np.sort(out[bad], axis=1)
        bad = bad[np.any(srt[:, 1:] == srt[:, :-1], axis=1)]
        if not len(bad):
            return out
        out[bad] = rng.integers(0, pool, size=(len(bad), k))


def _conditional_counts(z: np.ndarray, W, observed: np.ndarray, stat: Callable[[np.ndarray, np.ndarray], np.ndarray],
                        permutations: int, seed: int, chunk: int = 2_000_000) -> tuple[np.ndarray, np.ndarray]:
    """Counts of simulated local statistics ≥ and ≤ the observed ones under conditional permutation.

    stat(units, lags) → statistics, lags of shape [units, P]. One [P, k_max] draw from the n − 1 others is shared
    by all units (as esda); for unit i a drawn position d stands for unit d (d < i) or d + 1 (d ≥ i), so the values
    are taken from z[draw] or z[draw + 1] — two contiguous arrays instead of a gather per unit. Units with the same
    number of neighbours k are done together."""
    n = len(z)
    counts = np.diff(W.indptr)
    kmax = int(counts.max()) if n else 0
    ge = np.full(n, -1, dtype=np.int64)
    le = np.full(n, -1, dtype=np.int64)
    if kmax == 0:
        return ge, le
    rng = np.random.default_rng(seed)
    P = permutations
    perm = _draw_without_replacement(rng, P, n - 1, kmax)
    below = z[perm]                                   # the value when the drawn position is below the unit
    above = z[np.minimum(perm + 1, n - 1)]            # … at or above it
    rows = np.arange(P)
    for k in np.unique(counts[counts > 0]):
        units = np.flatnonzero(counts == k)
        pk = perm[:, :k]
        wts_all = W.data[(W.indptr[units][:, None] + np.arange(k)[None, :])]           # [units, k]
        equal = np.all(wts_all == wts_all[:, :1], axis=1)
        if equal.any():
            # equal weights in a row (row-standardised contiguity, knn): the lag is w · Σ of the k drawn values =
            # w · (Σ above + Σ_{drawn position < i} (below − above)); the second sum is a step function of i, read
            # off each row's sorted positions with one searchsorted for all units
            order = np.argsort(pk, axis=1)
            sp = np.take_along_axis(pk, order, axis=1)
            cum = np.zeros((P, k + 1))
            np.cumsum(np.take_along_axis(below[:, :k] - above[:, :k], order, axis=1), axis=1, out=cum[:, 1:])
            base = above[:, :k].sum(axis=1)
            flat = (sp + rows[:, None] * n).ravel()
            eu = units[equal]
            step = max(1, chunk // P)
            for s in range(0, len(eu), step):
                u = eu[s: s + step]
                # queries in ascending order (row-major over draws, units ascending), so searchsorted walks forward
                cnt = (np.searchsorted(flat, rows[:, None] * n + u[None, :]) - rows[:, None] * k).T
                lags = (base[None, :] + cum[rows[None, :], cnt]) * wts_all[equal][s: s + step, :1]
                sim = stat(u, lags)
                ge[u] = np.sum(sim >= observed[u, None], axis=1)
                le[u] = np.sum(sim <= observed[u, None], axis=1)
        other = units[~equal]
        step = max(1, chunk // (P * k))
        for s in range(0, len(other), step):
            u = other[s: s + step]
            wts = wts_all[~equal][s: s + step]
            vals = np.where(pk[None, :, :] < u[:, None, None], below[None, :, :k], above[None, :, :k])   # [g, P, k]
            lags = np.einsum("gpk,gk->gp", vals, wts)
            sim = stat(u, lags)
            ge[u] = np.sum(sim >= observed[u, None], axis=1)
            le[u] = np.sum(sim <= observed[u, None], axis=1)
    return ge, le


@dataclass
class LocalResult:
    values: np.ndarray            # I_i (in the scaling of meta["scaling"]) or G*_i
    z: np.ndarray | None          # analytic z (Gi*; local Moran: of the conditional moments)
    p_sim: np.ndarray | None      # folded one-sided permutation p (esda)
    p_norm: np.ndarray | None     # Gi*: two-sided normal p; local Moran: two-sided conditional p
    quadrant: np.ndarray          # "HH" | "LH" | "LL" | "HL" (LISA) or "hot" | "cold" (Gi*)
    significant: np.ndarray
    cluster: np.ndarray           # quadrant if significant else "不显著"
    meta: dict[str, Any] = field(default_factory=dict)
    inference: dict[str, np.ndarray] = field(default_factory=dict)   # every moment, z and p by name

    def counts(self) -> dict[str, int]:
        labels, n = np.unique(self.cluster, return_counts=True)
        return {str(k): int(v) for k, v in zip(labels, n)}


def _significant(p: np.ndarray, alpha: float, fdr: bool) -> np.ndarray:
    p = np.asarray(p, dtype=float)
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


def local_moran_moments(z: np.ndarray, W, scale: float) -> dict[str, np.ndarray]:
    """E[I_i] and Var[I_i] under conditional and total randomisation (Sokal et al. 1998, A7/A8 and A3/A4) for
    I_i = scale · z_i lag_i / Σ z² (z centred)."""
    n = len(z)
    m2 = z @ z / n
    wi = np.asarray(W.sum(axis=1)).ravel()
    wi2 = np.asarray(W.multiply(W).sum(axis=1)).ravel()
    c = scale / n                      # the moments below are of the statistic with m2 = Σ z²/n (spdep's default)
    e_cond = -(z ** 2 * wi) / ((n - 1) * m2)
    v_cond = (z / m2) ** 2 * (n / (n - 2)) * (wi2 - wi ** 2 / (n - 1)) * (m2 - z ** 2 / (n - 1))
    b2 = (np.sum(z ** 4) / n) / m2 ** 2
    e_tot = -wi / (n - 1)
    v_tot = wi2 * (n - b2) / (n - 1) + (wi ** 2 - wi2) * (2 * b2 - n) / ((n - 1) * (n - 2)) - e_tot ** 2
    return {"expected_conditional": c * e_cond, "variance_conditional": c * c * v_cond,
            "expected_total": c * e_tot, "variance_total": c * c * v_tot}


def _scale(n: int, scaling: str) -> float:
    if scaling not in LOCAL_MORAN_SCALINGS:
        raise XianpingInputError(f"local Moran scaling {scaling!r}: expected one of {', '.join(LOCAL_MORAN_SCALINGS)} "
                                 "(esda: (n − 1) z_i Σ w_ij z_j / Σ z²; spdep: n z_i Σ w_ij z_j / Σ z²)")
    return float(n - 1) if scaling == "esda" else float(n)


def local_moran(y, w, permutations: int = 999, seed: int = 12345, alpha: float = 0.05, fdr: bool = False,
                scaling: str = "esda", significance: str = "p_sim") -> LocalResult:
    """Local Moran I_i (row-standardised weights) with analytic conditional and total moments, z and p in each
    tail, and conditional-permutation p in each tail. `significance` picks the p that makes a cluster: p_sim
    (esda's folded one-sided), p_sim_two_sided, conditional or total (two-sided normal, spdep's localmoran)."""
    if significance not in LOCAL_SIGNIFICANCE:
        raise XianpingInputError(f"LISA significance {significance!r}: expected one of {', '.join(LOCAL_SIGNIFICANCE)}")
    y = np.asarray(y, dtype=float)
    n = len(y)
    scale = _scale(n, scaling)
    w.transform = "r"
    W = _sparse(w)
    z = y - y.mean()
    ss = z @ z
    lag = W @ z
    values = scale * z * lag / ss
    inf: dict[str, np.ndarray] = {}
    with np.errstate(all="ignore"):
        mom = local_moran_moments(z, W, scale)
        inf.update(mom)
        for form in ("conditional", "total"):
            zz = (values - mom[f"expected_{form}"]) / np.sqrt(mom[f"variance_{form}"])
            inf[f"z_{form}"] = zz
            inf.update({f"p_{form}_{k[2:]}": v for k, v in normal_tails(zz).items()})
    p = None
    if permutations:
        ge, le = _conditional_counts(z, W, values, lambda u, s: scale * z[u, None] * s / ss, permutations, seed)
        inf.update(permutation_tails(ge, le, permutations))
        p = inf["p_sim"]
    q = 1 * ((z > 0) & (lag > 0)) + 2 * ((z <= 0) & (lag > 0)) + 3 * ((z <= 0) & (lag <= 0)) + 4 * ((z > 0) & (lag <= 0))
    quad = np.array([QUADRANTS[int(v)] for v in q], dtype=object)
    p_used = {"p_sim": p, "p_sim_two_sided": inf.get("p_sim_two_sided"), "conditional": inf["p_conditional_two_sided"],
              "total": inf["p_total_two_sided"]}[significance]
    sig = _significant(p_used, alpha, fdr) if p_used is not None else np.zeros(n, dtype=bool)
    cluster = np.where(sig, quad, "不显著").astype(object)
    meta = {"method": "local_moran", "scaling": scaling,
            "scaling_formula": f"I_i = ({LOCAL_MORAN_SCALINGS[scaling]}) z_i Σ_j w_ij z_j / Σ z², w row-standardised",
            "scalings": {k: f"({v}) z_i Σ_j w_ij z_j / Σ z²" for k, v in LOCAL_MORAN_SCALINGS.items()},
            "permutations": permutations, "seed": seed, "alpha": alpha, "fdr": fdr, "significance": significance,
            "significance_p": {"p_sim": "p_sim (folded one-sided permutation, esda)", "p_sim_two_sided": "p_sim_two_sided",
                               "conditional": "p_conditional_two_sided (spdep localmoran default)",
                               "total": "p_total_two_sided"}[significance],
            "moments": "conditional: Sokal et al. 1998 A7/A8 (spdep default); total: A3/A4 (spdep conditional=FALSE, esda EI/VI); "
                       "scaled with the statistic, so z and p do not depend on the scaling (spdep with mlvar=FALSE prints "
                       "the (n − 1) I_i beside the moments of the n form, so its z differs; its default mlvar=TRUE is our 'spdep')",
            "inference": "analytic (conditional, total) and conditional permutation (own vectorised code, esda's method)",
            "z_sign": Z_SIGN, "tails": TAILS}
    return LocalResult(values=values, z=inf["z_conditional"], p_sim=p, p_norm=inf["p_conditional_two_sided"], quadrant=quad,
                       significant=sig, cluster=cluster, meta=meta, inference=inf)


def getis_ord(y, w, permutations: int = 999, seed: int = 12345, alpha: float = 0.05, fdr: bool = False) -> LocalResult:
    """Getis-Ord Gi* with binary weights including the unit itself (spdep localG with include.self, esda
    G_Local star=True); hot (z > 0) / cold (z < 0) spots; normal p in each tail and permutation p."""
    y = np.asarray(y, dtype=float)
    n = len(y)
    w.transform = "b"
    W = _sparse(w)
    wi = np.asarray(W.sum(axis=1)).ravel() + 1.0          # the unit itself counted (star)
    s1 = np.asarray(W.multiply(W).sum(axis=1)).ravel() + 1.0
    lag = W @ y
    total = y.sum()
    gs = (y + lag) / total
    mean = total / n
    s = np.sqrt(np.sum(y ** 2) / n - mean ** 2)
    with np.errstate(all="ignore"):
        zs = ((y + lag) - wi * mean) / (s * np.sqrt((n * s1 - wi ** 2) / (n - 1)))
    inf: dict[str, np.ndarray] = {"z": zs, **{f"p_norm_{k[2:]}": v for k, v in normal_tails(zs).items()}}
    p = None
    if permutations:
        ge, le = _conditional_counts(y, W, gs, lambda u, sl: (y[u, None] + sl) / total, permutations, seed)
        inf.update(permutation_tails(ge, le, permutations))
        p = inf["p_sim"]
    quad = np.where(zs > 0, "hot", "cold").astype(object)
    pn = inf["p_norm_two_sided"]
    sig = _significant(p if p is not None else pn, alpha, fdr)
    return LocalResult(values=gs, z=zs, p_sim=p, p_norm=pn, quadrant=quad, significant=sig,
                       cluster=np.where(sig, quad, "不显著").astype(object), inference=inf,
                       meta={"method": "getis_ord_gi_star", "weights": "binary, self included (star)",
                             "z": "Getis & Ord (1995) standardised Gi*, as spdep localG(include.self) and esda G_Local(star=True) Zs",
                             "permutations": permutations, "seed": seed, "alpha": alpha, "fdr": fdr,
                             "significance": "p_sim" if p is not None else "p_norm_two_sided",
                             "z_sign": "z > 0: hot spot (high values around the unit)", "tails": TAILS})
