"""a serial is free again once its unit has left the zone

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 22:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OLD, NEW = "state <> 'rejected'", "state NOT IN ('rejected', 'exited')"


def _swap(old: str, new: str) -> None:
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index('uq_units_serial_in_zone', sqlite_where=sa.text(old), postgresql_where=sa.text(old))
        batch_op.create_index('uq_units_serial_in_zone', ['serial_number'], unique=True,
                              sqlite_where=sa.text(new), postgresql_where=sa.text(new))


def upgrade() -> None:
    _swap(OLD, NEW)


def downgrade() -> None:
    _swap(NEW, OLD)
