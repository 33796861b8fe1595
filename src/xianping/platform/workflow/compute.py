"""Close a programme and compute its result from the approved values (issue 14, Build 7).

    close(db, admin, programme_id, reason=None)     open → closed; with tasks not approved only given a reason, and
                                                    the audit row names every missing task
    compute(db, admin, programme_id, folder)        closed (or open with every task approved) → computed: the approved
                                                    values (one columnar query, approved_panel.py) are scored by the
                                                    engine with the programme's framework and classes; a Result
                                                    (draft) and the results files under
                                                    folder/results/<programme>/<data_version[:12]>/

The same approved data gives the same data version, and computing again with it changes nothing (the existing
result is returned). `recompute` is the same step for a value changed during 公示 (objections.py): a new result
with the new data version, the audit row saying why.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from xianping.platform.audit.record import Writer, writing
from xianping.platform.db.models import Department, Programme, Result, Task, User, utcnow
from xianping.platform.workflow import publish as _freeze  # noqa: F401 (registers the published-values guard)
from xianping.platform.workflow.approved_panel import read_approved
from xianping.problems import XianpingError, XianpingInputError

ADMINS = ("province_admin",)
RESULTS_CSV = "results.csv"


class WorkflowRefused(XianpingError):
    """A step that cannot be taken now; `status` is the HTTP answer (404 not in scope, 409 wrong state or frozen,
    422 bad input)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def programme_for_admin(db: Session, user: User, programme_id: int) -> Programme:
    """A programme the province admin runs (its province's); 404 otherwise, as for one that does not exist."""
    p = db.get(Programme, programme_id)
    if user.role not in ADMINS or p is None or not user.scope_code or not p.scope_code.startswith(user.scope_code[:2]):
        raise WorkflowRefused(404, f"no programme {programme_id} among those you run")
    return p


def programme_for_reader(db: Session, user: User, programme_id: int) -> Programme:
    """A programme whose ranking the user may read: of its province (a department reporter: its department's)."""
    p = db.get(Programme, programme_id)
    if user.role == "department_reporter":
        d = db.get(Department, user.department_id) if user.department_id is not None else None
        pre = d.province_code[:2] if d is not None else ""
    else:
        pre = (user.scope_code or "")[:2]
    if p is None or not pre or not p.scope_code.startswith(pre):
        raise WorkflowRefused(404, f"no programme {programme_id} among yours")
    return p


def missing_tasks(db: Session, programme: Programme) -> list[str]:
    """Tasks not approved, as 'unit 410822 博爱县 (submitted)' / 'department tjj 河南省统计局 (pending)'."""
    rows = db.scalars(select(Task).where(Task.programme_id == programme.id, Task.status != "approved")
                      .order_by(Task.unit_code, Task.department_id)).all()
    out = []
    for t in rows:
        who = f"unit {t.unit_code} {t.unit.name}" if t.unit_code else f"department {t.department.code} {t.department.name}"
        out.append(f"{who} ({t.status})")
    return out


def close(db: Session, user: User, programme_id: int, reason: str | None = None, ip: str | None = None) -> Programme:
    p = programme_for_admin(db, user, programme_id)
    if p.status != "open":
        raise WorkflowRefused(409, f"programme {p.id} is {p.status}, not open: only an open programme is closed")
    missing = missing_tasks(db, p)
    reason = (reason or "").strip()
    if missing and not reason:
        raise WorkflowRefused(409, f"{len(missing)} task(s) are not approved: {'; '.join(missing[:50])}"
                                   f"{' …' if len(missing) > 50 else ''}; to close without them give a reason")
    with writing(db, user, ip) as w:
        _close(w, p, reason, missing)
    return p


def _close(w: Writer, p: Programme, reason: str, missing: list[str]) -> None:
    p.status = "closed"
    why = reason or "all tasks approved"
    if missing:
        why += f" — closed with {len(missing)} task(s) not approved: " + "; ".join(missing)
    w.record("programme.close", "programme", p.id, field="status", old="open", new="closed", reason=why)


def results_dir(folder: Path, programme_id: int, version: str) -> Path:
    return Path(folder) / "results" / str(programme_id) / version[:12]


def current_result(db: Session, programme_id: int) -> Result | None:
    """The programme's latest result (a recompute after an upheld objection supersedes the earlier one)."""
    return db.scalars(select(Result).where(Result.programme_id == programme_id).order_by(Result.id.desc()).limit(1)).first()


def compute(db: Session, user: User, programme_id: int, folder: Path, ip: str | None = None) -> Result:
    p = programme_for_admin(db, user, programme_id)
    if p.status == "open":
        missing = missing_tasks(db, p)
        if missing:
            raise WorkflowRefused(409, f"programme {p.id} is still open with {len(missing)} task(s) not approved "
                                       f"({'; '.join(missing[:20])}): close it first (with a reason) to compute without them")
    elif p.status not in ("closed", "computed"):
        raise WorkflowRefused(409, f"programme {p.id} is {p.status}: computing is for a closed programme "
                                   "(during 公示 a result changes only through an upheld objection)")
    with writing(db, user, ip) as w:
        if p.status == "open":
            _close(w, p, "", [])
        res, _ = _compute(db, w, p, folder, reason="compute", status="draft")
        if p.status != "computed":
            w.record("programme.compute", "programme", p.id, field="status", old=p.status, new="computed",
                     reason=f"data version {res.data_version}")
            p.status = "computed"
    return res


