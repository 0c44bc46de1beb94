"""intake flow: owners, versioned catalogue (seeded), requests, declarations, history, parts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 16:41:20.648881
"""
import json
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from alembic import op

SEED = Path(__file__).resolve().parents[2] / "reference" / "catalogue.json"


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('catalogue_versions',
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_catalogue_versions'))
    )
    op.create_table('declarations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('bonded_inventory_list_no', sa.String(length=18), nullable=False),
    sa.Column('supervision_mode', sa.String(length=4), nullable=False),
    sa.Column('gate_pass_no', sa.String(length=32), nullable=False),
    sa.Column('gate_pass_type', sa.String(length=1), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('entry_record_list_no', sa.String(length=32), nullable=True),
    sa.Column('export_declaration_no', sa.String(length=32), nullable=True),
    sa.Column('selected', sa.Boolean(), nullable=False),
    sa.Column('selection_rate', sa.Float(), nullable=False),
    sa.Column('selection_draw', sa.Float(), nullable=False),
    sa.Column('credit_tier', sa.String(length=32), nullable=False),
    sa.Column('methods', sa.JSON(), nullable=False),
    sa.Column('inspection_result', sa.String(length=16), nullable=True),
    sa.Column('inspection_method', sa.String(length=16), nullable=True),
    sa.Column('seals', sa.JSON(), nullable=False),
    sa.Column('inspection_notes', sa.Text(), nullable=False),
    sa.Column('declared_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declarations')),
    sa.UniqueConstraint('bonded_inventory_list_no', name=op.f('uq_declarations_bonded_inventory_list_no'))
    )
    with op.batch_alter_table('declarations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declarations_declared_at'), ['declared_at'], unique=False)

    op.create_table('idempotency_keys',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', 'method', 'path', name=op.f('pk_idempotency_keys'))
    )
    op.create_table('owners',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('credit_tier', sa.String(length=32), nullable=False),
    sa.Column('group_name', sa.String(length=100), nullable=True),
    sa.Column('contacts', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_owners'))
    )
    op.create_table('parts_receipts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('part_number', sa.String(length=100), nullable=False),
    sa.Column('lot', sa.String(length=100), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_value', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('hs_code', sa.String(length=10), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('bonded', sa.Boolean(), nullable=False),
    sa.Column('documents', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parts_receipts'))
    )
    with op.batch_alter_table('parts_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parts_receipts_part_number'), ['part_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_parts_receipts_received_at'), ['received_at'], unique=False)

    op.create_table('unit_history',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('unit_id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_state', sa.String(length=32), nullable=True),
    sa.Column('to_state', sa.String(length=32), nullable=False),
    sa.Column('documents', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_history'))
    )
    with op.batch_alter_table('unit_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_history_unit_id'), ['unit_id'], unique=False)

    op.create_table('catalogue_entries',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('hs_code', sa.String(length=10), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('own_products_only', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['version'], ['catalogue_versions.version'], name=op.f('fk_catalogue_entries_version')),
    sa.PrimaryKeyConstraint('version', 'hs_code', name=op.f('pk_catalogue_entries'))
    )
    op.create_table('catalogue_prohibitions',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('hs_prefix', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['version'], ['catalogue_versions.version'], name=op.f('fk_catalogue_prohibitions_version')),
    sa.PrimaryKeyConstraint('version', 'hs_prefix', name=op.f('pk_catalogue_prohibitions'))
    )
    op.create_table('repair_requests',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('owner_id', sa.String(length=64), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('origin_country', sa.String(length=2), nullable=True),
    sa.Column('catalogue_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['owners.id'], name=op.f('fk_repair_requests_owner_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_repair_requests'))
    )
    with op.batch_alter_table('repair_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_repair_requests_owner_id'), ['owner_id'], unique=False)

    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('maker_group', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('catalogue_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('declaration_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('customs_released', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('condition_notes', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('discrepancy', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('rejection_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('announced_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('received_at',
               existing_type=sa.DATETIME(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_units_announced_at'), ['announced_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_units_declaration_id'), ['declaration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_units_request_id'), ['request_id'], unique=False)
    _seed_catalogue()


def _seed_catalogue() -> None:
    """Catalogue version 1 from the shipped reference data file."""
    data = json.loads(SEED.read_text())
    meta = sa.MetaData()
    versions = sa.Table("catalogue_versions", meta, autoload_with=op.get_bind())
    entries = sa.Table("catalogue_entries", meta, autoload_with=op.get_bind())
    banned = sa.Table("catalogue_prohibitions", meta, autoload_with=op.get_bind())
    op.bulk_insert(versions, [{"version": 1, "created_at": datetime.now(timezone.utc), "created_by": "seed",
                               "note": data["note"]}])
    op.bulk_insert(entries, [{"version": 1, **e} for e in data["entries"]])
    op.bulk_insert(banned, [{"version": 1, **p} for p in data["prohibited"]])


def downgrade() -> None:
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_request_id'))
        batch_op.drop_index(batch_op.f('ix_units_declaration_id'))
        batch_op.drop_index(batch_op.f('ix_units_announced_at'))
        batch_op.alter_column('received_at',
               existing_type=sa.DATETIME(),
               nullable=False)
        batch_op.drop_column('announced_at')
        batch_op.drop_column('rejection_reason')
        batch_op.drop_column('discrepancy')
        batch_op.drop_column('condition_notes')
        batch_op.drop_column('customs_released')
        batch_op.drop_column('declaration_id')
        batch_op.drop_column('catalogue_version')
        batch_op.drop_column('maker_group')
        batch_op.drop_column('request_id')

    with op.batch_alter_table('repair_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_repair_requests_owner_id'))

    op.drop_table('repair_requests')
    op.drop_table('catalogue_prohibitions')
    op.drop_table('catalogue_entries')
    with op.batch_alter_table('unit_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_history_unit_id'))

    op.drop_table('unit_history')
    with op.batch_alter_table('parts_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parts_receipts_received_at'))
        batch_op.drop_index(batch_op.f('ix_parts_receipts_part_number'))

    op.drop_table('parts_receipts')
    op.drop_table('owners')
    op.drop_table('idempotency_keys')
    with op.batch_alter_table('declarations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declarations_declared_at'))

    op.drop_table('declarations')
    op.drop_table('catalogue_versions')
