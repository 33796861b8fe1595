"""Weights against published/regenerated numbers. Each test names its source."""

import numpy as np
import pytest

from xianping.engine import normalise as N
from xianping.engine import weights as W
from xianping.engine import EngineWarning

from .oracle_io import load_json

MM = load_json("mathmodels_examples/inputs_and_published.json")
RG = load_json("mathmodels_examples/regenerated_full_precision_R.json")
LIT = load_json("literature_mcdm/expected.json")
HC = load_json("hand_calculable/expected.json")
CUR = {c["name"]: c for c in load_json("mcda/curated_oracles.json")["cases"]}


def _mm_X():
    X = MM["entropy_weight"]["X"]
    return np.array([X["x1"], X["x2"]], float).T


def test_entropy_epsilon_rescale_mathmodels():
    """Source: R mathmodels entropy_weight (eps = 0.002), regenerated at 15 digits."""
    z = N.min_max(_mm_X(), MM["entropy_weight"]["index"])
    t = W.entropy_table(z, "epsilon_rescale", eps=0.002)
    np.testing.assert_allclose(t.weights, RG["entropy_weight"]["w"], atol=1e-14)
    np.testing.assert_allclose(100 * t.z_used @ t.weights, RG["entropy_weight"]["s"], atol=1e-12)
    np.testing.assert_allclose(t.weights, MM["entropy_weight"]["published"]["w"], atol=5e-8)


def test_critic_std_and_entropy_variant_mathmodels():
    """Source: R mathmodels critic_weight (method std / entropy)."""
    z = N.min_max(_mm_X(), ["+", "-"])
    w = W.critic(z)
    np.testing.assert_allclose(w, RG["critic_std"]["w"], atol=1e-14)
    np.testing.assert_allclose(100 * z @ w, RG["critic_std"]["s"], atol=1e-12)
    w = W.critic(z, dispersion="entropy")
    np.testing.assert_allclose(w, RG["critic_entropy"]["w"], atol=1e-14)
    np.testing.assert_allclose(100 * np.clip(z, 0.002, 0.998) @ w, RG["critic_entropy"]["s"], atol=1e-12)


def test_cv_weight_mathmodels():
    """Source: R mathmodels cv_weight on raw data."""
    X = MM["cv_weight"]["X"]
    w = W.coefficient_of_variation(np.array([X["x1"], X["x2"]], float).T)
    np.testing.assert_allclose(w, RG["cv_weight"], atol=1e-14)


def test_combine_weights_mathmodels():
    """Source: R mathmodels combine_weights (linear 0.6, multiplicative, geometric 'game', game-theory)."""
    ws = np.array([MM["combine_weights"]["w_subj"], MM["combine_weights"]["w_obj"]])
    np.testing.assert_allclose(W.combine(ws, "linear", alpha=0.6), RG["combine_linear_a0.6"], atol=1e-14)
    np.testing.assert_allclose(W.combine(ws, "multiplicative"), RG["combine_multiplicative"], atol=1e-14)
    np.testing.assert_allclose(W.combine(ws, "geometric"), RG["combine_game"], atol=1e-14)
    np.testing.assert_allclose(W.combine(ws, "game_theory"), RG["combine_game_linear"], atol=1e-14)


def test_ahp_mathmodels():
    """Source: R mathmodels AHP (principal eigenvector, Saaty RI with RI(12)=1.48)."""
    r = W.ahp(MM["AHP"]["A"], "eigenvector", "saaty")
    np.testing.assert_allclose(r.weights, RG["AHP"]["w"], atol=1e-14)
    np.testing.assert_allclose(r.lambda_max, RG["AHP"]["Lmax"], atol=1e-13)
    np.testing.assert_allclose(r.ci, RG["AHP"]["CI"], atol=1e-14)
    np.testing.assert_allclose(r.cr, RG["AHP"]["CR"], atol=1e-14)
    assert r.consistent


