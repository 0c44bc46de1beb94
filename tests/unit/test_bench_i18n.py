# ruff: noqa: RUF001 - the Chinese texts use full-width punctuation on purpose
"""The repair bench's catalogues (services/repair/web/locale/*/LC_MESSAGES/bench.po): every message its templates,
pages and refusals use is in every catalogue, translated, with the same placeholders; repair's refusals of the
bench's actions are said in the reader's language."""
from __future__ import annotations

import re
import string
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from services.kit.auth import Role
from services.kit.errors import DomainError
from services.kit.web import i18n as kit_i18n
from services.kit.web.zone import named
from services.repair.domain import diagnosis as dg
from services.repair.domain.labour import LabourEntry
from services.repair.domain.quotes import Quote, QuoteStatus, SkipReason
from services.repair.domain.states import RULES, Outcome, WorkOrderState
from services.repair.domain.stock import Availability, PartNeed
from services.repair.domain.testing import Measurement, TestRecord
from services.repair.domain.work_orders import WorkOrder
from services.repair.web import forms, refusals
from services.repair.web.site import CATALOGUES, HERE, Translator

KIT = Path(kit_i18n.__file__).parent
CALLS = re.compile(r"""\bt(?:\.n)?\(\s*['"]([\w.]+)['"]\s*[,)]""")           # t('key'), t.n('key', n)
FAMILY = re.compile(r"""\bt\.label\(\s*['"](\w+)['"],\s*['"](\w+)['"]""")   # t.label('form', 'x'): one key
PAGE_ERRORS = re.compile(r"""PageError\(\d+, "(\w+)\"""")
NOW = datetime(2026, 12, 3, 8, 0, tzinfo=timezone.utc)


def catalogue(lang: str) -> dict[object, object]:
    with CATALOGUES.path(lang).open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def placeholders(text: object) -> set[str]:
    texts = text if isinstance(text, tuple) else (text,)
    return {name for s in texts for _, name, _, _ in string.Formatter().parse(str(s)) if name}


def used_ids() -> set[str]:
    """Every msgid the bench asks for: literal calls in its templates and code (and the kit's), the keys made from
    names (states, roles, history steps, quote statuses, availabilities), the refusals' patterns and fields."""
    files = [*HERE.glob("templates/*.html"), *HERE.glob("*.py"), *KIT.glob("templates/*.html"),
             *(p for p in KIT.glob("*.py") if p.name != "i18n.py")]  # i18n.py: the docstrings' examples
    ids: set[str] = set(kit_i18n.KIT_MESSAGES) | refusals.MSGIDS
    for f in files:
        text = f.read_text(encoding="utf-8")
        ids |= set(CALLS.findall(text)) | set(PAGE_ERRORS.findall(text))
        ids |= {f"{family}.{name}" for family, name in FAMILY.findall(text)}
    ids |= {f"state.{s.value}" for s in WorkOrderState} | {f"role.{r.value}" for r in Role}
    ids |= {f"action.{a}" for a in RULES} | {"action.open", "action.owner_changed", "action.reserve_parts"}
    ids |= {f"quote_status.{s.value}" for s in QuoteStatus} | {f"skip_reason.{s.value}" for s in SkipReason}
    ids |= {f"availability.{a.value}" for a in Availability} | {"last_test.failed", "last_test.none"}
    ids |= {"foreign", "domestic"}  # a work order's origin
    ids |= {f"form.{a}" for a in ("assign", "start_diagnosis", "diagnose", "quote", "request_parts", "start_repair",
                                  "consume", "labour", "start_testing", "test", "complete")}  # actions.py's names
    return ids


@pytest.mark.parametrize("lang", CATALOGUES.langs)
def test_every_catalogue_translates_every_message_the_bench_uses(lang: str) -> None:
    words = catalogue(lang)
    singular = {k for k in words if isinstance(k, str)}
    plural = {k[0] for k in words if isinstance(k, tuple)}
    missing = sorted(k for k in used_ids() if k not in singular | plural)
    assert not missing, f"{CATALOGUES.path(lang)} lacks {missing}"
    empty = sorted(str(k) for k, v in words.items() if not v or (isinstance(v, tuple) and not all(v)))
    assert not empty, f"{CATALOGUES.path(lang)}: no translation for {empty}"


def test_the_catalogues_have_the_same_messages_with_the_same_placeholders() -> None:
    en, zh = catalogue("en"), catalogue("zh")
    assert set(en) == set(zh)
    differ = [k for k in en if placeholders(en[k]) != placeholders(zh[k])]
    assert not differ, f"placeholders differ between en and zh_CN: {differ}"


def test_the_actions_routes_use_the_form_names_the_catalogues_carry() -> None:
    text = (HERE / "actions.py").read_text(encoding="utf-8")
    names = set(re.findall(r'work_order_id, "(\w+)",', text))
    assert names and {f"form.{n}" for n in names} <= used_ids()


