"""Dagum Gini decomposition against two oracles (to 1e-12):
- Green-Manufacturing/Code-and-data @ 8278af78 `Dagum_Gini.m` run in Octave 7.3.0 (30 provinces, 4 regions, 2015–2021);
- the same code on libpysal's mexico data by hanson98 region (5 unequal groups, heavy overlap).
Plus: the identity G_nb = Σ_{j<h} p_j p_h |μ_j − μ_h| / μ, G = G_w + G_nb + G_t, and an all-pairs reference."""

import numpy as np
import pytest

from .oracle_io import load_csv, load_json
from xianping.analysis.dagum import dagum

TOL = 1e-12


def _direct(y, g, w=None):
    """All pairs, straight from the definition (small n only)."""
    y = np.asarray(y, float)
    w = np.ones_like(y) if w is None else np.asarray(w, float)
    mu = np.dot(w, y) / w.sum()
    return (np.abs(y[:, None] - y[None, :]) * w[:, None] * w[None, :]).sum() / (2 * w.sum() ** 2 * mu)


@pytest.mark.parametrize("year", [str(y) for y in range(2015, 2022)])
def test_green_manufacturing(year):
    exp = load_json("dagum_green_manufacturing/expected.json")["per_year"][year]
    rows = load_csv("dagum_green_manufacturing/scores_2015_2021.csv")
    r = dagum([float(x[year]) for x in rows], [x["region"] for x in rows])
    assert r.groups == exp["group_order_by_mean_desc"]
    for k in ("G", "Gw", "Gnb", "Gt"):
        assert getattr(r, k) == pytest.approx(exp[k], abs=TOL)
    for k, v in exp["contrib_pct"].items():
        assert r.shares_pct[k] == pytest.approx(v, abs=1e-10)
    for g, v in exp["G_within"].items():
        assert r.G_within[g] == pytest.approx(v, abs=TOL)
    for pair, v in exp["G_between"].items():
        assert r.G_between[pair] == pytest.approx(v, abs=TOL)
    assert r.Gw + r.Gnb + r.Gt == pytest.approx(r.G, abs=1e-15)
    gnb = sum(r.p[j] * r.p[h] * abs(r.means[j] - r.means[h]) for j in range(4) for h in range(j + 1, 4)) / np.dot(r.p, r.means)
    assert r.Gnb == pytest.approx(gnb, abs=1e-15)


@pytest.mark.parametrize("year", ["1940", "1950", "1960", "1970", "1980", "1990", "2000"])
def test_pysal_mexico(year):
    exp = load_json("pysal_mexico/expected.json")["per_year"][year]["dagum_by_hanson98"]
    rows = load_csv("pysal_mexico/mexico.csv")
    r = dagum([float(x[f"pcgdp{year}"]) for x in rows], [str(int(float(x["hanson98"]))) for x in rows])
    assert r.groups == exp["group_order_by_mean_desc"]
    for k in ("G", "Gw", "Gnb", "Gt"):
        assert getattr(r, k) == pytest.approx(exp[k], abs=TOL)
    for g, v in exp["G_within"].items():
        assert r.G_within[g] == pytest.approx(v, abs=TOL)


def test_no_overlap_gives_D_one_and_ties_count_nowhere():
    # mussard-style: groups do not overlap → D_jh = 1, G_t = 0; tied values across groups add to neither d nor p
    r = dagum([1, 2, 3, 10, 11, 12], list("aaabbb"))
    assert r.D_jh[0, 1] == 1.0 and r.Gt == 0.0
    r = dagum([1, 2, 2, 2, 3, 4], list("aaabbb"))
    assert r.Gw + r.Gnb + r.Gt == pytest.approx(r.G, abs=1e-15)
    assert r.G == pytest.approx(_direct([1, 2, 2, 2, 3, 4], None), abs=1e-15)


def test_random_against_all_pairs_weighted():
    rng = np.random.default_rng(7)
    y = rng.lognormal(size=400).round(2)  # ties on purpose
    g = rng.integers(0, 6, size=400)
    w = rng.integers(1, 50, size=400).astype(float)
    r = dagum(y, g, w)
    assert r.G == pytest.approx(_direct(y, g, w), abs=1e-13)
    assert r.Gw + r.Gnb + r.Gt == pytest.approx(r.G, abs=1e-14)
    # integer weights = repeating units
    r2 = dagum(np.repeat(y, w.astype(int)), np.repeat(g, w.astype(int)))
    for k in ("G", "Gw", "Gnb", "Gt"):
        assert getattr(r, k) == pytest.approx(getattr(r2, k), abs=1e-13)
