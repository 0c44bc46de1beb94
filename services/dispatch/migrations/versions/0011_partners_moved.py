"""The journal, unit status and webhooks moved to the partners service: their tables are renamed, not dropped

Partners copies them on its first start after the upgrade (services/partners/db/legacy_import.py reads either
name). The renamed tables stay until an operator drops them; nothing in dispatch reads or writes them.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 20:30:00
"""
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

MOVED = ("webhook_attempts", "webhook_deliveries", "webhook_endpoints", "unit_status", "journal")


def upgrade() -> None:
    for name in MOVED:
        op.rename_table(name, f"moved_to_partners_{name}")


def downgrade() -> None:
    for name in reversed(MOVED):
        op.rename_table(f"moved_to_partners_{name}", name)