def _compute(db: Session, w: Writer, p: Programme, folder: Path, *, reason: str, status: str) -> tuple[Result, bool]:
    """Score the approved values; (result, new?). The same data version as the current result: that result, no write."""
    data = read_approved(db, p)
    cur = current_result(db, p.id)
    if cur is not None and cur.data_version == data.data_version:
        out = results_dir(folder, p.id, data.data_version)
        if not (out / RESULTS_CSV).exists():   # the folder was lost (moved platform): written again, same numbers
            _evaluate_and_write(p, data, out)
        return cur, False
    if data.count == 0:
        raise WorkflowRefused(422, f"programme {p.id} has no approved values to compute from")
    out = results_dir(folder, p.id, data.data_version)
    manifest = _evaluate_and_write(p, data, out)
    res = Result(programme_id=p.id, data_version=data.data_version, status=status, manifest=manifest)
    db.add(res)
    db.flush()
    w.record("result.compute", "result", res.id, new={"data_version": data.data_version, "approved_values": data.count,
                                                      "status": status, "results_dir": str(out)}, reason=reason)
    if cur is not None:
        w.record("result.supersede", "result", cur.id, field="superseded_by", new=res.id,
                 reason=f"{reason}: data version {cur.data_version[:12]} → {data.data_version[:12]}")
    return res, True


def _evaluate_and_write(p: Programme, data, out: Path) -> dict[str, Any]:
    """Run the engine on the panel and write framework.yaml, results.csv, its weights and manifest (each atomic; the
    results trio together or not at all). The returned manifest is the evaluation's, with the platform's keys."""
    from xianping.evaluation.export import write_result
    from xianping.evaluation.run import evaluate
    from xianping.files.atomic import write_bytes

    out.mkdir(parents=True, exist_ok=True)
    fw_path = out / "framework.yaml"
    write_bytes(fw_path, p.framework_yaml.encode("utf-8"))
    classes = {str(k): str(v) for k, v in (p.classes or {}).items()}
    try:
        res = evaluate(str(fw_path), data=data.panel, by_type=bool(classes), types=classes or None)
    except XianpingInputError as e:
        detail = "; ".join(x.message for x in list(e.report)[:10]) if getattr(e, "report", None) else ""
        raise WorkflowRefused(422, f"the engine refused programme {p.id}'s data or framework: {e}"
                                   f"{' — ' + detail if detail else ''}") from e
    res.manifest["platform"] = {"programme_id": p.id, "programme": p.name, "period": p.period,
                                "data_version": data.data_version, "approved_values": data.count,
                                "framework_sha256": p.framework_sha256}
    files = write_result(res, out / RESULTS_CSV)
    manifest = json.loads(Path(files["manifest"]).read_text(encoding="utf-8"))
    return manifest


def ranking(folder: Path, result: Result) -> list[dict[str, Any]]:
    """The overall ranking of a result (its latest year, the root node), from its results file: one pandas read."""
    from xianping.evaluation.export import check_results

    path = results_dir(folder, result.programme_id, result.data_version) / RESULTS_CSV
    if not path.exists():
        raise WorkflowRefused(409, f"the results file of result {result.id} is missing ({path}): compute again")
    check_results(path)   # refuses a results file its manifest does not name
    df = pd.read_csv(path, dtype={"unit_code": str, "year": str, "node": str}, keep_default_na=True)
    root = list(dict.fromkeys(df["node"]))[-1]   # the index: the last node, as report.data reads it
    last = df["year"].iloc[-1]
    d = df[(df["node"] == root) & (df["year"] == last)].sort_values(["rank", "unit_code"], na_position="last")
    keep = [c for c in ("unit_code", "unit_name", "score", "rank", "tier", "type", "type_rank") if c in d.columns]
    d = d[keep].copy()
    for c in ("rank", "type_rank", "tier"):   # whole places (1, 2 …), not the CSV's floats (1.0), in pages and JSON
        if c in d.columns:
            d[c] = d[c].round().astype("Int64")
    d = d.astype(object).where(d.notna(), None)
    from xianping.report.excel_safe import csv_uncolumn

    for c in ("unit_code", "unit_name", "type"):
        if c in d.columns:
            d[c] = csv_uncolumn(d[c])
    return d.to_dict(orient="records")


def publicity_end(result: Result):
    from datetime import datetime

    v = (result.manifest or {}).get("publicity", {}).get("ends")
    return datetime.fromisoformat(v) if v else None


def start_publicity(db: Session, user: User, programme_id: int, ip: str | None = None, now=None) -> Result:
    """公示: the draft result is published for objection for the programme's 公示期 (days)."""
    p = programme_for_admin(db, user, programme_id)
    res = current_result(db, p.id)
    if p.status != "computed" or res is None or res.status != "draft":
        raise WorkflowRefused(409, f"programme {p.id} is {p.status}: 公示 starts from a computed programme's draft result")
    now = now or utcnow()
    ends = now + timedelta(days=p.publicity_days)
    with writing(db, user, ip) as w:
        res.status = "publicity"
        res.manifest = {**res.manifest, "publicity": {"starts": now.isoformat(), "ends": ends.isoformat(),
                                                       "days": p.publicity_days}}
        p.status = "publicity"
        w.record("result.publicity", "result", res.id, field="status", old="draft", new="publicity",
                 reason=f"公示 until {ends.isoformat(timespec='minutes')}")
        w.record("programme.publicity", "programme", p.id, field="status", old="computed", new="publicity")
    return res
