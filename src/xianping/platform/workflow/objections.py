"""异议: during 公示 a county files an objection to one of its own values (text, optional evidence); the province
admin resolves it — dismissed with a reason, or upheld with a corrected value, which changes the value (audit row
old → new, its reason the objection) and recomputes the result (a new data version; the audit says why).

    o = file(db, county_user, value_id, "统计口径错误…", folder=plat.folder, evidence=("公报.pdf", data))
    resolve(db, admin, o.id, "dismissed", reason="口径正确")
    resolve(db, admin, o.id, "upheld", reason="按统计公报更正", value=1234.5, folder=plat.folder)

Each verb is one transaction (objection, value, result and their audit rows together or nothing).
"""

from __future__ import annotations

import math
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from xianping.platform.audit.record import writing
from xianping.platform.auth.scope import value_condition
from xianping.platform.db.models import DataValue, EvidenceFile, Objection, Programme, Unit, User, utcnow
from xianping.platform.workflow.compute import WorkflowRefused, _compute, current_result, publicity_end
from xianping.platform.workflow.publish import assert_writable

MAX_TEXT = 2000
VALUE_ENTITY = "data_value"   # the audit entity of a DataValue, as reporting.py, review.py and history.py name it


def _text(s: str | None, what: str) -> str:
    s = (s or "").strip()
    if not s:
        raise WorkflowRefused(422, f"{what} is empty: say why")
    if len(s) > MAX_TEXT:
        raise WorkflowRefused(422, f"{what} has {len(s):,} characters, more than {MAX_TEXT:,}")
    return s


def _in_publicity(db: Session, p: Programme, now) -> None:
    res = current_result(db, p.id)
    ends = publicity_end(res) if res is not None else None
    if p.status != "publicity" or ends is None:
        raise WorkflowRefused(409, f"programme {p.id} is {p.status}: objections are filed during 公示 only")
    if now > ends:
        raise WorkflowRefused(409, f"公示 of programme {p.id} ended {ends.isoformat(timespec='minutes')}: "
                                   "objections are no longer accepted")


def _store_evidence(db: Session, user: User, folder: Path, value: DataValue, name: str, data: bytes) -> EvidenceFile:
    """The evidence checks and storage of evidence.py (type from the bytes, size cap, content-addressed), in this
    objection's transaction."""
    from xianping.platform.workflow.evidence import store_file
    from xianping.problems import XianpingInputError

    try:
        rel, name, ctype, sha = store_file(folder, name, data)
    except XianpingInputError as e:
        raise WorkflowRefused(422, "; ".join(p.message + (f" (expected {p.expected})" if p.expected else "")
                                             for p in e.report) or str(e)) from e
    ev = EvidenceFile(value_id=value.id, path=rel.as_posix(), name=name, size=len(data), content_type=ctype,
                      sha256=sha, uploaded_by=user.id)
    db.add(ev)
    db.flush()
    return ev


def file(db: Session, user: User, value_id: int, text: str, *, folder: Path | None = None,
         evidence: tuple[str, bytes] | None = None, ip: str | None = None, now=None) -> Objection:
    if user.role != "county_reporter":
        raise WorkflowRefused(403, "objections are filed by a county's reporter")
    v = db.scalars(select(DataValue).where(DataValue.id == value_id, value_condition(user))).one_or_none()
    if v is None:
        raise WorkflowRefused(404, f"no value {value_id} among your county's")
    text = _text(text, "the objection")
    p = db.get(Programme, v.programme_id)
    _in_publicity(db, p, now or utcnow())
    county = db.scalar(select(Unit.county_code).where(Unit.code == v.unit_code))
    with writing(db, user, ip) as w:
        ev = None
        if evidence is not None:
            if folder is None:
                raise ValueError("evidence needs the platform folder")
            ev = _store_evidence(db, user, folder, v, *evidence)
            w.record("evidence.attach", "evidence_file", ev.id, field=f"value {v.id}",
                     new={"value_id": v.id, "name": ev.name, "size": ev.size, "content_type": ev.content_type,
                          "sha256": ev.sha256})
        o = Objection(value_id=v.id, county_code=county, filed_by=user.id, text=text,
                      evidence_file_id=ev.id if ev is not None else None)
        db.add(o)
        db.flush()
        w.record("objection.file", "objection", o.id, new={"value_id": v.id, "unit_code": v.unit_code,
                                                            "indicator": v.indicator, "value": v.value,
                                                            "evidence_file_id": o.evidence_file_id}, reason=text)
    return o


def condition(user: User):
    """Objections a user may read: the admin its province's, a prefecture reviewer its prefecture's, a county its own."""
    from sqlalchemy import false

    n = {"province_admin": 2, "prefecture_reviewer": 4, "county_reporter": 6}.get(user.role)
    if not n or not user.scope_code:
        return false()
    return Objection.county_code.startswith(user.scope_code[:n], autoescape=True)


def visible(db: Session, user: User, objection_id: int | None = None):
    """(objection, value, unit name) rows the user may read (one, when objection_id is given), newest first."""
    q = (select(Objection, DataValue, Unit.name).join(DataValue, DataValue.id == Objection.value_id)
         .join(Unit, Unit.code == DataValue.unit_code).where(condition(user)).order_by(Objection.id.desc()))
    if objection_id is not None:
        q = q.where(Objection.id == objection_id)
    return db.execute(q).all()


def resolve(db: Session, user: User, objection_id: int, decision: str, reason: str, *, value: float | None = None,
            folder: Path | None = None, ip: str | None = None) -> Objection:
    if user.role != "province_admin":
        raise WorkflowRefused(403, "objections are resolved by the province admin")
    o = db.scalars(select(Objection).where(Objection.id == objection_id, condition(user))).one_or_none()
    if o is None:
        raise WorkflowRefused(404, f"no objection {objection_id} among your province's")
    if decision not in ("dismissed", "upheld"):
        raise WorkflowRefused(422, f"decision {decision!r}: dismissed or upheld")
    reason = _text(reason, "the resolution")
    if o.status != "open":
        raise WorkflowRefused(409, f"objection {o.id} is already {o.status}")
    v = db.get(DataValue, o.value_id)
    p = db.get(Programme, v.programme_id)
    assert_writable(db, p.id)
    if p.status != "publicity":
        raise WorkflowRefused(409, f"programme {p.id} is {p.status}: objections are resolved during 公示")
    if decision == "upheld":
        if value is None or not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise WorkflowRefused(422, f"an upheld objection needs the corrected value (a finite number), got {value!r}")
        if folder is None:
            raise ValueError("recomputing needs the platform folder")
    with writing(db, user, ip) as w:
        o.status, o.resolution, o.resolved_by, o.resolved_at = decision, reason, user.id, utcnow()
        w.record(f"objection.{'uphold' if decision == 'upheld' else 'dismiss'}", "objection", o.id, field="status",
                 old="open", new=decision, reason=reason)
        if decision == "upheld":
            old = v.value
            v.value = float(value)
            why = f"objection {o.id} upheld: {o.text} — {reason}"
            w.record("value.correct", VALUE_ENTITY, v.id, field="value", old=old, new=v.value, reason=why)
            cur = current_result(db, p.id)
            res, new = _compute(db, w, p, folder, reason=why, status="publicity")
            if new and cur is not None and "publicity" in (cur.manifest or {}):
                res.manifest = {**res.manifest, "publicity": cur.manifest["publicity"],
                                "recomputed_for": {"objection_id": o.id, "previous_result_id": cur.id,
                                                   "previous_data_version": cur.data_version}}
    return o
