"""Generate the committed JSON Schemas and check a change stays compatible.

    python -m shared.contract.schema_tools write   # regenerate shared/contract/schemas/
    python -m shared.contract.schema_tools check   # exit 1 when stale or incompatible
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from shared.contract import events  # noqa: F401  (registers every event)
from shared.contract.registry import REGISTRY, EventRegistry

SCHEMA_DIR = Path(__file__).parent / "schemas"


def current_schemas(registry: EventRegistry = REGISTRY) -> dict[str, dict[str, Any]]:
    out = {}
    for spec in registry.specs():
        schema = spec.model.model_json_schema(mode="serialization")
        schema["$id"] = f"https://bondline.example/schemas/{spec.ce_type}.json"
        schema["x-topic"] = spec.topic
        out[spec.ce_type] = schema
    return out


def committed_schemas(directory: Path = SCHEMA_DIR) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(directory.glob("*.json"))}


def write(directory: Path = SCHEMA_DIR) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for ce_type, schema in current_schemas().items():
        (directory / f"{ce_type}.json").write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")


def incompatibilities(old: dict[str, Any], new: dict[str, Any], path: str = "") -> list[str]:
    """Breaking differences for readers of ``old`` data: removed or retyped fields, new required ones."""
    problems: list[str] = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, old_prop in old_props.items():
        where = f"{path}{name}"
        if name not in new_props:
            problems.append(f"{where}: field removed")
        elif _shape(old_prop, old) != _shape(new_props[name], new):
            problems.append(f"{where}: type changed")
    for name in set(new.get("required", [])) - set(old.get("required", [])):
        problems.append(f"{path}{name}: new required field")
    for def_name, old_def in old.get("$defs", {}).items():
        new_def = new.get("$defs", {}).get(def_name)
        if new_def is None:
            problems.append(f"{path}$defs.{def_name}: definition removed")
        else:
            problems += incompatibilities(old_def, new_def, f"{path}{def_name}.")
    return problems


def _shape(prop: dict[str, Any], root: dict[str, Any]) -> Any:
    keys = ("type", "$ref", "format", "anyOf", "items", "enum", "const", "pattern")
    return json.dumps({k: prop.get(k) for k in keys}, sort_keys=True)


def check() -> list[str]:
    current, committed = current_schemas(), committed_schemas()
    problems = []
    for ce_type, old in committed.items():
        if ce_type not in current:
            problems.append(f"{ce_type}: event type removed (publish a new version beside it instead)")
            continue
        problems += [f"{ce_type}: {p}" for p in incompatibilities(old, current[ce_type])]
    for ce_type, schema in current.items():
        if committed.get(ce_type) != json.loads(json.dumps(schema, sort_keys=True)):
            problems.append(f"{ce_type}: committed schema is stale; run `make schemas`")
    return problems


def main(argv: list[str]) -> int:
    if argv[:1] == ["write"]:
        write()
        return 0
    problems = check()
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
