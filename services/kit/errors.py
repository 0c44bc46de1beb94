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
