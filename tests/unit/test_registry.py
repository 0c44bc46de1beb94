"""The event registry: type names and versions, payload validation, events from payloads."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from shared.contract.envelope import CloudEvent
from shared.contract.events.intake import UnitReceived
from shared.contract.registry import REGISTRY, EventRegistry, Payload, SchemaViolation, UnknownEventType
from shared.contract.topics import INTAKE_EVENTS

RECEIVED = "com.bondline.intake.unit.received.v1"


def received_data(**overrides) -> dict:  # type: ignore[no-untyped-def]
    data = {"unit_id": "u-1", "owner_id": "o-1", "serial_number": "SN-1", "part_number": "PN-1",
            "hs_code": "8486900000", "origin": "foreign", "origin_country": "US",
            "declared_value": {"amount": "1200.50", "currency": "USD"},
            "custody_location": "awaiting repair", "received_at": "2025-03-01T08:00:00Z"}
    return data | overrides


def event(data: dict, subject: str = "u-1", type_: str = RECEIVED) -> CloudEvent:
    return CloudEvent(type=type_, source="/bondline/intake", subject=subject, data=data)


def test_spec_for_type_parses_name_and_version():
    spec = REGISTRY.spec_for_type(RECEIVED)
    assert (spec.name, spec.version) == ("com.bondline.intake.unit.received", 1)
    assert spec.model is UnitReceived and spec.topic == INTAKE_EVENTS and spec.ce_type == RECEIVED


@pytest.mark.parametrize("ce_type", [
    "com.bondline.intake.unit.received.v2", "com.bondline.intake.unit.teleported.v1",
    "com.bondline.intake.unit.received", "com.bondline.intake.unit.received.vX", ".v1", "",
])
def test_unknown_type_or_version(ce_type):
    with pytest.raises(UnknownEventType, match="unknown event type or version"):
        REGISTRY.spec_for_type(ce_type)


def test_parse_returns_the_typed_payload():
    payload = REGISTRY.parse(event(received_data()))
    assert isinstance(payload, UnitReceived)
    assert payload.declared_value.currency == "USD" and str(payload.declared_value.amount) == "1200.50"
    assert payload.received_at == datetime(2025, 3, 1, 8, tzinfo=timezone.utc)


def test_missing_field_is_a_schema_violation_naming_it():
    data = received_data()
    del data["serial_number"]
    with pytest.raises(SchemaViolation, match=f"{RECEIVED} violates its schema: serial_number"):
        REGISTRY.parse(event(data))


@pytest.mark.parametrize("hs_code", ["84869", "84869000001", "84869000AB"])
def test_bad_hs_code_is_a_schema_violation(hs_code):
    with pytest.raises(SchemaViolation, match="hs_code"):
        REGISTRY.parse(event(received_data(hs_code=hs_code)))


def test_subject_must_match_unit_id():
    with pytest.raises(SchemaViolation, match="ce_subject 'u-2' differs from unit_id 'u-1'"):
        REGISTRY.parse(event(received_data(), subject="u-2"))


def test_unknown_fields_are_ignored_for_forward_compatibility():
    payload = REGISTRY.parse(event(received_data(added_in_a_later_release="x")))
    assert not hasattr(payload, "added_in_a_later_release")
    assert "added_in_a_later_release" not in payload.model_dump()


def test_to_event_sets_type_subject_source_and_actor():
    payload = REGISTRY.parse(event(received_data()))
    e = REGISTRY.to_event(payload, "/bondline/intake", actor="intake_clerk:ann")
    assert e.type == RECEIVED and e.subject == "u-1"
    assert e.source == "/bondline/intake" and e.actor == "intake_clerk:ann"
    assert e.data["declared_value"] == {"amount": "1200.50", "currency": "USD"}  # JSON mode: decimals as strings
    assert REGISTRY.parse(CloudEvent.from_kafka(e.headers(), e.value())) == payload


def test_registering_the_same_name_and_version_twice_raises():
    registry = EventRegistry()

    @registry.register("com.example.thing.happened", 1, "topic")
    class Happened(Payload):
        """It happened."""

    with pytest.raises(ValueError, match=r"com\.example\.thing\.happened\.v1 registered twice"):
        @registry.register("com.example.thing.happened", 1, "topic")
        class HappenedAgain(Payload):
            pass

    @registry.register("com.example.thing.happened", 2, "topic")
    class HappenedV2(Payload):
        pass

    assert [s.ce_type for s in registry.specs()] == ["com.example.thing.happened.v1",
                                                    "com.example.thing.happened.v2"]
    assert registry.spec_for_model(Happened).summary == "It happened."
