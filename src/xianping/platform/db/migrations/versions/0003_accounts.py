"""accounts: password change and admin reset (must_change_password, password_changed_at), the platform's settings
(session idle timeout …), and an index to prune old login attempts by time

Revision ID: 0003
Revises: 0002_programmes
Create Date: 2026-12-05

must_change_password: set by an admin's reset (a one-time temporary password); until the user chooses a new one,
pages send it to /account/password and the API answers 403. platform_settings: one row per setting (key → JSON
value), read by the server, changed with `xianping platform settings`; a missing row means the built-in default.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002_programmes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as b:
        b.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()))
        b.add_column(sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('login_attempts') as b:
        b.create_index('ix_login_attempts_at', ['at'], unique=False)
    op.create_table('platform_settings',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_platform_settings_updated_by_users')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_platform_settings'))
    )


def downgrade() -> None:
    op.drop_table('platform_settings')
    with op.batch_alter_table('login_attempts') as b:
        b.drop_index('ix_login_attempts_at')
    with op.batch_alter_table('users') as b:
        b.drop_column('password_changed_at')
        b.drop_column('must_change_password')
