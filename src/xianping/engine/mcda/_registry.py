"""What a multi-criteria method declares so that frameworks, the pipeline and the manifest can use it.

Every ranking method is a pure function `func(x, w, direction=1, **options)` on x [..., units, criteria]
(leading axes: years, samples), w [..., criteria] or [criteria], direction ±1 per criterion, returning a
NamedTuple whose field `preference` [..., units] is the method's own output (VIKOR's Q, PROMETHEE's net
flow, …) next to its intermediate tables. `better` says which way that output is ordered, `to_score` how the
pipeline turns it into a higher-is-better node score (written into the manifest with every option default).
Weighting methods are `func(x, direction=1, **options)` → weights [..., criteria] summing to 1.
`per_criterion` names the options that hold one entry per criterion, so that the pipeline can keep them aligned
when it leaves a child out: "vector" (one entry per criterion, or a scalar for all), "nested" (a list per criterion,
or one flat list for all — COMET's characteristic values), "matrix" (criterion × criterion, RANCOM's pairwise M).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal

import numpy as np

__all__ = ["RankingMethod", "WeightingMethod", "score_from_preference", "options_for_criteria"]


@dataclass(frozen=True)
class RankingMethod:
    name: str  # key used in frameworks: aggregation {method: vikor}
    label_zh: str  # 中文名 for reports: "VIKOR 折衷排序法"
    func: Callable[..., Any]
    options: dict[str, Any] = field(default_factory=dict)  # option → default (all recorded in the manifest)
    better: Literal["higher", "lower"] = "higher"
    # preference → node score (higher is better): identity; one_minus (outputs in [0, 1], lower better);
    # negate (unbounded, lower better)
    to_score: Literal["identity", "one_minus", "negate"] = "identity"
    reference: str = ""
    per_criterion: dict[str, Literal["vector", "nested", "matrix"]] = field(default_factory=dict)


@dataclass(frozen=True)
class WeightingMethod:
    name: str  # key used in frameworks: weights {method: merec}
    label_zh: str
    func: Callable[..., np.ndarray]
    options: dict[str, Any] = field(default_factory=dict)
    uses_direction: bool = False  # MEREC, LOPCOW … need cost/benefit; node children are benefit already
    reference: str = ""
    per_criterion: dict[str, Literal["vector", "nested", "matrix"]] = field(default_factory=dict)


def score_from_preference(method: RankingMethod, preference: np.ndarray) -> np.ndarray:
    if method.to_score == "identity":
        return preference
    if method.to_score == "one_minus":
        return 1.0 - preference
    return -preference


def options_for_criteria(method, options: dict, cols, k: int) -> dict:
    """`options` of `method` for the criteria `cols` of k: the per-criterion ones (as the method declares them)
    cut to those criteria, the rest as given."""
    cols = list(cols)
    if len(cols) == k:
        return options
    out = dict(options)
    for key, kind in method.per_criterion.items():
        val = options.get(key)
        if not isinstance(val, (list, tuple)) or len(val) != k:
            continue  # a scalar, or one value for every criterion
        if kind == "nested" and not all(isinstance(e, (list, tuple)) for e in val):
            continue  # one flat list shared by all criteria
        if kind == "matrix":
            out[key] = [[val[i][j] for j in cols] for i in cols]
        else:
            out[key] = [val[c] for c in cols]
    return out
