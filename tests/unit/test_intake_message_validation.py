"""Issue 14: error messages quote the input cut short and name the action actually asked for (no I/O)."""
from __future__ import annotations

import pytest

from services.kit.errors import Conflict, RuleViolation, capped, error_body, quote, validation_errors
from tests.unit.test_repair_rules import QUOTE, S, wo


def test_quote_keeps_short_values_and_cuts_long_ones():
    assert quote("QD1") == "'QD1'"
    cut = quote("x" * 1_000_000)
    assert cut.startswith("'xxx") and cut.endswith("... (1000002 characters in all)") and len(cut) < 250


def test_capped_cuts_strings_lists_and_mappings():
    value = {"a": "y" * 300, "b": list(range(50)), **{f"k{i}": i for i in range(30)}}
    out = capped(value)
    assert out["a"].endswith("(300 characters in all)") and len(out["a"]) < 250
    assert out["b"][-1] == "... (50 items in all)" and len(out["b"]) == 21
    assert out["..."] == "32 entries in all" and len(out) == 21
    assert capped(7) == 7 and capped(None) is None


def test_error_bodies_stay_small_but_keep_every_listed_problem():
    errors = [{"field": f"units[{i}].currency", "reason": "bad"} for i in range(500)]
    body = error_body(RuleViolation("m" * 10_000, errors=errors))
    assert len(body["detail"]) < 4_100 and len(body["context"]["errors"]) == 500
    [e] = validation_errors([{"type": "string_too_long", "loc": ["body", "x"], "msg": "too long",
                              "input": "z" * 5_000_000}])
    assert e["loc"] == ["body", "x"] and e["msg"] == "too long" and len(e["input"]) < 250


def test_declining_an_approved_quote_is_refused_as_a_decline():
    with pytest.raises(Conflict, match=r"^cannot decline_quote work order wo-1: it is approved; decline_quote"):
        wo(S.approved, quote=QUOTE).decide_quote(False, "o-1", "", QUOTE.issued_at, "partner:o-1")
    with pytest.raises(Conflict, match=r"^cannot approve_quote work order wo-1: it is declined"):
        wo(S.declined, quote=QUOTE).decide_quote(True, "o-1", "", QUOTE.issued_at, "partner:o-1")
