"""Indicator statistics, COINr's `get_stats` (v1.1.14, R/stats.R), column by column of a units × indicators table.

For each column x (NaN = missing) of a table with n rows:

    Min, Max, Mean, Median, Std (sd, n − 1), Skew, Kurt       on the available values
    Skew, Kurt   sample-adjusted (e1071 type 2, Excel SKEW/KURT; COINr `skew`/`kurt`):
                 G1 = √(n(n−1))/(n−2) · m3/m2^{3/2},  G2 = ((n+1)(m4/m2² − 3) + 6)(n−1)/((n−2)(n−3))
    N.Avail      available values                 Frc.Avail   = N.Avail / n
    N.NonZero    available values ≠ 0             Frc.NonZero = N.NonZero / N.Avail
    N.Unique     distinct available values        Frc.Unique  = N.Unique / N.Avail
    N.Same       size of the largest group of equal values (`max(table(x))`: values as R prints them, 15 digits,
                 so 3.4 and 3.4000000000000004 are one group here but two distinct values in N.Unique)   Frc.Same = N.Same / N.Avail
    Flag.Avail    "LOW" if Frc.Avail < t_avail (0.65), else "ok"
    Flag.NonZero  "LOW" if N.NonZero / n < t_zero (0.5)   ← COINr divides by all rows here, not N.Avail
    Flag.Unique   "LOW" if N.Unique / n < t_unq (0.5)     ← likewise
    Flag.SkewKurt "OUT" if |Skew| > t_skew (2) and Kurt > t_kurt (3.5) (possible outliers), else "ok"

COINr rounds its table to 3 significant figures (nsignif = 3); the values here are unrounded and the flags are
taken on the unrounded statistics, as COINr does. Oracle: COINr ASEM `get_stats(coin, dset = "Raw" | "Treated")`
(tests/analysis/oracles/coinr_asem/ASEM_stats_{raw,treated}.csv).

Vectorised over leading axes: x [..., units, indicators] → every statistic [..., indicators]. N.Unique and N.Same
come from one sort along the units axis (run lengths of equal values), not from a loop over columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from xianping.engine._common import quiet
from xianping.engine.treat_outliers import kurt, skew
from xianping.problems import XianpingInputError

COLUMNS = ("Min", "Max", "Mean", "Median", "Std", "Skew", "Kurt", "N.Avail", "N.NonZero", "N.Unique", "N.Same",
           "Frc.Avail", "Frc.NonZero", "Frc.Unique", "Frc.Same", "Flag.Avail", "Flag.NonZero", "Flag.Unique", "Flag.SkewKurt")

LABELS_ZH = {"iCode": "指标", "Min": "最小值", "Max": "最大值", "Mean": "均值", "Median": "中位数", "Std": "标准差",
             "Skew": "偏度", "Kurt": "峰度", "N.Avail": "有效值数", "N.NonZero": "非零值数", "N.Unique": "不同值数",
             "N.Same": "最多相同值数", "Frc.Avail": "有效比例", "Frc.NonZero": "非零比例", "Frc.Unique": "不同值比例",
             "Frc.Same": "相同值比例", "Flag.Avail": "缺失标记", "Flag.NonZero": "零值标记", "Flag.Unique": "重复值标记",
             "Flag.SkewKurt": "异常值标记"}

DEFAULT_THRESHOLDS = {"t_skew": 2.0, "t_kurt": 3.5, "t_avail": 0.65, "t_zero": 0.5, "t_unq": 0.5}


@dataclass
class IndicatorStats:
    """Every COINr `get_stats` column as an array [..., indicators] (flags as "ok"/"LOW"/"OUT" strings)."""

    values: dict[str, np.ndarray]
    names: list[str] | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, col: str) -> np.ndarray:
        return self.values[col]

    def rows(self, labels: bool = True) -> list[dict[str, Any]]:
        """One row per indicator of a 2-D table (no leading axes); headers 'Min 最小值' when `labels`."""
        if self.values["Min"].ndim != 1:
            raise ValueError("rows() needs the statistics of one table (no leading axes)")
        head = (lambda c: f"{c} {LABELS_ZH[c]}") if labels else (lambda c: c)
        names = self.names or [str(j) for j in range(len(self.values["Min"]))]
        out = []
        for j, code in enumerate(names):
            row: dict[str, Any] = {head("iCode"): code}
            for c in COLUMNS:
                v = self.values[c][j]
                row[head(c)] = str(v) if isinstance(v, (str, np.str_)) else (int(v) if c.startswith("N.") else float(v))
            out.append(row)
        return out


def _signif15(x: np.ndarray) -> np.ndarray:
    """x to 15 significant digits, as R's `as.character` (which `table` uses) prints a double."""
    with quiet():
        mag = 10.0 ** (14 - np.floor(np.log10(np.abs(x))))
        r = np.round(x * mag) / mag
    return np.where((x == 0) | ~np.isfinite(r), x, r)


