"""Outranking methods (engine.mcda.outranking: PROMETHEE II, PROSA-C) against the pymcdm and
pyrepo-mcda oracles.

Oracles: tests/engine/oracles/mcda/pymcdm_test_oracles.json (pymcdm tests/test_mcdm.py @76e7735) and
pyrepo_mcda_test_oracles.json (pyrepo-mcda tests/test_mcda_methods_2.py @b3ac297). Each case is compared
the way the upstream assertion compares: the net flow rounded to the test's digits equals `expected`.
The preference function of each upstream test is not among the captured locals; it is taken from the
test source (pymcdm PROMETHEE_II('usual'); pyrepo `_linear_function` = our "vshape_2", `_vshape_function`
= "vshape"), as is PROSA-C's `s`.
"""

import itertools

import numpy as np
import pytest

from xianping.engine.mcda import outranking as O
from xianping.engine.mcda._registry import RankingMethod

from .oracle_io import CaseBook, assert_published, case_id, load_json, mcda_inputs, method_key

PYMCDM = load_json("mcda/pymcdm_test_oracles.json")["cases"]
PYREPO = load_json("mcda/pyrepo_mcda_test_oracles.json")["cases"]

OWNED = {"PROMETHEE_II", "PROSA_C"}
BOOK = CaseBook()
COVERED, cases, cid = BOOK.covered, BOOK.cases, case_id
inputs = mcda_inputs


# ---------------------------------------------------------------------------------------------
# oracle cases


@pytest.mark.parametrize("case", cases(PYMCDM, "test_mcdm.TestPROMETHEE_II.test_output"), ids=cid)
def test_promethee_ii_pymcdm(case):
    """pymcdm @76e7735 TestPROMETHEE_II.test_output (Zhao, Peng & Li 2013): usual criterion; round 2."""
    x, w, t = inputs(case)
    assert_published(case, O.promethee_ii(x, w, t, "usual").preference, 2)


@pytest.mark.parametrize("case", cases(PYREPO, "test_mcda_methods_2.Test_PROMETHEE_II.test_promethee_II"), ids=cid)
def test_promethee_ii_pyrepo(case):
    """pyrepo-mcda @b3ac297 Test_PROMETHEE_II.test_promethee_II (Papathanasiou & Ploskas 2018, ch. 3):
    linear criterion (vshape_2) with p = 2, q = 1 for all criteria; round 2."""
    x, w, t = inputs(case)
    got = O.promethee_ii(x, w, t, "vshape_2", p=case["locals"]["p"], q=case["locals"]["q"]).preference
    assert_published(case, got, 2)


@pytest.mark.parametrize("case", cases(PYREPO, "test_mcda_methods_2.Test_PROMETHEE_II_2.test_promethee_II"), ids=cid)
def test_promethee_ii_2_pyrepo(case):
    """pyrepo-mcda @b3ac297 Test_PROMETHEE_II_2.test_promethee_II (Ziemba 2019, Sustainability 11(6)
    1555): linear criterion with per-criterion p and q; round 4."""
    x, w, t = inputs(case)
    got = O.promethee_ii(x, w, t, "vshape_2", p=case["locals"]["p"], q=case["locals"]["q"]).preference
    assert_published(case, got, 4)


@pytest.mark.parametrize("case", cases(PYREPO, "test_mcda_methods_2.Test_PROMETHEE_II_3.test_promethee_II"), ids=cid)
def test_promethee_ii_3_pyrepo(case):
    """pyrepo-mcda @b3ac297 Test_PROMETHEE_II_3.test_promethee_II (Ziemba, Wątróbski, Zioło &
    Karczmarczyk 2017, Energies 10(11) 1755): V-shape criterion with per-criterion p (q left to the
    default, which V-shape does not use); round 4."""
    x, w, t = inputs(case)
    assert_published(case, O.promethee_ii(x, w, t, "vshape", p=case["locals"]["p"]).preference, 4)


# pyrepo Test_PROSA_C passes s, which is not among the captured locals: copied from the test source
PROSA_S = [0.4, 0.5, 0.3, 0.4, 0.3, 0.4, 0.3, 0.3, 0.2, 0.4, 0.4, 0.2]


