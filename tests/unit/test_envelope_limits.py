"""What the envelope refuses so that the consumer dead-letters a record at once instead of wedging on it:
attributes that do not fit the messaging tables, ambiguous or unreadable headers, values that make the
JSON decoder raise something other than a decoding error."""
from __future__ import annotations

import pytest

from shared.contract.envelope import CloudEvent, EnvelopeError

TYPE = "com.bondline.intake.unit.received.v1"


def event() -> CloudEvent:
    return CloudEvent(type=TYPE, source="/bondline/intake", subject="unit-1", data={"unit_id": "unit-1"})


def replaced(name: str, value: bytes) -> list[tuple[str, bytes]]:
    return [(k, value if k == name else v) for k, v in event().headers()]


def read(headers: list[tuple[str, bytes]], value: bytes | None = None) -> CloudEvent:
    return CloudEvent.from_kafka(headers, event().value() if value is None else value)


def test_ce_id_fits_the_inbox_column():
    assert read(replaced("ce_id", b"i" * 100)).id == "i" * 100
    with pytest.raises(EnvelopeError, match="ce_id is 101 characters long, more than 100"):
        read(replaced("ce_id", b"i" * 101))


@pytest.mark.parametrize("name", ["ce_type", "ce_source", "ce_subject", "ce_actor", "ce_time", "content-type"])
def test_other_attributes_are_at_most_200_characters(name):
    with pytest.raises(EnvelopeError, match=f"{name} is 100000 characters long, more than 200"):
        read(replaced(name, b"a" * 100_000) if name != "ce_actor" else event().headers() + [(name, b"a" * 100_000)])


def test_a_long_content_type_that_starts_right_is_still_refused():
    with pytest.raises(EnvelopeError, match="content-type is 100017 characters long"):
        read(replaced("content-type", b"application/json;" + b" " * 100_000))


@pytest.mark.parametrize("name", ["ce_id", "ce_type", "ce_subject", "content-type"])
def test_an_attribute_present_twice_is_ambiguous(name):
    headers = event().headers()
    with pytest.raises(EnvelopeError, match=f"header {name} appears 2 times"):
        read(headers + [h for h in headers if h[0] == name])


@pytest.mark.parametrize("raw, problem", [(b"unit\x00-1", "contains a NUL byte"), (b"\xff\xfe", "is not UTF-8")])
def test_attribute_bytes_must_be_text(raw, problem):
    with pytest.raises(EnvelopeError, match=f"header ce_subject {problem}"):
        read(replaced("ce_subject", raw))


def test_ce_type_must_be_ascii():  # the registry reads its version with int(): "v²" would raise ValueError
    with pytest.raises(EnvelopeError, match="ce_type must be printable ASCII"):
        read(replaced("ce_type", "com.bondline.intake.unit.received.v\u00b2".encode()))


def test_headers_that_are_not_attributes_are_ignored():
    binary = event().headers() + [("traceparent", b"\xff\x00"), ("x-note", b"n"), ("x-note", b"m")]
    assert read(binary).subject == "unit-1"


@pytest.mark.parametrize("value", [b"[" * 100_000, b'{"n": ' + b"1" * 5000 + b"}"],
                         ids=["nested-too-deep", "integer-too-long"])
def test_values_the_json_decoder_chokes_on_are_envelope_errors(value):
    with pytest.raises(EnvelopeError, match="value is not JSON"):
        read(event().headers(), value)


@pytest.mark.parametrize("name", ["ce_id", "ce_type", "ce_source"])
@pytest.mark.parametrize("raw", [b"", None])
def test_required_attributes_are_not_empty(name, raw):  # two events with an empty ce_id would be one in the inbox
    with pytest.raises(EnvelopeError, match=f"{name} is empty"):
        read(replaced(name, raw))  # type: ignore[arg-type]


def test_ce_sequence_fits_a_bigint():  # the consumers' sequence and gap tables hold it in BIGINT columns
    assert read(event().headers() + [("ce_sequence", b"09223372036854775807")]).sequence == 2**63 - 1
    with pytest.raises(EnvelopeError, match="ce_sequence must be a decimal integer from 1 to 9223372036854775807"):
        read(event().headers() + [("ce_sequence", b"09223372036854775808")])
