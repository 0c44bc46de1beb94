"""Trace context through events: stamped at publish from the current span, carried in ce_traceparent, and
a consumer's span is a child of it; nothing is added (or costs anything) while tracing is off."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared.contract.envelope import CloudEvent
from shared.messaging import tracing

PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@pytest.fixture
def spans() -> Iterator[tuple[InMemorySpanExporter, trace.Tracer]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.enable()
    saved = tracing._tracer
    tracing._tracer = provider.get_tracer("test")
    yield exporter, provider.get_tracer("test")
    tracing._tracer = saved
    tracing.enable(False)


def event(**kw: object) -> CloudEvent:
    return CloudEvent(type="com.bondline.intake.unit.received.v1", source="/bondline/intake", subject="u-1",
                      data={"unit_id": "u-1"}, **kw)  # type: ignore[arg-type]


def test_an_event_published_inside_a_span_carries_it_and_the_header_round_trips(spans) -> None:  # type: ignore[no-untyped-def]
    _, tracer = spans
    with tracer.start_as_current_span("POST /v1/units/{unit_id}/receipt") as span:
        stamped = tracing.stamped(event())
    ctx = span.get_span_context()
    assert stamped.traceparent == f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"
    back = CloudEvent.from_kafka(stamped.headers(), stamped.value())
    assert back.traceparent == stamped.traceparent
    assert dict(stamped.headers())["ce_traceparent"] == stamped.traceparent.encode()


def test_a_replayed_event_keeps_the_context_it_was_made_in(spans) -> None:  # type: ignore[no-untyped-def]
    _, tracer = spans
    with tracer.start_as_current_span("replay"):
        assert tracing.stamped(event(traceparent=PARENT)).traceparent == PARENT


def test_a_consumers_span_is_a_child_of_the_events_context(spans) -> None:  # type: ignore[no-untyped-def]
    exporter, _ = spans
    with tracing.consuming(event(traceparent=PARENT), "bondline.repair"):
        pass
    (span,) = exporter.get_finished_spans()
    assert span.kind == trace.SpanKind.CONSUMER and span.name == "process com.bondline.intake.unit.received.v1"
    assert span.context.trace_id == int("0af7651916cd43dd8448eb211c80319c", 16)
    assert span.parent is not None and span.parent.span_id == int("b7ad6b7169203331", 16)
    assert span.attributes["messaging.consumer.group.name"] == "bondline.repair"


def test_the_relays_publish_is_a_child_of_the_stored_context(spans) -> None:  # type: ignore[no-untyped-def]
    exporter, _ = spans
    with tracing.publishing("bondline.intake.events", "e-1", "t", [("ce_id", "e-1"), ("ce_traceparent", PARENT)]):
        pass
    (span,) = exporter.get_finished_spans()
    assert span.kind == trace.SpanKind.PRODUCER and span.parent is not None
    assert span.parent.span_id == int("b7ad6b7169203331", 16)


def test_a_malformed_traceparent_starts_a_new_trace_and_is_not_kept(spans) -> None:  # type: ignore[no-untyped-def]
    exporter, _ = spans
    with tracing.consuming(event(traceparent="not-a-traceparent" * 5), "bondline.dispatch"):
        pass
    (span,) = exporter.get_finished_spans()
    assert span.parent is None
    tracing.enable(False)
    assert tracing.current_or("zz" * 30) == (None, None)
    assert tracing.current_or(PARENT, "k=v") == (PARENT, "k=v")


def test_with_tracing_off_nothing_is_added_and_no_span_is_made() -> None:
    assert not tracing.enabled()
    assert tracing.stamped(event()).traceparent is None
    with tracing.consuming(event(traceparent=PARENT), "c"):
        assert not trace.get_current_span().get_span_context().is_valid
    assert tracing.inject({}) == {}
