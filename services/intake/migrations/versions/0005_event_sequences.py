"""Event sequences: ce_sequence per key on the outbox, what consumers have seen, gaps; dead-letter encoding

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:00:00
"""
from alembic import op

from shared.messaging.migration_steps import add_event_sequences, drop_event_sequences

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_event_sequences(op)


def downgrade() -> None:
    drop_event_sequences(op)
