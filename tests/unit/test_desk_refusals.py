# ruff: noqa: RUF001 - the Chinese texts use full-width punctuation on purpose
"""The refusals the desk's new pages can meet (the shipments board's batches, the customs filings, the stocktakes),
raised by the domain and the use cases themselves, said in the reader's language: every one matched by a pattern
whose message both catalogues carry, every placeholder filled, no English left in the Chinese."""
from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from services.dispatch.domain.filings import Filing
from services.dispatch.domain.stocktake import Count, Handling, Stocktake
from services.dispatch.service import desk_batch
from services.dispatch.web import i18n, refusals
from services.dispatch.web.stocktakes import _counts
from services.kit.customs.lifecycle import State
from services.kit.errors import DomainError, RuleViolation
from shared.contract.customs.messages import Kind

AT = datetime(2026, 12, 3, tzinfo=timezone.utc)


def refused(call: Callable[[], object]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def filing(state: State, **changes: object) -> Filing:
    values = {"id": "f-1", "item_ids": ["u-1"], "supervision_mode": "1371", "transport_mode": "5",
              "destination_country": "US", "state": state} | changes
    return Filing(**values)  # type: ignore[arg-type]


def stocktake(**changes: object) -> Stocktake:
    values = {"id": "s-1", "location": "A", "as_of": AT, "book": {1: (Decimal(2), ["SN-1", "SN-2"])}} | changes
    return Stocktake(**values)  # type: ignore[arg-type]


class Form(dict[str, str]):
    def multi_items(self) -> list[tuple[str, str]]:
        return list(self.items())


def new_page_refusals() -> list[DomainError]:
    def batch(ids: list[str]) -> DomainError:
        with pytest.raises(DomainError) as caught:
            asyncio.run(desk_batch.declare_many(None, ids, None, Decimal(0), "a", None))  # type: ignore[arg-type]
        return caught.value

    counted = stocktake()
    counted.count(Count(1, Decimal(1), ["SN-1"]))
    raised = stocktake()
    raised.count(Count(1, Decimal(1), ["SN-1"]))
    raised.handle(1, Handling.raised, "not found", "a")
    closed = stocktake(book={})
    closed.close(AT)
    return [
        batch([]), batch([f"u-{n}" for n in range(desk_batch.MAX_BATCH + 1)]),
        refused(lambda: filing(State.accepted, list_no="QD224426E000000001").sending(Kind.inventory_list, "m", AT,
                                                                                      "a")),
        refused(lambda: filing(State.sent).sending(Kind.gate_pass, "m", AT, "a")),
        refused(lambda: filing(State.sent).sending(Kind.amendment, "m", AT, "a")),
        refused(lambda: filing(State.closed).sending(Kind.cancellation, "m", AT, "a")),
        refused(lambda: filing(State.accepted, change_message_id="c").sending(Kind.gate_pass, "m", AT, "a")),
        refused(lambda: stocktake().count(Count(1, Decimal(-1)))),
        refused(lambda: stocktake().count(Count(1, Decimal(2), ["SN-1"]))),
        refused(lambda: counted.handle(1, Handling.explained, " ", "a")),
        refused(lambda: counted.handle(9, Handling.explained, "why", "a")),
        refused(lambda: counted.handle(1, Handling.resolved, "why", "a")),
        refused(lambda: raised.handle(1, Handling.explained, "why", "a")),
        refused(lambda: counted.close(AT)),
        refused(lambda: closed.count(Count(1, Decimal(1)))),
        refused(lambda: _counts(Form(qty_1="lots"))),
        refused(lambda: _counts(Form(qty_1=""))),
        RuleViolation("say which custody location is counted", field="location"),
        RuleViolation("unknown action 'x': explain or raise", field="action"),
    ]


def test_every_refusal_of_the_new_pages_is_said_in_the_readers_language() -> None:
    errors = new_page_refusals()
    assert len(errors) == 19
    for exc in errors:
        for lang in i18n.LANGS:
            said = refusals.explain(exc, i18n.Translator(lang))
            assert said.translated, f"no pattern for {exc.message!r}"
            assert "{" not in said.text and said.original == exc.message
            if lang == "zh":
                assert not re.search(r"\b(is|the|must|needs?|filing|item)\b", said.text), said.text


def test_a_filings_refusal_names_its_state_in_chinese() -> None:
    exc = refused(lambda: filing(State.sent).sending(Kind.gate_pass, "m", AT, "a"))
    said = refusals.explain(exc, i18n.Translator("zh"))
    assert said.text == "该申报当前为“已发送，待回执”：须待海关放行核注清单后方可发送核放单。"
