"""Exit filings to the customs platform: the filings, every message sent and receipt received, the feed position

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('customs_filings',
                    sa.Column('id', sa.String(length=36), nullable=False),
                    sa.Column('item_ids', sa.JSON(), nullable=False),
                    sa.Column('supervision_mode', sa.String(length=4), nullable=False),
                    sa.Column('transport_mode', sa.String(length=4), nullable=False),
                    sa.Column('destination_country', sa.String(length=2), nullable=False),
                    sa.Column('state', sa.String(length=24), nullable=False),
                    sa.Column('list_message_id', sa.String(length=36), nullable=True),
                    sa.Column('list_no', sa.String(length=18), nullable=True),
                    sa.Column('pass_message_id', sa.String(length=36), nullable=True),
                    sa.Column('pass_no', sa.String(length=18), nullable=True),
                    sa.Column('inspection', sa.String(length=16), nullable=True),
                    sa.Column('reason', sa.Text(), nullable=True),
                    sa.Column('history', sa.JSON(), nullable=False),
                    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('created_by', sa.String(length=200), nullable=False),
                    sa.Column('version', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_customs_filings')))
    op.create_index(op.f('ix_customs_filings_state'), 'customs_filings', ['state'], unique=False)
    op.create_index(op.f('ix_customs_filings_list_no'), 'customs_filings', ['list_no'], unique=False)
    op.create_table('customs_messages',
                    sa.Column('message_id', sa.String(length=36), nullable=False),
                    sa.Column('filing_id', sa.String(length=36), nullable=False),
                    sa.Column('kind', sa.String(length=16), nullable=False),
                    sa.Column('state', sa.String(length=16), nullable=False),
                    sa.Column('document', sa.Text(), nullable=False),
                    sa.Column('attempts', sa.Integer(), nullable=False),
                    sa.Column('last_error', sa.Text(), nullable=True),
                    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
                    sa.PrimaryKeyConstraint('message_id', name=op.f('pk_customs_messages')))
    op.create_index(op.f('ix_customs_messages_filing_id'), 'customs_messages', ['filing_id'], unique=False)
    op.create_index(op.f('ix_customs_messages_state'), 'customs_messages', ['state'], unique=False)
    op.create_table('customs_receipts',
                    sa.Column('receipt_id', sa.String(length=64), nullable=False),
                    sa.Column('message_id', sa.String(length=36), nullable=False),
                    sa.Column('kind', sa.String(length=16), nullable=False),
                    sa.Column('number', sa.String(length=18), nullable=True),
                    sa.Column('simulated', sa.Boolean(), nullable=False),
                    sa.Column('document', sa.Text(), nullable=False),
                    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('receipt_id', name=op.f('pk_customs_receipts')))
    op.create_index(op.f('ix_customs_receipts_message_id'), 'customs_receipts', ['message_id'], unique=False)
    op.create_table('customs_feed',
                    sa.Column('name', sa.String(length=32), nullable=False),
                    sa.Column('after', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('name', name=op.f('pk_customs_feed')))


def downgrade() -> None:
    op.drop_table('customs_feed')
    op.drop_index(op.f('ix_customs_receipts_message_id'), table_name='customs_receipts')
    op.drop_table('customs_receipts')
    op.drop_index(op.f('ix_customs_messages_state'), table_name='customs_messages')
    op.drop_index(op.f('ix_customs_messages_filing_id'), table_name='customs_messages')
    op.drop_table('customs_messages')
    op.drop_index(op.f('ix_customs_filings_list_no'), table_name='customs_filings')
    op.drop_index(op.f('ix_customs_filings_state'), table_name='customs_filings')
    op.drop_table('customs_filings')
