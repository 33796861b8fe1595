"""Final publish (通报): after 公示 ends (or earlier by the admin with a reason), with no objection left open, the
current result becomes final and the programme published; the 通报 (Word) and the ranking workbook are written
from the results files through the report layer. From then on the programme's values are frozen: no write to them
is accepted (`assert_writable` for the services, and a flush guard under every session as the backstop).

    publish(db, admin, programme_id, plat.folder, issuer="河南省考核办", doc_number="豫考〔2026〕1号")

The files are written (atomically) before the database changes; a crash between the two leaves a computed result
in 公示 with its files beside it, and publishing again writes them again — never a published result without files.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from xianping.platform.audit.record import writing
from xianping.platform.db.models import DataValue, Objection, Programme, Result, utcnow

REPORT_DOCX = "通报.docx"
RANKING_XLSX = "ranking.xlsx"
FROZEN = ("published",)


def _refused(status: int, message: str):
    from xianping.platform.workflow.compute import WorkflowRefused

    return WorkflowRefused(status, message)


def assert_writable(db: Session, programme_id: int) -> None:
    """409 when the programme's result is published: its values are frozen."""
    status = db.scalar(select(Programme.status).where(Programme.id == programme_id))
    if status in FROZEN:
        raise _refused(409, f"programme {programme_id} is published: its values are frozen, no change is accepted")


@event.listens_for(Session, "before_flush")
def _values_of_a_published_programme_are_frozen(session: Session, flush_context, instances) -> None:
    # the services check first (with their own message); this refuses any write that slipped past them
    ids = {o.programme_id for o in list(session.new) + list(session.dirty) + list(session.deleted)
           if isinstance(o, DataValue) and (o in session.new or o in session.deleted or session.is_modified(o))}
    ids.discard(None)
    if ids:
        frozen = session.scalars(select(Programme.id).where(Programme.id.in_(ids), Programme.status.in_(FROZEN))).all()
        if frozen:
            raise _refused(409, f"programme {frozen[0]} is published: its values are frozen, no change is accepted")


def report_paths(folder: Path, result: Result) -> dict[str, Path]:
    from xianping.platform.workflow.compute import results_dir

    out = results_dir(folder, result.programme_id, result.data_version)
    return {"docx": out / REPORT_DOCX, "xlsx": out / RANKING_XLSX, "results": out / "results.csv"}


def write_reports(folder: Path, result: Result, issuer: str, doc_number: str | None) -> dict[str, Path]:
    """The 通报 and the ranking workbook from the result's files (report.data reads them; the raw values are not
    re-read: the manifest's data source is the platform's database, not a file)."""
    from xianping.report.data import load_report_data
    from xianping.report.run import write_report

    paths = report_paths(folder, result)
    if not paths["results"].exists():
        raise _refused(409, f"the results file of result {result.id} is missing ({paths['results']}): compute again")
    data = load_report_data(paths["results"], rebuild=False)
    write_report(data, "docx", paths["docx"], issuer=issuer, doc_number=doc_number)
    write_report(data, "xlsx", paths["xlsx"])
    return paths


def publish(db: Session, user, programme_id: int, folder: Path, *, reason: str | None = None, issuer: str = "",
            doc_number: str | None = None, ip: str | None = None, now=None) -> Result:
    from xianping.platform.workflow.compute import current_result, programme_for_admin, publicity_end

    p = programme_for_admin(db, user, programme_id)
    res = current_result(db, p.id)
    if p.status != "publicity" or res is None or res.status != "publicity":
        raise _refused(409, f"programme {p.id} is {p.status}: a result is published after its 公示")
    now = now or utcnow()
    ends = publicity_end(res)
    reason = (reason or "").strip()
    if ends is not None and now < ends and not reason:
        raise _refused(409, f"公示 of programme {p.id} runs until {ends.isoformat(timespec='minutes')}: publishing "
                            "earlier needs a reason")
    still_open = db.scalars(select(Objection.id).join(DataValue, DataValue.id == Objection.value_id)
                            .where(DataValue.programme_id == p.id, Objection.status == "open")).all()
    if still_open:
        raise _refused(409, f"objection(s) {', '.join(map(str, still_open))} are still open: resolve them first")
    paths = write_reports(folder, res, issuer or p.name, doc_number)
    with writing(db, user, ip) as w:
        res.status, res.published_at = "final", now
        res.manifest = {**res.manifest, "published": {"at": now.isoformat(), "reason": reason or None,
                                                      "report": paths["docx"].name, "workbook": paths["xlsx"].name}}
        p.status = "published"
        why = reason or f"公示 ended {ends.isoformat(timespec='minutes')}" if ends else reason
        w.record("result.publish", "result", res.id, field="status", old="publicity", new="final", reason=why or None)
        w.record("programme.publish", "programme", p.id, field="status", old="publicity", new="published",
                 reason=f"data version {res.data_version}")
    return res
