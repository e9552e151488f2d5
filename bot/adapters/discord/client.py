"""The discord.py client: receives its dependencies, registers everything in `setup_hook`."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.discord.actions import Actions
from bot.adapters.discord.admin import ScheduleCommands
from bot.adapters.discord.commands import PracticeCommands
from bot.adapters.discord.decks import DeckCommands
from bot.adapters.discord.interview import InterviewCommands
from bot.adapters.discord.messages import MessageAnswers
from bot.adapters.discord.render import NO_MENTIONS
from bot.adapters.discord.replies import report_error
from bot.adapters.discord.translator import CatalogueTranslator
from bot.adapters.discord.views import BUTTON_KINDS, modal_text, parse_modal_id
from bot.content.bank import Bank
from bot.services import Services

log = logging.getLogger(__name__)

# Long Discord rate limits raise instead of sleeping, so the outbox can pause and move on.
MAX_RATELIMIT_WAIT = 30.0

# Everything the bot does in a channel, and nothing more; the README's invite URL asks for
# exactly these. Slash commands, buttons and modals answer interactions, which need none.
BOT_PERMISSIONS = discord.Permissions(
    view_channel=True,  # see the channel it posts daily questions to
    send_messages=True,  # daily posts, reveals, admin notices, replies to message answers
    embed_links=True,  # every post is an embed, which bots may send only with this
    read_message_history=True,  # reply to a member's message answer (a message reference)
    create_public_threads=True,  # the discussion thread under a daily question
    send_messages_in_threads=True,  # a daily question scheduled inside a thread
)
INVITE_SCOPES = ("bot", "applications.commands")


def invite_url(application_id: int) -> str:
    """The OAuth2 URL that adds the bot to a server with its commands and permissions."""
    return discord.utils.oauth_url(
        application_id, permissions=BOT_PERMISSIONS, scopes=INVITE_SCOPES
    )


def build_intents(message_answers: bool) -> discord.Intents:
    """Guilds only (interactions need no intent); messages and Message Content on opt-in."""
    intents = discord.Intents.none()
    intents.guilds = True
    if message_answers:
        intents.guild_messages = True
        intents.message_content = True  # privileged: enable it in the Developer Portal
    return intents


class PrepTree(app_commands.CommandTree[discord.Client]):
    """The command tree; its error hook is the one error handler."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)


class PrepBot(commands.Bot):
    """prepbot on Discord: slash commands, persistent buttons, modals, message answers."""

    def __init__(
        self,
        services: Services,
        bank: Bank,
        *,
        guild_ids: list[int] | None = None,
        message_answers: bool = False,
        **options: Any,
    ) -> None:
        options.setdefault("intents", build_intents(message_answers))
        options.setdefault("max_ratelimit_timeout", MAX_RATELIMIT_WAIT)
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            tree_cls=PrepTree,
            allowed_mentions=NO_MENTIONS,
            **options,
        )
        self.services = services
        self.bank = bank
        self.guild_ids = list(guild_ids or [])
        self.actions = Actions(services)  # the buttons find their router here
        self.message_answers = MessageAnswers(services) if message_answers else None

    async def setup_hook(self) -> None:
        """Register buttons, commands and the admin group, then sync the commands."""
        self.add_dynamic_items(*BUTTON_KINDS)
        await self.tree.set_translator(CatalogueTranslator())
        await self.add_cog(PracticeCommands(self.services, self.bank, self.actions))
        await self.add_cog(InterviewCommands(self.services, self.actions.interviews))
        self.tree.add_command(ScheduleCommands(self.services))
        self.tree.add_command(DeckCommands(self.services))
        await self.sync_commands()

    async def sync_commands(self) -> None:
        """Sync globally, or to each of `guild_ids` (instant, for development)."""
        if not self.guild_ids:
            await self._sync(None)
            return
        for guild_id in self.guild_ids:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            await self._sync(guild)

    async def _sync(self, guild: discord.Object | None) -> None:
        where = f"server {guild.id}" if guild else "globally"
        try:
            synced = await self.tree.sync(guild=guild)
        except discord.HTTPException as exc:
            # A wrong DISCORD_GUILD_IDS entry must not stop the bot: warn and go on.
            log.warning("command sync %s failed: HTTP %s code %s", where, exc.status, exc.code)
            return
        log.info("synced %d commands %s", len(synced), where)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Answer-modal submissions, handled from the raw payload (restart-proof)."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: Any = interaction.data or {}
        parsed = parse_modal_id(str(data.get("custom_id", "")))
        if parsed is None:
            return
        kind, ref = parsed
        await self.actions.on_modal(interaction, kind, ref, modal_text(data.get("components", [])))

    async def on_message(self, message: discord.Message) -> None:
        """Channel answers when enabled; there are no prefix commands to process."""
        if self.message_answers is not None and self.user is not None:
            await self.message_answers.on_message(self.user, message)

    async def on_ready(self) -> None:
        log.info("connected to Discord as %s in %d server(s)", self.user, len(self.guilds))
        if self.application_id is not None:
            log.info("invite it to a server: %s", invite_url(self.application_id))
        await self.actions.interviews.resend_resumed(self)


class ShardedPrepBot(PrepBot, commands.AutoShardedBot):
    """PrepBot on discord.py's sharded client, connecting only this process's gateway
    shards (`shard_count`, `shard_ids`); REST calls, such as the outbox's sends, need none."""


def build_client(
    services: Services,
    bank: Bank,
    *,
    shard_count: int | None = None,
    shard_ids: list[int] | None = None,
    **options: Any,
) -> PrepBot:
    """The client: one plain gateway connection, or the given shards of `shard_count`
    (all of them when `shard_ids` is empty)."""
    if shard_count is None:
        return PrepBot(services, bank, **options)
    return ShardedPrepBot(
        services, bank, shard_count=shard_count, shard_ids=list(shard_ids or []) or None, **options
    )
