"""Import a month's reports (月调度表) from an uploaded sheet: one row per project, matched by 项目编号; the month
from a 月份 column or given (--month). Read as dispatch_sheet reads sheets, checked and stored by
dispatch_report.save_reports (all rows or none, submitted for review unless `submit=False`).

    res = import_reports_file(db, who, "2025-06月调度.xlsx", month="2025-06")
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from xianping.platform.audit.record import Actor
from xianping.platform.db.models import User
from xianping.platform.workflow.dispatch_import_projects import check_month
from xianping.platform.workflow.dispatch_report import save_reports
from xianping.platform.workflow.dispatch_sheet import REPORT_FIELDS, Sheet, read_sheet, read_upload, to_frame
from xianping.problems import Problem, ProblemReport, XianpingInputError

_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")
REQUIRED = {"project_id", "investment_month", "investment_ytd", "investment_cumulative", "funds_in_place"}


@dataclass
class ReportImport:
    file: str
    rows: int
    written: list[int] = field(default_factory=list)   # report ids stored (unchanged rows left out)
    warnings: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "rows": self.rows, "written": len(self.written), "report_ids": self.written,
                "unchanged": self.rows - len(self.written), "warnings": [w.as_dict() for w in self.warnings]}


def import_reports(db: Session, who: User | Actor, sheet: Sheet, *, month: str | None = None, submit: bool = True,
                   sha256: str | None = None, ip: str | None = None) -> ReportImport:
    from xianping.dispatch.frames import REPORT_COLUMNS

    month = check_month(month, "--month")
    if month is None and "month" not in sheet.columns:
        report = ProblemReport()
        report.add("missing_column", "no column 月份 month, and no month was given", file=sheet.file,
                   row=sheet.header_row, expected="a 月份 column, or the month (--month 2025-06)")
        raise XianpingInputError(f"cannot import {sheet.file}; nothing was stored", report)
    frame = to_frame(sheet, list(REPORT_COLUMNS), defaults={"started": None, "finished": None, "progress": "",
                                                           "problems": ""})
    if month is not None and "month" in sheet.columns:
        # both: each row's month must be the one given (a June sheet holding a May row is a mistake, not a May report)
        report = ProblemReport()
        for (row, cells), raw in zip(sheet.rows, frame["month"]):
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            if _month_text(raw) != month:
                report.add("other_month", "a row of another month", file=sheet.file, row=row,
                           column=sheet.column("month"), value=str(raw)[:20], expected=month)
        report.raise_if_errors(f"cannot import {sheet.file}; nothing was stored")
        frame["month"] = month
    elif month is not None:
        frame["month"] = month
    else:   # 2025年6月, an Excel date … as YYYY-MM (what is not a month is left for the contract to name)
        frame["month"] = [(_month_text(v) or v) if v is not None else None for v in frame["month"]]
    written, notes = save_reports(db, who, frame, source=sheet.file, submit=submit, file_sha256=sha256, ip=ip,
                                  labels=sheet.labels)
    return ReportImport(sheet.file, len(sheet.rows), [r.id for r in written], notes)


def _month_text(v: Any) -> str | None:
    if hasattr(v, "year") and hasattr(v, "month") and not isinstance(v, str):
        return f"{v.year:04d}-{v.month:02d}"
    m = _MONTH.match(str(v))
    return f"{int(m[1]):04d}-{int(m[2]):02d}" if m and 1 <= int(m[2]) <= 12 else None


def import_reports_file(db: Session, who: User | Actor, path, **kw: Any) -> ReportImport:
    path = Path(path)
    sha = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    return import_reports(db, who, read_sheet(path, REPORT_FIELDS, REQUIRED), sha256=sha, **kw)


def import_reports_upload(db: Session, who: User | Actor, folder, file_name: str, data: bytes, **kw: Any) -> ReportImport:
    sha = hashlib.sha256(data).hexdigest()
    return import_reports(db, who, read_upload(folder, file_name, data, REPORT_FIELDS, REQUIRED), sha256=sha, **kw)
