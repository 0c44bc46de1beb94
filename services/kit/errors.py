"""Plain-Python error bases that each service's domain raises; the API maps them to HTTP statuses."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue

# the largest integers a request may carry, documented in the OpenAPI and enforced there (ge/le) so that a huge
# one is a 422 and never reaches the database: offsets, ids and versions are PostgreSQL ``integer`` columns or
# fit one; event sequences and dead letter / gap ids are ``bigint``, bounded at the largest integer a JSON
# client represents exactly (far enough from 2**63 that ``after + span`` arithmetic never overflows SQLite)
MAX_INT = 2**31 - 1
MAX_JSON_INT = 2**53 - 1


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


class FieldError(BaseModel):
    """One problem pydantic found in the request (FastAPI's item, its quoted ``input`` capped)."""
    model_config = ConfigDict(extra="allow")
    loc: list[str | int] = Field(description="where: body, query, path or header, then the field's path")
    msg: str
    type: str


class ErrorBody(BaseModel):
    """Every refusal's body, in every service: a domain refusal's message and ``context`` (e.g. the
    per-field ``errors`` of a refused repair request, the ``allowed`` destinations), an authentication or
    authorisation refusal's message, or, for a request that does not fit its schema, the list of problems."""
    detail: str | list[FieldError] = Field(
        description="the message; for a request that does not fit its schema (422), the list of problems")
    context: dict[str, JsonValue] | None = Field(
        None, description="what the refusal is about, when it says more: the field at fault (field), the rule that "
                          "refused (rule), per-field errors (errors), the allowed destinations (allowed), ...")


# documented on every operation: what the handlers in services.kit.app and FastAPI's HTTPException send
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description} for status, description in (
        (401, "no valid bearer token"),
        (403, "the token's role (or owner) may not do this"),
        (404, "not found"),
        (409, "conflicts with the current state (illegal transition, stale version, duplicate, retry in progress)"),
        (422, "the request does not fit its schema, or a business or customs rule refuses it"),
    )}
