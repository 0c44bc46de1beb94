"""The electronic account book (电子账册): the book, its items (备案序号) and the item on every ledger line

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 08:00:00

Lines recorded before the book existed keep book_item_no NULL: the per-item report lists them as not in the book
until ``POST /v1/account-book/assign`` maps them (the items must be registered first).
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account_books',
                    sa.Column('book_no', sa.String(length=12), nullable=False),
                    sa.Column('enterprise_code', sa.String(length=10), nullable=False),
                    sa.Column('enterprise_name', sa.String(length=200), nullable=False),
                    sa.Column('book_type', sa.String(length=16), nullable=False),
                    sa.Column('customs_district', sa.String(length=4), nullable=False),
                    sa.Column('valid_from', sa.Date(), nullable=False),
                    sa.Column('valid_to', sa.Date(), nullable=False),
                    sa.Column('cycle_days', sa.Integer(), nullable=False),
                    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('created_by', sa.String(length=200), nullable=False),
                    sa.PrimaryKeyConstraint('book_no', name=op.f('pk_account_books')))
    op.create_table('book_items',
                    sa.Column('book_no', sa.String(length=12), nullable=False),
                    sa.Column('item_no', sa.Integer(), nullable=False),
                    sa.Column('kind', sa.String(length=16), nullable=False),
                    sa.Column('material_no', sa.String(length=100), nullable=False),
                    sa.Column('hs_code', sa.String(length=10), nullable=False),
                    sa.Column('goods_name', sa.String(length=255), nullable=False),
                    sa.Column('specification', sa.String(length=255), nullable=False),
                    sa.Column('declared_unit', sa.String(length=3), nullable=False),
                    sa.Column('legal_unit', sa.String(length=3), nullable=False),
                    sa.Column('legal_per_declared', sa.Numeric(18, 6), nullable=False),
                    sa.Column('second_unit', sa.String(length=3), nullable=True),
                    sa.Column('second_per_declared', sa.Numeric(18, 6), nullable=True),
                    sa.Column('unit_price', sa.Numeric(18, 2), nullable=False),
                    sa.Column('currency', sa.String(length=3), nullable=False),
                    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('created_by', sa.String(length=200), nullable=False),
                    sa.ForeignKeyConstraint(['book_no'], ['account_books.book_no'],
                                            name=op.f('fk_book_items_book_no_account_books')),
                    sa.PrimaryKeyConstraint('book_no', 'item_no', name=op.f('pk_book_items')),
                    sa.UniqueConstraint('book_no', 'kind', 'material_no', name='uq_book_items_kind_material'))
    with op.batch_alter_table('ledger_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('book_no', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('book_item_no', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('legal_quantity', sa.Numeric(19, 5), nullable=True))
        batch_op.add_column(sa.Column('second_quantity', sa.Numeric(19, 5), nullable=True))
        batch_op.add_column(sa.Column('value', sa.Numeric(18, 2), nullable=True))
        batch_op.add_column(sa.Column('currency', sa.String(length=3), nullable=True))
        batch_op.create_index('ix_ledger_lines_book_item', ['book_no', 'book_item_no'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ledger_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_lines_book_item')
        for column in ('currency', 'value', 'second_quantity', 'legal_quantity', 'book_item_no', 'book_no'):
            batch_op.drop_column(column)
    op.drop_table('book_items')
    op.drop_table('account_books')
