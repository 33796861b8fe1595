"""均值化 and 初值化 through a framework: the model declares them, the engine computes them (by hand here)."""

import textwrap

import numpy as np
import pytest

from xianping.evaluation import evaluate

FW = """\
code: toy
name_zh: 玩具
name_en: Toy
defaults: {{normalisation: {{method: {method}, panel: per_year}}}}
root:
  code: idx
  name_zh: 指数
  children:
    - {{code: a, name_zh: A, indicator: {{code: xa, unit: '1', direction: positive}}}}
    - {{code: b, name_zh: B, indicator: {{code: xb, unit: '1', direction: negative}}}}
"""
DATA = "unit_code,year,xa,xb\nu1,2010,2,10\nu2,2010,4,5\nu1,2020,3,5\nu2,2020,4,10\n"


@pytest.mark.parametrize("method,z2020,score2020", [
    # x_2020 / x_2010; negative xb: x_2010 / x_2020 → u1 (1.5, 2.0), u2 (1.0, 0.5); equal-weight means
    ("initial_value", [[1.5, 2.0], [1.0, 0.5]], [1.75, 0.75]),
    # x / mean of 2020 (3.5 and 7.5); negative xb: mean / x
    ("mean_ratio", [[3 / 3.5, 7.5 / 5], [4 / 3.5, 7.5 / 10]], [(3 / 3.5 + 1.5) / 2, (4 / 3.5 + 0.75) / 2]),
])
def test_ratio_normalisations(tmp_path, method, z2020, score2020):
    (tmp_path / "fw.yaml").write_text(textwrap.dedent(FW.format(method=method)), encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")
    r = evaluate(str(tmp_path / "fw.yaml"), data=str(tmp_path / "d.csv"))
    np.testing.assert_allclose(r.normalised[1, :, :2], z2020, rtol=1e-12)
    np.testing.assert_allclose(r.scores[1, :, -1], score2020, rtol=1e-12)
    assert r.manifest["steps"]["normalise"]["method"] == method
