"""Dispatch domain (no I/O): countries at the door, no silent overrides, amend and cancel (删改单), customs terms."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.dispatch.domain import exits
from services.dispatch.domain.destinations import Destination as D
from services.dispatch.domain.destinations import ItemKind
from services.dispatch.domain.exits import ExitDocuments
from services.dispatch.domain.items import Decision, DispatchItem, ItemState, Origin
from services.kit.errors import Conflict, RuleViolation

AT = datetime(2026, 12, 1, tzinfo=timezone.utc)


def item(origin: Origin = "foreign", state: ItemState = ItemState.awaiting_dispatch) -> DispatchItem:
    return DispatchItem("u1", ItemKind.unit, "u1", "fab-1", state=state, origin=origin,
                        origin_country="TW" if origin == "foreign" else None, outcome="repaired")


@pytest.mark.parametrize("country", ["XX", "ZZ", "de"])
def test_re_export_to_an_unknown_country_is_refused(country: str) -> None:
    with pytest.raises(RuleViolation, match="unknown ISO 3166 country") as e:
        item().decide(D.re_export, country, AT)
    assert e.value.details["field"] == "destination_country"


@pytest.mark.parametrize("d, country, rule", [
    (D.return_to_owner, "SG", "return_to_owner_country"),
    (D.domestic_release, "US", "domestic_release_stays_in_china"),
    (D.exchange_pool, "DE", "exchange_pool_stays_in_zone"),
    (D.re_export, "CN", "re_export_leaves_china"),
])
def test_a_country_that_contradicts_the_destination_is_refused_naming_the_rule(d: D, country: str, rule: str) -> None:
    i = item()
    with pytest.raises(RuleViolation, match=rule) as e:
        i.decide(d, country, AT)
    assert e.value.details["rule"] == rule and i.state is ItemState.awaiting_dispatch


def test_agreeing_countries_are_accepted() -> None:
    i = item()
    i.decide(D.return_to_owner, "TW", AT)
    assert i.destination_country == "TW"
    j = item()
    j.decide(D.domestic_release, "CN", AT)
    assert j.destination_country == "CN"


def test_a_decision_is_amended_until_the_exit_is_declared() -> None:
    i = item()
    i.decide(D.re_export, "DE", AT)
    entry = i.amend_decision(D.return_to_owner, None, "owner wants it back", "dispatcher:zhao", AT)
    assert (i.destination, i.destination_country, i.state) == (D.return_to_owner, "TW", ItemState.decided)
    assert entry.before == Decision(D.re_export, "DE") and entry.after == Decision(D.return_to_owner, "TW")
    assert i.history[-1].actor == "dispatcher:zhao" and i.history[-1].reason == "owner wants it back"
    i.declare_exit({"gate_pass_no": "G1"}, None, AT)
    with pytest.raises(Conflict, match="amend_decision"):
        i.amend_decision(D.re_export, "DE", "too late", "dispatcher:zhao", AT)


def test_an_amendment_needs_a_reason_and_follows_the_rules() -> None:
    i = item()
    i.decide(D.re_export, "DE", AT)
    with pytest.raises(RuleViolation, match="needs a reason"):
        i.amend_decision(D.re_export, "FR", " ", "dispatcher:zhao", AT)
    with pytest.raises(RuleViolation, match="unknown ISO 3166"):
        i.amend_decision(D.re_export, "XX", "typo", "dispatcher:zhao", AT)
    assert (i.destination_country, i.history) == ("DE", [])


def test_a_declared_exit_is_cancelled_back_to_decided_and_a_shipped_one_is_not() -> None:
    i = item()
    i.decide(D.re_export, "DE", AT)
    i.declare_exit({"gate_pass_no": "G1"}, None, AT)
    entry = i.cancel_exit("wrong inventory list", "dispatcher:zhao", AT)
    assert i.state is ItemState.decided and i.exit_documents == {} and entry.documents == {"gate_pass_no": "G1"}
    assert entry.state is ItemState.declared and i.history == [entry]
    i.declare_exit({"gate_pass_no": "G2"}, None, AT)
    i.ship()
    with pytest.raises(Conflict, match="cancel_exit"):
        i.cancel_exit("too late", "dispatcher:zhao", AT)


def test_the_importer_declaration_is_named_by_origin() -> None:
    doc = ExitDocuments("1371", "HF224426000000002", "1", "QD224426E000000002", None, None)
    with pytest.raises(RuleViolation) as foreign:
        exits.check(doc, ItemKind.unit, D.domestic_release, False, origin="foreign")
    assert "taxed import" in foreign.value.message and "18-digit 1300" not in foreign.value.message
    with pytest.raises(RuleViolation) as domestic:
        exits.check(doc, ItemKind.unit, D.return_to_owner, False, origin="domestic")
    assert "1300 (修理物品, repair goods" in domestic.value.message
