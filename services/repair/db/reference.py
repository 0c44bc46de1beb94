"""Repair's own reference data: failure codes and owner agreements (admins edit them)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.kit.errors import Conflict
from services.repair.db.tables import FailureCodeRow, OwnerAgreementRow
from services.repair.domain.diagnosis import FailureCode
from services.repair.domain.quotes import OwnerAgreement
from shared.messaging.sql import rowcount

A = OwnerAgreementRow


class ReferenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def failure_codes(self, active_only: bool = False) -> list[FailureCode]:
        q = select(FailureCodeRow).order_by(FailureCodeRow.code)
        if active_only:
            q = q.where(FailureCodeRow.active.is_(True))
        return [FailureCode(r.code, r.description, r.active) for r in await self.session.scalars(q)]

    async def put_failure_code(self, c: FailureCode, actor: str, at: datetime) -> None:
        row = await self.session.get(FailureCodeRow, c.code)
        if row is None:
            self.session.add(FailureCodeRow(code=c.code, description=c.description, active=c.active,
                                            updated_by=actor, updated_at=at))
            await self._flush(f"failure code {c.code} was created by someone else meanwhile")
            return
        row.description, row.active, row.updated_by, row.updated_at = c.description, c.active, actor, at

    async def agreement(self, owner_id: str) -> OwnerAgreement | None:
        row = await self.session.get(A, owner_id)
        return _agreement(row) if row else None

    async def agreements(self, limit: int, offset: int) -> list[OwnerAgreement]:
        rows = await self.session.scalars(select(A).order_by(A.owner_id).limit(limit).offset(offset))
        return [_agreement(r) for r in rows]

    async def put_agreement(self, a: OwnerAgreement, expected_version: int | None, actor: str, at: datetime) -> int:
        """Create or replace; with ``expected_version`` the change applies only to that version (else 409)."""
        values = {"skip_quote": a.skip_quote, "reference": a.reference, "note": a.note, "updated_by": actor,
                  "updated_at": at}
        current = await self.session.scalar(select(A.version).where(A.owner_id == a.owner_id))
        if current is None:
            if expected_version not in (None, 0):
                raise Conflict(f"no agreement for owner {a.owner_id} yet (expected version {expected_version})")
            self.session.add(A(owner_id=a.owner_id, version=1, created_by=actor, **values))
            await self._flush(f"the agreement of owner {a.owner_id} was created by someone else meanwhile")
            return 1
        version = current if expected_version is None else expected_version
        result = await self.session.execute(update(A).where(A.owner_id == a.owner_id, A.version == version)
                                            .values(version=version + 1, **values))
        if rowcount(result) != 1:
            raise Conflict(f"the agreement of owner {a.owner_id} was changed by someone else; reload and retry")
        return version + 1

    async def _flush(self, clash: str) -> None:
        try:
            await self.session.flush()
        except IntegrityError:
            raise Conflict(clash) from None


def _agreement(r: OwnerAgreementRow) -> OwnerAgreement:
    return OwnerAgreement(r.owner_id, r.skip_quote, r.reference, r.note, r.version)
