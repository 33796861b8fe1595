"""What a multi-criteria method declares so that frameworks, the pipeline and the manifest can use it.

Every ranking method is a pure function `func(x, w, direction=1, **options)` on x [..., units, criteria]
(leading axes: years, samples), w [..., criteria] or [criteria], direction ±1 per criterion, returning a
NamedTuple whose field `preference` [..., units] is the method's own output (VIKOR's Q, PROMETHEE's net
flow, …) next to its intermediate tables. `better` says which way that output is ordered, `to_score` how the
pipeline turns it into a higher-is-better node score (written into the manifest with every option default).
Weighting methods are `func(x, direction=1, **options)` → weights [..., criteria] summing to 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal

import numpy as np

__all__ = ["RankingMethod", "WeightingMethod", "score_from_preference"]


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


@dataclass(frozen=True)
class WeightingMethod:
    name: str  # key used in frameworks: weights {method: merec}
    label_zh: str
    func: Callable[..., np.ndarray]
    options: dict[str, Any] = field(default_factory=dict)
    uses_direction: bool = False  # MEREC, LOPCOW … need cost/benefit; node children are benefit already
    reference: str = ""


def score_from_preference(method: RankingMethod, preference: np.ndarray) -> np.ndarray:
    if method.to_score == "identity":
        return preference
    if method.to_score == "one_minus":
        return 1.0 - preference
    return -preference
