"""One refusal for every write to a task of a programme that is not open (填报中): reporting (values, submit,
upload), evidence on a value and review all answer it the same way — 409 with the same words — so a client
meets one behaviour whichever write it tried after the admin closed the programme.

    require_open(task.programme)   # raises ProgrammeNotOpen (a located input error, status 409)
"""

from __future__ import annotations

from xianping.platform.db.models import PROGRAMME_STATUSES_ZH, Programme
from xianping.problems import ProblemReport, XianpingInputError


class ProgrammeNotOpen(XianpingInputError):
    """status 409: the request was fine, the programme's state refuses it."""

    status = 409


def not_open_message(p: Programme) -> str:
    zh = PROGRAMME_STATUSES_ZH.get(p.status, p.status)
    if p.status == "draft":
        return (f"考核方案 {p.id} 尚未发布（{zh}），还不能填报或审核 "
                f"(programme {p.id} is draft: reporting and review start when it is published)")
    return (f"考核方案 {p.id} {zh}，填报和审核已于截止时结束 "
            f"(programme {p.id} is {p.status}: reporting and review ended when it closed)")


def require_open(p: Programme) -> None:
    if p.status != "open":
        report = ProblemReport()
        report.add("programme_not_open", not_open_message(p), column="programme", value=p.status,
                   expected="open (填报中)")
        raise ProgrammeNotOpen(not_open_message(p), report)
