"""The journal keeps each event's trace context (W3C traceparent/tracestate), so the webhook deliveries an event
causes, sent later by the delivery worker, join the trace of the request that made the event

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 00:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("journal") as t:
        t.add_column(sa.Column("traceparent", sa.String(55), nullable=True))
        t.add_column(sa.Column("tracestate", sa.String(512), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("journal") as t:
        t.drop_column("tracestate")
        t.drop_column("traceparent")
