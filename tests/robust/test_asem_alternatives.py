"""COINr's nominal alternatives on ASEM, reproduced through the robust layer's discrete inputs.

Expected numbers: tests/robust/oracles/coinr_asem/ASEM_alt_c_{z,g,rank,pca}_aggregated.csv,
ASEM_compare_amean_vs_gmean.csv and ASEM_compare_multi.csv — copied from ../shared/oracles/coinr_asem/outputs
(COINr v1.1.14, commit b9682034, make_oracles.R): z-scores, min–max to [1, 100] with geometric means, ranks as
normalisation, and PCA weights for the pillars (`get_PCA(dset = "Aggregated", Level = 2, weights_to = "PCAwts")`,
by_groups = TRUE by default: the signed PC1 loadings of each sub-index's pillars), on the same treated data as the
nominal coin.
"""

from __future__ import annotations

import csv
import dataclasses

import numpy as np
import pytest

from xianping.robust.run import compare

from .conftest import ORACLES

O = ORACLES / "coinr_asem"

SPEC = {"inputs": [
    {"name": "norm", "kind": "normalisation",
     "alternatives": [{"method": "z_score"}, {"method": "rank"}, {"method": "min_max", "to": [1, 100]}]},
    {"name": "agg", "kind": "aggregation", "alternatives": ["arithmetic", "geometric"]},
    # COINr Level = 2 PCA weights are the pillars' weights inside their sub-index: our level-3 nodes' weighting
    {"name": "wts", "kind": "weighting", "level": 3,
     "alternatives": ["equal", {"method": "pca", "variant": "first_component", "signed": True}]},
]}
SCENARIOS = {"ZScore": {"norm": 0}, "Rank": {"norm": "rank"}, "Geo": {"norm": 2, "agg": "geometric"}, "PCA": {"wts": 1}}


def table(name):
    with open(O / name, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


@pytest.fixture(scope="module")
def alts(asem_model):
    return compare(spec=SPEC, scenarios=SCENARIOS, model=asem_model)


@pytest.mark.parametrize("label, file", [("ZScore", "ASEM_alt_c_z_aggregated.csv"), ("Rank", "ASEM_alt_c_rank_aggregated.csv"),
                                         ("Geo", "ASEM_alt_c_g_aggregated.csv"), ("PCA", "ASEM_alt_c_pca_aggregated.csv")])
def test_every_column_of_the_alternative(alts, asem_model, label, file):
    head, rows = table(file)
    cols = head[1:]
    exp = np.array([[np.nan if v == "NA" else float(v) for v in r[1:]] for r in rows])
    ui = [asem_model.units.index(r[0]) for r in rows]
    o = alts[label]
    got = o["scores"][0][np.ix_(ui, [o["nodes"].index(c) for c in cols])]
    assert np.array_equal(np.isnan(got), np.isnan(exp))
    np.testing.assert_allclose(got, exp, rtol=1e-9, atol=1e-9)


def test_compare_multi_ranks(alts, asem_model):
    head, rows = table("ASEM_compare_multi.csv")
    for col in ("Nominal", "ZScore", "Geo", "Rank", "PCA"):
        j = head.index(col)
        for r in rows:
            assert int(alts[col]["ranks"][0, asem_model.units.index(r[0])]) == int(r[j]), (col, r[0])


def test_compare_amean_vs_gmean(alts, asem_model):
    head, rows = table("ASEM_compare_amean_vs_gmean.csv")
    for r in rows:
        i = asem_model.units.index(r[0])
        assert int(alts["Nominal"]["ranks"][0, i]) == int(r[2])
        assert int(alts["Geo"]["ranks"][0, i]) == int(r[3])
        assert int(alts["Nominal"]["ranks"][0, i] - alts["Geo"]["ranks"][0, i]) == int(r[4])


def test_pca_weights_are_coinr_loadings_and_signed_needs_declaring(asem_model):
    """ASEM_PCA_weights_level2.csv (one PCA over all eight pillars, by_groups = FALSE): Environ and SusEcFin get
    negative loadings. Our first_component weights are those loadings over their sum (sign fixed so Σ ≥ 0);
    without `signed: true` the same alternative is refused with the node and the child named."""
    from xianping.engine import weights as W
    from xianping.robust.run import compare

    head, rows = table("ASEM_PCA_weights_level2.csv")
    loadings = {r[0]: float(r[2]) for r in rows if r[1] == "2"}
    agg, _ = table("ASEM_alt_c_z_aggregated.csv")  # only for the pillar order; values from the nominal run below
    nominal = compare(spec=SPEC, scenarios={}, model=asem_model)["Nominal"]
    pillars = list(loadings)
    z = nominal["scores"][0][:, [nominal["nodes"].index(p) for p in pillars]]
    w = W.pca(z, variant="first_component")
    ref = np.array([loadings[p] for p in pillars])
    np.testing.assert_allclose(w, ref / ref.sum(), rtol=1e-9)
    spec = {"inputs": [{"name": "wts", "kind": "weighting", "level": 3,
                        "alternatives": ["equal", {"method": "pca", "variant": "first_component"}]}]}
    with pytest.raises(Exception, match=r"Sust.*negative weight.*signed: true"):
        compare(spec=spec, scenarios={"PCA": {"wts": 1}}, model=asem_model)


def test_mcda_alternatives_are_discrete_inputs(asem_model):
    """engine.mcda methods ride the robust layer like the built-in ones: VIKOR at the sub-indices and MEREC weights
    on the pillars are alternatives of a compare; the scenario equals the evaluation with that framework change."""
    from xianping.engine import pipeline as P

    spec = {"inputs": [{"name": "agg", "kind": "aggregation", "level": 3,
                        "alternatives": ["arithmetic", {"method": "vikor", "options": {"v": 0.4}}]},
                       {"name": "wts", "kind": "weighting", "level": 3, "alternatives": ["equal", {"method": "gini"}]}]}
    out = compare(spec=spec, scenarios={"V": {"agg": 1, "wts": 1}}, model=asem_model)
    plan = asem_model.plan
    lev3 = {"Conn", "Sust"}
    nodes = [dataclasses.replace(s, aggregation={"method": "vikor", "options": {"v": 0.4, "zero_range": "nan"}},
                                 weights={"method": "gini", "basis": "normalised", "options": {}})
             if s.code in lev3 else s for s in plan.nodes]
    groups = asem_model.groups(asem_model.settings["impute"])
    one = P.run(dataclasses.replace(plan, nodes=tuple(nodes)), asem_model.x, asem_model.den, groups, asem_model.times)
    k = out["V"]["nodes"].index("Index")
    np.testing.assert_allclose(out["V"]["scores"][0][:, k], one.scored.values[0][:, -1], rtol=1e-12)
