"""Narrative text from templates with named fields, every number traced to the result cell it came from.

A template is Jinja2 text (`templates/default_zh.md` is the default; pass your own file). Lines starting with
`# ` are the title, `## ` and `### ` headings, `[[table:NAME]]` / `[[chart:NAME]]` place a table or chart, other
lines are paragraphs. Fields are named: `{{ overall.mean_score|score }}`, `{{ top[0].rank|rank }}`.

    全市县域地区生产总值达到{{ indicators.gdp.total|yi }},占全市比重达到{{ indicators.gdp.city_share|pct }}

Every number in the context is a `Value` (number + where it came from: a results cell, an aggregate over a
column, or the difference of two). Values cannot be added or multiplied in a template, so a template cannot make
a number up; filters only format (万/亿, %, 个百分点, 第N位, 进位N位). A field with no data — unknown to the
context, or NaN in the result — prints as 【缺数据：field】 in a draft (`narrative(…, draft=True)`, for template
authors); a finished narrative (the default) drops the clause or sentence that holds it (`finish`) and lists it in
`Narrative.omitted`, which the report prints as 本报告未包含：…, so no placeholder reaches a report.
`Narrative.fills` lists every number written, with its text, value and source (the report's attached
数字来源 file, and tests).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from xianping.report import format_zh as F

MISSING = "【缺数据：{}】"


class Value:
    """A number with its provenance. `source` is a dict: {"kind": "cell", unit, year, node, column} |
    {"kind": "agg", fn, year, node, column[, type]} | {"kind": "diff", a, b} | {"kind": "raw_agg", …} | …"""

    __slots__ = ("value", "source", "field", "unit", "fmt")

    def __init__(self, value, source: dict[str, Any], field: str, unit: str = "", fmt: str = "num"):
        v = None if value is None else float(value)
        self.value = None if v is None or math.isnan(v) else v
        self.source, self.field, self.unit, self.fmt = source, field, unit, fmt

    def __bool__(self) -> bool:
        return self.value is not None

    def __repr__(self) -> str:
        return f"Value({self.field}={self.value})"

    # comparisons are allowed (to choose words: {% if x > 0 %}), arithmetic is not
    def _v(self, other):
        return other.value if isinstance(other, Value) else other

    def __gt__(self, o): return self.value is not None and self._v(o) is not None and self.value > self._v(o)
    def __lt__(self, o): return self.value is not None and self._v(o) is not None and self.value < self._v(o)
    def __ge__(self, o): return self.value is not None and self._v(o) is not None and self.value >= self._v(o)
    def __le__(self, o): return self.value is not None and self._v(o) is not None and self.value <= self._v(o)


@dataclass
class Fill:
    field: str
    text: str
    value: float | None
    source: dict[str, Any]
    missing: bool = False


@dataclass
class Block:
    kind: str          # title | h1 | h2 | p | table | chart | note (generated, not from the template: 未包含 / 未能生成)
    text: str = ""
    name: str = ""     # table/chart name


@dataclass
class Omission:
    """A number the template asked for that the results do not have: its sentence was left out."""

    field: str
    label: str         # in Chinese: 人均二氧化碳排放县均值（2020年无数据）
    sentence: str      # the text that was dropped (with its 【缺数据】 marker), for template authors


@dataclass
class Narrative:
    blocks: list[Block]
    fills: list[Fill] = field(default_factory=list)
    omitted: list[Omission] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return list(dict.fromkeys(f.field for f in self.fills if f.missing))

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks if b.kind in ("title", "h1", "h2", "p"))


class _Formatted(str):
    """Text a filter produced, remembering the value it came from (finalize records it)."""

    fill: Fill


class Fields(dict):
    """A context dict that knows its field path, so a missing key is named in full (indicators.gdp.city_share)."""

    _xp_path = ""


def _wrap(obj, path: str = ""):
    if isinstance(obj, dict):
        f = Fields({k: _wrap(v, f"{path}.{k}" if path else str(k)) for k, v in obj.items()})
        f._xp_path = path
        return f
    if isinstance(obj, list):
        return [_wrap(v, f"{path}[{i}]") for i, v in enumerate(obj)]
    return obj


def _missing_name(obj) -> str:
    name = getattr(obj, "_xp_path", None)
    if name:
        return str(name)
    name = getattr(obj, "_undefined_name", None) or "?"
    parent = getattr(obj, "_undefined_obj", None)
    ppath = getattr(parent, "_xp_path", "") if parent is not None else ""
    return f"{ppath}.{name}" if ppath else str(name)


def _make_env():
    import jinja2

    class MissingField(jinja2.ChainableUndefined):
        """An unknown field: prints 【缺数据：a.b.c】 however deep the template reaches into it."""

        __slots__ = ("_xp_path",)

        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self._xp_path = None

        def __getattr__(self, name):
            if name.startswith("__"):
                raise AttributeError(name)
            u = MissingField(name=name)
            u._xp_path = f"{_missing_name(self)}.{name}"
            return u

        def __getitem__(self, key):
            u = MissingField(name=str(key))
            u._xp_path = f"{_missing_name(self)}[{key}]"
            return u

        def __str__(self):
            return MISSING.format(_missing_name(self))

    env = jinja2.Environment(undefined=MissingField, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             autoescape=False)
    return env, MissingField


def _fmt(kind: str, fn):
    """A filter: Value → formatted text (recorded); missing → marker."""

    def filt(v, *args, **kw):
        import jinja2

        if isinstance(v, jinja2.Undefined):
            s = _Formatted(MISSING.format(_missing_name(v)))
            s.fill = Fill(_missing_name(v), str(s), None, {"kind": "unknown_field"}, True)
            return s
        if not isinstance(v, Value):
            raise TypeError(f"filter {kind!r} needs a number field from the context, got {v!r}")
        text = None if v.value is None else fn(v, *args, **kw)
        if text is None:
            s = _Formatted(MISSING.format(v.field))
            s.fill = Fill(v.field, str(s), None, v.source, True)
        else:
            s = _Formatted(text)
            s.fill = Fill(v.field, text, v.value, v.source)
        return s

    return filt


FILTERS = {
    "num": lambda v, d=2: F.fixed(v.value, d),
    "score": lambda v, d=2: F.fixed(v.value, d),
    "rank": lambda v: F.ordinal(v.value),
    "jinwei": lambda v: F.rank_change(v.value),
    "change": lambda v, up="提高", down="下降", same="持平", d=2, unit="": F.change(v.value, up, down, same, d, unit),
    "pct": lambda v, d=1: F.percent(v.value, d),
    "pp": lambda v, d=1: F.points(v.value, d),
    "yi": lambda v, d=2: F.yi(v.value, v.unit or "亿元", d),
    "wan": lambda v, d=2: F.wan(v.value, v.unit or "人", d),
    "amount": lambda v, d=2: F.amount(v.value, v.unit, d),
    "n": lambda v: F.count(v.value),
    "year": lambda v: F.count(v.value),
    "abs": lambda v, d=2: F.fixed(abs(v.value), d),
}
_DEFAULT_FMT = {"rank": "rank", "count": "n", "year": "year", "score": "score", "pct": "pct", "amount": "amount"}


def default_template_path() -> Path:
    return Path(str(resources.files("xianping.report").joinpath("templates", "default_zh.md")))


def render(template: str, context: dict[str, Any]) -> Narrative:
    """Render template text with a context (see `build_context`) into blocks and fills."""
    env, MissingField = _make_env()
    for name, fn in FILTERS.items():
        env.filters[name] = _fmt(name, fn)
    fills: list[Fill] = []

    def finalize(v):
        if isinstance(v, _Formatted):
            fills.append(v.fill)
            return str(v)
        if isinstance(v, MissingField):
            s = MISSING.format(_missing_name(v))
            fills.append(Fill(_missing_name(v), s, None, {"kind": "unknown_field"}, True))
            return s
        if isinstance(v, Value):
            return finalize(env.filters[_DEFAULT_FMT.get(v.fmt, "num")](v))
        if isinstance(v, (int, float, np.number)) and not isinstance(v, bool):
            raise TypeError(f"a bare number ({v!r}) reached the text: numbers must come from fields")
        return v

    env.finalize = finalize
    env.filters["cn"] = _cn_numeral
    text = env.from_string(template).render(**_wrap(context))
    return Narrative(_blocks(text), fills)


def _cn_numeral(n: int) -> str:
    """1 → 一 … 99 (for enumerations such as （一）, not for data)."""
    d = "零一二三四五六七八九"
    n = int(n)
    if n < 10:
        return d[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else d[tens]) + "十" + ("" if ones == 0 else d[ones])


def _blocks(text: str) -> list[Block]:
    out: list[Block] = []
    para: list[str] = []

    def flush():
        if para:
            out.append(Block("p", "".join(s.strip() for s in para)))
            para.clear()

    for line in text.splitlines():
        s = line.strip()
        if not s:
            flush()
        elif s.startswith("[[") and s.endswith("]]") and ":" in s:
            flush()
            kind, _, name = s[2:-2].partition(":")
            out.append(Block(kind.strip(), name=name.strip()))
        elif s.startswith("### "):
            flush(); out.append(Block("h2", s[4:].strip()))  # noqa: E702
        elif s.startswith("## "):
            flush(); out.append(Block("h1", s[3:].strip()))  # noqa: E702
        elif s.startswith("# "):
            flush(); out.append(Block("title", s[2:].strip()))  # noqa: E702
        else:
            para.append(s)
    flush()
    return out


_MARK = re.compile(r"【缺数据：([^】]*)】")
_PAREN = re.compile(r"（[^（）]*）")
_NUMBERED = re.compile(r"^[一二三四五六七八九十]+、")
STAT_ZH = {"mean": "县均值", "median": "中位数", "max": "最高值", "min": "最低值", "total": "合计",
           "mean_base": "基期县均值", "mean_change": "县均值变化"}


def _drop_marked(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Remove the smallest piece of text around each 【缺数据】 marker that reads well without it: a parenthesis
    （…）, else the clause between ；, else the whole sentence (。！？). Returns the text and (field, dropped text)."""
    dropped: list[tuple[str, str]] = []

    def cut_paren(m: re.Match) -> str:
        if _MARK.search(m.group()):
            dropped.extend((f, m.group()) for f in _MARK.findall(m.group()))
            return ""
        return m.group().replace("（", "\x01").replace("）", "\x02")   # hide, so the outer one is seen next

    prev = None
    while prev != text:
        prev, text = text, _PAREN.sub(cut_paren, text)
    text = text.replace("\x01", "（").replace("\x02", "）")
    out = []
    for sent in re.findall(r"[^。！？!?]*[。！？!?]?", text):
        if not _MARK.search(sent):
            out.append(sent)
            continue
        end = sent[-1] if sent and sent[-1] in "。！？!?" else ""
        clauses = re.split("[；;]", sent[:-1] if end else sent)
        keep = [c for c in clauses if not _MARK.search(c)]
        for c in clauses:
            if _MARK.search(c):
                dropped.extend((f, c) for f in _MARK.findall(c))
        if keep and "".join(keep).strip():
            out.append("；".join(keep).rstrip("，、：") + (end or "。"))
    return "".join(out), dropped


