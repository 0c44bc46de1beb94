"""The desk's clock (services/kit/web/zone.py): the zone's local time (Asia/Shanghai unless DISPATCH_DESK_TIMEZONE
says otherwise), named; deadlines in that zone's calendar days."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import Request

from services.kit.web import zone as kit
from services.kit.web.zone import label, local, named, today

__all__ = ["label", "local", "named", "of", "today"]


def of(request: Request) -> ZoneInfo:
    return kit.of(request, "desk_timezone")
