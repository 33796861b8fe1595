"""形象进度照片: a progress photo (or PDF/XLSX) attached to a monthly report, stored by evidence.store_file (type
sniffed from the bytes, size cap, content-addressed, written whole) and sent only by a route that checks the
report's scope.

    f = attach(db, reporter, plat.folder, report, "6月现场.jpg", data)
    path, row = open_photo(db, user, plat.folder, photo_id)          # DispatchRefused(404) outside the scope
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from xianping.platform.audit.record import Actor, writing
from xianping.platform.db.dispatch_models import ProjectReport, ProjectReportFile
from xianping.platform.db.models import User
from xianping.platform.workflow.dispatch_report import report_in_scope
from xianping.platform.workflow.dispatch_review import DispatchRefused
from xianping.platform.workflow.dispatch_scope import REPORTERS
from xianping.platform.workflow.evidence import store_file


def attach(db: Session, who: User | Actor, folder: Path, report: ProjectReport, name: str, data: bytes,
           ip: str | None = None) -> ProjectReportFile:
    if isinstance(who, User) and who.role not in REPORTERS:
        raise DispatchRefused(403, f"the role {who.role} does not attach photos to reports")
    if who.id is None:
        raise DispatchRefused(422, "a photo is attached by a logged-in user (it names who uploaded it)")
    if report.status == "approved":
        raise DispatchRefused(409, f"report {report.id} is approved: its evidence is final")
    rel, name, ctype, sha = store_file(folder, name, data)
    with writing(db, who, ip) as w:
        f = ProjectReportFile(report_id=report.id, path=rel.as_posix(), name=name, size=len(data), content_type=ctype,
                              sha256=sha, uploaded_by=who.id)
        db.add(f)
        db.flush()
        w.record("report.photo", "project_report_file", f.id, field=f"report {report.id}",
                 new={"report_id": report.id, "name": name, "size": len(data), "content_type": ctype, "sha256": sha})
    return f


def open_photo(db: Session, who: User | Actor, folder: Path, photo_id: int) -> tuple[Path, ProjectReportFile]:
    f = db.get(ProjectReportFile, photo_id)
    if f is None or report_in_scope(db, who, f.report_id) is None:
        raise DispatchRefused(404, f"no photo {photo_id} among yours")
    path = (Path(folder) / f.path).resolve()
    if not path.is_relative_to((Path(folder) / "evidence").resolve()) or not path.is_file():
        raise DispatchRefused(404, f"photo {photo_id}: its file is missing from the platform folder")
    return path, f
