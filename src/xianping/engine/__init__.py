"""The evaluation engine: pure numpy verbs, arrays in and arrays out.

Arrays are shaped [..., units, indicators]; leading axes (years, samples) are batch axes. NaN means
missing. One module per verb:

- `impute`          fill missing cells (named methods) and report which cells were filled;
- `treat_outliers`  COINr-style winsorisation / log transform with flags;
- `normalise`       无量纲化: min–max, z-score, ranks, goalposts, targets, moderate/interval …;
- `weights`         equal, explicit, AHP, entropy (named zero-handling variants), CRITIC, CV, PCA, combined;
- `aggregate`       arithmetic / geometric / harmonic / power means, tree levels, TOPSIS, grey relational;
- `rank`            ranks with named tie rules, top-N, quantile / fixed / natural-break classes, rank change.

Every method choice is a string parameter so that a result's manifest can record it.
"""

from . import aggregate, impute, normalise, rank, treat_outliers, weights
from ._common import EngineWarning

__all__ = ["aggregate", "impute", "normalise", "rank", "treat_outliers", "weights", "EngineWarning"]
