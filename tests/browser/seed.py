"""A known set of units for the dashboard tests, fed through the real relay and consumers (in-memory broker).

Intake's and repair's events go onto their topics; dispatch's consumer applies them with dispatch's and the
ledger's handlers, and the desk's projection (a consumer and group of its own) with the desk's; the events dispatch
publishes (through its outbox and relay) reach the desk's projection the same way. ``EXPECTED`` is what the
dashboard must show for ``scenario()``.
"""
from __future__ import annotations

import asyncio
import zlib
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from services.dispatch.db.tables import dead_letters, inbox, outbox
from services.dispatch.domain.account_book import Book
from services.dispatch.domain.destinations import Destination
from services.dispatch.domain.exits import ExitDocuments
from services.dispatch.messaging.desk import DESK as DESK_PROJECTION
from services.dispatch.service import account_book, decisions, shipments
from services.kit import projections
from services.kit.runtime import Runtime
from shared.contract.events import intake as i
from shared.contract.events import repair as r
from shared.contract.events.common import Money, PartLine
from shared.contract.registry import REGISTRY, Payload
from shared.messaging.consumer import ConsumerOptions, EventConsumer
from shared.messaging.dead_letters import DeadLetterWriter
from shared.messaging.fakes import FakeBroker
from shared.messaging.relay import Relay, RelayOptions

NOW = datetime.now(timezone.utc).replace(microsecond=0)
VAT, DESK = Decimal("0.13"), "dispatcher:seed"
EXIT_ABROAD = {"supervision_mode": "1371", "gate_pass_no": "HF224426000000001", "gate_pass_type": "1",
               "bonded_inventory_list_no": "QD224426E000000001", "outbound_record_list_no": "OR2244260000000001"}


def consumer(rt: Runtime, broker: FakeBroker, group: str, handlers: dict, topics: list[str]) -> EventConsumer:
    """One of dispatch's consumers as the runtime builds it, on the in-memory broker."""
    dead = DeadLetterWriter(rt.sessions, dead_letters, "bondline.dispatch.deadletter", broker.producer)
    return EventConsumer(group, topics, handlers, rt.uow, inbox, dead, lambda: broker.consumer(group, topics),
                         rt.metrics, ConsumerOptions(max_attempts=1, retry_base_s=0.001, poll_timeout_ms=1))


class Loop:
    """Relay -> in-memory broker -> dispatch's consumer and the desk's projection (the real loop classes, no Kafka)."""

    def __init__(self, rt: Runtime, desk_generation: int = 0) -> None:
        self.rt, self.broker = rt, FakeBroker()
        self.relay = Relay(rt.sessions, outbox, self.broker.producer, rt.signal, rt.metrics, RelayOptions())
        self.consumer = consumer(rt, self.broker, "bondline.dispatch", rt.d.handlers, rt.d.subscribe)
        self.desk = self.desk_consumer(desk_generation)

    def desk_consumer(self, generation: int) -> EventConsumer:
        p, group = DESK_PROJECTION, projections.group("dispatch", DESK_PROJECTION.name, generation)
        return consumer(self.rt, self.broker, group, p.handlers, p.subscribe)

    def put(self, payload: Payload, source: str) -> None:
        ce = REGISTRY.to_event(payload, source)
        self.broker.append(REGISTRY.spec_for_type(ce.type).topic, ce.key(), ce.value(), ce.headers())

    async def settle(self) -> None:
        while await self.relay.step() + await self.consumer.poll_once() + await self.desk.poll_once():
            pass

    async def run(self, stop: asyncio.Event, every_s: float = 0.2) -> None:
        while not stop.is_set():
            await self.settle()
            await asyncio.sleep(every_s)


# the owners intake registered (dispatch learns them from owner.registered): the desk shows them by these names
OWNERS = {"fab-1": ("华虹半导体一厂", "domestic", "CN"), "fab-2": ("Hsinchu Fab Two", "overseas", "TW"),
          "oem-3": ("Applied Plasma OEM", "overseas", "US")}


def entry_documents(unit_id: str) -> dict[str, str]:
    """The unit's entry inventory list (核注清单, an I list) and gate pass (核放单), one per unit."""
    n = zlib.crc32(unit_id.encode()) % 10**9
    return {"bonded_inventory_list": f"QD224426I{n:09d}", "gate_pass": f"HF2244262{n:09d}", "gate_pass_type": "1",
            "supervision_mode": "1371"}


