"""Utility/ratio-based ranking methods (engine.mcda.utility) against the pymcdm and pyrepo-mcda oracles.

Oracles: tests/engine/oracles/mcda/pymcdm_test_oracles.json (pymcdm tests/test_mcdm.py @76e7735) and
pyrepo_mcda_test_oracles.json (pyrepo-mcda tests/test_mcda_methods_1.py, _2.py @b3ac297). Each case is
compared the way the upstream assertion compares: our output rounded to the test's digits must equal
`expected` exactly. Where a case's captured `locals` lack an input (pymcdm ARAS `esp`, pyrepo PVM
`psi`/`phi`, pyrepo AHP comparison matrices), the value is copied from the upstream test source and the
test says so. Also here: the remaining TOPSIS and AHP cases, run through the existing
`aggregate.topsis` and `weights.ahp`.
"""

import re

import numpy as np
import pytest

from xianping.engine import aggregate as A
from xianping.engine import weights as W
from xianping.engine.mcda import utility as U
from xianping.engine.mcda._registry import RankingMethod

from .oracle_io import CaseBook, assert_published, case_id, load_json, mcda_inputs, method_key

PYMCDM = load_json("mcda/pymcdm_test_oracles.json")["cases"]
PYREPO = load_json("mcda/pyrepo_mcda_test_oracles.json")["cases"]

# methods whose oracle cases this file owns (class name without "Test"/"Test_" and a trailing number)
OWNED = {"WSM", "SAW", "WPM", "WASPAS", "MOORA", "MULTIMOORA", "ARAS", "COPRAS", "COCOSO", "OCRA", "RAM",
         "LMAW", "PVM", "TOPSIS", "AHP"}
BOOK = CaseBook()
COVERED, cases, cid = BOOK.covered, BOOK.cases, case_id
inputs = mcda_inputs


# ---------------------------------------------------------------------------------------------
# oracle cases


@pytest.mark.parametrize("case", cases(PYMCDM, "test_mcdm.TestWSM.test_output"), ids=cid)
def test_wsm_pymcdm(case):
    """pymcdm @76e7735 TestWSM.test_output (self-reference): WSM, sum normalisation, weights 8/13 …
    summing to 2 used as given; round 3."""
    x, w, t = inputs(case)
    assert_published(case, U.wsm(x, w, t).preference, 3)


@pytest.mark.parametrize("case", cases(PYREPO, "test_mcda_methods_2.Test_SAW.test_saw"), ids=cid)
def test_saw_pyrepo(case):
    """pyrepo-mcda @b3ac297 Test_SAW.test_saw (Rizan et al. 2020, CITSM): SAW = WSM with linear
    normalisation; round 3."""
    x, w, t = inputs(case)
    assert_published(case, U.wsm(x, w, t, normalisation="linear").preference, 3)
    assert_published(case, U.METHODS["saw"].func(x, w, t, **U.METHODS["saw"].options).preference, 3)


@pytest.mark.parametrize("case", cases(PYREPO, "test_mcda_methods_2.Test_AHP_2.test_ahp"), ids=cid)
def test_ahp_2_pyrepo_is_saw(case):
    """pyrepo-mcda @b3ac297 Test_AHP_2.test_ahp (Rizan et al. 2020): pyrepo's AHP called on a decision
    matrix with numeric weights is AHP._ahp = linear normalisation + weighted sum, i.e. SAW; no pairwise
    comparison is involved, so `weights.ahp` has no part in it. Round 3."""
    x, w, t = inputs(case)
    assert_published(case, U.wsm(x, w, t, normalisation="linear").preference, 3)


@pytest.mark.parametrize("case", cases(PYMCDM, "test_mcdm.TestWPM.test_output"), ids=cid)
def test_wpm_pymcdm(case):
    """pymcdm @76e7735 TestWPM.test_output (self-reference): WPM, sum normalisation; round 3."""
    x, w, t = inputs(case)
    assert_published(case, U.wpm(x, w, t).preference, 3)


