"""One vocabulary of stages and states (shared/contract/stages.py): each state in one stage only, and every
(stage, state) that partners' unit status or the desk's projection can produce is one of its stage's."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any

from services.dispatch.domain.items import ItemState
from services.dispatch.messaging import dashboard_handlers
from services.dispatch.service.dashboard import DUE_TO_SHIP, Change
from services.dispatch.web import i18n
from services.partners.domain.unit_status import UnitStatus, apply
from services.repair.domain.states import Outcome, WorkOrderState
from shared.contract.registry import REGISTRY
from shared.contract.stages import STATES, DispatchState, IntakeState, Stage, belongs, rejected, stage_of

T = datetime(2026, 11, 1, tzinfo=timezone.utc)
VARIANTS: dict[str, tuple[str, ...]] = {
    "to_state": tuple(WorkOrderState), "outcome": tuple(Outcome), "result": ("passed", "failed"),
    "return_mode": ("4500", "4561"), "resolution": ("accepted_as_found", "rejected"),
    "destination": ("re_export", "domestic_release", "return_to_owner", "exchange_pool", "destruction"),
}


def variants() -> Iterator[dict[str, Any]]:
    yield {}
    for field, values in VARIANTS.items():
        for value in values:
            yield {field: value}


def test_a_state_belongs_to_one_stage_only():
    every = [state for states in STATES.values() for state in states]
    assert len(every) == len(set(every))
    assert set(STATES) == set(Stage) == {"intake", "repair", "dispatch", "left"}
    assert stage_of("declared") == "intake" and stage_of("exit_declared") == "dispatch" and stage_of("nope") is None
    assert belongs("dispatch", "customs_cleared") and not belongs("dispatch", "declared") and not belongs("x", "x")
    assert rejected("4561") == "rejected_4561" and stage_of(rejected("4500")) == "left"


def test_repair_states_are_repairs_work_order_states_and_outcomes():
    assert set(WorkOrderState) | set(Outcome) <= set(STATES[Stage.repair])


def _statuses() -> Iterator[UnitStatus | None]:
    yield None
    for stage, states in STATES.items():
        for state in states:
            yield UnitStatus(unit_id="u1", owner_id="o", stage=stage, state=state, last_event_type="x", updated_at=T,
                             first_seen_at=T)


def test_every_status_partners_can_give_is_in_its_stages_vocabulary():
    produced = set()
    for spec in REGISTRY.specs():
        for extra in variants():
            data = {"unit_id": "u1", "owner_id": "o", "item_kind": "unit", "return_mode": "4500"} | extra
            for current in _statuses():
                s = apply(current, spec.ce_type, data, "o", T)
                if s is not None and s is not current:
                    produced.add((s.stage, s.state))
    wrong = {(stage, state) for stage, state in produced if not belongs(stage, state)}
    assert not wrong and ("left", "shipped") in produced and ("intake", "declared") in produced


class Event:
    """Any payload the desk handles: fields asked for get a time, a chosen variant, a valid value or a string."""

    def __init__(self, **values: Any) -> None:
        self.values = values

    def __getattr__(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        if name.endswith(("_at", "_deadline")) or name in ("at", "since"):
            return T
        return {"item_kind": "unit", "first_test": True, "passed": True, "return_mode": "4500"}.get(name, "x")


class Repo:
    def __init__(self, row: Any) -> None:
        self.row = row

    async def item(self, _item_id: str) -> Any:
        return self.row

    async def bump(self, *_: Any, **__: Any) -> None:
        return None

    async def bump_histogram(self, *_: Any, **__: Any) -> None:
        return None


ROWS = [None] + [SimpleNamespace(stage=stage, received_at=received, outcome=None)
                 for stage in STATES for received in (None, T)]


async def _desk_changes() -> set[tuple[str | None, str | None]]:
    produced: set[tuple[str | None, str | None]] = set()
    for to_change in dashboard_handlers._BY_EVENT.values():
        for extra in variants():
            for row in ROWS:
                change = await to_change(Event(**extra), Repo(row))  # type: ignore[arg-type]
                if isinstance(change, Change):
                    produced.add((change.stage, change.state))
    return produced


def test_every_state_the_desks_projection_can_give_is_in_its_stages_vocabulary():
    produced = asyncio.run(_desk_changes())
    wrong = {(stage, state) for stage, state in produced if not belongs(stage or "", state or "")}
    assert not wrong
    assert ("dispatch", "exit_declared") in produced and ("intake", "declared") in produced
    assert ("dispatch", "declared") not in produced  # the exit declaration has a name of its own


def test_due_to_ship_is_at_dispatch_bound_to_leave_never_at_intake_nor_kept_bonded():
    assert set(DUE_TO_SHIP) <= set(STATES[Stage.dispatch])
    assert DispatchState.exchange_pool not in DUE_TO_SHIP and IntakeState.declared not in DUE_TO_SHIP
    assert {DispatchState.awaiting_dispatch, DispatchState.destination_decided, DispatchState.exit_declared,
            DispatchState.customs_cleared} <= set(DUE_TO_SHIP)


def test_the_desk_labels_every_state_of_the_vocabulary_and_of_dispatchs_items_in_both_languages():
    every = [state for states in STATES.values() for state in states]
    for lang in i18n.LANGS:
        t = i18n.Translator(lang)
        assert set(i18n.STATES[lang]) == set(every) and [name for name, _ in t.states()] == every
        assert all(t.item_state(s) != s.value or s.value == t.state(s) for s in ItemState)
        assert all(t.item_state(s) in i18n.STATES[lang].values() for s in ItemState if s is not ItemState.in_zone)
    en = i18n.Translator("en")
    assert (en.state("declared"), en.item_state("declared")) == ("entry declared", "exit declared")
