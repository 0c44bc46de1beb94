"""trade compliance (issue 19): versioned lists (seeded), screenings, holds, shipment consignees

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 12:00:00
"""
import json
from datetime import date, datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from alembic import op

SEED = Path(__file__).resolve().parents[2] / "reference" / "compliance_lists.json"

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('compliance_list_versions',
                    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
                    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('created_by', sa.String(length=200), nullable=False),
                    sa.Column('source', sa.String(length=500), nullable=False),
                    sa.Column('source_date', sa.Date(), nullable=False),
                    sa.Column('note', sa.Text(), nullable=False),
                    sa.Column('data', sa.JSON(), nullable=False),
                    sa.PrimaryKeyConstraint('version', name=op.f('pk_compliance_list_versions')))
    op.create_table('compliance_screenings',
                    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
                    sa.Column('subject', sa.String(length=16), nullable=False),
                    sa.Column('subject_id', sa.String(length=36), nullable=False),
                    sa.Column('point', sa.String(length=32), nullable=False),
                    sa.Column('list_version', sa.Integer(), nullable=False),
                    sa.Column('screened', sa.JSON(), nullable=False),
                    sa.Column('hits', sa.JSON(), nullable=False),
                    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('actor', sa.String(length=200), nullable=False),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_compliance_screenings')))
    op.create_index(op.f('ix_compliance_screenings_subject_id'), 'compliance_screenings', ['subject_id'])
    op.create_table('compliance_holds',
                    sa.Column('id', sa.String(length=36), nullable=False),
                    sa.Column('subject', sa.String(length=16), nullable=False),
                    sa.Column('subject_id', sa.String(length=36), nullable=False),
                    sa.Column('status', sa.String(length=16), nullable=False),
                    sa.Column('hit', sa.JSON(), nullable=False),
                    sa.Column('point', sa.String(length=32), nullable=False),
                    sa.Column('list_version', sa.Integer(), nullable=False),
                    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('opened_by', sa.String(length=200), nullable=False),
                    sa.Column('closure', sa.JSON(), nullable=True),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_compliance_holds')))
    op.create_index(op.f('ix_compliance_holds_subject_id'), 'compliance_holds', ['subject_id'])
    op.create_index(op.f('ix_compliance_holds_status'), 'compliance_holds', ['status'])
    op.create_table('shipment_consignees',
                    sa.Column('shipment_id', sa.String(length=36), nullable=False),
                    sa.Column('name', sa.String(length=500), nullable=False),
                    sa.Column('address', sa.Text(), nullable=False),
                    sa.Column('country', sa.String(length=2), nullable=True),
                    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('set_by', sa.String(length=200), nullable=False),
                    sa.PrimaryKeyConstraint('shipment_id', name=op.f('pk_shipment_consignees')))
    _seed()


def _seed() -> None:
    """Lists version 1 from the shipped sample file (the operator replaces it with current lists)."""
    data = json.loads(SEED.read_text())
    versions = sa.Table("compliance_list_versions", sa.MetaData(), autoload_with=op.get_bind())
    lists = {k: data[k] for k in ("match_threshold", "classifications", "country_rules", "parties")}
    op.bulk_insert(versions, [{"version": 1, "created_at": datetime.now(timezone.utc), "created_by": "seed",
                               "source": data["source"], "source_date": date.fromisoformat(data["source_date"]),
                               "note": data["note"], "data": lists}])


def downgrade() -> None:
    op.drop_table('shipment_consignees')
    op.drop_index(op.f('ix_compliance_holds_status'), table_name='compliance_holds')
    op.drop_index(op.f('ix_compliance_holds_subject_id'), table_name='compliance_holds')
    op.drop_table('compliance_holds')
    op.drop_index(op.f('ix_compliance_screenings_subject_id'), table_name='compliance_screenings')
    op.drop_table('compliance_screenings')
    op.drop_table('compliance_list_versions')