@pytest.mark.parametrize("case", cases(PYREPO, "test_mcda_methods_2.Test_PROSA_C.test_prosa_c"), ids=cid)
def test_prosa_c_pyrepo(case):
    """pyrepo-mcda @b3ac297 Test_PROSA_C.test_prosa_c (Ziemba 2019): linear criterion, per-criterion
    p, q and sustainability coefficients s of the test source; round 4."""
    x, w, t = inputs(case)
    got = O.prosa_c(x, w, t, "vshape_2", p=case["locals"]["p"], q=case["locals"]["q"], s=PROSA_S)
    assert_published(case, got.preference, 4)
    # its φ_net is the PROMETHEE II net flow of the same problem (pyrepo Test_PROMETHEE_II_2)
    same = O.promethee_ii(x, w, t, "vshape_2", p=case["locals"]["p"], q=case["locals"]["q"]).preference
    np.testing.assert_allclose(got.net_flow, same, rtol=1e-13, atol=1e-15)


def test_all_oracle_cases_covered():
    """Every PROMETHEE II and PROSA-C case of both oracle files is parametrized above."""
    mine = {cid(c) for c in PYMCDM if c["test"].startswith("test_mcdm.") and method_key(c["test"]) in OWNED}
    mine |= {cid(c) for c in PYREPO if c["test"].startswith("test_mcda_methods_") and method_key(c["test"]) in OWNED}
    assert mine == COVERED
    assert len(mine) == 5  # 1 pymcdm + 4 pyrepo cases


# ---------------------------------------------------------------------------------------------
# batched runs: against pymcdm slice by slice, and against a plain transcription of pyrepo's loop

RNG = np.random.default_rng(7)
XB = RNG.uniform(0.5, 10.0, size=(3, 2, 8, 5))
XB[..., 2] = np.round(XB[..., 2])  # ties, so that d = 0 and the thresholds' edges are exercised
WB = RNG.uniform(0.1, 1.0, size=(3, 2, 5))
WB /= WB.sum(axis=-1, keepdims=True)
TYPES = np.array([1, -1, 1, 1, -1])
P = np.array([3.0, 2.5, 2.0, 4.0, 1.5])
Q = np.array([0.5, 1.0, 1.0, 0.2, 0.5])


@pytest.mark.parametrize("pf", ["usual", "ushape", "vshape", "level", "vshape_2"])
def test_batched_against_pymcdm(pf):
    """x (3, 2, 8, 5), w (3, 2, 5) in one call equal pymcdm 1.4.0 PROMETHEE_II(pf, p, q) per 2-D slice."""
    methods = pytest.importorskip("pymcdm.methods")
    got = O.promethee_ii(XB, WB, TYPES, pf, p=P, q=Q).preference
    assert got.shape == (3, 2, 8)
    for a in range(3):
        for b in range(2):
            # a new object per call: pymcdm 1.4.0 keeps the per-criterion functions in a generator when
            # p or q is given, so a PROMETHEE_II object can be called only once
            body = methods.PROMETHEE_II(pf, p=list(P), q=list(Q))
            exp = body(XB[a, b], WB[a, b], TYPES, validation=False)
            np.testing.assert_allclose(got[a, b], exp, rtol=1e-10, atol=1e-10)


def _pyrepo_pf(kind, d, p, q):
    """pyrepo promethee_preference_functions, scalar by scalar (reference transcription)."""
    if kind == "usual":
        return 0.0 if d <= 0 else 1.0
    if kind == "ushape":
        return 0.0 if d <= q else 1.0
    if kind == "vshape":
        return 0.0 if d <= 0 else (d / p if d <= p else 1.0)
    if kind == "level":
        return 0.0 if d <= q else (0.5 if d <= p else 1.0)
    if kind == "vshape_2":
        return 0.0 if d <= q else ((d - q) / (p - q) if d <= p else 1.0)
    s = (p + q) / 2
    return 0.0 if d <= 0 else 1.0 - np.exp(-(d**2) / (2 * s**2))


def _pyrepo_loops(x, w, t, pfs, p, q, s):
    """pyrepo PROMETHEE_II._promethee_II and PROSA_C._prosa_c as their triple loops (reference)."""
    m, n = x.shape
    H = np.zeros((m, m))
    phi = np.zeros((m, n))
    for i, k, j in itertools.product(range(m), range(m), range(n)):
        H[i, k] += _pyrepo_pf(pfs[j], t[j] * (x[i, j] - x[k, j]), p[j], q[j]) * w[j]
        phi[i, j] += (_pyrepo_pf(pfs[j], t[j] * (x[i, j] - x[k, j]), p[j], q[j])
                      - _pyrepo_pf(pfs[j], t[j] * (x[k, j] - x[i, j]), p[j], q[j]))
    net = (H.sum(axis=1) - H.sum(axis=0)) / (m - 1)
    phi /= m - 1
    pn = np.sum(phi * w, axis=1)
    return net, pn - np.sum(np.abs(pn[:, None] - phi) * w * s, axis=1)