def describe_missing(fill: Fill, data=None) -> str:
    """A missing field in words for the 本报告未包含 list: 人均二氧化碳排放县均值（2020年无数据）."""
    f, src = fill.field, fill.source or {}
    parts = f.split(".")
    what = f
    if data is not None and len(parts) == 3 and parts[0] == "indicators":
        what = f"{_ind_name(data, parts[1])}{STAT_ZH.get(parts[2], parts[2])}"
    elif data is not None and len(parts) >= 3 and parts[0] == "dimensions" and parts[1] in {n.code for n in data.nodes}:
        what = f"{data.node(parts[1]).name_zh}{STAT_ZH.get(parts[-1], '')}" if parts[-1] in STAT_ZH else \
            f"{data.node(parts[1]).name_zh}（{'.'.join(parts[2:])}）"
    kind = src.get("kind")
    if kind == "unknown_field":
        why = "评价结果中没有该项数据"
        what = f"“{f}”"
    elif kind == "raw_unavailable":
        why = "原始指标值不可用"
    elif kind == "not_additive":
        why = "该指标为比率或均值，不能加总"
    elif kind == "agg" and src.get("year"):
        why = f"{src['year']}年无数据"
    elif kind == "diff":
        why = "比较所需的一期数据缺失"
    else:
        why = "结果中无数据"
    return f"{what}（{why}）"


