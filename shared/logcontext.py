"""What the work in progress is about: its unit, event and actor, for every log line written meanwhile.

Context variables, so each HTTP request (its own task) and each event being handled carries its own; the
log formatter (services/kit/logs.py) reads them. Only the names below are kept."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from types import MappingProxyType

FIELDS = ("unit_id", "event_id", "event_type", "actor")
_EMPTY: Mapping[str, str] = MappingProxyType({})
_current: ContextVar[Mapping[str, str]] = ContextVar("bondline_log_context", default=_EMPTY)


def current() -> Mapping[str, str]:
    return _current.get()


def _merged(fields: Mapping[str, str | None]) -> dict[str, str]:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"not a log context field: {', '.join(sorted(unknown))}")
    return {**_current.get(), **{k: v for k, v in fields.items() if v}}


def bind(**fields: str | None) -> None:
    """Add to the context of the current task until it ends (an HTTP request: the rest of the request)."""
    _current.set(_merged(fields))


@contextlib.contextmanager
def bound(**fields: str | None) -> Iterator[None]:
    """Add to the context for the block only (an event's handling inside the consumer's long-lived task)."""
    token = _current.set(_merged(fields))
    try:
        yield
    finally:
        _current.reset(token)
