"""The build script reproduces the committed package data from ../shared (skipped without it)."""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
PACKAGED = ROOT / "src" / "xianping" / "reference" / "data" / "divisions.json.gz"


def test_packaged_data_is_small_and_attributed():
    assert PACKAGED.stat().st_size < 600_000
    meta = json.loads(gzip.decompress(PACKAGED.read_bytes()))["meta"]
    assert {s["licence"] for s in meta["sources"]} == {"CC0 1.0", "MIT"}


@pytest.mark.skipif(not (SHARED / "admin_codes" / "result.csv").exists(), reason="../shared/data not present")
def test_build_reproduces_packaged_data(tmp_path):
    spec = importlib.util.spec_from_file_location("build_divisions", ROOT / "scripts" / "build_divisions.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path / "divisions.json.gz"
    assert mod.main(["--shared", str(SHARED), "--out", str(out)]) == 0
    assert out.read_bytes() == PACKAGED.read_bytes(), "packaged data is stale: rerun scripts/build_divisions.py"
