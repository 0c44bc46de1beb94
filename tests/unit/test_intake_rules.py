"""Intake's domain rules: catalogue eligibility, document formats, the unit's state machine."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from services.intake.domain.catalogue import Catalogue, Entry, Prohibition
from services.intake.domain.declarations import Declaration
from services.intake.domain.documents import DocumentFormats, GatePassType, check_inventory_list
from services.intake.domain.units import GONE, Origin, Unit, UnitState
from services.kit.errors import Conflict, RuleViolation

NOW = datetime(2026, 11, 24, tzinfo=timezone.utc)
CAT = Catalogue(3, {"8486909000": Entry("8486909000", "parts"), "8542311000": Entry("8542311000", "ICs", True)},
                [Prohibition("93", "arms")])


def test_catalogue_decisions_name_rule_and_version() -> None:
    assert CAT.decide("8486909000", None, None).catalogue_version == 3
    with pytest.raises(RuleViolation, match=r"prohibited.*catalogue version 3"):
        CAT.decide("9301100000", None, None)
    with pytest.raises(RuleViolation, match=r"not_in_catalogue.*version 3"):
        CAT.decide("8471300000", None, None)
    with pytest.raises(RuleViolation, match="own_products_only"):
        CAT.decide("8542311000", "groupA", "groupB")
    assert CAT.decide("8542311000", "groupA", "groupA").entry.own_products_only


def test_every_catalogue_edit_is_a_new_version() -> None:
    edited = CAT.with_entry(Entry("9030820000", "wafer testers"))
    assert edited.version == 4 and "9030820000" in edited.entries and "9030820000" not in CAT.entries
    assert CAT.without_entry("8486909000").version == 4
    with pytest.raises(RuleViolation):
        CAT.without_entry("0000000000")


@pytest.mark.parametrize("number,ok", [
    ("QD224426I000000001", True), ("QD224426E000000001", False), ("QD22442I000000001", False),
    ("XX224426I000000001", False), ("QD224426I00000000A", False), ("QD224426I0000000011", False)])
def test_inventory_list_number_format(number: str, ok: bool) -> None:
    if ok:
        check_inventory_list(number, "I")
    else:
        with pytest.raises(RuleViolation):
            check_inventory_list(number, "I")


def declaration(origin: Origin, **over: object) -> Declaration:
    base = dict(id="d1", bonded_inventory_list_no="QD224426I000000001", supervision_mode="1371",
                gate_pass_no="HF22440000000001", gate_pass_type=GatePassType.integrated_entry, origin=origin,
                unit_ids=["u1"], declared_at=NOW)
    return Declaration(**(base | over))  # type: ignore[arg-type]


@pytest.mark.parametrize("origin,over,message", [
    (Origin.foreign, {}, "entry record list"),
    (Origin.foreign, {"entry_record_list_no": "ER2244000000000001", "export_declaration_no": "224400000000000001"},
     "without a 1300"),
    (Origin.domestic, {}, "1300 export declaration"),
    (Origin.domestic, {"export_declaration_no": "12345"}, "customs declaration format"),
    (Origin.foreign, {"entry_record_list_no": "ER2244000000000001", "supervision_mode": "0110"}, "1371"),
    (Origin.foreign, {"entry_record_list_no": "ER2244000000000001", "gate_pass_no": "x"}, "gate pass"),
])
def test_declaration_mode_and_origin_mismatches_are_refused(origin: Origin, over: dict, message: str) -> None:
    with pytest.raises(RuleViolation, match=message):
        declaration(origin, **over).check(DocumentFormats())


def unit() -> Unit:
    return Unit.announce(NOW, "clerk", id="u1", request_id="r1", owner_id="o1", serial_number="S1",
                         part_number="P1", hs_code="8486909000", origin=Origin.foreign,
                         declared_value=Decimal("10"), currency="USD", catalogue_version=1, origin_country="US")


def test_happy_path_and_history() -> None:
    u = unit()
    u.declare("d1", {"bonded_inventory_list": "QD224426I000000001"}, False, NOW, "clerk")
    assert u.state is UnitState.declared and u.customs_released
    assert u.receive("S1", "P1", "ok", NOW, "clerk") and u.custody_location == "awaiting repair"
    u.release_to_repair(NOW, "tech")
    assert [s.action for s in u.history] == ["announce", "declare", "receive", "release"]
    assert u.history[-1].actor == "tech"


def test_a_unit_leaves_the_zone_once_after_its_release() -> None:
    u = unit()
    u.declare("d1", {}, False, NOW, "clerk")
    u.receive("S1", "P1", "ok", NOW, "clerk")
    u.release_to_repair(NOW, "tech")
    assert u.exit_zone(NOW, "event:dispatch", "shipment s1 to US", {"shipment_id": "s1"})
    assert u.state is UnitState.exited and u.custody_location == "left the zone"
    assert (u.history[-1].action, u.history[-1].documents) == ("exit", {"shipment_id": "s1"})
    assert not u.exit_zone(NOW, "event:dispatch", "again", {})  # a redelivered fact changes nothing
    assert len(u.history) == 5
    assert UnitState.exited in GONE and UnitState.rejected in GONE and UnitState.received not in GONE


@pytest.mark.parametrize("action", ["receive", "release", "resolve", "exit"])
def test_illegal_transitions_name_the_allowed_states(action: str) -> None:
    u = unit()
    calls = {"receive": lambda: u.receive("S1", "P1", "", NOW, "c"), "release": lambda: u.release_to_repair(NOW, "c"),
             "resolve": lambda: u.resolve(True, "", NOW, "c"), "exit": lambda: u.exit_zone(NOW, "c", "", {})}
    with pytest.raises(Conflict, match="allowed from") as err:
        calls[action]()
    assert err.value.details["state"] == "announced"


def test_return_mode_depends_on_customs_release() -> None:
    pending = unit()
    pending.declare("d1", {}, True, NOW, "clerk")
    assert pending.reject("wrong goods", NOW, "officer") == "4500"
    received = unit()
    received.declare("d2", {}, False, NOW, "clerk")
    received.receive("S1", "P1", "", NOW, "clerk")
    assert received.reject("found ineligible", NOW, "clerk") == "4561"
    with pytest.raises(Conflict):
        received.reject("again", NOW, "clerk")


def test_discrepancy_accepted_as_found_records_what_arrived() -> None:
    u = unit()
    u.declare("d1", {}, False, NOW, "clerk")
    assert not u.receive("S2", "P1", "", NOW, "clerk") and u.state is UnitState.discrepancy
    u.resolve(True, "owner confirmed the swap", NOW, "clerk")
    assert u.state is UnitState.received and u.serial_number == "S2"
