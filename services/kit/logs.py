"""Logging for every process: one formatter for the service's own loggers, uvicorn's and the libraries'.

JSON lines (``BONDLINE_LOG_FORMAT=json``, the default under ``BONDLINE_ENV=production``): time, service,
level, logger, message, the trace and span ids of the current span, the unit, event and actor the work is
about (shared/logcontext.py), and an access line's method, route, status and duration. ``console`` (the
default elsewhere) is one readable line with the same context at its end. Whatever the format, tokens,
webhook secrets, database passwords and the signing secret are masked before a line is written."""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any, Literal

from opentelemetry import trace

from shared import logcontext

Format = Literal["console", "json"]
ACCESS = "bondline.access"
ACCESS_FIELDS = ("method", "route", "status", "duration_ms")
MASK = "***"
_PATTERNS = (
    re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"),  # a JWT
    re.compile(r"(?i)(?<=bearer )[A-Za-z0-9._~+/=-]{8,}"),                      # Authorization: Bearer <x>
    re.compile(r"whsec_[A-Za-z0-9+/=]{8,}"),                                     # a Standard Webhooks secret
    re.compile(r"(?<=://)([^:/@\s]+):[^@\s]+(?=@)"),                             # user:password@ in a URL
)


class Redactor:
    """Masks what must never reach a log: token and secret shapes, and the literal secrets it is given."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        for pattern in _PATTERNS:
            text = pattern.sub(_mask, text)
        return text


def _mask(m: re.Match[str]) -> str:
    return f"{m.group(1)}:{MASK}" if m.re is _PATTERNS[3] else MASK


def _context(record: logging.LogRecord) -> dict[str, Any]:
    out: dict[str, Any] = {}
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        out["trace_id"], out["span_id"] = f"{span.trace_id:032x}", f"{span.span_id:016x}"
    out.update(logcontext.current())
    out.update({k: getattr(record, k) for k in ACCESS_FIELDS if hasattr(record, k)})
    return out


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str, redact: Redactor) -> None:
        super().__init__()
        self.service, self.redact = service, redact

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "service": self.service, "level": record.levelname.lower(), "logger": record.name,
            "message": self.redact(record.getMessage()),
        }
        line.update(_context(record))
        if record.exc_info:
            line["exception"] = self.redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


class ConsoleFormatter(logging.Formatter):
    def __init__(self, service: str, redact: Redactor) -> None:
        super().__init__(f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s")
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        context = {k: v for k, v in _context(record).items() if k not in ACCESS_FIELDS and k != "span_id"}
        if context:
            text += " [" + " ".join(f"{k}={v}" for k, v in context.items()) + "]"
        return self.redact(text)


def choose_format(setting: Format | None, env: str) -> Format:
    if setting is not None:
        return setting
    return "json" if env == "production" else "console"


def configure(service: str, level: str, fmt: Format, secrets: Iterable[str] = ()) -> None:
    """The root logger writes to stderr in the chosen format; uvicorn's loggers hand their lines to it."""
    redact = Redactor(secrets)
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter(service, redact) if fmt == "json" else ConsoleFormatter(service, redact))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
        logger.setLevel(logging.NOTSET)  # an earlier uvicorn.Config(log_level=...) in this process does not silence it
        logger.disabled = False
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))  # not a line per peer call


def access(method: str, route: str, status: int, duration_s: float) -> None:
    """One line per HTTP request, with the route's template (not the path, which carries ids)."""
    ms = round(duration_s * 1000, 1)
    logging.getLogger(ACCESS).info("%s %s %d %.1f ms", method, route, status, ms,
                                   extra={"method": method, "route": route, "status": status, "duration_ms": ms})
