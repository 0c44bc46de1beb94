"""The published contract for partners: an AsyncAPI 3.0 document generated from the event registry.

    python -m shared.contract.asyncapi write   # regenerate shared/contract/asyncapi.json
    python -m shared.contract.asyncapi check   # exit 1 when the committed document is stale

Payload schemas are the JSON Schemas of ``schema_tools`` with their ``$defs`` hoisted into
``components/schemas`` (one copy of Money, PartLine, ...), so every ``$ref`` resolves in this document.
Each message carries one example, built from sample values and validated against its payload model.
"""
from __future__ import annotations

import copy
import json
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from shared.contract import events  # noqa: F401  (registers every event)
from shared.contract.envelope import CONTENT_TYPE, SPECVERSION, CloudEvent
from shared.contract.registry import REGISTRY, EventRegistry, EventSpec, Payload
from shared.contract.schema_tools import current_schemas
from shared.contract.topics import ALL_TOPICS, DISPATCH_EVENTS, INTAKE_EVENTS, REPAIR_EVENTS, SOURCE_TOPIC

DOCUMENT = Path(__file__).parent / "asyncapi.json"
HEADERS = "CloudEventsHeaders"
KAFKA_BINDING = "0.5.0"
SOURCES = {topic: f"/bondline/{service}" for service, topic in SOURCE_TOPIC.items()}
PRODUCER = {topic: service for service, topic in SOURCE_TOPIC.items()}

DESCRIPTION = """Events published by bondline, the bonded repair centre and distribution centre, as units move
from intake through repair to dispatch. CloudEvents 1.0 in Kafka binary mode: the attributes travel in
`ce_*` record headers (UTF-8 strings), the record value is the JSON payload. The record key is the unit id
(`ce_subject`; the receipt id for parts receipts; the parent unit for old parts), so one unit's events stay
in one partition and in order. Readers must ignore unknown payload fields; a breaking change is published
as a new `.vN` type beside the old one. Replay: a new consumer group with `auto_offset_reset=earliest`
reads everything the broker retains. Each event carries `ce_sequence`, its number among the producer's events of
the same unit: a gap in it means an event was lost on the way."""


def _t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=timezone.utc)


UNIT, OWNER, WORK_ORDER = "5b8e1f0c-7d2a-4c39-9e61-2f4a8b0d3c17", "owner-fab-1", "c2d94a71-0b5e-4f8a-a3c6-81e7d2f05b94"
OLD_PART = "9a3f6c1e-54b2-4d07-8e19-c6b0a2f7d438"
USD = {"currency": "USD"}
PART_LINE = {"part_number": "AMAT-0190-77110", "lot": "L2026-1107", "quantity": 1,
             "unit_value": {"amount": "640.00", **USD}, "origin": "foreign", "hs_code": "8486909000"}
SHIPMENT = {"shipment_id": "e4f7a2c9-1d38-4b6e-9f05-7a2c1e8d3b60", "carrier": "DHL Global Forwarding",
            "tracking_number": "1234567890", "destination_country": "KR", "incoterm": "DAP"}
EXIT_DOCS = {"supervision_mode": "1371", "gate_pass_no": "GP20261126000042", "gate_pass_type": "2",
             "bonded_inventory_list_no": "QD531626E000000042", "outbound_record_list_no": "OR5316261126000042"}

