"""The dispatch desk in the browser: server-rendered pages (Jinja2), live figures and charts, the unit page."""
from __future__ import annotations

from fastapi import APIRouter

from services.dispatch.web import book, desk, signin, unit

router = APIRouter()
router.include_router(desk.router)
router.include_router(book.router)
router.include_router(signin.router)
router.include_router(unit.router)
