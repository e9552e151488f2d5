"""The message catalogue: every user-facing sentence passes through `_` or `ngettext`.

Message ids are the English sentences with named placeholders (`{count}`), so a translator
can reorder them. Catalogues live in `locale/<lang>/LC_MESSAGES/prepbot.mo` beside this
module; without one, the English ids are shown (gettext's fallback), and nothing is ever
downloaded.
"""

from __future__ import annotations

import gettext
from collections.abc import Sequence
from functools import cache
from pathlib import Path

DOMAIN = "prepbot"
LOCALEDIR = Path(__file__).parent / "locale"

_catalogue: gettext.NullTranslations = gettext.translation(DOMAIN, LOCALEDIR, fallback=True)


def use_languages(languages: Sequence[str] | None) -> None:
    """Switch the catalogue (first language found wins; English when none is installed)."""
    global _catalogue
    _catalogue = gettext.translation(
        DOMAIN, LOCALEDIR, languages=list(languages) if languages else None, fallback=True
    )


@cache
def catalogue(language: str, localedir: Path = LOCALEDIR) -> gettext.NullTranslations | None:
    """The installed catalogue for one `language` (`de`, `pt_BR`), or None when there is none:
    for platforms that show each user their own language (Discord's command descriptions)."""
    try:
        return gettext.translation(DOMAIN, localedir, languages=[language])
    except OSError:
        return None


def _(message: str) -> str:
    """The sentence `message` in the current language."""
    return _catalogue.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a sentence that `count` needs, in the current language."""
    return _catalogue.ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """`message` in the current language, told apart by `context` from the same English
    words used otherwise (the button `Answer` is a verb, the title `Answer` a noun)."""
    return _catalogue.pgettext(context, message)


def N_(message: str) -> str:
    """Mark `message` for extraction only; it is translated where it is shown."""
    return message


__all__ = ["DOMAIN", "LOCALEDIR", "N_", "_", "catalogue", "ngettext", "pgettext", "use_languages"]
