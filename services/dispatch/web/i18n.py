"""The desk's languages: gettext catalogues (Babel), the browser's language by default, a switch kept in a cookie.

The messages are in ``locale/<locale>/LC_MESSAGES/desk.po`` (``en``, ``zh_CN``), one catalogue per language. Their
msgids are keys (``backlog_by_stage``, ``state.received``, ``doc.gate_pass``, ``refusal.malformed``...), so the
English text is a translation like any other and a wording changes in one ``.po`` file. The ``.po`` files are
compiled in memory on first use (babel.messages: read_po, then write_mo into gettext's GNUTranslations): no ``.mo``
file is built, committed or shipped, a fresh clone runs as it is. Plural forms come from each catalogue's
``Plural-Forms`` header (``ngettext``), dates and numbers from Babel's CLDR data for the language's locale.
"""
from __future__ import annotations

import gettext
import io
from datetime import date, datetime, tzinfo
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from fastapi import Request

from shared.contract import stages

LANGS = ("zh", "en")
COOKIE = "desk_lang"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "desk"
LOCALES = {"zh": "zh_CN", "en": "en"}  # the desk's language (its cookie, Accept-Language) -> its catalogue
# Dispatch's own item states (its ItemState, as the unit page's actions read them) in the vocabulary's names;
# ``in_zone`` (repair not finished) is dispatch's alone.
ITEM_STATES = {"decided": "destination_decided", "declared": "exit_declared"}


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / LOCALES[lang] / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(LANGS))
def translations(lang: str) -> gettext.GNUTranslations:
    """The language's catalogue, compiled from its ``.po`` file in memory (once per process)."""
    with catalogue_path(lang).open("rb") as f:
        catalog = read_po(f, locale=LOCALES[lang], domain=DOMAIN)
    mo = io.BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return gettext.GNUTranslations(mo)


@lru_cache(maxsize=len(LANGS))
def messages(lang: str) -> dict[str, str]:
    """Every singular message of the language, msgid -> text (the dashboard's charts label with it)."""
    with catalogue_path(lang).open("rb") as f:
        catalog = read_po(f, locale=LOCALES[lang], domain=DOMAIN)
    return {m.id: m.string for m in catalog if isinstance(m.id, str) and m.id and isinstance(m.string, str)}


def pick(request: Request) -> str:
    """The cookie's choice, else the first of the browser's languages we have (by q), else English."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGS:
        return chosen
    ranked = []
    for part in request.headers.get("accept-language", "").split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            ranked.append((float(q) if q else 1.0, tag.split("-")[0].lower()))
        except ValueError:
            continue
    for _, tag in sorted(ranked, key=lambda x: -x[0]):
        if tag in LANGS:
            return tag
    return "en"


class Translator:
    """``t('key', **values)`` in templates; ``t.n(key, n)`` with plural forms; states, dates and numbers."""

    def __init__(self, lang: str) -> None:
        self.lang, self.locale = lang, Locale.parse(LOCALES[lang])
        self.catalogue = translations(lang)

    def has(self, key: str) -> bool:
        return key in messages(self.lang)

    def __call__(self, key: str, **values: object) -> str:
        text = self.catalogue.gettext(key)
        if text == key and self.lang != "en":  # not in this catalogue (a test keeps that from happening): English
            text = translations("en").gettext(key)
        return text.format(**values) if values else text

    def n(self, key: str, n: int, **values: object) -> str:
        """A message with plural forms: ``key`` and ``key_plural`` are its msgid and msgid_plural."""
        return self.catalogue.ngettext(key, key + "_plural", n).format(n=self.number(n), **values)

    def states(self) -> list[tuple[str, str]]:
        """Every state of the vocabulary with its label, stage by stage (the units table's filter)."""
        return [(name, self.state(name)) for names in stages.STATES.values() for name in names]

    def state(self, name: str | None) -> str:
        """A desk read model's state (the vocabulary's name)."""
        if not name:
            return ""
        return self(f"state.{name}") if self.has(f"state.{name}") else name

    def item_state(self, name: str | None) -> str:
        """A state of dispatch's own item (``decided``, ``declared``...), labelled as the vocabulary's."""
        return self.state(ITEM_STATES.get(name or "", name))

    def role(self, name: str) -> str:
        return self(f"role.{name}") if self.has(f"role.{name}") else name

    def label(self, prefix: str, name: str) -> str:
        """``doc.gate_pass``, ``event.unit.received``...: the message if the catalogue has one, else the name."""
        return self(f"{prefix}.{name}") if self.has(f"{prefix}.{name}") else name

    # -- CLDR formats (Babel) ------------------------------------------------------------------------------------
    def datetime(self, at: datetime | None, zone: tzinfo) -> str:
        """``2026年12月4日 04:30 +08:00`` / ``Dec 4, 2026 04:30 +08:00``: the zone's time, the offset always."""
        if at is None:
            return ""
        here = at.astimezone(zone)
        offset = here.strftime("%z")
        day, clock = format_date(here, "medium", locale=self.locale), format_time(here, "HH:mm", locale=self.locale)
        return f"{day} {clock} {offset[:3]}:{offset[3:]}"

    def date(self, day: date | str | None) -> str:
        if not day:
            return ""
        return format_date(date.fromisoformat(day) if isinstance(day, str) else day, "medium", locale=self.locale)

    def number(self, x: int | float | Decimal | None, decimals: int | None = None) -> str:
        if x is None:
            return "–"
        if decimals is not None:
            return format_decimal(x, format="#,##0." + "0" * decimals, locale=self.locale)
        return format_decimal(x, locale=self.locale)

    def percent(self, x: float | None) -> str:
        return "–" if x is None else format_percent(x, format="#,##0.0%", locale=self.locale)


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
