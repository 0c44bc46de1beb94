"""The dispatch desk in the browser: server-rendered pages (Jinja2), live figures and charts, the unit page."""
from __future__ import annotations

from fastapi import APIRouter

from services.dispatch.web import book, desk, exports, filings, papers, shipments, signin, stocktakes, unit

router = APIRouter()
router.include_router(desk.router)
router.include_router(exports.router)
router.include_router(book.router)
router.include_router(signin.router)
router.include_router(unit.router)
router.include_router(shipments.router)
router.include_router(papers.router)
router.include_router(filings.router)
router.include_router(stocktakes.router)