def _tidy(text: str) -> str:
    """Punctuation a template's conditionals leave behind: a separator before a full stop (…；。), two full stops."""
    text = re.sub(r"[；;，,、：]+(?=[。！？])", "", text)
    return re.sub(r"(?<=[。！？])。+", "", text).lstrip("。")


def finish(nar: Narrative, data=None) -> Narrative:
    """The narrative as a report prints it: every clause or sentence that holds a missing number is left out and
    listed (`omitted`); a heading left with nothing under it goes; first-level headings are numbered 一、二、… in
    the order they remain (a template may number them itself)."""
    by_field = {f.field: f for f in nar.fills if f.missing}
    omitted: dict[str, Omission] = {}
    blocks: list[Block] = []
    for b in nar.blocks:
        if b.kind in ("p", "title", "h1", "h2") and _MARK.search(b.text):
            text, dropped = _drop_marked(b.text)
            if b.kind != "p":        # a heading with a missing number is not worth keeping
                dropped, text = [(f, b.text) for f in _MARK.findall(b.text)], ""
            for fld, sent in dropped:
                fill = by_field.get(fld) or Fill(fld, "", None, {"kind": "unknown_field"}, True)
                omitted.setdefault(fld, Omission(fld, describe_missing(fill, data), sent))
            if not text.strip():
                continue
            b = Block(b.kind, text, b.name)
        if b.kind == "p":
            b = Block(b.kind, _tidy(b.text), b.name)
        blocks.append(b)
    # drop headings with nothing under them before the next heading of the same or a higher level
    level = {"title": 0, "h1": 1, "h2": 2}
    kept: list[Block] = []
    for b in reversed(blocks):     # backwards, so a heading sees what is kept after it
        nxt = kept[-1] if kept else None
        if b.kind in ("h1", "h2") and (nxt is None or (nxt.kind in level and level[nxt.kind] <= level[b.kind])):
            continue
        kept.append(b)
    kept.reverse()
    h1 = 0
    for b in kept:
        if b.kind == "h1" and not b.text.startswith("附件"):
            h1 += 1
            if not _NUMBERED.match(b.text):
                b.text = f"{_cn_numeral(h1)}、{b.text}"
    # what was left out (in the order the template asked for it), and what could not be made, at the end of the
    # body (before any 附件)
    first = {}
    for n, f in enumerate(nar.fills):
        first.setdefault(f.field, n)
    omitted = dict(sorted(omitted.items(), key=lambda kv: first.get(kv[0], len(first))))
    notes = []
    if omitted:
        notes.append(Block("note", "本报告未包含：" + "；".join(o.label for o in omitted.values()) + "。"))
    failures = getattr(data, "failures", None) or []
    if failures:
        notes.append(Block("note", "以下部分未能生成：" + "；".join(f"{f.part}（原因：{f.reason.rstrip('。')}）"
                                                          for f in failures) + "。"))
    at = next((n for n, b in enumerate(kept) if b.kind == "h1" and b.text.startswith("附件")), len(kept))
    kept[at:at] = notes
    return Narrative(kept, nar.fills, list(omitted.values()))


def source_text(src: dict[str, Any]) -> str:
    return json.dumps(src, ensure_ascii=False, separators=(",", ":"))


# ── the context: every number a Value with its source ────────────────────
def _agg(data, fn: str, year: str, node: str, column: str = "score", type_: str | None = None) -> tuple[float, dict]:
    t, k = data.t(year), data.k(node)
    ranked = ~np.isnan(data.rank[t, :, k])
    if type_ is not None and data.unit_types is not None:
        ranked &= np.asarray(data.unit_types) == type_
    if column == "score":
        v = data.score[t, ranked, k]
    elif column == "raw":
        j = [n.code for n in data.leaves].index(node)
        v = data.raw[t, ranked, j] if data.raw is not None else np.array([])
        v = v[~np.isnan(v)]
    else:
        raise ValueError(column)
    src = {"kind": "agg", "fn": fn, "year": year, "node": node, "column": column, "over": "ranked units"}
    if type_ is not None:
        src["type"] = type_
    if fn == "count":
        return float(len(v)), src
    if len(v) == 0:
        return float("nan"), src
    return float({"mean": np.mean, "median": np.median, "max": np.max, "min": np.min, "sum": np.sum}[fn](v)), src


