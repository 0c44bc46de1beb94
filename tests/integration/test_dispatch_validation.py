"""Dispatch's door on SQLite and PostgreSQL: every country and currency checked, contradictions refused, customs
terms."""
from __future__ import annotations

import pytest

from tests.integration.test_dispatch_flow import DESK, EXIT_HOME, OFFICER, api, types, unit  # noqa: F401

SHIP = {"carrier": "DHL", "tracking_number": "D1", "address": "Munich", "incoterm": "DAP"}


@pytest.mark.parametrize("country, why", [("XX", "unknown ISO 3166 country 'XX'"), ("de", "destination_country"),
                                          ("DEU", "destination_country")])
async def test_re_export_to_a_country_that_does_not_exist_is_422_and_nothing_is_stored(api, country, why):
    await unit(api, "v1")
    r = await api.post("/v1/items/v1/decision", json={"destination": "re_export", "destination_country": country},
                       headers=DESK)
    assert r.status_code == 422 and why in r.text
    item = (await api.get("/v1/items/v1", headers=DESK)).json()["item"]
    assert (item["state"], item["destination"]) == ("awaiting_dispatch", None)
    assert "destination_decided" not in await types(api)


@pytest.mark.parametrize("destination, country, rule", [("return_to_owner", "SG", "return_to_owner_country"),
                                                        ("domestic_release", "US", "domestic_release_stays_in_china")])
async def test_a_silent_override_is_now_a_422_naming_the_rule(api, destination, country, rule):
    await unit(api, "v2")
    r = await api.post("/v1/items/v2/decision", json={"destination": destination, "destination_country": country},
                       headers=DESK)
    assert r.status_code == 422 and rule in r.json()["detail"], r.text
    assert (await api.get("/v1/items/v2", headers=DESK)).json()["item"]["state"] == "awaiting_dispatch"


@pytest.mark.parametrize("country", ["XX", "de", "D"])
async def test_a_shipment_to_an_unknown_country_is_422(api, country):
    r = await api.post("/v1/shipments", json=SHIP | {"destination_country": country}, headers=DESK)
    assert r.status_code == 422 and "destination_country" in r.text


@pytest.mark.parametrize("currency, why", [("XXX", "not a currency a price can be in"), ("XAU", "not a currency"),
                                           ("usd", "currency"), ("CNY", "CNY is the base")])
async def test_an_fx_rate_in_something_that_is_not_a_foreign_currency_is_422(api, currency, why):
    r = await api.put("/v1/reference/fx-rates", json={"currency": currency, "valid_from": "2026-11-20",
                                                      "cny_per_unit": "1"}, headers=OFFICER)
    assert r.status_code == 422 and why in r.text
    tables = (await api.get("/v1/reference/tax-tables", headers=OFFICER)).json()
    assert currency not in {r["currency"] for r in tables["fx_rates"]}


async def test_a_foreign_unit_sold_domestically_is_asked_for_a_taxed_import_declaration_not_1300(api):
    await unit(api, "v3")
    assert (await api.post("/v1/items/v3/decision", json={"destination": "domestic_release"},
                           headers=DESK)).status_code == 200
    body = {k: v for k, v in EXIT_HOME.items() if k != "import_declaration_no"}
    r = await api.post("/v1/items/v3/exit-declaration", json=body, headers=DESK)
    assert r.status_code == 422 and "taxed import" in r.json()["detail"]
    assert "18-digit 1300 declaration" not in r.json()["detail"]
