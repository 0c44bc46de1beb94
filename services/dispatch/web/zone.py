"""The desk's clock: the zone's local time (Asia/Shanghai unless DISPATCH_DESK_TIMEZONE says otherwise), named.

Everything is stored in UTC; the desk shows it in the zone where the centre works, with the offset on every time
and the zone named on every page, and counts deadlines in that zone's calendar days."""
from __future__ import annotations

from datetime import date, datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from fastapi import Request

from shared.clock import utc_now


@lru_cache(maxsize=8)
def named(key: str) -> ZoneInfo:
    return ZoneInfo(key)


def of(request: Request) -> ZoneInfo:
    return named(request.app.state.runtime.d.settings.desk_timezone)


def local(at: datetime | None, zone: tzinfo) -> str | None:
    """``2026-12-03 16:20 +08:00``: minutes, with the offset, so a time read off a screen is never ambiguous."""
    if at is None:
        return None
    here = at.astimezone(zone)
    offset = here.strftime("%z")
    return f"{here:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"


def today(zone: tzinfo) -> date:
    return utc_now().astimezone(zone).date()


def label(zone: ZoneInfo) -> str:
    """``Asia/Shanghai (UTC+08:00)``, shown on every page."""
    offset = utc_now().astimezone(zone).strftime("%z")
    return f"{zone.key} (UTC{offset[:3]}:{offset[3:]})"