def _unit_ctx(data, i: int, year: str, prefix: str) -> dict[str, Any]:
    t, k = data.t(year), data.k(data.root.code)
    code = data.units[i]

    def cell(column, value, fmt):
        return Value(value, {"kind": "cell", "unit": code, "year": year, "node": data.root.code, "column": column},
                     f"{prefix}.{column}", fmt=fmt)

    rc = data.rank_change(year)[i]
    sc = data.score_change(year)[i]
    out = {"code": code, "name": data.unit_names[i], "province": _prov(data, i),
           "type": data.unit_types[i] if data.unit_types else "",
           "score": cell("score", data.score[t, i, k], "score"), "rank": cell("rank", data.rank[t, i, k], "rank"),
           "rank_change": cell("rank_change", rc, "num"), "score_change": cell("score_change", sc, "num")}
    if data.type_rank is not None:
        out["type_rank"] = cell("type_rank", data.type_rank[t, i, k], "rank")
    dims = []
    for d in data.dimensions:
        kd = data.k(d.code)
        dims.append({"code": d.code, "name_zh": d.name_zh, "name_en": d.name_en,
                     "score": Value(data.score[t, i, kd], {"kind": "cell", "unit": code, "year": year, "node": d.code, "column": "score"},
                                    f"{prefix}.dimensions.{d.code}.score", fmt="score"),
                     "rank": Value(data.rank[t, i, kd], {"kind": "cell", "unit": code, "year": year, "node": d.code, "column": "rank"},
                                   f"{prefix}.dimensions.{d.code}.rank", fmt="rank")})
    out["dimensions"] = dims
    if data.obstacles is not None:
        O = data.obstacles["by_dim"][t, i]
        order = [j for j in np.argsort(-np.nan_to_num(O, nan=-1), kind="stable") if not np.isnan(O[j])]
        out["obstacles"] = [{"name_zh": data.node(data.obstacles["dims"][j]).name_zh,
                             "degree": Value(O[j] * 100, {"kind": "analysis", "what": "obstacle_degree_dimension", "unit": code,
                                                          "year": year, "dimension": data.obstacles["dims"][j], "scale": "percent"},
                                             f"{prefix}.obstacles[{n}].degree", fmt="pct")} for n, j in enumerate(order[:3])]
    return out


def _prov(data, i: int) -> str:
    from xianping.report.data import province_name

    return province_name(data.province(i))


NORMALISE_ZH = {"min_max": "极差标准化（min–max）", "z_score": "Z-score 标准化", "max_ratio": "比值法（x/max）",
                "mean_ratio": "均值化", "initial_value": "初值化", "vector": "向量归一化", "goalposts": "门槛值（目标值）法",
                "target": "目标达成度法"}
PANEL_ZH = {"pooled": "各年份共用同一组极值（面板标准化），得分可跨年比较", "per_year": "逐年分别标准化，得分不宜跨年比较",
            "frozen": "以基期为锚，新增年份不改写既往得分"}
WEIGHTS_ZH = {"equal": "等权法", "explicit": "给定权重（专家赋权）", "ahp": "层次分析法（AHP）", "entropy": "熵权法",
              "critic": "CRITIC 法", "cv": "变异系数法", "pca": "主成分分析法", "std": "标准差法"}
COMBINE_ZH = {"linear": "线性组合", "multiplicative": "乘法合成", "geometric": "几何组合", "game_theory": "博弈论组合"}
AGGREGATION_ZH = {"arithmetic": "线性加权求和", "geometric": "加权几何平均", "harmonic": "加权调和平均",
                  "generalised": "广义加权平均", "topsis": "TOPSIS 逼近理想解排序法", "grey_relational": "灰色关联分析"}


def _weights_zh(spec: dict[str, Any]) -> str:
    m = spec.get("method", "")
    if m == "combined":
        parts = "与".join(_weights_zh(c) for c in spec.get("components") or [])
        return f"{parts}的{COMBINE_ZH.get(spec.get('combine'), '组合')}赋权"
    if m in WEIGHTS_ZH:
        return WEIGHTS_ZH[m]
    from xianping.engine.mcda import WEIGHTING_METHODS

    return WEIGHTING_METHODS[m].label_zh if m in WEIGHTING_METHODS else m


def _aggregation_zh(spec: dict[str, Any]) -> str:
    m = spec.get("method", "")
    if m in AGGREGATION_ZH:
        return AGGREGATION_ZH[m]
    from xianping.engine.mcda import RANKING_METHODS

    return RANKING_METHODS[m].label_zh if m in RANKING_METHODS else m


def _by_node(data, nodes: dict[str, Any], key: str, label) -> str:
    """One phrase when every node uses the same method, else 'node: method' for each (root first)."""
    names = {n.code: n.name_zh for n in data.nodes}
    order = list(nodes.items())
    order = order[-1:] + order[:-1]  # the root (last in post-order) first, then the dimensions in their order
    items = [(names.get(code, code), label(spec[key])) for code, spec in order]
    if len({lab for _, lab in items}) == 1:
        return f"各层级均采用{items[0][1]}"
    return "，".join(f"{name}采用{lab}" for name, lab in items)


