"""Benchmark of reading reports: start-up of `xianping extract` and in-process throughput (characters/second).

    .venv/bin/python benchmarks/bench_text.py [--seeds DIR] [--devset DIR] [--chars N] [--startup-runs K]

1. Start-up: `xianping extract` on a one-line file, K runs in fresh processes (default 7), median wall time and
   median CPU time (user + system of the child). Target: ≤ 0.4 s. The first run builds the compiled lexicon and
   place index (text/cache.py) if they are not cached yet; it is reported apart and left out of the medians.
2. Throughput in process, on one core (CPU time, after a warm-up on each distinct document), for three corpora:
   the seed pages (../shared/seeds, read-only), the development set of real bulletins and work reports
   (tests/text/devset), and made-up bulletin prose with scraped-page noise, each repeated to N characters
   (default 2,000,000). Target: ≥ 1,000,000 chars/s on the seed pages.
The machine's load average is printed before and after: on a shared machine the figures move with it; compare
versions by alternating them in one run (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
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


def load() -> str:
    try:
        return "load average %.2f %.2f %.2f on %d cores" % (*os.getloadavg(), os.cpu_count() or 1)
    except OSError:
        return "load average unknown"


def startup(runs: int) -> None:
    exe = Path(sys.executable).with_name("xianping")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "xianping.cli.main"]
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "one-line.txt"
        f.write_text("全年实现地区生产总值221.3亿元,比上年增长5.2%。\n", encoding="utf-8")
        walls, cpus = [], []
        for i in range(runs + 1):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            out = subprocess.run([*cmd, "extract", str(f)], capture_output=True, text=True)
            wall = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            if out.returncode != 0 or "地区生产总值" not in out.stdout:
                raise SystemExit(f"xianping extract failed: {out.stderr[-500:]}")
            if i == 0:
                print(f"start-up, first run (may build the compiled cache): {wall:.3f} s wall, {cpu:.3f} s CPU")
                continue
            walls.append(wall)
            cpus.append(cpu)
    w, c = statistics.median(walls), statistics.median(cpus)
    # the verdict is on CPU time: wall time is CPU time plus the wait for a free core, which on a loaded shared
    # machine says more about the machine than about the command (both are printed)
    print(f"start-up, xianping extract on a one-line file, median of {runs}: {c:.3f} s CPU (target ≤ 0.4 s) "
          f"{'OK' if c <= 0.4 else 'SLOW'}; {w:.3f} s wall [range {min(walls):.3f}–{max(walls):.3f}]")


def repeat(docs: list[str], n_chars: int) -> list[str]:
    out, total = [], 0
    while total < n_chars:
        for d in docs:
            out.append(d)
            total += len(d)
    return out


def throughput(label: str, docs: list[str], n_chars: int, target: float | None) -> None:
    from xianping.text.extract import Extractor

    ex = Extractor()
    docs = repeat(docs, n_chars)
    for d in dict.fromkeys(docs):  # warm-up on each distinct document: lexicon, gazetteer, OpenCC, word lists
        ex.extract_text(d)
    n = sum(len(d) for d in docs)
    t0 = time.process_time()
    stmts = sum(len(ex.extract_text(d)) for d in docs)
    dt = time.process_time() - t0
    verdict = "" if target is None else f" (target {target:,.0f}) {'OK' if n / dt >= target else 'SLOW'}"
    print(f"{label}: {len(docs)} documents, {n:,} characters, {stmts:,} statements in {dt:.2f} s CPU: "
          f"{n / dt:,.0f} chars/s{verdict}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    ap.add_argument("--devset", type=Path, default=ROOT / "tests" / "text" / "devset")
    ap.add_argument("--chars", type=int, default=2_000_000)
    ap.add_argument("--startup-runs", type=int, default=7)
    a = ap.parse_args()
    print(load())
    startup(a.startup_runs)
    if a.seeds.is_dir():
        throughput("seed pages", [p.read_text(encoding="utf-8") for p in sorted(a.seeds.glob("*.txt"))], a.chars, 1e6)
    if a.devset.is_dir():
        throughput("devset (real bulletins, reports)",
                   [p.read_text(encoding="utf-8") for p in sorted(a.devset.glob("*.txt"))], a.chars, None)
    throughput("made-up bulletin prose", ["\n".join(PARAGRAPHS[:1] + PARAGRAPHS[1:] * 6)], a.chars, None)
    print(load())


if __name__ == "__main__":
    main()
