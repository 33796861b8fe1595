"""Multi-criteria decision methods beyond the composite-indicator core, vectorised over leading axes (years,
samples) like the rest of the engine, each checked against the pymcdm / pyrepo-mcda test cases
(tests/engine/oracles/mcda) and slice by slice against pymcdm.

- compromise.py: VIKOR, EDAS, CODAS, MABAC, MAIRCA, MARCOS, SPOTIS (+ balanced), RIM, ERVD, PROBID/sPROBID,
  AROMAN, RAFSI, LoPM, CRADIS — column statistics skip a missing cell (as `aggregate.topsis` does);
- utility.py: WSM/SAW, WPM, WASPAS, MOORA, MULTIMOORA, ARAS, COPRAS, CoCoSo, OCRA, RAM, LMAW, PVM, and
  outranking.py: PROMETHEE II, PROSA-C — a unit with a missing criterion is left out of every column statistic;
- comet.py: COMET (characteristic objects, MEJ, triads consistency, structural COMET);
- weighting.py: MEREC, Gini, CILOS, IDOCRIW, angle, LOPCOW, variance, std, RANCOM;
- normalisations.py: the pymcdm/pyrepo normalisations (EA, logarithmic, nonlinear, Zavadskas–Turskis …);
- rank_similarity.py: Spearman, weighted Spearman, WS, Kendall, DraWS, Kemeny, Frobenius … between rankings.

`RANKING_METHODS` and `WEIGHTING_METHODS` (see `_registry.py`) are what frameworks may name as a node's
aggregation or weights; the pipeline turns a method's preference into a node score by its declared `to_score`.
"""

from __future__ import annotations

from ._registry import RankingMethod, WeightingMethod, options_for_criteria, score_from_preference
from . import comet, compromise, outranking, utility, weighting

__all__ = ["RankingMethod", "WeightingMethod", "score_from_preference", "options_for_criteria", "RANKING_METHODS", "WEIGHTING_METHODS",
           "PAIRWISE_METHODS"]


def _merge(*tables):
    out: dict = {}
    for t in tables:
        clash = set(out) & set(t)
        if clash:  # two modules claiming one name would make a framework ambiguous
            raise RuntimeError(f"MCDA method names registered twice: {sorted(clash)}")
        out.update(t)
    return out


RANKING_METHODS: dict[str, RankingMethod] = _merge(compromise.METHODS, utility.METHODS, outranking.METHODS, comet.METHODS)
WEIGHTING_METHODS: dict[str, WeightingMethod] = dict(weighting.WEIGHTINGS)
# methods holding an m × m table per cross-section: the pipeline feeds them a few cross-sections at a time
PAIRWISE_METHODS = frozenset({"promethee_ii", "prosa_c", "probid", "sprobid"})
