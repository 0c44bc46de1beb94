"""The owners intake registered (from its owner.registered events): only they may receive an allocation

Intake announces every owner it holds once after its own upgrade, so an upgraded dispatch learns the owners
registered before this revision.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 21:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('owners',
                    sa.Column('owner_id', sa.String(length=64), nullable=False),
                    sa.Column('name', sa.String(length=200), nullable=False),
                    sa.Column('kind', sa.String(length=16), nullable=False),
                    sa.Column('country', sa.String(length=2), nullable=False),
                    sa.Column('group', sa.String(length=100), nullable=True),
                    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('owner_id', name=op.f('pk_owners')))


def downgrade() -> None:
    op.drop_table('owners')