# Realistic values by field name (one unit's story); per-type overrides in SAMPLE_BY_TYPE.
SAMPLE: dict[str, Any] = {
    "unit_id": UNIT, "owner_id": OWNER, "work_order_id": WORK_ORDER, "item_id": UNIT, "item_kind": "unit",
    "request_id": "0f6b2d84-93a1-4e57-b2c8-5d1e7a9f3c20", "declaration_id": "7e2c5a90-1f4b-4d63-8a7e-3b9c0d6f1e25",
    "receipt_id": "3d7a9c15-e2b4-4f86-9a01-6c5e8b2d4f73", "old_part_id": OLD_PART,
    "test_id": "a1c8e3f5-2b7d-4e90-86c4-0d9f3b5a7e12", "previous_owner_id": "owner-fab-2",
    "serial_number": "KR24-RFG-0042", "part_number": "AMAT-0010-12345", "description": "RF generator 13.56 MHz",
    "expected_serial_number": "KR24-RFG-0042", "expected_part_number": "AMAT-0010-12345",
    "found_serial_number": "KR24-RFG-0024", "found_part_number": "AMAT-0010-12345",
    "hs_code": "8486909000", "origin": "foreign", "origin_country": "KR", "destination_country": "KR",
    "declared_value": {"amount": "18500.00", **USD}, "unit_value": {"amount": "640.00", **USD},
    "repair_fee": {"amount": "1200.00", **USD}, "parts_estimate": {"amount": "640.00", **USD},
    "documents": {"bonded_inventory_list": "QD531626I000000042", "supervision_mode": "1371",
                  "gate_pass": "GP20261121000042", "gate_pass_type": "1", "entry_record_list": "RL5316261121000042"},
    "warranty": False, "fault_description": "no RF output", "catalogue_version": 3,
    "inspection_selected": True, "method": "on_site", "credit_tier": "general", "rate": 0.1,
    "result": "passed", "seals": ["SEAL-204817"], "notes": "seals intact, serial matches",
    "custody_location": "awaiting repair", "condition_notes": "crate intact", "owner_group": "fab-group-east",
    "own_products_only": False, "resolution": "accepted_as_found", "note": "serial typo in the pre-alert",
    "reason": "HS code outside the repair catalogue", "return_mode": "4500",
    "lot": "L2026-1107", "quantity": 1, "bonded": True,
    "action": "start_diagnosis", "from_state": "queued", "to_state": "diagnosing", "technician": "tech-wang",
    "failure_codes": ["RF-OUTPUT"], "findings": "no RF output: driver stage failed", "no_fault_found": False,
    "approval_required": True, "skip_reason": None, "decision": "approved",
    "parts": [PART_LINE], "parts_used": [PART_LINE], "labour_minutes": 90, "old_part_ids": [OLD_PART],
    "procedure": "RF output ATP", "passed": True, "first_test": True,
    "measurements": [{"name": "forward power", "value": 2980.0, "unit": "W", "lower": 2900.0, "upper": 3100.0}],
    "outcome": "repaired", "allowed_routes": ["reexport_0864", "reexport_0865", "destruction_0200",
                                               "destruction_0400"],
    "route": "reexport_0864", "supervision_mode": "0864", "document_no": "531620261203000042", "late": False,
    "destination": "re_export", "tax_estimate": None, "tax": None, "shipment": SHIPMENT,
    "announced_at": _t(20, 2, 15), "declared_at": _t(21, 1, 30), "selected_at": _t(21, 1, 30),
    "inspected_at": _t(21, 3), "found_at": _t(21, 6), "resolved_at": _t(21, 6, 20), "received_at": _t(21, 6, 30),
    "rejected_at": _t(21, 7), "released_at": _t(21, 8), "opened_at": _t(21, 8), "changed_at": _t(22, 1),
    "diagnosed_at": _t(22, 3), "issued_at": _t(22, 4), "decided_at": _t(23, 2), "consumed_at": _t(24, 2),
    "removed_at": _t(24, 2), "tested_at": _t(24, 7), "completed_at": _t(24, 8), "since": _t(24, 8),
    "disposal_deadline": datetime(2027, 2, 22, 2, tzinfo=timezone.utc), "disposed_at": _t(28, 3),
    "allocated_at": _t(25, 2), "at": _t(27, 9),
}
SAMPLE_BY_TYPE: dict[str, dict[str, Any]] = {
    "com.bondline.intake.unit.announced.v1": {"documents": {}},
    "com.bondline.intake.parts.received.v1": {"part_number": "AMAT-0190-77110", "quantity": 10, "documents": {
        "bonded_inventory_list": "QD531626I000000077", "gate_pass": "GP20261118000077"}},
    "com.bondline.repair.old_part.recorded.v1": {"part_number": "AMAT-0190-77110"},
    "com.bondline.repair.old_part.disposed.v1": {"part_number": "AMAT-0190-77110"},
    "com.bondline.dispatch.item.destination_decided.v1": {"decided_at": _t(25, 1)},
    "com.bondline.dispatch.item.exit_declared.v1": {"declared_at": _t(26, 2), "supervision_mode": "1371",
                                                    "documents": EXIT_DOCS},
    "com.bondline.dispatch.item.disposed.v1": {"item_id": OLD_PART, "item_kind": "old_part", "route": "destruction",
                                               "documents": {**EXIT_DOCS, "supervision_mode": "0200",
                                                             "bonded_inventory_list_no": "QD531626E000000043"}},
    "com.bondline.dispatch.item.customs_cleared.v1": {"at": _t(26, 6)},
    "com.bondline.dispatch.item.shipped.v1": {"at": _t(26, 10)},
    "com.bondline.dispatch.item.delivered.v1": {"at": _t(29, 4)},
    "com.bondline.dispatch.item.compliance_held.v1": {
        "hold_id": "c4f1a7e2-5b3d-4e8a-9c60-2d7b1e0f8a93", "scope": "item", "screen": "country",
        "control": "licence_required", "point": "decision", "destination_country": "HK",
        "reason": "3B991 (EAR (US Commerce Control List)) licence required to HK",
        "matched": {"list_name": "country_rules", "classification": "3B991", "regime": "EAR (US Commerce Control List)",
                    "country": "HK"}, "list_version": 4, "held_at": _t(25, 1)},
    "com.bondline.dispatch.item.compliance_released.v1": {
        "hold_id": "c4f1a7e2-5b3d-4e8a-9c60-2d7b1e0f8a93", "resolution": "licence",
        "reason": "BIS licence granted for this re-export", "actor": "compliance_officer:officer-sun",
        "licence": {"number": "D1234567", "valid_from": "2026-11-20", "valid_until": "2027-11-19"},
        "holds_open": 0, "resumes": "destination_decided", "released_at": _t(25, 5)},
    "com.bondline.intake.owner.registered.v1": {"name": "Shanghai Fab One", "kind": "overseas", "country": "SG",
                                                "group": "fab-group-east", "registered_at": _t(19, 9)},
}
ACTOR = {"intake": "intake_clerk:clerk-li", "repair": "technician:tech-wang", "dispatch": "dispatcher:desk-zhao"}
ACTOR_BY_TYPE = {  # who causes the event when it is not the producing service's usual staff
    "com.bondline.intake.unit.inspected.v1": "customs_officer:officer-chen",
    "com.bondline.repair.work_order.quote_decided.v1": "partner:fab1-buyer",
    "com.bondline.repair.work_order.opened.v1": "event:/bondline/intake",
    "com.bondline.dispatch.unit.awaiting_dispatch.v1": "event:/bondline/repair",
    "com.bondline.repair.old_part.disposed.v1": "event:/bondline/dispatch",
    "com.bondline.dispatch.item.compliance_released.v1": "compliance_officer:officer-sun",
}


