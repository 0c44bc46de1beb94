"""OpenAPI links: how one operation's answer feeds the next (a generated client, and schemathesis' stateful tests,
follow them). Each service names its links in its bootstrap; ``install`` writes them into the app's OpenAPI.

A link goes from an operation's response (``POST /v1/owners`` 201) to another operation, with the target's path
parameters taken from the answer by a runtime expression (``$response.body#/id``; a list's first item:
``$response.body#/0/id``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI


@dataclass(frozen=True)
class Link:
    source: tuple[str, str, str]        # method, path, status
    target: tuple[str, str]             # method, path
    parameters: tuple[tuple[str, str], ...]  # (target path parameter, runtime expression)

    @property
    def name(self) -> str:
        method, path = self.target
        return method.lower() + "".join(p.strip("{}").title().replace("_", "").replace("-", "") for p in
                                        path.split("/") if p and p != "v1")


def _pointer(path: str) -> str:
    return path.replace("~", "~0").replace("/", "~1")


def _inject(doc: dict[str, Any], links: list[Link]) -> dict[str, Any]:
    for link in links:
        method, path, status = link.source
        response = doc["paths"][path][method.lower()]["responses"][status]
        t_method, t_path = link.target
        if t_method.lower() not in doc["paths"].get(t_path, {}):
            raise KeyError(f"link target {t_method} {t_path} is not an operation of this API")
        response.setdefault("links", {})[link.name] = {
            "operationRef": f"#/paths/{_pointer(t_path)}/{t_method.lower()}",
            "parameters": dict(link.parameters)}
    return doc


def install(app: FastAPI, links: list[Link]) -> None:
    """Add ``links`` to the app's OpenAPI document (built once, on first use, as FastAPI does)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _inject(build(), links)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def fan_out(source: tuple[str, str, str], targets: list[tuple[str, str]], param: str, expression: str) -> list[Link]:
    """Links from one creating (or listing) operation to each operation that takes the id it answers with."""
    return [Link(source, target, ((param, expression),)) for target in targets]
