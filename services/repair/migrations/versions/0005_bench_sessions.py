"""Server-side sessions of the repair bench: the cookie is a random id, the row (its SHA-256, who, until when) is
the session (the same shape as dispatch's desk_sessions, services/kit/web/session.py)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bench_sessions',
                    sa.Column('id_hash', sa.String(length=64), nullable=False),
                    sa.Column('subject', sa.String(length=200), nullable=False),
                    sa.Column('role', sa.String(length=32), nullable=False),
                    sa.Column('owner_id', sa.String(length=64), nullable=True),
                    sa.Column('id_token', sa.Text(), nullable=True),
                    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_bench_sessions')))
    op.create_index(op.f('ix_bench_sessions_expires_at'), 'bench_sessions', ['expires_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_bench_sessions_expires_at'), table_name='bench_sessions')
    op.drop_table('bench_sessions')
