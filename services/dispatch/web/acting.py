"""The desk's actions' dependency: a reader who may act (dispatcher or admin) and whose form carries the session's
CSRF token, checked by the session's own ``writer``.

A module-level function, so that FastAPI can read its signature: ``session.Writer`` (services/kit/web/session.py's
``Sessions.writing``, a closure whose string annotation names ``self``) cannot be resolved under
``from __future__ import annotations`` and is taken for a query parameter (422 ``who`` missing)."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.dispatch.web.session import SESSIONS, Reader
from services.kit.auth import Principal


async def acting(request: Request, who: Reader) -> Principal:
    return await SESSIONS.writer(request, who)


Actor = Annotated[Principal, Depends(acting)]
