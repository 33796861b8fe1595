"""Coupling coordination, obstacle degree, relative development, strengths/weaknesses.
Source: zhjx19/mathmodels @ 8bf5e8f8 docs/reference/system_evaluation.md (`coupling_degree`, `obstacle_degree`),
published to 3 significant digits and regenerated to 15 digits in R 4.2.2."""

import numpy as np
import pytest

from xianping.analysis.coupling import GRADES, coupling_coordination, grade_of
from xianping.analysis.obstacles import obstacle_degree
from xianping.analysis.relative_development import relative_development
from xianping.analysis.strengths import strengths_weaknesses
from xianping.problems import XianpingInputError

from .oracle_io import load_json

MM = load_json("mathmodels_examples/inputs_and_published.json")
RG = load_json("mathmodels_examples/regenerated_full_precision_R.json")
U = np.array([MM["coupling_degree"]["U"][s] for s in ("s1", "s2", "s3")]).T


def _published(x, digits=3):
    """Round to the significant digits R printed."""
    return float(f"{x:.{digits}g}")


def test_coupling_standard_equal_weights():
    r = coupling_coordination(U)
    pub = MM["coupling_degree"]["published_standard_equal_weights"]
    for key, arr in (("coupling", r.C), ("coord", r.T), ("coupling_coord", r.D)):
        assert [_published(v) for v in arr] == pytest.approx(pub[key], abs=1e-12)
        assert arr == pytest.approx([row[key] for row in RG["coupling_standard_equal"]], abs=1e-12)


def test_coupling_wang_kong_weighted():
    r = coupling_coordination(U, weights=[0.4, 0.3, 0.3], variant="wang_kong")
    pub = MM["coupling_degree"]["published_adjusted_w_0.4_0.3_0.3"]
    for key, arr in (("coupling", r.C), ("coord", r.T), ("coupling_coord", r.D)):
        assert [_published(v) for v in arr] == pytest.approx(pub[key], abs=1e-12)
        assert arr == pytest.approx([row[key] for row in RG["coupling_adjusted_w433"]], abs=1e-12)


def test_coupling_two_subsystems_and_grades():
    r = coupling_coordination([[0.5, 0.5], [0.2, 0.8], [0.0, 0.5]])
    assert r.C[0] == pytest.approx(1.0) and r.C[1] == pytest.approx(2 * np.sqrt(0.16) / 1.0)
    assert np.isnan(r.C[2]) and r.undefined[2] and r.grade[2] == ""   # U = 0: undefined, not 0
    labels, idx = grade_of(np.array([0.0, 0.099, 0.1, 0.55, 0.9, 1.0, np.nan]))
    assert list(labels) == ["极度失调", "极度失调", "严重失调", "勉强协调", "优质协调", "优质协调", ""]
    assert list(idx) == [1, 1, 2, 6, 10, 10, 0]
    assert len(GRADES) == 10


def test_known_wrong_three_subsystem_form_is_refused_with_reason():
    with pytest.raises(XianpingInputError, match="maximum is 1/2"):
        coupling_coordination(U, variant="three_subsystem_product")
    # the reason, checked: the refused form peaks at 1/2 when U1 = U2 = U3
    u = 0.7
    assert (u ** 3 / ((2 * u) ** 3)) ** (1 / 3) == pytest.approx(0.5)
    with pytest.raises(XianpingInputError, match="0, 1"):
        coupling_coordination(U * 100)


@pytest.mark.parametrize("w,key,pubkey", [(None, "obstacle_equal", "published_equal_weights"),
                                          ([0.4, 0.3, 0.3], "obstacle_w433", "published_w_0.4_0.3_0.3")])
def test_obstacle_raw(w, key, pubkey):
    r = obstacle_degree(U, w, scaled=False)
    pub = MM["obstacle_degree"][pubkey]
    for j, s in enumerate(("s1", "s2", "s3")):
        assert [_published(v) for v in r.O[:, j]] == pytest.approx(pub[s], abs=1e-12)
        assert r.O[:, j] == pytest.approx([row[s] for row in RG[key]], abs=1e-12)


def test_obstacle_scaled_top_and_dimensions():
    r = obstacle_degree(U, [0.4, 0.3, 0.3], scaled=True)
    for j, s in enumerate(("s1", "s2", "s3")):
        assert r.O[:, j] == pytest.approx([row[s] for row in RG["obstacle_w433_scaled"]], abs=1e-12)
    idx, val = r.top(2)
    assert idx[0].tolist() == [0, 2] and val[0, 0] == pytest.approx(0.472827327670107)
    names, dim = r.by_dimension(["a", "b", "b"])
    assert names == ["a", "b"] and dim.sum(axis=1) == pytest.approx(1.0)
    none = obstacle_degree([[1.0, 1.0]], scaled=True)
    assert none.no_obstacle[0] and np.isnan(none.O).all()     # no obstacle: undefined, never 1/n


def test_relative_development():
    r = relative_development(U[:, 0], U[:, 1], names=("经济", "生态"))
    assert r.E == pytest.approx(U[:, 0] / U[:, 1])
    assert list(r.label) == ["经济滞后型", "经济滞后型", "生态滞后型", "生态滞后型", "经济滞后型", "生态滞后型"]
    r = relative_development([1.0, 1.15, 0.5], [1.0, 1.0, 0.0], thresholds=(0.9, 1.1))
    assert list(r.label) == ["同步型", "U2滞后型", ""] and r.undefined[2]


def test_strengths_weaknesses():
    R = np.array([[1, 5, 3], [4, 1, 2], [5, 4, 1], [2, 3, 5], [3, 2, 4]], float)
    comp = np.array([2, 1, 5, 3, 4], float)
    r = strengths_weaknesses(R, comp, margin=0.2)
    assert r.gap[0].tolist() == [1, -3, -1]
    s, w = r.top(1)
    assert s[2, 0] == 2 and w[0, 0] == 1
