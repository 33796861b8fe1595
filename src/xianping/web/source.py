"""Where the dashboard's results come from: a results CSV (`--results`), a store evaluated at start
(`--store` + `--framework`), or — with neither — the bundled demo results, built once into a cache folder.
Robustness (`--robust DIR` with rank_stats.csv, or one found beside the results) and targets (`--targets FILE`)
are attached when given.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from xianping.problems import XianpingInputError
from xianping.web.data import Dashboard, read_rank_stats


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "xianping" / "serve"


def demo_results(cache: Path, say: Callable[[str], None] = lambda s: None) -> Path:
    """The demo's results.csv in `cache`/demo, built with `load_demo` on first use (a few seconds)."""
    out = cache / "demo"
    results = out / "results.csv"
    if results.exists() and results.with_name("results.manifest.json").exists() and (out / "xianping.duckdb").exists():
        from xianping.evaluation.export import check_results

        try:
            check_results(results)
            return results
        except XianpingInputError as e:  # an interrupted build of the cache: build it again
            say(f"演示结果与清单不符，重新构建 the cached demo results do not match their manifest ({e.summary}); rebuilding …")
    say(f"首次启动：构建演示数据 building the bundled demo results into {out} (once) …")
    from xianping.demo.load_demo import load_demo

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise XianpingInputError(f"cannot create the cache folder {out}: {e.strerror}; give --cache a writable folder") from None

    load_demo(out)
    return results


def _robust_file(robust: Path | None, results: Path | None) -> Path | None:
    if robust is not None:
        p = robust / "rank_stats.csv" if robust.is_dir() else robust
        if not p.exists():
            raise XianpingInputError(f"robustness results {p} do not exist (run `xianping robust … --out DIR`)")
        return p
    if results is not None:
        for p in (results.parent / "rank_stats.csv", results.parent / "robust" / "rank_stats.csv"):
            if p.exists():
                return p
    return None


def load_dashboard(results: Path | None = None, store: Path | None = None, framework: str = "census-social",
                   years: str | None = None, robust: Path | None = None, targets: Path | None = None,
                   cache: Path | None = None, say: Callable[[str], None] = lambda s: None) -> Dashboard:
    from xianping.report.data import from_result, load_report_data, resolve_results_path

    cache = Path(cache) if cache is not None else default_cache_dir()
    if cache.exists() and not cache.is_dir():
        raise XianpingInputError(f"cache folder {cache} is a file; expected a folder (created if missing)")
    if results is not None and store is not None:
        raise XianpingInputError("give --results or --store, not both")
    origin: dict[str, str] = {}
    results_path: Path | None = None
    if store is not None:
        if not Path(store).exists():
            raise XianpingInputError(f"store {store} does not exist")
        from xianping.evaluation.run import evaluate

        say(f"评价 evaluating {framework} on {store} …")
        res = evaluate(framework, store=str(store), years=years, by_type=True)
        data = from_result(res)
        origin = {"kind": "store", "store": str(store), "framework": framework}
    else:
        if results is None:
            results_path = demo_results(cache, say)
            origin = {"kind": "demo", "results": str(results_path)}
        else:
            results_path = resolve_results_path(results)
            origin = {"kind": "results", "results": str(results_path)}
        say(f"读取结果 loading {results_path} …")
        data = load_report_data(results_path)
    dash = Dashboard(data, origin=origin, cache_dir=cache / "downloads" / _key(data))
    # 考核得分表 of a points-based framework (evaluation/score_sheet): the file beside the results, or computed
    from xianping.evaluation.score_sheet import read_score_sheet, sheet_of

    dash.score_sheet = sheet_of(res) if store is not None else read_score_sheet(results_path, data.manifest)
    rf = _robust_file(Path(robust) if robust is not None else None, results_path)
    if rf is not None:
        try:
            dash.rank_stats = read_rank_stats(rf, dash.years, dash.codes)
        except ValueError as e:
            raise XianpingInputError(str(e)) from None
        dash.origin["robust"] = str(rf)
    if targets is not None:
        dash.targets, dash.targets_file = _targets(dash, Path(targets)), str(targets)
        dash.targets_by_unit = {}
        for r in dash.targets:
            dash.targets_by_unit.setdefault(r["unit_code"], []).append(r)
        dash.origin["targets"] = str(targets)
    return dash


def _key(data) -> str:
    """Downloads are cached per result: framework hash + the results' own identity."""
    import hashlib

    h = hashlib.sha256()
    h.update(str(data.framework.get("hash", "")).encode())
    h.update(str(data.manifest.get("created", "")).encode())
    h.update(str(data.source).encode())
    return h.hexdigest()[:16]


def _targets(dash: Dashboard, path: Path) -> list[dict]:
    """Target progress the way `xianping analyse targets --results` computes it: on the result's node scores."""
    from xianping.frameworks.yaml_lines import YamlSyntaxError, safe_load
    from xianping.problems import ProblemReport

    if not path.is_file():
        raise XianpingInputError(f"targets file {path} does not exist" if not path.exists() else f"targets {path} is not a file")
    try:
        spec = safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise XianpingInputError(f"targets file {path}: not UTF-8 text (byte {e.start}); expected a YAML or JSON file") from None
    except YamlSyntaxError as e:
        raise XianpingInputError(f"targets file {path}: not valid YAML", ProblemReport(e.problems(str(path)))) from None
    spec = spec.get("targets", spec) if isinstance(spec, dict) else spec
    if not isinstance(spec, list):
        raise XianpingInputError(f"targets file {path}: expected a list of targets (or {{targets: [...]}})")
    from xianping.analysis.targets import evaluate_targets

    d = dash.data
    values = {n.code: d.score[..., k] for k, n in enumerate(d.nodes)}
    return evaluate_targets(spec, values, dash.codes, dash.years, provinces=dash.prov, file=str(path))