@pytest.mark.parametrize("case", cases(PYMCDM, "test_mcdm.TestWASPAS.test_output"), ids=cid)
def test_waspas_pymcdm(case):
    """pymcdm @76e7735 TestWASPAS.test_output (Chakraborty, Zavadskas & Antucheviciene 2015): linear
    normalisation, λ = 0.5; round 4."""
    x, w, t = inputs(case)
    assert_published(case, U.waspas(x, w, t).preference, 4)


@pytest.mark.parametrize("case", cases(PYREPO, "test_mcda_methods_1.Test_WASPAS.test_waspas"), ids=cid)
def test_waspas_pyrepo(case):
    """pyrepo-mcda @b3ac297 Test_WASPAS.test_waspas (Tuş & Aytaç Adalı 2019): weights = pyrepo CRITIC
    weights (captured in locals), linear normalisation, lambda_param = 0.5; round 3."""
    x, w, t = inputs(case)
    assert_published(case, U.waspas(x, w, t, lam=0.5).preference, 3)


@pytest.mark.parametrize("case", cases(PYMCDM, "test_mcdm.TestMOORA.test_output"), ids=cid)
def test_moora_pymcdm(case):
    """pymcdm @76e7735 TestMOORA.test_output (Siregar et al. 2021); round 4."""
    x, w, t = inputs(case)
    assert_published(case, U.moora(x, w, t).preference, 4)


@pytest.mark.parametrize("case", cases(PYREPO, "test_mcda_methods_1.Test_MOORA.test_moora"), ids=cid)
def test_moora_pyrepo(case):
    """pyrepo-mcda @b3ac297 Test_MOORA.test_moora (= MULTIMOORA_RS; Karabasevic et al. 2015), all
    criteria benefit; round 3."""
    x, w, t = inputs(case)
    assert_published(case, U.moora(x, w, t).preference, 3)


# pyrepo Test_MULTIMOORA makes four assertions in one test (source lines of the oracle cases)
MULTIMOORA_ASSERTS = {243: ("ratio_system", 3), 250: ("reference_point", 3), 256: ("full_multiplicative", 9),
                      263: ("rank", None)}


@pytest.mark.parametrize("case", cases(PYREPO, "test_mcda_methods_1.Test_MULTIMOORA.test_multimoora"), ids=cid)
def test_multimoora_pyrepo(case):
    """pyrepo-mcda @b3ac297 Test_MULTIMOORA.test_multimoora (Karabasevic et al. 2015): RS round 3, RP
    round 3, FMF round 9, and the compromise rank of MULTIMOORA(dominance_directed_graph) exactly."""
    x, w, t = inputs(case)
    field, digits = MULTIMOORA_ASSERTS[case["source_line"]]
    got = getattr(U.multimoora(x, w, t), field)
    if digits is None:
        np.testing.assert_array_equal(got, case["expected"])
    else:
        assert_published(case, got, digits)


@pytest.mark.parametrize("case", cases(PYMCDM, "test_mcdm.TestARAS.test_output"), ids=cid)
def test_aras_pymcdm(case):
    """pymcdm @76e7735 TestARAS.test_output (Stanujkic, Djordjevic & Karabasevic 2015); round 2."""
    x, w, t = inputs(case)
    assert_published(case, U.aras(x, w, t).preference, 2)


# pymcdm TestARAS.test_output2 builds ARAS(esp=xopt); xopt is not among the captured locals, it is
# copied from pymcdm tests/test_mcdm.py
ARAS_ESP = [15, 50, 24.5, 400, 0.05, 5]


@pytest.mark.parametrize("case", cases(PYMCDM, "test_mcdm.TestARAS.test_output2"), ids=cid)
def test_aras_esp_pymcdm(case):
    """pymcdm @76e7735 TestARAS.test_output2 (Zavadskas & Turskis 2010) with the expected values
    esp = xopt of the test source; round 4."""
    x, w, t = inputs(case)
    assert_published(case, U.aras(x, w, t, esp=ARAS_ESP).preference, 4)


