"""Annotated dependency aliases for intake's routes."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.intake.adapters.account_book import AccountBook, HttpAccountBook
from services.intake.domain.documents import DocumentFormats
from services.intake.domain.owners import CreditTier
from services.intake.service.uow import IntakeUnitOfWork
from services.kit.auth import Principal, Role, authenticate, require
from services.kit.settings import peer_urls


async def get_book(request: Request) -> AccountBook:
    """Dispatch's account book, read with intake's service token (one client per app; tests may set their own)."""
    state = request.app.state
    if getattr(state, "account_book", None) is None:
        rt = state.runtime
        state.account_book = HttpAccountBook(peer_urls(rt.d.common, ["dispatch"])["dispatch"], rt.service_token)
    book: AccountBook = state.account_book
    return book


async def get_uow(request: Request) -> IntakeUnitOfWork:
    return request.app.state.runtime.uow()


async def get_rates(request: Request) -> dict[CreditTier, float]:
    return request.app.state.runtime.d.settings.inspection_rates


async def get_formats(request: Request) -> DocumentFormats:
    s = request.app.state.runtime.d.settings
    return DocumentFormats(s.entry_record_list_pattern, s.customs_declaration_pattern, s.gate_pass_pattern,
                           s.document_year_tolerance)


UoW = Annotated[IntakeUnitOfWork, Depends(get_uow)]
Rates = Annotated[dict[CreditTier, float], Depends(get_rates)]
Formats = Annotated[DocumentFormats, Depends(get_formats)]
Book = Annotated[AccountBook, Depends(get_book)]
AnyUser = Annotated[Principal, Depends(authenticate)]
Clerk = Annotated[Principal, Depends(require(Role.intake_clerk))]
ClerkOrTech = Annotated[Principal, Depends(require(Role.intake_clerk, Role.technician))]
ClerkOrPartner = Annotated[Principal, Depends(require(Role.intake_clerk, Role.partner))]
Officer = Annotated[Principal, Depends(require(Role.customs_officer))]
Staff = Annotated[Principal, Depends(require(Role.intake_clerk, Role.technician, Role.customs_officer,
                                             Role.dispatcher))]
Reader = Annotated[Principal, Depends(require(Role.intake_clerk, Role.technician, Role.customs_officer,
                                              Role.dispatcher, Role.partner))]
