"""Traces: the OpenTelemetry SDK, installed once per process when there is somewhere to send spans.

Spans go over OTLP/HTTP when the standard ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``..._TRACES_ENDPOINT``) is set,
and to JSON lines in ``BONDLINE_TRACES_DIR`` (one file per process) for a look without a collector. With
neither, no SDK is installed and nothing is instrumented: tracing costs nothing. The other standard variables
apply as the SDK reads them (``OTEL_SERVICE_NAME``, ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_TRACES_SAMPLER``,
``OTEL_BSP_*``, ``OTEL_SDK_DISABLED``)."""
from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

from shared.messaging import tracing

QUIET_URLS = "healthz,readyz,metrics"  # probes and scrapes are not traced


class JsonLinesExporter(SpanExporter):
    """Each finished span as one JSON line (the SDK's own span JSON) in a file of this process."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._out: TextIO = path.open("a", encoding="utf-8")

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        for span in spans:
            self._out.write(span.to_json(indent=None) + "\n")
        self._out.flush()
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        self._out.close()


def _otlp_configured() -> bool:
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def _exporters(service: str, command: str, traces_dir: Path | None) -> list[SpanExporter]:
    out: list[SpanExporter] = []
    if _otlp_configured():
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        out.append(OTLPSpanExporter())
    if traces_dir is not None:
        out.append(JsonLinesExporter(traces_dir / f"{service}-{command}-{os.getpid()}.jsonl"))
    return out


def configure(service: str, command: str, traces_dir: Path | None) -> bool:
    """Install the SDK for this process if spans have somewhere to go; True if it did."""
    if os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    exporters = _exporters(service, command, traces_dir)
    if not exporters:
        return False
    resource = Resource.create({"service.name": f"bondline-{service}", "service.namespace": "bondline",
                                "service.instance.id": f"{socket.gethostname()}-{os.getpid()}",
                                "bondline.process": command})
    provider = TracerProvider(resource=resource)
    for exporter in exporters:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    tracing.enable()
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    HTTPXClientInstrumentor().instrument()  # peer calls (gap recovery) and webhook deliveries carry traceparent
    return True


def instrument_app(app: Any) -> None:
    if tracing.enabled():
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
        FastAPIInstrumentor.instrument_app(app, excluded_urls=QUIET_URLS)


def instrument_engine(engine: Any) -> None:
    """Database statements as spans (the async engine's sync core is what the instrumentation hooks)."""
    if tracing.enabled():
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
        SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine)