MIXED = ["gaussian", "vshape_2", "level", "usual", "gaussian"]


@pytest.mark.parametrize("thresholds", ["given", "default"])
def test_batched_against_pyrepo_loops(thresholds):
    """Mixed preference functions per criterion (incl. pyrepo's gaussian) and PROSA-C, batched, equal
    the transcribed pyrepo loops slice by slice; thresholds given, or pyrepo's defaults p = 2σ, q = σ/2
    (σ the population sd of each criterion in each slice)."""
    s = np.array([0.3, 0.1, 0.5, 0.2, 0.4])
    kw = {"p": P, "q": Q} if thresholds == "given" else {}
    net = O.promethee_ii(XB, WB, TYPES, MIXED, **kw).preference
    psv = O.prosa_c(XB, WB, TYPES, MIXED, s=s, **kw).preference
    for a in range(3):
        for b in range(2):
            x = XB[a, b]
            u = np.sqrt(np.sum((x.mean(axis=0) - x) ** 2, axis=0) / x.shape[0])
            p, q = (P, Q) if thresholds == "given" else (2 * u, 0.5 * u)
            en, ep = _pyrepo_loops(x, WB[a, b], TYPES, MIXED, p, q, s)
            np.testing.assert_allclose(net[a, b], en, rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(psv[a, b], ep, rtol=1e-12, atol=1e-14)


def test_flows_properties():
    """Net flows sum to 0 over units and lie in [−1, 1] when Σw = 1; φ = Σ_j w_j φ_j."""
    r = O.promethee_ii(XB, WB, TYPES, "vshape_2", p=P, q=Q)
    np.testing.assert_allclose(r.preference.sum(axis=-1), 0.0, atol=1e-14)
    assert np.all(np.abs(r.preference) <= 1.0)
    np.testing.assert_allclose(r.preference, np.sum(r.criterion_flows * WB[..., None, :], axis=-1), atol=1e-14)
    np.testing.assert_allclose(r.phi_plus - r.phi_minus, r.preference, atol=1e-15)


# ---------------------------------------------------------------------------------------------
# missing values, registry, bad input


@pytest.mark.parametrize("name", sorted(O.METHODS))
def test_missing_unit_is_nan_and_left_out(name):
    """A unit with a missing criterion gets NaN and the others are compared among themselves only
    (flows divided by m_observed − 1), default thresholds included."""
    m = O.METHODS[name]
    x = XB[1, 1].copy()
    x[2, 4] = np.nan
    for opts in (m.options, {**m.options, "preference_function": "vshape_2"}):
        full = m.func(x, WB[1, 1], TYPES, **opts).preference
        drop = m.func(np.delete(x, 2, axis=0), WB[1, 1], TYPES, **opts).preference
        assert np.isnan(full[2])
        np.testing.assert_allclose(np.delete(full, 2), drop, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(O.METHODS))
def test_registry_entries(name):
    m = O.METHODS[name]
    assert isinstance(m, RankingMethod) and m.name == name and m.label_zh and m.reference
    assert m.better == "higher" and m.to_score == "identity"
    assert m.func(XB, WB, TYPES, **m.options).preference.shape == (3, 2, 8)


def test_bad_input():
    x, w = XB[0, 0], WB[0, 0]
    with pytest.raises(ValueError, match="weights have 3 entries"):
        O.promethee_ii(x, w[:3], TYPES)
    with pytest.raises(ValueError, match="preference_function"):
        O.promethee_ii(x, w, TYPES, "linear")
    with pytest.raises(ValueError, match="preference_function has 2 entries"):
        O.promethee_ii(x, w, TYPES, ["usual", "vshape"])
    with pytest.raises(ValueError, match="p has 4 entries"):
        O.promethee_ii(x, w, TYPES, "vshape", p=[1, 2, 3, 4])
    with pytest.raises(ValueError, match="non-negative"):
        O.promethee_ii(x, w, TYPES, "ushape", q=-1.0)
    with pytest.raises(ValueError, match="s must be non-negative"):
        O.prosa_c(x, w, TYPES, s=-0.1)
