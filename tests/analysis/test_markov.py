"""Classic and spatial Markov. Source: giddy 2.3.8 tests/test_markov.py on the US state incomes 1929–2009 (usjoin.csv,
states48.gal): published counts and 8-dp matrices, full-precision values from giddy; to 1e-8. Also the mathmodels
weather chain (zhjx19/mathmodels @ 8bf5e8f8 `markov_chain`)."""

import numpy as np
import pytest
from libpysal.weights import W

from xianping.analysis.markov import markov, spatial_markov

from .oracle_io import ORACLES, load_csv, load_json

EXP = load_json("giddy_markov_us/expected.json")


def _us():
    rows = load_csv("giddy_markov_us/usjoin.csv")
    years = [str(y) for y in range(1929, 2010)]
    y = np.array([[float(r[t]) for r in rows] for t in years])  # [years, units]
    lines = (ORACLES / "giddy_markov_us/states48.gal").read_text().split()
    n = int(lines[0])
    nb, i = {}, 1
    for _ in range(n):
        u, k = int(lines[i]), int(lines[i + 1])
        nb[u] = [int(v) for v in lines[i + 2:i + 2 + k]]
        i += 2 + k
    return y, W(nb)


def test_classic_markov_per_year_quintiles():
    y, _ = _us()
    r = markov(y, k=5, classing="per_year")
    c = EXP["classic_markov_quintiles"]
    assert r.transitions.tolist() == c["published_transitions"]
    assert r.P == pytest.approx(np.array(c["giddy_full_p"]), abs=1e-8)
    assert r.P.round(8) == pytest.approx(np.array(c["published_p_8dp"]), abs=1e-8)
    assert r.steady_state == pytest.approx(c["giddy_full_steady_state"], abs=1e-8)
    assert r.sojourn_time == pytest.approx(c["published_sojourn_time"], abs=1e-8)


def test_spatial_markov_fixed_cutoffs_and_homogeneity():
    y, w = _us()
    s = EXP["spatial_markov_fixed_cutoffs"]
    r = spatial_markov(y, w, k=5, m=5, classing="fixed", cutoffs=s["cutoffs"], lag_cutoffs=s["lag_cutoffs"], relative=True)
    assert r.T == pytest.approx(np.array(s["giddy_full_T_counts"]), abs=1e-8)
    assert r.P == pytest.approx(np.array(s["giddy_full_P"]), abs=1e-8)
    assert r.P[0].round(8) == pytest.approx(np.array(s["published_P_8dp_first_lag_class"]), abs=1e-8)
    assert r.p == pytest.approx(np.array(s["giddy_full_p_aspatial"]), abs=1e-8)
    # LR = 2 Σ_l Σ_ij n_ij(l) ln(p_ij(l) / p_ij), over cells with n_ij(l) > 0, computed independently here
    T, P, p = r.T, r.P, r.T.sum(axis=0) / r.T.sum(axis=(0, 2))[:, None]
    m = T > 0
    lr = 2 * np.sum(T[m] * np.log(P[m] / np.broadcast_to(p, T.shape)[m]))
    assert r.LR == pytest.approx(lr, rel=1e-10)
    assert 0 <= r.Q_p_value <= 1 and r.dof > 0


def test_mathmodels_weather_chain():
    mm = load_json("mathmodels_examples/inputs_and_published.json")["markov_chain"]
    lv = {s: i for i, s in enumerate(mm["levels"])}
    ids = np.array([[lv[s]] for s in mm["states"]], dtype=float)   # [20 periods, 1 unit]
    r = markov(ids, k=3, classing="fixed", cutoffs=[0, 1])        # states 0, 1, 2 → classes 0, 1, 2
    rg = load_json("mathmodels_examples/regenerated_full_precision_R.json")
    assert r.P == pytest.approx(np.array(rg["markov_trans_mat"]), abs=1e-12)
    assert r.steady_state == pytest.approx(rg["markov_pi_final"], abs=1e-12)
