"""Old and bad parts: list them (deadlines first) and record their disposal."""
from __future__ import annotations

from services.repair.db.old_parts import OldPartFilter
from services.repair.domain.old_parts import DisposalRoute, OldPart
from services.repair.service import outgoing
from services.repair.service.uow import RepairUnitOfWork
from shared.contract.events.dispatch import ExitCancelled, ExitDeclared


async def disposed_by_dispatch(uow: RepairUnitOfWork, e: ExitDeclared) -> None:
    """Dispatch decides and declares old-part disposals; repair records them against its old part.

    Runs inside the consumer's unit of work. Not an old part of ours (or already recorded): nothing to do.
    """
    if e.item_kind == "unit":
        return
    part = await uow.old_parts.get(e.item_id)
    if part is None or part.disposed_at is not None:
        return
    route = _route(e.destination, e.supervision_mode)
    document_no = _document_no(e.documents)
    late = part.dispose(route, document_no, e.declared_at, uow.actor or "dispatch",
                        f"declared by dispatch ({e.destination})")
    await uow.old_parts.save_disposal(part)
    uow.publish(outgoing.old_part_disposed(part, late))


async def disposal_cancelled_by_dispatch(uow: RepairUnitOfWork, e: ExitCancelled) -> None:
    """Dispatch cancelled the exit declaration behind an old part's disposal: it awaits disposal again.

    Runs inside the consumer's unit of work. Not ours, not disposed of, or disposed of under another declaration
    (a duplicate or out-of-order cancellation): nothing to do. Repair publishes no event (none in the contract).
    """
    if e.item_kind == "unit":
        return
    part = await uow.old_parts.get(e.item_id)
    document_no = _document_no(e.documents)
    if part is None or not part.disposed_under(document_no):
        return
    part.cancel_disposal(e.reason or "cancelled by dispatch", e.at, e.actor or uow.actor or "dispatch")
    await uow.old_parts.save_disposal_cancelled(part, document_no)


def _document_no(documents: dict[str, str]) -> str:
    return documents.get("bonded_inventory_list_no") or documents.get("gate_pass_no", "")


def _route(destination: str, mode: str) -> DisposalRoute:
    if destination == "gate_registration":
        return DisposalRoute.gate_registration
    kind = "reexport" if destination == "re_export" else "destruction"
    try:
        return DisposalRoute(f"{kind}_{mode}")
    except ValueError:
        return DisposalRoute.destruction


async def find(uow: RepairUnitOfWork, f: OldPartFilter, limit: int, offset: int) -> list[OldPart]:
    async with uow:
        return await uow.old_parts.find(f, limit, offset)
