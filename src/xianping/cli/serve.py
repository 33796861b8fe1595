"""`xianping serve` — the web dashboard and JSON API over evaluation results (the bundled demo by default)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape


def register(app: typer.Typer) -> None:
    app.command("serve", help="网页 Serve the dashboard (rankings, county profiles, maps, compare, framework, data quality, "
                "downloads) and the JSON API (/api/docs). With no --store or --results it serves the bundled demo results, "
                "built on first start into a cache folder.")(serve)


def serve(
    store: Optional[Path] = typer.Option(None, "--store", help="A DuckDB panel store: evaluated with --framework at start."),
    results: Optional[Path] = typer.Option(None, "--results", "-r", help="A results CSV (with its manifest beside it) or a folder written by `xianping demo`."),
    framework: str = typer.Option("census-social", "--framework", "-f", help="With --store: a built-in framework name or a YAML file."),
    years: Optional[str] = typer.Option(None, "--years", help="With --store: years to evaluate, e.g. 2010,2020 (default: all)."),
    robust: Optional[Path] = typer.Option(None, "--robust", help="Robustness results: a folder from `xianping robust --out DIR` (rank_stats.csv) or the CSV itself. Default: rank_stats.csv beside the results, when there."),
    targets: Optional[Path] = typer.Option(None, "--targets", help="Targets (YAML/JSON, as for `xianping analyse targets`): progress on county profiles."),
    cache: Optional[Path] = typer.Option(None, "--cache", help="Cache folder for the demo results and generated downloads (default: ~/.cache/xianping/serve)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (loopback by default)."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes (each holds the results in memory); "
                                "more than one serves more requests at once on a machine with several cores."),
    work_slots: int = typer.Option(1, "--work-slots", min=1, max=16, help="What-if computations and report downloads run "
                                   "at once per worker process (each holds a few hundred MB at national scale)."),
    work_queue: int = typer.Option(4, "--work-queue", min=0, max=256, help="How many more wait for a slot; beyond that the "
                                   "server answers 503 with Retry-After at once, and the pages and rankings keep answering."),
    platform: Optional[Path] = typer.Option(None, "--platform", help="Serve an assessment platform (a folder made by "
                                            "`xianping platform init`): login, roles and tasks; the dashboard then requires login."),
    db: Optional[str] = typer.Option(None, "--db", help="With --platform: its PostgreSQL URL (default: the SQLite file in the folder)."),
) -> None:
    from xianping.cli.output import console
    from xianping.web.source import load_dashboard

    _can_listen(host, port)   # before minutes of loading: a bad --host or a port in use is said at once
    plat = None
    if platform is not None:  # its database is checked (reachable, migrated) before the results are loaded
        from xianping.platform.db.connect import open_platform

        plat = open_platform(platform, db)
    with console.status("准备数据 preparing the results …") as status:
        def say(msg: str) -> None:
            status.update(msg)
            console.print(f"  {msg}", markup=False)

        dash = load_dashboard(results=results, store=store, framework=framework, years=years, robust=robust,
                              targets=targets, cache=cache, say=say)
    import uvicorn

    fw = dash.data.framework
    console.print(f"[bold]县评 xianping[/] · {escape(str(fw.get('name_zh')))} · {len(dash.codes)} units · years {', '.join(dash.years)}"
                  + (" · rank intervals" if dash.rank_stats is not None else "") + (" · targets" if dash.targets is not None else ""))
    shown = f"[{host}]" if ":" in host else host
    console.print(f"打开 open [link]http://{shown}:{port}/[/link]  ·  API [link]http://{shown}:{port}/api/docs[/link]  ·  Ctrl+C 停止 stop")
    if plat is not None:
        console.print(f"考核平台 platform: {escape(str(platform))} · 登录 log in at [link]http://{shown}:{port}/login[/link]")
    elif host not in ("127.0.0.1", "localhost", "::1"):
        console.print(f"[yellow]note:[/] bound to {host}: the dashboard is reachable from other machines (read-only, no login).")
    if workers == 1:
        from xianping.web.app import create_app

        web = create_app(dash, work_slots=work_slots, work_queue=work_queue)
        if plat is not None:
            from xianping.platform.web.mount import mount

            mount(web, plat)
        uvicorn.run(web, host=host, port=port, log_level="warning")
        return
    import json
    import os

    from xianping.web.app import ENV

    # workers load the same results; the demo is already built, so they read it from the cache
    demo = dash.origin.get("kind") == "demo"
    cfg = {"results": dash.origin.get("results") if store is None else None, "store": str(store) if store else None,
           "framework": framework, "years": years, "robust": dash.origin.get("robust"), "targets": dash.origin.get("targets"),
           "cache": str(cache) if cache else None, "demo": demo, "work_slots": work_slots, "work_queue": work_queue}
    os.environ[ENV] = json.dumps(cfg)
    console.print(f"  {workers} worker processes")
    factory = "xianping.web.app:app_from_env"
    if plat is not None:
        from xianping.platform.web.mount import ENV as PLATFORM_ENV

        os.environ[PLATFORM_ENV] = json.dumps({"dir": str(platform), "db": db})
        factory = "xianping.platform.web.mount:app_from_env"
        plat.close()
    # the supervisor kills a worker that misses a health check (default 5 s) with every request it holds: a worker
    # busy with a burst on a loaded machine missed it (benchmarks/bench_platform.py); a hung one is still replaced
    uvicorn.run(factory, factory=True, host=host, port=port, workers=workers, log_level="warning",
                timeout_worker_healthcheck=30)


def _can_listen(host: str, port: int) -> None:
    import socket

    from xianping.problems import XianpingInputError

    try:
        fam, kind, proto, _, addr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as e:
        raise XianpingInputError(f"--host {host!r}: not an address or a name this machine resolves ({e.strerror}); "
                                 "expected e.g. 127.0.0.1, 0.0.0.0, ::1 or localhost") from None
    with socket.socket(fam, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as uvicorn does, so a port in TIME_WAIT is fine
        try:
            s.bind(addr)
        except OSError as e:
            raise XianpingInputError(f"--host {host} --port {port}: cannot listen there ({e.strerror}); "
                                     "choose another --port, or stop the server using it") from None
