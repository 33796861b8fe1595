"""Cut the small census excerpts in this folder from the shared full tables (run from the repo root):

    .venv/bin/python tests/ingest/data/make_excerpts.py /work/shared/data/census

Rows are copied verbatim (all columns, cell values as stored) so the excerpts keep the real quirks:
multi-line headers, province/市辖区/县 subtotal rows, rows without codes, the swapped 丰润/丰南 names,
巿 for 市, the spam line at the end of the 2010 file, the 全国 row and 'NA' codes of the 2020 file.
"""

import sys
from pathlib import Path

from openpyxl import Workbook, load_workbook

HERE = Path(__file__).parent


def cut(src: Path, dst: Path, keep) -> None:
    wb = load_workbook(src, read_only=True)
    ws = wb[wb.sheetnames[0]]
    rows = list(ws.iter_rows(values_only=True))
    out = Workbook()
    o = out.active
    o.title = ws.title
    picked = [1] + [i for i in range(2, len(rows) + 1) if keep(i, rows[i - 1], len(rows))]
    for i in picked:
        o.append(list(rows[i - 1]))
    out.save(dst)
    print(f"{dst.name}: {len(picked)} rows of {len(rows)} (source rows {picked[:3]} … {picked[-3:]})")


def code(r, j):
    return str(r[j]) if r[j] is not None else ""


def main(census: Path) -> None:
    # 2010: 北京 head (province, 市辖区 subtotal, 东城 … 崇文/宣武 abolished during 2010), 唐山 丰南/丰润 (names
    # swapped in the source), 大兴安岭 (rows without codes), 洛阳 and 焦作 (with their prefecture rows), the
    # 泊头巿 look-alike character, and the last (spam) row.
    def keep2010(i, r, n):
        c = code(r, 1)
        return (i <= 8 or c in ("130200", "130207", "130208", "130981") or 799 <= i <= 806
                or c[:4] in ("4103", "4108") or c == "410000" or i == n)

    cut(census / "census_county_2010_v1.xlsx", HERE / "census_county_2010_excerpt.xlsx", keep2010)

    # 2020: the 全国 row (code 'NA'), 北京 head, 安阳 (an 'NA'-coded development zone), 洛阳, 焦作, 杭州 上城/江干.
    def keep2020(i, r, n):
        c = code(r, 0)
        return (i <= 6 or c[:4] in ("4103", "4108") or c == "410000" or 1641 <= i <= 1651
                or c in ("330100", "330102", "330104", "330105"))

    cut(census / "census_county_2020_v1.xlsx", HERE / "census_county_2020_excerpt.xlsx", keep2020)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/census"))