def _method_ctx(data) -> dict[str, str]:
    """评价方法: the method choices of the manifest in words (no numbers, so nothing to trace)."""
    steps = data.manifest.get("steps", {})
    norm = steps.get("normalise", {})
    nodes = steps.get("nodes") or {}
    out = {"normalise": NORMALISE_ZH.get(norm.get("method"), str(norm.get("method", ""))),
           "panel": PANEL_ZH.get(norm.get("panel"), "")}
    if nodes:
        out["weights"] = _by_node(data, nodes, "weights", _weights_zh)
        out["aggregation"] = _by_node(data, nodes, "aggregation", _aggregation_zh)
    if data.obstacles is not None:
        out["obstacles"] = ("短板分析采用障碍度模型：某项指标的障碍度为其权重与偏离度（标准化得分与满分之差）之积占各项指标合计的比重，"
                            "维度障碍度为所属指标障碍度之和；劣势指标指该项排名落后于综合排名达参评单位数一成及以上的指标。")
    return out


ATTACHMENTS = {"manifest": "report.manifest.json", "sources": "report.sources.csv"}


def build_context(data, year=None, focus: str | list[str] | None = None, top_n: int = 10,
                  attachments: dict[str, str] | None = None) -> dict[str, Any]:
    """The named fields a template can use (see templates/default_zh.md for them in use). `attachments`: the
    names of the files written beside the report (the evaluation manifest, the sources of the numbers)."""
    year = str(year or data.latest)
    base = data.base_year if data.base_year and data.base_year != year else None
    root = data.root.code
    ctx: dict[str, Any] = {
        "framework": data.framework,
        "year": Value(int(year[:4]), {"kind": "year", "year": year}, "year", fmt="year"),
        "n_dimensions": Value(len(data.dimensions), {"kind": "framework", "what": "first-level dimensions"}, "n_dimensions", fmt="count"),
        "n_indicators": Value(len(data.leaves), {"kind": "framework", "what": "indicators"}, "n_indicators", fmt="count"),
        "method": _method_ctx(data),
        # {} when nothing is attached (a download of the .docx alone): the text then names no file
        "attachments": dict(ATTACHMENTS) if attachments is None else dict(attachments),
    }
    if base:
        ctx["base_year"] = Value(int(base[:4]), {"kind": "year", "year": base}, "base_year", fmt="year")

    def agg(fn, node=root, column="score", y=year, name="", type_=None, fmt="score", unit=""):
        v, src = _agg(data, fn, y, node, column, type_)
        return Value(v, src, name, unit=unit, fmt=fmt)

    def diff(a: Value, b: Value, name: str, fmt="num"):
        v = None if a.value is None or b.value is None else a.value - b.value
        return Value(v, {"kind": "diff", "a": a.source, "b": b.source}, name, fmt=fmt)

    ov = {"n_units": agg("count", name="overall.n_units", fmt="count"),
          "mean_score": agg("mean", name="overall.mean_score"), "median_score": agg("median", name="overall.median_score"),
          "max_score": agg("max", name="overall.max_score"), "min_score": agg("min", name="overall.min_score")}
    if base:
        ov["n_units_base"] = agg("count", y=base, name="overall.n_units_base", fmt="count")
        ov["mean_score_base"] = agg("mean", y=base, name="overall.mean_score_base")
        ov["mean_score_change"] = diff(ov["mean_score"], ov["mean_score_base"], "overall.mean_score_change")
    ctx["overall"] = ov
    order = data.ranked(year)
    ctx["top"] = [_unit_ctx(data, i, year, f"top[{n}]") for n, i in enumerate(order[:top_n])]
    ctx["bottom"] = _unit_ctx(data, order[-1], year, "bottom") if order else None
    if data.tiers_on:
        t = data.t(year)
        first = [i for i in order if data.tier[t, i] == 1]
        spec = data.manifest["settings"]["tiers"]
        ctx["first_tier"] = {
            "label": "第一方阵" if spec.get("method") == "top_n" else "第一档",
            "n": Value(len(first), {"kind": "agg", "fn": "count", "year": year, "node": root, "column": "tier", "equals": 1},
                       "first_tier.n", fmt="count"),
            "top_n": Value(spec.get("n"), {"kind": "settings", "key": "tiers.n"}, "first_tier.top_n", fmt="count")
            if spec.get("method") == "top_n" else None,
            "provinces": _province_counts(data, first, year),
            "types": _type_counts(data, first, year),
        }
    if data.unit_types:
        bt = {}
        for ty in sorted(set(data.unit_types)):
            sel = [i for i in order if data.unit_types[i] == ty]
            if not sel or data.type_rank is None:
                continue
            t, k = data.t(year), data.k(root)
            sel = sorted(sel, key=lambda i: (data.type_rank[t, i, k], data.units[i]))
            bt[ty] = {"n": agg("count", name=f"by_type.{ty}.n", type_=ty, fmt="count"),
                      "mean_score": agg("mean", name=f"by_type.{ty}.mean_score", type_=ty),
                      "top": [_unit_ctx(data, i, year, f"by_type.{ty}.top[{n}]") for n, i in enumerate(sel[:3])]}
        ctx["by_type"] = bt
    dims = []
    for d in data.dimensions:
        kd = data.k(d.code)
        best = sorted([i for i in order if not np.isnan(data.rank[data.t(year), i, kd])],
                      key=lambda i: (data.rank[data.t(year), i, kd], data.units[i]))
        e = {"code": d.code, "name_zh": d.name_zh, "name_en": d.name_en,
             "mean_score": agg("mean", node=d.code, name=f"dimensions.{d.code}.mean_score"),
             "top": None}
        if best:
            i = best[0]
            e["top"] = {"name": data.unit_names[i], "code": data.units[i],
                        "score": Value(data.score[data.t(year), i, kd], {"kind": "cell", "unit": data.units[i], "year": year,
                                                                          "node": d.code, "column": "score"},
                                       f"dimensions.{d.code}.top.score", fmt="score")}
        if base:
            e["mean_score_base"] = agg("mean", node=d.code, y=base, name=f"dimensions.{d.code}.mean_score_base")
            e["mean_score_change"] = diff(e["mean_score"], e["mean_score_base"], f"dimensions.{d.code}.mean_score_change")
        e["indicators"] = [ind_ctx for n in data.leaves if _under(data, n, d.code)
                           for ind_ctx in [_indicator_ctx(data, n, year, base, agg, diff)]]
        dims.append(e)
    ctx["dimensions"] = dims
    ctx["indicators"] = {n.indicator or n.code: _indicator_ctx(data, n, year, base, agg, diff) for n in data.leaves}
    if base:
        rc = data.rank_change(year)
        ok = [i for i in order if not np.isnan(rc[i])]
        gains = sorted([i for i in ok if rc[i] > 0], key=lambda i: (-rc[i], data.rank[data.t(year), i, -1], data.units[i]))
        losses = sorted([i for i in ok if rc[i] < 0], key=lambda i: (rc[i], data.rank[data.t(year), i, -1], data.units[i]))
        ctx["movers"] = {"gains": [_unit_ctx(data, i, year, f"movers.gains[{n}]") for n, i in enumerate(gains[:5])],
                         "losses": [_unit_ctx(data, i, year, f"movers.losses[{n}]") for n, i in enumerate(losses[:5])],
                         "n_up": Value(len(gains), {"kind": "agg", "fn": "count", "year": year, "node": root, "column": "rank_change",
                                                    "where": "> 0"}, "movers.n_up", fmt="count"),
                         "n_down": Value(len(losses), {"kind": "agg", "fn": "count", "year": year, "node": root,
                                                       "column": "rank_change", "where": "< 0"}, "movers.n_down", fmt="count")}
    if data.obstacles is not None:
        t = data.t(year)
        bd = data.obstacles["by_dim"][t]
        okrows = ~np.isnan(bd).all(axis=1)
        main = np.argmax(np.nan_to_num(bd[okrows], nan=-1), axis=1)
        obs = []
        for j, dc in enumerate(data.obstacles["dims"]):
            obs.append({"code": dc, "name_zh": data.node(dc).name_zh, "name_en": data.node(dc).name_en,
                        "mean": Value(float(np.nanmean(bd[okrows, j])) * 100,
                                      {"kind": "analysis", "what": "obstacle_degree_dimension", "fn": "mean", "year": year,
                                       "dimension": dc, "scale": "percent"}, f"obstacles.{dc}.mean", fmt="pct"),
                        "share_main": Value(float(np.mean(main == j)) * 100 if len(main) else None,
                                            {"kind": "analysis", "what": "share of units whose largest dimension obstacle is this",
                                             "year": year, "dimension": dc, "scale": "percent"},
                                            f"obstacles.{dc}.share_main", fmt="pct")})
        obs.sort(key=lambda o: -(o["mean"].value or 0))
        ctx["obstacles"] = obs
    if data.coupling is not None:
        t = data.t(year)
        D = data.coupling["D"][t]
        ok = ~np.isnan(D)
        grades = {}
        for g in [x for x in data.coupling["grade"][t][ok]]:
            grades[g] = grades.get(g, 0) + 1
        top_grade = max(grades, key=grades.get) if grades else None
        ctx["coupling"] = {
            "mean_D": Value(float(np.mean(D[ok])) if ok.any() else None,
                            {"kind": "analysis", "what": "coupling_coordination_D", "fn": "mean", "year": year}, "coupling.mean_D", fmt="num"),
            "n_defined": Value(int(ok.sum()), {"kind": "analysis", "what": "coupling_coordination_D", "fn": "count", "year": year},
                               "coupling.n_defined", fmt="count"),
            "n_undefined": Value(int(data.coupling["undefined"][t].sum()), {"kind": "analysis", "what": "coupling undefined (a dimension score 0)",
                                                                             "fn": "count", "year": year}, "coupling.n_undefined", fmt="count"),
            "main_grade": top_grade,
            "main_grade_n": Value(grades.get(top_grade) if top_grade else None,
                                  {"kind": "analysis", "what": "coupling grade count", "grade": top_grade, "year": year},
                                  "coupling.main_grade_n", fmt="count"),
        }
    q = data.quality_rows()
    ctx["quality"] = {
        "n_screened": Value(sum(1 for r in q if r["kind"] == "unit_screened_out" and r["year"] == year),
                            {"kind": "manifest", "key": "steps.screen.units_out", "year": year}, "quality.n_screened", fmt="count"),
        "carried": [{"indicator": r["indicator"], "name_zh": _ind_name(data, r["indicator"]),
                     "year": Value(int(r["year"][:4]), {"kind": "year", "year": r["year"]}, f"quality.carried.{r['indicator']}.year", fmt="year"),
                     "cells": Value(int(r["detail"].split()[0]), {"kind": "manifest", "key": "steps.missing_years.carried_forward",
                                                                    "indicator": r["indicator"], "year": r["year"]},
                                    f"quality.carried.{r['indicator']}.cells", fmt="count")}
                    for r in q if r["kind"] == "carried_forward"],
        "raw_note": data.raw_note,
    }
    ctx["scope"] = _scope_ctx(data, order)
    ctx["advice"] = _advice_ctx(data, year)
    focus_list = [focus] if isinstance(focus, str) else list(focus or [])
    ctx["counties"] = []
    for n, code in enumerate(focus_list):
        if code in data.units:
            i = data.units.index(code)
            prefix = "focus" if n == 0 else f"counties[{n}]"
            u = _unit_ctx(data, i, year, prefix)
            u.update(_local_ranks(data, i, year, prefix))
            from xianping.report.score_text import scoring_ctx  # 考核得分 of a points-based framework, else None

            u["scoring"] = scoring_ctx(data, code, year, prefix)
            ctx["counties"].append(u)
    if ctx["counties"]:
        ctx["focus"] = ctx["counties"][0]
    return ctx


