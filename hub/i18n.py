"""French and English for pages and messages, from Babel catalogs.

The `.po` files are the source of truth and are compiled in memory when first used: nothing
binary is committed, and a stale `.mo` can never disagree with its `.po`. Compiling two small
catalogs costs a few milliseconds once per process.
"""

from __future__ import annotations

import gettext as _gettext
import io
from contextvars import ContextVar
from functools import cache
from importlib import resources

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = ("en", "fr")
DEFAULT_LOCALE = "en"

current_locale: ContextVar[str] = ContextVar("slthub_locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    po = resources.files("hub") / "translations" / locale / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return _gettext.NullTranslations()
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def gettext(message: str) -> str:
    return translations(current_locale.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale.get()).ngettext(singular, plural, n)


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """An explicit choice (link or cookie) wins over the browser's Accept-Language."""
    for choice in (query, cookie):
        if choice in LOCALES:
            return choice
    if accept_language:
        preferred = []
        for part in accept_language.split(","):
            tag = part.split(";")[0].strip().replace("-", "_")
            if tag and tag != "*":
                preferred.append(tag)
        try:
            found = Locale.negotiate(preferred, list(LOCALES), sep="_")
        except (UnknownLocaleError, ValueError):
            found = None
        if found is not None:
            return found.language
    return DEFAULT_LOCALE
