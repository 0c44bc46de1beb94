"""Dispatch items keep their history: amended decisions and cancelled exit declarations, with actor and reason

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dispatch_items") as batch:
        batch.add_column(sa.Column("history", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("dispatch_items") as batch:
        batch.drop_column("history")
