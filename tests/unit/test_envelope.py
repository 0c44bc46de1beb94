"""CloudEvents 1.0 in Kafka binary mode: headers, key and JSON value, and what a reader refuses."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from shared.contract.envelope import CloudEvent, EnvelopeError

WHEN = datetime(2025, 3, 1, 8, 30, 15, 123456, tzinfo=timezone.utc)


def sample(**overrides) -> CloudEvent:  # type: ignore[no-untyped-def]
    fields = dict(type="com.bondline.intake.unit.received.v1", source="/bondline/intake",
                  subject="unit-42", data={"unit_id": "unit-42", "n": 1}, time=WHEN, actor="intake_clerk:ann")
    return CloudEvent(**(fields | overrides))


def headers_without(event: CloudEvent, *names: str) -> list[tuple[str, bytes]]:
    return [(k, v) for k, v in event.headers() if k not in names]


def with_header(event: CloudEvent, name: str, value: bytes) -> list[tuple[str, bytes]]:
    return headers_without(event, name) + [(name, value)]


def test_binary_mode_headers_key_and_value():
    e = sample()
    h = dict(e.headers())
    assert h["ce_id"] == e.id.encode() and h["ce_source"] == b"/bondline/intake"
    assert h["ce_type"] == b"com.bondline.intake.unit.received.v1"
    assert h["ce_specversion"] == b"1.0"
    assert h["ce_time"] == b"2025-03-01T08:30:15.123456Z"
    assert h["ce_subject"] == b"unit-42" and h["content-type"] == b"application/json"
    assert e.key() == b"unit-42"
    assert json.loads(e.value()) == {"unit_id": "unit-42", "n": 1}  # the value is the data, no envelope


def test_round_trip_keeps_every_attribute():
    e = sample()
    back = CloudEvent.from_kafka(e.headers(), e.value())
    assert back == e
    assert back.time.tzinfo is not None


def test_event_ids_are_unique_by_default():
    assert sample().id != sample().id


def test_actor_header_is_optional():
    e = sample(actor=None)
    assert "ce_actor" not in dict(e.headers())
    assert CloudEvent.from_kafka(e.headers(), e.value()).actor is None


@pytest.mark.parametrize("missing", ["ce_id", "ce_source", "ce_type", "ce_specversion"])
def test_missing_required_header_is_named(missing):
    e = sample()
    with pytest.raises(EnvelopeError, match=f"missing CloudEvents headers: {missing}"):
        CloudEvent.from_kafka(headers_without(e, missing), e.value())


def test_no_headers_at_all():
    with pytest.raises(EnvelopeError, match="ce_id, ce_source, ce_type, ce_specversion"):
        CloudEvent.from_kafka(None, b"{}")


def test_wrong_specversion():
    e = sample()
    with pytest.raises(EnvelopeError, match=r"unsupported ce_specversion '0\.3'"):
        CloudEvent.from_kafka(with_header(e, "ce_specversion", b"0.3"), e.value())


def test_wrong_content_type():
    e = sample()
    with pytest.raises(EnvelopeError, match="unsupported content-type 'application/avro'"):
        CloudEvent.from_kafka(with_header(e, "content-type", b"application/avro"), e.value())


def test_content_type_with_charset_is_accepted():
    e = sample()
    got = CloudEvent.from_kafka(with_header(e, "content-type", b"application/json; charset=utf-8"), e.value())
    assert got.data == e.data


@pytest.mark.parametrize("value, message", [
    (b"{not json", "value is not JSON"),
    (b"\xff\xfe", "value is not JSON"),
    (b"[1, 2]", "value is not a JSON object"),
    (b'"text"', "value is not a JSON object"),
    (None, "record has no value"),
])
def test_value_must_be_a_json_object(value, message):
    with pytest.raises(EnvelopeError, match=message):
        CloudEvent.from_kafka(sample().headers(), value)


@pytest.mark.parametrize("raw", [b"yesterday", b"2025-13-01T00:00:00Z"])
def test_bad_ce_time(raw):
    e = sample()
    with pytest.raises(EnvelopeError, match="ce_time is not RFC 3339"):
        CloudEvent.from_kafka(with_header(e, "ce_time", raw), e.value())


def test_ce_time_without_offset_is_refused():
    e = sample()
    with pytest.raises(EnvelopeError, match="ce_time"):
        CloudEvent.from_kafka(with_header(e, "ce_time", b"2025-03-01T08:30:15"), e.value())


def test_non_utf8_header_is_refused():
    e = sample()
    with pytest.raises(EnvelopeError, match="not UTF-8"):
        CloudEvent.from_kafka(with_header(e, "ce_subject", b"\xff"), e.value())
