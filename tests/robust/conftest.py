from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ASEM = ROOT / "examples" / "asem"
ORACLES = Path(__file__).resolve().parent / "oracles"
BENCH = ROOT / "benchmarks" / "bench_2800x40"


@pytest.fixture(scope="session")
def asem_model():
    from xianping.robust.load import load_model

    return load_model(str(ASEM / "framework.yaml"), data=str(ASEM / "data.csv"))


@pytest.fixture(scope="session")
def small_bench(tmp_path_factory):
    """A 300-unit slice of the benchmark matrix in COINr's wide layout (uCode, I01 … I40), made here so the
    tests need nothing outside the repository: lognormal columns as ../shared/bench/gen_data.py makes them."""
    import numpy as np

    rng = np.random.default_rng(20240601)
    m, n = 300, 40
    sigma = rng.uniform(0.3, 1.2, n)
    scale = 10 ** rng.uniform(0, 4, n)
    X = np.round(rng.lognormal(0.0, sigma, (m, n)) * scale, 6)
    p = tmp_path_factory.mktemp("bench") / "bench_300x40.csv"
    with open(p, "w") as f:
        f.write("uCode," + ",".join(f"I{j + 1:02d}" for j in range(n)) + "\n")
        for i in range(m):
            f.write(f"U{i + 1:04d}," + ",".join(f"{v:.6f}" for v in X[i]) + "\n")
    return p