def example_payload(spec: EventSpec) -> Payload:
    """A realistic payload of ``spec``'s model, validated by the model itself."""
    values = {**SAMPLE, **SAMPLE_BY_TYPE.get(spec.ce_type, {})}
    data = {name: values[name] for name in spec.model.model_fields if values.get(name) is not None}
    return spec.model.model_validate(data)


def example(spec: EventSpec) -> dict[str, Any]:
    payload = example_payload(spec)
    actor = ACTOR_BY_TYPE.get(spec.ce_type, ACTOR[PRODUCER[spec.topic]])
    at = next((getattr(payload, n) for n in type(payload).model_fields if n.endswith("_at") or n in ("at", "since")),
              _t(24, 9))
    event = CloudEvent(type=spec.ce_type, source=SOURCES[spec.topic], subject=payload.subject,
                       data=payload.model_dump(mode="json"), actor=actor,
                       id=str(uuid.uuid5(uuid.NAMESPACE_URL, spec.ce_type)), time=at)
    return {"name": spec.ce_type.split(".")[-2], "summary": spec.summary,
            "headers": {k: v.decode() for k, v in event.headers()}, "payload": event.data}


def headers_schema() -> dict[str, Any]:
    text = {"type": "string"}
    return {
        "type": "object", "title": "CloudEvents 1.0 binary-mode Kafka headers",
        "description": "Record headers, each a UTF-8 string. The record key equals ce_subject.",
        "required": ["ce_id", "ce_source", "ce_type", "ce_specversion", "ce_time", "ce_subject", "content-type"],
        "properties": {
            "ce_id": {**text, "format": "uuid", "description": "event id; consumers de-duplicate on it"},
            "ce_source": {**text, "enum": sorted(SOURCES.values()), "description": "the producing service"},
            "ce_type": {**text, "description": "reverse-DNS, past tense, versioned: the message name"},
            "ce_specversion": {**text, "const": SPECVERSION},
            "ce_time": {**text, "format": "date-time", "description": "RFC 3339, UTC"},
            "ce_subject": {**text, "description": "the unit id (the receipt id for parts receipts)"},
            "ce_actor": {**text, "description": "optional: who caused the event, e.g. intake_clerk:<user>, "
                                                "partner:<user>, event:/bondline/intake"},
            "ce_sequence": {**text, "pattern": "^[0-9]{20}$", "description": (
                "CloudEvents sequence extension: this event's number among its producer's events with the "
                "same ce_subject, 1, 2, 3, ... with no gaps, as 20 zero-padded digits (lexicographic order is "
                "numeric order). A reader holding n that receives n+2 has missed n+1: bondline's services then "
                "fetch it from the producer (GET /v1/events) before applying n+2. Absent on events older "
                "than the extension.")},
            "ce_traceparent": {**text, "pattern": "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
                               "description": (
                "CloudEvents distributed-tracing extension: the W3C Trace Context traceparent of the span that "
                "caused the event (the HTTP request, or the handling of the event that led to it), stored with the "
                "outbox row so the relay publishes that context and not its own. A consumer's handling is a child "
                "span of it, and the webhook deliveries partners sends for the event carry a traceparent header "
                "of the same trace. Optional: absent when the producer traces nothing.")},
            "ce_tracestate": {**text, "description": "optional: W3C Trace Context tracestate that goes with "
                                                     "ce_traceparent (vendor-specific trace data)"},
            "content-type": {**text, "const": CONTENT_TYPE},
        },
    }