@pytest.mark.parametrize("case", cases(PYREPO, "test_mcda_methods_2.Test_ARAS.test_aras"), ids=cid)
def test_aras_pyrepo(case):
    """pyrepo-mcda @b3ac297 Test_ARAS.test_aras (Goswami & Mitra 2020); round 5."""
    x, w, t = inputs(case)
    assert_published(case, U.aras(x, w, t).preference, 5)


@pytest.mark.parametrize("case", cases(PYREPO, "test_mcda_methods_2.Test_COPRAS.test_copras"), ids=cid)
def test_copras_pyrepo(case):
    """pyrepo-mcda @b3ac297 Test_COPRAS.test_copras (Goswami & Mitra 2020): the published formula
    (variant "standard", our default); round 5."""
    x, w, t = inputs(case)
    assert_published(case, U.copras(x, w, t).preference, 5)


@pytest.mark.parametrize(
    "case",
    cases(PYMCDM, "test_mcdm.TestCOPRAS.test_output") + cases(PYMCDM, "test_mcdm.TestCOPRAS2.test_output"),
    ids=cid,
)
def test_copras_pymcdm(case):
    """pymcdm @76e7735 TestCOPRAS.test_output and TestCOPRAS2.test_output (Zavadskas, Kaklauskas,
    Peldschus & Turskis 2007): reproduced by variant "pymcdm" (Q = S+ + S−), round 4; see
    test_copras_pymcdm_defect for why this is not our default."""
    x, w, t = inputs(case)
    assert_published(case, U.copras(x, w, t, variant="pymcdm").preference, 4)


def test_copras_pymcdm_defect():
    """Why pymcdm's COPRAS numbers need their own variant (documented defect of pymcdm 1.4.0).

    pymcdm computes Q = S+ + (min S− · S−)/(S− · (min S−/S−)), which is S+ + S−: the cost criteria add
    to the score. The published COPRAS term Σ S− / (S− Σ 1/S−) decreases with S−. Shown on the case of
    pymcdm TestCOPRAS: the standard formula does not give pymcdm's numbers, and raising a cost value
    raises the pymcdm-variant score but lowers the standard one.
    """
    case = cases(PYMCDM, "test_mcdm.TestCOPRAS.test_output")[0]
    x, w, t = inputs(case)
    std = U.copras(x, w, t).preference
    assert not np.array_equal(np.round(std, 4), case["expected"])
    r = U.copras(x, w, t)
    np.testing.assert_allclose(U.copras(x, w, t, variant="pymcdm").significance, r.s_plus + r.s_minus, rtol=1e-15)
    worse = x.copy()
    worse[5, 1] *= 1.5  # unit 6 becomes more expensive on a cost criterion
    assert U.copras(worse, w, t, variant="pymcdm").significance[5] > U.copras(x, w, t, variant="pymcdm").significance[5]
    assert U.copras(worse, w, t).significance[5] < U.copras(x, w, t).significance[5]
    pymcdm = pytest.importorskip("pymcdm")
    np.testing.assert_allclose(pymcdm.methods.COPRAS()(x, w, np.array(t)),
                               U.copras(x, w, t, variant="pymcdm").preference, rtol=1e-12)


@pytest.mark.parametrize("case", cases(PYMCDM, "test_mcdm.TestCOCOSO.test_output"), ids=cid)
def test_cocoso_pymcdm(case):
    """pymcdm @76e7735 TestCOCOSO.test_output (Yazdani, Zarate, Zavadskas & Turskis 2019); round 3."""
    x, w, t = inputs(case)
    assert_published(case, U.cocoso(x, w, t).preference, 3)


