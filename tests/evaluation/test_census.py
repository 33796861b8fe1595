"""census-social on the bundled real panel (census 2010/2020; CO₂ only 2010): years, missing CO₂ 2020
declared in the manifest, by-type ranks, comparability across years, rebuild from the manifest, export."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from xianping.evaluation import evaluate, rebuild


@pytest.fixture(scope="module")
def res(census_store):
    return evaluate("census-social", store=census_store, years=[2010, 2020], by_type=True)


def test_runs_on_the_store_for_2010_and_2020(res):
    assert res.years == ["2010", "2020"]
    assert res.manifest["units"] == len(res.units) > 2800
    assert res.nodes[-1] == "census_social"
    root = res.scores[..., -1]
    assert np.isfinite(root).sum(axis=1).min() > 2700
    assert np.nanmin(root) >= 0 and np.nanmax(root) <= 100
    src = res.manifest["data"]
    assert src["kind"] == "store" and src["batches"] and len(src["batches"][0]["sha256"]) == 64


def test_missing_co2_2020_is_declared(res):
    """co2_per_capita has no 2020 value in the store: carried forward from 2010, flagged, in the manifest."""
    cf = res.manifest["steps"]["missing_years"]
    assert cf["policy"] == "carry_forward"
    assert [(c["indicator"], c["year"]) for c in cf["carried_forward"]] == [("co2_per_capita", "2020")]
    j = res.plan.indicators.index("co2_per_capita")
    assert res.imputed_mask[1, :, j].sum() == cf["carried_forward"][0]["cells"] > 2600
    assert not res.imputed_mask[0, :, j].any()


def test_missing_co2_can_be_dropped_instead(census_store):
    r = evaluate("census-social", store=census_store, years=[2010, 2020], settings={"missing_years": "drop"})
    out = r.manifest["steps"]["screen"]["indicators_out"]
    assert [(c["indicator"], c["year"]) for c in out] == [("co2_per_capita", "2020")]
    w = r.weights["census_social"]  # root weights per year: low_carbon gets 0 in 2020, 1/5 in 2010
    k = [r.nodes[c] for c in r.plan.nodes[-1].children].index("low_carbon")
    assert w[0, k] == pytest.approx(0.2) and w[1, k] == 0.0
    assert np.allclose(w.sum(axis=-1), 1)
    assert np.isnan(r.scores[1, :, r.nodes.index("low_carbon")]).all()


def test_by_type_ranks(res):
    assert set(res.by_type["types"]) == {"市辖区", "县级市", "县"}
    k = -1
    for t in res.by_type["types"]:
        idx = [i for i, ty in enumerate(res.unit_types) if ty == t]
        r = res.by_type["ranks"][1, idx, k]
        ok = r[~np.isnan(r)]
        assert ok.min() == 1 and ok.max() <= len(idx)
    top = res.top(5, year=2020, type="县级市")
    assert [r["rank"] for r in top] == [1, 2, 3, 4, 5] and all(r["type"] == "县级市" for r in top)


def test_type_overrides_apply(census_store, tmp_path):
    """生态功能 counties use the override weights (low_carbon 0.35); ranks within that type."""
    types = tmp_path / "types.csv"
    types.write_text("unit_code,type\n110101,生态功能\n110102,生态功能\n110105,生态功能\n", encoding="utf-8")
    r = evaluate("census-social", store=census_store, years=[2010], by_type=True, types=str(types))
    w = r.by_type["weights"]["生态功能"]["census_social"][0]
    assert w.tolist() == pytest.approx([0.10, 0.20, 0.15, 0.20, 0.35])
    ranks = r.by_type["ranks"][0, [r.units.index(u) for u in ("110101", "110102", "110105")], -1]
    assert sorted(ranks.tolist()) == [1, 2, 3]
    assert r.manifest["types"]["kind"] == "file" and len(r.manifest["types"]["sha256"]) == 64


def test_frozen_anchors_do_not_rewrite_earlier_years(census_store):
    """panel: frozen at the base year — adding 2020 leaves the 2010 scores as they were; pooled does not."""
    s = {"panel": "frozen", "base_year": "2010"}
    one = evaluate("census-social", store=census_store, years=[2010], settings=s)
    two = evaluate("census-social", store=census_store, years=[2010, 2020], settings=s)
    idx = [two.units.index(u) for u in one.units]  # 2020 brings units created after 2010 (NaN in 2010)
    np.testing.assert_allclose(one.scores[0], two.scores[0][idx], rtol=1e-14, atol=1e-12)  # BLAS: ≤ 1 ulp
    np.testing.assert_array_equal(one.ranks[0], two.ranks[0][idx])
    assert two.manifest["steps"]["normalise"]["anchors"]["edu_years"] == one.manifest["steps"]["normalise"]["anchors"]["edu_years"]
    p1 = evaluate("census-social", store=census_store, years=[2010])
    p2 = evaluate("census-social", store=census_store, years=[2010, 2020])
    assert not np.allclose(p1.scores[0, :, -1], p2.scores[0, idx, -1], equal_nan=True)
    # the frozen anchors of a manifest can be given back explicitly
    again = evaluate("census-social", store=census_store, years=[2010],
                     settings={"panel": "frozen", "anchors": two.manifest["steps"]["normalise"]["anchors"]})
    np.testing.assert_allclose(again.scores[0], one.scores[0], rtol=1e-14, atol=1e-12)
    assert again.manifest["settings"]["anchors"]["edu_years"] == two.manifest["steps"]["normalise"]["anchors"]["edu_years"]


def test_rebuild_gives_identical_scores(res, tmp_path):
    paths = res.write(tmp_path / "r.csv")
    m = json.loads(open(paths["manifest"], encoding="utf-8").read())
    again = rebuild(m)
    np.testing.assert_array_equal(again.scores, res.scores)
    np.testing.assert_array_equal(again.ranks, res.ranks)
    np.testing.assert_array_equal(again.by_type["values"], res.by_type["values"])
    assert again.manifest["framework"]["hash"] == m["framework"]["hash"]


def test_rebuild_refuses_changed_data(res):
    m = json.loads(json.dumps(res.manifest))
    m["data"]["batches"][0]["sha256"] = "0" * 64
    from xianping.problems import XianpingInputError

    with pytest.raises(XianpingInputError, match="data changed"):
        rebuild(m)


def test_rows_top_movers_and_export(res, tmp_path):
    rows = res.to_rows(nodes=["census_social"], base_year="2010")
    assert {"unit_code", "unit_name", "year", "node", "score", "rank", "tier", "type", "type_rank", "rank_change"} <= set(rows[0])
    first = [r for r in rows if r["year"] == "2020" and r["tier"] == 1]
    assert len(first) >= 30  # 第一方阵 = top 30 (ties may add)
    top = res.top(30, year=2020)
    assert len(top) >= 30 and top[0]["rank"] == 1 and top[0]["score"] >= top[-1]["score"]
    mv = res.movers("2010", "2020", n=10)
    assert len(mv["gains"]) == 10 and len(mv["losses"]) == 10
    assert all(g["rank_change"] > 0 for g in mv["gains"]) and all(x["rank_change"] < 0 for x in mv["losses"])
    assert mv["gains"][0]["rank_change"] >= mv["gains"][-1]["rank_change"]
    out = res.write(tmp_path / "r.parquet")
    import duckdb

    n = duckdb.connect().execute(f"SELECT count(*) FROM '{out['results']}'").fetchone()[0]
    assert n == len(res.to_rows())
    with open(res.write(tmp_path / "r.csv")["results"], newline="", encoding="utf-8") as f:
        head = next(csv.reader(f))
    assert head[:8] == ["unit_code", "unit_name", "year", "node", "node_name", "level", "score", "rank"]


def test_csv_data_source_matches_store(census_csv, census_store):
    a = evaluate("census-social", data=census_csv, years="2010,2020")
    b = evaluate("census-social", store=census_store, years=[2010, 2020])
    assert a.units == b.units
    np.testing.assert_allclose(a.scores, b.scores, rtol=0, atol=1e-9)
    assert a.manifest["data"]["kind"] == "csv" and len(a.manifest["data"]["sha256"]) == 64


def test_units_with_too_little_data_are_screened_out(res):
    """儋州 (460400) has only the carried-forward CO₂ in 2020: screened out (default unit_threshold 0.5),
    reported, and not ranked — instead of a score from one indicator."""
    i = res.units.index("460400")
    assert np.isnan(res.scores[1, i, -1]) and not res.prepared.keep_units[1, i]
    out = res.screened_out()["units"]
    assert {"unit_code": "460400", "year": "2020"}.items() <= next(u for u in out if u["unit_code"] == "460400").items()
    assert res.manifest["settings"]["screen"]["unit_threshold"] == 0.5


def test_interval_indicator_honours_frozen_anchors(census_store):
    """sex_ratio (区间型, best on [103, 107]) with panel frozen at 2010: its M comes from the 2010 range,
    recorded in the manifest, in 2020 too (formula methods_formulas.md §0: z = 1 − dist/M,
    M = max(a − lo, hi − b)); adding 2020 leaves its 2010 scores as they were."""
    s = {"panel": "frozen", "base_year": "2010"}
    one = evaluate("census-social", store=census_store, years=[2010], settings=s)
    two = evaluate("census-social", store=census_store, years=[2010, 2020], settings=s)
    j = two.plan.indicators.index("sex_ratio")
    k = two.nodes.index("sex_ratio")
    rec = two.manifest["steps"]["normalise"]["moderate_interval_anchors"]["sex_ratio"]
    assert rec == one.manifest["steps"]["normalise"]["moderate_interval_anchors"]["sex_ratio"]
    x10 = two.prepared.treated[0, :, j]
    lo, hi = np.nanmin(x10), np.nanmax(x10)
    assert rec["kind"] == "interval" and rec["interval"] == [103, 107] and rec["range"] == [lo, hi]
    M = max(103 - lo, hi - 107)
    assert rec["M"] == M
    x20 = two.prepared.treated[1, :, j]
    dist = np.where(x20 < 103, 103 - x20, np.where(x20 > 107, x20 - 107, 0.0))
    want = np.where(two.prepared.keep_units[1], 100 * (1 - dist / M), np.nan)
    np.testing.assert_allclose(two.normalised[1, :, j], want, rtol=1e-12, atol=1e-12)
    idx = [two.units.index(u) for u in one.units]
    np.testing.assert_array_equal(one.scores[0, :, k], two.scores[0, idx, k])
    # per-year panels record no fixed range (each year uses its own)
    per = evaluate("census-social", store=census_store, years=[2010], settings={"panel": "per_year"})
    assert per.manifest["steps"]["normalise"]["moderate_interval_anchors"] is None