def test_plural_forms_dates_and_the_fallback() -> None:
    en, zh = Translator("en"), Translator("zh")
    assert (en.n("days_n", 1), en.n("days_n", 3), zh.n("days_n", 3)) == ("1 day", "3 days", "3 天")
    assert (en.n("work_orders_n", 1234), zh.n("work_orders_n", 2)) == ("1,234 work orders", "2 张工单")
    assert zh.datetime(NOW, named("Asia/Shanghai")) == "2026年12月3日 16:00 +08:00"
    assert zh.state("in_repair") == "维修中" and zh.state("something_new") == "something_new"


def refused(call) -> DomainError:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def wo(state: WorkOrderState = WorkOrderState.queued, **facts: object) -> WorkOrder:
    values = {"id": "wo-1", "unit_id": "u-1", "owner_id": "fab-1", "serial_number": "SN-1", "hs_code": "8486909000",
              "origin": "foreign", "opened_at": NOW, "state": state} | facts
    return WorkOrder(**values)  # type: ignore[arg-type]


def quote(fee: str = "10", currency: str = "USD") -> Quote:
    return Quote(Decimal(fee), Decimal("0"), currency, NOW, "li")


def diagnosis(codes: tuple[str, ...] = ("VAC-LEAK",), findings: str = "x", nff: bool = False) -> dg.Diagnosis:
    return dg.Diagnosis(codes, findings, nff, NOW, "li")


def bench_refusals() -> list[DomainError]:
    """What the bench's actions can be refused with, raised by repair's domain (and the bench's own forms)."""
    S, known = WorkOrderState, frozenset({"VAC-LEAK"})
    currencies = frozenset({"USD", "CNY"})
    return [
        refused(lambda: wo().start_repair([], NOW, "li")),                                        # illegal transition
        refused(lambda: wo(S.diagnosing).issue_quote(quote(), currencies, None, "li")),           # no diagnosis
        refused(lambda: wo(S.approved).start_repair(["1 x PN-SEAL"], NOW, "li")),                 # waits for parts
        refused(lambda: wo(S.testing).complete(Outcome.repaired, "", NOW, "li")),                 # no passing test
        refused(lambda: wo(S.in_repair).complete(Outcome.beyond_repair, "", NOW, "li")),          # no diagnosis
        refused(lambda: wo(S.diagnosing, diagnosis=diagnosis()).complete(Outcome.returned_unrepaired, "", NOW, "li")),
        refused(lambda: diagnosis(findings=" ").check(known)),
        refused(lambda: diagnosis(nff=True).check(known)),
        refused(lambda: diagnosis(codes=()).check(known)),
        refused(lambda: diagnosis(codes=("VAC-LEAK", "VAC-LEAK")).check(known)),
        refused(lambda: diagnosis(codes=("MOON",)).check(known)),
        refused(lambda: quote(fee="-1").check(currencies)),
        refused(lambda: quote(currency="XYZ").check(currencies)),
        refused(lambda: quote(currency="XXX").check(currencies)),
        refused(lambda: TestRecord.judge(passed=True, measurements=[], id="t", work_order_id="w", procedure=" ",
                                         tested_at=NOW, tested_by="li")),
        refused(lambda: TestRecord.judge(passed=None, measurements=[], id="t", work_order_id="w", procedure="ATP",
                                         tested_at=NOW, tested_by="li")),
        refused(lambda: TestRecord.judge(passed=True, measurements=[Measurement("leak", 9, "", None, 1)], id="t",
                                         work_order_id="w", procedure="ATP", tested_at=NOW, tested_by="li")),
        refused(lambda: PartNeed(" ", 1).check()),
        refused(lambda: PartNeed("PN", 0).check()),
        refused(lambda: LabourEntry.start("e2", "wo-1", "li", NOW, LabourEntry("e1", "wo-1", "li", NOW))),
        refused(lambda: forms.amount("ten", "repair_fee")),
        refused(lambda: forms.whole("1.5", "quantity")),
    ]


def test_every_refusal_of_the_benchs_actions_is_said_in_the_readers_language() -> None:
    for exc in bench_refusals():
        for lang in CATALOGUES.langs:
            said = refusals.explain(exc, Translator(lang))
            assert said.translated, f"no pattern for {exc.message!r}"
            assert said.original == exc.message and said.text and "{" not in said.text, said.text
            if lang == "zh":
                assert not re.search(r"\b(is|the|must|needs?|only|cannot)\b", said.text), said.text


def test_refusals_in_chinese_read_like_the_bench() -> None:
    zh = Translator("zh")
    moved = refused(lambda: wo().start_repair([], NOW, "li"))
    assert refusals.explain(moved, zh).text == "工单当前为“排队中”：“开始维修”仅在“已批准 或 待备件”状态下可操作。"
    odd = DomainError("something new", field="quantity")
    said = refusals.explain(odd, zh)
    assert not said.translated and said.text == "数量：something new"