def _hoist(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """Move ``$defs`` into the shared ``defs`` (their ``$ref``s are rewritten by ``_point_at_components``)."""
    schema = copy.deepcopy(schema)
    for name, definition in schema.pop("$defs", {}).items():
        if defs.setdefault(name, definition) != definition:
            raise ValueError(f"two events define {name!r} differently; rename one of the models")
    schema["x-json-schema-id"] = schema.pop("$id")
    return schema


def _point_at_components(schemas: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(schemas).replace('"#/$defs/', '"#/components/schemas/'))


def _message(spec: EventSpec) -> dict[str, Any]:
    key_field = spec.model.subject_field
    return {
        "name": spec.ce_type, "title": spec.name.split(".", 2)[-1], "summary": spec.summary,
        "contentType": CONTENT_TYPE,
        "headers": {"allOf": [{"$ref": f"#/components/schemas/{HEADERS}"},
                              {"type": "object", "properties": {"ce_type": {"const": spec.ce_type},
                                                                "ce_source": {"const": SOURCES[spec.topic]}}}]},
        "payload": {"$ref": f"#/components/schemas/{spec.ce_type}"},
        "bindings": {"kafka": {"key": {"type": "string",
                                       "description": f"the payload's {key_field} (equals ce_subject)"},
                               "bindingVersion": KAFKA_BINDING}},
        "x-topic": spec.topic, "x-key-field": key_field,
        "examples": [example(spec)],
    }


def _keys(specs: list[EventSpec]) -> str:
    others = sorted({f"{s.name.split('.')[-2]} events: the {s.model.subject_field}"
                     for s in specs if s.model.subject_field != "unit_id"})
    return "the unit id" + (f" ({'; '.join(others)})" if others else "")


# who reads each topic: consumer group -> (what it does with the events, the topics it subscribes to); the
# services' own subscriptions must match (tests/unit/test_asyncapi.py checks each service's SUBSCRIBE)
CONSUMERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "bondline.intake": ("intake records units that left (shipped) and exits it must know of",
                        (DISPATCH_EVENTS,)),
    "bondline.repair": ("repair opens work orders for released units, takes in parts, disposes of old parts",
                        (INTAKE_EVENTS, DISPATCH_EVENTS)),
    "bondline.dispatch": ("dispatch's items and the bonded ledger", (INTAKE_EVENTS, REPAIR_EVENTS)),
    "bondline.dispatch.desk": ("the dispatch desk's read models and unit timelines (a projection of its own; "
                               "`.g<n>` after the n-th rebuild)", ALL_TOPICS),
    "bondline.partners": ("the owners' journal, unit status, feed and webhooks", ALL_TOPICS),
}


