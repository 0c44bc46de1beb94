"""Unit status rows from before the one stage vocabulary (shared/contract/stages.py), moved into it.

No state name changed; three states changed stage: ``shipped`` (was ``dispatch``), ``withdrawn`` and
``rejected_4500`` / ``rejected_4561`` (were ``intake``) are ``left``. A unit refused after its receipt is in bond and
goes back to its owner through dispatch: a row at ``intake`` / ``rejected_*`` whose journal holds the unit's receipt
is ``dispatch`` / ``awaiting_dispatch``. Partners' migration 0002 applies these to its rows, and the takeover of an
older dispatch's data (legacy_import.py) to the rows it copies.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.sql import Executable

STATUS = sa.table("unit_status", sa.column("unit_id", sa.String), sa.column("stage", sa.String),
                  sa.column("state", sa.String))
JOURNAL = sa.table("journal", sa.column("unit_id", sa.String), sa.column("type", sa.String))
REJECTED = ("rejected_4500", "rejected_4561")
MOVED = (("dispatch", ("shipped",)), ("intake", ("withdrawn", *REJECTED)))  # (old stage, its states now left)
RECEIVED = "com.bondline.intake.unit.received.%"


def move(old: str, new: str, states: tuple[str, ...]) -> Executable:
    return STATUS.update().where(STATUS.c.stage == old, STATUS.c.state.in_(states)).values(stage=new)


def upgrade_statements() -> list[Executable]:
    received = sa.select(JOURNAL.c.unit_id).where(JOURNAL.c.type.like(RECEIVED), JOURNAL.c.unit_id.is_not(None))
    refused_in_bond = (STATUS.update().where(STATUS.c.stage == "intake", STATUS.c.state.in_(REJECTED),
                                             STATUS.c.unit_id.in_(received))
                       .values(stage="dispatch", state="awaiting_dispatch"))
    return [refused_in_bond, *(move(old, "left", states) for old, states in MOVED)]


def downgrade_statements() -> list[Executable]:
    return [move("left", old, states) for old, states in MOVED]
