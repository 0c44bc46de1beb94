"""Old and bad parts: deadlines, allowed disposal routes, disposal."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.kit.errors import MAX_INT
from services.repair.api.deps import Reader, UoW
from services.repair.db.old_parts import OldPartFilter
from services.repair.domain.old_parts import OldPart, supervision_mode
from services.repair.service import old_parts
from shared.clock import utc_now

router = APIRouter(prefix="/v1/old-parts", tags=["old parts"])
# Disposal is the dispatch desk's: it decides and declares it (dispatch /v1/items/{id}/decision and
# /exit-declaration); repair records it from dispatch's exit_declared event.


class OldPartOut(BaseModel):
    id: str
    unit_id: str
    work_order_id: str
    owner_id: str
    part_number: str
    quantity: int
    origin: str
    removed_at: datetime
    disposal_deadline: datetime
    allowed_routes: list[str]
    overdue: bool
    route: str | None
    supervision_mode: str | None
    document_no: str | None
    disposed_at: datetime | None
    disposed_by: str | None
    late: bool | None = Field(description="disposed of after the deadline (null while not disposed of)")
    note: str

    @classmethod
    def of(cls, p: OldPart) -> OldPartOut:
        now = utc_now()
        late = p.disposed_at > p.disposal_deadline if p.disposed_at else None
        return cls(**{k: v for k, v in vars(p).items() if k != "route"}, allowed_routes=p.allowed_routes,
                   overdue=p.overdue(now), route=p.route.value if p.route else None,
                   supervision_mode=supervision_mode(p.route) if p.route else None, late=late)


@router.get("", response_model=list[OldPartOut], summary="Old parts, nearest disposal deadline first")
async def find(uow: UoW, _who: Reader, unit_id: str | None = None, work_order_id: str | None = None,
               disposed: bool | None = None,
               due_within_days: Annotated[float | None, Query(ge=0, le=3650)] = None,
               limit: Annotated[int, Query(ge=1, le=500)] = 100,
               offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0) -> list[OldPartOut]:
    due = utc_now() + timedelta(days=due_within_days) if due_within_days is not None else None
    f = OldPartFilter(unit_id, work_order_id, disposed, due)
    return [OldPartOut.of(p) for p in await old_parts.find(uow, f, limit, offset)]