@pytest.mark.parametrize("case", cases(PYREPO, "test_mcda_methods_2.Test_COCOSO.test_cocoso"), ids=cid)
def test_cocoso_pyrepo(case):
    """pyrepo-mcda @b3ac297 Test_COCOSO.test_cocoso (Yazdani et al. 2019); round 1."""
    x, w, t = inputs(case)
    assert_published(case, U.cocoso(x, w, t).preference, 1)


@pytest.mark.parametrize("case", cases(PYMCDM, "test_mcdm.TestOCRA.test_output"), ids=cid)
def test_ocra_pymcdm(case):
    """pymcdm @76e7735 TestOCRA.test_output (Işık & Adalı 2016); round 3."""
    x, w, t = inputs(case)
    assert_published(case, U.ocra(x, w, t).preference, 3)


@pytest.mark.parametrize("case", cases(PYMCDM, "test_mcdm.TestRAM.test_output"), ids=cid)
def test_ram_pymcdm(case):
    """pymcdm @76e7735 TestRAM.test_output (Sotoudeh-Anvari 2023); round 4."""
    x, w, t = inputs(case)
    assert_published(case, U.ram(x, w, t).preference, 4)


@pytest.mark.parametrize("case", cases(PYMCDM, "test_mcdm.TestLMAW.test_output"), ids=cid)
def test_lmaw_pymcdm(case):
    """pymcdm @76e7735 TestLMAW.test_output (Pamučar, Žižović, Biswas & Božanić 2021): ranking with the
    given (already aggregated) weights; round 3."""
    x, w, t = inputs(case)
    assert_published(case, U.lmaw(x, w, t).preference, 3)


def test_lmaw_weights_pymcdm():
    """pymcdm tests/test_mcdm.py TestLMAW.test_weights_aggregation (Pamučar et al. 2021): four experts'
    priority vectors → the weights used in TestLMAW.test_output, round 3. (An assertTrue upstream, so
    not captured in the oracle json; inputs copied from the test source.)"""
    ratings = [[4, 2, 2.5, 1.5, 3.5, 5], [4.5, 1.5, 2.5, 1, 3, 4.5], [4, 2, 2, 1.5, 3, 5], [4, 1.5, 2, 1, 3.5, 4]]
    np.testing.assert_array_equal(np.round(U.lmaw_weights(ratings), 3), [0.215, 0.126, 0.152, 0.09, 0.19, 0.226])
    batched = U.lmaw_weights(np.stack([ratings, np.array(ratings)[::-1]]))  # expert order does not matter
    np.testing.assert_allclose(batched[0], batched[1], rtol=1e-14)


# pyrepo Test_PVM passes psi and phi, which are not among the captured locals: copied from pyrepo
# tests/test_mcda_methods_2.py
PVM_PSI = [300, 21.5, 18.3, 41.5325]
PVM_PHI = [500, 18, 20, 52.0925]


@pytest.mark.parametrize("case", cases(PYREPO, "test_mcda_methods_2.Test_PVM.test_pvm"), ids=cid)
def test_pvm_pyrepo(case):
    """pyrepo-mcda @b3ac297 Test_PVM.test_pvm (Nermend 2023): kinds ["dm", "d", "d", "dm"] with the
    test's psi and phi; round 4."""
    x, w, kinds = inputs(case)
    got = U.pvm(x, w, kinds=kinds, psi=PVM_PSI, phi=PVM_PHI).preference
    assert_published(case, got, 4)


@pytest.mark.parametrize("case", cases(PYMCDM, "test_mcdm.TestTOPSIS.test_output"), ids=cid)
def test_topsis_pymcdm(case):
    """pymcdm @76e7735 TestTOPSIS.test_output (Opricovic & Tzeng 2004) with the existing
    aggregate.topsis: pymcdm's default min–max normalisation; round 3."""
    x, w, t = inputs(case)
    assert_published(case, A.topsis(x, w, t, normalisation="min_max").closeness, 3)


