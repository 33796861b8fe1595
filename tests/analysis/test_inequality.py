"""Gini, Theil T/L and CV. Sources:
- pysal `inequality` 1.1.2 tests/test_theil.py, tests/test_gini.py on libpysal's mexico data (published to 7–8 dp;
  full precision from inequality 1.1.2), tolerance 1e-12 on the full-precision values;
- zhjx19/mathmodels @ 8bf5e8f8 `gini0`, `gini_grouped`, `theil0`, `theil0_g` (published digits; regenerated to 15 digits).
The 2-level `theil_g2_cross` example is not a valid oracle and is not used (oracles/README.md)."""

import numpy as np
import pytest

from xianping.analysis.gini import gini
from xianping.analysis.regions import REGIONS, group_labels
from xianping.analysis.theil import theil_l, theil_t
from xianping.analysis.variation import cv

from .oracle_io import load_csv, load_json

MEX = load_json("pysal_mexico/expected.json")
MM = load_json("mathmodels_examples/inputs_and_published.json")["inequality"]
RG = load_json("mathmodels_examples/regenerated_full_precision_R.json")


def _mex(year):
    rows = load_csv("pysal_mexico/mexico.csv")
    return np.array([float(r[f"pcgdp{year}"]) for r in rows]), [str(int(float(r["hanson98"]))) for r in rows]


@pytest.mark.parametrize("i,year", list(enumerate(MEX["years"])))
def test_theil_mexico(i, year):
    y, g = _mex(year)
    full = MEX["per_year"][str(year)]
    r = theil_t(y, g)
    assert r.value == pytest.approx(full["theil_T_full"], abs=1e-12)
    assert r.between == pytest.approx(full["theil_between_full"], abs=1e-12)
    assert r.within == pytest.approx(full["theil_within_full"], abs=1e-12)
    assert round(r.value, 8) == pytest.approx(MEX["published"]["theil_T"][i], abs=1e-8)
    assert round(r.between, 8) == pytest.approx(MEX["published"]["theilD_bg_hanson98"][i], abs=1e-8)


def test_theil_toy_zero_values():
    toy = MEX["published"]["theilD_toy"]
    r = theil_t(toy["y"], toy["regions"])
    assert (r.value, r.between, r.within) == pytest.approx((toy["T"], toy["bg"], toy["wg"]), abs=1e-15)


def test_gini_mexico_1940():
    y, _ = _mex(1940)
    assert gini(y) == pytest.approx(MEX["published"]["gini_pcgdp1940"], abs=1e-12)


def test_gini_mathmodels():
    assert gini(MM["gini0"]["y"]) == pytest.approx(0.4, abs=1e-15)
    y, pop = np.array(MM["gini_grouped"]["y_group_income"], float), np.array(MM["gini_grouped"]["pop"], float)
    # grouped: per-capita values weighted by population = the Lorenz-trapezoid formula
    assert gini(y / pop, weights=pop) == pytest.approx(RG["gini_grouped"], abs=1e-12)


def test_theil_mathmodels_one_level():
    t0 = MM["theil0"]
    r = theil_t(t0["y"], t0["g"])
    assert r.value == pytest.approx(RG["theil0"], abs=1e-13)
    pub, ratio = MM["theil0_g"]["published"], MM["theil0_g"]["published_ratio"]
    assert r.between == pytest.approx(pub["Tb"], abs=5e-9)
    assert r.within == pytest.approx(pub["Tw"], abs=5e-9)
    assert r.group_values["A"] == pytest.approx(pub["T_A"], abs=5e-8)
    assert r.group_values["B"] == pytest.approx(pub["T_B"], abs=5e-9)
    c = r.contributions
    for k in ("Tb", "Tw"):
        assert c["between" if k == "Tb" else "within"] == pytest.approx(ratio[k], abs=5e-9)
    assert c["A"] == pytest.approx(ratio["A"], abs=5e-9)
    assert c["B"] == pytest.approx(ratio["B"], abs=5e-9)


