"""`robust` on a store (the bundled census panel, two years): the nominal ranks are `evaluate`'s, per year."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

DEMO = Path(__file__).resolve().parents[2] / "src" / "xianping" / "demo" / "data" / "census_co2_panel.csv.gz"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from xianping.ingest.run_import import import_table
    from xianping.store.duckdb_store import open_store

    d = tmp_path_factory.mktemp("robust_store")
    csv_path = d / "census.csv"
    with gzip.open(DEMO, "rb") as f, open(csv_path, "wb") as g:
        shutil.copyfileobj(f, g)
    path = d / "demo.duckdb"
    with open_store(path) as st:
        import_table(csv_path, st, source="demo")
    return path


def test_store_two_years(store):
    from xianping.evaluation import evaluate
    from xianping.robust.run import robust

    spec = {"inputs": [{"name": "w", "kind": "weights", "level": 2, "noise": 0.2}]}
    r = robust("census-social", store=str(store), years="2010,2020", spec=spec, n=20, seed=1)
    ev = evaluate("census-social", store=str(store), years="2010,2020")
    k = ev.nodes.index(ev.plan.node_codes[-1])
    assert r.years == ["2010", "2020"] and r.ranks.shape == (20, 2, len(ev.units))
    assert np.array_equal(r.nominal_ranks, ev.ranks[..., k], equal_nan=True)
    assert r.manifest["data"]["kind"] == "store"
    assert len(r.table()) == 2 * len(ev.units)
