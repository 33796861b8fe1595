"""A task as its caller may see it: the one scope rule of the task routes (auth/scope.task_condition), and whether
the caller may write to it (reporters their own tasks; the province admin any task of its province)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from xianping.platform.auth.scope import task_condition
from xianping.platform.db.models import Task, User

WRITERS = ("county_reporter", "department_reporter", "province_admin")


def visible_task(db: Session, user: User, task_id: int) -> Task | None:
    """The task when the user may read it, else None (the route answers 404: scope does not leak what exists)."""
    return db.scalars(select(Task).where(Task.id == task_id, task_condition(user))
                      .options(selectinload(Task.programme), selectinload(Task.unit), selectinload(Task.department))
                      ).one_or_none()


def may_write(user: User, task: Task) -> bool:
    """A prefecture reviewer reads a county's task but does not fill it in; a viewer sees no task at all."""
    return user.role in WRITERS
