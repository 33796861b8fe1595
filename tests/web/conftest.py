"""The dashboard over the bundled demo results (built once per session into a temporary cache, as `xianping serve`
does on first start), with a robustness run (`xianping.robust`, 30 samples) and targets attached; a real uvicorn
server on a free loopback port for the browser and schemathesis tests."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "web"

SPEC = """\
name: demo weights
inputs:
  - {name: weights_indicators, kind: weights, level: 1, noise: 0.25}
  - {name: weights_dimensions, kind: weights, level: 2, noise: 0.25}
"""

TARGETS = """\
targets:
  - {name: 进入前500名, kind: top_n, indicator: census_social, n: 500, deadline: 2030}
  - {name: 指数达到60分, kind: threshold, indicator: census_social, target: 60, deadline: 2035}
"""


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("serve-cache")


@pytest.fixture(scope="session")
def plain_dash(cache_dir):
    """Demo results alone: no robustness, no targets."""
    from xianping.web.source import load_dashboard

    return load_dashboard(cache=cache_dir)


@pytest.fixture(scope="session")
def robust_dir(plain_dash, cache_dir, tmp_path_factory) -> Path:
    from xianping.robust import load_spec, robust

    spec = tmp_path_factory.mktemp("spec") / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    out = tmp_path_factory.mktemp("robust")
    r = robust("census-social", store=str(cache_dir / "demo" / "xianping.duckdb"), spec=load_spec(spec), n=30, seed=1)
    r.write(out)
    return out


@pytest.fixture(scope="session")
def dash(plain_dash, robust_dir, cache_dir, tmp_path_factory):
    from xianping.web.source import load_dashboard

    t = tmp_path_factory.mktemp("targets") / "targets.yaml"
    t.write_text(TARGETS, encoding="utf-8")
    return load_dashboard(cache=cache_dir, robust=robust_dir, targets=t)


@pytest.fixture(scope="session")
def app(dash):
    from xianping.web.app import create_app

    return create_app(dash)


@pytest.fixture(scope="session")
def client(app):
    from fastapi.testclient import TestClient

    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="session")
def live_server(app):
    """uvicorn serving the app on 127.0.0.1 and a free port."""
    from .one_province_server import serving

    with serving(app) as url:
        yield url
