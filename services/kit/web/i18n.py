"""A site's languages: gettext catalogues (Babel), the browser's language by default, a switch kept in a cookie.

The messages are in ``<locale dir>/<locale>/LC_MESSAGES/<domain>.po``, one catalogue per language. Their msgids
are keys (``login``, ``state.received``, ``refusal.malformed``...), so the English text is a translation like any
other. The ``.po`` files are compiled in memory on first use (babel.messages: read_po, then write_mo into
gettext's GNUTranslations): no ``.mo`` file is built, committed or shipped. Plural forms come from each
catalogue's ``Plural-Forms`` header (``ngettext``), dates and numbers from Babel's CLDR data for the locale.
"""
from __future__ import annotations

import gettext
import io
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from fastapi import Request

LOCALES = {"zh": "zh_CN", "en": "en"}  # a page's language (its cookie, Accept-Language) -> its catalogue
# what the kit's own pages and checks say: every site's catalogues carry these (tests/unit/test_web_kit_i18n.py)
KIT_MESSAGES = ("login", "logout", "token", "token_help", "language", "signed_in_as", "times_in", "error",
                "login_failed", "login_expired", "signin_failed", "role_refused", "read_only", "forbidden",
                "not_found", "title")


@dataclass
class Catalogues:
    """One site's catalogues: ``<locale_dir>/<locale>/LC_MESSAGES/<domain>.po`` for each of ``langs``."""
    locale_dir: Path
    domain: str
    cookie: str
    langs: tuple[str, ...] = ("zh", "en")
    _compiled: dict[str, gettext.GNUTranslations] = field(default_factory=dict, repr=False)
    _messages: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)

    def path(self, lang: str) -> Path:
        return self.locale_dir / LOCALES[lang] / "LC_MESSAGES" / f"{self.domain}.po"

    def _read(self, lang: str):  # type: ignore[no-untyped-def]  # babel's Catalog is untyped
        with self.path(lang).open("rb") as f:
            return read_po(f, locale=LOCALES[lang], domain=self.domain)

    def translations(self, lang: str) -> gettext.GNUTranslations:
        """The language's catalogue, compiled from its ``.po`` file in memory (once per process)."""
        if lang not in self._compiled:
            mo = io.BytesIO()
            write_mo(mo, self._read(lang))
            mo.seek(0)
            self._compiled[lang] = gettext.GNUTranslations(mo)
        return self._compiled[lang]

    def messages(self, lang: str) -> dict[str, str]:
        """Every singular message of the language, msgid -> text."""
        if lang not in self._messages:
            self._messages[lang] = {m.id: m.string for m in self._read(lang)
                                    if isinstance(m.id, str) and m.id and isinstance(m.string, str)}
        return self._messages[lang]

    def pick(self, request: Request) -> str:
        """The cookie's choice, else the first of the browser's languages we have (by q), else English."""
        chosen = request.cookies.get(self.cookie)
        if chosen in self.langs:
            return chosen
        ranked = []
        for part in request.headers.get("accept-language", "").split(","):
            tag, _, q = part.strip().partition(";q=")
            try:
                ranked.append((float(q) if q else 1.0, tag.split("-")[0].lower()))
            except ValueError:
                continue
        for _, tag in sorted(ranked, key=lambda x: -x[0]):
            if tag in self.langs:
                return tag
        return "en"


class Translator:
    """``t('key', **values)`` in templates; ``t.n(key, n)`` with plural forms; labels, dates and numbers."""

    def __init__(self, catalogues: Catalogues, lang: str) -> None:
        self.catalogues, self.lang, self.locale = catalogues, lang, Locale.parse(LOCALES[lang])
        self.catalogue = catalogues.translations(lang)

    def has(self, key: str) -> bool:
        return key in self.catalogues.messages(self.lang)

    def __call__(self, key: str, **values: object) -> str:
        text = self.catalogue.gettext(key)
        if text == key and self.lang != "en":  # not in this catalogue (a test keeps that from happening): English
            text = self.catalogues.translations("en").gettext(key)
        return text.format(**values) if values else text

    def n(self, key: str, n: int, **values: object) -> str:
        """A message with plural forms: ``key`` and ``key_plural`` are its msgid and msgid_plural."""
        return self.catalogue.ngettext(key, key + "_plural", n).format(n=self.number(n), **values)

    def state(self, name: str | None) -> str:
        if not name:
            return ""
        return self(f"state.{name}") if self.has(f"state.{name}") else name

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
            return "–"  # noqa: RUF001 - the en dash of an empty figure
        if decimals is not None:
            return format_decimal(x, format="#,##0." + "0" * decimals, locale=self.locale)
        return format_decimal(x, locale=self.locale)

    def percent(self, x: float | None) -> str:
        return "–" if x is None else format_percent(x, format="#,##0.0%", locale=self.locale)  # noqa: RUF001
