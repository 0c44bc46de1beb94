"""Unit status in the one vocabulary of stages and states (shared/contract/stages.py): no state name changes, three
states change stage

A state belongs to one stage only, and what has left the zone's care is ``left``: ``shipped`` (was ``dispatch``),
``withdrawn`` (was ``intake``) and ``rejected_4500`` / ``rejected_4561`` (were ``intake``) move to ``left``. A unit
refused after its receipt is in bond and goes back to its owner through dispatch: a row still at ``intake`` /
``rejected_*`` whose journal holds the unit's receipt becomes ``dispatch`` / ``awaiting_dispatch``, as the status
projection now says at once (dispatch's own ``unit.awaiting_dispatch`` follows). Downgrade moves the three states
back; a refused unit's ``awaiting_dispatch`` stays (it is what dispatch says next anyway).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-10 09:00:00
"""
from alembic import op

from services.partners.db import stage_moves

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in stage_moves.upgrade_statements():
        op.execute(statement)


def downgrade() -> None:
    for statement in stage_moves.downgrade_statements():
        op.execute(statement)