# ── where a unit is: province, prefecture, type (from the gazetteer when the results do not say) ──
def _division(code: str):
    from xianping.reference.divisions import get_gazetteer

    return get_gazetteer().get(code)


def prefecture_of(code: str) -> tuple[str, str]:
    """(prefecture code, name) of a county code; a county under its province directly (省直辖) gives the
    province's own code with the name 省直辖."""
    d = _division(code)
    if d is not None:
        pref = [p for p in d.parents if p[0][2:] != "0000"]
        if pref:
            return pref[-1][0], pref[-1][1]
        if code[2:4] == "90":
            return code[:4] + "00", "省直辖"
    pd = _division(code[:4] + "00")
    return code[:4] + "00", pd.name if pd is not None else code[:4] + "00"


def unit_kinds(data) -> list[str]:
    """Each unit's type: the results' own (by-type evaluations) or the gazetteer's kind (县, 县级市, 市辖区 …)."""
    if data.unit_types and any(data.unit_types):
        return list(data.unit_types)
    out = []
    for c in data.units:
        d = _division(c)
        out.append(d.kind if d is not None else "")
    return out


def unit_word(data) -> str:
    """县（市） for counties and county-level cities, 县（市、区） when districts are among them."""
    return "县（市、区）" if "市辖区" in set(unit_kinds(data)) else "县（市）"