@pytest.mark.parametrize("case", cases(PYREPO, "test_mcda_methods_1.Test_TOPSIS.test_topsis"), ids=cid)
def test_topsis_pyrepo(case):
    """pyrepo-mcda @b3ac297 Test_TOPSIS.test_topsis (Ersoy 2021) with the existing aggregate.topsis:
    vector normalisation (pyrepo flips cost columns to 1 − x/‖x‖, which moves the ideals but not the
    distances), Euclidean distance; round 2."""
    x, w, t = inputs(case)
    assert_published(case, A.topsis(x, w, t, normalisation="vector").closeness, 2)


# pyrepo Test_AHP: the comparison matrices are not among the captured locals (only the criteria
# weights are); copied from pyrepo tests/test_mcda_methods_2.py
AHP_CRITERIA = [[1, 1, 5, 3], [1, 1, 5, 3], [1 / 5, 1 / 5, 1, 1 / 3], [1 / 3, 1 / 3, 3, 1]]
AHP_ALTERNATIVES = [
    [[1, 5, 1, 1, 1 / 3, 3], [1 / 5, 1, 1 / 3, 1 / 5, 1 / 7, 1], [1, 3, 1, 1 / 3, 1 / 5, 1],
     [1, 5, 3, 1, 1 / 3, 3], [3, 7, 5, 3, 1, 7], [1 / 3, 1, 1, 1 / 3, 1 / 7, 1]],
    [[1, 7, 3, 1 / 3, 1 / 3, 1 / 3], [1 / 7, 1, 1 / 3, 1 / 7, 1 / 9, 1 / 7], [1 / 3, 3, 1, 1 / 5, 1 / 5, 1 / 5],
     [3, 7, 5, 1, 1, 1], [3, 9, 5, 1, 1, 1], [3, 7, 5, 1, 1, 1]],
    [[1, 1 / 9, 1 / 7, 1 / 9, 1, 1 / 5], [9, 1, 1, 1, 5, 3], [7, 1, 1, 1, 5, 1], [9, 1, 1, 1, 7, 3],
     [1, 1 / 5, 1 / 5, 1 / 7, 1, 1 / 3], [5, 1 / 3, 1, 1 / 3, 3, 1]],
    [[1, 1 / 5, 1 / 5, 1 / 3, 1 / 7, 1 / 5], [5, 1, 1, 3, 1 / 3, 1], [5, 1, 1, 1, 1 / 3, 1],
     [3, 1 / 3, 1, 1, 1 / 7, 1], [7, 3, 3, 7, 1, 5], [5, 1, 1, 1, 1 / 5, 1]],
]


@pytest.mark.parametrize("case", cases(PYREPO, "test_mcda_methods_2.Test_AHP.test_ahp"), ids=cid)
def test_ahp_pyrepo(case):
    """pyrepo-mcda @b3ac297 Test_AHP.test_ahp (Papathanasiou & Ploskas 2018, ch. 5) with the existing
    weights.ahp: criteria weights = eigenvector of the criteria matrix (= the captured locals), local
    priorities = eigenvectors of the four alternative matrices (one batched call), global priorities
    Σ_j w_j S_ij / Σ Sw (pyrepo AHP._classic_ahp); round 3."""
    w = W.ahp(np.array(AHP_CRITERIA)).weights
    np.testing.assert_allclose(w, case["locals"]["weights"], rtol=1e-12)
    local = W.ahp(np.array(AHP_ALTERNATIVES)).weights.T  # [6 alternatives, 4 criteria]
    sw = local * w
    assert_published(case, sw.sum(axis=1) / sw.sum(), 3)
    assert_published(case, A.weighted_arithmetic(local, w), 3)


