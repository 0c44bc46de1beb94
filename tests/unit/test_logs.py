"""Log lines: JSON with the service, level, logger, trace and unit context; access lines; nothing secret."""
from __future__ import annotations

import contextvars
import io
import json
import logging
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider

from services.kit import logs
from services.kit.auth import issue_token
from shared import logcontext

SECRET = "a-signing-secret-of-at-least-32-characters"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    logs.configure("intake", "INFO", "json", secrets=[SECRET])
    stream = io.StringIO()
    root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
    yield stream
    root.handlers[:] = saved
    root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_json_line_names_service_level_logger_and_the_work_it_is_about(captured: io.StringIO) -> None:
    with logcontext.bound(unit_id="u-1", event_id="e-1", event_type="repair.completed.v1"):
        logging.getLogger("bondline.consumer").warning("handled %s", "it")
    logging.getLogger("bondline.consumer").info("outside")
    first, second = lines(captured)
    assert first["service"] == "intake" and first["level"] == "warning" and first["logger"] == "bondline.consumer"
    assert first["message"] == "handled it"
    assert (first["unit_id"], first["event_id"], first["event_type"]) == ("u-1", "e-1", "repair.completed.v1")
    assert "unit_id" not in second, "the context ends with its block"
    assert str(first["time"]).endswith("+00:00")


def test_the_trace_and_span_of_the_current_span_are_on_the_line(captured: io.StringIO) -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("work") as span:
        logging.getLogger("bondline.app").info("inside a span")
    ctx = span.get_span_context()
    (line,) = lines(captured)
    assert line["trace_id"] == f"{ctx.trace_id:032x}" and line["span_id"] == f"{ctx.span_id:016x}"


def test_an_access_line_has_method_route_status_and_duration(captured: io.StringIO) -> None:
    def request() -> None:  # a request runs in its own task, so in its own copy of the context
        logcontext.bind(actor="clerk:ann")
        logs.access("POST", "/v1/units/{unit_id}/receipt", 201, 0.01234)

    contextvars.copy_context().run(request)
    assert "actor" not in logcontext.current()
    (line,) = lines(captured)
    assert line["logger"] == logs.ACCESS
    assert (line["method"], line["route"], line["status"], line["duration_ms"]) == (
        "POST", "/v1/units/{unit_id}/receipt", 201, 12.3)
    assert line["actor"] == "clerk:ann"


def test_tokens_secrets_and_passwords_never_reach_a_line(captured: io.StringIO) -> None:
    token = issue_token(SECRET, "ann", "intake_clerk")
    log = logging.getLogger("bondline.app")
    log.info("header Authorization: Bearer %s", token)
    log.info("raw bearer: Bearer abcdefgh12345678")
    log.info("endpoint secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    log.info("db postgresql+asyncpg://intake:hunter2hunter2@db:5432/intake")
    log.info("the secret itself: %s", SECRET)
    try:
        raise RuntimeError(f"failed with {token}")
    except RuntimeError:
        log.exception("boom")
    text = captured.getvalue()
    for leaked in (token, "abcdefgh12345678", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "hunter2hunter2", SECRET):
        assert leaked not in text
    assert "postgresql+asyncpg://intake:***@db:5432/intake" in text
    assert len(lines(captured)) == 6


def test_uvicorn_lines_go_through_the_same_formatter(captured: io.StringIO) -> None:
    logging.getLogger("uvicorn.error").info("Started server process")
    (line,) = lines(captured)
    assert line["logger"] == "uvicorn.error" and line["service"] == "intake"


def test_console_format_is_one_readable_line_with_the_context() -> None:
    formatter = logs.ConsoleFormatter("repair", logs.Redactor())
    record = logging.LogRecord("bondline.consumer", logging.INFO, __file__, 1, "applied", None, None)
    with logcontext.bound(unit_id="u-9"):
        text = formatter.format(record)
    assert " repair INFO bondline.consumer: applied [unit_id=u-9]" in text and "\n" not in text


def test_production_defaults_to_json_elsewhere_to_console_and_a_setting_wins() -> None:
    assert logs.choose_format(None, "production") == "json"
    assert logs.choose_format(None, "development") == "console"
    assert logs.choose_format("json", "development") == "json"


def test_an_unknown_context_field_is_refused() -> None:
    with pytest.raises(ValueError, match="not a log context field: colour"):
        logcontext.bind(colour="red")
