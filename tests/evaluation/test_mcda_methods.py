"""The engine.mcda methods through a framework: a node aggregated by VIKOR / PROMETHEE II / COMET, children weighted
by MEREC on their raw values (with the indicators' directions) or by the angle method on normalised ones — each node
score equals the verb called by hand on the same children, options and defaults land in the manifest, and bad
options are located errors."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from xianping.engine.mcda import compromise, outranking, weighting
from xianping.evaluation import evaluate
from xianping.problems import XianpingInputError

DATA = "unit_code,year,xa,xb,xc,xd\n" + "\n".join(
    f"u{i:02d},2020,{1 + i},{(i * 7) % 5 + 1},{2 + (i * 3) % 7},{10 - i % 4}" for i in range(12)) + "\n"

FW = """\
code: toy
name_zh: 玩具
name_en: Toy
root:
  code: idx
  name_zh: 指数
  aggregation: {root_agg}
  children:
    - code: d1
      name_zh: 一
      weights: {{method: merec}}
      aggregation: {{method: vikor, options: {{v: 0.6}}}}
      children:
        - {{code: a, name_zh: A, indicator: {{code: xa, unit: '1', direction: positive}}}}
        - {{code: b, name_zh: B, indicator: {{code: xb, unit: '1', direction: positive}}}}
        - {{code: d, name_zh: D, indicator: {{code: xd, unit: '1', direction: negative}}}}
    - code: d2
      name_zh: 二
      weights: {{method: angle}}
      children:
        - {{code: c, name_zh: C, indicator: {{code: xc, unit: '1', direction: positive}}}}
        - {{code: e, name_zh: E, indicator: {{code: xa, unit: '1', direction: negative}}}}
"""


def run(tmp_path, root_agg="{method: promethee_ii, options: {preference_function: vshape}}"):
    (tmp_path / "fw.yaml").write_text(textwrap.dedent(FW.format(root_agg=root_agg)), encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")
    return evaluate(str(tmp_path / "fw.yaml"), data=str(tmp_path / "d.csv"))


def test_nodes_equal_the_verbs_by_hand(tmp_path):
    r = run(tmp_path)
    col = {c: r.nodes.index(c) for c in r.nodes}
    raw = r.prepared.treated[0]  # the indicators before normalisation
    z = r.normalised[0]
    # MEREC on the raw values of a, b, d with their own directions (+, +, −)
    w1 = weighting.merec(raw[:, [0, 1, 2]], [1, 1, -1])
    np.testing.assert_allclose(r.weights["d1"][0], w1, rtol=1e-12)
    q = compromise.vikor(z[:, [0, 1, 2]], w1, 1, v=0.6).preference
    np.testing.assert_allclose(r.scores[0, :, col["d1"]], (1 - q) * 100, rtol=1e-12)
    w2 = weighting.angle(z[:, [3, 4]], 1)
    np.testing.assert_allclose(r.weights["d2"][0], w2, rtol=1e-12)
    d2 = z[:, [3, 4]] @ w2
    np.testing.assert_allclose(r.scores[0, :, col["d2"]], d2, rtol=1e-12)
    dims = r.scores[0][:, [col["d1"], col["d2"]]]
    phi = outranking.promethee_ii(dims, [0.5, 0.5], 1, preference_function="vshape").preference
    np.testing.assert_allclose(r.scores[0, :, col["idx"]], phi * 100, rtol=1e-12)
    assert r.ranks[0, np.argmax(phi), col["idx"]] == 1
    # every option default is recorded
    text = repr(r.manifest)
    assert "'zero_range': 'nan'" in text and "'basis': 'raw'" in text and "'variant': 'pymcdm'" in text


def test_bad_options_are_located(tmp_path):
    with pytest.raises(XianpingInputError) as e:
        run(tmp_path, root_agg="{method: vikor, options: {lambda: 2}}")
    p = e.value.report.problems[0]
    assert "option_not_for_method" in p.kind + p.message and "lambda" in p.message and "root" in (p.column or "")
    with pytest.raises(XianpingInputError) as e:
        run(tmp_path, root_agg="{method: copras, options: {variant: pymcdm}}")
    assert "defect" in str(e.value)
    with pytest.raises(XianpingInputError) as e:
        run(tmp_path, root_agg="comet")
    assert "cvalues" in str(e.value)


def test_comet_node_with_vikor_as_expert(tmp_path):
    r = run(tmp_path, root_agg="{method: comet, options: {cvalues: [0, 50, 100], expert: vikor}}")
    assert np.all(np.isfinite(r.scores[0, :, -1]))
    assert np.all((r.scores[0, :, -1] >= 0) & (r.scores[0, :, -1] <= 100))
