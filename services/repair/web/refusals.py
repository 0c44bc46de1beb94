"""Repair's refusals said in the bench's words (services/kit/web/refusals.py): one pattern per way repair's domain
and use cases word a refusal the bench's actions can meet; a state, an action or an availability is labelled in
the reader's language. tests/unit/test_bench_i18n.py fails when one of them is not recognised or not translated."""
from __future__ import annotations

from services.kit.errors import DomainError
from services.kit.web.i18n import Translator
from services.kit.web.refusals import Explainer, Refusal

WO = r"work order \S+"
PATTERNS: tuple[tuple[str, str], ...] = (
    ("refusal.illegal_transition", rf"^cannot (?P<action>\w+) {WO}: it is (?P<state>\w+); (?P=action) is allowed "
                                   r"from (?P<allowed>[\w, ]+?)(;|$)"),
    ("refusal.stale", rf"^{WO} (is at version \d+, not \d+: it was|was) changed by someone else"),
    ("refusal.not_found", rf"^{WO} not found$"),
    ("refusal.no_diagnosis", rf"^{WO} has no diagnosis yet"),
    ("refusal.waiting_parts", rf"^{WO} still waits for parts: (?P<parts>.+)$"),
    ("refusal.short", rf"^only (?P<got>\d+) of (?P<quantity>\d+) x (?P<part>\S+) can be drawn for {WO} "
                      r"\((?P<availability>\w+)\); nothing was consumed$"),
    ("refusal.clock_running", rf"^(?P<who>.+) already has a labour clock running on {WO} since"),
    ("refusal.no_clock", rf"^(?P<who>.+) has no labour clock running on {WO}$"),
    ("refusal.needs_passing_test", rf"^{WO} becomes repaired only after a passing test; last test: (?P<last>\w+)$"),
    ("refusal.beyond_repair_needs_diagnosis", rf"^{WO}: record the diagnosis that shows it is beyond repair"),
    ("refusal.return_from_diagnosis", rf"^{WO}: a unit is returned unrepaired from diagnosis only with no fault"),
    ("refusal.findings", r"^a diagnosis needs findings$"),
    ("refusal.nff_with_codes", r"^no fault found cannot carry failure codes$"),
    ("refusal.no_codes", r"^give at least one failure code, or no_fault_found=true$"),
    ("refusal.code_twice", r"^a failure code is listed twice$"),
    ("refusal.unknown_codes", r"^unknown or inactive failure codes \[(?P<codes>[^\]]*)\]"),
    ("refusal.negative_amount", r"^repair fee and parts estimate cannot be negative$"),
    ("refusal.currency", r"^unknown ISO 4217 currency (?P<value>'[^']*')"),
    ("refusal.not_a_currency", r"^(?P<value>'[^']*') is an ISO 4217 code but not a currency"),
    ("refusal.procedure", r"^a test record names its procedure$"),
    ("refusal.no_verdict", r"^give passed=true/false or measurements with limits$"),
    ("refusal.out_of_limits", r"^cannot pass: out of limits: (?P<names>.+)$"),
    ("refusal.part_number", r"^a part number is required$"),
    ("refusal.quantity", r"^quantity must be between 1 and (?P<max>\d+)$"),
    ("refusal.technician", r"^name the technician to assign$"),
    ("refusal.retry", r"changed meanwhile; (the receipt will be )?retr"),
    ("refusal.not_whole", r"^(?P<field>\w+) must be a whole number$"),
    ("refusal.not_a_number", r"^(?P<field>\w+) must be a number$"),
    ("refusal.outcome", r"^choose an outcome: "),
)


def _states(t: Translator, names: str) -> str:
    return f" {t('or')} ".join(t.state(n.strip()) for n in names.split(",") if n.strip())


EXPLAINER = Explainer(PATTERNS, {
    "action": lambda t, a: t.label("action", a), "state": lambda t, s: t.state(s), "allowed": _states,
    "availability": lambda t, a: t.label("availability", a), "field": lambda t, f: t.label("field", f),
    "last": lambda t, v: t.label("last_test", v),
})
MSGIDS = EXPLAINER.msgids | {"or"}


def explain(exc: DomainError, t: Translator) -> Refusal:
    return EXPLAINER.explain(exc, t)
