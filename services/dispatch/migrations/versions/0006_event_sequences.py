"""Event sequences: ce_sequence per key on the outbox, what consumers have seen, gaps; dead-letter encoding

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:00:00
"""
from alembic import op

from shared.messaging.migration_steps import add_event_sequences, drop_event_sequences

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_event_sequences(op)


def downgrade() -> None:
    drop_event_sequences(op)