def test_ahp_tai_handbook_and_pymcdm():
    """Sources: OECD/JRC Handbook Table 20 matrix (weights/λmax/CR computed in tai_handbook_oracles.json,
    3 d.p., not printed by the Handbook); pymcdm TestAHPWeights (Wang & Chin 2011), 4 d.p."""
    tai = load_json("tai/tai_handbook_oracles.json")
    r = W.ahp(tai["table20_ahp_pairwise_matrix_row_over_col"])
    np.testing.assert_allclose(r.weights, [0.229, 0.135, 0.059, 0.176, 0.039, 0.039, 0.252, 0.072], atol=5e-4)
    assert abs(r.lambda_max - 8.211) < 5e-4 and abs(r.cr - 0.021) < 5e-4 and r.ri == 1.41
    case = next(c for c in load_json("mcda/pymcdm_test_oracles.json")["cases"] if c["test"].endswith("TestAHPWeights.test_output"))
    np.testing.assert_allclose(W.ahp(case["locals"]["matrix"]).weights, case["expected"], atol=5e-5)


def test_ahp_methods_and_ri_tables():
    """Consistent matrix: all three methods give the exact weights and CR = 0; RI tables differ at n=3."""
    w = np.array([0.5, 0.3, 0.2])
    A = w[:, None] / w[None, :]
    for m in ("eigenvector", "geometric_mean", "arithmetic_mean"):
        r = W.ahp(A, m)
        np.testing.assert_allclose(r.weights, w, atol=1e-12)
        assert abs(r.cr) < 1e-12
    assert W.ahp(A, ri_table="saaty").ri == 0.58 and W.ahp(A, ri_table="gong_xu_1000").ri == 0.52
    batch = np.stack([A, A])  # [2, 3, 3]
    assert W.ahp(batch).weights.shape == (2, 3)
    with pytest.raises(ValueError):
        W.ahp([[1, 2], [2, 1]])


def test_entropy_elsayed_raw_pymcdm():
    """Source: pymcdm test_weights (Elsayed 2017), raw-data p_ij, expected to 6 d.p. / refimpl 8 d.p."""
    case = LIT["entropy_Elsayed2017"]
    w = W.entropy(case["matrix"], "zero_ln_zero")
    np.testing.assert_allclose(w, case["refimpl_full"], atol=1e-8)
    np.testing.assert_allclose(w, case["expected_6dp"], atol=5e-7)


def test_entropy_pyrepo_cases():
    """Source: pyrepo-mcda Test_Entropy (Xu 2004; Zavadskas & Podvezko 2016), 4 d.p."""
    for name in ("Entropy_Xu2004", "Entropy_ZavadskasPodvezko2016"):
        c = CUR[name]
        np.testing.assert_allclose(W.entropy(c["matrix"]), c["expected_weights"], atol=5e-5)


def test_entropy_pymcdm_variant_zero_column():
    """pymcdm sets e_j = 0 for a column with a zero p (methods_formulas §1) — max weight, unlike 0·ln0."""
    z = np.array([[0.0, 0.2], [0.5, 0.3], [1.0, 0.5]])
    t_text = W.entropy_table(z, "zero_ln_zero")
    t_pym = W.entropy_table(z, "pymcdm")
    assert t_pym.entropy[0] == 0.0 and t_text.entropy[0] > 0
    assert t_pym.weights[0] > t_text.weights[0]


def test_entropy_variants_named_shift_spssau():
    z = np.array([[-1.0, 0.2], [0.0, 0.3], [2.0, 0.5]])
    t = W.entropy_table(z, "spssau_shift")
    np.testing.assert_allclose(t.z_used[:, 0], z[:, 0] + 1.0 + 0.01)  # only the column with values ≤ 0
    np.testing.assert_allclose(t.z_used[:, 1], z[:, 1])
    np.testing.assert_allclose(W.entropy_table(z[:, 1:], "shift", shift=0.01).z_used, z[:, 1:] + 0.01)
    with pytest.raises(ValueError):
        W.entropy(z, "zero_ln_zero")  # negative values need a variant
    with pytest.raises(ValueError):
        W.entropy(z, "bogus")


