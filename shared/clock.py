"""The one clock: every service and the messaging core ask it for "now" (aware UTC), so tests can read one place."""
from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
