"""Stocktakes (盘点) and closed periods (核销) of the account book; the serial of a unit on its ledger lines

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 08:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stocktakes',
                    sa.Column('id', sa.String(length=36), nullable=False),
                    sa.Column('location', sa.String(length=200), nullable=False),
                    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('state', sa.String(length=16), nullable=False),
                    sa.Column('book', sa.JSON(), nullable=False),
                    sa.Column('counts', sa.JSON(), nullable=False),
                    sa.Column('handled', sa.JSON(), nullable=False),
                    sa.Column('created_by', sa.String(length=200), nullable=False),
                    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
                    sa.Column('closed_by', sa.String(length=200), nullable=True),
                    sa.Column('version', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_stocktakes')))
    op.create_table('book_periods',
                    sa.Column('id', sa.String(length=36), nullable=False),
                    sa.Column('book_no', sa.String(length=12), nullable=False),
                    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('until', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('report', sa.JSON(), nullable=False),
                    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('closed_by', sa.String(length=200), nullable=False),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_book_periods')))
    op.create_index('ix_book_periods_book_since', 'book_periods', ['book_no', 'since'], unique=False)
    with op.batch_alter_table('ledger_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('serial_number', sa.String(length=100), nullable=True))
    # units received before: their serial is in the receipt line's note ("serial <sn>, <location>")
    op.execute("UPDATE ledger_lines SET serial_number = substr(note, 8, instr(substr(note, 8), ',') - 1) "
               "WHERE item_kind = 'unit' AND movement = 'received' AND note LIKE 'serial %,%'"
               if op.get_bind().dialect.name == "sqlite" else
               "UPDATE ledger_lines SET serial_number = split_part(substr(note, 8), ',', 1) "
               "WHERE item_kind = 'unit' AND movement = 'received' AND note LIKE 'serial %,%'")


def downgrade() -> None:
    with op.batch_alter_table('ledger_lines', schema=None) as batch_op:
        batch_op.drop_column('serial_number')
    op.drop_index('ix_book_periods_book_since', table_name='book_periods')
    op.drop_table('book_periods')
    op.drop_table('stocktakes')