def test_theil_l_decomposes_and_weights_repeat_units():
    rng = np.random.default_rng(3)
    y = rng.lognormal(size=200)
    g = rng.integers(0, 4, 200)
    w = rng.integers(1, 9, 200)
    for f in (theil_t, theil_l):
        r = f(y, g, weights=w)
        assert r.between + r.within == pytest.approx(r.value, abs=1e-14)
        r2 = f(np.repeat(y, w), np.repeat(g, w))
        assert r.value == pytest.approx(r2.value, abs=1e-13) and r.between == pytest.approx(r2.between, abs=1e-13)
    assert cv(y, weights=w) == pytest.approx(cv(np.repeat(y, w)), abs=1e-13)
    assert cv(y) == pytest.approx(y.std() / y.mean())


def test_regions_cover_31_provinces():
    provs = [p for ps in REGIONS.values() for p in ps]
    assert len(provs) == len(set(provs)) == 31
    assert group_labels(["410821", "110101", "230102", "650102"], "region") == ["中部", "东部", "东北", "西部"]
    assert group_labels(["410821"], "province") == ["河南省"]
    assert group_labels(["410821"], "prefecture") == ["焦作市"]
    assert group_labels(["410821", "410882", "410802"], "type") == ["县", "县级市", "市辖区"]


def test_gini_equals_pysal_inequality_gini_and_runs_over_leading_axes():
    # pysal inequality 1.1.2 `Gini` (argsort formula) is the reference, run here on the same values
    from inequality.gini import Gini

    rng = np.random.default_rng(7)
    ys = rng.lognormal(sigma=0.8, size=(3, 20_000))
    ys[1, :50] = ys[1, 50]                      # ties
    ours = gini(ys)
    assert ours.shape == (3,)
    for t in range(3):
        assert ours[t] == pytest.approx(Gini(ys[t]).g, abs=1e-12)
        assert gini(ys[t]) == pytest.approx(ours[t], abs=1e-15)
    y, _ = _mex(1940)
    assert gini(y) == pytest.approx(Gini(y).g, abs=1e-12)


def test_weighted_gini_counts_units_w_times_and_runs_over_leading_axes():
    rng = np.random.default_rng(8)
    y = rng.lognormal(size=(2, 300))
    w = rng.integers(1, 7, size=(2, 300)).astype(float)
    both = gini(y, w)
    for t in range(2):
        assert both[t] == pytest.approx(gini(np.repeat(y[t], w[t].astype(int))), abs=1e-13)
        assert both[t] == pytest.approx(gini(y[t], w[t]), abs=1e-15)
    # by hand: y = (1, 3), w = (1, 2): pairs |1−3| weighted 2 each way → 2·2·2 = 8; W = 3, μ = 7/3 → 8 / (2·9·7/3) = 4/21
    assert gini([1.0, 3.0], [1.0, 2.0]) == pytest.approx(4 / 21, abs=1e-15)
    with pytest.raises(ValueError, match="missing"):
        gini([1.0, np.nan, 2.0])
    with pytest.raises(ValueError, match="positive"):
        gini([[1.0, 2.0], [0.0, 0.0]])


def test_theil_decomposition_equals_pysal_theild_with_many_groups():
    # pysal inequality 1.1.2 `TheilD` (T, bg, wg) is the reference; labels as text and as integers give the same groups
    from inequality.theil import TheilD

    rng = np.random.default_rng(9)
    g = rng.integers(0, 40, 5_000)
    y = rng.lognormal(mean=g * 0.03, sigma=0.6)
    ref = TheilD(y, g)
    for labels in (g, g.astype(str), [f"{v}" for v in g]):
        r = theil_t(y, labels)
        assert r.value == pytest.approx(float(np.squeeze(ref.T)), abs=1e-12)
        assert r.between == pytest.approx(float(np.squeeze(ref.bg)), abs=1e-12)
        assert r.within == pytest.approx(float(np.squeeze(ref.wg)), abs=1e-12)
        assert r.groups == sorted(str(v) for v in set(g.tolist()))     # ordered as text: "0", "1", "10", …
    # each group's T_g is Theil T of its own values
    r = theil_t(y, g)
    for lab in ("3", "17"):
        assert r.group_values[lab] == pytest.approx(theil_t(y[g == int(lab)]).value, abs=1e-13)
