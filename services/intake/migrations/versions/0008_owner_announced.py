"""owners.announced_at: when intake's owner.registered event went out for the owner

Owners registered before the event existed have NULL and are announced once at the next start (the services'
after-migrate step), so dispatch learns every owner that may receive an allocation.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 21:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("owners") as batch:
        batch.add_column(sa.Column("announced_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("owners") as batch:
        batch.drop_column("announced_at")