def test_all_oracle_cases_covered():
    """Every case of the methods owned here (OWNED) in both oracle files is parametrized above."""
    mine = {cid(c) for c in PYMCDM if c["test"].startswith("test_mcdm.") and method_key(c["test"]) in OWNED}
    mine |= {cid(c) for c in PYREPO if c["test"].startswith("test_mcda_methods_") and method_key(c["test"]) in OWNED}
    assert mine - COVERED == set(), "oracle cases without a test"
    assert COVERED - mine == set()
    assert len(mine) == 27  # 13 pymcdm + 14 pyrepo cases


# ---------------------------------------------------------------------------------------------
# leading axes: batched results against pymcdm slice by slice, and against our own 2-D calls

RNG = np.random.default_rng(20240601)
XB = RNG.uniform(0.5, 10.0, size=(3, 2, 8, 5))
WB = RNG.uniform(0.1, 1.0, size=(3, 2, 5))
WB /= WB.sum(axis=-1, keepdims=True)
TYPES = np.array([1, -1, 1, 1, -1])
ESP = np.array([12.0, 0.4, 11.0, 10.5, 0.3])

PYMCDM_PAIRS = {
    "wsm": (lambda m: m.WSM(), lambda x, w: U.wsm(x, w, TYPES)),
    "wpm": (lambda m: m.WPM(), lambda x, w: U.wpm(x, w, TYPES)),
    "waspas": (lambda m: m.WASPAS(), lambda x, w: U.waspas(x, w, TYPES)),
    "waspas_l0.3": (lambda m: m.WASPAS(l=0.3), lambda x, w: U.waspas(x, w, TYPES, lam=0.3)),
    "moora": (lambda m: m.MOORA(), lambda x, w: U.moora(x, w, TYPES)),
    "aras": (lambda m: m.ARAS(), lambda x, w: U.aras(x, w, TYPES)),
    "aras_esp": (lambda m: m.ARAS(esp=ESP), lambda x, w: U.aras(x, w, TYPES, esp=ESP)),
    "copras_pymcdm": (lambda m: m.COPRAS(), lambda x, w: U.copras(x, w, TYPES, variant="pymcdm")),
    "cocoso": (lambda m: m.COCOSO(), lambda x, w: U.cocoso(x, w, TYPES)),
    "ocra": (lambda m: m.OCRA(), lambda x, w: U.ocra(x, w, TYPES)),
    "ram": (lambda m: m.RAM(), lambda x, w: U.ram(x, w, TYPES)),
    "lmaw": (lambda m: m.LMAW(), lambda x, w: U.lmaw(x, w, TYPES)),
}


@pytest.mark.parametrize("name", sorted(PYMCDM_PAIRS))
def test_batched_against_pymcdm(name):
    """x (3, 2, 8, 5) and w (3, 2, 5) in one call equal pymcdm 1.4.0 called on each 2-D slice."""
    methods = pytest.importorskip("pymcdm.methods")
    make, ours = PYMCDM_PAIRS[name]
    body = make(methods)
    got = ours(XB, WB).preference
    assert got.shape == (3, 2, 8)
    for a in range(3):
        for b in range(2):
            exp = body(XB[a, b], WB[a, b], TYPES, validation=False)
            np.testing.assert_allclose(got[a, b], exp, rtol=1e-10, atol=1e-10)


OWN_BATCH = {
    "saw": lambda x, w: U.wsm(x, w, TYPES, normalisation="linear"),
    "copras": lambda x, w: U.copras(x, w, TYPES),
    "multimoora": lambda x, w: U.multimoora(x, w, TYPES),
    "pvm": lambda x, w: U.pvm(x, w, TYPES),
    "pvm_kinds": lambda x, w: U.pvm(x, w, kinds=["m", "dm", "d", "nd", "d"]),
}


