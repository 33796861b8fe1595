"""Property: the score sheet `xianping evaluate` writes adds up — for every unit-year, the indicator, bonus and penalty
rows' points sum to the total row's points EXACTLY as written (decimal arithmetic on the CSV's text, tolerance 0),
every points cell has at most the programme's `decimals` digits after the point (no float noise such as
0.28000000000000114), and no indicator or bonus exceeds its max_points.

Programmes are generated (hypothesis): 1–5 items of the four rule kinds with drawn parameters, points that are not
round (total × share / Σ shares), class points for one class, drawn `decimals`, a bonus, a penalty and a veto;
data are the bundled census values (2010, 2020) of the 20 counties and districts of 焦作 and 大同 — 市辖区, 县级市 and 县, two
provinces for 增幅高于全省平均 — each value scaled by a drawn factor in [0.8, 1.2] and about 5 % removed. Each example
runs the real command (`xianping evaluate -f <generated YAML> --data <generated CSV> --out …`) and reads the file."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from xianping.cli.main import app

TREE = (Path(__file__).resolve().parents[2] / "src/xianping/frameworks/builtin/census-social.yaml").read_text(encoding="utf-8")
INDICATORS = ["urbanisation_rate", "nonfarm_employment_share", "edu_years", "college_share", "housing_area_pc",
              "tap_water_share", "toilet_share", "illiteracy_rate", "ageing_65", "sex_ratio"]

_num = st.floats(allow_nan=False, allow_infinity=False)
_rules = st.one_of(
    st.builds(lambda t, d, s, b, c, m: {"kind": "target_completion", "target": t, "deduct": d, "step": s, "bonus": b,
                                        "bonus_cap": c, "measure": m},
              st.floats(5, 95), st.floats(0, 3), st.floats(0.1, 5), st.floats(0, 1), st.floats(0, 3),
              st.sampled_from(["difference", "completion"])),
    st.builds(lambda m, b, c: {"kind": "growth_vs_average", "measure": m, "bonus": b, "bonus_cap": c},
              st.sampled_from(["growth", "change", "value"]), st.floats(0, 1), st.floats(0, 5)),
    st.builds(lambda s, u: {"kind": "efficacy_coefficient", "satisfactory": s, "unacceptable": s - u},
              st.floats(5, 90), st.sampled_from([-10.0, 3.0, 7.5, 40.0])),
    st.builds(lambda s: {"kind": "rank_points", "step": s}, st.floats(0.01, 3)),
)


@st.composite
def programmes(draw):
    k = draw(st.integers(1, 5))
    shares = draw(st.lists(st.integers(1, 9), min_size=k, max_size=k))
    total = draw(st.sampled_from([100.0, 150.0, 120.0]))
    pts = [total * s / sum(shares) for s in shares]  # e.g. 100 × 1/3: not round
    inds = draw(st.permutations(INDICATORS))
    items = [{"code": f"i{j}", "indicator": inds[j], "points": pts[j], "rule": draw(_rules)} for j in range(k)]
    cls = draw(st.sampled_from(["市辖区", "县级市", "县"]))
    moved = draw(st.floats(0, 1)) * pts[0]
    class_points = {cls: {"i0": pts[0] - moved, f"i{k - 1}": pts[k - 1] + moved}} if k > 1 else {}
    return {"total": total, "decimals": draw(st.integers(0, 4)),
            "ranking_mode": draw(st.sampled_from(["within_class", "together"])),
            "classes": ["市辖区", "县级市", "县"], "class_points": class_points, "items": items,
            "bonuses": [{"code": "b", "indicator": inds[k], "each": draw(st.floats(0, 0.2)), "cap": draw(st.floats(0, 5))}],
            "penalties": [{"code": "p", "indicator": inds[k + 1], "points": draw(st.floats(0, 4)),
                           "threshold": draw(st.floats(0, 60)), "cap": draw(st.floats(0, 3))}],
            "vetoes": [{"code": "v", "indicator": inds[k + 2], "threshold": draw(st.floats(0, 100))}],
            "awards": {"advanced": 3, "improved": 2, "first_tier": 5}}


@pytest.fixture(scope="module")
def counties(census_csv):
    """The census rows (2010, 2020) of 焦作 (4108) and 大同 (1402): 市辖区, 县级市 and 县 of two provinces."""
    df = pd.read_csv(census_csv, dtype={"unit_code": str, "period": str})
    keep = df["unit_code"].str[:4].isin(["4108", "1402"]) & df["period"].isin(["2010", "2020"])
    return df[keep].reset_index(drop=True)


def _places(text: str) -> int:
    """Digits after the point of a written number, trailing zeros not counted ("100.0" → 0, "0.28" → 2)."""
    return max(0, -Decimal(text).normalize().as_tuple().exponent)


def _sums(path: Path, decimals: int) -> int:
    """Check the written sheet row by row on its text; return the unit-years checked."""
    parts, totals = defaultdict(Decimal), {}
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            p = r["points"]
            for col in ("points", "max_points", "points_lost"):
                assert _places(r[col]) <= decimals, (col, r[col], decimals)
            key, v = (r["unit_code"], r["year"]), Decimal(p)
            if r["kind"] == "total":
                totals[key] = v
            else:
                parts[key] += v
                if r["kind"] == "veto":
                    assert v == 0
                if r["kind"] in ("indicator", "bonus"):
                    assert Decimal("0") <= v <= Decimal(r["max_points"]), r
                if r["kind"] == "penalty":
                    assert v <= 0
    assert totals and set(parts) == set(totals)
    for key, t in totals.items():
        assert parts[key] == t, (key, parts[key], t)  # exactly as written: no tolerance
    return len(totals)


# no shrinking: each example is a whole evaluation; the failing programme is printed as drawn
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(programmes(), st.integers(0, 2**31 - 1))
def test_written_sheet_adds_up_exactly(counties, tmp_path_factory, prog, seed):
    d = tmp_path_factory.mktemp("prop")
    fw = d / "fw.yaml"
    fw.write_text(TREE + "\nscoring: " + json.dumps(prog, ensure_ascii=False) + "\n", encoding="utf-8")
    rng = np.random.default_rng(seed)
    data = counties.assign(value=counties["value"] * rng.uniform(0.8, 1.2, len(counties)))
    data = data[rng.random(len(data)) > 0.05]
    data.to_csv(d / "data.csv", index=False)
    r = CliRunner().invoke(app, ["evaluate", "-f", str(fw), "--data", str(d / "data.csv"), "--out", str(d / "r.csv"),
                                 "--top", "0"])
    assert r.exit_code == 0, r.output
    n = _sums(d / "r.scoresheet.csv", prog["decimals"])
    # a sheet for every unit-year with a value of at least one item's indicator (and none other)
    items = data[data["indicator"].isin([it["indicator"] for it in prog["items"]])]
    assert n == len(items[["unit_code", "period"]].drop_duplicates()) > 30
