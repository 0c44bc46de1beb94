"""Trace context through the outbox and the topics (the CloudEvents distributed-tracing extension).

An event staged inside a span (an HTTP request, or another event's handling) carries that span's W3C
``traceparent``/``tracestate`` as ``ce_traceparent``/``ce_tracestate``; the outbox row keeps them, so the relay
publishes the context of what caused the event, not its own. The relay's publish and each consumer's handling
are spans whose parent is that context: a unit's request, its events and their effects in every service form
one trace. Only the OpenTelemetry API is used here; services/kit/telemetry.py installs the SDK and calls
``enable()``. Until then (no exporter configured) nothing here costs more than a flag test."""
from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.contract.envelope import CloudEvent

_W3C = TraceContextTextMapPropagator()
TRACEPARENT = re.compile(r"[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}")
_tracer = trace.get_tracer("bondline.messaging")
_enabled = False


def enable(on: bool = True) -> None:
    global _enabled
    _enabled = on


def enabled() -> bool:
    return _enabled


def stamped(event: CloudEvent) -> CloudEvent:
    """The event with the current span's context, unless it already carries one (a replayed event)."""
    if not _enabled or event.traceparent:
        return event
    carrier: dict[str, str] = {}
    _W3C.inject(carrier)
    if "traceparent" not in carrier:
        return event
    return replace(event, traceparent=carrier["traceparent"], tracestate=carrier.get("tracestate") or None)


def context_from_headers(headers: Iterable[tuple[str, str | bytes]]) -> Context:
    """The context in a record's ``ce_traceparent``/``ce_tracestate`` headers; an empty one if absent or invalid."""
    carrier = {}
    for name, value in headers:
        if name in ("ce_traceparent", "ce_tracestate"):
            carrier[name[3:]] = value.decode(errors="replace") if isinstance(value, bytes) else value
    return _W3C.extract(carrier)


def context_of(traceparent: str | None, tracestate: str | None = None) -> Context:
    carrier = {"traceparent": traceparent or ""}
    if tracestate:
        carrier["tracestate"] = tracestate
    return _W3C.extract(carrier)


def _attributes(event: CloudEvent, consumer: str | None = None) -> dict[str, str]:
    out = {"messaging.system": "kafka", "messaging.message.id": event.id,
           "cloudevents.event_id": event.id, "cloudevents.event_type": event.type,
           "cloudevents.event_source": event.source, "cloudevents.event_subject": event.subject}
    if consumer:
        out["messaging.consumer.group.name"] = consumer
    return out


@contextlib.contextmanager
def consuming(event: CloudEvent, consumer: str) -> Iterator[None]:
    """A consumer's handling of one event: a child of the span that caused the event."""
    if not _enabled:
        yield
        return
    parent = context_of(event.traceparent, event.tracestate)
    attributes = _attributes(event, consumer) | {"messaging.operation.type": "process"}
    with _tracer.start_as_current_span(f"process {event.type}", context=parent, kind=SpanKind.CONSUMER,
                                       attributes=attributes):
        yield


@contextlib.contextmanager
def publishing(topic: str, event_id: str, event_type: str, headers: Iterable[tuple[str, str]]) -> Iterator[None]:
    """The relay's send of one outbox row: a child of the span that staged it."""
    if not _enabled:
        yield
        return
    with _tracer.start_as_current_span(f"publish {topic}", context=context_from_headers(headers),
                                       kind=SpanKind.PRODUCER,
                                       attributes={"messaging.system": "kafka", "messaging.destination.name": topic,
                                                   "messaging.operation.type": "send",
                                                   "messaging.message.id": event_id,
                                                   "cloudevents.event_type": event_type}):
        yield


def current_or(traceparent: str | None, tracestate: str | None = None) -> tuple[str | None, str | None]:
    """The current span's context (a consumer's handling), else the one given (the event's own)."""
    if _enabled:
        carrier: dict[str, str] = {}
        _W3C.inject(carrier)
        if "traceparent" in carrier:
            return carrier["traceparent"], carrier.get("tracestate") or None
    if traceparent is None or not TRACEPARENT.fullmatch(traceparent):  # a producer's malformed header is not kept
        return None, None
    return traceparent, tracestate


def inject(headers: dict[str, str]) -> dict[str, str]:
    """``traceparent``/``tracestate`` of the current span added to outgoing HTTP headers (W3C Trace Context)."""
    if _enabled:
        _W3C.inject(headers)
    return headers


@contextlib.contextmanager
def child_of(name: str, traceparent: str | None, tracestate: str | None = None,
             attributes: dict[str, str] | None = None) -> Iterator[None]:
    """A span whose parent is a stored context (a journal entry's), for work done later in another task."""
    if not _enabled:
        yield
        return
    with _tracer.start_as_current_span(name, context=context_of(traceparent, tracestate), kind=SpanKind.CLIENT,
                                       attributes=attributes or {}):
        yield
