"""The robust layer end to end: no uncertainty = the nominal evaluation exactly; seeded; batched = one by one;
located spec errors; Sobol output; rank statistics by hand."""

from __future__ import annotations

import numpy as np
import pytest

from xianping.problems import XianpingInputError
from xianping.robust import evaluate_batch as EB
from xianping.robust.run import robust
from xianping.robust.spec import load_spec

from .conftest import ASEM, BENCH

BENCH_SPEC = str(BENCH / "spec.yaml")
BENCH_FW = str(BENCH / "framework.yaml")


def test_no_uncertainty_equals_the_nominal_evaluation(asem_model):
    from xianping.evaluation import evaluate

    ev = evaluate(str(ASEM / "framework.yaml"), data=str(ASEM / "data.csv"))
    k = ev.nodes.index("Index")
    for spec in ({"inputs": []},
                 {"inputs": [{"name": "agg", "kind": "aggregation", "alternatives": ["arithmetic"]},
                             {"name": "ex", "kind": "exclude", "alternatives": [[]]}]}):
        r = robust(None, spec=spec, n=20, seed=3, model=asem_model)
        assert np.array_equal(r.nominal_scores, ev.scores[..., k])  # bit for bit
        assert np.array_equal(r.nominal_ranks, ev.ranks[..., k])
        assert np.array_equal(r.ranks, np.broadcast_to(ev.ranks[..., k], r.ranks.shape))
        for a in (r.stats.median, r.stats.q05, r.stats.q95, r.stats.mean):
            assert np.array_equal(a, ev.ranks[..., k])
        assert np.all(r.stats.mean_abs_shift == 0) and np.all(r.shift == 0)


def test_batched_equals_one_sample_at_a_time(small_bench):
    """Chunks of any size give the same ranks as the engine's `score` run sample by sample with the same weights."""
    import dataclasses

    from xianping.engine import pipeline as P
    from xianping.robust.load import load_model
    from xianping.robust.sample import random_design

    model = load_model(BENCH_FW, data=str(small_bench))
    sp = load_spec(BENCH_SPEC)
    res = EB.resolve(sp, model.plan)
    design = random_design(12, res.dims, seed=5)
    batch = EB.rows_of_design(res, design)
    ctx = EB.build_context(model, res, [batch])
    a, _, _ = EB.evaluate_rows(ctx, batch, chunk=5)
    b, _, _ = EB.evaluate_rows(ctx, batch, chunk=1)
    assert np.array_equal(a, b)
    for row in range(12):
        key = EB._group_key(res, batch.C[row])
        plan = ctx.plans[key]
        f = EB._factors(res, plan, batch.C[row : row + 1], batch.U[row : row + 1])
        nodes = []
        for s in plan.nodes:  # the same weights written into the plan, one evaluation
            w = np.full(len(s.children), 1.0 / len(s.children)) * f[s.code][0, 0]
            nodes.append(dataclasses.replace(s, weights={"method": "explicit", "values": list(w / w.sum())}))
        p1 = dataclasses.replace(plan, nodes=tuple(nodes))
        one = P.run(p1, model.x)
        np.testing.assert_array_equal(a[row], one.scored.ranks[..., -1])


def test_same_seed_same_results_and_outputs(small_bench, tmp_path):
    r1 = robust(BENCH_FW, data=str(small_bench), spec=BENCH_SPEC, n=40, seed=11)
    r2 = robust(BENCH_FW, data=str(small_bench), spec=BENCH_SPEC, n=40, seed=11)
    assert np.array_equal(r1.ranks, r2.ranks)
    r3 = robust(BENCH_FW, data=str(small_bench), spec=BENCH_SPEC, n=40, seed=12)
    assert not np.array_equal(r1.ranks, r3.ranks)
    # rank statistics by hand for one unit
    i = 7
    col = r1.ranks[:, 0, i].astype(float)
    assert r1.stats.median[0, i] == np.quantile(col, 0.5)
    assert r1.stats.q05[0, i] == pytest.approx(np.quantile(col, 0.05))
    assert r1.stats.q95[0, i] == pytest.approx(np.quantile(col, 0.95))
    assert r1.stats.mean_abs_shift[0, i] == pytest.approx(np.mean(np.abs(col - r1.nominal_ranks[0, i])))
    assert r1.tier_p[0, 0, i] == pytest.approx(np.mean(col <= 30))
    assert set(r1.moved_by.ravel()) <= {0, 1, 2}
    w = r1.write(tmp_path)
    import csv

    rows = list(csv.DictReader(open(w["rank_stats"], encoding="utf-8")))
    assert len(rows) == 300
    assert {"unit_code", "nominal_rank", "median_rank", "q05", "q95", "rank_interval", "p_top30", "mean_abs_rank_shift",
            "moved_most_by"} <= set(rows[0])
    assert (tmp_path / "robust.manifest.json").exists() and "sensitivity" not in w


