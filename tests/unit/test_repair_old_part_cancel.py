"""An old part's disposal cancelled with its exit declaration (删单), in plain Python."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.kit.errors import Conflict, RuleViolation
from services.repair.domain.old_parts import DisposalRoute, OldPart

NOW = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


def part() -> OldPart:
    return OldPart.removed(disposal_days=90, removed_at=NOW, origin="foreign", id="op-1", unit_id="u-1",
                           work_order_id="wo-1", owner_id="fab-1", part_number="PN-X", quantity=1)


def test_cancelled_disposal_awaits_disposal_again_with_the_reason_in_the_note():
    p = part()
    p.dispose(DisposalRoute.reexport_0865, "QD1", NOW, "dispatch", "declared by dispatch (re_export)")
    assert p.disposed_under("QD1") and not p.disposed_under("QD2") and not p.disposed_under("")
    p.cancel_disposal("wrong consignee", NOW + timedelta(hours=1), "dee")
    assert (p.route, p.document_no, p.disposed_at, p.disposed_by) == (None, None, None, None)
    assert "wrong consignee" in p.note and "dee" in p.note and "reexport_0865 QD1" in p.note
    assert not p.disposed_under("QD1") and p.overdue(NOW + timedelta(days=91))
    assert p.dispose(DisposalRoute.destruction_0200, "QD2", NOW + timedelta(days=1), "dispatch") is False


def test_only_a_disposed_part_with_a_reason_can_have_its_disposal_cancelled():
    p = part()
    with pytest.raises(Conflict, match="not disposed of"):
        p.cancel_disposal("why", NOW, "dee")
    p.dispose(DisposalRoute.reexport_0864, "QD1", NOW, "dispatch")
    with pytest.raises(RuleViolation, match="needs a reason"):
        p.cancel_disposal(" ", NOW, "dee")
    assert p.disposed_under("QD1")
