import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest

ORACLES = Path(__file__).parent / "oracles"


def load_json(rel):
    return json.loads((ORACLES / rel).read_text(encoding="utf-8"))


def read_csv(rel):
    with open(ORACLES / rel, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def num(v):
    return np.nan if v in ("NA", "") else float(v)


class Asem:
    """COINr ASEM example tables (oracles/coinr_asem)."""

    def dset(self, name):
        h, rows = read_csv(f"coinr_asem/outputs/{name}.csv")
        return [r[0] for r in rows], h[1:], np.array([[num(v) for v in r[1:]] for r in rows])


@pytest.fixture(scope="session")
def asem():
    return Asem()


# ---------------------------------------------------------------------------------------------
# pymcdm / pyrepo-mcda unit-test assertions (mcda/*_test_oracles.json)


def case_id(case) -> str:
    return f"{case['test']}:{case['source_line']}"


def method_key(test_name: str) -> str:
    """Upstream test class → method: test_mcdm.TestCOPRAS2 → COPRAS, Test_PROMETHEE_II_2 → PROMETHEE_II."""
    cls = test_name.split(".")[1]
    return re.sub(r"_?\d+$", "", re.sub(r"^Test_?", "", cls))


class CaseBook:
    """The oracle cases one test module parametrizes over, remembered as they are taken, so that the module can
    show that every case of the methods it owns has a test (a new case in the file cannot be skipped silently)."""

    def __init__(self):
        self.covered: set[str] = set()

    def cases(self, src, test: str):
        out = [c for c in src if c["test"] == test]
        assert out, f"no oracle case named {test}"
        self.covered.update(case_id(c) for c in out)
        return out


def mcda_inputs(case):
    """matrix, weights, types of a captured case."""
    loc = case["locals"]
    return np.array(loc["matrix"], float), np.array(loc["weights"], float), loc["types"]


def assert_published(case, got, digits: int) -> None:
    """Upstream: assertListEqual / assertEqual of the output rounded to `digits` with `expected`."""
    np.testing.assert_array_equal(np.round(np.asarray(got, float), digits), np.asarray(case["expected"], float))
