"""The dask engine: a small LocalCluster gives results identical to the in-process engine with the same seed."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("distributed")

from xianping.robust.run import robust  # noqa: E402
from xianping.robust.spec import load_spec  # noqa: E402

from .conftest import BENCH  # noqa: E402


def test_local_cluster_identical_to_in_process(small_bench):
    spec = load_spec(BENCH / "spec.yaml").model_copy(update={"chunk": 7, "design": "sobol", "bootstrap": 20})
    kw = dict(data=str(small_bench), spec=spec, n=16, seed=4)
    here = robust(str(BENCH / "framework.yaml"), **kw)
    there = robust(str(BENCH / "framework.yaml"), engine="dask", workers=2, **kw)
    assert np.array_equal(here.ranks, there.ranks)
    assert np.array_equal(here.stats.q95, there.stats.q95)
    assert np.array_equal(here.sobol["saltelli2010"]["ST"], there.sobol["saltelli2010"]["ST"])
    assert there.manifest["engine"].startswith("dask")
