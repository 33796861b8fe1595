"""Build the bundled demo panel from the real census 2010/2020 tables and CEADs county CO₂ 1997–2017.

    python scripts/build_demo_data.py [--shared ../shared] [--vintage 2024]

Reads ../shared/data/census/census_county_{2010,2020}_v1.xlsx (Dong, Du & Liu 2022, MIT) and
../shared/data/co2/co2.xlsx (Chen et al. 2020, CEADs, CC BY 4.0), derives the `census-social` indicators
per county at each table's own code vintage, links every code to one vintage through the GB/T 2260 code
history (renames and recodes 1:1; merges combine totals by sum and rates by population-weighted mean; splits
and codes without a successor are not linked), and writes

    src/xianping/demo/data/census_co2_panel.csv.gz   long table: unit_code, period, indicator, value, unit, source, flags
    src/xianping/demo/data/linking_report.csv        every source code that was not linked 1:1, and why

Derived indicators and their formulas are listed in INDICATORS below; each is computed from the census
columns named there, so that anyone can recompute a value from the source table.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import sys
from collections import defaultdict
from pathlib import Path

import openpyxl

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "src" / "xianping" / "demo" / "data"

# short source tags; src/xianping/demo/data/SOURCES.md gives the full attribution of each
CENSUS_SOURCE = "census{year}"
CO2_SOURCE = "ceads_co2"

# The code vintage of each table. The 2010 census (taken 1 Nov 2010) still uses codes abolished later in 2010
# (崇文区, 宣武区), so it matches the end-2009 list in full (2,857 of 2,857; Gazetteer.get(code, year)).
# CEADs states "County name is based on the division of China's counties in 2010": its 110101 东城区 already
# includes 崇文区, so 2010 it is, although a few stale codes (通州市 320683, 曾都区 421302) then stay unlinked —
# taking 2008, which matches 4 more codes, would wrongly read 东城区 as the pre-merger unit.
VINTAGE = {"census2010": 2009, "census2020": 2020, "ceads_co2": 2010}


def _num(v):
    if v is None or v == "":
        return None
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(str(v).replace(",", ""))
    except ValueError:
        return None


def _ratio(num, den, scale=100.0):
    if num is None or den is None or den == 0:
        return None
    return num / den * scale


def _sum(*vals):
    if any(v is None for v in vals):
        return None
    return sum(vals)


def read_sheet(path: Path) -> tuple[list[str], list[tuple]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    header = [str(h).replace("\n", "").replace("\r", "").strip() if h is not None else "" for h in rows[0]]
    return header, rows[1:]


# indicator → (unit, {year: function(row dict) → value}); the functions name the census columns they use.
def census_indicators(year: int):
    if year == 2010:
        edu = ["未上过学", "小学", "初中", "高中", "大学专科", "大学本科及以上"]
        col = {
            "pop": "合计", "urban": "城镇人口", "households": "户数", "sex": "性别比（女=100）",
            "edu_years": "平均受教育年限（年）-合计", "illit": "文盲人口占15岁及以上人口比重（%）-合计",
            "age65": "65岁及以上（%）", "ind_total": "各种行业人口总计", "agri": "农林牧渔业",
            "occ_total": "各种职业人口总计", "prof": "专业技术人员", "housing": "人均住房建筑面积（平方米/人）",
            "hh_long": "长表数据-家庭户", "tap": "住房内有无管道自来水-有", "toilet": "住房内有无厕所-有",
            "bath": "住房内有无洗澡设施-有",
        }
        edu_cols = [f"{e}-{s}" for e in edu for s in ("男", "女")]
        college_cols = [f"{e}-{s}" for e in ("大学专科", "大学本科及以上") for s in ("男", "女")]
    else:
        edu = ["未上过学", "学前教育", "小学", "初中", "高中", "大学专科", "本科及以上"]
        col = {
            "pop": "人口数_合计", "urban": "城镇人口", "households": "家庭户数", "sex": "性别比（女=100）",
            "edu_years": "平均受教育年限_合计", "illit": "文盲占15岁及以上人口比重",
            "age65": "人口比重_65岁及以上", "ind_total": "各种行业人口总计", "agri": "农林牧渔业",
            "occ_total": "各种职业人口总计", "prof": "专业技术人员", "housing": "人均住房建筑面积",
            "hh_long": "家庭户户数_长表", "tap": "住房內有管道自来水", "toilet": "住房內有厕所",
            "bath": "住房内有洗澡设施",
        }
        edu_cols = [f"{e}_{s}" for e in edu for s in ("男", "女")]
        college_cols = [f"{e}_{s}" for e in ("大学专科", "本科及以上") for s in ("男", "女")]

    def g(r, key):
        return _num(r.get(col[key]))

    def edu_sum(r, cols):
        vals = [_num(r.get(c)) for c in cols]
        # a blank education cell in these tables means nobody in that class (e.g. no university graduates)
        return None if all(v is None for v in vals) else sum(v or 0.0 for v in vals)

    def urban(r):
        u = g(r, "urban")
        # 2010 leaves 城镇人口 blank only where 乡村人口 is the whole population; keep it missing otherwise
        return u

    return {
        "pop_total": ("人", lambda r: g(r, "pop")),
        "pop_urban": ("人", urban),
        "households": ("户", lambda r: g(r, "households")),
        "urbanisation_rate": ("%", lambda r: _ratio(urban(r), g(r, "pop"))),
        "edu_years": ("年", lambda r: g(r, "edu_years")),
        "college_share": ("%", lambda r: _ratio(edu_sum(r, college_cols), edu_sum(r, edu_cols))),
        "illiteracy_rate": ("%", lambda r: g(r, "illit")),
        "ageing_65": ("%", lambda r: g(r, "age65")),
        "sex_ratio": ("1", lambda r: g(r, "sex")),
        "nonfarm_employment_share": (
            "%", lambda r: None if g(r, "ind_total") in (None, 0) or g(r, "agri") is None
            else (1 - g(r, "agri") / g(r, "ind_total")) * 100),
        "professional_share": ("%", lambda r: _ratio(g(r, "prof"), g(r, "occ_total"))),
        "housing_area_pc": ("平方米/人", lambda r: g(r, "housing")),
        "tap_water_share": ("%", lambda r: _ratio(g(r, "tap"), g(r, "hh_long"))),
        "toilet_share": ("%", lambda r: _ratio(g(r, "toilet"), g(r, "hh_long"))),
        "bath_share": ("%", lambda r: _ratio(g(r, "bath"), g(r, "hh_long"))),
    }


def is_county_code(code) -> bool:
    s = str(code)
    return s.isdigit() and len(s) == 6 and not s.endswith("00")


def extract_census(path: Path, year: int):
    """Yield (code, name, indicator, value, unit) for county-level rows; subtotals and spam rows are skipped."""
    header, rows = read_sheet(path)
    name_col = "地区" if year == 2010 else "区县"
    code_col = "区划代码"
    skipped = defaultdict(list)
    out = []
    inds = census_indicators(year)
    for r in rows:
        d = dict(zip(header, r))
        code = d.get(code_col)
        name = str(d.get(name_col) or "").strip()
        if not is_county_code(code):
            skipped["no county code (province/prefecture/subtotal/zone/footnote)"].append((code, name))
            continue
        for ind, (unit, fn) in inds.items():
            v = fn(d)
            if v is not None:
                out.append((str(code), name, ind, v, unit))
    return out, skipped


def extract_co2(path: Path):
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    header = rows[0]
    years = [(i, int(str(h)[1:])) for i, h in enumerate(header) if str(h).startswith("C") and str(h)[1:].isdigit()]
    out = []
    for r in rows[1:]:
        if not is_county_code(r[0]):
            continue
        for i, y in years:
            v = _num(r[i])
            if v is not None:
                # the source is in Mt CO₂; 1 Mt = 100 万吨
                out.append((str(r[0]), str(r[1]), y, v * 100.0))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(REPO.parent / "shared"), help="path of the shared folder")
    ap.add_argument("--vintage", type=int, default=2024, help="GB/T 2260 code vintage to link to")
    args = ap.parse_args(argv)
    data = Path(args.shared) / "data"

    from xianping.demo.link_vintage import link_to_vintage

    records = []  # (source_code, source_vintage, period, indicator, value, unit, source)
    for year in (2010, 2020):
        rows, skipped = extract_census(data / "census" / f"census_county_{year}_v1.xlsx", year)
        for code, _name, ind, v, unit in rows:
            tag = CENSUS_SOURCE.format(year=year)
            records.append((code, VINTAGE[tag], str(year), ind, v, unit, tag))
        print(f"census {year}: {len({r[0] for r in rows})} counties, {len(rows)} values; "
              f"skipped {sum(len(v) for v in skipped.values())} non-county rows", file=sys.stderr)

    co2 = extract_co2(data / "co2" / "co2.xlsx")
    for code, _name, y, v in co2:
        records.append((code, VINTAGE[CO2_SOURCE], str(y), "co2_total", v, "万吨", CO2_SOURCE))
    print(f"CO2: {len({c[0] for c in co2})} counties, {len(co2)} values", file=sys.stderr)

    linked, report = link_to_vintage(records, args.vintage)

    # CO₂ per head for 2010 from the linked totals, so that both come from the same (target-vintage) units
    pop2010 = {r[0]: r[3] for r in linked if r[2] == "pop_total" and r[1] == "2010"}
    per_capita = [
        (code, "2010", "co2_per_capita", v * 1e4 / pop2010[code], "吨/人", "ceads_co2/census2010", flags)  # 万吨 → 吨
        for code, period, ind, v, _u, _s, flags in linked
        if ind == "co2_total" and period == "2010" and pop2010.get(code)
    ]
    linked += per_capita
    print(f"CO2 per head 2010: {len(per_capita)} counties", file=sys.stderr)

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["unit_code", "period", "indicator", "value", "unit", "source", "flags"])
    for row in sorted(linked, key=lambda r: (r[0], r[1], r[2])):
        code, period, ind, value, unit, source, flags = row
        w.writerow([code, period, ind, f"{value:.6g}" if abs(value) < 1e6 else f"{value:.0f}", unit, source, flags])
    # mtime=0: the same inputs give byte-identical output
    with gzip.GzipFile(OUT_DIR / "census_co2_panel.csv.gz", "wb", mtime=0) as f:
        f.write(buf.getvalue().encode("utf-8"))
    with open(OUT_DIR / "linking_report.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["source_code", "source_vintage", "relation", "targets", "n_indicators", "note"])
        for row in report:
            w.writerow(row)
    print(f"wrote {len(linked)} observations for vintage {args.vintage}; "
          f"{sum(1 for r in report if r[2] in ('unmapped', 'split'))} source codes not linked "
          f"(see {OUT_DIR / 'linking_report.csv'})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
