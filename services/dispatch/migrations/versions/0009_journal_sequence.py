"""The journal keeps each event's ce_sequence, and unit timelines are read in the order events happened

``journal.sequence`` is the producer's per-unit counter (``ce_sequence``); rows journaled before this revision
keep NULL (their number was not kept). ``ix_journal_unit_happened`` serves a unit's timeline ordered by
(ce_time, source, sequence, seq).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("journal") as batch:
        batch.add_column(sa.Column("sequence", sa.BigInteger(), nullable=True))
        batch.create_index("ix_journal_unit_happened", ["unit_id", "occurred_at", "source", "sequence", "seq"],
                           unique=False)


def downgrade() -> None:
    with op.batch_alter_table("journal") as batch:
        batch.drop_index("ix_journal_unit_happened")
        batch.drop_column("sequence")