def _runs(x: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and the largest group of equal values along axis −2, from one sort (NaN sorts last)."""
    return _distinct(np.sort(x, axis=-2), ok), _largest_group(np.sort(_signif15(x), axis=-2), ok)


def _distinct(s, ok):
    n_ok = ok.sum(axis=-2, keepdims=True)
    idx = np.arange(s.shape[-2]).reshape((-1, 1))
    new = np.ones(s.shape, dtype=bool)
    new[..., 1:, :] = s[..., 1:, :] != s[..., :-1, :]
    return (new & (idx < n_ok)).sum(axis=-2)


def _largest_group(s, ok):
    n_ok = ok.sum(axis=-2, keepdims=True)
    idx = np.arange(s.shape[-2]).reshape((-1, 1))
    valid = idx < n_ok
    new = np.ones(s.shape, dtype=bool)
    new[..., 1:, :] = s[..., 1:, :] != s[..., :-1, :]
    new &= valid
    start = np.maximum.accumulate(np.where(new, idx, 0), axis=-2)
    return np.where(valid, idx - start + 1, 0).max(axis=-2)


def indicator_stats(x, names: Sequence[str] | None = None, t_skew: float = 2.0, t_kurt: float = 3.5,
                    t_avail: float = 0.65, t_zero: float = 0.5, t_unq: float = 0.5) -> IndicatorStats:
    """COINr `get_stats` of x [..., units, indicators] (NaN = missing)."""
    x = np.asarray(x, dtype=float)
    if x.ndim < 2:
        raise XianpingInputError("indicator statistics need a table: units × indicators")
    if np.isinf(x).any():
        raise XianpingInputError("indicator statistics: the table holds ±inf; clean it first")
    n = x.shape[-2]
    if names is not None and len(names) != x.shape[-1]:
        raise XianpingInputError(f"{len(names)} names for {x.shape[-1]} indicators")
    ok = ~np.isnan(x)
    n_avail = ok.sum(axis=-2)
    # a column without any value (e.g. an indicator carried into a year from another) gets NaN statistics and
    # Flag.Avail LOW; COINr stops there (its skew needs 3 values)
    with quiet():
        sk, kt = skew(x, axis=-2), kurt(x, axis=-2)
        nonzero = np.sum(ok & (x != 0), axis=-2)
        unique, same = _runs(x, ok)
        v = {"Min": np.nanmin(x, axis=-2), "Max": np.nanmax(x, axis=-2), "Mean": np.nanmean(x, axis=-2),
             "Median": np.nanmedian(x, axis=-2), "Std": np.nanstd(x, axis=-2, ddof=1), "Skew": sk, "Kurt": kt,
             "N.Avail": n_avail, "N.NonZero": nonzero, "N.Unique": unique, "N.Same": same,
             "Frc.Avail": n_avail / n, "Frc.NonZero": nonzero / n_avail, "Frc.Unique": unique / n_avail,
             "Frc.Same": same / n_avail}
    v["N.Same"] = np.where(n_avail > 0, same, 0)
    v["Flag.Avail"] = np.where(v["Frc.Avail"] >= t_avail, "ok", "LOW")
    v["Flag.NonZero"] = np.where(nonzero / n >= t_zero, "ok", "LOW")
    v["Flag.Unique"] = np.where(unique / n >= t_unq, "ok", "LOW")
    # NaN skew/kurt (fewer than 3/4 values) compare False: "ok", as R's ifelse would give NA → we say ok
    v["Flag.SkewKurt"] = np.where((np.abs(sk) > t_skew) & (kt > t_kurt), "OUT", "ok")
    meta = {"method": "COINr get_stats (v1.1.14)", "t_skew": t_skew, "t_kurt": t_kurt, "t_avail": t_avail,
            "t_zero": t_zero, "t_unq": t_unq, "skew_kurt": "sample-adjusted (e1071 type 2)", "sd": "n - 1",
            "flags_nonzero_unique_over": "all rows (COINr)", "rounding": "none (COINr rounds to 3 significant figures)"}
    return IndicatorStats(v, list(names) if names is not None else None, meta)
