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