def test_sobol_design_writes_sensitivity(small_bench, tmp_path):
    spec = load_spec(BENCH_SPEC).model_copy(update={"design": "sobol", "bootstrap": 50})
    r = robust(BENCH_FW, data=str(small_bench), spec=spec, n=64, seed=1)
    assert r.ranks.shape[0] == 64 * 5
    s = r.sobol["saltelli2010"]
    assert s["S1"].shape == (3, 1) and np.all(s["ST"] >= 0)
    # aggregation (arithmetic vs geometric) dominates on lognormal data, as in COINr's ASEM vignette
    assert np.argmax(s["ST"][:, 0]) == 2
    assert np.all(s["ST_ci"][0] <= s["ST_ci"][1])
    assert r.sobol["per_unit"]["ST"].shape == (3, 1, 300)
    w = r.write(tmp_path)
    import csv

    rows = list(csv.DictReader(open(w["sensitivity"], encoding="utf-8")))
    assert [x["input"] for x in rows] == ["weights_indicators", "weights_groups", "aggregation"]
    assert {"S1_saltelli2010", "S1_jansen", "ST", "ST_q05", "ST_q95"} <= set(rows[0])


def test_spec_errors_are_located(tmp_path):
    bad = tmp_path / "spec.yaml"
    bad.write_text("inputs:\n  - {name: w, kind: weights, noise: 1.5, level: 1}\n"
                   "  - {name: n, kind: normalisation, alternatives: [{method: min_max, to: [2, 5]}]}\n", encoding="utf-8")
    with pytest.raises(XianpingInputError) as e:
        load_spec(bad)
    probs = e.value.report.problems
    assert [p.row for p in probs] == [2, 3]
    assert probs[0].column.startswith("inputs[0]") and "noise" in probs[0].column


def test_spec_against_framework_errors(asem_model):
    sp = load_spec({"inputs": [{"name": "w", "kind": "weights", "noise": 0.2, "nodes": ["Nope"]},
                               {"name": "x", "kind": "exclude", "alternatives": [["Goods"], ["nothing_here"]]}]})
    with pytest.raises(XianpingInputError) as e:
        EB.resolve(sp, asem_model.plan)
    kinds = [p.column for p in e.value.report.problems]
    assert kinds == ["inputs[0].nodes", "inputs[1].alternatives[1]"]


def test_exclude_drops_the_indicator(asem_model):
    """Excluding an indicator = the framework without it (its weight 0, the siblings renormalised)."""
    import dataclasses

    from xianping.engine import pipeline as P

    spec = {"inputs": [{"name": "ex", "kind": "exclude", "alternatives": [["Goods"]]}]}
    r = robust(None, spec=spec, n=3, seed=0, model=asem_model)
    plan = asem_model.plan
    gi = plan.leaf_codes.index("Goods")
    nodes = []
    for s in plan.nodes:
        if gi in s.children:
            kids = tuple(c for c in s.children if c != gi)
            s = dataclasses.replace(s, children=kids)
        nodes.append(s)
    p = P.run(dataclasses.replace(plan, nodes=tuple(nodes)), asem_model.x, asem_model.den,
              asem_model.groups(asem_model.settings["impute"]), asem_model.times)
    np.testing.assert_array_equal(r.ranks[0], p.scored.ranks[..., -1])


