"""indicator monitoring (监测, issue 16 item 4): imported monthly/quarterly indicator values and the year's targets

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05

Tables only, as db/dispatch_models.py declares them: one row per (unit, indicator, period) and per (unit, indicator,
year); a period without a row is missing, never zero.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('indicator_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=6), nullable=False),
    sa.Column('indicator', sa.String(length=100), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('growth', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=255), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('value IS NOT NULL OR growth IS NOT NULL', name=op.f('ck_indicator_values_value_or_growth')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_indicator_values_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_values')),
    sa.UniqueConstraint('unit_code', 'indicator', 'period', name=op.f('uq_indicator_values_unit_code_indicator_period'))
    )
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_values_unit_code'), ['unit_code'], unique=False)

    op.create_table('indicator_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=6), nullable=False),
    sa.Column('indicator', sa.String(length=100), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('target_value', sa.Float(), nullable=True),
    sa.Column('target_growth', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=255), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_indicator_targets_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_targets')),
    sa.UniqueConstraint('unit_code', 'indicator', 'year', name=op.f('uq_indicator_targets_unit_code_indicator_year'))
    )
    with op.batch_alter_table('indicator_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_targets_unit_code'), ['unit_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('indicator_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_targets_unit_code'))
    op.drop_table('indicator_targets')
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_values_unit_code'))
    op.drop_table('indicator_values')
