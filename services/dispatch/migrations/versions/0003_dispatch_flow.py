"""dispatch flow: items (units and old parts), shipments, tax reference tables (seeded), idempotency keys

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 16:51:00.638134
"""
import json
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from alembic import op

SEED = Path(__file__).resolve().parents[2] / "reference" / "tax_tables.json"


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dispatch_items',
    sa.Column('item_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('unit_id', sa.String(length=36), nullable=False),
    sa.Column('owner_id', sa.String(length=64), nullable=False),
    sa.Column('owner_group', sa.String(length=100), nullable=True),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('serial_number', sa.String(length=100), nullable=True),
    sa.Column('part_number', sa.String(length=100), nullable=True),
    sa.Column('hs_code', sa.String(length=10), nullable=True),
    sa.Column('origin', sa.String(length=10), nullable=True),
    sa.Column('origin_country', sa.String(length=2), nullable=True),
    sa.Column('declared_value', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('in_catalogue', sa.Boolean(), nullable=False),
    sa.Column('own_products_only', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('repair_fee', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('repair_currency', sa.String(length=3), nullable=True),
    sa.Column('parts_used', sa.JSON(), nullable=False),
    sa.Column('return_mode', sa.String(length=4), nullable=True),
    sa.Column('disposal_deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('awaiting_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('destination', sa.String(length=32), nullable=True),
    sa.Column('destination_country', sa.String(length=2), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('exit_documents', sa.JSON(), nullable=False),
    sa.Column('tax', sa.JSON(), nullable=False),
    sa.Column('shipment_id', sa.String(length=36), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('item_id', name=op.f('pk_dispatch_items'))
    )
    with op.batch_alter_table('dispatch_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispatch_items_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispatch_items_shipment_id'), ['shipment_id'], unique=False)
        batch_op.create_index('ix_dispatch_items_state_since', ['state', 'awaiting_since'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispatch_items_unit_id'), ['unit_id'], unique=False)

    op.create_table('duty_rates',
    sa.Column('hs_prefix', sa.String(length=10), nullable=False),
    sa.Column('rate', sa.Numeric(precision=8, scale=5), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('hs_prefix', name=op.f('pk_duty_rates'))
    )
    op.create_table('fx_rates',
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('cny_per_unit', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('currency', 'valid_from', name=op.f('pk_fx_rates'))
    )
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
    op.create_table('shipments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('carrier', sa.String(length=100), nullable=False),
    sa.Column('tracking_number', sa.String(length=100), nullable=False),
    sa.Column('destination_country', sa.String(length=2), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('incoterm', sa.String(length=3), nullable=False),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('history', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments'))
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipments_state'), ['state'], unique=False)

    with op.batch_alter_table('dispatch_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispatch_units_owner_id'))
        batch_op.drop_index(batch_op.f('ix_dispatch_units_state_since'))

    op.drop_table('dispatch_units')
    _seed_tax_tables()


def _seed_tax_tables() -> None:
    data = json.loads(SEED.read_text())
    meta = sa.MetaData()
    duty = sa.Table("duty_rates", meta, autoload_with=op.get_bind())
    fx = sa.Table("fx_rates", meta, autoload_with=op.get_bind())
    op.bulk_insert(duty, [{**r, "updated_by": "seed"} for r in data["duty_rates"]])
    op.bulk_insert(fx, [{**r, "valid_from": date.fromisoformat(r["valid_from"]), "updated_by": "seed"}
                        for r in data["fx_rates"]])


def downgrade() -> None:
    op.create_table('dispatch_units',
    sa.Column('unit_id', sa.VARCHAR(length=36), nullable=False),
    sa.Column('owner_id', sa.VARCHAR(length=64), nullable=False),
    sa.Column('state', sa.VARCHAR(length=32), nullable=False),
    sa.Column('serial_number', sa.VARCHAR(length=100), nullable=True),
    sa.Column('part_number', sa.VARCHAR(length=100), nullable=True),
    sa.Column('hs_code', sa.VARCHAR(length=10), nullable=True),
    sa.Column('origin', sa.VARCHAR(length=10), nullable=True),
    sa.Column('origin_country', sa.VARCHAR(length=2), nullable=True),
    sa.Column('declared_value', sa.NUMERIC(precision=18, scale=2), nullable=True),
    sa.Column('currency', sa.VARCHAR(length=3), nullable=True),
    sa.Column('received_at', sa.DATETIME(), nullable=True),
    sa.Column('outcome', sa.VARCHAR(length=32), nullable=True),
    sa.Column('repair_fee', sa.NUMERIC(precision=18, scale=2), nullable=True),
    sa.Column('repair_currency', sa.VARCHAR(length=3), nullable=True),
    sa.Column('awaiting_since', sa.DATETIME(), nullable=True),
    sa.Column('version', sa.INTEGER(), nullable=False),
    sa.Column('updated_by', sa.VARCHAR(length=200), nullable=False),
    sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_dispatch_units'))
    )
    with op.batch_alter_table('dispatch_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispatch_units_state_since'), ['state', 'awaiting_since'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispatch_units_owner_id'), ['owner_id'], unique=False)

    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipments_state'))

    op.drop_table('shipments')
    op.drop_table('idempotency_keys')
    op.drop_table('fx_rates')
    op.drop_table('duty_rates')
    with op.batch_alter_table('dispatch_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispatch_items_unit_id'))
        batch_op.drop_index('ix_dispatch_items_state_since')
        batch_op.drop_index(batch_op.f('ix_dispatch_items_shipment_id'))
        batch_op.drop_index(batch_op.f('ix_dispatch_items_owner_id'))

    op.drop_table('dispatch_items')
