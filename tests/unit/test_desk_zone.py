"""The desk's clock: local times with their offset, deadlines in the zone's calendar days, a zone setting."""
from __future__ import annotations

from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from services.dispatch.service.desk import Policy
from services.dispatch.settings import DispatchSettings
from services.dispatch.web import rows, zone

SHANGHAI = zone.named("Asia/Shanghai")


def test_a_utc_time_reads_as_the_zones_local_time_with_its_offset() -> None:
    at = datetime(2026, 12, 3, 20, 30, tzinfo=timezone.utc)
    assert zone.local(at, SHANGHAI) == "2026-12-04 04:30 +08:00"
    assert zone.local(at, zone.named("Europe/Berlin")) == "2026-12-03 21:30 +01:00"
    assert zone.local(None, SHANGHAI) is None
    assert zone.label(SHANGHAI) == "Asia/Shanghai (UTC+08:00)"


def test_a_deadline_is_a_calendar_day_of_the_zone_not_of_utc() -> None:
    # received 2024-12-03 17:00 UTC = 2024-12-04 01:00 in Shanghai: the 730-day cycle ends on the 4th there
    row = SimpleNamespace(due_at=datetime(2024, 12, 3, 17, 0, tzinfo=timezone.utc), due_kind="bond")
    local = Policy(date(2026, 12, 4), 730, 60, 14, SHANGHAI)
    end, status = rows.deadline(row, local)
    assert end is not None and end.astimezone(SHANGHAI).date() == date(2026, 12, 4)
    assert status == "at_risk", "its last day is today in Shanghai, not yesterday as UTC would say"
    utc = Policy(date(2026, 12, 4), 730, 60, 14)
    assert rows.deadline(row, utc)[1] == "breached"


def test_an_unknown_zone_is_refused_with_what_to_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPATCH_DESK_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValidationError, match="unknown time zone 'Mars/Olympus'"):
        DispatchSettings()
    monkeypatch.setenv("DISPATCH_DESK_TIMEZONE", "Asia/Shanghai")
    assert DispatchSettings().desk_timezone == "Asia/Shanghai"
