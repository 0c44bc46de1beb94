"""The desk's units by what people read on them: serial, part number and description in dash_items, searchable

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 08:50:00

Rows of units already at dispatch get their serial and part number from dispatch's own items; others fill as their
events arrive, or at once with ``python -m services.dispatch rebuild --projection desk``.
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dash_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('serial_number', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('part_number', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('description', sa.String(length=255), nullable=True))
        batch_op.create_index('ix_dash_items_serial', ['serial_number'], unique=False)
        batch_op.create_index('ix_dash_items_part', ['part_number'], unique=False)
    op.execute("UPDATE dash_items SET serial_number = (SELECT d.serial_number FROM dispatch_items d "
               "WHERE d.item_id = dash_items.item_id), part_number = (SELECT d.part_number FROM dispatch_items d "
               "WHERE d.item_id = dash_items.item_id) "
               "WHERE EXISTS (SELECT 1 FROM dispatch_items d WHERE d.item_id = dash_items.item_id)")


def downgrade() -> None:
    with op.batch_alter_table('dash_items', schema=None) as batch_op:
        batch_op.drop_index('ix_dash_items_part')
        batch_op.drop_index('ix_dash_items_serial')
        batch_op.drop_column('description')
        batch_op.drop_column('part_number')
        batch_op.drop_column('serial_number')
