"""schemathesis against each service's own OpenAPI, in process on SQLite with an admin token.

Every operation of intake, repair, dispatch and partners gets a bounded number of generated requests (derandomized, so a
run is repeatable) and two checks on every answer: never a 5xx (``not_a_server_error``), and the answer fits
what the OpenAPI documents for its status (``response_schema_conformance``: the 2xx models and the one error
body, ``services.kit.errors.ErrorBody``, documented for 401/403/404/409/422 on every operation).

One operation is left out: ``GET /readyz``, which checks the broker and answers 503 ("not ready") without
one, as it must; there is no broker here (the relay and the consumer do not run). A dead letter's replay,
the other operation that would reach the broker, finds no dead letter on the empty database and answers 404.

``BONDLINE_FUZZ_EXAMPLES`` raises the number of examples per operation for a longer run (the issue's 30).
"""
from __future__ import annotations

import atexit
import importlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from services.intake.domain.owners import CreditTier
from services.kit.auth import issue_token
from services.kit.runtime import Runtime
from services.kit.settings import DEV_JWT_SECRET

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("BONDLINE_FUZZ_EXAMPLES", 5))  # per operation: ~125 in all, well under 2 min
ADMIN = {"Authorization": f"Bearer {issue_token(DEV_JWT_SECRET, 'fuzz', 'admin', ttl_minutes=120)}"}
CHECKS = [not_a_server_error, response_schema_conformance]
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


_DIR = Path(tempfile.mkdtemp(prefix="bondline-fuzz-"))
atexit.register(shutil.rmtree, _DIR, True)


def _service(service: str) -> tuple[Runtime, Any]:
    """The service's runtime on a fresh SQLite file and its app, built when the module is collected: the
    OpenAPI comes from ``app.openapi()`` (no request, no lifespan, no database yet); the database is migrated
    by the fixture below, before the first request starts the app's lifespan (once, kept by schemathesis)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(f"{service.upper()}_DATABASE_URL", f"sqlite+aiosqlite:///{_DIR}/{service}.db")
        mp.setenv("INTAKE_INSPECTION_RATES", json.dumps({t.value: 0 for t in CreditTier}))
        rt = Runtime(importlib.import_module(f"services.{service}.bootstrap").define())
    return rt, importlib.import_module(f"services.{service}.bootstrap").build_app(rt, run_relay=False,
                                                                                   run_consumer=False)


SERVICES = {name: _service(name) for name in ("intake", "repair", "dispatch", "partners")}


def _schema(service: str, phases: tuple[str, ...] = ("examples", "coverage", "fuzzing")):  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_dict(SERVICES[service][1].openapi())
    schema.app = SERVICES[service][1]
    schema.config.generation.update(modes=list(GenerationMode))  # valid and invalid requests, as the CLI
    schema.config.phases.update(phases=list(phases))  # boundaries (le + 1...) too
    return schema.exclude(method="GET", path="/readyz")  # needs the broker (see above)


@pytest.fixture(scope="module", autouse=True)
def _migrated() -> None:
    for rt, _app in SERVICES.values():
        rt.migrate()


intake, repair, dispatch, partners = _schema("intake"), _schema("repair"), _schema("dispatch"), _schema("partners")


@intake.parametrize()
@FUZZ
def test_intake_openapi(case) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(headers=ADMIN, checks=CHECKS)


@repair.parametrize()
@FUZZ
def test_repair_openapi(case) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(headers=ADMIN, checks=CHECKS)


@dispatch.parametrize()
@FUZZ
def test_dispatch_openapi(case) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(headers=ADMIN, checks=CHECKS)


@partners.parametrize()
@FUZZ
def test_partners_openapi(case) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(headers=ADMIN, checks=CHECKS)


STATEFUL = settings(max_examples=EXAMPLES, stateful_step_count=8, deadline=None, derandomize=True,
                    database=None, suppress_health_check=list(HealthCheck))


def _machine(service: str):  # type: ignore[no-untyped-def]
    """The service's OpenAPI links as a state machine: each step calls an operation with what an earlier answer
    gave (a created owner's id, a listed work order's id, ...), so requests reach state no single call reaches."""
    class Machine(_schema(service, ("stateful",)).as_state_machine()):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case):  # type: ignore[no-untyped-def]
            return {"headers": ADMIN}

        def validate_response(self, response, case, additional_checks=None, **kwargs):  # type: ignore[no-untyped-def]
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None)
    return Machine


@pytest.mark.parametrize("service", list(SERVICES))
def test_linked_operations(service: str) -> None:
    machine = _machine(service)
    ours = importlib.import_module(f"services.{service}.api.links").LINKS
    missing = [link.name for link in ours if not any(f"_{link.name}__" in rule for rule in dir(machine))]
    assert not missing, f"{service}'s links that are not transitions of the state machine: {missing}"
    machine.run(settings=STATEFUL)


def _unbounded_integers(node: Any, doc: dict[str, Any], where: str, seen: frozenset[str] = frozenset()) -> list[str]:
    """Every integer in a request schema without both ``minimum`` and ``maximum``: random examples rarely hit one
    that overflows the database, so the bound's presence is checked for every parameter and body field, and the coverage
    phase above sends each bound (and the bound + 1)."""
    if isinstance(node, list):
        return [w for i, n in enumerate(node) for w in _unbounded_integers(n, doc, f"{where}[{i}]", seen)]
    if not isinstance(node, dict):
        return []
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return [] if name in seen else _unbounded_integers(doc["components"]["schemas"][name], doc, name,
                                                           seen | {name})
    found = [where] if node.get("type") == "integer" and not {"minimum", "maximum"} <= set(node) else []
    return found + [w for k, v in node.items() if k not in ("example", "examples", "default")
                    for w in _unbounded_integers(v, doc, f"{where}.{k}", seen)]


@pytest.mark.parametrize("service", SERVICES)
def test_every_integer_in_a_request_is_bounded(service: str) -> None:
    doc = SERVICES[service][1].openapi()
    unbounded = [w for path, ops in doc["paths"].items() for method, op in ops.items()
                 for w in _unbounded_integers([op.get("parameters", []), op.get("requestBody", {})], doc,
                                              f"{method.upper()} {path}")]
    assert unbounded == []


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_documents_the_error_body(service: str) -> None:
    doc = SERVICES[service][1].openapi()
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for status in ("401", "403", "404", "409", "422"):
                assert op["responses"][status]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorBody"}, (method, path, status)