def facts(unit_id: str, owner: str, origin: str) -> dict[str, Any]:
    return {"unit_id": unit_id, "owner_id": owner, "serial_number": f"SN-{unit_id}", "part_number": "RF-GEN-3KW",
            "hs_code": "8486909000", "origin": origin, "origin_country": "KR" if origin == "foreign" else None,
            "declared_value": Money(amount=Decimal("42000.00"), currency="USD"), "documents": entry_documents(unit_id)}


def intake(loop: Loop, unit_id: str, owner: str, days_ago: float, origin: str = "foreign",
           receive: bool = True) -> None:
    at, f = NOW - timedelta(days=days_ago), facts(unit_id, owner, origin)
    loop.put(i.UnitAnnounced(**f, request_id=f"rq-{unit_id}", catalogue_version=1, announced_at=at), "/bondline/intake")
    if receive:
        loop.put(i.UnitReceived(**f, custody_location="awaiting repair", received_at=at + timedelta(hours=1),
                                catalogue_version=1, owner_group="g1"), "/bondline/intake")


def repair(loop: Loop, unit_id: str, owner: str, days_ago: float, first_pass: bool | None = None,
           outcome: str | None = None, origin: str = "foreign") -> None:
    at, wo, src = NOW - timedelta(days=days_ago), f"wo-{unit_id}", "/bondline/repair"
    loop.put(i.UnitReleasedToRepair(**facts(unit_id, owner, origin), released_at=at), "/bondline/intake")
    loop.put(r.WorkOrderOpened(unit_id=unit_id, work_order_id=wo, owner_id=owner, opened_at=at), src)
    loop.put(r.WorkOrderStateChanged(unit_id=unit_id, work_order_id=wo, owner_id=owner, action="start_repair",
                                     from_state="queued", to_state="in_repair", changed_at=at), src)
    if first_pass is not None:
        loop.put(r.UnitTested(unit_id=unit_id, work_order_id=wo, owner_id=owner, test_id=f"t-{unit_id}",
                              procedure="RF-ATP", passed=first_pass, first_test=True, tested_at=at), src)
    if outcome:
        parts = [PartLine(part_number="O-RING", lot="L1", quantity=1,
                          unit_value=Money(amount=Decimal("12.50"), currency="USD"), origin="foreign")]
        loop.put(r.WorkOrderCompleted(unit_id=unit_id, work_order_id=wo, owner_id=owner, outcome=outcome,
                                      repair_fee=Money(amount=Decimal("1800.00"), currency="CNY"), parts_used=parts,
                                      completed_at=at), src)


def old_part(loop: Loop, unit_id: str, owner: str, due_in_days: float) -> None:
    loop.put(r.OldPartRecorded(unit_id=unit_id, old_part_id=f"op-{unit_id}", work_order_id=f"wo-{unit_id}",
                               owner_id=owner, part_number="RF-BOARD", quantity=1, origin="foreign",
                               allowed_routes=["reexport_0864", "destruction_0200"],
                               disposal_deadline=NOW + timedelta(days=due_in_days), removed_at=NOW - timedelta(days=1)),
             "/bondline/repair")


async def ship(rt: Runtime, unit_id: str, country: str = "US") -> None:
    """Through dispatch's use cases, as the desk would: decide, declare, ship in a shipment of its own."""
    await decisions.decide(rt.uow(), unit_id, Destination.re_export, country, VAT, DESK)
    await decisions.declare_exit(rt.uow(), unit_id, ExitDocuments(**EXIT_ABROAD), VAT, DESK)
    s = await shipments.create(rt.uow(), shipments.new("DHL", f"T-{unit_id}", country, "Fab 1, Hsinchu", "DAP"), DESK)
    await shipments.add_item(rt.uow(), s.id, unit_id, DESK)
    for to in ("customs_cleared", "shipped"):
        await shipments.advance(rt.uow(), s.id, shipments.ShipmentState(to), DESK)


