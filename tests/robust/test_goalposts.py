"""Goalposts noise: each sample's data normalised again with moved goalposts, batched — equal to the engine's
`run` with those goalposts written into the plan, sample by sample."""

from __future__ import annotations

import dataclasses

import numpy as np

from xianping.engine import pipeline as P
from xianping.robust import evaluate_batch as EB
from xianping.robust.load import load_model
from xianping.robust.run import robust
from xianping.robust.sample import random_design
from xianping.robust.spec import load_spec

FW = """code: gp
name_zh: 目标值
name_en: Goalposts
defaults:
  normalisation: {method: goalposts, panel: per_year}
  weights: equal
  aggregation: arithmetic
root:
  code: Index
  name_zh: 指数
  children:
    - code: A
      name_zh: A
      children:
        - {code: a1, name_zh: a1, indicator: {code: a1, unit: '1', direction: positive, goalposts: [0, 60]}}
        - {code: a2, name_zh: a2, indicator: {code: a2, unit: '1', direction: negative, goalposts: [10, 90]}}
    - code: B
      name_zh: B
      children:
        - {code: b1, name_zh: b1, indicator: {code: b1, unit: '1', direction: positive, goalposts: [5, 50]}}
        - {code: b2, name_zh: b2, indicator: {code: b2, unit: '1', direction: positive, goalposts: [0, 100]}}
"""


def test_goalpost_noise_equals_plans_with_those_goalposts(tmp_path):
    rng = np.random.default_rng(3)
    (tmp_path / "fw.yaml").write_text(FW, encoding="utf-8")
    with open(tmp_path / "d.csv", "w") as f:
        f.write("unit_code,a1,a2,b1,b2\n")
        for i in range(60):
            f.write(f"U{i:03d}," + ",".join(f"{v:.4f}" for v in rng.uniform(0, 100, 4)) + "\n")
    spec = {"inputs": [{"name": "gp", "kind": "goalposts", "noise": 0.2},
                       {"name": "w", "kind": "weights", "level": 1, "noise": 0.2}]}
    model = load_model(str(tmp_path / "fw.yaml"), data=str(tmp_path / "d.csv"))
    res = EB.resolve(load_spec(spec), model.plan)
    assert res.dims == [8, 4]
    design = random_design(9, res.dims, seed=2)
    batch = EB.rows_of_design(res, design)
    ctx = EB.build_context(model, res, [batch])
    ranks, _, scores = EB.evaluate_rows(ctx, batch, chunk=4, keep_scores=True)
    gp = np.array(model.plan.goalposts, dtype=float)
    for r in range(9):
        u = batch.U[r]
        g = gp.copy()
        for q in range(8):
            j, e = divmod(q, 2)
            g[j, e] = gp[j, e] + 0.2 * (gp[j, 1] - gp[j, 0]) * (2 * u[q] - 1)
        fac = 1 + 0.2 * (2 * u[8:] - 1)
        nodes = []
        for s in model.plan.nodes[:-1]:
            w = fac[list(s.children)]
            nodes.append(dataclasses.replace(s, weights={"method": "explicit", "values": list(w / w.sum())}))
        plan = dataclasses.replace(model.plan, goalposts=tuple(map(tuple, g)), nodes=tuple(nodes) + model.plan.nodes[-1:])
        one = P.run(plan, model.x)
        np.testing.assert_allclose(scores[r], one.scored.values[..., -1], rtol=1e-12)
        np.testing.assert_array_equal(ranks[r], one.scored.ranks[..., -1])
    out = robust(None, spec=spec, n=30, seed=1, model=model)
    assert out.stats.interval.max() > 0 and set(out.moved_by.ravel()) <= {0, 1}