def test_rank_stats_in_blocks_equal_whole():
    from xianping.robust import rank_stats as RS

    rng = np.random.default_rng(0)
    r = rng.integers(1, 50, (31, 2, 23)).astype(np.float32)
    r[3, 1, 5] = np.nan
    nom = rng.integers(1, 50, (2, 23)).astype(float)
    a, b = RS.rank_stats(r, nom, block=4), RS.rank_stats(r, nom, block=1 << 16)
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=1e-12)
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(a.q95, np.nanquantile(r.astype(float), 0.95, axis=0))
    np.testing.assert_allclose(RS.mean_abs_shift(r, nom, block=4), RS.mean_abs_shift(r, nom), rtol=1e-12)


def test_weighting_alternatives_equal_plans_with_that_method(small_bench):
    """A weighting input (equal or entropy for the indicators in each group) gives the engine's `run` on the plan
    with that weight method, and entropy weights times the noise factors when weights are noisy too."""
    import dataclasses

    from xianping.engine import pipeline as P
    from xianping.engine import weights as W
    from xianping.robust.load import load_model
    from xianping.robust.sample import random_design

    model = load_model(BENCH_FW, data=str(small_bench))
    sp = load_spec({"inputs": [{"name": "wm", "kind": "weighting", "level": 2, "alternatives": ["equal", "entropy"]}]})
    res = EB.resolve(sp, model.plan)
    design = random_design(8, res.dims, seed=1)
    batch = EB.rows_of_design(res, design)
    assert set(batch.C[:, 0]) == {0, 1}
    ctx = EB.build_context(model, res, [batch])
    ranks, _, _ = EB.evaluate_rows(ctx, batch, chunk=3)
    groups = [s.code for s in model.plan.nodes[:-1]]
    for alt, method in ((0, {"method": "equal"}), (1, {"method": "entropy", "variant": "zero_ln_zero", "shift": 0.01})):
        nodes = tuple(dataclasses.replace(s, weights=method) if s.code in groups else s for s in model.plan.nodes)
        one = P.run(dataclasses.replace(model.plan, nodes=nodes), model.x)
        for r in np.flatnonzero(batch.C[:, 0] == alt):
            np.testing.assert_array_equal(ranks[r], one.scored.ranks[..., -1])
    assert W.entropy  # the engine verb behind the entropy alternative
    with pytest.raises(XianpingInputError):
        EB.resolve(load_spec({"inputs": [{"name": "x", "kind": "weighting", "alternatives": ["ahp"]}]}), model.plan)


def test_natural_break_tiers_are_drawn_again_in_every_sample(small_bench):
    """P(tier) under Jenks tiers: each sample's scores get their own natural breaks (engine.rank.natural_breaks_batch
    inside the batched evaluation); checked against Jenks run by hand on each sample's scores, one at a time."""
    from xianping.engine import rank as R
    from xianping.robust.load import load_model
    from xianping.robust.sample import random_design

    tiers = {"method": "natural_breaks", "k": 4}
    spec = {"tiers": tiers, "inputs": [{"name": "w", "kind": "weights", "level": 1, "noise": 0.25}]}
    r = robust(BENCH_FW, data=str(small_bench), spec=spec, n=24, seed=5)
    assert r.tier_classes == [1, 2, 3, 4] and r.tier_p.shape == (4, 1, 300)
    np.testing.assert_allclose(r.tier_p.sum(axis=0), 1.0)
    model = load_model(BENCH_FW, data=str(small_bench))
    sp = load_spec(spec)
    res = EB.resolve(sp, model.plan)
    batch = EB.rows_of_design(res, random_design(6, res.dims, seed=5))
    ctx = EB.build_context(model, res, [batch], tiers)
    _, cls, scores = EB.evaluate_rows(ctx, batch, keep_scores=True)
    for row in range(6):
        _, c = R.natural_breaks(scores[row, 0], 4)
        np.testing.assert_array_equal(cls[row, 0], 4 - c)  # tier 1 = the best class
