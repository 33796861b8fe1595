"""Bad settings give clear, located errors (or warnings that become errors with strict):
weights that don't sum, zero-variance columns for entropy, geometric mean on zeros with zero_policy
error, AHP CR ≥ 0.1 (warning with the CR; error when strict), unknown settings."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from xianping.evaluation import evaluate
from xianping.problems import XianpingInputError

DATA = "unit_code,year,xa,xb,xc,xd\n" + "\n".join(
    f"u{i},2020,{1 + i},{(i * 7) % 5 + 1},{5.0},{10 - i % 4}" for i in range(12)) + "\n"

LEAVES = """
      - {code: a, name_zh: A, indicator: {code: xa, unit: '1', direction: positive}}
      - {code: b, name_zh: B, indicator: {code: xb, unit: '1', direction: positive}}
      - {code: c, name_zh: C, indicator: {code: xc, unit: '1', direction: positive}}
      - {code: d, name_zh: D, indicator: {code: xd, unit: '1', direction: negative}}
"""


def write(tmp_path, root_extra: str, leaves: str = LEAVES):
    fw = tmp_path / "fw.yaml"
    fw.write_text(textwrap.dedent(f"""\
        code: toy
        name_zh: 玩具
        name_en: Toy
        root:
          code: idx
          name_zh: 指数
        """) + textwrap.indent(textwrap.dedent(root_extra), "  ") + "  children:" + leaves, encoding="utf-8")
    data = tmp_path / "data.csv"
    data.write_text(DATA, encoding="utf-8")
    return str(fw), str(data)


def test_weights_that_do_not_sum(tmp_path):
    leaves = LEAVES.replace("name_zh: A,", "name_zh: A, weight: 0.3,").replace("name_zh: B,", "name_zh: B, weight: 0.3,") \
        .replace("name_zh: C,", "name_zh: C, weight: 0.3,").replace("name_zh: D,", "name_zh: D, weight: 0.3,")
    fw, data = write(tmp_path, "", leaves)
    r = evaluate(fw, data=data)
    p = [x for x in r.problems if x.kind == "weights_do_not_sum"]
    assert p and p[0].severity == "warning" and p[0].value == 1.2 and p[0].file == fw and "root" in p[0].column
    assert r.weights["idx"][0].tolist() == pytest.approx([0.25] * 4)
    with pytest.raises(XianpingInputError) as e:
        evaluate(fw, data=data, settings={"strict": True})
    assert "weights_do_not_sum" in e.value.report.kinds()


def test_zero_variance_column_for_entropy(tmp_path):
    fw, data = write(tmp_path, "weights: entropy\n")
    r = evaluate(fw, data=data)
    p = [x for x in r.problems if x.kind == "zero_variance"]
    assert len(p) == 1 and p[0].value == "c" and p[0].severity == "warning" and p[0].file == fw
    assert r.weights["idx"][0, 2] == 0.0 and np.isclose(r.weights["idx"][0].sum(), 1)
    with pytest.raises(XianpingInputError) as e:
        evaluate(fw, data=data, settings={"strict": True})
    assert "zero_variance" in e.value.report.kinds()


@pytest.mark.parametrize("spec", ["{method: geometric}", "{method: geometric, zero_policy: error}"])
def test_geometric_mean_on_zeros_without_a_policy(tmp_path, spec):
    # no policy declared means no silent epsilon: min-max gives u0 a 0 on xa (its minimum)
    fw, data = write(tmp_path, f"aggregation: {spec}\n")
    with pytest.raises(XianpingInputError) as e:
        evaluate(fw, data=data)
    p = e.value.report.errors[0]
    assert p.kind == "zero_in_mean" and p.file == fw and p.column == "root" and p.value == 0
    assert "geometric mean of unit u0 in 2020" in p.message and "child 'a'" in p.message
    assert "zero_policy: epsilon" in p.expected
    # with a declared policy it runs, and the manifest names the policy
    fw2, _ = write(tmp_path, "aggregation: {method: geometric, zero_policy: epsilon, epsilon: 0.001}\n")
    r = evaluate(fw2, data=data)
    assert r.manifest["steps"]["nodes"]["idx"]["aggregation"] == {"method": "geometric", "zero_policy": "epsilon", "epsilon": 0.001}


def test_ahp_consistency(tmp_path):
    bad = "weights: {method: ahp, matrix: [[1, 9, 1/9, 1], [1/9, 1, 9, 1], [9, 1/9, 1, 1], [1, 1, 1, 1]]}\n"
    fw, data = write(tmp_path, bad)
    r = evaluate(fw, data=data)
    p = [x for x in r.problems if x.kind == "ahp_inconsistent"]
    assert p and p[0].severity == "warning" and p[0].value > 0.1 and "matrix" in p[0].column
    node = r.manifest["steps"]["nodes"]["idx"]["weights"]
    assert node["ri_table"] == "saaty" and node["cr"] == pytest.approx(p[0].value, abs=1e-6)
    with pytest.raises(XianpingInputError) as e:
        evaluate(fw, data=data, settings={"strict": True})
    assert e.value.report.errors[0].kind == "ahp_inconsistent"
    good = "weights: {method: ahp, matrix: [[1, 3, 5, 1], [1/3, 1, 2, 1/3], [1/5, 1/2, 1, 1/5], [1, 3, 5, 1]]}\n"
    fw, data = write(tmp_path, good)
    r = evaluate(fw, data=data, settings={"strict": True})
    assert r.manifest["steps"]["nodes"]["idx"]["weights"]["cr"] < 0.1


def test_unknown_setting_and_missing_indicator(tmp_path):
    fw, data = write(tmp_path, "")
    with pytest.raises(XianpingInputError) as e:
        evaluate(fw, data=data, settings={"pannel": "pooled"})
    assert e.value.report.errors[0].kind == "unknown_setting" and e.value.report.errors[0].column == "pannel"
    (tmp_path / "d2.csv").write_text("unit_code,year,xa,xb,xc\nu1,2020,1,2,3\n", encoding="utf-8")
    with pytest.raises(XianpingInputError) as e:
        evaluate(fw, data=str(tmp_path / "d2.csv"))
    assert e.value.report.errors[0].kind == "indicator_not_in_data" and "xd" in e.value.report.errors[0].message


def test_cli_reports_located_error(tmp_path):
    from typer.testing import CliRunner

    from xianping.cli.main import main  # noqa: F401  (main() prints reports; invoke the app for the exit code)
    from xianping.cli.main import app

    fw, data = write(tmp_path, "aggregation: {method: geometric, zero_policy: error}\n")
    r = CliRunner().invoke(app, ["evaluate", "-f", fw, "--data", data, "--out", str(tmp_path / "o.csv")])
    assert r.exit_code != 0
    assert isinstance(r.exception, XianpingInputError) and "idx" in str(r.exception)


def test_another_tier_method_does_not_inherit_top_n(tmp_path):
    """Settings merge over the defaults, but a different tier method starts afresh: {method: quantile, k: 4} must not
    carry top_n's n = 30 into the manifest."""
    fw, data = write(tmp_path, "")
    r = evaluate(fw, data=data, settings={"tiers": {"method": "quantile", "k": 4}})
    assert r.manifest["settings"]["tiers"] == {"method": "quantile", "k": 4}
    r = evaluate(fw, data=data, settings={"tiers": {"n": 5}})
    assert r.manifest["settings"]["tiers"] == {"method": "top_n", "n": 5}
