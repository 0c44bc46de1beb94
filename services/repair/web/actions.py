"""The bench's actions, each one of repair's use cases: assign, diagnose, quote, parts, labour, test, complete.

A refusal (a DomainError) is shown on the work order's page in the reader's language beside the service's own
words, and nothing of it is written (the use case's transaction is not committed). Every form carries the version
of the work order it was drawn from, so a page gone stale is refused instead of applied.
"""
from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from services.kit.errors import DomainError, RuleViolation
from services.repair.domain.states import Outcome
from services.repair.service import completion, diagnosis, labour, parts, quotes, repairs, work_orders
from services.repair.web import forms
from services.repair.web.pages import work_order_page
from services.repair.web.refusals import explain
from services.repair.web.site import BenchRoute, Writer, translator

router = APIRouter(prefix="/bench/work-orders/{work_order_id}", include_in_schema=False, route_class=BenchRoute)
Text = Annotated[str, Form(max_length=8000)]
Short = Annotated[str, Form(max_length=200)]


async def _act(request: Request, who: Any, work_order_id: str, what: str, action: Awaitable[Any]) -> Response:
    try:
        await action
    except DomainError as exc:
        refusal = explain(exc, translator(request))
        return await work_order_page(request, who, work_order_id, status=exc.status, error=refusal, failed=what)
    return RedirectResponse(f"/bench/work-orders/{work_order_id}?done={what}#{what}", status_code=303)


def _rt(request: Request) -> Any:
    return request.app.state.runtime


@router.post("/assign")
async def assign(request: Request, work_order_id: str, who: Writer, version: Short = "") -> Response:
    return await _act(request, who, work_order_id, "assign", work_orders.assign(
        _rt(request).uow(), work_order_id, who.subject, who.actor, forms.version(version)))


@router.post("/diagnosis/start")
async def start_diagnosis(request: Request, work_order_id: str, who: Writer, version: Short = "") -> Response:
    return await _act(request, who, work_order_id, "start_diagnosis", diagnosis.start(
        _rt(request).uow(), work_order_id, who.actor, forms.version(version)))


@router.post("/diagnosis")
async def diagnose(request: Request, work_order_id: str, who: Writer, findings: Text = "",
                   code: Annotated[list[str] | None, Form(max_length=32)] = None, no_fault_found: Short = "",
                   version: Short = "") -> Response:
    return await _act(request, who, work_order_id, "diagnose", diagnosis.record(
        _rt(request).uow(), work_order_id, [c for c in code or [] if c], findings.strip(), no_fault_found == "on",
        who.actor, forms.version(version)))


@router.post("/quote")
async def quote(request: Request, work_order_id: str, who: Writer, repair_fee: Short = "",
                parts_estimate: Short = "", currency: Short = "CNY", version: Short = "") -> Response:
    async def run() -> None:
        await quotes.issue(_rt(request).uow(), work_order_id, forms.amount(repair_fee, "repair_fee"),
                           forms.amount(parts_estimate, "parts_estimate"), currency.strip().upper(), who.actor,
                           forms.version(version))
    return await _act(request, who, work_order_id, "quote", run())


@router.post("/parts/request")
async def request_parts(request: Request, work_order_id: str, who: Writer, part_number: Short = "",
                        quantity: Short = "1", bonded: Short = "", version: Short = "") -> Response:
    async def run() -> None:
        await parts.request(_rt(request).uow(), work_order_id, [forms.need(part_number, quantity, bonded)],
                            who.actor, forms.version(version))
    return await _act(request, who, work_order_id, "request_parts", run())


@router.post("/repair/start")
async def start_repair(request: Request, work_order_id: str, who: Writer, version: Short = "") -> Response:
    return await _act(request, who, work_order_id, "start_repair", repairs.start_repair(
        _rt(request).uow(), work_order_id, who.actor, forms.version(version)))


@router.post("/parts/consume")
async def consume(request: Request, work_order_id: str, who: Writer, part_number: Short = "",
                  quantity: Short = "1", bonded: Short = "", replaces_old_part: Short = "",
                  version: Short = "") -> Response:
    rt = _rt(request)

    async def run() -> None:
        await parts.consume(rt.uow(), work_order_id, forms.need(part_number, quantity, bonded),
                            replaces_old_part == "on", rt.d.settings.old_part_disposal_days, who.actor,
                            forms.version(version))
    return await _act(request, who, work_order_id, "consume", run())


@router.post("/labour/start")
async def start_clock(request: Request, work_order_id: str, who: Writer, note: Text = "",
                      version: Short = "") -> Response:
    return await _act(request, who, work_order_id, "labour", labour.start(
        _rt(request).uow(), work_order_id, who.subject, note.strip(), who.actor, forms.version(version)))


@router.post("/labour/stop")
async def stop_clock(request: Request, work_order_id: str, who: Writer, version: Short = "") -> Response:
    return await _act(request, who, work_order_id, "labour", labour.stop(
        _rt(request).uow(), work_order_id, who.subject, who.actor, forms.version(version)))


@router.post("/testing/start")
async def start_testing(request: Request, work_order_id: str, who: Writer, version: Short = "") -> Response:
    return await _act(request, who, work_order_id, "start_testing", repairs.start_testing(
        _rt(request).uow(), work_order_id, who.actor, forms.version(version)))


@router.post("/tests")
async def record_test(request: Request, work_order_id: str, who: Writer, procedure: Short = "",
                      verdict: Short = "", name: Short = "", value: Short = "", unit: Short = "",
                      lower: Short = "", upper: Short = "", version: Short = "") -> Response:
    async def run() -> None:
        await repairs.record_test(_rt(request).uow(), work_order_id, procedure.strip(),
                                  forms.measurements(name, value, unit, lower, upper), forms.verdict(verdict),
                                  who.actor, forms.version(version))
    return await _act(request, who, work_order_id, "test", run())


@router.post("/complete")
async def complete(request: Request, work_order_id: str, who: Writer, outcome: Short = "", note: Text = "",
                   version: Short = "") -> Response:
    async def run() -> None:
        try:
            chosen = Outcome(outcome)
        except ValueError:
            raise RuleViolation(f"choose an outcome: {', '.join(o.value for o in Outcome)}", field="outcome") from None
        await completion.complete(_rt(request).uow(), work_order_id, chosen, note.strip(), who.actor,
                                  forms.version(version))
    return await _act(request, who, work_order_id, "complete", run())
