import csv
import json
from pathlib import Path


ORACLES = Path(__file__).parent / "oracles"


def load_json(rel: str):
    return json.loads((ORACLES / rel).read_text(encoding="utf-8"))


def load_csv(rel: str) -> list[dict[str, str]]:
    with open(ORACLES / rel, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


