"""Load benchmark of the dashboard's ranking endpoint (issue 8): 100 concurrent clients on loopback against
GET /api/rankings over all counties (the demo's 2020 ranking, 2 835 rows), p95 latency target ≤ 200 ms.

    python benchmarks/bench_web.py                       # starts `xianping serve` on a free port, 100 clients, 20 s
    python benchmarks/bench_web.py --workers 2                # `xianping serve --workers 2`
    python benchmarks/bench_web.py --clients 100 --seconds 30 --gzip
    python benchmarks/bench_web.py --url http://127.0.0.1:8000   # against a server you started
    python benchmarks/bench_web.py --mixed 60 --clients 20 --seconds 30   # mixed load (issue 13): the ranking
        # clients run while 60 clients keep asking distinct what-ifs; reports the ranking's latency, the what-ifs'
        # 200/503 counts and the server's peak memory (VmHWM)

The server is the real command (`xianping serve --cache DIR --port P [--workers N]`, uvicorn) started as a
subprocess; the clients are asyncio coroutines in this process, each with its own keep-alive HTTP/1.1
connection, sending one request after another. Latency is from writing the request to reading the last byte of
the body. A warm-up request per client comes first and is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(cache: Path, port: int, workers: int = 1) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("xianping")
    cmd = [str(exe) if exe.exists() else "xianping", "serve", "--cache", str(cache), "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("xianping serve exited:\n" + (proc.stdout.read() if proc.stdout else ""))
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/meta", timeout=2).read()
            return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("xianping serve did not answer within 180 s")


async def client(host: str, port: int, path: str, gzip: bool, stop_at: float, lat: list[float], sizes: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    req = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/json\r\n"
           f"Accept-Encoding: {'gzip' if gzip else 'identity'}\r\nConnection: keep-alive\r\n\r\n").encode()

    async def one() -> tuple[float, int]:
        t0 = time.perf_counter()
        writer.write(req)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
        body = await reader.readexactly(length)
        if status != 200:
            raise RuntimeError(f"HTTP {status}: {body[:200]!r}")
        return time.perf_counter() - t0, len(body)

    await one()                                   # warm-up, not counted
    while time.perf_counter() < stop_at:
        dt, n = await one()
        lat.append(dt)
        sizes.append(n)
    writer.close()


async def expensive(url: str, codes: list[str], year: str, stop_at: float, seen: dict, waits: list[float]) -> None:
    """One what-if client: distinct counties one after another (each a real computation on the server); after a 503
    it waits as Retry-After says (within the run), as the dashboard's users would. A request still unanswered when
    the run ends is counted as 'unanswered' and dropped."""
    import httpx

    async with httpx.AsyncClient(timeout=600) as c:
        for code in codes:
            left = stop_at - time.perf_counter()
            if left <= 0:
                return
            t0 = time.perf_counter()
            try:
                r = await asyncio.wait_for(c.get(f"{url}/api/units/{code}/whatif", params={"year": year}), left)
            except asyncio.TimeoutError:
                seen["unanswered"] = seen.get("unanswered", 0) + 1
                return
            seen[r.status_code] = seen.get(r.status_code, 0) + 1
            if r.status_code == 200:
                waits.append(time.perf_counter() - t0)
            elif r.status_code == 503:
                await asyncio.sleep(min(float(r.headers.get("retry-after", 1)), max(0.0, stop_at - time.perf_counter())))


async def run(url: str, path: str, clients: int, seconds: float, gzip: bool, mixed: int = 0) -> dict:
    u = urlsplit(url)
    lat: list[float] = []
    sizes: list[int] = []
    seen: dict = {}
    waits: list[float] = []
    stop_at = time.perf_counter() + seconds
    t0 = time.perf_counter()
    heavy = []
    if mixed:
        meta = json.loads(urllib.request.urlopen(url + "/api/meta").read())
        year = meta["years"][-1]
        rows = json.loads(urllib.request.urlopen(f"{url}/api/rankings?year={year}").read())["rows"]
        codes = [r["unit_code"] for r in rows]
        heavy = [expensive(url, codes[k::mixed], year, stop_at, seen, waits) for k in range(mixed)]
    await asyncio.gather(*(client(u.hostname, u.port, path, gzip, stop_at, lat, sizes) for _ in range(clients)), *heavy)
    wall = time.perf_counter() - t0
    lat.sort()

    def q(p):
        return lat[min(len(lat) - 1, int(round(p * (len(lat) - 1))))] * 1000

    return {"path": path, "clients": clients, "seconds": round(wall, 2), "gzip": gzip, "requests": len(lat),
            "throughput_rps": round(len(lat) / wall, 1), "body_bytes": sizes[0] if sizes else 0,
            "p50_ms": round(q(0.50), 1), "p95_ms": round(q(0.95), 1), "p99_ms": round(q(0.99), 1),
            "max_ms": round(lat[-1] * 1000, 1), "mean_ms": round(statistics.fmean(lat) * 1000, 1),
            **({"whatif_clients": mixed, "whatif_status": {str(k): v for k, v in sorted(seen.items(), key=str)},
                "whatif_answered_mean_s": round(statistics.fmean(waits), 2) if waits else None} if mixed else {})}


def peak_rss_mb(pid: int) -> float | None:
    """The server process's peak resident memory (Linux /proc VmHWM), with its children (workers)."""
    kids = Path(f"/proc/{pid}/task/{pid}/children")
    pids = [pid] + ([int(c) for c in kids.read_text().split()] if kids.exists() else [])
    total, found = 0.0, False
    for p in pids:
        status = Path(f"/proc/{p}/status")
        if not status.exists():
            continue
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1]) / 1024
                found = True
    return round(total, 1) if found else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="a running server (default: start `xianping serve` on a free port)")
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--path", default="/api/rankings?year=2020", help="request path (default: the 2020 ranking of all counties)")
    ap.add_argument("--gzip", action="store_true", help="ask for gzip (as browsers do)")
    ap.add_argument("--workers", type=int, default=1, help="xianping serve --workers (default 1)")
    ap.add_argument("--cache", type=Path, help="cache folder for the demo results (default: a temporary folder)")
    ap.add_argument("--target-p95-ms", type=float, default=200)
    ap.add_argument("--mixed", type=int, default=0, metavar="N",
                    help="also run N clients asking distinct what-ifs (the bounded work queue's case, issue 13)")
    a = ap.parse_args()
    proc = None
    tmp = None
    url = a.url
    if url is None:
        tmp = tempfile.TemporaryDirectory()
        port = free_port()
        print(f"starting xianping serve --workers {a.workers} on 127.0.0.1:{port} (demo results) …", flush=True)
        proc = start_server(a.cache or Path(tmp.name), port, a.workers)
        url = f"http://127.0.0.1:{port}"
    try:
        meta = json.loads(urllib.request.urlopen(url + "/api/meta").read())
        body = urllib.request.urlopen(url + a.path).read()
        size = f"{json.loads(body).get('total')} rows" if a.path.startswith("/api/rankings") else f"{len(body)} bytes"
        print(f"{meta['framework'].get('code')} · {a.path}: {size} per response · {a.clients} clients · {a.seconds:.0f} s"
              f" · cpus {os.cpu_count()}", flush=True)
        res = asyncio.run(run(url, a.path, a.clients, a.seconds, a.gzip, a.mixed))
        if proc is not None:
            res["server_peak_rss_mb"] = peak_rss_mb(proc.pid)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:   # a what-if still computing in the server (mixed load)
                proc.kill()
                proc.wait(10)
        if tmp is not None:
            tmp.cleanup()
    res["workers"] = a.workers if a.url is None else None
    res["target_p95_ms"] = a.target_p95_ms
    res["ok"] = res["p95_ms"] <= a.target_p95_ms
    print(json.dumps(res, indent=2))
    return 0 if res["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