def test_critic_tus_adali_pymcdm():
    """Source: pymcdm test_weights CRITIC (Tuş & Adalı 2019), refimpl 8 d.p."""
    c = LIT["critic_TusAdali2019"]
    np.testing.assert_allclose(W.critic(N.min_max(c["matrix"])), c["refimpl_full"], atol=1e-8)


def test_critic_diakoulaki_scikit_criteria():
    """Source: scikit-criteria test_CRITIC_diakoulaki1995determining, tol 1e-6."""
    c = CUR["CRITIC_Diakoulaki1995"]
    np.testing.assert_allclose(W.critic(N.min_max(c["matrix"], c["directions"])), c["expected_weights"], atol=1e-6)


def test_hand_calculable_entropy_zero_and_constant():
    """Source: Changkio/critic-entropy-weight tests (exact fractions)."""
    c = HC["entropy_zero_probability"]
    Z = np.array(list(c["X_already_normalised"].values()), float).T
    t = W.entropy_table(Z, "zero_ln_zero")
    np.testing.assert_allclose(t.entropy, c["expected_e"], atol=1e-15)
    np.testing.assert_allclose(t.weights, c["expected_w"], atol=1e-15)
    c = HC["entropy_constant_columns"]
    Z = np.array(list(c["X"].values()), float).T
    with pytest.warns(EngineWarning):
        w = W.entropy(Z)
    np.testing.assert_allclose(w, list(c["expected_w"].values()), atol=1e-15)


def test_hand_calculable_critic_signed():
    """Source: Changkio/critic-entropy-weight: w = 3/8, 2/8, 3/8 only with signed r."""
    c = HC["critic_signed_correlation"]
    Z = np.array(list(c["X"].values()), float).T
    np.testing.assert_allclose(W.critic(Z), c["expected_w"], atol=1e-15)
    assert not np.allclose(W.critic(Z, correlation="absolute"), c["expected_w"])


def test_hand_calculable_combined_geometric_vs_linear():
    """Source: Changkio/critic-entropy-weight: geometric a = √6/(√6+1), linear(α=0.75) = [0.75, 0.25]."""
    c = HC["combined_geometric_vs_linear"]
    ws = np.array([list(c["w_entropy"].values()), list(c["w_critic"].values())])
    assert abs(W.combine(ws, "geometric")[0] - np.sqrt(6) / (np.sqrt(6) + 1)) < 1e-15
    np.testing.assert_allclose(W.combine(ws, "linear", alpha=c["alpha"]), c["expected_linear"], atol=1e-15)


def test_pyrepo_cv_and_std():
    """Source: pyrepo-mcda Test_Coeff_var (Shuai et al. 2012, 4 d.p.), Test_STD (Sałabun 2020, 3 d.p.)."""
    cases = {c["test"]: c for c in load_json("mcda/pymcdm_test_oracles.json")["cases"]}
    c = cases["test_weights.TestSTDWeights.test_output"]
    np.testing.assert_allclose(W.standard_deviation(c["locals"]["matrix"]), c["expected"], atol=5e-3)
    X = CUR["Entropy_Xu2004"]["matrix"]  # the same matrix as pyrepo Test_Coeff_var
    np.testing.assert_allclose(W.coefficient_of_variation(X), [0.4258, 0.361, 0.2121, 0.0011], atol=5e-5)


def test_equal_explicit_pca():
    assert np.allclose(W.equal(4), 0.25)
    assert W.equal(np.zeros((3, 5, 4))).shape == (3, 4)
    np.testing.assert_allclose(W.explicit([1, 1, 2]), [0.25, 0.25, 0.5])
    with pytest.raises(ValueError):
        W.explicit([1, -1])
    rng = np.random.default_rng(0)
    z = rng.random((40, 5))
    w = W.pca(z)
    assert w.shape == (5,) and abs(w.sum() - 1) < 1e-12 and np.all(w > 0)


