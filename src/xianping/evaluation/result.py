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
    def long_table(self, nodes=None, years=None, base_year=None):
        """The long rows as one pandas DataFrame built from the arrays (one column at a time, never a Python object
        per row): unit_code, unit_name, year, node, node_name, level, score, rank (+ tier on the root, + type,
        type_score, type_rank when by type, + rank_change (进位 > 0), score_change vs `base_year`). Rows run year by
        year, node by node, unit by unit. Labels are categoricals (an empty name is missing), ranks nullable Int64."""
        import pandas as pd

        nodes = list(nodes) if nodes else self.nodes
        years = [str(y) for y in years] if years else self.years
        ts = np.array([self._t(y) for y in years], dtype=np.intp)
        ks = np.array([self._n(c) for c in nodes], dtype=np.intp)
        T, K, m = len(ts), len(ks), len(self.units)
        unit_ix = np.tile(np.arange(m), T * K)
        node_ix = np.tile(np.repeat(np.arange(K), m), T)
        year_ix = np.repeat(np.arange(T), K * m)

        def labels(values, ix):
            uniq, inv = np.unique(np.array(["" if v is None else str(v) for v in values], dtype=str), return_inverse=True)
            codes = np.where(uniq == "", -1, np.arange(len(uniq))).astype(np.int32)[inv][ix]
            return pd.Categorical.from_codes(codes, categories=uniq)

        def block(a):  # [T_all, m, N_all] → [T, K, m] flattened in row order
            return np.ascontiguousarray(a[ts][:, :, ks].transpose(0, 2, 1)).ravel()

        def ints(a):
            a = np.asarray(a, dtype=float)
            bad = np.isnan(a)
            return pd.arrays.IntegerArray(np.where(bad, 0, a).astype(np.int64), bad)

        score, rank = block(self.scores), block(self.ranks)
        cols = {"unit_code": labels(self.units, unit_ix), "unit_name": labels(self.unit_names, unit_ix),
                "year": pd.Categorical.from_codes(year_ix.astype(np.int32), categories=years),
                "node": pd.Categorical.from_codes(node_ix.astype(np.int32), categories=nodes),
                "node_name": labels([self._names.get(c, "") for c in nodes], node_ix),
                "level": np.array([self._depth.get(c, 0) for c in nodes], dtype=np.int64)[node_ix],
                "score": score, "rank": ints(rank)}
        if self.manifest["settings"].get("tiers"):
            tier = np.asarray(self.tiers, dtype=float)[ts][:, None, :].repeat(K, axis=1)    # [T, K, m]
            tier[:, np.array(nodes) != self.root, :] = np.nan
            tier[tier < 0] = np.nan
            cols["tier"] = ints(tier.ravel())
        if self.by_type is not None:
            cols["type"] = labels(self.unit_types, unit_ix)
            cols["type_score"] = block(np.asarray(self.by_type["values"], dtype=float))
            cols["type_rank"] = ints(block(np.asarray(self.by_type["ranks"], dtype=float)))
        elif self.unit_types is not None:
            cols["type"] = labels(self.unit_types, unit_ix)
        if base_year is not None:
            bt = self._t(str(base_year))
            rb = np.ascontiguousarray(self.ranks[bt][:, ks].T).ravel()     # [K, m], the same for every year
            sb = np.ascontiguousarray(self.scores[bt][:, ks].T).ravel()
            cols["rank_change"] = ints(np.tile(rb, T) - rank)
            cols["score_change"] = score - np.tile(sb, T)
        return pd.DataFrame(cols, copy=False)

    def to_rows(self, nodes=None, years=None, base_year=None) -> list[dict[str, Any]]:
        """`long_table` as a list of dicts (missing → None, a missing label → ""): for a few rows (a year's root
        scores, a test); files are written from the table itself."""
        import pandas as pd

        df = self.long_table(nodes, years, base_year)
        out_cols = {}
        for c in df.columns:
            col = df[c]
            if isinstance(col.dtype, pd.CategoricalDtype):
                out_cols[c] = col.astype(object).where(col.notna(), "").tolist()
            elif col.dtype.kind == "f":
                v = col.to_numpy()
                out_cols[c] = [None if x != x else x for x in v.tolist()]
            else:
                out_cols[c] = col.astype(object).where(col.notna(), None).tolist()
        names = list(out_cols)
        return [dict(zip(names, vals)) for vals in zip(*out_cols.values())]

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
        df = self.weights_table()
        return [dict(zip(df.columns, r)) for r in zip(*(df[c].tolist() for c in df.columns))]

    def weights_table(self):
        """The weights as a DataFrame, one row per node, year and child (node by node, year by year)."""
        import pandas as pd

        node, child, year, w, eff = [], [], [], [], []
        T = len(self.years)
        for s in self.plan.nodes:  # a few dozen nodes: the rows inside each are built as arrays
            k = len(s.children)
            node += [s.code] * (T * k)
            child += [self.nodes[c] for c in s.children] * T
            year += [y for y in self.years for _ in range(k)]
            w.append(np.asarray(self.weights[s.code], dtype=float)[:, :k].ravel())
            eff.append(np.asarray(self.effective_weights, dtype=float)[:, list(s.children)].ravel())
        return pd.DataFrame({"node": node, "child": child, "year": year,
                             "weight": np.concatenate(w) if w else np.array([], float),
                             "effective_weight": np.concatenate(eff) if eff else np.array([], float)})

    def write(self, out_path, base_year=None) -> dict[str, str]:
        """Write the long rows (CSV or Parquet by suffix), the weights beside them, and the manifest JSON."""
        from xianping.evaluation.export import write_result

        return write_result(self, out_path, base_year=base_year)
