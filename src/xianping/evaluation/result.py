"""`EvaluationResult`: scores of every node, ranks, tiers, every intermediate table, and the manifest."""

from __future__ import annotations

from typing import Any

import numpy as np


class EvaluationResult:
    """Arrays are [years, units, nodes] with labels `years`, `units`, `nodes` (indicator leaves first,
    then the dimensions in post-order, the root last). Intermediate tables: `prepared` (raw, denominated,
    imputed + mask, screened masks, treated, normalised, anchors) and `scored` (per-node weights,
    effective weights, TOPSIS distances, entropy tables). `manifest` rebuilds it (`rebuild`)."""

    def __init__(self, framework, plan, info, panel, unit_names, unit_types, prepared, scored, tiers, by_type, manifest, problems):
        self.framework = framework
        self.plan = plan
        self.info = info
        self.panel = panel
        self.years: list[str] = list(panel.years)
        self.units: list[str] = list(panel.units)
        self.unit_names: list[str] = list(unit_names)
        self.unit_types: list[str] | None = unit_types
        self.nodes: list[str] = list(plan.node_codes)
        self.root: str = self.nodes[-1]
        self.prepared = prepared
        self.scored = scored
        self.tiers = tiers  # [T, m] root tiers (1 = best; 0 = outside top-N; −1 missing)
        self.by_type = by_type
        self.manifest = manifest
        self.scope = manifest.get("scope") or {}  # units, within, counts by kind (evaluation.scope); group ranks: scope.rank_rows
        self.problems = problems
        self._names = {it.node.code: it.node.name_zh for it in framework.walk()}
        self._depth = {it.node.code: it.depth for it in framework.walk()}

    # ── arrays and labels ─────────────────────────────────────────────────
    @property
    def scores(self) -> np.ndarray:
        """[T, m, N] score of every node (leaves: normalised values)."""
        return self.scored.values

    @property
    def ranks(self) -> np.ndarray:
        return self.scored.ranks

    @property
    def normalised(self) -> np.ndarray:
        return self.prepared.normalised

    @property
    def imputed_mask(self) -> np.ndarray:
        return self.prepared.imputed_mask

    @property
    def weights(self) -> dict[str, np.ndarray]:
        """node code → [T, k] normalised weights of its children (0 for a child screened out that year)."""
        return self.scored.weights

    @property
    def effective_weights(self) -> np.ndarray:
        """[T, N] weight of every node in the root score (exact for arithmetic trees)."""
        return self.scored.effective

    @property
    def topsis(self) -> dict[str, Any]:
        return self.scored.topsis

    def _t(self, year) -> int:
        y = str(year) if year is not None else self.years[-1]
        if y not in self.years:
            raise KeyError(f"year {y} was not evaluated ({', '.join(self.years)})")
        return self.years.index(y)

    def _n(self, node) -> int:
        node = node or self.root
        if node not in self.nodes:
            raise KeyError(f"no node {node!r}")
        return self.nodes.index(node)

    def score_of(self, unit: str, year=None, node=None) -> float:
        return float(self.scores[self._t(year), self.units.index(unit), self._n(node)])

    def screened_out(self) -> dict[str, Any]:
        s = self.manifest["steps"]["screen"]
        return {"indicators": s["indicators_out"], "units": s["units_out"]}

    # ── tables ────────────────────────────────────────────────────────────
    def to_rows(self, nodes=None, years=None, base_year=None) -> list[dict[str, Any]]:
        """Long rows: unit_code, unit_name, year, node, node_name, level, score, rank (+ tier on the root,
        + type, type_score, type_rank when by type, + rank_change (进位 > 0), score_change vs `base_year`)."""
        nodes = list(nodes) if nodes else self.nodes
        years = [str(y) for y in years] if years else self.years
        base = str(base_year) if base_year is not None else None
        bt = self._t(base) if base is not None else None
        tier_on = bool(self.manifest["settings"].get("tiers"))
        out = []
        for y in years:
            t = self._t(y)
            for code in nodes:
                k = self._n(code)
                for i, u in enumerate(self.units):
                    s = self.scores[t, i, k]
                    r = self.ranks[t, i, k]
                    row = {"unit_code": u, "unit_name": self.unit_names[i], "year": y, "node": code,
                           "node_name": self._names.get(code, ""), "level": self._depth.get(code, 0),
                           "score": None if np.isnan(s) else float(s), "rank": None if np.isnan(r) else int(r)}
                    if tier_on:
                        row["tier"] = int(self.tiers[t, i]) if code == self.root and self.tiers[t, i] >= 0 else None
                    if self.by_type is not None:
                        ts, tr = self.by_type["values"][t, i, k], self.by_type["ranks"][t, i, k]
                        row.update({"type": self.unit_types[i], "type_score": None if np.isnan(ts) else float(ts),
                                    "type_rank": None if np.isnan(tr) else int(tr)})
                    elif self.unit_types is not None:
                        row["type"] = self.unit_types[i]
                    if bt is not None:
                        rb, sb = self.ranks[bt, i, k], self.scores[bt, i, k]
                        row["rank_change"] = None if np.isnan(r) or np.isnan(rb) else int(rb - r)
                        row["score_change"] = None if np.isnan(s) or np.isnan(sb) else float(s - sb)
                    out.append(row)
        return out

    def top(self, n: int = 30, year=None, node=None, type: str | None = None) -> list[dict[str, Any]]:
        """The best `n` units (第一方阵 for n = 30) of a year and node, by rank (within `type` if given)."""
        t, k = self._t(year), self._n(node)
        if type is not None:
            if self.by_type is None:
                raise ValueError("evaluate with by_type=True to rank within types")
            sel = [i for i, ty in enumerate(self.unit_types) if ty == type]
            ranks = self.by_type["ranks"][t, :, k]
            scores = self.by_type["values"][t, :, k]
        else:
            sel = list(range(len(self.units)))
            ranks, scores = self.ranks[t, :, k], self.scores[t, :, k]
        sel = [i for i in sel if not np.isnan(ranks[i]) and ranks[i] <= n]
        sel.sort(key=lambda i: (ranks[i], self.units[i]))
        return [{"rank": int(ranks[i]), "unit_code": self.units[i], "unit_name": self.unit_names[i],
                 "score": float(scores[i]), **({"type": self.unit_types[i]} if self.unit_types else {})} for i in sel]

    def movers(self, base_year, year=None, n: int = 10, node=None) -> dict[str, list[dict[str, Any]]]:
        """Biggest rank gains (进位) and losses (退位) from `base_year` to `year`, with score changes."""
        tb, t, k = self._t(base_year), self._t(year), self._n(node)
        rb, rn = self.ranks[tb, :, k], self.ranks[t, :, k]
        sb, sn = self.scores[tb, :, k], self.scores[t, :, k]
        change = rb - rn
        ok = np.where(~np.isnan(change))[0]

        def row(i):
            return {"unit_code": self.units[i], "unit_name": self.unit_names[i], "rank_base": int(rb[i]), "rank": int(rn[i]),
                    "rank_change": int(change[i]), "score_base": float(sb[i]), "score": float(sn[i]),
                    "score_change": float(sn[i] - sb[i])}

        up = sorted(ok, key=lambda i: (-change[i], rn[i]))[:n]
        down = sorted(ok, key=lambda i: (change[i], rn[i]))[:n]
        return {"gains": [row(i) for i in up if change[i] > 0], "losses": [row(i) for i in down if change[i] < 0]}

    def weights_rows(self) -> list[dict[str, Any]]:
        """node, child, year, weight (within the node), effective weight (in the root)."""
        out = []
        for s in self.plan.nodes:
            w = self.weights[s.code]
            for t, y in enumerate(self.years):
                for j, c in enumerate(s.children):
                    out.append({"node": s.code, "child": self.nodes[c], "year": y, "weight": float(w[t, j]),
                                "effective_weight": float(self.effective_weights[t, c])})
        return out

    def write(self, out_path, base_year=None) -> dict[str, str]:
        """Write the long rows (CSV or Parquet by suffix), the weights beside them, and the manifest JSON."""
        from xianping.evaluation.export import write_result

        return write_result(self, out_path, base_year=base_year)
