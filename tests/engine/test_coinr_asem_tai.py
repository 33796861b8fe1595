"""End-to-end pipelines against COINr's ASEM example and the OECD/JRC Handbook TAI example."""

import csv

import numpy as np
import pytest

from xianping.engine import aggregate as A
from xianping.engine import impute as I
from xianping.engine import normalise as N
from xianping.engine import rank as R
from xianping.engine import treat_outliers as T

from .oracle_io import ORACLES, read_csv, num


def dset(name):
    h, rows = read_csv(f"coinr_asem/outputs/{name}.csv")
    return [r[0] for r in rows], h[1:], np.array([[num(v) for v in r[1:]] for r in rows])


def asem_tree(indicators, cols):
    _, lin = read_csv("coinr_asem/outputs/ASEM_lineage.csv")
    ind_pil = {r[0]: r[1] for r in lin}
    pil_sub = {r[1]: r[2] for r in lin}
    pillars = sorted(set(pil_sub), key=cols.index)
    subs = sorted(set(pil_sub.values()), key=cols.index)
    p1 = np.array([pillars.index(ind_pil[i]) for i in indicators])
    p2 = np.array([subs.index(pil_sub[p]) for p in pillars])
    return pillars, subs, p1, p2


def asem_directions(indicators):
    _, meta = read_csv("coinr_asem/ASEM_iMeta.csv")
    d = {m[1]: float(m[3]) for m in meta if m[0] == "1.0"}
    return [d[i] for i in indicators]


def test_asem_impute_group_mean():
    """Source: COINr ASEM Impute(i_mean_grp, use_group = EurAsia_group): Denominated → Imputed."""
    units, ind, den = dset("ASEM_dset_Denominated")
    _, ind2, imp = dset("ASEM_dset_Imputed")
    assert ind == ind2
    h, rows = read_csv("coinr_asem/ASEM_iData.csv")
    grp = {r[h.index("uCode")]: r[h.index("EurAsia_group")] for r in rows}
    g = np.unique([grp[u] for u in units], return_inverse=True)[1]
    r = I.impute(den, "group_mean", groups=g)
    np.testing.assert_allclose(r.x, imp, rtol=1e-12, atol=1e-12)
    assert r.imputed.sum() == np.isnan(den).sum() == 65


def test_asem_treat():
    """Source: COINr ASEM Treat defaults: Screened → Treated (exact) and nwin per indicator."""
    _, ind, scr = dset("ASEM_dset_Screened")
    _, ind2, trt = dset("ASEM_dset_Treated")
    res = T.coinr_treat(scr)
    np.testing.assert_allclose(res.x, trt, rtol=0, atol=1e-12)
    h, det = read_csv("coinr_asem/outputs/ASEM_treat_details.csv")
    for row in det:
        j = ind.index(row[0])
        assert res.n_winsorised[j] == (0 if row[4] == "NA" else int(row[4])), row[0]
        assert (row[1] == "TRUE") == (res.n_winsorised[j] == 0)
        np.testing.assert_allclose(res.skew_before[j], float(row[2]), atol=1e-10)
        np.testing.assert_allclose(res.kurt_before[j], float(row[3]), atol=1e-10)
    assert not res.log_applied.any() and res.passed.all()
    assert np.sum(res.flags != 0) == int(sum(int(r[4]) for r in det if r[4] != "NA"))


def test_asem_normalise_aggregate_rank():
    """Source: COINr ASEM: min–max [0, 100] with iMeta directions (Treated → Normalised), arithmetic
    means through Pillar → Sub-index → Index (Aggregated), and get_results ranks (ties "min")."""
    units, ind, trt = dset("ASEM_dset_Treated")
    _, ind_n, nrm = dset("ASEM_dset_Normalised")
    _, cols, agg = dset("ASEM_dset_Aggregated")
    z = N.min_max(trt, asem_directions(ind), lo=0, hi=100)
    np.testing.assert_allclose(z, nrm, rtol=0, atol=1e-8)
    pillars, subs, p1, p2 = asem_tree(ind, cols)
    P = A.aggregate_groups(z, p1)
    S = A.aggregate_groups(P, p2)
    X = A.aggregate_groups(S)[:, 0]
    np.testing.assert_allclose(P, agg[:, [cols.index(p) for p in pillars]], atol=1e-8)
    np.testing.assert_allclose(S, agg[:, [cols.index(s) for s in subs]], atol=1e-8)
    np.testing.assert_allclose(X, agg[:, cols.index("Index")], atol=1e-8)
    _, res = read_csv("coinr_asem/outputs/ASEM_results_full.csv")
    published = {r[0]: int(r[1]) for r in res}
    np.testing.assert_array_equal(R.rank(X, ties="min"), [published[u] for u in units])


