"""A site's clock: the zone's local time, named. Everything is stored in UTC; the pages show it in the zone where
the centre works, with the offset on every time and the zone named on every page, and count days in that zone."""
from __future__ import annotations

from datetime import date, datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Request

from shared.clock import utc_now


@lru_cache(maxsize=8)
def named(key: str) -> ZoneInfo:
    return ZoneInfo(key)


def of(request: Request, setting: str) -> ZoneInfo:
    """The zone the service's settings name in ``setting`` (e.g. ``desk_timezone``)."""
    return named(getattr(request.app.state.runtime.d.settings, setting))


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


def check_zone(name: str) -> str:
    """A settings validator: the IANA zone exists, else the message says what to use."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}: use an IANA name such as Asia/Shanghai") from None
    return name