def _scope_ctx(data, order: list[int]) -> dict[str, Any]:
    from xianping.report.data import province_name

    provs = list(dict.fromkeys(data.province(i) for i in order))
    return {"provinces": [province_name(p) for p in provs],
            "province": province_name(provs[0]) if len(provs) == 1 else "",
            "unit_word": unit_word(data)}


def _local_ranks(data, i: int, year: str, prefix: str) -> dict[str, Any]:
    """The unit's place in its province, prefecture and type, from ReportData.rank_rows (report.data: the one place
    every report format gets them — evaluation.scope's group ranks among the ranked units, the result's tie rule).
    A by-type evaluation's own type rank is used when the results carry it (its type weights may order a type
    differently)."""
    g = data.rank_rows(year)[i]
    code = data.units[i]
    direct = g["prefecture"][2:4] == "90"       # 省直辖 (济源 419001): no prefecture between county and province
    kind = g.get("type") if g.get("rank_type") is not None else g["kind"]
    out: dict[str, Any] = {"province_code": code[:2], "prefecture": "" if direct else g["prefecture_name"],
                           "prefecture_code": g["prefecture"] + "00", "kind": str(kind if kind not in (None, "未知") else "")}

    def val(name: str, pos, n, key: dict[str, Any]):
        src = {"kind": "rank_within", **key, "year": year, "node": data.root.code,
               "rule": "rank among the ranked units of the group (evaluation.scope.group_ranks_of)"}
        return (Value(pos, {**src, "unit": code}, f"{prefix}.{name}_rank", fmt="rank"),
                Value(n, {**src, "fn": "count"}, f"{prefix}.{name}_n", fmt="count"))

    out["province_rank"], out["province_n"] = val("province", g["rank_province"], g["ranked_province"],
                                                  {"province": code[:2]})
    if not direct:
        out["prefecture_rank"], out["prefecture_n"] = val("prefecture", g["rank_prefecture"], g["ranked_prefecture"],
                                                          {"prefecture": out["prefecture_code"]})
    if out["kind"]:
        if g.get("rank_type") is not None:
            out["kind_rank"], out["kind_n"] = val("kind", g["rank_type"], g["ranked_type"], {"type": out["kind"]})
            out["kind_rank"].source.update({"kind": "cell", "column": "type_rank"})
        else:
            out["kind_rank"], out["kind_n"] = val("kind", g["rank_kind"], g["ranked_kind"], {"type": out["kind"]})
    return out


