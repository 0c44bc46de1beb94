"""The desk's languages: gettext catalogues (Babel, services/kit/web/i18n.py), the browser's language by default,
a switch kept in a cookie.

The messages are in ``locale/<locale>/LC_MESSAGES/desk.po`` (``en``, ``zh_CN``). Their msgids are keys
(``backlog_by_stage``, ``state.received``, ``doc.gate_pass``, ``refusal.malformed``...), compiled in memory on first
use; plural forms from each catalogue's ``Plural-Forms``, dates and numbers from Babel's CLDR data.
"""
from __future__ import annotations

from pathlib import Path

from services.kit.web import i18n as kit
from services.kit.web.i18n import LOCALES
from shared.contract import stages

__all__ = ["COOKIE", "DOMAIN", "LANGS", "LOCALES", "LOCALE_DIR", "STATES", "Translator", "catalogue_path",
           "labelled_states", "messages", "pick", "translations"]
LANGS = ("zh", "en")
COOKIE = "desk_lang"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "desk"
CATALOGUES = kit.Catalogues(LOCALE_DIR, DOMAIN, COOKIE, LANGS)
# Dispatch's own item states (its ItemState, as the unit page's actions read them) in the vocabulary's names;
# ``in_zone`` (repair not finished) is dispatch's alone.
ITEM_STATES = {"decided": "destination_decided", "declared": "exit_declared"}
catalogue_path = CATALOGUES.path
translations = CATALOGUES.translations
messages = CATALOGUES.messages
pick = CATALOGUES.pick


class Translator(kit.Translator):
    """The kit's translator on the desk's catalogues, with the vocabulary's states and dispatch's item states."""

    def __init__(self, lang: str) -> None:
        super().__init__(CATALOGUES, lang)

    def states(self) -> list[tuple[str, str]]:
        """Every state of the vocabulary with its label, stage by stage (the units table's filter)."""
        return [(name, self.state(name)) for names in stages.STATES.values() for name in names]

    def item_state(self, name: str | None) -> str:
        """A state of dispatch's own item (``decided``, ``declared``...), labelled as the vocabulary's."""
        return self.state(ITEM_STATES.get(name or "", name))


def labelled_states(lang: str) -> dict[str, str]:
    """The vocabulary's states with their labels in ``lang``."""
    t = Translator(lang)
    return {name: t.state(name) for name, _ in t.states()}


class _States(dict[str, dict[str, str]]):
    """``STATES[lang]``: the states' labels as the old dictionaries offered them, read from the catalogues."""

    def __missing__(self, lang: str) -> dict[str, str]:
        self[lang] = labelled_states(lang)
        return self[lang]


STATES = _States()