def _receives(specs: list[EventSpec]) -> dict[str, Any]:
    """One receive operation per consumer group and topic (an AsyncAPI 3 operation has one channel)."""
    out: dict[str, Any] = {}
    for group, (what, topics) in CONSUMERS.items():
        for topic in topics:
            name = f"{group.replace('bondline.', '').replace('.', '_')}Receives_{PRODUCER[topic]}"
            out[name] = {
                "action": "receive", "title": f"{group} reads {PRODUCER[topic]}'s events", "description": what,
                "channel": {"$ref": f"#/channels/{topic}"},
                "messages": [{"$ref": f"#/channels/{topic}/messages/{s.ce_type}"} for s in specs if s.topic == topic],
                "bindings": {"kafka": {"groupId": {"type": "string", "enum": [group]},
                                       "bindingVersion": KAFKA_BINDING}},
            }
    return out


def build(registry: EventRegistry = REGISTRY) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    payloads = {t: _hoist(s, defs) for t, s in current_schemas(registry).items()}
    specs = registry.specs()
    channels, operations = {}, {}
    for topic in ALL_TOPICS:
        own = [s for s in specs if s.topic == topic]
        service = PRODUCER[topic]
        channels[topic] = {
            "address": topic, "title": f"{service} events",
            "description": f"Everything {service} publishes. Key: {_keys(own)}; one unit's events are in "
                           "order within their partition.",
            "messages": {s.ce_type: {"$ref": f"#/components/messages/{s.ce_type}"} for s in own},
            "bindings": {"kafka": {"topic": topic, "bindingVersion": KAFKA_BINDING}},
        }
        operations[f"{service}Publishes"] = {
            "action": "send", "title": f"{service} publishes its events",
            "channel": {"$ref": f"#/channels/{topic}"},
            "messages": [{"$ref": f"#/channels/{topic}/messages/{s.ce_type}"} for s in own],
        }
    operations |= _receives(specs)
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "bondline events", "version": "1.0.0", "description": DESCRIPTION,
                 },
        "defaultContentType": CONTENT_TYPE,
        "servers": {"local": {"host": "127.0.0.1:9092", "protocol": "kafka",
                              "description": "the embedded broker of `make run`; production brokers differ"}},
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": _point_at_components({HEADERS: headers_schema(), **dict(sorted(defs.items())), **payloads}),
            "messages": {s.ce_type: _message(s) for s in specs},
        },
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def is_current(path: Path | None = None) -> bool:
    path = path or DOCUMENT
    return path.exists() and path.read_text() == render(build())


def main(argv: list[str]) -> int:
    if argv[:1] == ["write"]:
        DOCUMENT.write_text(render(build()))
        return 0
    if argv[:1] in (["check"], []):
        if is_current():
            return 0
        print(f"{DOCUMENT.name} is stale; run `make schemas`")
        return 1
    print("usage: python -m shared.contract.asyncapi [write|check]")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
