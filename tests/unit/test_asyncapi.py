"""The AsyncAPI 3.0 document: committed and current, complete, examples valid, served by the services."""
from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from shared.contract import asyncapi, schema_tools
from shared.contract.envelope import CloudEvent
from shared.contract.registry import REGISTRY
from shared.contract.topics import ALL_TOPICS

DOC = asyncapi.build()
SPECS = REGISTRY.specs()
IDS = [s.ce_type for s in SPECS]


def _resolve(ref: str) -> dict:
    node = DOC
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_committed_document_is_current():
    assert asyncapi.is_current(), "shared/contract/asyncapi.json is stale; run `make schemas`"
    assert asyncapi.main(["check"]) == 0


def test_check_fails_when_the_document_is_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    stale = json.loads(asyncapi.DOCUMENT.read_text())
    stale["components"]["messages"].pop(IDS[0])
    path = tmp_path / "asyncapi.json"
    path.write_text(asyncapi.render(stale))
    assert not asyncapi.is_current(path)
    monkeypatch.setattr(asyncapi, "DOCUMENT", path)
    assert asyncapi.main(["check"]) == 1
    assert asyncapi.main(["write"]) == 0 and asyncapi.is_current(path)


def test_document_is_asyncapi_3_with_the_three_topics():
    assert DOC["asyncapi"] == "3.0.0" and DOC["defaultContentType"] == "application/json"
    assert {c["address"] for c in DOC["channels"].values()} == set(ALL_TOPICS)
    for op in DOC["operations"].values():
        channel = _resolve(op["channel"]["$ref"])
        assert op["action"] in ("send", "receive")
        assert [m["$ref"].rsplit("/", 1)[1] for m in op["messages"]] == list(channel["messages"])
    assert sum(op["action"] == "send" for op in DOC["operations"].values()) == len(ALL_TOPICS)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_every_event_is_a_message_on_its_channel(spec):
    channel = DOC["channels"][spec.topic]
    assert channel["address"] == spec.topic
    message = _resolve(channel["messages"][spec.ce_type]["$ref"])
    assert message["name"] == spec.ce_type and message["summary"] == spec.summary
    assert message["contentType"] == "application/json"
    assert message["bindings"]["kafka"]["key"]["type"] == "string"
    assert message["x-key-field"] == spec.model.subject_field
    payload = _resolve(message["payload"]["$ref"])
    assert payload["title"] == spec.model.__name__ and "$defs" not in payload
    original = schema_tools.current_schemas()[spec.ce_type]
    assert set(payload["properties"]) == set(original["properties"])
    assert payload["required"] == original["required"]
    for ref in _refs(payload):
        assert _resolve(ref)["type"] == "object", ref


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_cloudevents_headers_schema():
    headers = DOC["components"]["schemas"][asyncapi.HEADERS]
    assert set(headers["required"]) == {"ce_id", "ce_source", "ce_type", "ce_specversion", "ce_time",
                                        "ce_subject", "content-type"}
    assert "ce_actor" in headers["properties"] and "ce_actor" not in headers["required"]
    assert headers["properties"]["content-type"]["const"] == "application/json"
    assert headers["properties"]["ce_specversion"]["const"] == "1.0"
    for message in DOC["components"]["messages"].values():
        first, own = message["headers"]["allOf"]
        assert first == {"$ref": f"#/components/schemas/{asyncapi.HEADERS}"}
        assert own["properties"]["ce_type"]["const"] == message["name"]


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_example_validates_against_its_model_and_headers(spec):
    [example] = DOC["components"]["messages"][spec.ce_type]["examples"]
    payload = spec.model.model_validate(example["payload"])
    assert payload.model_dump(mode="json") == example["payload"]  # complete: nothing dropped or defaulted
    headers = example["headers"]
    assert set(DOC["components"]["schemas"][asyncapi.HEADERS]["required"]) <= set(headers)
    assert headers["ce_type"] == spec.ce_type and headers["ce_subject"] == payload.subject
    event = CloudEvent.from_kafka([(k, v.encode()) for k, v in headers.items()],
                                  json.dumps(example["payload"]).encode())
    assert REGISTRY.parse(event) == payload


def test_every_document_ref_resolves():
    for ref in _refs(DOC):
        assert isinstance(_resolve(ref), dict), ref


async def test_services_serve_the_document_and_schemas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from services.intake.bootstrap import build_app
    from tests.support.runtime import runtime

    rt = runtime("intake", f"sqlite+aiosqlite:///{tmp_path}/t.db", monkeypatch)
    app = build_app(rt, run_relay=False, run_consumer=False)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake") as client:
            r = await client.get("/asyncapi.json")  # no token
            assert r.status_code == 200 and r.json() == json.loads(asyncapi.DOCUMENT.read_text())
            r = await client.get(f"/schemas/{IDS[0]}.json")
            assert r.status_code == 200 and r.json() == schema_tools.committed_schemas()[IDS[0]]
            r = await client.get("/schemas/com.bondline.intake.unit.teleported.v1.json")
            assert r.status_code == 404
    finally:
        await rt.dispose()


@pytest.mark.parametrize("group, service, projection", [
    ("bondline.intake", "intake", None), ("bondline.repair", "repair", None), ("bondline.dispatch", "dispatch", None),
    ("bondline.dispatch.desk", "dispatch", "desk"), ("bondline.partners", "partners", None)])
def test_the_documented_consumers_are_what_the_services_subscribe(group, service, projection):
    """The AsyncAPI's receive operations name each consumer group and its topics as the services run them."""
    import importlib
    d = importlib.import_module(f"services.{service}.bootstrap").define()
    topics = d.subscribe if projection is None else next(p.subscribe for p in d.projections if p.name == projection)
    assert set(asyncapi.CONSUMERS[group][1]) == set(topics)
    doc = asyncapi.build()
    received = {op["channel"]["$ref"].split("/")[-1] for op in doc["operations"].values()
                if op["action"] == "receive" and op["bindings"]["kafka"]["groupId"]["enum"] == [group]}
    assert received == set(topics)
