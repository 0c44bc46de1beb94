"""The desk's read models speak the one vocabulary of stages and states (shared/contract/stages.py)

``dash_items.state`` values are renamed to the vocabulary's (partners' public names): at intake ``inspection_passed``
becomes ``inspected``; at repair ``released_to_repair`` becomes ``released``; at dispatch ``decided`` becomes
``destination_decided`` and ``declared`` (the exit declaration, not intake's entry ``declared``, which stays)
``exit_declared``; a unit refused before its receipt (``left``, ``rejected``) becomes ``rejected_4500`` or
``rejected_4561`` by the return mode its rejection event gave (the desk's timeline keeps it among the documents;
without one, ``rejected_4500``). The ``state`` counters are keyed by (state, stage) from now on: they are counted
again from ``dash_items``, exactly what the projection's ``contributions`` add, so the desk shows the same numbers.
Downgrade renames back and keys the counters by state alone; ``allocated`` goes back to ``awaiting_dispatch``, and
units the new desk saw withdrawn stay ``left`` / ``withdrawn`` (the old desk kept them announced).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-10 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

RENAMES = (("intake", "inspection_passed", "inspected"), ("repair", "released_to_repair", "released"),
           ("dispatch", "decided", "destination_decided"), ("dispatch", "declared", "exit_declared"))
REJECTED = "com.bondline.intake.unit.rejected.%"
MODES = ("4500", "4561")
CHUNK = 500

ITEMS = sa.table("dash_items", sa.column("item_id", sa.String), sa.column("stage", sa.String),
                 sa.column("state", sa.String))
TIMELINE = sa.table("desk_timeline", sa.column("unit_id", sa.String), sa.column("type", sa.String),
                    sa.column("occurred_at", sa.DateTime(timezone=True)), sa.column("data", sa.JSON))


def _rename(stage: str, old: str, new: str) -> None:
    op.execute(ITEMS.update().where(ITEMS.c.stage == stage, ITEMS.c.state == old).values(state=new))


def _count_states(by_stage: bool) -> None:
    """The ``state`` counters as ``contributions`` keeps them: one per unit row, by state (and stage)."""
    op.execute("DELETE FROM dash_counters WHERE metric = 'state'")
    k2 = "stage" if by_stage else "''"
    group = "state, stage" if by_stage else "state"
    op.execute(f"INSERT INTO dash_counters (metric, k1, k2, value) SELECT 'state', state, {k2}, count(*) "
               f"FROM dash_items WHERE kind = 'unit' GROUP BY {group}")


def _return_modes(bind: sa.Connection) -> dict[str, str]:
    """Each rejected unit's return mode, from its rejection event in the desk's timeline (the latest wins)."""
    q = sa.select(TIMELINE.c.unit_id, TIMELINE.c.data).where(TIMELINE.c.type.like(REJECTED)) \
        .order_by(TIMELINE.c.occurred_at)
    modes: dict[str, str] = {}
    for unit_id, data in bind.execute(q):
        mode = ((data or {}).get("documents") or {}).get("return_mode")
        if mode in MODES:
            modes[unit_id] = mode
    return modes


def _rejected_by_mode() -> None:
    bind = op.get_bind()
    refused = ITEMS.c.stage == "left", ITEMS.c.state == "rejected"
    ids = list(bind.execute(sa.select(ITEMS.c.item_id).where(*refused)).scalars())
    modes = _return_modes(bind) if ids else {}
    for mode in MODES:
        chosen = [i for i in ids if modes.get(i, "4500") == mode]
        for start in range(0, len(chosen), CHUNK):
            bind.execute(ITEMS.update().where(*refused, ITEMS.c.item_id.in_(chosen[start:start + CHUNK]))
                         .values(state=f"rejected_{mode}"))


def upgrade() -> None:
    for stage, old, new in RENAMES:
        _rename(stage, old, new)
    _rejected_by_mode()
    _count_states(by_stage=True)


def downgrade() -> None:
    for stage, old, new in RENAMES:
        _rename(stage, new, old)
    for mode in MODES:
        _rename("left", f"rejected_{mode}", "rejected")
    _rename("dispatch", "allocated", "awaiting_dispatch")
    _count_states(by_stage=False)
