"""Slash-command descriptions from the message catalogue, in each Discord user's language.

Descriptions are `locale_str`s of catalogue message ids (`bot.presentation.discord_texts`);
when the commands are synced, discord.py asks `CatalogueTranslator` for every Discord
locale, and Discord shows each user the description of their client's language (English,
the message id, where no catalogue is installed).
"""

from __future__ import annotations

from pathlib import Path

import discord
from discord import app_commands

from bot.presentation import discord_texts
from bot.presentation.i18n import LOCALEDIR, catalogue


def description(command: str) -> app_commands.locale_str:
    """What slash command `command` (its qualified name) does."""
    return app_commands.locale_str(discord_texts.DESCRIPTIONS[command])


def options(command: str) -> dict[str, app_commands.locale_str]:
    """What each option of `command` means, for `app_commands.describe`."""
    return {
        name: app_commands.locale_str(text)
        for name, text in discord_texts.OPTIONS[command].items()
    }


def gettext_language(locale: discord.Locale) -> str:
    """Discord's `pt-BR` as gettext's `pt_BR`."""
    return locale.value.replace("-", "_")


class CatalogueTranslator(app_commands.Translator):
    """Reads command texts from the installed gettext catalogues (never downloads)."""

    def __init__(self, localedir: Path = LOCALEDIR) -> None:
        self.localedir = localedir

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        """The catalogue's translation, or None (Discord then shows the English default)."""
        found = catalogue(gettext_language(locale), self.localedir)
        if found is None:
            found = catalogue(gettext_language(locale).split("_")[0], self.localedir)
        if found is None:
            return None
        translated = found.gettext(string.message)
        return translated if translated != string.message else None


__all__ = ["CatalogueTranslator", "description", "gettext_language", "options"]
