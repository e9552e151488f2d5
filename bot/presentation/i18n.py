"""The message catalogue: every user-facing sentence passes through `_` or `ngettext`.

Message ids are the English sentences with named placeholders (`{count}`), so a translator
can reorder them. Catalogues live in `locale/<lang>/LC_MESSAGES/prepbot.mo` beside this
module; without one, the English ids are shown (gettext's fallback), and nothing is ever
downloaded.
"""

from __future__ import annotations

import gettext
from collections.abc import Sequence
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


def _(message: str) -> str:
    """The sentence `message` in the current language."""
    return _catalogue.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a sentence that `count` needs, in the current language."""
    return _catalogue.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark `message` for extraction only; it is translated where it is shown."""
    return message


__all__ = ["DOMAIN", "LOCALEDIR", "N_", "_", "ngettext", "use_languages"]