def _advice_ctx(data, year: str, per_dim: int = 2, n_units: int = 3) -> list[dict[str, Any]]:
    """对策建议 from the obstacle degrees and the weaknesses: per first-level dimension, the indicators that are
    among the three largest obstacles of the most units (ties: the larger mean obstacle degree), with the units
    they hold back most, and how many units rank clearly worse on the indicator than overall (劣势指标,
    analysis.strengths: composite rank − indicator rank ≤ −10 % of the units ranked)."""
    if data.obstacles is None:
        return []
    from xianping.analysis.strengths import strengths_weaknesses

    t = data.t(year)
    O = data.obstacles["O"][t]                              # [m, n] fraction, NaN for units not ranked
    leaves = data.obstacles["leaves"]
    ok = ~np.isnan(O).all(axis=1)
    if not ok.any():
        return []
    Oz = np.where(np.isnan(O), -np.inf, O)
    top3 = np.argsort(-Oz, axis=1, kind="stable")[:, :3]
    in_top = np.zeros(O.shape, bool)
    np.put_along_axis(in_top, top3, True, axis=1)
    in_top &= ok[:, None] & (O > 0)
    R = data.rank[t][:, [data.k(c) for c in leaves]]
    sw = strengths_weaknesses(R, data.rank[t, :, data.k(data.root.code)])
    weak = (sw.label == "劣势") & ok[:, None]
    out = []
    for dc in data.obstacles["dims"]:
        js = [j for j, c in enumerate(leaves) if _under(data, data.node(c), dc) or c == dc]
        rows = []
        for j in js:
            n_top = int(in_top[:, j].sum())
            if n_top == 0:
                continue
            node = data.node(leaves[j])
            mean = float(np.nanmean(O[ok, j])) * 100
            worst = [i for i in np.argsort(-Oz[:, j], kind="stable") if ok[i]][:n_units]
            src = {"kind": "analysis", "year": year, "indicator": leaves[j]}
            key = f"advice.{dc}.{leaves[j]}"
            rows.append({
                "code": leaves[j], "name_zh": node.name_zh, "direction": node.direction,
                "verb": {"negative": "降低", "moderate": "调适", "target": "调适"}.get(node.direction, "提高"),
                "n_top": Value(n_top, {**src, "what": "units with the indicator among their three largest obstacles",
                                       "fn": "count"}, f"{key}.n_top", fmt="count"),
                "mean": Value(mean, {**src, "what": "obstacle_degree_indicator", "fn": "mean", "scale": "percent"},
                              f"{key}.mean", fmt="pct"),
                "n_weak": Value(int(weak[:, j].sum()), {**src, "what": "units where the indicator is a weakness (劣势)",
                                                        "fn": "count", "margin": sw.meta["margin"]}, f"{key}.n_weak", fmt="count"),
                "units": [{"name": data.unit_names[i], "code": data.units[i],
                           "degree": Value(O[i, j] * 100, {**src, "what": "obstacle_degree_indicator", "unit": data.units[i],
                                                           "scale": "percent"}, f"{key}.units[{n}].degree", fmt="pct")}
                          for n, i in enumerate(worst)],
            })
        rows.sort(key=lambda e: (-e["n_top"].value, -e["mean"].value, e["code"]))
        if rows:
            d = data.node(dc)
            out.append({"code": dc, "name_zh": d.name_zh, "name_en": d.name_en, "indicators": rows[:per_dim]})
    return out


def _ind_name(data, code: str) -> str:
    for n in data.leaves:
        if n.indicator == code or n.code == code:
            return n.name_zh
    return code


def _under(data, n, dim_code: str) -> bool:
    p = n
    while p.parent is not None:
        if p.parent == dim_code:
            return True
        p = data.node(p.parent)
    return False


def _indicator_ctx(data, n, year, base, agg, diff) -> dict[str, Any]:
    fmt = "pct" if n.unit == "%" else "amount"
    key = n.indicator or n.code
    e: dict[str, Any] = {"code": key, "name_zh": n.name_zh, "name_en": n.name_en, "unit": n.unit}
    if data.raw is None:
        src = {"kind": "raw_unavailable", "note": data.raw_note}
        for f in ("mean", "median", "max", "min", "total") + (("mean_base", "mean_change") if base else ()):
            e[f] = Value(None, src, f"indicators.{key}.{f}", unit=n.unit, fmt=fmt)
        return e
    for f in ("mean", "median", "max", "min"):
        e[f] = agg(f, node=n.code, column="raw", name=f"indicators.{key}.{f}", fmt=fmt, unit=n.unit)
    # a sum is only meaningful for totals (GDP, population), never for rates
    e["total"] = agg("sum", node=n.code, column="raw", name=f"indicators.{key}.total", fmt="amount", unit=n.unit) \
        if n.kind in ("total", "count") else Value(None, {"kind": "not_additive", "indicator_kind": n.kind},
                                                   f"indicators.{key}.total", unit=n.unit)
    if base:
        e["mean_base"] = agg("mean", node=n.code, column="raw", y=base, name=f"indicators.{key}.mean_base", fmt=fmt, unit=n.unit)
        e["mean_change"] = diff(e["mean"], e["mean_base"], f"indicators.{key}.mean_change")
    return e


def _province_counts(data, idx: list[int], year: str) -> list[dict[str, Any]]:
    from xianping.report.data import province_name

    counts: dict[str, int] = {}
    for i in idx:
        counts[data.province(i)] = counts.get(data.province(i), 0) + 1
    out = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"code": p, "name": province_name(p),
             "n": Value(c, {"kind": "agg", "fn": "count", "year": year, "node": data.root.code, "column": "tier", "equals": 1,
                            "province": p}, f"first_tier.provinces.{p}.n", fmt="count")} for p, c in out]


def _type_counts(data, idx: list[int], year: str) -> list[dict[str, Any]]:
    if not data.unit_types:
        return []
    counts: dict[str, int] = {}
    for i in idx:
        counts[data.unit_types[i]] = counts.get(data.unit_types[i], 0) + 1
    return [{"type": ty, "n": Value(c, {"kind": "agg", "fn": "count", "year": year, "node": data.root.code, "column": "tier",
                                        "equals": 1, "type": ty}, f"first_tier.types.{ty}.n", fmt="count")}
            for ty, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def narrative(data, template: str | Path | None = None, year=None, focus: str | list[str] | None = None,
              draft: bool = False, attachments: dict[str, str] | None = None) -> Narrative:
    """Render the default template (or a template file / text) on report data. `draft=True` keeps the
    【缺数据：field】 markers (for writing templates); otherwise the narrative is `finish`ed."""
    if template is None:
        text = default_template_path().read_text(encoding="utf-8")
    elif isinstance(template, Path) or (isinstance(template, str) and "\n" not in template and Path(template).exists()):
        from xianping.ingest.read_text import read_text

        text = read_text(template, "--template")  # an undecodable template is named
    else:
        text = str(template)
    nar = render(text, build_context(data, year=year, focus=focus, attachments=attachments))
    return nar if draft else finish(nar, data)
