"""The compiled pipeline on arrays: denominate, screen (COINr DataSummary), a whole tree with mixed
weighting/aggregation, batching over samples, panel anchors, tiers."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from xianping.engine import aggregate as A
from xianping.engine import denominate as D
from xianping.engine import normalise as N
from xianping.engine import pipeline as P
from xianping.engine import screen as S
from xianping.engine import weights as W

from .oracle_io import num, read_csv

EVAL_ORACLES = Path(__file__).resolve().parents[1] / "evaluation" / "oracles"


def test_denominate_and_zero_denominator():
    x = np.array([[10.0, 1.0], [20.0, 2.0], [30.0, 3.0]])
    d = np.array([[2.0], [0.0], [np.nan]])
    with pytest.warns(Warning, match="zero denominator"):
        r = D.denominate(x, d, [0, -1], scale=[100.0, 1.0])
    np.testing.assert_array_equal(r.x[:, 1], x[:, 1])
    assert r.x[0, 0] == 500.0 and np.isnan(r.x[1, 0]) and np.isnan(r.x[2, 0])
    assert r.zero_denominator[1, 0] and not r.zero_denominator[0, 0]


def test_denominate_asem_raw_to_denominated():
    """Source: COINr ASEM Denominate (iMeta Denominator; iData Area/Energy/GDP/Population): Raw → Denominated."""
    h, rows = read_csv("coinr_asem/ASEM_iData.csv")
    _, meta = read_csv("coinr_asem/ASEM_iMeta.csv")
    inds = [m[1] for m in meta if m[9] == "Indicator"]
    den_of = {m[1]: m[7] for m in meta if m[9] == "Indicator"}
    denoms = ["Area", "Energy", "GDP", "Population"]
    rows = sorted(rows, key=lambda r: r[h.index("uCode")])
    x = np.array([[num(r[h.index(i)]) for i in inds] for r in rows])
    d = np.array([[num(r[h.index(c)]) for c in denoms] for r in rows])
    by = [denoms.index(den_of[i]) if den_of[i] else -1 for i in inds]
    hh, exp_rows = read_csv("coinr_asem/outputs/ASEM_dset_Denominated.csv")
    exp = np.array([[num(v) for v in r[1:]] for r in exp_rows])
    got = D.denominate(x, d, by).x[:, [inds.index(c) for c in hh[1:]]]
    np.testing.assert_allclose(got, exp, rtol=1e-12, atol=0)


def test_screen_matches_coinr_datasummary():
    """Source: COINr ASEM Screen(byNA, dat_thresh 0.9) DataSummary on the Imputed data:
    Dat_Avail, Non_Zero (share non-zero) and Included for every unit."""
    _, rows = read_csv("coinr_asem/outputs/ASEM_dset_Imputed.csv")
    x = np.array([[num(v) for v in r[1:]] for r in rows])
    with open(EVAL_ORACLES / "coinr_asem" / "ASEM_screen_datasummary.csv", newline="", encoding="utf-8") as f:
        summ = {r["uCode"]: r for r in csv.DictReader(f)}
    res = S.screen(x, unit_threshold=0.9)
    for i, r in enumerate(rows):
        s = summ[r[0]]
        assert res.unit_availability[i] == pytest.approx(float(s["Dat_Avail"]), abs=1e-12)
        assert res.unit_nonzero[i] == pytest.approx(float(s["Non_Zero"]), abs=1e-12)
        assert res.keep_units[i] == (s["Included"] == "TRUE")
    # with missing cells: unit 0 has 1/4 observed
    y = np.array([[1.0, np.nan, np.nan, np.nan], [1, 2, 3, 4], [1, 2, np.nan, 4]])
    r2 = S.screen(y, unit_threshold=0.7, indicator_threshold=0.5)
    assert r2.keep_units.tolist() == [False, True, True] and r2.keep_indicators.tolist() == [True, True, False, True]
    r3 = S.screen(y, indicator_threshold=0.7)
    assert r3.keep_indicators.tolist() == [True, False, False, False]


def toy_plan(**kw):
    # two dimensions: (a, b) entropy + arithmetic; (c, d) explicit 1:3 + TOPSIS; root equal, geometric
    nodes = (
        P.NodeStep("dim1", (0, 1), {"method": "entropy", "variant": "zero_ln_zero"}, {"method": "arithmetic"}),
        P.NodeStep("dim2", (2, 3), {"method": "explicit", "values": [0.25, 0.75]},
                   {"method": "topsis", "normalisation": "vector", "weighting": "pre_multiply", "ideal": "observed"}),
        P.NodeStep("root", (4, 5), {"method": "equal"}, {"method": "geometric", "zero_policy": "epsilon", "epsilon": 1e-3}),
    )
    base = dict(indicators=("a", "b", "c", "d"), leaf_codes=("a", "b", "c", "d"), nodes=nodes, directions=(1, -1, 1, 1),
                panel="per_year")
    base.update(kw)
    return P.Plan(**base)


def test_tree_equals_the_verbs_by_hand():
    rng = np.random.default_rng(3)
    x = rng.uniform(1, 10, size=(2, 40, 4))
    plan = toy_plan()
    r = P.run(plan, x)
    z = N.min_max(x, [1, -1, 1, 1]) * 100
    np.testing.assert_allclose(r.prepared.normalised, z)
    w1 = W.entropy(z[..., :2])
    s1 = A.weighted_arithmetic(z[..., :2], w1)
    t2 = A.topsis(z[..., 2:], [0.25, 0.75])
    s2 = t2.closeness * 100
    root = A.geometric(np.stack([s1, s2], -1), [0.5, 0.5], zero="epsilon", eps=1e-3)
    v = r.scored.values
    np.testing.assert_allclose(v[..., 4], s1)
    np.testing.assert_allclose(v[..., 5], s2)
    np.testing.assert_allclose(v[..., 6], root)
    np.testing.assert_allclose(r.scored.topsis["dim2"].d_plus, t2.d_plus)
    np.testing.assert_allclose(r.scored.weights["dim1"], w1)
    eff = r.scored.effective
    np.testing.assert_allclose(eff[..., :2], 0.5 * w1)
    np.testing.assert_allclose(eff[..., 2:4], [[0.125, 0.375]] * 2)
    assert r.scored.ranks[..., 6].min() == 1


def test_batched_over_samples_equals_loop():
    rng = np.random.default_rng(5)
    x = rng.uniform(1, 10, size=(6, 3, 30, 4))  # [samples, years, units, indicators]
    for panel in ("per_year", "pooled", "frozen"):
        plan = toy_plan(panel=panel, base_index=1)
        batched = P.run(plan, x).scored.values
        for s in range(x.shape[0]):
            np.testing.assert_allclose(batched[s], P.run(plan, x[s]).scored.values, rtol=1e-12, atol=1e-12)


def test_panel_anchors():
    rng = np.random.default_rng(7)
    x = rng.uniform(1, 10, size=(3, 25, 4))
    per = P.run(toy_plan(panel="per_year"), x).prepared.normalised
    pooled = P.run(toy_plan(panel="pooled"), x).prepared
    frozen = P.run(toy_plan(panel="frozen", base_index=0), x).prepared
    assert np.nanmin(per[1, :, 0]) == 0 and np.nanmax(per[1, :, 0]) == pytest.approx(100, abs=1e-12)  # own 0 and 100
    assert np.nanmin(pooled.normalised[:, :, 0]) == 0 and np.nanmax(pooled.normalised[:, :, 0]) == pytest.approx(100, abs=1e-12)
    np.testing.assert_allclose(per, N.min_max(x, [1, -1, 1, 1]) * 100, rtol=1e-13, atol=1e-12)  # fused = normalise.min_max
    np.testing.assert_allclose(frozen.normalised[0], per[0])  # base year = its own min–max
    lo, hi = np.nanmin(x[0], axis=0), np.nanmax(x[0], axis=0)
    np.testing.assert_allclose(frozen.normalised[2, :, 0], (x[2, :, 0] - lo[0]) / (hi[0] - lo[0]) * 100)
    # adding a year leaves the frozen base-year scores (and weights) alone
    a = P.run(toy_plan(panel="frozen"), x[:2]).scored.values
    b = P.run(toy_plan(panel="frozen"), x).scored.values
    np.testing.assert_allclose(a, b[:2], rtol=1e-13)


def test_moderate_and_interval_follow_the_panel_mode():
    """适度/区间 columns take M from the same range as min–max: each year's own (per_year), all years
    (pooled) or the base year (frozen). By hand: M = max(|lo − x*|, |hi − x*|) (moderate) and
    max(a − lo, hi − b) (interval, methods_formulas.md §0)."""
    x = np.array([  # years × units × (a, moderate b with x* = 5, interval c on [4, 6], d)
        [[1.0, 3.0, 2.0, 1.0], [2.0, 5.0, 5.0, 2.0], [3.0, 6.0, 8.0, 3.0]],
        [[1.0, 1.0, 0.0, 1.0], [2.0, 5.0, 5.0, 2.0], [3.0, 9.0, 7.0, 3.0]],
    ])
    nodes = (P.NodeStep("dim1", (0, 1), {"method": "equal"}, {"method": "arithmetic"}),
             P.NodeStep("dim2", (2, 3), {"method": "equal"}, {"method": "arithmetic"}),
             P.NodeStep("root", (4, 5), {"method": "equal"}, {"method": "arithmetic"}))
    plan = lambda panel: toy_plan(panel=panel, nodes=nodes, directions=(1, "moderate", "interval", 1),  # noqa: E731
                                  optimum=(None, 5.0, None, None), interval=(None, None, (4.0, 6.0), None))
    per = P.run(plan("per_year"), x).prepared
    frozen = P.run(plan("frozen"), x).prepared
    pooled = P.run(plan("pooled"), x).prepared
    # per year: year 2 b range [1, 9], M = 4; c range [0, 7], M = max(4 − 0, 7 − 6) = 4
    np.testing.assert_allclose(per.normalised[1, :, 1], [100 * (1 - 4 / 4), 100, 100 * (1 - 4 / 4)])
    np.testing.assert_allclose(per.normalised[1, :, 2], [100 * (1 - 4 / 4), 100, 100 * (1 - 1 / 4)])
    assert per.bounds is None
    # frozen at year 1: b range [3, 6] → M = 2; c range [2, 8] → M = max(2, 2) = 2; year 2 scores below 0 allowed
    np.testing.assert_allclose(frozen.normalised[1, :, 1], [100 * (1 - 4 / 2), 100, 100 * (1 - 4 / 2)])
    np.testing.assert_allclose(frozen.normalised[1, :, 2], [100 * (1 - 4 / 2), 100, 100 * (1 - 1 / 2)])
    np.testing.assert_allclose(frozen.normalised[0], per.normalised[0])  # the base year is its own range
    np.testing.assert_array_equal(np.ravel(frozen.bounds[0])[1:3], [3.0, 2.0])
    # pooled: b range [1, 9] → M = 4; c range [0, 8] → M = max(4, 2) = 4, in both years
    np.testing.assert_allclose(pooled.normalised[0, :, 1], [100 * (1 - 2 / 4), 100, 100 * (1 - 1 / 4)])
    np.testing.assert_allclose(pooled.normalised[0, :, 2], [100 * (1 - 2 / 4), 100, 100 * (1 - 2 / 4)])
    # adding a year leaves the frozen base-year scores alone, moderate/interval columns included
    a = P.run(plan("frozen"), x[:1]).scored.values
    np.testing.assert_allclose(a[0], P.run(plan("frozen"), x).scored.values[0], rtol=1e-13)
    # and the verbs by themselves: anchors replace the cross-section's range
    np.testing.assert_allclose(N.moderate(x[1][:, [1]], [5.0], anchors=([3.0], [6.0]))[:, 0], [-1.0, 1.0, -1.0])
    np.testing.assert_allclose(N.interval_optimal(x[1][:, [2]], [4.0], [6.0], anchors=([2.0], [8.0]), clip=True)[:, 0],
                               [0.0, 1.0, 0.5])


def test_missing_year_policies():
    x = np.random.default_rng(1).uniform(1, 10, size=(2, 10, 4))
    x[1, :, 3] = np.nan  # indicator d not published in year 2
    cf = P.run(toy_plan(), x)
    assert cf.prepared.carried_forward[1, 3] and cf.prepared.imputed_mask[1, :, 3].all()
    np.testing.assert_array_equal(cf.prepared.imputed[1, :, 3], x[0, :, 3])
    dr = P.run(toy_plan(missing_years="drop"), x)
    assert not dr.prepared.keep_indicators[1, 3]
    assert dr.scored.weights["dim2"][1].tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="no observation"):
        P.run(toy_plan(missing_years="error"), x)


def test_geometric_zero_without_policy_names_the_node():
    plan = toy_plan()
    # min–max gives every column a 0, so a geometric mean with zero_policy "error" must stop at dim1
    nodes = (P.NodeStep("dim1", (0, 1), {"method": "equal"}, {"method": "geometric", "zero_policy": "error"}),) + plan.nodes[1:]
    x = np.random.default_rng(2).uniform(1, 10, size=(3, 20, 4))  # 3 years: weights [T, k] meet values [T, m, k]
    with pytest.raises(P.ZeroInMeanError, match="node 'dim1': geometric mean over a zero") as e:
        P.run(P.Plan(**{**plan.__dict__, "nodes": nodes}), x)
    # where: (year, unit, child) of the first zero; the child is one of dim1's leaves
    t, i, k = e.value.where
    assert e.value.value == 0.0 and e.value.child == plan.node_codes[nodes[0].children[k]]


def test_tiers():
    s = np.array([[90.0, 80, 70, 60, 50, np.nan, 40, 30]])
    assert P.tiers(s, {"method": "top_n", "n": 3}).tolist() == [[1, 1, 1, 0, 0, -1, 0, 0]]
    assert P.tiers(s, {"method": "quantile", "k": 2}).tolist() == [[1, 1, 1, 2, 2, -1, 2, 2]]
    assert P.tiers(s, {"method": "fixed", "cuts": [50, 75]}).tolist() == [[1, 1, 2, 2, 2, -1, 3, 3]]
    nb = P.tiers(np.array([1.0, 1.1, 1.2, 5, 5.1, 9, 9.2]), {"method": "natural_breaks", "k": 3})
    assert nb.tolist() == [3, 3, 3, 2, 2, 1, 1]
    assert P.tiers(s, None).tolist() == [[-1] * 8]


def test_mcda_node_leaves_out_children_with_zero_weight():
    """A screened-out child (weight 0, values missing that year) is left out of an MCDA method's matrix, as the
    weighted means leave it out; per-child options follow the kept children. By hand: the method on the kept
    columns only."""
    from xianping.engine import mcda

    rng = np.random.default_rng(4)
    v = rng.uniform(1, 100, size=(3, 25, 4))  # [years, units, children]
    w = np.tile([0.4, 0.3, 0.2, 0.1], (3, 1))
    v[1, :, 2] = np.nan
    w[1, 2] = 0.0
    vik = mcda.RANKING_METHODS["vikor"]
    got = P._mcda_score(vik, v, w, {"v": 0.5, "zero_range": "nan"})
    for t, cols in ((0, [0, 1, 2, 3]), (1, [0, 1, 3]), (2, [0, 1, 2, 3])):
        q = mcda.compromise.vikor(v[t][:, cols], w[t, cols], 1, v=0.5).preference
        np.testing.assert_allclose(got[t], 1 - q, rtol=1e-12)
    prom = mcda.RANKING_METHODS["promethee_ii"]
    opts = {"preference_function": ["usual", "vshape", "level", "usual"], "p": [20, 20, 20, 20], "q": [5, 5, 5, 5]}
    got = P._mcda_score(prom, v, w, opts)
    ref = mcda.outranking.promethee_ii(v[1][:, [0, 1, 3]], w[1, [0, 1, 3]], 1, ["usual", "vshape", "usual"],
                                       p=[20, 20, 20], q=[5, 5, 5]).preference
    np.testing.assert_allclose(got[1], ref, rtol=1e-12)


def test_mcda_weights_leave_out_a_child_without_values():
    """MEREC on a slice where one child has no value at all (screened out): weight 0 for it, the others as MEREC on
    the kept columns."""
    from xianping.engine import mcda

    rng = np.random.default_rng(8)
    mat = rng.uniform(1, 100, size=(2, 30, 4))
    mat[1, :, 1] = np.nan
    w = P._mcda_weights(mcda.WEIGHTING_METHODS["merec"], mat, np.array([1.0, 1, -1, 1]), {})
    np.testing.assert_allclose(w[0], mcda.weighting.merec(mat[0], [1, 1, -1, 1]), rtol=1e-12)
    assert w[1, 1] == 0
    np.testing.assert_allclose(w[1, [0, 2, 3]], mcda.weighting.merec(mat[1][:, [0, 2, 3]], [1, -1, 1]), rtol=1e-12)


def test_per_criterion_options_follow_the_kept_children():
    """Leaving a child out cuts the options each method declares per criterion (registry `per_criterion`): RANCOM's
    pairwise matrix loses the row and the column, a ranking its entry; COMET's one flat list of characteristic
    values stays shared even when it happens to have one entry per child."""
    from xianping.engine import mcda

    rancom = mcda.WEIGHTING_METHODS["rancom"]
    M = [[0.5, 1, 1, 1], [0, 0.5, 1, 1], [0, 0, 0.5, 1], [0, 0, 0, 0.5]]
    got = mcda.options_for_criteria(rancom, {"ranking": None, "matrix": M}, [0, 2, 3], 4)
    assert got["matrix"] == [[0.5, 1, 1], [0, 0.5, 1], [0, 0, 0.5]]
    mat = np.random.default_rng(1).uniform(1, 9, size=(1, 10, 4))
    mat[0, :, 1] = np.nan  # child 1 screened out
    w = P._mcda_weights(rancom, mat, 1, {"ranking": [1, 2, 3, 4], "matrix": None})
    np.testing.assert_allclose(w[0, [0, 2, 3]], mcda.weighting.rancom(None, ranking=[1, 3, 4]), rtol=1e-12)
    assert w[0, 1] == 0
    comet = mcda.RANKING_METHODS["comet"]
    flat = {"cvalues": [0, 50, 100]}
    assert mcda.options_for_criteria(comet, flat, [0, 2], 3) == flat
    nested = {"cvalues": [[0, 1], [0, 2], [0, 3]]}
    assert mcda.options_for_criteria(comet, nested, [0, 2], 3)["cvalues"] == [[0, 1], [0, 3]]
