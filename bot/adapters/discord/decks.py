"""`/deck add|list|show|remove|export`: the server's own decks. Adding and removing need
Manage Server, checked when the command runs; the deck is shared by the server's channels."""

from __future__ import annotations

import io
import logging

import discord
from discord import app_commands

from bot.adapters.discord import render
from bot.adapters.discord.identity import ensure
from bot.adapters.discord.replies import defer, send
from bot.adapters.discord.translator import description, options
from bot.content.uploads import UPLOAD_FORMATS
from bot.domain.models import ChatKey
from bot.errors import InvalidInputError
from bot.presentation import decks as words
from bot.services import Services

log = logging.getLogger(__name__)

FORMAT_CHOICES = [app_commands.Choice(name=name, value=name) for name in UPLOAD_FORMATS]


def _manager(interaction: discord.Interaction) -> bool:
    perms = interaction.permissions
    return interaction.guild_id is not None and (perms.manage_guild or perms.administrator)


class DeckCommands(
    app_commands.Group,
    name="deck",
    description=description("deck"),
    guild_only=True,
):
    """Every subcommand acts on the server the command is used in."""

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services

    @app_commands.command(name="add", description=description("deck add"))
    @app_commands.describe(**options("deck add"))
    @app_commands.choices(format=FORMAT_CHOICES)
    async def add(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment,
        format: app_commands.Choice[str] | None = None,
    ) -> None:
        """Upload a deck file (Manage Server)."""
        await defer(interaction, ephemeral=False)
        who = await ensure(self.services, interaction)
        admin = _manager(interaction)
        decks = self.services.decks
        data = b""
        if admin:
            decks.check_size(file.size)
            try:
                data = await file.read()
            except discord.HTTPException as exc:
                log.warning("downloading attachment %s failed: %s", file.id, exc)
                raise InvalidInputError(words.FILE_UNREADABLE) from exc
        added = await decks.add(
            who.user, who.chat, data, file.filename, format.value if format else None,
            admin=admin,
        )
        text = words.deck_added(render.M, added, f"/quiz topic:{added.info.id}")
        await send(interaction, text=await self._noted(who.chat, text), ephemeral=False)

    async def _noted(self, chat: ChatKey, text: str) -> str:
        """`text`, then why the channel's schedule stopped posting the first time a manager
        acts here after it did."""
        broken = await self.services.schedules.broken_once(chat)
        return f"{text}\n\n{render.broken_note(broken)}" if broken else text

    @app_commands.command(name="list", description=description("deck list"))
    async def list_(self, interaction: discord.Interaction) -> None:
        await defer(interaction)
        who = await ensure(self.services, interaction)
        text = words.deck_list(render.M, await self.services.decks.list(who.chat))
        await send(interaction, text=text)

    @app_commands.command(name="show", description=description("deck show"))
    @app_commands.describe(**options("deck show"))
    async def show(self, interaction: discord.Interaction, id: str) -> None:
        await defer(interaction)
        who = await ensure(self.services, interaction)
        detail = await self.services.decks.show(who.chat, id)
        await send(interaction, text=words.deck_show(render.M, detail))

    @app_commands.command(name="remove", description=description("deck remove"))
    @app_commands.describe(**options("deck remove"))
    async def remove(
        self, interaction: discord.Interaction, id: str, confirm: bool = False
    ) -> None:
        """Remove a deck (Manage Server): `confirm:True`, or the same command twice."""
        await defer(interaction, ephemeral=False)
        who = await ensure(self.services, interaction)
        removal = await self.services.decks.remove(
            who.user, who.chat, id, admin=_manager(interaction), confirmed=confirm
        )
        again = f"/deck remove id:{removal.info.id} confirm:True"
        text = await self._noted(who.chat, words.deck_removal(render.M, removal, again))
        await send(interaction, text=text, ephemeral=False)

    @app_commands.command(name="export", description=description("deck export"))
    @app_commands.describe(**options("deck export"))
    async def export(self, interaction: discord.Interaction, id: str) -> None:
        await defer(interaction)
        who = await ensure(self.services, interaction)
        exported = await self.services.decks.export(who.chat, id)
        attachment = discord.File(io.BytesIO(exported.text.encode("utf-8")), exported.filename)
        text = words.deck_exported(render.M, exported.filename.removesuffix(".yaml"))
        # `send` puts files beside embeds; this reply is text and the file alone.
        await interaction.followup.send(
            text, file=attachment, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )
