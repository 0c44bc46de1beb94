"""Entry filings to the customs platform: file announced units, correct and resend, amend, send the gate pass; and
the customs worker's two steps, whose receipts move the filings and their units (``domain/entry_filings.py``).

The account book is read (from dispatch) before the transaction opens: a remote call holds no lock."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.intake.adapters.account_book import AccountBook
from services.intake.db.entry_filings import CUSTOMS, EntryFilingRepository
from services.intake.domain import entry_filings as ef
from services.intake.domain.entry_filings import EntryFiling, Step, UnitFacts
from services.intake.domain.owners import CreditTier
from services.intake.domain.units import Origin, Unit, UnitState
from services.intake.service import outgoing
from services.intake.service.uow import IntakeUnitOfWork as UoW
from services.kit.customs import documents, store
from services.kit.customs.documents import Header, Item
from services.kit.customs.lifecycle import message
from services.kit.customs.platform import Platform
from services.kit.errors import NotFound, RuleViolation
from shared.clock import utc_now
from shared.contract.customs.messages import Direction, Kind, Receipt


@dataclass(frozen=True)
class FileEntry:
    unit_ids: list[str]
    transport_mode: str


async def _known(uow: UoW, unit_ids: tuple[str, ...] = (), filing_id: str | None = None) -> None:
    """What the request names exists (404 before the account book is asked: a remote call for nothing otherwise)."""
    async with uow:
        for uid in unit_ids:
            if await uow.units.get(uid) is None:
                raise NotFound(f"unit {uid} not found", field="unit_ids")
        if filing_id is not None and await EntryFilingRepository(uow.session).get(filing_id) is None:
            raise NotFound(f"entry filing {filing_id} not found")


async def file_entry(uow: UoW, cmd: FileEntry, book: AccountBook, actor: str) -> EntryFiling:
    await _known(uow, tuple(dict.fromkeys(cmd.unit_ids)))
    header, items = await book.read()
    async with uow:
        uow.actor, now = actor, utc_now()
        units = [await _unit(uow, uid) for uid in dict.fromkeys(cmd.unit_ids)]
        if not units:
            raise RuleViolation("an entry filing needs at least one unit", field="unit_ids")
        if len({(u.owner_id, u.origin) for u in units}) != 1:
            raise RuleViolation("one entry list covers units of one owner and one origin", field="unit_ids")
        country = units[0].origin_country if units[0].origin is Origin.foreign else ef.DOMESTIC
        filing = EntryFiling(str(uuid.uuid4()), [u.id for u in units], units[0].owner_id, country or ef.DOMESTIC,
                             cmd.transport_mode)
        repo = EntryFilingRepository(uow.session)
        for u in units:
            u.file(filing.id, now, actor)
        await _send_list(uow, repo, filing, units, header, items, actor, now)
        await repo.add(filing, now, actor)
        for u in units:
            await uow.units.save(u, actor)
        await uow.commit()
        return filing


async def resend(uow: UoW, filing_id: str, book: AccountBook, actor: str, transport_mode: str | None = None,
                 unit_ids: list[str] | None = None) -> EntryFiling:
    """After a rejection: the list built again from the units, the owner and the book as they are now (corrected),
    optionally without some of its units (they are free again), and sent again."""
    await _known(uow, filing_id=filing_id)
    header, items = await book.read()
    async with uow:
        uow.actor, now = actor, utc_now()
        repo = EntryFilingRepository(uow.session)
        filing = await _filing(repo, filing_id)
        keep = _kept(filing, unit_ids)
        filing.transport_mode = transport_mode or filing.transport_mode
        units = [await _unit(uow, uid) for uid in filing.unit_ids]
        await _send_list(uow, repo, filing, [u for u in units if u.id in keep], header, items, actor, now)
        for u in units:
            if u.id not in keep:
                u.unfile(filing.id, now, actor)
                await uow.units.save(u, actor)
        filing.unit_ids = [uid for uid in filing.unit_ids if uid in keep]
        await repo.save(filing)
        await uow.commit()
        return filing


def _kept(filing: EntryFiling, unit_ids: list[str] | None) -> set[str]:
    if unit_ids is None:
        return set(filing.unit_ids)
    if not unit_ids:
        raise RuleViolation("a corrected list keeps at least one unit", field="unit_ids")
    strangers = [u for u in unit_ids if u not in filing.unit_ids]
    if strangers:
        raise RuleViolation(f"units {strangers} are not on entry filing {filing.id}", field="unit_ids")
    return set(unit_ids)


async def amend(uow: UoW, filing_id: str, book: AccountBook, reason: str, actor: str,
                transport_mode: str | None = None) -> EntryFiling:
    """An amendment (删改单, 修改) of the list customs holds, built again as the units, owner and book are now, sent
    with customs' number and the reason; customs' receipt accepts or refuses it."""
    await _known(uow, filing_id=filing_id)
    header, items = await book.read()
    async with uow:
        uow.actor, now = actor, utc_now()
        repo = EntryFilingRepository(uow.session)
        filing = await _filing(repo, filing_id)
        filing.transport_mode = transport_mode or filing.transport_mode
        units = [await _unit(uow, uid) for uid in filing.unit_ids]
        await _send_list(uow, repo, filing, units, header, items, actor, now, amendment=reason)
        await repo.save(filing)
        await uow.commit()
        return filing


async def _send_list(uow: UoW, repo: EntryFilingRepository, filing: EntryFiling, units: list[Unit], header: Header,
                     items: list[Item], actor: str, now: datetime, amendment: str | None = None) -> None:
    owner = await uow.owners.get(filing.owner_id)
    if owner is None or not owner.customs_code:
        raise RuleViolation(f"owner {filing.owner_id} has no customs_code (海关编码): the entry list names it; set it "
                            "with PATCH /v1/owners/{owner_id}", field="unit_ids")
    doc = ef.entry_list(filing, header, owner.customs_code, [_facts(u) for u in units],
                        {i.material_no: i for i in items if i.kind == "unit"})
    if amendment is None:
        msg = message(Kind.inventory_list, header.enterprise_code, now, inventory_list=doc)
    else:
        msg = message(Kind.amendment, header.enterprise_code, now, inventory_list=doc, refers_to=filing.list_no,
                      reason=amendment)
    await repo.store.queue(filing, msg, actor, "unit_ids")


def _facts(u: Unit) -> UnitFacts:
    country = u.origin_country if u.origin is Origin.foreign and u.origin_country else ef.DOMESTIC
    return UnitFacts(u.id, u.part_number, u.serial_number, u.declared_value, u.currency, country)


async def gate_pass(uow: UoW, filing_id: str, book: AccountBook, pass_type: str, vehicle_no: str,
                    actor: str) -> EntryFiling:
    await _known(uow, filing_id=filing_id)
    header, _items = await book.read()
    async with uow:
        uow.actor, now = actor, utc_now()
        repo = EntryFilingRepository(uow.session)
        filing = await _filing(repo, filing_id)
        doc = documents.gate_pass(filing.id, filing.list_no, header, Direction.entry, pass_type, vehicle_no)
        await repo.store.queue(filing, message(Kind.gate_pass, header.enterprise_code, now, gate_pass=doc), actor,
                               "vehicle_no")
        filing.pass_type = pass_type
        await repo.save(filing)
        await uow.commit()
        return filing


async def get(uow: UoW, filing_id: str) -> tuple[EntryFiling, list[Any], list[Any]]:
    """The filing, its messages and their receipts (plain rows of customs_messages and customs_receipts)."""
    async with uow:
        repo = EntryFilingRepository(uow.session)
        filing = await _filing(repo, filing_id)
        messages = await repo.store.messages(filing_id)
        return filing, messages, await repo.store.receipts([m.message_id for m in messages])


async def find(uow: UoW, state: str | None, limit: int) -> list[EntryFiling]:
    async with uow:
        return await EntryFilingRepository(uow.session).find(state, limit)


async def _filing(repo: EntryFilingRepository, filing_id: str) -> EntryFiling:
    found = await repo.get(filing_id)
    if found is None:
        raise NotFound(f"entry filing {filing_id} not found")
    return found


async def _unit(uow: UoW, unit_id: str) -> Unit:
    unit = await uow.units.get(unit_id, for_update=True)
    if unit is None:
        raise NotFound(f"unit {unit_id} not found", field="unit_ids")
    return unit


# ---- the customs worker's two steps (the shared store's) ----------------------------------------------------

async def send_pending(uow_factory: Any, platform: Platform) -> int:
    return await store.send_pending(uow_factory, CUSTOMS, platform)


async def poll(uow_factory: Any, platform: Platform, rates: dict[CreditTier, float]) -> int:
    async def apply(uow: UoW, r: Receipt) -> bool:
        return await _apply(uow, r, rates)
    return await store.poll(uow_factory, CUSTOMS, platform, apply)


async def _apply(uow: UoW, r: Receipt, rates: dict[CreditTier, float]) -> bool:
    repo = EntryFilingRepository(uow.session)
    filing = await repo.by_message(r.message_id)
    if filing is None:
        return False
    if filing.answer(r):
        await repo.save(filing)
        step = ef.step(filing, r)
        if step is not None:
            await _units(uow, filing, step, rates)
    return True


async def _units(uow: UoW, filing: EntryFiling, step: Step, rates: dict[CreditTier, float]) -> None:
    """What customs' receipt does to the filing's units, with the events they publish."""
    uow.actor, now = "customs", utc_now()
    owner = await uow.owners.get(filing.owner_id)
    tier = owner.credit_tier if owner else CreditTier.general
    docs = {"bonded_inventory_list": filing.list_no or "", "supervision_mode": filing.supervision_mode}
    for uid in filing.unit_ids:
        u = await _unit(uow, uid)
        if not _moves(filing, u, step, docs, now, tier, rates, uow):
            continue
        await uow.units.save(u, "customs")


def _moves(filing: EntryFiling, u: Unit, step: Step, docs: dict[str, str], now: datetime, tier: CreditTier,
           rates: dict[CreditTier, float], uow: UoW) -> bool:
    kind = filing.inspection or "on_site"
    if step is Step.numbered:
        u.note("customs_accepted", now, "customs", f"entry list accepted by customs: {filing.list_no}", docs)
    elif step is Step.rejected:
        u.note("customs_rejected", now, "customs", f"entry list rejected by customs: {filing.reason}")
    elif step is Step.gate_pass and filing.pass_no:
        u.note("gate_pass", now, "customs", f"gate pass accepted by customs: {filing.pass_no}",
               {"gate_pass": filing.pass_no, "gate_pass_type": filing.pass_type or ""})
    elif step is Step.inspection and u.state is UnitState.announced:
        u.declare(filing.id, docs, True, now, "customs")
        uow.publish(outgoing.entry_declared(u, filing.id, True, now),
                    outgoing.entry_selected(u, filing.id, kind, tier.value, rates[tier], now))
    elif step is Step.failed and u.state is UnitState.inspection_pending:
        u.inspected(False, now, "customs", "customs' inspection did not pass")
        uow.publish(outgoing.entry_inspected(u, filing.id, kind, False, now), outgoing.rejected(u, now))
    elif step is Step.released and u.state is UnitState.inspection_pending:
        u.inspected(True, now, "customs", f"inspected ({kind}) and released by customs")
        uow.publish(outgoing.entry_inspected(u, filing.id, kind, True, now))
    elif step is Step.released and u.state is UnitState.announced:
        u.declare(filing.id, docs, False, now, "customs")
        uow.publish(outgoing.entry_declared(u, filing.id, False, now))
    else:
        return False
    return True
