"""The committed JSON Schemas match the models, and the compatibility check catches breaking changes."""
from __future__ import annotations

import json
from functools import partial

from pydantic import BaseModel

from shared.contract import schema_tools
from shared.contract.registry import REGISTRY
from shared.contract.schema_tools import incompatibilities


def schema(model: type[BaseModel]) -> dict:
    return model.model_json_schema(mode="serialization")


class Part(BaseModel):
    number: str


class OldEvent(BaseModel):
    unit_id: str
    count: int
    part: Part


def test_committed_schemas_match_the_models():
    assert schema_tools.check() == []


def test_every_registered_event_has_a_committed_schema():
    committed = schema_tools.committed_schemas()
    assert set(committed) == {s.ce_type for s in REGISTRY.specs()}
    for ce_type, s in committed.items():
        assert s["$id"].endswith(f"/{ce_type}.json") and s["x-topic"].startswith("bondline.")


def test_identical_schema_is_compatible():
    assert incompatibilities(schema(OldEvent), schema(OldEvent)) == []


def test_new_optional_field_is_compatible():
    class NewEvent(BaseModel):
        unit_id: str
        count: int
        part: Part
        note: str | None = None

    assert incompatibilities(schema(OldEvent), schema(NewEvent)) == []


def test_removed_field_is_flagged():
    class NewEvent(BaseModel):
        unit_id: str
        part: Part

    assert incompatibilities(schema(OldEvent), schema(NewEvent)) == ["count: field removed"]


def test_changed_type_is_flagged():
    class NewEvent(BaseModel):
        unit_id: str
        count: str
        part: Part

    assert incompatibilities(schema(OldEvent), schema(NewEvent)) == ["count: type changed"]


def test_new_required_field_is_flagged():
    class NewEvent(BaseModel):
        unit_id: str
        count: int
        part: Part
        owner_id: str

    assert incompatibilities(schema(OldEvent), schema(NewEvent)) == ["owner_id: new required field"]


def test_removed_definition_is_flagged():
    old = schema(OldEvent)
    new = json.loads(json.dumps(old))
    del new["$defs"]["Part"]
    assert incompatibilities(old, new) == ["$defs.Part: definition removed"]


def test_change_inside_a_definition_is_flagged_with_its_path():
    class Part(BaseModel):  # same name, the nested field changed type
        number: int

    class NewEvent(BaseModel):
        unit_id: str
        count: int
        part: Part

    assert incompatibilities(schema(OldEvent), schema(NewEvent)) == ["Part.number: type changed"]


def test_check_reports_a_stale_or_broken_committed_schema(tmp_path, monkeypatch):
    schema_tools.write(tmp_path)
    path = tmp_path / "com.bondline.repair.work_order.completed.v1.json"
    doc = json.loads(path.read_text())
    doc["properties"]["retired_field"] = {"type": "string"}
    path.write_text(json.dumps(doc))
    monkeypatch.setattr(schema_tools, "committed_schemas", partial(schema_tools.committed_schemas, tmp_path))
    problems = schema_tools.check()
    assert "com.bondline.repair.work_order.completed.v1: retired_field: field removed" in problems
    assert "com.bondline.repair.work_order.completed.v1: committed schema is stale; run `make schemas`" in problems
    assert len(problems) == 2
