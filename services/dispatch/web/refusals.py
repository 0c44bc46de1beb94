"""A service's refusal (a DomainError) in the reader's language.

The services say why in English, for the API and its logs; the desk says it in the catalogue's words. In order:

1. a known message pattern (``PATTERNS``: one regular expression per way the domain words a refusal the desk's
   actions can meet), its parts (a field, a state, a destination...) labelled in the reader's language;
2. the rule the refusal names (``RuleViolation(rule=...)``: ``rule.<name>`` in the catalogues);
3. the field it names (``field=...``): the field's label, then the service's own text;
4. else the service's own text.

The service's original text is always kept (``Refusal.original``): the page shows it beside a translation, so that
what was refused can be looked up in the service's logs. A pattern or rule whose msgid a catalogue lacks fails
tests/unit/test_desk_i18n.py, as does a domain message of the desk's actions that no pattern recognises.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from services.dispatch.web.i18n import Translator
from services.kit.errors import DomainError

# msgid, the message's pattern; the named groups are the values the msgid's text takes (labelled by GROUPS below)
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((msgid, re.compile(rx)) for msgid, rx in (
    ("refusal.required_for_new_shipment", r"^(?P<field>\w+) is required for a new shipment$"),
    ("refusal.illegal_transition", r"^cannot (?P<action>\w+) item \S+: it is (?P<state>\w+); (?P=action) is allowed "
                                   r"from (?P<allowed>[\w, ]+?)(;|$)"),
    ("refusal.compliance_hold", r"^.+? is on compliance hold and cannot be \w+: (?P<holds>.+?)\. A compliance officer"),
    ("refusal.malformed", r"^(?P<field>\w+) (?P<value>.+) is missing or malformed: "),
    ("refusal.supervision_mode", r"^supervision mode (?P<value>'[^']*') does not fit (?P<destination>\w+) of an? "
                                 r"(?P<kind>[\w ]+); use (?P<modes>.+)$"),
    ("refusal.gate_registration_type", r"^gate registration needs a gate pass of type 5$"),
    ("refusal.gate_pass_type", r"^gate_pass_type must be 1 to 6$"),
    ("refusal.exit_inventory_list", r"^an exit needs an exit \(E\) inventory list$"),
    ("refusal.shipment_country", r"^item goes to (?P<item_country>.+), the shipment to (?P<country>\w+)$"),
    ("refusal.shipment_not_planned", r"^shipment \S+ is (?P<state>\w+); items are added while planned$"),
    ("refusal.already_in_shipment", r"^item \S+ is already in shipment (?P<shipment>\S+?)(;|$)"),
    ("refusal.shipment_next", r"^shipment \S+ is (?P<state>\w+); next is (?P<next>[\w ()]+)$"),
    ("refusal.empty_shipment", r"^an empty shipment cannot move$"),
    ("refusal.incoterm", r"^incoterm (?P<value>'[^']*') is not an Incoterms 2020 rule"),
    ("refusal.unknown_country", r"^unknown ISO 3166 country (?P<value>'[^']*')"),
    ("refusal.unknown_destination", r"^unknown destination (?P<value>.+)$"),
    ("refusal.no_duty_rate", r"^no duty rate in the tariff table for HS code (?P<hs_code>\S+)$"),
    ("refusal.no_fx_rate", r"^no exchange rate (?P<currency>\w+)->CNY valid on (?P<on>\S+)$"),
    ("refusal.not_known", r"^item \S+ is not known to dispatch$"),
    # the shipments board's batches and the customs filings page (service/filings.py, domain/filings.py)
    ("refusal.choose_items", r"^choose at least one item$"),
    ("refusal.batch_too_big", r"^at most (?P<most>\d+) items at once, not (?P<n>\d+)$"),
    ("refusal.shipment_not_found", r"^shipment \S+ not found$"),
    ("refusal.filing_not_found", r"^filing \S+ not found$"),
    ("refusal.not_on_filing", r"^item \S+ is not on filing \S+$"),
    ("refusal.filing_not_released", r"^filing \S+ is (?P<filing_state>\w+): the exit is declared once customs "
                                    r"released"),
    ("refusal.number_not_customs", r"^(?P<field>\w+) '(?P<typed>[^']*)' is not the number customs gave filing "
                                   r"\S+ \((?P<given>[^)]*)\)"),
    ("refusal.override_reason", r"^customs numbers come from customs' receipts"),
    ("refusal.change_waiting", r"^filing \S+: an amendment or cancellation waits for customs' answer"),
    ("refusal.list_not_resent", r"^filing \S+ is (?P<filing_state>\w+): its list is not sent again"),
    ("refusal.amend_accepted_only", r"^filing \S+ is (?P<filing_state>\w+): only a list customs accepted and no "
                                    r"gate pass has carried is amended"),
    ("refusal.gate_pass_after_release", r"^filing \S+ is (?P<filing_state>\w+): a gate pass goes out once its "
                                        r"list is released"),
    ("refusal.cancel_accepted_only", r"^filing \S+ is (?P<filing_state>\w+): only a list customs accepted"),
    ("refusal.filing_changed", r"^filing \S+ changed meanwhile"),
    ("refusal.no_list_no_yet", r"^filing \S+ has no inventory list number from customs yet$"),
    ("refusal.cannot_be_declared", r"^(?P<paper>inventory list|gate pass|the inventory list|the gate pass) cannot be "
                                   r"declared: (?P<where>[^:]+): (?P<why>.+)$"),
    ("refusal.customs_rules", r"^the (?P<paper>inventory list|gate pass) breaks customs' rules: (?P<problems>.+)$"),
    ("refusal.not_in_book", r"^item \S+: material (?P<material>\S+) \((?P<kind>\w+)\) is not in account book "
                            r"(?P<book>\S+); register it there first$"),
    ("refusal.one_country", r"^one inventory list goes to one destination country$"),
    ("refusal.filing_needs_item", r"^a filing needs at least one item$"),
    ("refusal.no_destination_yet", r"^item \S+ has no destination decided yet$"),
    ("refusal.no_part_number", r"^item \S+ has no part number to find its account-book item$"),
    ("refusal.give_mode", r"^give supervision_mode: (?P<modes>.+) fits these items$"),
    ("refusal.mode_not_fitting", r"^supervision mode (?P<value>\S+) does not fit these items; use (?P<modes>.*)$"),
    ("refusal.no_book", r"^no account book"),
    ("refusal.stocktake_not_found", r"^stocktake \S+ not found$"),
    ("refusal.period_not_found", r"^period \S+ not found$"),
    ("refusal.not_in_book_items", r"^items (?P<items>[\d, ]+) are not in the account book$"),
    ("refusal.count_negative", r"^a count cannot be negative$"),
    ("refusal.count_not_number", r"^count (?P<value>'.*') for item (?P<item>\S*) is not a number$"),
    ("refusal.enter_a_count", r"^enter at least one count$"),
    ("refusal.say_location", r"^say which custody location is counted$"),
    ("refusal.unknown_action", r"^unknown action .*: explain or raise$"),
    ("refusal.serials_count", r"^item (?P<item>\d+): (?P<serials>\d+) serials for a count of (?P<count>\S+); "),
    ("refusal.say_why", r"^say why: "),
    ("refusal.no_difference", r"^item (?P<item>\d+) has no difference in stocktake"),
    ("refusal.not_raised", r"^item (?P<item>\d+)'s difference was not raised"),
    ("refusal.raised_resolve", r"^item (?P<item>\d+)'s difference is raised: "),
    ("refusal.unsettled", r"^stocktake \S+ has differences neither explained nor resolved: items (?P<items>.+)$"),
    ("refusal.stocktake_closed", r"^stocktake \S+ is closed "),
))
# what a rule's text takes from the message (return_to_owner_country: the owner's country and the one given)
RULE_VALUES = re.compile(r"destination country (?P<given>'[^']*'|None)|owner's country (?P<owners>\w+)")
SHIPMENT_STATES = {"planned", "customs_cleared", "shipped", "delivered"}


@dataclass(frozen=True)
class Refusal:
    text: str                 # in the reader's language
    original: str             # the service's own words
    translated: bool          # False: ``text`` is (or ends with) the service's words


def _field(t: Translator, name: str) -> str:
    return t.label("doc", name.removeprefix("documents."))


def _state(t: Translator, name: str) -> str:
    if name in SHIPMENT_STATES:
        return t(name)
    return t.item_state(name)


def _states(t: Translator, names: str) -> str:
    return f" {t('or')} ".join(_state(t, n.strip()) for n in names.split(",") if n.strip())


def _next(t: Translator, name: str) -> str:
    return t(name) if name in SHIPMENT_STATES else name


def _item_country(t: Translator, text: str) -> str:
    return t("refusal.nowhere") if text.startswith("nowhere") else text


# how each named group is said in the reader's language
GROUPS: dict[str, Callable[[Translator, str], str]] = {
    "field": _field, "state": _state, "allowed": _states, "next": _next, "destination": lambda t, d: t(d),
    "kind": lambda t, k: t(k.replace(" ", "_")), "action": lambda t, a: t.label("action", a),
    "item_country": _item_country, "modes": lambda t, m: m.replace(" or ", f" {t('or')} "),
    "filing_state": lambda t, s: t.label("filing_state", s),
    "paper": lambda t, p: t(p.removeprefix("the ").replace(" ", "_")),
}


def _values(t: Translator, match: re.Match[str]) -> dict[str, str]:
    found = {k: v for k, v in match.groupdict().items() if v is not None}
    return {k: GROUPS[k](t, v) if k in GROUPS else v for k, v in found.items()}


def explain(exc: DomainError, t: Translator) -> Refusal:
    original = exc.message
    for msgid, pattern in PATTERNS:
        match = pattern.search(original)
        if match:
            return Refusal(t(msgid, **_values(t, match)), original, True)
    rule = exc.details.get("rule")
    if isinstance(rule, str) and t.has(f"rule.{rule}"):
        values = {k: v for m in RULE_VALUES.finditer(original) for k, v in m.groupdict().items() if v}
        values = {k: v.strip("'") for k, v in values.items()}
        text = t(f"rule.{rule}", **{"given": "", "owners": ""} | values)
        if original.startswith("destination ") and " is forbidden by rule " in original:
            chosen = original.split()[1]
            text = t("rule.forbidden_destination", destination=t(chosen), rule=text)
        return Refusal(text, original, True)
    field = exc.details.get("field")
    if isinstance(field, str) and field:
        return Refusal(t("refusal.field", field=_field(t, field), message=original), original, False)
    return Refusal(t("refusal.other", message=original), original, False)
