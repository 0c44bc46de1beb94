"""CloudEvents 1.0 in Kafka binary mode: attributes in ``ce_*`` headers, JSON data as value."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"
REQUIRED = ("id", "source", "type", "specversion")


class EnvelopeError(ValueError):
    """A record that is not a valid CloudEvent in binary mode."""


@dataclass(frozen=True)
class CloudEvent:
    type: str
    source: str
    subject: str
    data: dict[str, Any]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    specversion: str = SPECVERSION
    actor: str | None = None  # extension attribute: who caused the event
    sequence: int | None = None
    """CloudEvents ``sequence`` extension: the producer's per-subject (unit) counter, 1, 2, 3, ... with
    no gaps, sent as a 20-digit zero-padded decimal so that it orders lexicographically as the spec
    asks. A consumer that sees n+2 of a unit after n knows that n+1 is missing."""

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
        return [(k, v.encode()) for k, v in attrs.items()]

    def value(self) -> bytes:
        return json.dumps(self.data, separators=(",", ":"), sort_keys=True).encode()

    def key(self) -> bytes:
        return self.subject.encode()

    @classmethod
    def from_kafka(cls, headers: list[tuple[str, bytes]] | None, value: bytes | None) -> CloudEvent:
        attrs = _decode_headers(headers or [])
        missing = [a for a in REQUIRED if f"ce_{a}" not in attrs]
        if missing:
            raise EnvelopeError(f"missing CloudEvents headers: {', '.join('ce_' + m for m in missing)}")
        if attrs["ce_specversion"] != SPECVERSION:
            raise EnvelopeError(f"unsupported ce_specversion {attrs['ce_specversion']!r}")
        ctype = attrs.get("content-type", CONTENT_TYPE)
        if not ctype.startswith(CONTENT_TYPE):
            raise EnvelopeError(f"unsupported content-type {ctype!r}")
        data = _decode_json(value)
        return cls(
            type=attrs["ce_type"], source=attrs["ce_source"], subject=attrs.get("ce_subject", ""),
            data=data, id=attrs["ce_id"], time=_parse_time(attrs.get("ce_time")),
            specversion=attrs["ce_specversion"], actor=attrs.get("ce_actor"),
            sequence=_parse_sequence(attrs.get("ce_sequence")),
        )


def format_sequence(n: int) -> str:
    return f"{n:020d}"


def _parse_sequence(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 20 or int(raw) < 1:
        raise EnvelopeError(f"ce_sequence must be a positive decimal integer of at most 20 digits: {raw[:40]!r}")
    return int(raw)


def _iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _parse_time(raw: str | None) -> datetime:
    if not raw:
        return datetime.now(timezone.utc)
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise EnvelopeError(f"ce_time is not RFC 3339: {raw!r}") from exc
    if parsed.tzinfo is None:
        raise EnvelopeError(f"ce_time has no UTC offset, so it is not RFC 3339: {raw!r}")
    return parsed


def _decode_headers(headers: list[tuple[str, bytes]]) -> dict[str, str]:
    try:
        return {k: (v or b"").decode() for k, v in headers}
    except UnicodeDecodeError as exc:
        raise EnvelopeError("a header is not UTF-8") from exc


def _decode_json(value: bytes | None) -> dict[str, Any]:
    if value is None:
        raise EnvelopeError("record has no value")
    try:
        data = json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EnvelopeError(f"value is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise EnvelopeError("value is not a JSON object")
    return data
