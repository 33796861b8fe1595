import csv
import json
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
