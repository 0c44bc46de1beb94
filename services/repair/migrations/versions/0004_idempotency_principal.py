"""Idempotency keys scoped to the caller: a principal column in the primary key; an index for the purge

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:00:00
"""
from alembic import op

from services.kit.idempotency import add_principal, drop_principal

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_principal(op)


def downgrade() -> None:
    drop_principal(op)
