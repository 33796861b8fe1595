"""Statistical coherence of a framework — the audit an analyst shows to defend it (COINr / JRC audit).

Given an evaluation result (`xianping.evaluation.evaluate`), for one year's cross-section:

1. indicator statistics of the raw and the treated data (`indicator_stats`, COINr `get_stats`);
2. correlations (pairwise-complete, Pearson or Spearman, with cor.test p-values; COINr `get_corr`, whose
   default shows a correlation only where p ≤ 0.05):
   - every indicator against each of its ancestors (`withparent = "family"`),
   - the nodes of one level against each other (e.g. pillars vs pillars),
   - pairs of indicators in the same group above a threshold (`get_corr_flags`: double counting, redundancy);
3. Cronbach's α of each node's children (`get_cronbach`: k² · mean off-diagonal covariance / Σ covariance, the
   covariance pairwise-complete and NA cells dropped from both sums while the divisor stays k(k−1), as COINr);
4. PCA of a level: the importance table of R's `summary(prcomp(scale = TRUE))` (standard deviations of the
   components, proportion and cumulative proportion of variance), units with a missing value left out;
5. optimised weights (`get_opt_weights`, Becker et al. 2017, linear version): weights of the nodes of one level
   such that their correlations with the index, normalised to sum 1, match target shares.

Levels are COINr's: 1 = the indicators, the root = the highest level; a node's level is (depth of the deepest
indicator) − (its depth) + 1, which is COINr's numbering for the balanced trees COINr accepts.

Oracle: COINr v1.1.14 on its ASEM example (tests/analysis/test_coherence.py; oracles/coinr_asem/).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from xianping.engine._common import quiet
from xianping.problems import XianpingInputError

CORTYPES = ("pearson", "spearman")


# ── correlations ─────────────────────────────────────────────────────────────────────────────────────────────────
@dataclass
class Correlation:
    r: np.ndarray          # [p, q] correlation (pairwise-complete)
    p: np.ndarray          # [p, q] two-sided p-value (R's cor.test)
    n: np.ndarray          # [p, q] units in the pair
    method: str

    def significant(self, pval: float = 0.05) -> np.ndarray:
        """r where p ≤ pval, NaN elsewhere — what COINr's get_corr returns (pval = 0 keeps every r)."""
        return np.where(self.p > pval, np.nan, self.r) if pval > 0 else self.r.copy()