def owners(loop: Loop) -> None:
    for owner_id, (name, kind, country) in OWNERS.items():
        loop.put(i.OwnerRegistered(owner_id=owner_id, name=name, kind=kind, country=country, group="g1",
                                   registered_at=NOW - timedelta(days=1000)), "/bondline/intake")


async def scenario(rt: Runtime, loop: Loop) -> None:
    owners(loop)
    loop.put(i.PartsReceived(receipt_id="rc-1", part_number="O-RING", lot="L1", quantity=20, hs_code="4016931000",
                             unit_value=Money(amount=Decimal("12.50"), currency="USD"), origin="foreign",
                             received_at=NOW - timedelta(days=900)), "/bondline/intake")
    intake(loop, "u-new", "fab-1", 1, receive=False)                       # announced only: intake, not in bond
    intake(loop, "u-recv", "fab-2", 10)                                    # received: intake, in bond 10 days
    for unit_id, owner, days in (("u-rep1", "fab-1", 20), ("u-rep2", "oem-3", 45)):
        intake(loop, unit_id, owner, days + 1)
        repair(loop, unit_id, owner, days)                                 # in repair
    intake(loop, "u-aw1", "fab-1", 5)
    repair(loop, "u-aw1", "fab-1", 3, first_pass=True, outcome="repaired")  # awaiting dispatch
    intake(loop, "u-aw2", "fab-2", 3, origin="domestic")
    repair(loop, "u-aw2", "fab-2", 2, first_pass=False, outcome="repaired", origin="domestic")
    intake(loop, "u-br", "oem-3", 700)                                     # in bond 700 days: at risk
    repair(loop, "u-br", "oem-3", 690, outcome="beyond_repair")
    intake(loop, "u-late", "fab-1", 800)                                   # in bond 800 days: breached
    repair(loop, "u-late", "fab-1", 790, first_pass=True, outcome="repaired")
    old_part(loop, "u-aw1", "fab-1", 5)                                    # disposal due in 5 days: at risk
    old_part(loop, "u-late", "fab-1", -2)                                  # two days late: breached
    for unit_id, days in (("u-sh1", 10), ("u-sh2", 4)):                    # shipped: turnaround 240 h and 96 h
        intake(loop, unit_id, "fab-2", days + 1 / 24)
        repair(loop, unit_id, "fab-2", 1, first_pass=True, outcome="repaired")
    await loop.settle()
    for unit_id in ("u-sh1", "u-sh2"):
        await ship(rt, unit_id)
    await loop.settle()


EXPECTED = {
    "backlog_by_stage": {"intake": 2, "repair": 2, "dispatch": 4},
    "backlog_by_owner": {"fab-1": {"intake": 1, "repair": 1, "dispatch": 2},
                         "fab-2": {"intake": 1, "repair": 0, "dispatch": 1},
                         "oem-3": {"intake": 0, "repair": 1, "dispatch": 1}},
    "first_pass_yield": 0.8, "first_tests": 5,              # 4 of 5 first tests passed
    "beyond_repair_rate": round(1 / 6, 4), "completed": 6,
    "due_to_ship": 4, "shipped": 2,                         # u-aw1, u-aw2, u-br, u-late: awaiting dispatch
    "turnaround_hours": {"median": 96, "p90": 240, "count": 2},
    "destinations": {"domestic": 0, "overseas": 2, "bonded": 0},
    "origins": {"domestic": 1, "foreign": 8},
    "deadlines": {"bond": {"ok": 5, "at_risk": 1, "breached": 1},
                  "disposal": {"ok": 0, "at_risk": 1, "breached": 1}},
}


async def book(rt: Runtime) -> None:
    """The account book (电子账册) with the seed's units' material registered, for the customs pages."""
    centre = Book("H2244B000001", "3122W60001", "临港保税维修中心", "bonded_repair", "2244", date(2026, 1, 1),
                  date(2027, 12, 31), 730)
    await account_book.open_book(rt.uow(), centre, "admin:seed")
    await account_book.register_item(rt.uow(), account_book.ItemRequest(
        "unit", "RF-GEN-3KW", "8486909000", "射频发生器 RF generator", "3 kW", "001", Decimal("42000.00"), "USD",
        Decimal("38.5")), "admin:seed")
    await account_book.assign(rt.uow(), "admin:seed")  # the units' lines recorded before the item existed
