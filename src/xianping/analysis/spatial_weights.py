"""Spatial weights for the units of an analysis: queen | rook | knn:K | distance:KM, from the shipped county
boundaries or the user's own, aligned to the data's codes, with islands and unmatched units reported.

Weights are libpysal `W` objects (row-standardised by the statistics that need it). k-nearest and distance-band
weights use great-circle (haversine) distances between centroids, radius 6371.0088 km — computed here so that
both use one distance definition in km and ties in knn break by unit order, the same in every run.
Islands (no neighbour among the units analysed) are dropped by default (`islands="drop"`) and listed; `"keep"`
keeps them with an empty row (their lag is 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from xianping.analysis.boundaries import SpatialUnits, shipped_units
from xianping.problems import XianpingInputError

EARTH_RADIUS_KM = 6371.0088


@dataclass
class SpatialWeights:
    w: Any                       # libpysal.weights.W over `codes` (ids 0..n−1 in that order)
    codes: list[str]             # data codes kept, in the data's order
    index: np.ndarray            # positions of `codes` in the input code list
    islands: list[str]
    missing: list[str]           # data codes without a boundary
    kind: str
    meta: dict[str, Any] = field(default_factory=dict)

    def manifest(self) -> dict[str, Any]:
        return {"kind": self.kind, "n": len(self.codes), "islands": self.islands, "islands_policy": self.meta.get("islands"),
                "missing_boundaries": self.missing, "boundaries": self.meta.get("boundaries"),
                "links": int(self.w.s0) if self.w.transform == "O" else int(sum(len(v) for v in self.w.neighbors.values()))}


def _parse(kind: str) -> tuple[str, float | None]:
    k = kind.strip().lower()
    if k in ("queen", "rook"):
        return k, None
    name, _, arg = k.partition(":")
    if name in ("knn", "distance") and arg:
        try:
            return name, float(arg)
        except ValueError:
            pass
    raise XianpingInputError(f"unknown weights {kind!r}: use queen, rook, knn:K (e.g. knn:6) or distance:KM (e.g. distance:100)")


def build_weights(codes: Sequence[str], kind: str = "queen", units: SpatialUnits | None = None, islands: str = "drop") -> SpatialWeights:
    from libpysal.weights import W

    units = units or shipped_units()
    name, arg = _parse(kind)
    codes = [str(c) for c in codes]
    bcode = [units.resolve(c) for c in codes]
    keep = [i for i, b in enumerate(bcode) if b is not None]
    missing = [codes[i] for i, b in enumerate(bcode) if b is None]
    pos_of_b = {bcode[i]: k for k, i in enumerate(keep)}
    if len(pos_of_b) != len(keep):
        raise XianpingInputError("two data codes map to the same boundary unit; merge them first")
    n = len(keep)
    if name in ("queen", "rook"):
        nb = units.queen if name == "queen" else units.rook
        neigh = {k: sorted(pos_of_b[b] for b in nb[bcode[i]] if b in pos_of_b) for k, i in enumerate(keep)}
    else:
        idx = {c: j for j, c in enumerate(units.codes)}
        xy = np.array([[units.lon[idx[bcode[i]]], units.lat[idx[bcode[i]]]] for i in keep])
        neigh = _distance_neighbours(xy, name, arg)
    isl = [k for k in range(n) if not neigh[k]]
    island_codes = [codes[keep[k]] for k in isl]
    if islands == "drop" and isl:
        drop = set(isl)
        remap = {k: j for j, k in enumerate(k for k in range(n) if k not in drop)}
        neigh = {remap[k]: [remap[v] for v in vs] for k, vs in neigh.items() if k not in drop}
        keep = [i for k, i in enumerate(keep) if k not in drop]
    elif islands not in ("drop", "keep"):
        raise XianpingInputError("islands must be 'drop' or 'keep'")
    if len(keep) < 3:
        raise XianpingInputError(f"only {len(keep)} units have boundaries and neighbours: nothing to analyse")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns about islands and disconnected components; we report them
        w = W({k: v for k, v in neigh.items()}, silence_warnings=True)
    return SpatialWeights(w=w, codes=[codes[i] for i in keep], index=np.array(keep, dtype=int), islands=island_codes,
                          missing=missing, kind=kind, meta={"islands": islands, "boundaries": units.meta})


def _distance_neighbours(xy: np.ndarray, name: str, arg: float) -> dict[int, list[int]]:
    # great-circle distances on the centroids (n ≈ 3,000: a dense n × n matrix is 70 MB at most, fine)
    lon, lat = np.radians(xy[:, 0]), np.radians(xy[:, 1])
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    d = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
    np.fill_diagonal(d, np.inf)
    if name == "knn":
        k = int(arg)
        if k < 1 or k >= len(xy):
            raise XianpingInputError(f"knn:{k}: k must be between 1 and the number of units − 1")
        nn = np.argsort(d, axis=1, kind="stable")[:, :k]
        return {i: sorted(nn[i].tolist()) for i in range(len(xy))}
    return {i: np.where(d[i] <= arg)[0].tolist() for i in range(len(xy))}
