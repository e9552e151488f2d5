"""Slash-command descriptions come from the catalogue, in each Discord user's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import discord
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from discord import app_commands

from bot.adapters.discord.admin import ScheduleCommands
from bot.adapters.discord.translator import CatalogueTranslator, description
from bot.presentation import discord_texts
from bot.presentation.i18n import DOMAIN
from bot.services import Services

DAILY = discord_texts.DESCRIPTIONS["daily"]
SCHEDULE = discord_texts.DESCRIPTIONS["schedule"]
TIME = discord_texts.OPTIONS["schedule set"]["time"]


def install(localedir: Path, language: str, translations: dict[str, str]) -> None:
    """A compiled catalogue for `language`, as `pybabel compile` writes it."""
    catalog = Catalog(locale=language, domain=DOMAIN)
    for msgid, msgstr in translations.items():
        catalog.add(msgid, msgstr)
    target = localedir / language / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / f"{DOMAIN}.mo").open("wb") as mo:
        write_mo(mo, catalog)


async def test_descriptions_are_translated_where_a_catalogue_is_installed(
    tmp_path: Path,
) -> None:
    install(tmp_path, "de", {DAILY: "Die heutige Frage hier posten"})
    install(tmp_path, "pt_BR", {DAILY: "Postar a pergunta de hoje"})
    translator = CatalogueTranslator(tmp_path)
    context: app_commands.TranslationContextTypes = app_commands.TranslationContext(
        app_commands.TranslationContextLocation.other, None
    )
    daily = description("daily")
    assert daily.message == DAILY
    assert await translator.translate(daily, discord.Locale.german, context) == (
        "Die heutige Frage hier posten"
    )
    assert await translator.translate(daily, discord.Locale.brazil_portuguese, context) == (
        "Postar a pergunta de hoje"
    )
    # No catalogue, or no translation in it: Discord shows the English id.
    assert await translator.translate(daily, discord.Locale.french, context) is None
    assert await translator.translate(description("help"), discord.Locale.german, context) is None


async def test_a_synced_command_carries_the_localized_descriptions(tmp_path: Path) -> None:
    install(tmp_path, "de", {SCHEDULE: "Die tägliche Frage", TIME: "Uhrzeit HH:MM"})
    client = discord.Client(intents=discord.Intents.none())
    tree = app_commands.CommandTree(client)
    group = ScheduleCommands(cast(Services, None))
    payload: dict[str, Any] = await group.get_translated_payload(
        tree, CatalogueTranslator(tmp_path)
    )
    assert payload["description"] == SCHEDULE
    assert payload["description_localizations"] == {"de": "Die tägliche Frage"}
    (set_,) = [option for option in payload["options"] if option["name"] == "set"]
    (time,) = [option for option in set_["options"] if option["name"] == "time"]
    assert time["description"] == TIME
    assert time["description_localizations"] == {"de": "Uhrzeit HH:MM"}
    await client.close()