def _pearson_pairwise(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pearson r of every column of X with every column of Y over the units both have (R's
    use = "pairwise.complete.obs"), from masked moment sums — matrix products, no loop over pairs. The columns
    are centred on their own means first: r is shift-invariant, and centring keeps the sums well conditioned."""
    A, B = ~np.isnan(X), ~np.isnan(Y)
    with quiet():
        X0 = np.where(A, X - np.nanmean(X, axis=-2, keepdims=True), 0.0)
        Y0 = np.where(B, Y - np.nanmean(Y, axis=-2, keepdims=True), 0.0)
    a, b = A.astype(float), B.astype(float)
    mt = lambda u, v: np.einsum("...mi,...mj->...ij", u, v)  # noqa: E731
    n = mt(a, b)
    sx, sy, sxy = mt(X0, b), mt(a, Y0), mt(X0, Y0)
    sxx, syy = mt(X0 * X0, b), mt(a, Y0 * Y0)
    with quiet():
        cxy = sxy - sx * sy / n
        r = cxy / np.sqrt((sxx - sx * sx / n) * (syy - sy * sy / n))
    r = np.where(n >= 2, np.clip(r, -1.0, 1.0), np.nan)
    return r, n


def _t_pvalue(r, n):
    """Two-sided p of H0: ρ = 0 from t = r √((n−2)/(1−r²)) on n − 2 df (R's cor.test for Pearson)."""
    from scipy.stats import t as student_t

    with quiet():
        df = n - 2.0
        tt = r * np.sqrt(df / (1.0 - r * r))
        p = 2.0 * student_t.sf(np.abs(tt), df)
    return np.where(n > 2, np.where(np.abs(r) >= 1.0, 0.0, p), np.nan)


def _spearman_pvalue(r, n, has_ties):
    """R's cor.test(method = "spearman"): for n < 1290 without ties the statistic S = (n³ − n)(1 − r)/6 is referred
    to AS 89 (exact for n ≤ 9, an Edgeworth series above), otherwise to the t approximation. Written here because
    scipy's spearmanr offers only the t approximation and `permutation_test` is random."""
    from scipy.stats import norm

    p_t = _t_pvalue(r, n)
    out = np.array(p_t, dtype=float)
    it = np.nditer([r, n, has_ties], flags=["multi_index"])
    for rr, nn, ties in it:
        rr, nn = float(rr), int(nn)
        if np.isnan(rr) or nn < 2 or nn >= 1290 or bool(ties):
            continue
        q = (nn**3 - nn) * (1.0 - rr) / 6.0
        lower = not q > (nn**3 - nn) / 6.0
        p = _prho(nn, round(q) + 2 * lower, lower, norm)
        out[it.multi_index] = min(2.0 * p, 1.0)
    return out


def _prho(n: int, s: float, lower_tail: bool, norm) -> float:
    """AS 89 (Best & Roberts 1975), as R's prho.c: P[S ≥ s] (upper) or P[S < s] (lower) for Spearman's S; R passes
    s = round(S) + 2 for the lower tail (S takes even values only, so P[S ≤ S_obs] = P[S < S_obs + 2])."""
    pv = 0.0 if lower_tail else 1.0
    if s <= 0:
        return pv
    n3 = n * (n * n - 1) / 3.0
    if s > n3:
        return 1.0 - pv
    if n <= 9:  # exact: enumerate the permutations
        import itertools

        base = np.arange(1, n + 1)
        cnt = 0
        tot = 0
        for perm in itertools.permutations(range(1, n + 1)):
            d = float(np.sum((base - np.array(perm)) ** 2))
            tot += 1
            if (d < s) if lower_tail else (d >= s):
                cnt += 1
        return cnt / tot
    c = (0.2274, 0.2531, 0.1745, 0.0758, 0.1033, 0.3932, 0.0879, 0.0151, 0.0072, 0.0831, 0.0131, 4.6e-4)
    b = 1.0 / n
    x = (6.0 * (s - 1) * b / (n * n - 1) - 1) * np.sqrt(1 / b - 1)
    y = x * x
    u = x * b * (c[0] + b * (c[1] + c[2] * b) + y * (-c[3] + b * (c[4] + c[5] * b)
                 - y * b * (c[6] + c[7] * b - y * (c[8] - c[9] * b + y * b * (c[10] - c[11] * y)))))
    upper = u / np.exp(y / 2) + norm.sf(x)  # P[S ≥ s]
    pv = 1.0 - upper if lower_tail else upper
    return float(min(max(pv, 0.0), 1.0))


def _ranks(v):
    from scipy.stats import rankdata

    return rankdata(v, method="average", axis=-2, nan_policy="omit")


def correlate(X, Y=None, method: str = "pearson") -> Correlation:
    """Correlation of the columns of X [units, p] with those of Y [units, q] (default Y = X), pairwise-complete,
    with R's cor.test p-values. Spearman ranks each pair's common units afresh (R's cor with pairwise.complete.obs);
    with missing values that is done pair by pair, since the ranks depend on which units the pair shares."""
    if method not in CORTYPES:
        raise XianpingInputError(f"correlation type {method!r}: use one of {', '.join(CORTYPES)}")
    X = np.asarray(X, dtype=float)
    Y = X if Y is None else np.asarray(Y, dtype=float)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[0] != Y.shape[0]:
        raise XianpingInputError("correlate: X and Y must be tables with the same units (rows)")
    if method == "pearson":
        r, n = _pearson_pairwise(X, Y)
        return Correlation(r, _t_pvalue(r, n), n, method)
    ties_x = np.array([_has_ties(X[:, i]) for i in range(X.shape[1])])
    ties_y = np.array([_has_ties(Y[:, j]) for j in range(Y.shape[1])])
    if not (np.isnan(X).any() or np.isnan(Y).any()):
        r, n = _pearson_pairwise(_ranks(X), _ranks(Y))
        ties = ties_x[:, None] | ties_y[None, :]
    else:
        r = np.full((X.shape[1], Y.shape[1]), np.nan)
        n = np.zeros_like(r)
        ties = np.zeros(r.shape, dtype=bool)
        for i in range(X.shape[1]):
            for j in range(Y.shape[1]):
                ok = ~np.isnan(X[:, i]) & ~np.isnan(Y[:, j])
                n[i, j] = ok.sum()
                if ok.sum() >= 2:
                    xi, yj = X[ok, i], Y[ok, j]
                    r[i, j] = _pearson_pairwise(_ranks(xi[:, None]), _ranks(yj[:, None]))[0][0, 0]
                    ties[i, j] = _has_ties(xi) or _has_ties(yj)
    return Correlation(r, _spearman_pvalue(r, n, ties), n, method)


def _has_ties(v) -> bool:
    v = v[~np.isnan(v)]
    return np.unique(v).size < v.size


# ── reliability and dimensionality ───────────────────────────────────────────────────────────────────────────────
def pairwise_covariance(X) -> np.ndarray:
    """Covariance of the columns of X [..., units, k] over each pair's common units (R's cov with
    use = "pairwise.complete.obs"); NaN for pairs with fewer than two common units."""
    X = np.asarray(X, dtype=float)
    A = ~np.isnan(X)
    with quiet():
        X0 = np.where(A, X - np.nanmean(X, axis=-2, keepdims=True), 0.0)
    a = A.astype(float)
    mt = lambda u, v: np.einsum("...mi,...mj->...ij", u, v)  # noqa: E731
    n = mt(a, a)
    with quiet():
        c = (mt(X0, X0) - mt(X0, a) * mt(a, X0) / n) / (n - 1)
    return np.where(n >= 2, c, np.nan)


def cronbach_alpha(X) -> np.ndarray:
    """Cronbach's α of the columns of X [..., units, k] as COINr's get_cronbach:
    C = pairwise-complete covariance, α = k² · σ̄ / ΣC with σ̄ = (ΣC − tr C)/(k(k−1)), NA cells of C left out of
    both sums (R's sum(na.rm = TRUE)) while k(k−1) stays. Equal to the textbook k/(k−1)·(1 − Σσ²ᵢ/σ²_total) on
    complete data. Written out because COINr's NA convention is part of the definition (pingouin's drops units)."""
    X = np.asarray(X, dtype=float)
    k = X.shape[-1]
    if k < 2:
        raise XianpingInputError("Cronbach's alpha needs at least two items")
    C = pairwise_covariance(X)
    total = np.nansum(C, axis=(-2, -1))
    diag = np.nansum(np.diagonal(C, axis1=-2, axis2=-1), axis=-1)
    with quiet():
        return k * k * ((total - diag) / (k * (k - 1))) / total


@dataclass
class PCAImportance:
    sdev: np.ndarray               # standard deviations of the components (√ eigenvalues of the correlation matrix)
    proportion: np.ndarray         # of variance
    cumulative: np.ndarray
    loadings: np.ndarray           # [k, k] rotation (columns = components)
    n_units: int                   # complete units used

    def rows(self, names: Sequence[str]) -> list[dict[str, Any]]:
        out = []
        for j in range(len(self.sdev)):
            out.append({"component 主成分": f"PC{j + 1}", "std_dev 标准差": float(self.sdev[j]),
                        "eigenvalue 特征值": float(self.sdev[j] ** 2), "proportion 方差贡献率": float(self.proportion[j]),
                        "cumulative 累计贡献率": float(self.cumulative[j]),
                        **{f"loading {c}": float(self.loadings[i, j]) for i, c in enumerate(names)}})
        return out


def pca_importance(X) -> PCAImportance:
    """R's summary(prcomp(X, center = TRUE, scale. = TRUE))$importance on the complete rows of X [units, k]:
    sdev = singular values of the standardised data / √(n − 1) (numpy's SVD, as prcomp's). R prints the
    proportions rounded to 5 decimals; these are unrounded."""
    X = np.asarray(X, dtype=float)
    ok = ~np.isnan(X).any(axis=1)
    Z = X[ok]
    if Z.shape[0] < 2 or Z.shape[1] < 2:
        raise XianpingInputError(f"PCA needs at least two complete units and two variables (have {Z.shape[0]} × {Z.shape[1]})")
    sd = Z.std(axis=0, ddof=1)
    if (sd == 0).any():
        raise XianpingInputError("PCA: a variable is constant over the complete units; it cannot be standardised")
    Z = (Z - Z.mean(axis=0)) / sd
    _, s, Vt = np.linalg.svd(Z, full_matrices=False)
    sdev = s / np.sqrt(Z.shape[0] - 1)
    var = sdev**2
    return PCAImportance(sdev, var / var.sum(), np.cumsum(var) / var.sum(), Vt.T, int(ok.sum()))


# ── the framework's tree ─────────────────────────────────────────────────────────────────────────────────────────
@dataclass
class Tree:
    """The evaluated tree: node codes in the result's order (leaves first, root last), parent index, COINr level."""

    codes: list[str]
    parent: list[int]
    level: list[int]
    n_leaves: int

    @classmethod
    def of(cls, res) -> "Tree":
        codes = list(res.nodes)
        parent = [-1] * len(codes)
        for step in res.plan.nodes:
            me = codes.index(step.code)
            for c in step.children:
                parent[c] = me
        depth = [0] * len(codes)
        for i in range(len(codes) - 1, -1, -1):  # parents come after their children
            if parent[i] >= 0:
                depth[i] = depth[parent[i]] + 1
        n = len(res.plan.leaf_codes)
        top = max(depth[:n])
        return cls(codes, parent, [top - d + 1 for d in depth], n)

    @property
    def maxlev(self) -> int:
        return max(self.level)

    def at(self, level: int) -> list[int]:
        if not 1 <= level <= self.maxlev:
            raise XianpingInputError(f"level {level} is outside 1 (indicators) … {self.maxlev} (the index)")
        return list(range(self.n_leaves)) if level == 1 else [i for i in range(self.n_leaves, len(self.codes))
                                                             if self.level[i] == level]

    def children(self, i: int) -> list[int]:
        return [j for j, p in enumerate(self.parent) if p == i]

    def ancestor(self, i: int, level: int) -> int | None:
        while i >= 0 and self.level[i] < level:
            i = self.parent[i]
        return i if i >= 0 and self.level[i] == level else None


def _year(res, year) -> int:
    y = str(year) if year is not None else res.years[-1]
    if y not in res.years:
        raise XianpingInputError(f"year {y} was not evaluated ({', '.join(res.years)})")
    return res.years.index(y)


def family_correlations(res, year=None, method: str = "pearson", pval: float = 0.05) -> list[dict[str, Any]]:
    """Every indicator (its normalised value) against each of its ancestors' scores: COINr
    get_corr(dset = "Aggregated", iCodes = list(root), Levels = 1, withparent = "family")."""
    tree, t = Tree.of(res), _year(res, year)
    S = res.scores[t]
    n = tree.n_leaves
    rows = []
    for lev in range(2, tree.maxlev + 1):
        nodes = tree.at(lev)
        c = correlate(S[:, :n], S[:, nodes], method)
        sig = c.significant(pval)
        for j in range(n):
            a = tree.ancestor(j, lev)
            if a is None:
                continue
            k = nodes.index(a)
            rows.append({"level 层级": lev, "ancestor 上级": tree.codes[a], "indicator 指标": tree.codes[j],
                         "r 相关系数": float(c.r[j, k]), "p": float(c.p[j, k]), "n": int(c.n[j, k]),
                         f"r_if_p<={pval} 显著相关": float(sig[j, k])})
    return rows


def level_correlations(res, level: int = 2, year=None, method: str = "pearson") -> tuple[list[str], Correlation]:
    """The nodes of one level against each other (COINr get_corr(Levels = c(level, level)))."""
    tree, t = Tree.of(res), _year(res, year)
    nodes = tree.at(level)
    X = res.scores[t][:, nodes]
    return [tree.codes[i] for i in nodes], correlate(X, X, method)


def correlation_flags(res, threshold: float = 0.9, kind: str = "high", group_level: int = 2, year=None,
                      method: str = "pearson") -> list[dict[str, Any]]:
    """Pairs of indicators in the same group (their ancestor at `group_level`) whose correlation on the normalised
    data is above (`kind = "high"`) or below (`"low"`) `threshold`: COINr get_corr_flags. Each pair once."""
    if kind not in ("high", "low"):
        raise XianpingInputError(f"correlation flag kind {kind!r}: high | low")
    if not -1 <= threshold <= 1:
        raise XianpingInputError(f"correlation threshold {threshold} is outside [-1, 1]")
    tree, t = Tree.of(res), _year(res, year)
    if group_level < 2:
        raise XianpingInputError("group level must be at least 2 (the indicators' parents)")
    n = tree.n_leaves
    Z = res.prepared.normalised[t]
    c = correlate(Z, Z, method)
    grp = np.array([tree.ancestor(j, group_level) if tree.ancestor(j, group_level) is not None else -1 for j in range(n)])
    same = (grp[:, None] == grp[None, :]) & (grp[:, None] >= 0) & np.triu(np.ones((n, n), dtype=bool), 1)
    hit = same & ~np.isnan(c.r) & ((c.r > threshold) if kind == "high" else (c.r < threshold))
    return [{"group 分组": tree.codes[grp[i]], "indicator_1 指标1": tree.codes[i], "indicator_2 指标2": tree.codes[j],
             "r 相关系数": float(c.r[i, j]), "p": float(c.p[i, j])} for i, j in zip(*np.nonzero(hit))]


def cronbach_by_node(res, year=None, levels: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """Cronbach's α of each internal node's children (indicators: normalised values; nodes: their scores) —
    COINr get_cronbach(dset = "Normalised", iCodes = pillar, Level = 1) for the indicators' parents."""
    tree, t = Tree.of(res), _year(res, year)
    S = res.scores[t]
    rows = []
    for i in range(tree.n_leaves, len(tree.codes)):
        if levels is not None and tree.level[i] not in levels:
            continue
        ch = tree.children(i)
        if len(ch) < 2:
            continue
        rows.append({"node 节点": tree.codes[i], "level 层级": tree.level[i], "items 项数": len(ch),
                     "cronbach_alpha 克隆巴赫α": float(cronbach_alpha(S[:, ch]))})
    return rows


def level_pca(res, level: int = 2, year=None) -> tuple[list[str], PCAImportance]:
    """PCA of the nodes of one level over all units (COINr get_PCA(dset = "Aggregated", Level, by_groups = FALSE))."""
    tree, t = Tree.of(res), _year(res, year)
    nodes = tree.at(level)
    return [tree.codes[i] for i in nodes], pca_importance(res.scores[t][:, nodes])


# ── optimised weights ────────────────────────────────────────────────────────────────────────────────────────────
@dataclass
class NelderMeadResult:
    par: np.ndarray
    value: float
    fncount: int
    fail: int           # 0 converged, 1 maxit reached, 10 simplex did not shrink (R's codes)


def nelder_mead_r(fn: Callable[[np.ndarray], float], x0, reltol: float = 1.490116e-08, abstol: float = -np.inf,
                  maxit: int = 500, alpha: float = 1.0, beta: float = 0.5, gamma: float = 2.0) -> NelderMeadResult:
    """R's `optim(method = "Nelder-Mead")` — nmmin in R's src/appl/optim.c (after Nash, Compact Numerical Methods,
    1990), step for step: initial simplex x0 + 0.1·max|x0| on each coordinate, reflection 1, contraction 0.5,
    expansion 2, stop when f_high ≤ f_low + reltol·(|f0| + reltol) or after `maxit` evaluations; a non-finite
    value counts as 1e35. Written by hand because scipy's Nelder–Mead starts from another simplex (+5 % of each
    coordinate) and stops on other tests (xatol/fatol): with COINr's loose reltol = 0.1 the two stop at different
    points, and COINr's optimised weights are where R's stops."""
    big = 1.0e35
    B = np.array(x0, dtype=float)
    n = B.size

    def f_(v):
        val = float(fn(v.copy()))
        return val if np.isfinite(val) else big

    if maxit <= 0:
        return NelderMeadResult(B, f_(B), 0, 0)
    P = np.zeros((n + 1, n + 2))
    f = float(fn(B.copy()))
    if not np.isfinite(f):
        raise XianpingInputError("the objective cannot be evaluated at the initial weights")
    funcount = 1
    convtol = reltol * (abs(f) + reltol)
    n1, C = n + 1, n + 2
    P[n1 - 1, 0] = f
    P[:n, 0] = B
    L = 1
    size = 0.0
    step = max([0.1 * abs(b) for b in B] + [0.0])
    if step == 0.0:
        step = 0.1
    for j in range(2, n1 + 1):
        P[:n, j - 1] = B
        trystep = step
        while P[j - 2, j - 1] == B[j - 2]:
            P[j - 2, j - 1] = B[j - 2] + trystep
            trystep *= 10
        size += trystep
    oldsize = size
    calcvert = True
    fail = 0
    while True:
        if calcvert:
            for j in range(n1):
                if j + 1 != L:
                    B = P[:n, j].copy()
                    P[n1 - 1, j] = f_(B)
                    funcount += 1
            calcvert = False
        VL = P[n1 - 1, L - 1]
        VH = VL
        H = L
        for j in range(1, n1 + 1):
            if j != L:
                fj = P[n1 - 1, j - 1]
                if fj < VL:
                    L, VL = j, fj
                if fj > VH:
                    H, VH = j, fj
        if VH <= VL + convtol or VL <= abstol:
            break
        for i in range(n):
            temp = -P[i, H - 1]
            for j in range(n1):
                temp += P[i, j]
            P[i, C - 1] = temp / n
        B = (1.0 + alpha) * P[:n, C - 1] - alpha * P[:n, H - 1]
        f = f_(B)
        funcount += 1
        VR = f
        if VR < VL:
            P[n1 - 1, C - 1] = f
            for i in range(n):
                fi = gamma * B[i] + (1 - gamma) * P[i, C - 1]
                P[i, C - 1] = B[i]
                B[i] = fi
            f = f_(B)
            funcount += 1
            if f < VR:
                P[:n, H - 1] = B
                P[n1 - 1, H - 1] = f
            else:
                P[:n, H - 1] = P[:n, C - 1]
                P[n1 - 1, H - 1] = VR
        else:
            if VR < VH:
                P[:n, H - 1] = B
                P[n1 - 1, H - 1] = VR
            B = (1 - beta) * P[:n, H - 1] + beta * P[:n, C - 1]
            f = f_(B)
            funcount += 1
            if f < P[n1 - 1, H - 1]:
                P[:n, H - 1] = B
                P[n1 - 1, H - 1] = f
            elif VR >= VH:
                calcvert = True
                size = 0.0
                for j in range(n1):
                    if j + 1 != L:
                        P[:n, j] = beta * (P[:n, j] - P[:n, L - 1]) + P[:n, L - 1]
                        size += float(np.sum(np.abs(P[:n, j] - P[:n, L - 1])))
                if size < oldsize:
                    oldsize = size
                else:
                    fail = 10
                    break
        if funcount > maxit:
            break
    if funcount > maxit:
        fail = 1
    return NelderMeadResult(P[:n, L - 1].copy(), float(P[n1 - 1, L - 1]), funcount, fail)


@dataclass
class OptimisedWeights:
    level: int
    nodes: list[str]
    original: np.ndarray           # the evaluation's weights of these nodes within their parents
    weights: np.ndarray            # optimised, summing to 1 over the level (COINr's OptWeight)
    target: np.ndarray | None      # target shares (itarg / Σ itarg); None for infomax
    correlation: np.ndarray        # correlation of each node with the index at the optimum
    share: np.ndarray              # correlation / Σ correlation at the optimum
    share_last_evaluation: np.ndarray  # the same at the optimiser's last evaluation (COINr's "Obtained")
    objective: float
    fncount: int
    converged: bool
    meta: dict[str, Any] = field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        return [{"node 节点": c, "level 层级": self.level, "original_weight 原权重": float(self.original[i]),
                 "optimised_weight 优化权重": float(self.weights[i]),
                 "target_share 目标占比": None if self.target is None else float(self.target[i]),
                 "correlation_with_index 与指数相关": float(self.correlation[i]),
                 "share_obtained 实际占比": float(self.share[i])} for i, c in enumerate(self.nodes)]


def optimise_weights(res, level: int, targets: str | Sequence[float] = "equal", year=None, method: str = "pearson",
                     optype: str = "balance", toler: float = 0.1, maxiter: int = 500) -> OptimisedWeights:
    """COINr get_opt_weights: weights w of the nodes of `level` (Nelder–Mead from w = targets, R's optim with
    reltol = `toler`, maxit = `maxiter`), each candidate scored by re-aggregating the tree above with the
    framework's own methods (xianping.engine.pipeline.score) and measured by the correlations ρ_k of the level's
    nodes with the index:

        balance:  minimise log( Σ_k (t_k − ρ_k/Σρ)² / K ),  t = targets / Σ targets
        infomax:  minimise −Σ_k ρ_k   (starting from the evaluation's weights)

    Differences from COINr, on purpose: ρ_k is paired with node k in the framework's order (COINr pairs its
    weight vector with correlations sorted by code, which only agree when targets are equal or the codes sort in
    framework order) and is never blanked by a significance test (COINr's get_corr leaves a correlation with
    p > 0.05 as NA, which turns the objective into NA). COINr's defaults reltol = 0.1 and maxit = 500 stop the
    search early: lower `toler` (e.g. 1e-10) for weights that match the targets closely."""
    from xianping.engine import pipeline as P

    if optype not in ("balance", "infomax"):
        raise XianpingInputError(f"optype {optype!r}: balance | infomax")
    tree, t = Tree.of(res), _year(res, year)
    if not 2 <= level < tree.maxlev:
        raise XianpingInputError(f"optimised weights need a level between 2 and {tree.maxlev - 1} (below the index); got {level}")
    nodes = tree.at(level)
    parents = sorted({tree.parent[i] for i in nodes})
    for p in parents:
        if any(tree.level[c] != level for c in tree.children(p)):
            raise XianpingInputError(f"node {tree.codes[p]!r} has children on several levels; weights of level {level} "
                                     "cannot be optimised on an unbalanced tree")
    K = len(nodes)
    if K < 2:
        raise XianpingInputError(f"level {level} has a single node: nothing to weight")
    if optype == "balance":
        if isinstance(targets, str):
            if targets != "equal":
                raise XianpingInputError(f"targets {targets!r}: 'equal' or {K} numbers (one per node of level {level})")
            itarg = np.ones(K)
        else:
            itarg = np.asarray(targets, dtype=float)
            if itarg.shape != (K,) or not np.isfinite(itarg).all() or (itarg < 0).any() or itarg.sum() <= 0:
                raise XianpingInputError(f"targets: {K} non-negative numbers for {', '.join(tree.codes[i] for i in nodes)}")
        itarg = itarg / itarg.sum()
    else:
        itarg = None
    step_of = {s.code: k for k, s in enumerate(res.plan.nodes)}
    orig = np.array([res.weights[tree.codes[tree.parent[i]]][t][list(tree.children(tree.parent[i])).index(i)] for i in nodes])
    root = len(tree.codes) - 1
    z, keep, raw = res.prepared.normalised, res.prepared.keep_indicators, res.prepared.treated

    def scores_with(w):
        steps = list(res.plan.nodes)
        for p in parents:
            ch = tree.children(p)
            vals = [float(w[nodes.index(c)]) for c in ch]
            k = step_of[tree.codes[p]]
            steps[k] = dataclasses.replace(steps[k], weights={"method": "explicit", "values": vals,
                                                              "signed": bool(min(vals) < 0)})
        plan = dataclasses.replace(res.plan, nodes=tuple(steps))
        return P.score(plan, z, keep, raw=raw).values[t]

    check = scores_with(orig)[:, nodes + [root]]
    if not np.allclose(check, res.scores[t][:, nodes + [root]], rtol=1e-9, atol=1e-9, equal_nan=True):
        raise XianpingInputError("re-aggregating with the evaluation's own weights does not give its scores back "
                                 "(pooled or frozen data-driven weights elsewhere in the tree?); cannot optimise")

    last = {"share": np.full(K, np.nan)}

    def correlations(w):
        try:
            S = scores_with(w / np.sum(w))
        except (ValueError, XianpingInputError):
            return None
        X = S[:, nodes]
        return correlate(X, S[:, [root]], method).r[:, 0]

    def objective(w):
        rho = correlations(w)
        if rho is None:
            return np.nan
        if optype == "balance":
            with quiet():
                share = rho / rho.sum()
                val = np.log(np.sum((itarg - share) ** 2) / K)
        else:
            share, val = rho, -np.sum(rho)
        last["share"] = share
        return float(val)

    x0 = itarg if optype == "balance" else orig
    nm = nelder_mead_r(objective, x0, reltol=toler, maxit=maxiter)
    w = nm.par / nm.par.sum()
    rho = correlations(nm.par)
    return OptimisedWeights(level, [tree.codes[i] for i in nodes], orig, w, itarg, rho, rho / rho.sum(), last["share"],
                            nm.value, nm.fncount, nm.fail == 0,
                            {"method": "COINr get_opt_weights (v1.1.14), R optim Nelder-Mead port", "optype": optype,
                             "targets": None if itarg is None else itarg.tolist(), "correlation": method,
                             "reltol": toler, "maxit": maxiter, "fncount": nm.fncount, "fail_code": nm.fail,
                             "objective": "log(mean((target - r/sum r)^2))" if optype == "balance" else "-sum r"})


# ── the whole audit ─────────────────────────────────────────────────────────────────────────────────────────────
def _matrix_rows(names, c: Correlation, pval: float) -> list[dict[str, Any]]:
    sig = c.significant(pval)
    return [{"node 节点": a, **{b: (None if np.isnan(sig[i, j]) else float(sig[i, j])) for j, b in enumerate(names)}}
            for i, a in enumerate(names)]


def _long_rows(names, c: Correlation) -> list[dict[str, Any]]:
    return [{"node_1 节点1": names[i], "node_2 节点2": names[j], "r 相关系数": float(c.r[i, j]), "p": float(c.p[i, j]),
             "n": int(c.n[i, j])} for i in range(len(names)) for j in range(i + 1, len(names))]


def audit(res, year=None, level: int = 2, pval: float = 0.05, flag_threshold: float = 0.9, flag_kind: str = "high",
          group_level: int = 2, optimise_level: int | None = None, targets="equal", toler: float = 0.1,
          maxiter: int = 500, thresholds: dict[str, float] | None = None):
    """Every audit table for one year of an evaluation → (tables, summary, settings), as the analyse verbs return."""
    from xianping.analysis.indicator_stats import DEFAULT_THRESHOLDS, indicator_stats

    tree, t = Tree.of(res), _year(res, year)
    th = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    leaves = list(res.plan.leaf_codes)
    st_raw = indicator_stats(res.prepared.raw[t], leaves, **th)
    st_tr = indicator_stats(res.prepared.treated[t], leaves, **th)
    tables: dict[str, list[dict[str, Any]]] = {"stats_raw": st_raw.rows(), "stats_treated": st_tr.rows()}
    t_year = res.years[t]
    tables["corr_family"] = family_correlations(res, t_year, pval=pval)
    names, pe = level_correlations(res, level, t_year, "pearson")
    _, sp = level_correlations(res, level, t_year, "spearman")
    tables[f"corr_level{level}_pearson"] = _matrix_rows(names, pe, pval)
    tables[f"corr_level{level}_spearman"] = _matrix_rows(names, sp, pval)
    tables[f"corr_level{level}_pairs"] = [r | {"spearman": float(sp.r[names.index(r["node_1 节点1"]), names.index(r["node_2 节点2"])])}
                                          for r in _long_rows(names, pe)]
    flags = correlation_flags(res, flag_threshold, flag_kind, group_level, t_year)
    tables["corr_flags"] = flags
    alphas = cronbach_by_node(res, t_year)
    tables["cronbach"] = alphas
    pnames, pca = level_pca(res, level, t_year)
    tables[f"pca_level{level}"] = pca.rows(pnames)
    opt_level = optimise_level if optimise_level is not None else tree.maxlev - 1
    opt = None
    if opt_level >= 2:
        opt = optimise_weights(res, opt_level, targets, t_year, toler=toler, maxiter=maxiter)
        tables[f"optimised_weights_level{opt_level}"] = opt.rows()
    weak = [r for r in tables["corr_family"] if r["level 层级"] == 2 and (np.isnan(r[f"r_if_p<={pval} 显著相关"])
                                                                          or r["r 相关系数"] < 0)]
    summary = {
        "year": t_year, "indicators": len(leaves), "units": len(res.units),
        "outliers_raw": [c for c, f in zip(leaves, st_raw["Flag.SkewKurt"]) if f == "OUT"],
        "outliers_treated": [c for c, f in zip(leaves, st_tr["Flag.SkewKurt"]) if f == "OUT"],
        "low_availability": [c for c, f in zip(leaves, st_raw["Flag.Avail"]) if f == "LOW"],
        "weak_or_negative_with_parent": [r["indicator 指标"] for r in weak],
        f"high_correlation_pairs_within_level{group_level}": [(r["indicator_1 指标1"], r["indicator_2 指标2"], round(r["r 相关系数"], 3))
                                                              for r in flags],
        "cronbach_alpha": {r["node 节点"]: round(r["cronbach_alpha 克隆巴赫α"], 4) for r in alphas},
        f"pca_level{level}_variance_explained": [round(float(v), 4) for v in pca.proportion],
    }
    if opt is not None:
        summary[f"optimised_weights_level{opt_level}"] = dict(zip(opt.nodes, [round(float(w), 4) for w in opt.weights]))
    settings = {"year": t_year, "level": level, "pval": pval, "stats": st_raw.meta,
                "correlation": "pairwise-complete; p from R cor.test (Pearson t; Spearman AS 89 / t with ties)",
                "flags": {"threshold": flag_threshold, "kind": flag_kind, "group_level": group_level, "data": "normalised"},
                "cronbach": "children of each node (indicators: normalised values); pairwise covariance, COINr NA rule",
                "pca": "prcomp(center, scale) on the level's scores, complete units",
                "optimised_weights": None if opt is None else opt.meta}
    return tables, summary, settings
