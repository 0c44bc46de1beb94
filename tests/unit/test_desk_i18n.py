# ruff: noqa: RUF001 - the Chinese texts use full-width punctuation on purpose
"""The desk's catalogues (services/dispatch/web/locale/*/LC_MESSAGES/desk.po): every message the templates, the
pages and the refusals use is in every catalogue, translated; plural forms; CLDR dates and numbers; the services'
refusals of the desk's actions said in the reader's language."""
from __future__ import annotations

import re
import string
from datetime import date, datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import get_args
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from services.dispatch.domain import destinations as dest
from services.dispatch.domain import exits
from services.dispatch.domain.items import ALLOWED
from services.dispatch.domain.ledger import Category
from services.dispatch.domain.ledger import ItemKind as LedgerKind
from services.dispatch.domain.shipments import Shipment, ShipmentState
from services.dispatch.service import desk_unit, screening
from services.dispatch.service.reference import countries
from services.dispatch.web import i18n, refusals
from services.kit.auth import Role
from services.kit.errors import DomainError, RuleViolation, illegal_transition
from shared.contract import stages
from shared.contract.registry import REGISTRY

WEB = Path(i18n.__file__).parent
CALLS = re.compile(r"""\bt(?:\.n)?\(\s*['"]([\w.]+)['"]\s*[,)]""")          # t('key'), t.n('key', n)
LABELS = re.compile(r"""\bt\.label\(\s*['"](\w+)['"]""")               # t.label('doc', k): a family of keys
PAGE_ERRORS = re.compile(r"""PageError\(\d+, "(\w+)\"""")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def catalogue(lang: str) -> dict[object, object]:
    with i18n.catalogue_path(lang).open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def placeholders(text: object) -> set[str]:
    texts = text if isinstance(text, tuple) else (text,)
    return {name for s in texts for _, name, _, _ in string.Formatter().parse(str(s)) if name}


def event_names() -> set[str]:
    import shared.contract.events.dispatch
    import shared.contract.events.intake
    import shared.contract.events.repair  # noqa: F401 - registers the events
    return {".".join(s.name.split(".")[3:]) for s in REGISTRY.specs()}  # com.bondline.<service>.<name>


def used_ids() -> set[str]:
    """Every msgid the desk asks for: literal calls in templates and code, and the keys made from names."""
    ids: set[str] = set()
    for f in [*WEB.glob("templates/*.html"), *(p for p in WEB.glob("*.py") if p.name != "i18n.py")]:
        text = f.read_text(encoding="utf-8")
        ids |= set(CALLS.findall(text)) | set(PAGE_ERRORS.findall(text))
    ids |= {msgid for msgid, _ in refusals.PATTERNS} | {"refusal.field", "refusal.other", "refusal.nowhere", "or"}
    # the names templates translate as they come: stages, kinds, destinations, origins, deadline statuses,
    # shipment states, ledger categories and moves (the dashboard's charts), the actions' names, the services
    ids |= set(stages.Stage) | set(dest.Destination) | set(dest.ItemKind) | set(LedgerKind) | set(Category)
    ids |= {"domestic", "foreign", "overseas", "bonded", "ok", "at_risk", "breached", "intake", "repair", "dispatch"}
    ids |= {s.value for s in ShipmentState}
    ids |= {f"mark_{s.value}" for s in ShipmentState if s is not ShipmentState.planned}
    ids |= {"received", "exported", "released", "destroyed", "on_hand", "consumed"}
    ids |= {"choose_destination", "declare_exit", "add_to_shipment", "due_to_ship", "days_in_bond", "disposal"}
    ids |= {f"hold_{s}" for s in ("open", "released", "cleared")} | {"entry_documents", "exit_documents"}
    ids |= {f"state.{s}" for names in stages.STATES.values() for s in names} | {"state.in_zone"}
    ids |= {f"role.{r.value}" for r in Role} | {f"action.{a}" for a in ALLOWED}
    ids |= {f"event.{name}" for name in event_names()} | {f"detail.{k}" for k in desk_unit.DETAILS}
    # document kinds: intake's entry declaration (the contract names them), dispatch's exit documents
    entry = re.findall(r"\w+", "bonded_inventory_list, entry_record_list, export_declaration, gate_pass, "
                               "gate_pass_type, supervision_mode, return_mode")
    ids |= {f"doc.{k}" for k in (*entry, *exits.ExitDocuments.__dataclass_fields__)}
    ids |= {f"rule.{r}" for r in rules()}
    return ids


