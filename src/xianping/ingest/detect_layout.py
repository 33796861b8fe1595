"""Find the header row and tell wide tables (a row per unit, a column per indicator) from long ones
(a row per unit × period × indicator). Yearbooks put titles and notes above the header, so it is searched for."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

# Header spellings of the identification columns, normalised (see `norm`).
ROLE_SPELLINGS: dict[str, set[str]] = {
    "code": {"代码", "区划代码", "行政区划代码", "地区代码", "统计用区划代码", "县代码", "区县代码", "code", "adcode",
             "unitcode", "unit_code", "divisioncode", "gbcode", "编码", "区划编码"},
    "name": {"地区", "名称", "区县", "地区名称", "单位名称", "县名", "区县名称", "县(市、区)", "县(市,区)", "县市区",
             "县(市)", "name", "unitname", "county", "区域", "地名"},
    "period": {"年份", "年", "年度", "时期", "时间", "period", "year", "统计年度", "月份", "季度"},
    "indicator": {"指标", "指标名称", "指标代码", "indicator", "variable", "变量"},
    "value": {"值", "数值", "value", "数据", "指标值"},
    "unit": {"单位", "计量单位", "unit", "measureunit"},
    # per-row provenance of a long table: stored with each observation (else --source) and its flags kept
    "source": {"来源", "数据来源", "资料来源", "source", "datasource"},
    "flags": {"标记", "标志", "flags", "flag"},
    "province": {"省", "省份", "省级", "省名", "province"},
    "prefecture": {"市", "地级市", "地市", "地区市", "城市", "prefecture", "city"},
}

_WS = re.compile(r"\s+")


def norm(text: Any) -> str:
    t = unicodedata.normalize("NFKC", str(text)).replace("（", "(").replace("）", ")")
    return _WS.sub("", t).casefold()


def _role(header: Any) -> str | None:
    if header is None:
        return None
    h = norm(header)
    for role, spellings in ROLE_SPELLINGS.items():
        if h in spellings:
            return role
    return None


@dataclass
class Layout:
    kind: str  # 'wide' or 'long'
    header_row: int  # 1-based spreadsheet row of the header
    headers: list[str]  # header text per column ('' for blank), newlines kept out
    roles: dict[str, int] = field(default_factory=dict)  # role → column index

    def col(self, role: str) -> int | None:
        return self.roles.get(role)

    @property
    def id_columns(self) -> set[int]:
        return set(self.roles.values())


def header_text(cell: Any) -> str:
    # Multi-line yearbook headers ("少数民族\n人口比重\n（%）") read as one line.
    return "" if cell is None else str(cell).replace("\r", "").replace("\n", "").strip()


def detect_layout(rows: list[list[Any]], max_scan: int = 30) -> Layout | None:
    """The header is the first of the top rows holding a code or name column and at least one more header;
    None when no such row exists (the caller reports `no_id_column`)."""
    for i, row in enumerate(rows[:max_scan]):
        roles: dict[str, int] = {}
        texts = 0
        for j, cell in enumerate(row):
            if cell is None or str(cell).strip() == "":
                continue
            if isinstance(cell, str):
                texts += 1
            r = _role(cell)
            if r is not None and r not in roles:
                roles[r] = j
        if ("code" in roles or "name" in roles) and texts >= 2:
            headers = [header_text(c) for c in row]
            kind = "long" if "indicator" in roles and "value" in roles else "wide"
            return Layout(kind, i + 1, headers, roles)
    return None
