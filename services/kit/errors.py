"""Plain-Python error bases that each service's domain raises; the API maps them to HTTP statuses."""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 422

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message, self.details = message, details


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The request clashes with the current state (illegal transition, concurrent change, duplicate)."""
    status = 409


class RuleViolation(DomainError):
    """A business or customs rule refuses the request."""
    status = 422


class Forbidden(DomainError):
    status = 403


def illegal_transition(what: str, action: str, state: str, allowed_from: list[str], **more: Any) -> Conflict:
    """The one wording of a refused state change: 409 naming the current state and where it is allowed."""
    return Conflict(f"cannot {action} {what}: it is {state}; {action} is allowed from {', '.join(allowed_from)}"
                    + (f"; allowed now: {', '.join(more['allowed_transitions']) or 'nothing (closed)'}"
                       if "allowed_transitions" in more else ""),
                    state=state, allowed_from=allowed_from, **more)


# what an error message may quote of the caller's input: enough to recognise it, never megabytes echoed back
MAX_QUOTED = 200
MAX_ITEMS = 20


def quote(value: object, limit: int = MAX_QUOTED) -> str:
    """``repr(value)`` for a message, cut at ``limit`` characters with a note of the full length."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters in all)"


def capped(value: Any, limit: int = MAX_QUOTED, items: int | None = MAX_ITEMS) -> Any:
    """A JSON-like value with every string cut at ``limit`` characters and, unless ``items`` is None, every
    list or mapping at ``items`` entries, each cut noted: what an error body quotes of the input stays small."""
    if isinstance(value, str):
        return value if len(value) <= limit else f"{value[:limit]}... ({len(value)} characters in all)"
    if isinstance(value, dict):
        kept = list(value.items())[:items]
        out = {capped(str(k), limit, items): capped(v, limit, items) for k, v in kept}
        return out | ({"...": f"{len(value)} entries in all"} if len(kept) < len(value) else {})
    if isinstance(value, (list, tuple)):
        head = [capped(v, limit, items) for v in list(value)[:items]]
        return head + ([f"... ({len(value)} items in all)"] if len(head) < len(value) else [])
    return value


MAX_MESSAGE = 4000  # a refusal naming many problems is long; one that quotes megabytes of input is cut


def error_body(exc: DomainError) -> dict[str, Any]:
    """The JSON body of a refusal: ``detail`` (the message) and ``context``, both capped."""
    body: dict[str, Any] = {"detail": capped(exc.message, MAX_MESSAGE)}
    return body | ({"context": capped(exc.details, 1000, None)} if exc.details else {})


def validation_errors(errors: Any) -> list[Any]:
    """Pydantic's error list as FastAPI answers it, with the quoted ``input`` (and ``ctx``) capped."""
    return [capped(e, MAX_QUOTED) | {"msg": capped(e.get("msg", ""), 1000)} if isinstance(e, dict) else e
            for e in errors]
