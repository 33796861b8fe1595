"""Build the bundled county industry-employment table (census 2010) for `xianping analyse industry --demo`.

    python scripts/build_industry_data.py [--shared ../shared] [--vintage 2024] [--out-dir DIR]

Reads ../shared/data/census/census_county_2010_v1.xlsx (Dong, Du & Liu 2022, MIT): employed persons by the 20
sections of GB/T 4754-2002 (the columns after 各种行业人口总计). These are counts of the census long form (长表),
which went to 10 % of households: about 5 % of the resident population appear here, not the full enumeration.

Known traps of the source, handled here:
- three headers are shifted between cells: 仓储和邮政业 is F 交通运输、仓储和邮政业, 交通运输、计算机服务和软件业 is
  G 信息传输、计算机服务和软件业, 信息传输、批发和零售业 is H 批发和零售业 (the columns follow the A–T order;
  G is small, H large, as they should be). The headers are checked, so a different source stops the build.
- a blank cell means nobody in the sample (as for the education columns of build_demo_data.py): 0.
- a few cells are digitisation errors: a negative count (临颍县 批发和零售业 −1373), a lost decimal point
  (海兴县 0.94, 汉寿县 0.125, 什邡市 61.3, 冕宁县 3.52), an unreadable cell (工布江达县 '5   5'). A cell that is
  not a whole non-negative number is replaced by the value that makes the row add up to 各种行业人口总计, when that
  value is a whole non-negative number, and the repair is written to `flags` and the meta file; rows whose
  sections still do not add up (three, by 1–3 persons) are flagged and kept.

Codes are linked from the end-2009 vintage to --vintage with the demo's linking (`xianping.demo.link_vintage`,
the import crosswalk: recodes 1:1, merges summed — the counts are declared `merge: sum`), and written as

    src/xianping/demo/data/census2010_industry_employment.csv.gz   unit_code, unit_name, year, employed_total,
                                                                   one column per section (English codes), flags
    src/xianping/demo/data/census2010_industry_employment.meta.json  columns → section letter, 中文, English;
                                                                   source, sampling note, repairs, unlinked codes
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_demo_data import VINTAGE, _num, is_county_code, read_sheet  # noqa: E402  (one reader, one vintage table)

OUT_DIR = REPO / "src" / "xianping" / "demo" / "data"
STEM = "census2010_industry_employment"
SOURCE = "census2010"
TOTAL = "各种行业人口总计"
# the 20 headers after TOTAL as the source spells them (newlines removed), in GB/T 4754-2002 order A–T
SOURCE_HEADERS = ("农林牧渔业", "采矿业", "制造业", "电力、燃气及水的生产和供应业", "建筑业", "仓储和邮政业",
                  "交通运输、计算机服务和软件业", "信息传输、批发和零售业", "住宿和餐饮业", "金融业", "房地产业",
                  "租赁和商务服务业", "科学研究、技术服务和地质勘察业", "水利、环境和公共设施管理业", "居民服务和其他服务业",
                  "教育", "卫生、社会保障和社会福利业", "文化、体育和娱乐业", "公共管理和社会组织", "国际组织")


def _whole(v) -> bool:
    return v is not None and v >= 0 and float(v).is_integer()


def extract(path: Path):
    """(code, name, {column: count}, [repair notes], [flags]) per county row of the 2010 table."""
    from xianping.analysis.industry_structure import INDUSTRIES

    header, rows = read_sheet(path)
    t = header.index(TOTAL)
    got = tuple(header[t + 1:t + 21])
    if got != SOURCE_HEADERS:
        raise SystemExit(f"unexpected industry headers after {TOTAL}: {got}")
    codes = [c for c, *_ in INDUSTRIES]
    out = []
    for r in rows:
        d = dict(zip(header, r))
        code = d.get("区划代码")
        if not is_county_code(code):
            continue
        name = str(d.get("地区") or "").strip()
        total = _num(r[t])
        raw = list(r[t + 1:t + 21])
        vals = [0.0 if x is None or str(x).strip() == "" else _num(x) for x in raw]
        notes, flags = [], []
        bad = [k for k, v in enumerate(vals) if not _whole(v)]
        if len(bad) == 1 and total is not None:
            k = bad[0]
            fixed = total - sum(v for j, v in enumerate(vals) if j != k)
            if _whole(fixed):
                notes.append({"code": str(code), "name": name, "column": codes[k], "source_header": SOURCE_HEADERS[k],
                              "source_value": raw[k], "value": int(fixed), "rule": "row adds up to " + TOTAL})
                flags.append(f"repaired:{codes[k]}:{raw[k]!s}".replace(" ", "") + f"->{int(fixed)}")
                vals[k] = fixed
        if any(not _whole(v) for v in vals):
            raise SystemExit(f"{code} {name}: cells that are not counts remain: {raw}")
        if total is not None and sum(vals) != total:
            flags.append(f"sum_mismatch:{int(sum(vals) - total):+d}")
        out.append((str(code), name, {"employed_total": total, **dict(zip(codes, vals))}, notes, flags))
    return out


def _library(columns):
    from xianping.frameworks.library import Indicator, IndicatorLibrary, load_library
    from xianping.analysis.industry_structure import INDUSTRY_EN, INDUSTRY_ZH

    extra = [Indicator(code=c, name_zh=INDUSTRY_ZH.get(c, TOTAL), name_en=INDUSTRY_EN.get(c, "Employed persons (sample)"),
                       unit="人", direction="positive", kind="count", merge="sum", nonnegative=True) for c in columns]
    return load_library().merged(IndicatorLibrary(extra, ["scripts/build_industry_data.py"]))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(REPO.parent / "shared"), help="path of the shared folder")
    ap.add_argument("--vintage", type=int, default=2024, help="GB/T 2260 code vintage to link to")
    ap.add_argument("--out-dir", default=str(OUT_DIR), help="where to write the table and its meta file")
    args = ap.parse_args(argv)
    out_dir = Path(args.out_dir)

    from xianping.analysis.industry_structure import INDUSTRIES
    from xianping.demo.link_vintage import link_to_vintage
    from xianping.reference.divisions import get_gazetteer

    rows = extract(Path(args.shared) / "data" / "census" / "census_county_2010_v1.xlsx")
    columns = ["employed_total", *(c for c, *_ in INDUSTRIES)]
    records = [(code, VINTAGE[SOURCE], "2010", c, v, "人", SOURCE) for code, _n, vals, _r, _f in rows
               for c, v in vals.items() if v is not None]
    linked, report = link_to_vintage(records, args.vintage, library=_library(columns))

    table: dict[str, dict[str, float]] = defaultdict(dict)
    flags: dict[str, set[str]] = defaultdict(set)
    for code, _period, ind, v, _u, _s, fl in linked:
        table[code][ind] = v
        flags[code].update(f for f in fl.split(";") if f)
    own_flags = {code: f for code, _n, _v, _r, f in rows}
    for target, fl in flags.items():
        for src in {target, *re.findall(r"\d{6}", ";".join(fl))}:
            fl.update(own_flags.get(src, []))

    gaz = get_gazetteer()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["unit_code", "unit_name", "year", *columns, "flags"])
    n = 0
    for code in sorted(table):
        vals = table[code]
        if any(c not in vals for c in columns):
            continue  # an incomplete merge; in the report
        div = gaz.get(code, args.vintage)
        w.writerow([code, div.name if div else "", 2010, *(f"{vals[c]:.0f}" for c in columns), ";".join(sorted(flags[code]))])
        n += 1
    out_dir.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(out_dir / f"{STEM}.csv.gz", "wb", mtime=0) as f:   # mtime=0: byte-identical rebuilds
        f.write(buf.getvalue().encode("utf-8"))

    meta = {
        "source": "Dong, Du & Liu (2022), 'Mapping Evolving Population Geography in China', SSRN 4049338; "
                  "census_county_2010_v1.xlsx (MIT)",
        "table": "6th population census (2010), county table: employed persons by industry (各种行业人口)",
        "sampling": "long-form (长表) sample counts: the industry questions were asked of 10 % of households, so these "
                    "are sampled persons (≈ 5 % of the resident population), not a full enumeration; shares, LQ and HHI "
                    "are ratios and do not depend on the sampling fraction, but small counts are noisy",
        "classification": "GB/T 4754-2002 sections A–T",
        "code_vintage": {"source": VINTAGE[SOURCE], "linked_to": args.vintage,
                         "rule": "xianping.demo.link_vintage (recodes 1:1, merges summed; splits and codes without "
                                 "a successor left out)"},
        "columns": {"employed_total": {"zh": TOTAL, "en": "Employed persons (sample)"},
                    **{c: {"section": s, "zh": zh, "en": en, "source_header": h}
                       for (c, s, zh, en, _), h in zip(INDUSTRIES, SOURCE_HEADERS)}},
        "repairs": [n_ for *_x, notes, _f in rows for n_ in notes],
        "sum_mismatches": {code: f for code, _n, _v, _r, f in rows if any(x.startswith("sum_mismatch") for x in f)},
        "not_linked": [list(r) for r in report if r[2] in ("unmapped", "split", "merge_incomplete")],
        "units": n,
    }
    (out_dir / f"{STEM}.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    size = (out_dir / f"{STEM}.csv.gz").stat().st_size
    print(f"census 2010 industries: {len(rows)} source counties → {n} units of {args.vintage}; "
          f"{len(meta['repairs'])} cells repaired, {len(meta['not_linked'])} report lines not linked; "
          f"{out_dir / (STEM + '.csv.gz')} {size:,} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
