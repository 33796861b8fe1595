"""Overdue tasks: past their deadline and not approved.

Computed on read, not stored by a `tasks refresh` step: a deadline passing is not an event anyone performs, so a
stored "overdue" status would be wrong from midnight until the next refresh ran (or forever on a machine without a
scheduler), and flipping it would write audit rows no person made. A query over (status, due_date) is always right,
costs one indexed comparison, and leaves the task's own status (pending / submitted / rejected) intact for the
reporter and reviewer, who still need to know which step is late. A task stored as "overdue" (a status the schema
allows) is listed as well.

    rows = overdue(db, user, today=date.today())     # the province admin: its province; a reviewer: its prefecture
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from xianping.platform.db.models import Task, utcnow
from xianping.platform.workflow.review import review_condition

# whose step is late, by the task's status (a submitted task waits for its reviewer)
LATE_STEP = {"pending": ("填报", "reporting"), "rejected": ("修改重报", "resubmission"), "submitted": ("审核", "review"),
             "overdue": ("填报", "reporting")}


def is_overdue(task: Task, today: date | None = None) -> bool:
    today = today or utcnow().date()
    return task.status == "overdue" or (task.status != "approved" and task.due_date < today)


def overdue_condition(today: date):
    return or_(Task.status == "overdue", (Task.status != "approved") & (Task.due_date < today))


@dataclass(frozen=True)
class Late:
    task: Task
    days: int          # days past the deadline

    @property
    def step(self) -> tuple[str, str]:
        return LATE_STEP.get(self.task.status, ("填报", "reporting"))


def overdue(db: Session, user, today: date | None = None) -> list[Late]:
    """The overdue tasks the user oversees, longest overdue first."""
    today = today or utcnow().date()
    rows = db.scalars(select(Task).where(review_condition(user), overdue_condition(today))
                      .options(selectinload(Task.programme), selectinload(Task.unit), selectinload(Task.department))
                      .order_by(Task.due_date, Task.id)).all()
    return [Late(t, max((today - t.due_date).days, 0)) for t in rows]
