"""Exit filings: the amendment or cancellation (删改单) waiting for customs' answer

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('customs_filings') as batch:
        batch.add_column(sa.Column('change_message_id', sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('customs_filings') as batch:
        batch.drop_column('change_message_id')
