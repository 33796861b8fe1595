"""Benchmark: repair + extraction throughput in characters per second on one core (target ≥ 500,000).

    .venv/bin/python benchmarks/bench_text.py [--seeds DIR] [--chars N]

The corpus is made-up bulletin prose with the noise of scraped pages (traditional characters, pinyin
annotations, URLs, repeated passages, lost digits), repeated to N characters (default 2,000,000) and cut into
documents of about 8,000 characters. With --seeds, the seed documents are used instead (read-only).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

PARAGRAPHS = [
    "示例县2023年国民经济和社会发展统计公报",
    "全年实现地区生产总值221.3亿元,比上年增长5.2%。其中,第一产业增加值25.1亿元,增长3.1%;第二产业增加值80.4亿元,增长6.0%;"
    "第三产业增加值115.8亿元,增长5.0%。三次产业结构调整为11.3:36.3:52.4。",
    "全年一般公共预算收入15.6亿元,同比下降2.3%;税收收入占一般公共预算收入比重为71.4%。城乡居民收入比为2.05:1。",
    "全年城镇居民、农村居民人均可支配收入分别达到41000元、19800元,分别增长4.8%、6.9%。",
    "年末常住人口城镇化率为58.2%,比上年提高1.3个百分点,高于全省2.1个百分点。全年人口出生率为7.1‰,死亡率为6.5‰。",
    "縣域經濟高質量發展綜合評價由第12位上升到第6位,連續3年入選全國百強縣。全年糧食產量超過30萬噸。",
    "我县5年来累计实施县城提质项目个,完成投资.6亿元,个行政村完成电网改造,新建个卫生室(所)。",
    "據(jù)报道,全市上下要心往一处想、劲往一处使,奮(fèn)力开创城乡区域协调发展新局面,推动县域经济高质量发展。",
    "转载请注明:http://www.example.com/a/1.html",
    "规模以上工业增加值增长8.7%;固定资产投资增长12.2%;社会消费品零售总额86.5亿元,增长4.1%。",
    "要坚持把发展县域经济作为推动城乡融合发展的重要基础,大力实施县域经济提升行动,加快培育特色优势产业,县域经济综合实力不断增强。"
    "要加强产业园区建设,完善园区基础设施和配套服务,提高园区承载能力和吸引力,推动产业集聚发展。",
]


def corpus(n_chars: int, seeds: Path | None) -> list[str]:
    if seeds is not None:
        docs = [p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))]
    else:
        docs = ["\n".join(PARAGRAPHS[:1] + PARAGRAPHS[1:] * 6)]
    out, total = [], 0
    while total < n_chars:
        for d in docs:
            out.append(d)
            total += len(d)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=Path)
    ap.add_argument("--chars", type=int, default=2_000_000)
    a = ap.parse_args()
    from xianping.text.extract import Extractor

    ex = Extractor()
    docs = corpus(a.chars, a.seeds)
    for d in dict.fromkeys(docs):  # warm-up on each distinct document: lexicon, gazetteer, OpenCC, word lists
        ex.extract_text(d)
    n = sum(len(d) for d in docs)
    t0 = time.process_time()
    stmts = sum(len(ex.extract_text(d)) for d in docs)
    dt = time.process_time() - t0
    print(f"{len(docs)} documents, {n:,} characters, {stmts:,} statements in {dt:.2f} s CPU: {n / dt:,.0f} chars/s "
          f"(target 500,000) {'OK' if n / dt >= 500_000 else 'SLOW'}")


if __name__ == "__main__":
    main()
