"""Entry filings to the customs platform (issue 15): owners' customs codes, the filings, every message sent and receipt
received with the feed position, and who decided a typed declaration's inspection (bondline's draw, or customs)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("owners") as batch:
        batch.add_column(sa.Column("customs_code", sa.String(length=10), nullable=True))
    with op.batch_alter_table("declarations") as batch:
        batch.add_column(sa.Column("selected_by", sa.String(length=16), nullable=False, server_default="bondline"))
    op.create_table('entry_filings',
                    sa.Column('id', sa.String(length=36), nullable=False),
                    sa.Column('unit_ids', sa.JSON(), nullable=False),
                    sa.Column('owner_id', sa.String(length=64), nullable=False),
                    sa.Column('origin_country', sa.String(length=2), nullable=False),
                    sa.Column('transport_mode', sa.String(length=4), nullable=False),
                    sa.Column('supervision_mode', sa.String(length=4), nullable=False),
                    sa.Column('state', sa.String(length=24), nullable=False),
                    sa.Column('list_message_id', sa.String(length=36), nullable=True),
                    sa.Column('list_no', sa.String(length=18), nullable=True),
                    sa.Column('pass_message_id', sa.String(length=36), nullable=True),
                    sa.Column('pass_no', sa.String(length=18), nullable=True),
                    sa.Column('pass_type', sa.String(length=1), nullable=True),
                    sa.Column('inspection', sa.String(length=16), nullable=True),
                    sa.Column('reason', sa.Text(), nullable=True),
                    sa.Column('change_message_id', sa.String(length=36), nullable=True),
                    sa.Column('history', sa.JSON(), nullable=False),
                    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('created_by', sa.String(length=200), nullable=False),
                    sa.Column('version', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_entry_filings')))
    for column in ('owner_id', 'state', 'list_no', 'created_at'):
        op.create_index(op.f(f'ix_entry_filings_{column}'), 'entry_filings', [column], unique=False)
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
    for column in ('owner_id', 'state', 'list_no', 'created_at'):
        op.drop_index(op.f(f'ix_entry_filings_{column}'), table_name='entry_filings')
    op.drop_table('entry_filings')
    with op.batch_alter_table("declarations") as batch:
        batch.drop_column("selected_by")
    with op.batch_alter_table("owners") as batch:
        batch.drop_column("customs_code")
