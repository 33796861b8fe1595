"""σ/β-convergence and kernel density. The panel fixed-effects estimate is checked against OLS with explicit
unit and year dummies (statsmodels formula), which the within transformation must reproduce exactly."""

import numpy as np
import pytest

from xianping.analysis.convergence import beta_convergence, sigma_convergence
from xianping.analysis.density import kernel_density


def _panel(beta=-0.05, m=300, years=(2010, 2012, 2014, 2016, 2018), seed=0):
    rng = np.random.default_rng(seed)
    mu = rng.normal(0, 0.2, m)
    y = [np.exp(rng.normal(1, 0.5, m))]
    for a, b in zip(years, years[1:]):
        ly = np.log(y[-1])
        y.append(np.exp(ly + (b - a) * (beta * ly + 0.1 * mu + rng.normal(0, 0.01, m))))
    return np.array(y), [str(t) for t in years]


def test_sigma():
    y = np.array([[1.0, 2.0, 4.0, np.nan], [2.0, 3.0, 4.0, 5.0]])
    r = sigma_convergence(y, ["2010", "2020"])
    assert r["units"] == 3 and r["units_left_out"] == 1
    assert r["rows"][0]["sd_log"] == pytest.approx(np.log([1, 2, 4]).std())
    assert r["converging"] and r["change"] < 0
    assert sigma_convergence(y, ["2010", "2020"], measure="cv")["first"] == pytest.approx(np.std([1, 2, 4]) / (7 / 3))


def test_beta_cross_section_absolute_and_conditional():
    y, years = _panel()
    r = beta_convergence(y[[0, -1]], [years[0], years[-1]])
    assert r.beta < 0 and r.converging and r.speed > 0 and r.half_life > 0
    g = np.log(y[-1] / y[0]) / 8
    b = np.polyfit(np.log(y[0]), g, 1)[0]
    assert r.beta == pytest.approx(b, abs=1e-12)
    rc = beta_convergence(y[[0, -1]], [years[0], years[-1]], controls=np.log(y[0])[:, None] ** 2, control_names=["lny2"])
    assert "lny2" in rc.controls and rc.meta["kind"] == "conditional"


def test_beta_panel_fixed_effects_equals_dummies():
    import pandas as pd
    import statsmodels.formula.api as smf

    y, years = _panel()
    r = beta_convergence(y, years, model="panel", fixed_effects="twoway")
    T, m = y.shape
    dt = np.diff([float(t) for t in years])
    df = pd.DataFrame({"g": ((np.log(y[1:]) - np.log(y[:-1])) / dt[:, None]).ravel(), "lny": np.log(y[:-1]).ravel(),
                       "unit": np.tile(np.arange(m), T - 1), "per": np.repeat(np.arange(T - 1), m)})
    ref = smf.ols("g ~ lny + C(unit) + C(per)", df).fit()
    assert r.beta == pytest.approx(ref.params["lny"], abs=1e-10)
    assert r.beta == pytest.approx(-0.05, abs=0.01)
    with pytest.raises(ValueError, match="three years"):
        beta_convergence(y[:2], years[:2], model="panel")


def test_kernel_density_common_grid():
    rng = np.random.default_rng(1)
    y = np.vstack([np.r_[rng.normal(0, 1, 500), rng.normal(6, 1, 500)], rng.normal(3, 1, 1000)])
    r = kernel_density(y, ["2010", "2020"], bandwidth="silverman")
    xs = r["grid"]
    assert r["density"].shape == (2, 200)
    for f in r["density"]:
        assert np.trapezoid(f, xs) == pytest.approx(1.0, abs=0.01)
    assert r["rows"][0]["n_peaks"] == 2 and r["rows"][1]["n_peaks"] == 1
    st = kernel_density(y, ["2010", "2020"], bandwidth="stata")["rows"][1]["bandwidth"]
    v = y[1]
    assert st == pytest.approx(0.9 * min(v.std(ddof=1), np.subtract(*np.percentile(v, [75, 25])) / 1.349) * 1000 ** -0.2)