def test_asem_geometric_1_100():
    """Source: COINr make_oracles.R c_g: min–max to [1, 100] then a_gmean at every level."""
    units, ind, trt = dset("ASEM_dset_Treated")
    h, rows = read_csv("coinr_asem/outputs/ASEM_alt_c_g_aggregated.csv")
    cols = h[1:]
    alt = np.array([[float(v) for v in r[1:]] for r in rows])
    z = N.min_max(trt, asem_directions(ind), lo=1, hi=100)
    np.testing.assert_allclose(z, alt[:, [cols.index(i) for i in ind]], atol=1e-8)
    pillars, subs, p1, p2 = asem_tree(ind, cols)
    X = A.aggregate_groups(A.aggregate_groups(A.aggregate_groups(z, p1, method="geometric"), p2, method="geometric"), method="geometric")
    np.testing.assert_allclose(X[:, 0], alt[:, cols.index("Index")], atol=1e-8)


def test_coinr_treat_smallvec_and_moments():
    """Source: COINr Treat(c(1:20, 100, 200), winmax = 5) and skew()/kurt() of that vector."""
    h, rows = read_csv("coinr_asem/outputs/treat_smallvec.csv")
    x = np.array([float(r[0]) for r in rows])
    res = T.coinr_treat(x[:, None])
    np.testing.assert_array_equal(res.x[:, 0], [float(r[1]) for r in rows])
    np.testing.assert_array_equal(res.flags[:, 0] == T.FLAG_WIN_HI, [r[2] == "winhi" for r in rows])
    h, rows = read_csv("coinr_asem/outputs/skewkurt_smallvec.csv")
    assert abs(T.skew(x[:, None])[0] - float(rows[0][0])) < 1e-12
    assert abs(T.kurt(x[:, None])[0] - float(rows[0][1])) < 1e-12


def test_treat_log_fallback():
    """When winsorising 5 points is not enough, COINr's log_CT applies to the original vector."""
    x = np.r_[np.ones(60), 2.0 ** np.arange(12)]  # heavy tail: 5 winsorised points are not enough
    res = T.coinr_treat(x[:, None])
    assert res.log_applied[0] and res.n_winsorised[0] == 5
    mn, mx = x.min(), x.max()
    np.testing.assert_allclose(res.x[:, 0], np.log(x - mn + 0.01 * (mx - mn)))
    assert np.all(res.flags == T.FLAG_LOG)


def test_tai_goalposts_equal_weights():
    """Source: OECD/JRC Handbook 2008 TAI (Table A.2 data, Table 23 EW ranks); HDR 2001 goalposts.
    Finland ≈ 0.7449 (HDR 0.744); per tai/README: exact ranks for non-tied countries (21/23; the miss
    is the Germany/Norway near-tie), Spearman ≥ 0.99."""
    with open(ORACLES / "tai/tai_raw_23.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    X = np.array([[float(v) for v in r[2:]] for r in rows])
    upper = [994, 272.6, 232.4, 80.8, 3.0, 3.9, 12.0, 27.4]
    lower = [0, 0, 0, 0, 0, 2.0, 0.8, 0.1]
    s = A.weighted_arithmetic(N.goalposts(X, lower, upper, clip=True))
    assert abs(s[0] - 0.7449) < 5e-5
    with open(ORACLES / "tai/tai_handbook_table23_ranks_by_weighting.csv", newline="", encoding="utf-8") as f:
        t23 = {r[0]: int(r[1]) for r in list(csv.reader(f))[1:]}
    ew = np.array([t23[r[1]] for r in rows])
    r = R.rank(s)
    assert (r == ew).sum() >= 21
    mism = {rows[i][1] for i in np.where(r != ew)[0]}
    assert mism <= {"Germany", "Norway"}
    rho = np.corrcoef(r, ew)[0, 1]  # ranks without ties: Pearson of ranks = Spearman
    assert rho >= 0.99
    # plain sample min–max (no goalposts) does much worse (README: 11/23)
    assert (R.rank(A.weighted_arithmetic(N.min_max(X))) == ew).sum() < 15


def test_treat_log_fallback_coinr_unit_test():
    """Source: COINr tests/testthat/test-treat.R ("treat_num"): x = c(1:20, 100, 200) with winmax = 1 does not pass
    check_SkewKurt; with f2 = "log" the result is log(x) exactly (the log applies to the original x, not the
    winsorised one). Here fallback="log"; the same vector with winmax = 5 is COINr's winsorised treat_smallvec."""
    x = np.r_[np.arange(1.0, 21.0), 100.0, 200.0]
    res = T.coinr_treat(x[:, None], winmax=1, fallback="log")
    assert res.log_applied[0] and not T.coinr_treat(x[:, None], winmax=1, fallback="none").passed[0]
    np.testing.assert_array_equal(res.x[:, 0], np.log(x))
    with pytest.raises(ValueError, match="positive"):
        T.coinr_treat(np.r_[x - 5][:, None], winmax=1, fallback="log")
