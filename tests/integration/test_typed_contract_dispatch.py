"""Dispatch's HTTP contract for its items, shipments and reference data is typed: every 2xx answer is a named model.

Every operation under ``/v1/candidates``, ``/v1/items``, ``/v1/shipments`` and ``/v1/reference`` documents a 2xx
body that is a ``$ref`` to a component schema, or an array of them; no schema reachable from such a body is an
untyped object (``additionalProperties: true``, or no type at all). A map whose values are typed
(``dict[str, str]``: the exit documents) is a documented free-form map and passes. The checks themselves are
intake's and repair's (tests/integration/test_typed_contract_intake_repair.py). The JSON columns behind the
typed domain read and write back as they were.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from services.dispatch.bootstrap import build_app
from services.dispatch.db.tables import DispatchItemRow
from services.dispatch.domain.items import ItemState
from tests.integration.test_typed_contract_intake_repair import own_operations, violations
from tests.support.runtime import runtime
from tests.support.stack import token

Schema = dict[str, Any]
PREFIXES = ("/v1/candidates", "/v1/items", "/v1/shipments", "/v1/reference")


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Schema:
    rt = runtime("dispatch", f"sqlite+aiosqlite:///{tmp_path}/dispatch.db", monkeypatch)
    return build_app(rt, False, False).openapi()


def typed_operations(spec: Schema) -> set[tuple[str, str]]:
    """(path, method) of every documented operation under the typed prefixes."""
    return {(path, method) for path, ops in spec["paths"].items() if path.startswith(PREFIXES) for method in ops}


def test_the_typed_operations_are_all_documented(spec: Schema) -> None:
    own = {(path, method) for path, method in own_operations("dispatch") if path.startswith(PREFIXES)}
    assert len(own) == 15 and own == typed_operations(spec), sorted(own ^ typed_operations(spec))


def test_every_2xx_body_is_a_named_typed_model(spec: Schema) -> None:
    found = violations(spec, typed_operations(spec))
    assert not found, f"{len(found)} untyped answers in dispatch's contract:\n" + "\n".join(found)


def _body(spec: Schema, path: str, method: str) -> Schema:
    schema: Schema = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    return schema


def test_amounts_stay_strings_and_states_are_enumerated(spec: Schema) -> None:
    schemas = spec["components"]["schemas"]
    assert _body(spec, "/v1/candidates", "get")["items"]["$ref"].endswith("/ItemOptionsOut")
    item = schemas["DispatchItemOut"]["properties"]
    assert item["declared_value"]["anyOf"][0] == {"type": "string"}  # a Decimal, as a string (as before)
    assert schemas["ItemState"]["enum"][:2] == ["in_zone", "awaiting_dispatch"]
    assert schemas["ShipmentState"]["enum"] == ["planned", "customs_cleared", "shipped", "delivered"]
    assert set(schemas["ShipmentStepOut"]["properties"]) == {"at", "actor", "from", "to"}
    assert item["exit_documents"]["additionalProperties"] == {"type": "string"}


LINES = [{"what": "repair fee", "amount": "1800.00", "currency": "CNY", "cny_per_unit": "1", "rate_date": None,
          "cny": "1800.00"},
         {"what": "part O-RING x2", "amount": "25.00", "currency": "USD", "cny_per_unit": "7.123400",
          "rate_date": "2026-11-01", "cny": "178.09"},
         {"what": "duty rate from tariff entry 8486", "rate": "0.00000"}]
TAX = {"basis": "repair_value", "assessed_on": "2026-12-01", "lines": LINES, "taxable_value_cny": "1978.09",
       "duty_rate": "0.00000", "duty_cny": "0.00", "vat_rate": "0.13", "vat_cny": "257.15", "total_cny": "257.15"}
# the JSON columns as rows written before the domain was typed hold them
STORED = {
    "parts_used": [{"part_number": "O-RING", "lot": "L1", "quantity": 2,
                    "unit_value": {"amount": "12.50", "currency": "USD"}, "origin": "foreign", "hs_code": None}],
    "tax": {"estimate": TAX, "final": TAX | {"assessed_on": "2026-12-02"}},
    "history": [{"action": "decision_amended", "at": "2026-12-01T08:00:00.123456+00:00", "actor": "dispatcher:li",
                 "reason": "r1", "before": {"destination": "return_to_owner", "destination_country": "CN"},
                 "after": {"destination": "domestic_release", "destination_country": "CN"}},
                {"action": "exit_cancelled", "at": "2026-12-01T09:00:00+00:00", "actor": "dispatcher:li",
                 "reason": "oops", "state": "declared",
                 "documents": {"supervision_mode": "1371", "gate_pass_no": "G1"}}],
    "exit_documents": {}}


async def test_stored_json_reads_and_writes_back_as_it_was(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An item's JSON columns go through the typed domain and come back the same, in the answer and in the row."""
    rt = runtime("dispatch", db_url, monkeypatch)
    async with rt.uow() as uow:
        uow.session.add(DispatchItemRow(item_id="t1", kind="unit", unit_id="t1", owner_id="fab-1", state="decided",
                                        origin="domestic", outcome="repaired", hs_code="8486909000",
                                        destination="domestic_release", destination_country="CN", version=1,
                                        updated_by="test", **STORED))
        await uow.commit()
    app = build_app(rt, False, False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dispatch") as client:
        item = (await client.get("/v1/items/t1", headers=token("dispatcher"))).json()["item"]
    assert {k: item[k] for k in STORED} == STORED
    async with rt.uow() as uow:
        found = await uow.items.get("t1")
        assert found is not None and found.history[1].state is ItemState.declared
        await uow.items.save(found, "test")
        await uow.commit()
    async with rt.sessions() as s:
        row = await s.get(DispatchItemRow, "t1")
        assert row is not None and {k: getattr(row, k) for k in STORED} == STORED
    await rt.dispose()