@pytest.mark.parametrize("name", sorted(OWN_BATCH))
def test_batched_against_slices(name):
    """Methods pymcdm lacks (or implements differently): one batched call equals the 2-D calls on each
    slice, every field of the result (shared weights [n] and batched weights [..., n])."""
    f = OWN_BATCH[name]
    for w in (WB, WB[0, 0]):
        res = f(XB, w)
        for a in range(3):
            for b in range(2):
                one = f(XB[a, b], w if w.ndim == 1 else w[a, b])
                for got, exp in zip(res, one):
                    np.testing.assert_allclose(np.asarray(got)[a, b] if np.ndim(got) > np.ndim(exp) else got, exp,
                                               rtol=1e-12, atol=1e-14)


def test_multimoora_dominance_by_hand():
    """Dominance count on a 4-unit example with a tie: D_i = Σ over RS, RP, FMF of units strictly
    below i; compromise rank = dense rank of D (pyrepo rank_preferences)."""
    x = np.array([[4.0, 3.0], [4.0, 3.0], [5.0, 4.0], [2.0, 5.0]])
    r = U.multimoora(x, [0.5, 0.5], [1, -1])
    expect = np.zeros(4)
    for s, better in ((r.ratio_system, np.greater), (r.reference_point, np.less), (r.full_multiplicative, np.greater)):
        expect += better(s[:, None], s[None, :]).sum(axis=1)
    np.testing.assert_array_equal(r.preference, expect)
    assert r.preference[0] == r.preference[1] and r.rank[0] == r.rank[1]
    order = sorted(set(expect), reverse=True)
    np.testing.assert_array_equal(r.rank, [order.index(v) + 1 for v in expect])


# ---------------------------------------------------------------------------------------------
# missing values, registry, bad input


@pytest.mark.parametrize("name", sorted(U.METHODS))
def test_missing_unit_is_nan_and_left_out(name):
    """A unit with a missing criterion gets NaN; the others score as if that unit were absent."""
    m = U.METHODS[name]
    x = XB[0, 0].copy()
    x[3, 2] = np.nan
    full = m.func(x, WB[0, 0], TYPES, **m.options)
    drop = m.func(np.delete(x, 3, axis=0), WB[0, 0], TYPES, **m.options)
    assert np.isnan(full.preference[3])
    np.testing.assert_allclose(np.delete(full.preference, 3), drop.preference, rtol=1e-12)


@pytest.mark.parametrize("name", sorted(U.METHODS))
def test_registry_entries(name):
    """Registry contract: name, options accepted with their defaults, preference [..., m], direction of
    the output declared."""
    m = U.METHODS[name]
    assert isinstance(m, RankingMethod) and m.name == name and m.label_zh and m.reference
    assert m.better in ("higher", "lower") and m.to_score in ("identity", "one_minus", "negate")
    res = m.func(XB, WB, TYPES, **m.options)
    assert res.preference.shape == (3, 2, 8)
    assert np.all(np.isfinite(res.preference))


def test_bad_input():
    x, w = XB[0, 0], WB[0, 0]
    with pytest.raises(ValueError, match="weights have 4 entries"):
        U.wsm(x, w[:4], TYPES)
    with pytest.raises(ValueError, match="non-negative"):
        U.aras(x, -w, TYPES)
    with pytest.raises(ValueError, match="normalisation"):
        U.wsm(x, w, TYPES, normalisation="max")
    with pytest.raises(ValueError, match="benefit-oriented"):
        U.wpm(x, w, TYPES, normalisation="none")
    with pytest.raises(ValueError, match="lam"):
        U.waspas(x, w, TYPES, lam=1.5)
    with pytest.raises(ValueError, match="variant"):
        U.copras(x, w, TYPES, variant="classic")
    with pytest.raises(ValueError, match="kind"):
        U.pvm(x, w, kinds=["m", "dm", "x", "d", "nd"])
    with pytest.raises(ValueError, match="psi and phi"):
        U.pvm(x, w, TYPES, psi=np.ones(5))
    with pytest.raises(ValueError, match="esp has 3 entries"):
        U.aras(x, w, TYPES, esp=[1, 2, 3])
    with pytest.raises(ValueError, match="direction"):
        U.moora(x, w, [1, -1])
