"""The village-scale generator (scripts/make_village_scale.py) on a small count: real county codes, .npz panels,
the same nominal evaluation as a CSV of the same numbers."""

from __future__ import annotations

import importlib.util

import numpy as np

from .conftest import ROOT


def _gen():
    spec = importlib.util.spec_from_file_location("make_village_scale", ROOT / "scripts" / "make_village_scale.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_small_village_panel(tmp_path):
    from xianping.reference.divisions import get_gazetteer
    from xianping.robust import evaluate_batch as EB
    from xianping.robust.load import load_model

    g = _gen()
    x, years, codes, cols = g.make(units=3000, n=30, years=(2022, 2023))
    assert len(codes) == len(set(codes)) == 3000 and all(len(c) == 12 for c in codes)
    counties = {d.code for d in get_gazetteer().counties_in(2023)}
    assert {c[:6] for c in codes} <= counties
    np.savez(tmp_path / "v.npz", values=x, years=np.array(years), units=np.array(codes), columns=np.array(cols))
    (tmp_path / "framework.yaml").write_text(g.framework_yaml(cols), encoding="utf-8")
    m = load_model(str(tmp_path / "framework.yaml"), data=str(tmp_path / "v.npz"))
    assert m.x.shape == (2, 3000, 30) and m.panel.source["kind"] == "npz"
    # the same numbers as a wide CSV give the same nominal ranks
    import pandas as pd

    frames = [pd.DataFrame(x[t], columns=cols).assign(unit_code=codes, year=y) for t, y in enumerate(years)]
    pd.concat(frames)[["unit_code", "year"] + cols].to_csv(tmp_path / "v.csv", index=False, float_format="%.17g")
    m2 = load_model(str(tmp_path / "framework.yaml"), data=str(tmp_path / "v.csv"))
    s1, r1 = EB.nominal(m)
    s2, r2 = EB.nominal(m2)
    assert np.array_equal(r1, r2) and np.array_equal(s1, s2)
