"""programmes: deadlines as dates (填报截止 fill_by, 审核截止 review_by) and settings (units covered, plausibility rules)

Revision ID: 0002_programmes
Revises: 0001
Create Date: 2026-12-05

The CLI and the admin give deadlines as dates (--fill-by 2026-01-31); fill_days/review_days stay as the days from
opening (set when a programme is published). settings: the unit codes the programme covers (fixed when it is
created, so publishing creates exactly the tasks the admin saw) and the plausibility rules of reporting.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0002_programmes'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('programmes') as b:
        b.add_column(sa.Column('fill_by', sa.Date(), nullable=True))
        b.add_column(sa.Column('review_by', sa.Date(), nullable=True))
        b.add_column(sa.Column('settings', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('programmes') as b:
        b.drop_column('settings')
        b.drop_column('review_by')
        b.drop_column('fill_by')
