"""The desk's read models get a consumer of their own: projection generations, the ledger's running totals, the
desk's unit timelines

``projection_generations``: each projection's generation (services/kit/projections.py); none yet is generation 0.
``ledger_totals``: the ledger's running totals per (category, movement, bonded), filled here from ``ledger_lines``;
the desk reads them through the ledger's use case instead of counting ledger lines itself, so the desk's ``ledger``
counters go (a downgrade puts them back from the totals).
``desk_timeline``: the desk's unit timelines, filled here from dispatch's journal (which moves to partners), so an
upgraded installation keeps its timelines.
The desk's consumer (``bondline.dispatch.desk``) starts where dispatch's (``bondline.dispatch``) is, since the old
projection ran in that consumer's transactions: its inbox rows, sequences and gap-check cursors are copied, so the
events the desk has already projected are duplicates for it when its new group reads the topics from the start.
Stop the old consumers before upgrading: an event an old one projects after this revision would be projected twice.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

DESK, OWN = "bondline.dispatch.desk", "bondline.dispatch"
CONSUMER_ROWS = (("inbox", "event_id, event_type, processed_at"), ("event_sequences", "source, key, last_seq"),
                 ("event_cursors", "source, after_id, checked_at"))
UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table("projection_generations",
                    sa.Column("name", sa.String(100), nullable=False),
                    sa.Column("generation", sa.Integer(), nullable=False),
                    sa.Column("rebuilt_at", UTC, nullable=False),
                    sa.PrimaryKeyConstraint("name", name=op.f("pk_projection_generations")))
    op.create_table("ledger_totals",
                    sa.Column("category", sa.String(32), nullable=False),
                    sa.Column("movement", sa.String(16), nullable=False),
                    sa.Column("bonded", sa.Boolean(), nullable=False),
                    sa.Column("quantity", sa.BigInteger(), nullable=False),
                    sa.PrimaryKeyConstraint("category", "movement", "bonded", name=op.f("pk_ledger_totals")))
    op.execute("INSERT INTO ledger_totals (category, movement, bonded, quantity) "
               "SELECT category, movement, bonded, sum(quantity) FROM ledger_lines GROUP BY category, movement, bonded")
    op.execute("DELETE FROM dash_counters WHERE metric = 'ledger'")
    op.create_table("desk_timeline",
                    sa.Column("event_id", sa.String(64), nullable=False),
                    sa.Column("unit_id", sa.String(64), nullable=False),
                    sa.Column("type", sa.String(120), nullable=False),
                    sa.Column("source", sa.String(120), nullable=False),
                    sa.Column("occurred_at", UTC, nullable=False),
                    sa.Column("sequence", sa.BigInteger(), nullable=True),
                    sa.Column("data", sa.JSON(), nullable=False),
                    sa.PrimaryKeyConstraint("event_id", name=op.f("pk_desk_timeline")))
    op.create_index("ix_desk_timeline_unit_happened", "desk_timeline",
                    ["unit_id", "occurred_at", "source", "sequence"], unique=False)
    op.execute("INSERT INTO desk_timeline (event_id, unit_id, type, source, occurred_at, sequence, data) "
               "SELECT event_id, unit_id, type, source, occurred_at, sequence, data FROM journal "
               "WHERE unit_id IS NOT NULL")
    for table, columns in CONSUMER_ROWS:
        op.execute(f"INSERT INTO {table} (consumer, {columns}) SELECT '{DESK}', {columns} FROM {table} "
                   f"WHERE consumer = '{OWN}'")


def downgrade() -> None:
    for table, _ in CONSUMER_ROWS:
        op.execute(f"DELETE FROM {table} WHERE consumer = '{DESK}' OR consumer LIKE '{DESK}.g%'")
    op.drop_index("ix_desk_timeline_unit_happened", table_name="desk_timeline")
    op.drop_table("desk_timeline")
    op.execute("INSERT INTO dash_counters (metric, k1, k2, value) "
               "SELECT 'ledger', category, movement, sum(quantity) FROM ledger_totals GROUP BY category, movement")
    op.drop_table("ledger_totals")
    op.drop_table("projection_generations")
