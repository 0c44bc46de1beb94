"""bonded ledger: ledger_lines, one line per movement of a unit, part lot, old part or scrap item

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 16:59:22.865413
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ledger_lines',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('item_id', sa.String(length=250), nullable=False),
    sa.Column('item_kind', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('movement', sa.String(length=16), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('documents', sa.JSON(), nullable=False),
    sa.Column('owner_id', sa.String(length=64), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('part_number', sa.String(length=100), nullable=True),
    sa.Column('parent_id', sa.String(length=250), nullable=True),
    sa.Column('origin', sa.String(length=10), nullable=True),
    sa.Column('bonded', sa.Boolean(), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_ledger_lines_quantity_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_lines')),
    sa.UniqueConstraint('source', 'item_id', 'movement', name='uq_ledger_lines_source_item_movement')
    )
    with op.batch_alter_table('ledger_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_lines_at'), ['at'], unique=False)
        batch_op.create_index('ix_ledger_lines_item_category_at', ['item_id', 'category', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_lines_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_lines_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_lines_part_number'), ['part_number'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ledger_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_lines_part_number'))
        batch_op.drop_index(batch_op.f('ix_ledger_lines_parent_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_lines_owner_id'))
        batch_op.drop_index('ix_ledger_lines_item_category_at')
        batch_op.drop_index(batch_op.f('ix_ledger_lines_at'))

    op.drop_table('ledger_lines')
