"""Screening inside dispatch's use cases (issue 19): an item's destination country at its decision, amendment and
declaration; a shipment's consignee when it is named, and everything in a shipment when it clears customs and when
it ships. Each screening is recorded (what was screened, against which lists' version, what matched); a hit opens a
hold, published per item (``item.compliance_held``); a hold nothing matches any more is cleared
(``item.compliance_released``, ``no_longer_matches``). These run inside the caller's unit of work."""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from services.dispatch.db.compliance import Screening
from services.dispatch.db.compliance_codec import hit_data
from services.dispatch.domain import holds as rules
from services.dispatch.domain.holds import Hold, HoldStatus, Point, Subject
from services.dispatch.domain.items import DispatchItem
from services.dispatch.domain.screening import Goods, Hit, Screen, screen_country, screen_party
from services.dispatch.domain.shipments import Shipment
from services.dispatch.service import compliance_events as events
from services.dispatch.service.uow import DispatchUnitOfWork
from services.kit.errors import Conflict


async def screen_item(uow: DispatchUnitOfWork, item: DispatchItem, point: Point, actor: str,
                      now: datetime) -> list[Hold]:
    """Screen the item's destination country; the item's open holds after it (country and its shipment's)."""
    lists = await uow.compliance.lists()
    goods = Goods(item.part_number, item.hs_code, item.origin_country)
    hits = screen_country(lists, goods, item.destination_country)
    c = lists.classify(goods.part_number, goods.hs_code, goods.origin_country)
    facts = {"country": item.destination_country, "part_number": goods.part_number, "hs_code": goods.hs_code,
             "origin_country": goods.origin_country, "classification": c.code if c else None}
    await _record(uow, "item", item.item_id, point, lists.version, facts, hits, actor, now)
    await _apply(uow, "item", item.item_id, "country", hits, point, lists.version, [item], actor, now)
    return await open_holds(uow, item)


async def screen_shipment(uow: DispatchUnitOfWork, s: Shipment, items: list[DispatchItem], point: Point, actor: str,
                          now: datetime, with_items: bool = True) -> list[Hold]:
    """Screen the shipment's consignee (if named) and, unless ``with_items`` is False, each item's country again;
    the open holds of the shipment and (screened) of its items after it."""
    lists = await uow.compliance.lists()
    party = await uow.compliance.consignee(s.id)
    hits = screen_party(lists, party) if party else []
    facts = {"consignee": vars(party) if party else None, "destination_country": s.destination_country}
    await _record(uow, "shipment", s.id, point, lists.version, facts, hits, actor, now)
    await _apply(uow, "shipment", s.id, "party", hits, point, lists.version, items, actor, now)
    held = await uow.compliance.holds("shipment", s.id, HoldStatus.open.value)
    for item in items if with_items else []:
        held += await screen_item(uow, item, point, actor, now)
    return list({h.id: h for h in held}.values())


async def open_holds(uow: DispatchUnitOfWork, item: DispatchItem) -> list[Hold]:
    held = await uow.compliance.holds("item", item.item_id, HoldStatus.open.value)
    shipment_id = await uow.items.shipment_of(item.item_id)
    if shipment_id:
        held += await uow.compliance.holds("shipment", shipment_id, HoldStatus.open.value)
    return held


def refuse(what: str, held: list[Hold], action: str) -> Conflict:
    """The 409 for an action on something held, naming each hold and what to do."""
    listed = "; ".join(f"hold {h.id}: {h.hit.reason}" for h in held)
    return Conflict(f"{what} is on compliance hold and cannot be {action}: {listed}. A compliance officer releases "
                    "a hold (POST /v1/compliance/holds/{hold_id}/release)", holds=[h.id for h in held],
                    rule="compliance_hold")


async def _record(uow: DispatchUnitOfWork, subject: Subject, subject_id: str, point: Point, version: int,
                  facts: Mapping[str, object], hits: list[Hit], actor: str, now: datetime) -> None:
    await uow.compliance.record(Screening(subject, subject_id, point, version, dict(facts), [hit_data(h) for h in hits],
                                          now, actor))


async def _apply(uow: DispatchUnitOfWork, subject: Subject, subject_id: str, screen: Screen, hits: list[Hit],
                 point: Point, version: int, items: list[DispatchItem], actor: str, now: datetime) -> None:
    existing = [h for h in await uow.compliance.holds(subject, subject_id) if h.hit.screen == screen]
    new, stale = rules.reconcile(existing, hits, now.date())
    for hit in new:
        h = Hold(str(uuid.uuid4()), subject, subject_id, hit, point, version, now, actor)
        await uow.compliance.save_hold(h)
        events.held(uow, h, items)
    for h in stale:
        h.clear(f"screened again at {point} against lists version {version}: no longer matches", actor, now)
        await uow.compliance.save_hold(h)
        await events.closed(uow, h, items)
