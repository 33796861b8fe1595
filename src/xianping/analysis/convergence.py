"""σ-convergence and β-convergence (absolute, conditional; cross-section and panel fixed effects, statsmodels).

σ: per year, sd of ln y (σ_t = √[(1/N) Σ (ln y_it − mean ln y)²], needs y > 0), sd of y and CV (ddof 0), on the
units present in every year compared (a balanced set, so that entry/exit does not fake convergence).
Convergence if the chosen measure falls.

β, cross-section (absolute):   (1/T) ln(y_iT / y_i0) = α + β ln y_i0 + ε        β < 0: convergence
   conditional: add controls X_i0;  speed λ = −ln(1 + βT)/T;  half-life = ln 2 / λ.
β, panel (needs ≥ 3 years):    ln(y_i,t+1 / y_it) = β ln y_it + μ_i [+ η_t] + ε_it
   fixed effects absorbed by the within transformation (Frisch–Waugh: demeaning every regressor, year dummies
   included, within unit is exactly OLS with unit dummies); SEs clustered by unit; λ = −ln(1 + β) per period (per year: divided by the period length).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np


def sigma_convergence(y, years: Sequence[str], measure: str = "sd_log") -> dict[str, Any]:
    """y: [years, units]. Returns rows per year and the change of `measure` (sd_log | sd | cv) first → last."""
    y = np.asarray(y, dtype=float)
    ok = ~np.isnan(y).any(axis=0)
    yb = y[:, ok]
    rows = []
    for t, yr in enumerate(years):
        v = yb[t]
        pos = (v > 0).all()
        rows.append({"year": str(yr), "n": int(v.size), "mean": float(v.mean()), "sd": float(v.std()),
                     "cv": float(v.std() / v.mean()), "sd_log": float(np.log(v).std()) if pos else None})
    if measure not in ("sd_log", "sd", "cv"):
        raise ValueError("measure must be sd_log, sd or cv")
    first, last = rows[0][measure], rows[-1][measure]
    if first is None or last is None:
        raise ValueError("sd_log needs y > 0 in every year; use measure='cv' or 'sd'")
    return {"rows": rows, "measure": measure, "first": first, "last": last, "change": last - first,
            "converging": bool(last < first), "units": int(ok.sum()), "units_left_out": int((~ok).sum()),
            "meta": {"method": "sigma_convergence", "measure": measure, "ddof": 0, "balanced": True}}


@dataclass
class BetaResult:
    beta: float
    se: float
    t: float
    p: float
    alpha: float | None
    r2: float
    n: int
    speed: float | None
    half_life: float | None
    controls: dict[str, dict[str, float]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def converging(self) -> bool:
        return self.beta < 0 and self.p < 0.05

    def summary(self) -> dict[str, Any]:
        return {"beta": self.beta, "se": self.se, "t": self.t, "p": self.p, "alpha": self.alpha, "r2": self.r2, "n": self.n,
                "speed": self.speed, "half_life": self.half_life, "converging": self.converging, "controls": self.controls,
                **{k: v for k, v in self.meta.items() if k in ("kind", "model", "fixed_effects", "cov")}}


def _speed(beta: float, T: float) -> tuple[float | None, float | None]:
    if 1 + beta * T <= 0 or beta >= 0:
        return None, None
    lam = -np.log(1 + beta * T) / T
    return float(lam), float(np.log(2) / lam)


def beta_convergence(y, years: Sequence[str], controls: np.ndarray | None = None, control_names: Sequence[str] | None = None,
                     model: str = "cross_section", fixed_effects: str = "twoway", cov: str = "HC1") -> BetaResult:
    """y: [years, units] (> 0). controls: [units, c] (cross-section: at the first year) or [years, units, c] (panel)."""
    import statsmodels.api as sm

    y = np.asarray(y, dtype=float)
    yrs = np.array([float(str(t)[:4]) for t in years])
    if (y[~np.isnan(y)] <= 0).any():
        raise ValueError("β-convergence uses ln y: y must be > 0")
    kind = "conditional" if controls is not None or model == "panel" else "absolute"
    names = list(control_names or ([f"x{j}" for j in range(np.asarray(controls).shape[-1])] if controls is not None else []))
    if model == "cross_section":
        T = yrs[-1] - yrs[0]
        X0 = np.log(y[0])
        g = np.log(y[-1] / y[0]) / T
        X = X0[:, None]
        if controls is not None:
            X = np.column_stack([X, np.asarray(controls, dtype=float)])
        ok = ~np.isnan(g) & ~np.isnan(X).any(axis=1)
        res = sm.OLS(g[ok], sm.add_constant(X[ok])).fit(cov_type=cov)
        b = float(res.params[1])
        lam, hl = _speed(b, T)
        ctrl = {nm: {"coef": float(res.params[2 + j]), "p": float(res.pvalues[2 + j])} for j, nm in enumerate(names)}
        return BetaResult(b, float(res.bse[1]), float(res.tvalues[1]), float(res.pvalues[1]), float(res.params[0]),
                          float(res.rsquared), int(ok.sum()), lam, hl, ctrl,
                          {"method": "beta_convergence", "kind": kind, "model": "cross_section", "period_years": T,
                           "equation": "(1/T) ln(y_T/y_0) = α + β ln y_0 [+ γ X_0] + ε", "cov": cov, "fixed_effects": None})
    if model != "panel":
        raise ValueError("model must be cross_section or panel")
    if len(years) < 3:
        raise ValueError("panel β-convergence needs at least three years (two growth periods); use the cross-section model")
    Tn, m = y.shape
    dt = np.diff(yrs)
    growth = (np.log(y[1:]) - np.log(y[:-1])) / dt[:, None]       # per year
    lny = np.log(y[:-1])
    unit = np.broadcast_to(np.arange(m), (Tn - 1, m))
    per = np.broadcast_to(np.arange(Tn - 1)[:, None], (Tn - 1, m))
    cols = [lny]
    if controls is not None:
        c = np.asarray(controls, dtype=float)[:-1]
        cols += [c[..., j] for j in range(c.shape[-1])]
    if fixed_effects == "twoway":
        cols += [(per == t).astype(float) for t in range(1, Tn - 1)]
    elif fixed_effects != "unit":
        raise ValueError("fixed_effects must be unit or twoway")
    Y = growth.ravel()
    X = np.column_stack([c.ravel() for c in cols])
    u = unit.ravel()
    ok = ~np.isnan(Y) & ~np.isnan(X).any(axis=1)
    Y, X, u = Y[ok], X[ok], u[ok]
    _, ui = np.unique(u, return_inverse=True)
    cnt = np.bincount(ui)
    keep = cnt[ui] > 1                       # singletons carry no within information
    Y, X, ui = Y[keep], X[keep], np.unique(ui[keep], return_inverse=True)[1]
    G = ui.max() + 1
    def demean(a):
        s = np.zeros((G,) + a.shape[1:])
        np.add.at(s, ui, a)
        return a - (s / np.bincount(ui).reshape((-1,) + (1,) * (a.ndim - 1)))[ui]
    Yd, Xd = demean(Y), demean(X)
    # clustered by unit, t with G − 1 df; the absorbed unit effects are nested in the clusters, so no further
    # df correction (as Stata's xtreg, fe vce(cluster))
    res = sm.OLS(Yd, Xd).fit(cov_type="cluster", cov_kwds={"groups": ui}, use_t=True)
    n = Xd.shape[0]
    b, se, tval, p = float(res.params[0]), float(res.bse[0]), float(res.tvalues[0]), float(res.pvalues[0])
    mean_dt = float(dt.mean())
    lam, hl = _speed(b * mean_dt, 1.0)
    lam = lam / mean_dt if lam is not None else None
    hl = np.log(2) / lam if lam else None
    ctrl = {nm: {"coef": float(res.params[1 + j]), "p": float(res.pvalues[1 + j])} for j, nm in enumerate(names)}
    resid = Yd - Xd @ res.params
    r2_within = 1 - float(resid @ resid) / float(Yd @ Yd) if Yd @ Yd > 0 else float("nan")
    return BetaResult(b, se, tval, p, None, r2_within, int(n), lam, hl, ctrl,
                      {"method": "beta_convergence", "kind": kind, "model": "panel", "fixed_effects": fixed_effects,
                       "equation": "ln(y_t+1/y_t)/Δt = β ln y_t [+ γ X_t] + μ_i [+ η_t] + ε", "cov": "cluster by unit",
                       "units": int(G), "r2": "within"})
