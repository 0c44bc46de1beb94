"""CloudEvents 1.0 in Kafka binary mode: attributes in ``ce_*`` headers, JSON data as value."""
from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from shared.clock import utc_now

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"
REQUIRED = ("id", "source", "type", "specversion")
MAX_ID = 100          # the inbox's event_id column
MAX_ATTRIBUTE = 200   # the event_type, source and key columns of the messaging tables
MAX_SEQUENCE = 2**63 - 1  # the sequence tables' BIGINT columns


class EnvelopeError(ValueError):
    """A record that is not a valid CloudEvent in binary mode."""


@dataclass(frozen=True)
class CloudEvent:
    type: str
    source: str
    subject: str
    data: dict[str, Any]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=utc_now)
    specversion: str = SPECVERSION
    actor: str | None = None  # extension attribute: who caused the event
    sequence: int | None = None
    """CloudEvents ``sequence`` extension: the producer's per-subject (unit) counter, 1, 2, 3, ... with
    no gaps, sent as a 20-digit zero-padded decimal so that it orders lexicographically as the spec
    asks. A consumer that sees n+2 of a unit after n knows that n+1 is missing."""
    traceparent: str | None = None
    """CloudEvents distributed-tracing extension (W3C Trace Context): the span that caused the event, so a
    consumer's handling joins the trace of the request (or event) that made it. Set when the event is staged."""
    tracestate: str | None = None

    def headers(self) -> list[tuple[str, bytes]]:
        attrs = {
            "ce_id": self.id, "ce_source": self.source, "ce_type": self.type,
            "ce_specversion": self.specversion, "ce_time": _iso(self.time),
            "ce_subject": self.subject, "content-type": CONTENT_TYPE,
        }
        if self.actor:
            attrs["ce_actor"] = self.actor
        if self.sequence is not None:
            attrs["ce_sequence"] = format_sequence(self.sequence)
        if self.traceparent:
            attrs["ce_traceparent"] = self.traceparent
        if self.tracestate:
            attrs["ce_tracestate"] = self.tracestate
        return [(k, v.encode()) for k, v in attrs.items()]

    def value(self) -> bytes:
        return json.dumps(self.data, separators=(",", ":"), sort_keys=True).encode()

    def key(self) -> bytes:
        return self.subject.encode()

    @classmethod
    def from_kafka(cls, headers: list[tuple[str, bytes]] | None, value: bytes | None) -> CloudEvent:
        """Read a record in binary mode; any record that is not a usable event raises EnvelopeError."""
        attrs = _attributes(headers or [])
        _check_required(attrs)
        ctype = attrs.get("content-type", CONTENT_TYPE)
        if not ctype.startswith(CONTENT_TYPE):
            raise EnvelopeError(f"unsupported content-type {ctype!r}")
        data = _decode_json(value)
        return cls(
            type=attrs["ce_type"], source=attrs["ce_source"], subject=attrs.get("ce_subject", ""),
            data=data, id=attrs["ce_id"], time=_parse_time(attrs.get("ce_time")),
            specversion=attrs["ce_specversion"], actor=attrs.get("ce_actor"),
            sequence=_parse_sequence(attrs.get("ce_sequence")),
            traceparent=attrs.get("ce_traceparent"), tracestate=attrs.get("ce_tracestate"),
        )


def _check_required(attrs: dict[str, str]) -> None:
    missing = [a for a in REQUIRED if f"ce_{a}" not in attrs]
    if missing:
        raise EnvelopeError(f"missing CloudEvents headers: {', '.join('ce_' + m for m in missing)}")
    empty = [f"ce_{a}" for a in REQUIRED if not attrs[f"ce_{a}"]]
    if empty:
        raise EnvelopeError(f"{empty[0]} is empty")
    if attrs["ce_specversion"] != SPECVERSION:
        raise EnvelopeError(f"unsupported ce_specversion {attrs['ce_specversion']!r}")
    if not (attrs["ce_type"].isascii() and attrs["ce_type"].isprintable()):
        raise EnvelopeError(f"ce_type must be printable ASCII (a reverse-DNS name): {attrs['ce_type']!r}")


def format_sequence(n: int) -> str:
    return f"{n:020d}"


def _parse_sequence(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 20 or not 1 <= int(raw) <= MAX_SEQUENCE:
        raise EnvelopeError(f"ce_sequence must be a decimal integer from 1 to {MAX_SEQUENCE} (a BIGINT column), "
                            f"in at most 20 digits: {raw[:40]!r}")
    return int(raw)


def _iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _parse_time(raw: str | None) -> datetime:
    if not raw:
        return utc_now()
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise EnvelopeError(f"ce_time is not RFC 3339: {raw!r}") from exc
    if parsed.tzinfo is None:
        raise EnvelopeError(f"ce_time has no UTC offset, so it is not RFC 3339: {raw!r}")
    return parsed


def _is_attribute(name: str) -> bool:
    return name.startswith("ce_") or name == "content-type"


def _attributes(headers: list[tuple[str, bytes]]) -> dict[str, str]:
    """The CloudEvents attributes (``ce_*`` headers) and content-type: each once, as text that fits the
    messaging tables. Other headers (tracing, a partner's own) are not the envelope's and are ignored."""
    counts = Counter(k for k, _ in headers if _is_attribute(k))
    twice = [name for name, n in counts.items() if n > 1]
    if twice:
        raise EnvelopeError(f"header {twice[0]} appears {counts[twice[0]]} times: ambiguous")
    return {k: _attribute_text(k, v) for k, v in headers if _is_attribute(k)}


def _attribute_text(name: str, raw: bytes | None) -> str:
    try:
        text = (raw or b"").decode()
    except UnicodeDecodeError:
        raise EnvelopeError(f"header {name} is not UTF-8") from None
    if "\x00" in text:
        raise EnvelopeError(f"header {name} contains a NUL byte")
    limit = MAX_ID if name == "ce_id" else MAX_ATTRIBUTE
    if len(text) > limit:
        raise EnvelopeError(f"{name} is {len(text)} characters long, more than {limit}")
    return text


def _decode_json(value: bytes | None) -> dict[str, Any]:
    if value is None:
        raise EnvelopeError("record has no value")
    try:
        data = json.loads(value)
    except (ValueError, RecursionError) as exc:  # bad bytes or syntax, an integer too long, nesting too deep
        raise EnvelopeError(f"value is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise EnvelopeError("value is not a JSON object")
    return data
