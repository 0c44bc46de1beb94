"""a serial is free again once its pre-alerted unit was withdrawn (state 'withdrawn')

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 12:00:00

Downgrading fails while a withdrawn unit's serial was announced again (two rows the old index forbids).
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

OLD, NEW = "state NOT IN ('rejected', 'exited')", "state NOT IN ('rejected', 'exited', 'withdrawn')"


def _swap(old: str, new: str) -> None:
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index('uq_units_serial_in_zone', sqlite_where=sa.text(old), postgresql_where=sa.text(old))
        batch_op.create_index('uq_units_serial_in_zone', ['serial_number'], unique=True,
                              sqlite_where=sa.text(new), postgresql_where=sa.text(new))


def upgrade() -> None:
    _swap(OLD, NEW)


def downgrade() -> None:
    _swap(NEW, OLD)
