"""Intake's and repair's HTTP contract is typed: every 2xx answer of their own routes is a named model.

Each operation of the service's own routers (``services.<name>.api.*``; the kit's shared routes are not
these services' to type) documents a 2xx body that is a ``$ref`` to a component schema, or an array of them;
and no schema reachable from such a body is an untyped object (``additionalProperties: true``, or no type at
all). A map whose values are typed (``dict[str, str]``: ``additionalProperties: {"type": "string"}``) is
a documented free-form map and passes.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.runtime import runtime

Schema = dict[str, Any]
ANNOTATIONS = {"title", "description", "default", "examples", "example", "deprecated", "readOnly", "writeOnly"}


def own_operations(service: str) -> set[tuple[str, str]]:
    """(path, method) of every route on the routers of ``services.<service>.api``."""
    package = importlib.import_module(f"services.{service}.api")
    found = set()
    for module_info in pkgutil.iter_modules(package.__path__):
        router = getattr(importlib.import_module(f"{package.__name__}.{module_info.name}"), "router", None)
        for route in router.routes if router is not None else ():
            found |= {(route.path, m.lower()) for m in route.methods}
    return found


def ref_name(schema: Schema) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def is_named(schema: Schema) -> bool:
    """A ``$ref`` to a component, or an array of them."""
    items = schema.get("items", {}) if schema.get("type") == "array" else {}
    return ref_name(schema) is not None or ref_name(items) is not None


def untyped(schema: Schema, where: str) -> Iterator[str]:
    if schema.get("additionalProperties") is True or schema.get("additionalProperties") == {}:
        yield f"{where}: additionalProperties: true"
    elif not set(schema) - ANNOTATIONS:
        yield f"{where}: no type at all"


def children(schema: Schema) -> Iterator[tuple[str, Schema]]:
    for name, prop in schema.get("properties", {}).items():
        yield f".{name}", prop
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield f"[{key}]", schema[key]
    for key in ("anyOf", "oneOf", "allOf"):
        for i, option in enumerate(schema.get(key, [])):
            yield f"<{key}{i}>", option


def problems_in(spec: Schema, schema: Schema, where: str, seen: set[str]) -> Iterator[str]:
    """Every untyped object reachable from ``schema``, components followed once each."""
    name = ref_name(schema)
    if name is not None:
        if name in seen:
            return
        seen.add(name)
        schema, where = spec["components"]["schemas"][name], f"component {name}"
    yield from untyped(schema, where)
    for suffix, child in children(schema):
        yield from problems_in(spec, child, where + suffix, seen)


def violations(spec: Schema, own: set[tuple[str, str]]) -> list[str]:
    found = []
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            if (path, method) not in own:
                continue
            for status, response in op["responses"].items():
                if not status.startswith("2") or status == "204":
                    continue
                at = f"{method.upper()} {path} {status}"
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                if schema is None or not is_named(schema):
                    found.append(f"{at}: not a named model: {schema}")
                found += [f"{at}: {p}" for p in problems_in(spec, schema or {}, "body", set())]
    return found


@pytest.fixture(params=["intake", "repair"])
def service(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Schema]:
    name = request.param
    rt = runtime(name, f"sqlite+aiosqlite:///{tmp_path}/{name}.db", monkeypatch)
    app = importlib.import_module(f"services.{name}.bootstrap").build_app(rt, False, False)
    return name, app.openapi()


def test_every_own_operation_is_documented(service: tuple[str, Schema]) -> None:
    name, spec = service
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    own = own_operations(name)
    assert own and own <= documented, sorted(own - documented)


def test_every_2xx_body_is_a_named_typed_model(service: tuple[str, Schema]) -> None:
    name, spec = service
    found = violations(spec, own_operations(name))
    assert not found, f"{len(found)} untyped answers in {name}'s contract:\n" + "\n".join(found)


def _answer(schema: Schema) -> Schema:
    return {"get": {"responses": {"200": {"content": {"application/json": {"schema": schema}}}}}}


def test_the_checks_catch_an_untyped_answer() -> None:
    y = {"type": "object", "properties": {"free": {"type": "object", "additionalProperties": True},
                                          "any": {"title": "Any"},
                                          "map": {"type": "object", "additionalProperties": {"type": "string"}}}}
    spec = {"paths": {"/x": _answer({"type": "object", "additionalProperties": True}),
                      "/y": _answer({"$ref": "#/components/schemas/Y"})},
            "components": {"schemas": {"Y": y}}}
    found = violations(spec, {("/x", "get"), ("/y", "get")})
    assert sorted(f.split(": ", 1)[1].split(":")[0] for f in found) == [
        "body", "component Y.any", "component Y.free", "not a named model"], found
