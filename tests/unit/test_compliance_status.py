"""What owners see of compliance holds (partners' unit status): on hold while any hold is open, then back where the
unit was (the release's ``resumes``), always in the stage vocabulary."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.partners.domain.unit_status import UnitStatus, apply

T = datetime(2026, 12, 3, tzinfo=timezone.utc)
D = "com.bondline.dispatch.item."
BASE = {"unit_id": "u1", "owner_id": "o", "item_id": "u1", "item_kind": "unit"}


def _at(status: UnitStatus | None, name: str, minutes: int, **data: object) -> UnitStatus:
    moved = apply(status, f"{D}{name}.v1", BASE | data, "o", T + timedelta(minutes=minutes))
    assert moved is not None
    return moved


def test_a_hold_shows_until_the_last_one_is_released_then_the_unit_is_where_it_was():
    s = _at(None, "destination_decided", 0)
    s = _at(s, "compliance_held", 1)
    assert (s.stage, s.state) == ("dispatch", "compliance_hold")
    s = _at(s, "compliance_released", 2, holds_open=1, resumes="destination_decided")
    assert s.state == "compliance_hold"
    s = _at(s, "compliance_released", 3, holds_open=0, resumes="exit_declared")
    assert (s.stage, s.state) == ("dispatch", "exit_declared")


def test_an_old_parts_hold_leaves_the_units_status_alone():
    s = _at(None, "destination_decided", 0)
    assert _at(s, "compliance_held", 1, item_kind="old_part").state == "destination_decided"
