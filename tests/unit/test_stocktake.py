"""Stocktake rules: differences per item and per serial, explained by the centre or raised and resolved by
customs, and no close while any is open."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from services.dispatch.domain.stocktake import Count, Handling, Stocktake
from services.kit.errors import Conflict, RuleViolation

AT = datetime(2026, 12, 3, 8, 0, tzinfo=timezone.utc)
D = Decimal


def take() -> Stocktake:
    return Stocktake("st-1", "bonded store A", AT, {1: (D(2), ["SN-1", "SN-2"]), 7: (D(40), [])})


def test_a_count_that_matches_the_book_leaves_no_difference() -> None:
    s = take()
    s.count(Count(1, D(2), ["SN-2", "SN-1"]))
    s.count(Count(7, D(40)))
    assert s.differences() == []
    s.close(AT)
    with pytest.raises(Conflict, match="is closed"):
        s.count(Count(7, D(39)))


def test_a_unit_missing_and_another_found_are_named_by_serial_and_an_uncounted_item_counts_as_zero() -> None:
    s = take()
    s.count(Count(1, D(2), ["SN-1", "SN-9"]))
    (unit, lot) = s.differences()
    assert (unit.book_item_no, unit.quantity, unit.missing, unit.found) == (1, 0, ["SN-2"], ["SN-9"])
    assert (lot.book_item_no, lot.counted_quantity, lot.quantity) == (7, 0, -40)
    with pytest.raises(RuleViolation, match="3 serials for a count of 2"):
        s.count(Count(1, D(2), ["SN-1", "SN-2", "SN-3"]))


def test_differences_are_explained_or_raised_and_resolved_before_the_close() -> None:
    s = take()
    s.count(Count(1, D(1), ["SN-1"]))
    s.count(Count(7, D(38)))
    with pytest.raises(Conflict, match="neither explained nor resolved: items 1, 7"):
        s.close(AT)
    with pytest.raises(RuleViolation, match="with a note"):
        s.handle(7, Handling.explained, "  ", "clerk")
    s.handle(7, Handling.explained, "2 O-rings issued to work order wo-9 before the count", "clerk")
    with pytest.raises(Conflict, match="was not raised"):
        s.handle(1, Handling.resolved, "ok", "officer")
    s.handle(1, Handling.raised, "SN-2 not found in store A", "clerk")
    with pytest.raises(Conflict, match="is raised: a customs officer resolves it"):
        s.handle(1, Handling.explained, "found it", "clerk")
    with pytest.raises(Conflict, match="items 1"):
        s.close(AT)
    s.handle(1, Handling.resolved, "SN-2 out for calibration under 保税维修 record 2026-118", "officer")
    s.close(AT)
    assert [d.handling for d in s.differences()] == [Handling.resolved, Handling.explained]


def test_a_new_count_reopens_its_difference() -> None:
    s = take()
    s.count(Count(7, D(38)))
    s.handle(7, Handling.explained, "miscount", "clerk")
    s.count(Count(7, D(37)))
    assert [d.handling for d in s.differences() if d.book_item_no == 7] == [None]
