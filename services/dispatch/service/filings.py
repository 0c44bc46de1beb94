"""Exit filings to the customs platform: file items leaving, send what waits, apply the receipts that come back.

Filing stores the filing and its message in one transaction; ``send_pending`` (the customs worker) sends what
waits and ``poll`` reads the platform's receipt feed, storing each receipt once and applying it to its filing, the
feed position committed with it. So a crash loses nothing: a message not marked sent is sent again (the platform
answers a resent message id with the same receipts) and a receipt read twice changes nothing."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from services.dispatch.db.account_book import AccountBookRepository
from services.dispatch.db.filings import CUSTOMS, FilingRepository
from services.dispatch.domain import exits, filings
from services.dispatch.domain.filings import Filing, ItemFacts
from services.dispatch.domain.items import DispatchItem
from services.dispatch.service import account_book
from services.dispatch.service.decisions import load
from services.dispatch.service.uow import DispatchUnitOfWork as UoW
from services.kit.customs import documents, store
from services.kit.customs.platform import Platform
from services.kit.errors import Conflict, NotFound, RuleViolation
from shared.clock import utc_now
from shared.contract.customs.messages import Kind, Receipt


@dataclass(frozen=True)
class FileExit:
    item_ids: list[str]
    transport_mode: str
    supervision_mode: str | None = None


def _facts(item: DispatchItem) -> ItemFacts:
    if item.destination is None or item.destination_country is None:
        raise RuleViolation(f"item {item.item_id} has no destination decided yet", field="item_ids")
    if not item.part_number:
        raise RuleViolation(f"item {item.item_id} has no part number to find its account-book item", field="item_ids")
    return ItemFacts(item.item_id, item.kind.value, item.part_number, item.serial_number, 1,
                     item.declared_value or Decimal(0), item.currency or "CNY", item.origin_country or "CN")


def _mode(items: list[DispatchItem], asked: str | None) -> str:
    modes = set.intersection(*[exits.modes_for(i.kind, i.destination, i.destination_country != "CN", i.return_mode)
                               for i in items if i.destination is not None])
    if asked:
        if asked not in modes:
            raise RuleViolation(f"supervision mode {asked} does not fit these items; use {' or '.join(sorted(modes))}",
                                field="supervision_mode")
        return asked
    if len(modes) != 1:
        raise RuleViolation(f"give supervision_mode: {' or '.join(sorted(modes)) or 'no mode'} fits these items",
                            field="supervision_mode")
    return next(iter(modes))


async def file_exit(uow: UoW, cmd: FileExit, actor: str) -> Filing:
    async with uow:
        items = [await load(uow, i) for i in dict.fromkeys(cmd.item_ids)]
        if not items:
            raise RuleViolation("a filing needs at least one item", field="item_ids")
        for i in items:
            _facts(i)  # each has its destination and part number
        countries = {i.destination_country for i in items}
        if len(countries) != 1:
            raise RuleViolation("one inventory list goes to one destination country", field="item_ids")
        filing = Filing(str(uuid.uuid4()), [i.item_id for i in items], _mode(items, cmd.supervision_mode),
                        cmd.transport_mode, str(countries.pop()))
        await _send_list(uow, FilingRepository(uow.session), filing, items, actor, new=True)
        await uow.commit()
        return filing


async def resend(uow: UoW, filing_id: str, actor: str, transport_mode: str | None = None) -> Filing:
    """After a rejection: the list built again from the items and the book as they are now (corrected), resent."""
    async with uow:
        repo = FilingRepository(uow.session)
        filing = await _filing(repo, filing_id)
        filing.transport_mode = transport_mode or filing.transport_mode
        await _send_list(uow, repo, filing, [await load(uow, i) for i in filing.item_ids], actor, new=False)
        await uow.commit()
        return filing


async def amend(uow: UoW, filing_id: str, reason: str, actor: str, transport_mode: str | None = None) -> Filing:
    """An amendment (删改单, 修改) of a list customs holds: built again from the items and the book as they are now,
    sent with customs' number and the reason; customs' receipt accepts or refuses it."""
    async with uow:
        repo = FilingRepository(uow.session)
        filing = await _filing(repo, filing_id)
        filing.transport_mode = transport_mode or filing.transport_mode
        await _send_list(uow, repo, filing, [await load(uow, i) for i in filing.item_ids], actor, new=False,
                         amendment=reason)
        await uow.commit()
        return filing


async def _send_list(uow: UoW, repo: FilingRepository, filing: Filing, items: list[DispatchItem], actor: str,
                     new: bool, amendment: str | None = None) -> None:
    books, now = AccountBookRepository(uow.session), utc_now()
    book = await account_book.current(books)
    book_items = {(i.kind, i.material_no): i for i in await books.items(book.book_no)}
    doc = filings.exit_list(filing, book, [_facts(i) for i in items], book_items, documents.enterprise_no(filing.id))
    if amendment is None:
        msg = filings.message(Kind.inventory_list, book.enterprise_code, now, inventory_list=doc)
    else:
        msg = filings.message(Kind.amendment, book.enterprise_code, now, inventory_list=doc, refers_to=filing.list_no,
                              reason=amendment)
    await repo.store.queue(filing, msg, actor, "item_ids")
    if new:
        await repo.add(filing, now, actor)
    else:
        await repo.save(filing)


async def gate_pass(uow: UoW, filing_id: str, pass_type: str, vehicle_no: str, actor: str) -> Filing:
    async with uow:
        repo, now = FilingRepository(uow.session), utc_now()
        filing = await _filing(repo, filing_id)
        book = await account_book.current(AccountBookRepository(uow.session))
        doc = filings.gate_pass(filing, book, pass_type, vehicle_no)
        await repo.store.queue(filing, filings.message(Kind.gate_pass, book.enterprise_code, now, gate_pass=doc),
                               actor, "vehicle_no")
        await repo.save(filing)
        await uow.commit()
        return filing


async def cancel(uow: UoW, filing_id: str, reason: str, actor: str) -> Filing:
    async with uow:
        repo, now = FilingRepository(uow.session), utc_now()
        filing = await _filing(repo, filing_id)
        book = await account_book.current(AccountBookRepository(uow.session))
        msg = filings.message(Kind.cancellation, book.enterprise_code, now, refers_to=filing.list_no, reason=reason)
        await repo.store.queue(filing, msg, actor, "reason")
        await repo.save(filing)
        await uow.commit()
        return filing


async def _filing(repo: FilingRepository, filing_id: str) -> Filing:
    found = await repo.get(filing_id)
    if found is None:
        raise NotFound(f"filing {filing_id} not found")
    return found


async def get(uow: UoW, filing_id: str) -> tuple[Filing, list[Any], list[Any]]:
    """The filing, its messages and their receipts (plain rows of customs_messages and customs_receipts)."""
    async with uow:
        repo = FilingRepository(uow.session)
        filing = await _filing(repo, filing_id)
        messages = await repo.store.messages(filing_id)
        return filing, messages, await repo.store.receipts([m.message_id for m in messages])


async def find(uow: UoW, state: str | None, limit: int) -> list[Filing]:
    async with uow:
        return await FilingRepository(uow.session).find(state, limit)


# ---- the customs worker's two steps (the shared store's) ----------------------------------------------------

async def send_pending(uow_factory: Any, platform: Platform) -> int:
    return await store.send_pending(uow_factory, CUSTOMS, platform)


async def poll(uow_factory: Any, platform: Platform) -> int:
    return await store.poll(uow_factory, CUSTOMS, platform, _apply)


async def _apply(uow: UoW, r: Receipt) -> bool:
    repo = FilingRepository(uow.session)
    filing = await repo.by_message(r.message_id)
    if filing is None:
        return False
    if filing.answer(r):
        await repo.save(filing)
    return True


async def numbers_for(uow: UoW, filing_id: str, item_id: str) -> dict[str, str]:
    """The numbers customs gave a filing, for an item's exit declaration (inside the caller's unit of work)."""
    filing = await FilingRepository(uow.session).get(filing_id)
    if filing is None:
        raise NotFound(f"filing {filing_id} not found")
    if item_id not in filing.item_ids:
        raise RuleViolation(f"item {item_id} is not on filing {filing_id}", field="filing_id")
    if filing.state not in (filings.State.gate_pass_sent, filings.State.closed) or not filing.pass_no:
        raise Conflict(f"filing {filing_id} is {filing.state.value}: the exit is declared once customs released "
                       "its list and accepted its gate pass")
    assert filing.list_no is not None
    return {"bonded_inventory_list_no": filing.list_no, "gate_pass_no": filing.pass_no,
            "supervision_mode": filing.supervision_mode}
