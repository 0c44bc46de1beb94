"""A service's refusal (a DomainError) in the reader's language.

The services say why in English, for the API and its logs; a site says it in its catalogue's words. In order:
a known message pattern (msgid, regular expression; its named groups are the values the msgid's text takes, each
said by ``groups`` when it has a way), else the field it names (``field=...``, labelled ``field.<name>``) with the
service's own text, else the service's own text. The original is always kept: the page shows it beside a
translation, so that what was refused can be looked up in the service's logs.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from services.kit.errors import DomainError
from services.kit.web.i18n import Translator

Say = Callable[[Translator, str], str]


@dataclass(frozen=True)
class Refusal:
    text: str                 # in the reader's language
    original: str             # the service's own words
    translated: bool          # False: ``text`` is (or ends with) the service's words


class Explainer:
    FALLBACKS = ("refusal.field", "refusal.other")  # msgids every site using an explainer needs

    def __init__(self, patterns: Sequence[tuple[str, str]], groups: Mapping[str, Say]) -> None:
        self.patterns = tuple((msgid, re.compile(rx)) for msgid, rx in patterns)
        self.groups = dict(groups)

    @property
    def msgids(self) -> set[str]:
        return {msgid for msgid, _ in self.patterns} | set(self.FALLBACKS)

    def explain(self, exc: DomainError, t: Translator) -> Refusal:
        original = exc.message
        for msgid, pattern in self.patterns:
            match = pattern.search(original)
            if match:
                found = {k: v for k, v in match.groupdict().items() if v is not None}
                values = {k: self.groups[k](t, v) if k in self.groups else v for k, v in found.items()}
                return Refusal(t(msgid, **values), original, True)
        field = exc.details.get("field")
        if isinstance(field, str) and field:
            return Refusal(t("refusal.field", field=t.label("field", field), message=original), original, False)
        return Refusal(t("refusal.other", message=original), original, False)
