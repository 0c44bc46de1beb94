"""Issue 14: withdrawing a pre-alerted unit in the domain: only while announced, with a reason; it frees the serial."""
from __future__ import annotations

import pytest

from services.intake.domain.units import GONE, UnitState
from services.kit.errors import Conflict, RuleViolation
from tests.unit.test_domain_skeleton import NOW, unit


def test_an_announced_unit_is_withdrawn_with_its_reason():
    u = unit()
    u.withdraw("owner cancelled", NOW, "partner:o-1")
    assert (u.state, u.custody_location, u.rejection_reason) == (UnitState.withdrawn, "never arrived",
                                                                 "owner cancelled")
    step = u.history[-1]
    assert (step.action, step.from_state, step.to_state, step.actor) == ("withdraw", "announced", "withdrawn",
                                                                         "partner:o-1")
    assert UnitState.withdrawn in GONE  # its serial may be announced again


def test_a_withdrawal_needs_a_reason_and_an_unarrived_unit():
    with pytest.raises(RuleViolation, match="needs a reason"):
        unit().withdraw(" ", NOW, "c")
    u = unit()
    u.declare("d-1", {}, False, NOW, "c")
    with pytest.raises(Conflict, match="cannot withdraw unit u-1: it is declared; withdraw is allowed from announced"):
        u.withdraw("late", NOW, "c")
