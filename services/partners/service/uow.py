from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.partners.db.journal_repo import JournalRepository
from services.partners.db.webhooks_repo import WebhookRepository
from shared.messaging.uow import SqlUnitOfWork


class PartnersUnitOfWork(SqlUnitOfWork):
    journal: JournalRepository
    webhooks: WebhookRepository

    def _open(self, session: AsyncSession) -> None:
        self.journal = JournalRepository(session)
        self.webhooks = WebhookRepository(session)