def test_pca_first_component_signed_listwise_and_batched():
    """COINr get_PCA (prcomp center/scale, PC1 loadings; na.omit): the loadings over their sum. The ASEM case is
    in tests/robust/test_asem_alternatives.py; here the mechanics: a unit with a missing value is left out, the
    leading axes batch, the sign is fixed so Σ ≥ 0, and signed weights aggregate only arithmetically."""
    from xianping.engine import aggregate as A

    rng = np.random.default_rng(7)
    z = rng.normal(size=(2, 3, 30, 4))
    z[..., 2] = -z[..., 0] + 0.3 * z[..., 2]  # a column loading against the first: a negative weight
    w = W.pca(z, variant="first_component")
    assert w.shape == (2, 3, 4) and np.allclose(w.sum(-1), 1)
    u = np.linalg.svd((z[1, 2] - z[1, 2].mean(0)) / z[1, 2].std(0, ddof=1), full_matrices=False)[2][0]
    np.testing.assert_allclose(w[1, 2], u / u.sum(), rtol=1e-9)
    assert (w < 0).any()
    zm = z[0, 0].copy()
    zm[5, 1] = np.nan
    np.testing.assert_allclose(W.pca(zm, variant="first_component"), W.pca(np.delete(z[0, 0], 5, axis=0), variant="first_component"), rtol=1e-12)
    s = A.aggregate_groups(z[0, 0], None, w[0, 0], "arithmetic", signed=True)[..., 0]
    np.testing.assert_allclose(s, z[0, 0] @ w[0, 0], rtol=1e-12)
    with pytest.raises(ValueError, match="non-negative"):
        A.aggregate_groups(z[0, 0], None, w[0, 0], "arithmetic")
    with pytest.raises(ValueError, match="arithmetic"):
        A.aggregate_groups(np.abs(z[0, 0]), None, w[0, 0], "geometric", signed=True)


def test_pca_composite_mathmodels_varimax():
    """Source: mathmodels pca_weight docs example (tests/engine/oracles/mathmodels_more/pca_weight.json): iris rows 1–10,
    2 components, varimax rotation, |loadings| weighted by the variance shares → w to the 7 printed digits. The
    indicators' directions do not change the weights (signs are dropped), so they are not passed."""
    case = load_json("mathmodels_more/pca_weight.json")
    X = np.array(case["X"])
    w = W.pca(X, n_components=2, rotation="varimax", loading="abs")
    np.testing.assert_allclose(w, case["w"], atol=5e-8)
    flipped = X * np.array([1, 1, -1, -1])
    np.testing.assert_allclose(W.pca(flipped, n_components=2, rotation="varimax"), w, rtol=1e-12)
    # batched: slices rotated together equal the slices one by one (different Kaiser counts included)
    rng = np.random.default_rng(2)
    Z = rng.normal(size=(4, 30, 6)) @ rng.normal(size=(6, 6))
    batched = W.pca(Z, rotation="varimax")
    for i in range(4):
        np.testing.assert_allclose(batched[i], W.pca(Z[i], rotation="varimax"), rtol=1e-10)
    with pytest.raises(ValueError, match="n_components"):
        W.pca(X, n_components=9)


def test_initial_value_and_mean_ratio_mathmodels():
    """Source: mathmodels test-preprocess.R (tests/engine/oracles/mathmodels_more/preprocess.json): 初值化 of
    (10, 5, 20) is (1, 0.5, 2) and its cost form x[1]/x gives 2 at the second value; 均值化 of (2, 4, 6) has mean 1.
    Our initial_value runs along the years axis, so the series is three years of one unit."""
    case = load_json("mathmodels_more/preprocess.json")
    x = np.array(case["rescale_initial"]["x"], float).reshape(3, 1, 1)
    assert N.initial_value(x)[0, 0, 0] == case["rescale_initial"]["plus_first"]
    assert N.initial_value(x, -1)[1, 0, 0] == case["rescale_initial"]["minus_second"]
    y = np.array(case["rescale_mean"]["x"], float).reshape(3, 1)
    assert np.mean(N.mean_ratio(y)) == pytest.approx(case["rescale_mean"]["mean_of_result"], abs=1e-12)