def rules() -> set[str]:
    """The rules dispatch's domain names in its refusals (destinations.py's ``name: why`` texts and rule=...)."""
    found: set[str] = set()
    for f in (Path(dest.__file__).parent).glob("*.py"):
        text = f.read_text(encoding="utf-8")
        found |= set(re.findall(r'"([a-z_]+): ', text)) | set(re.findall(r'rule="([a-z_]+)"', text))
    for d in ("domestic_release", "gate_registration"):
        found.add(f"{d}_stays_in_china")
    for d in ("exchange_pool", "destruction"):
        found.add(f"{d}_stays_in_zone")
    return found | {"registered_owner"}  # compliance_hold: said by its pattern (refusal.compliance_hold)


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_every_catalogue_translates_every_message_the_desk_uses(lang):
    words = catalogue(lang)
    singular = {k for k in words if isinstance(k, str)}
    plural = {k[0]: v for k, v in words.items() if isinstance(k, tuple)}
    missing = sorted(k for k in used_ids() if k not in singular and k not in plural)
    assert not missing, f"{i18n.catalogue_path(lang)} lacks {missing}"
    empty = sorted(str(k) for k, v in words.items() if not v or (isinstance(v, tuple) and not all(v)))
    assert not empty, f"{i18n.catalogue_path(lang)}: no translation for {empty}"


def test_the_catalogues_have_the_same_messages_with_the_same_placeholders():
    en, zh = catalogue("en"), catalogue("zh")
    assert set(en) == set(zh)
    differ = [k for k in en if placeholders(en[k]) != placeholders(zh[k])]
    assert not differ, f"placeholders differ between en and zh_CN: {differ}"


def test_the_event_and_detail_values_of_the_contract_are_labelled():
    import shared.contract.events.dispatch as d
    import shared.contract.events.intake as i
    import shared.contract.events.repair as r
    values = {("method", v) for v in ("on_site", "remote_video")} | {("result", v) for v in ("passed", "failed")}
    values |= {("decision", v) for v in get_args(r.QuoteDecided.model_fields["decision"].annotation)}
    values |= {("control", v) for v in get_args(d.HoldControl)}
    values |= {("resolution", v) for v in get_args(d.ItemComplianceReleased.model_fields["resolution"].annotation)}
    values |= {("resolution", v) for v in get_args(i.UnitDiscrepancyResolved.model_fields["resolution"].annotation)}
    values |= {("route", v) for v in get_args(d.ItemDisposed.model_fields["route"].annotation)}
    for lang in i18n.LANGS:
        t = i18n.Translator(lang)
        assert all(t.has(f"value.{k}.{v}") for k, v in values), lang
        assert t.has("value.passed.true") and t.has("value.passed.false")


def test_plural_forms_follow_each_catalogues_rule():
    en, zh = i18n.Translator("en"), i18n.Translator("zh")
    assert (en.n("of_owners", 1), en.n("of_owners", 2), en.n("of_owners", 0)) == ("1 owner", "2 owners", "0 owners")
    assert (zh.n("of_owners", 1), zh.n("of_owners", 2)) == ("1 个货主", "2 个货主")
    assert (en.n("days_n", 1), en.n("days_n", 12), zh.n("days_n", 12)) == ("1 day", "12 days", "12 天")
    assert en.n("of_owners", 1234) == "1,234 owners"  # the number in the locale's grouping
    assert (en("page_n", n=1), zh("page_n", n=1)) == ("Page 1", "第 1 页")


def test_dates_times_and_numbers_in_the_readers_locale():
    en, zh = i18n.Translator("en"), i18n.Translator("zh")
    at = datetime(2026, 12, 3, 20, 30, tzinfo=timezone.utc)
    assert en.datetime(at, SHANGHAI) == "Dec 4, 2026 04:30 +08:00"
    assert zh.datetime(at, SHANGHAI) == "2026年12月4日 04:30 +08:00"
    assert (en.date(date(2027, 1, 9)), zh.date("2027-01-09")) == ("Jan 9, 2027", "2027年1月9日")
    assert (en.number(1234567.5, 2), zh.number(1234567.5, 2)) == ("1,234,567.50", "1,234,567.50")
    assert (en.percent(0.9751), zh.percent(None)) == ("97.5%", "–")
    assert en.datetime(None, SHANGHAI) == "" and en.date(None) == ""


def test_labels_wording_and_the_fallbacks():
    zh, en = i18n.Translator("zh"), i18n.Translator("en")
    assert "滞留天数" in zh("aging") and "账龄" not in zh("aging")  # not the receivables term
    assert zh("exported") == "复运出境" and zh("scrap") == "边角料" and zh("old_part") == "旧件"
    assert (zh.label("doc", "bonded_inventory_list"), zh.label("doc", "gate_pass_no")) == ("核注清单编号", "核放单编号")
    assert zh.label("event", "work_order.state_changed") == "工单状态变更"
    assert (zh.role("customs_officer"), en.role("dispatcher")) == ("海关关员", "dispatcher")
    assert zh.label("doc", "something_new") == "something_new"  # an unknown name shows as it is, never blank
    assert zh("mark", state=zh("shipped")) == "标记为已发运"


def zh_refusal(exc: DomainError) -> refusals.Refusal:
    return refusals.explain(exc, i18n.Translator("zh"))


def refused(call) -> DomainError:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def shipment(**changes: object) -> Shipment:
    values = {"id": "s-1", "carrier": "DHL", "tracking_number": "1", "destination_country": "US", "address": "x",
              "incoterm": "DAP", "created_at": datetime(2026, 12, 1, tzinfo=timezone.utc)} | changes
    return Shipment(**values)  # type: ignore[arg-type]


