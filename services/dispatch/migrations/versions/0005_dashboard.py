"""Dashboard read models: per-item rows, counters, day series and the turnaround histogram

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 19:07:59.951656
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dash_counters',
    sa.Column('metric', sa.String(length=32), nullable=False),
    sa.Column('k1', sa.String(length=64), nullable=False),
    sa.Column('k2', sa.String(length=64), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('metric', 'k1', 'k2', name=op.f('pk_dash_counters'))
    )
    op.create_table('dash_days',
    sa.Column('series', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('series', 'day', name=op.f('pk_dash_days'))
    )
    op.create_table('dash_histogram',
    sa.Column('metric', sa.String(length=32), nullable=False),
    sa.Column('bucket', sa.Integer(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('metric', 'bucket', name=op.f('pk_dash_histogram'))
    )
    op.create_table('dash_items',
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('owner_id', sa.String(length=64), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=True),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=40), nullable=False),
    sa.Column('stage_since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_kind', sa.String(length=16), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('destination', sa.String(length=32), nullable=True),
    sa.Column('destination_country', sa.String(length=2), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('item_id', name=op.f('pk_dash_items'))
    )
    with op.batch_alter_table('dash_items', schema=None) as batch_op:
        batch_op.create_index('ix_dash_items_due', ['due_kind', 'due_at'], unique=False)
        batch_op.create_index('ix_dash_items_owner_since', ['owner_id', 'stage_since'], unique=False)
        batch_op.create_index('ix_dash_items_since', ['stage_since'], unique=False)
        batch_op.create_index('ix_dash_items_stage_since', ['stage', 'stage_since'], unique=False)
        batch_op.create_index('ix_dash_items_stage_due', ['stage', 'due_at'], unique=False)
        batch_op.create_index('ix_dash_items_state_since', ['state', 'stage_since'], unique=False)
        batch_op.create_index('ix_dash_items_unit', ['unit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('dash_items', schema=None) as batch_op:
        batch_op.drop_index('ix_dash_items_unit')
        batch_op.drop_index('ix_dash_items_state_since')
        batch_op.drop_index('ix_dash_items_stage_due')
        batch_op.drop_index('ix_dash_items_stage_since')
        batch_op.drop_index('ix_dash_items_since')
        batch_op.drop_index('ix_dash_items_owner_since')
        batch_op.drop_index('ix_dash_items_due')

    op.drop_table('dash_items')
    op.drop_table('dash_histogram')
    op.drop_table('dash_days')
    op.drop_table('dash_counters')
