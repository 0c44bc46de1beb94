"""The repair bench in the browser (/bench): the technician's queue, the scan box, a work order's page with every
step of the repair through repair's use cases. Server-rendered (Jinja2) on the web kit (services/kit/web/)."""
from __future__ import annotations

from fastapi import APIRouter

from services.kit.web import account, signin
from services.repair.web import actions, pages
from services.repair.web.site import HERE, PAGES, SESSIONS, BenchRoute

router = APIRouter()
router.include_router(account.router(PAGES, BenchRoute, static=HERE / "static"))
router.include_router(signin.router(SESSIONS, BenchRoute))
router.include_router(pages.router)
router.include_router(actions.router)
