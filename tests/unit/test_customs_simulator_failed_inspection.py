"""The customs SIMULATOR told that the next inspection fails: the list is not released, a gate pass for it and an
amendment of it are refused (the goods go back)."""
from __future__ import annotations

from datetime import timedelta

from services.customs_simulator.platform import Options, Platform
from shared.contract.customs.messages import InspectionKind, Kind, ReceiptKind
from tests.support import customs

T0 = customs.message().sent_at


def test_a_failed_inspection_is_not_released_and_nothing_carries_the_list_afterwards() -> None:
    p = Platform(Options(release_delay_s=1, inspection_delay_s=1))
    p.controls.inspect_next, p.controls.fail_next_inspection = InspectionKind.on_site, True
    accepted, inspection = p.receive(customs.message(), T0)
    assert (accepted.kind, inspection.kind, inspection.inspection) == (
        ReceiptKind.accepted, ReceiptKind.inspection, InspectionKind.on_site)
    later = p.due(T0 + timedelta(seconds=60))
    assert [(r.kind, r.passed) for r in later] == [(ReceiptKind.inspected, False)], "no release follows"
    assert accepted.number is not None and p.declared[accepted.number].state == "failed"
    (refused,) = p.receive(customs.gate_pass([accepted.number]), T0)
    assert refused.kind is ReceiptKind.rejected and "not released" in (refused.reason or "")
    (amend,) = p.receive(customs.message(Kind.amendment, refers_to=accepted.number, reason="fix"), T0)
    assert amend.kind is ReceiptKind.rejected and "not amendable" in (amend.reason or "")
    (next_one, *_) = p.receive(customs.message(), T0)
    assert not p.controls.fail_next_inspection and next_one.kind is ReceiptKind.accepted, "the control is used once"