def desk_action_refusals() -> list[DomainError]:
    """What the unit page's actions can be refused with, raised by the domain itself."""
    good = exits.ExitDocuments("1371", "GP2026000001", "1", "QD223126E000000001", "ABCDEFGHIJ01234567")
    unit = (dest.ItemKind.unit, dest.Destination.re_export, True)
    out = [
        refused(lambda: exits.check(good.__class__("0864", *list(good.numbers().values())[1:]), *unit)),
        refused(lambda: exits.check(exits.ExitDocuments("1371", "x", "1"), *unit)),
        refused(lambda: exits.check(exits.ExitDocuments("1371", "GP2026000001", "9"), *unit)),
        refused(lambda: exits.check(exits.ExitDocuments("1371", "GP2026000001", "1", "QD223126I000000001"), *unit)),
        refused(lambda: exits.check(exits.ExitDocuments("x", "GP2026000001", "1"), dest.ItemKind.old_part,
                                    dest.Destination.gate_registration, False)),
        refused(lambda: exits.check(good, dest.ItemKind.unit, dest.Destination.domestic_release, False)),
        refused(lambda: dest.check(dest.Case(dest.ItemKind.unit, "foreign", "repaired"), dest.Destination.destruction)),
        refused(lambda: dest.check(dest.Case(dest.ItemKind.unit, "domestic", "repaired"),
                                   dest.Destination.exchange_pool)),
        refused(lambda: dest.country_for(dest.Destination.re_export, "CN", None)),
        refused(lambda: dest.country_for(dest.Destination.return_to_owner, "DE", "US")),
        refused(lambda: dest.country_for(dest.Destination.exchange_pool, "DE", None)),
        refused(lambda: shipment(destination_country="XX").check(countries())),
        refused(lambda: shipment(incoterm="FOO").check(countries())),
        refused(lambda: shipment().add("i-1", None)),
        refused(lambda: shipment(state=ShipmentState.shipped).add("i-1", "US")),
        refused(lambda: shipment(item_ids=["i-1"]).add("i-1", "US")),
        refused(lambda: shipment().advance(ShipmentState.shipped, datetime.now(timezone.utc), "a")),
        refused(lambda: shipment().advance(ShipmentState.customs_cleared, datetime.now(timezone.utc), "a")),
        illegal_transition("item u-1", "ship", "decided", ["declared"]),
        screening.refuse("item u-1", [SimpleNamespace(id="h-1", hit=SimpleNamespace(reason="US: licence"))],  # type: ignore[list-item]
                         "declared"),
        RuleViolation("unknown destination 'moon'", field="destination"),
    ]
    for name in ("carrier", "tracking_number", "address"):
        import asyncio
        with pytest.raises(DomainError) as caught:
            asyncio.run(desk_unit._check_new(None, shipment(**{name: ""}), "i-1"))  # type: ignore[arg-type]
        out.append(caught.value)
    return out


def test_every_refusal_of_the_desks_actions_is_said_in_the_readers_language():
    for exc in desk_action_refusals():
        for lang in i18n.LANGS:
            said = refusals.explain(exc, i18n.Translator(lang))
            assert said.translated, f"no pattern or rule for {exc.message!r}"
            assert said.original == exc.message and said.text
            assert "{" not in said.text, said.text  # every placeholder filled
            if lang == "zh":
                assert not re.search(r"\b(is|the|must|needs?)\b", said.text), said.text  # no English left over


def test_refusals_in_chinese_read_like_the_desk():
    missing = RuleViolation("tracking_number is required for a new shipment", field="tracking_number")
    assert zh_refusal(missing).text == "新建发运批次须填写运单号。"
    moved = illegal_transition("item u-1", "ship", "decided", ["declared"])
    assert zh_refusal(moved).text == "当前无法操作：该物品状态为“已定去向”，此操作仅适用于“已申报出区”状态。"
    china = refused(lambda: dest.country_for(dest.Destination.re_export, "CN", None))
    assert zh_refusal(china).text == "复运出境须填写中国境外的目的国。"
    owner = refused(lambda: dest.country_for(dest.Destination.return_to_owner, "DE", "US"))
    assert zh_refusal(owner).text == "退还货主须发往货主所在国 US，而非 DE。"


def test_an_unknown_refusal_keeps_the_services_words_with_the_field_labelled():
    odd = RuleViolation("gate_pass_no clashes with the moon", field="gate_pass_no")
    said = zh_refusal(odd)
    assert not said.translated and said.text == "核放单编号：gate_pass_no clashes with the moon"
    said = zh_refusal(DomainError("something new"))
    assert not said.translated and said.text == "something new"


def test_the_catalogues_compile_in_memory_and_are_shipped_as_po_files_only():
    for lang in i18n.LANGS:
        assert i18n.translations(lang).gettext("title")
    assert not list(WEB.glob("locale/**/*.mo")), "no compiled catalogue in the tree: they compile at first use"
