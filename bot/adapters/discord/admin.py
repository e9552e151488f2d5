"""`/schedule set|show|pause|resume|off`: the channel's daily question, for server managers.

Discord hides the group from members without Manage Server (`default_permissions`), but
server admins can override that per role or channel, so the permission is checked again
when a command runs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

import discord
from discord import app_commands

from bot.adapters.discord import choices, render
from bot.adapters.discord.identity import ensure
from bot.adapters.discord.replies import defer, send
from bot.adapters.discord.translator import description, options
from bot.errors import InvalidInputError, NotFoundError
from bot.presentation import discord_texts, wording
from bot.services import Services
from bot.services.results import ScheduleView

log = logging.getLogger(__name__)



class NotManager(app_commands.CheckFailure):
    """The member lacks Manage Server."""

    def __init__(self) -> None:
        super().__init__(discord_texts.not_manager())


class ScheduleCommands(
    app_commands.Group,
    name="schedule",
    description=description("schedule"),
    guild_only=True,
    default_permissions=discord.Permissions(manage_guild=True),
):
    """The admin command group; every subcommand acts on the channel it is used in."""

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Run-time check: Manage Server (or Administrator) in this channel."""
        perms = interaction.permissions
        if interaction.guild_id is None or not (perms.manage_guild or perms.administrator):
            log.info("refused /schedule for %s in %s", interaction.user.id, interaction.guild_id)
            raise NotManager()
        return True

    @app_commands.command(name="set", description=description("schedule set"))
    @app_commands.describe(**options("schedule set"))
    async def set_(
        self,
        interaction: discord.Interaction,
        time: str | None = None,
        timezone: str | None = None,
        weekdays: str | None = None,
        topics: str | None = None,
        reveal_after_hours: app_commands.Range[int, 0, 168] | None = None,
        thread: bool | None = None,
    ) -> None:
        """Subscribe the channel, or change only the options given."""
        await defer(interaction, ephemeral=False)
        who = await ensure(self.services, interaction)
        schedules = self.services.schedules
        try:
            await schedules.show(who.chat)
        except NotFoundError:
            if time is None:
                raise InvalidInputError(discord_texts.NEED_TIME) from None
            view = await schedules.subscribe(
                who.chat,
                time,
                timezone,
                weekdays or "daily",
                topics,
                reveal_after_hours or 0,
                bool(thread),
            )
            heading = discord_texts.schedule_set_title(created=True)
        else:
            view = await schedules.update(
                who.chat,
                time=time,
                timezone=timezone,
                weekdays=weekdays,
                topics=topics,
                reveal_delay=reveal_after_hours,
                thread=thread,
            )
            heading = discord_texts.schedule_set_title(created=False)
        await send(interaction, [render.schedule_embed(view, heading)], ephemeral=False)

    @set_.autocomplete("timezone")
    async def _timezone(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return choices.timezone_choices(current)

    @set_.autocomplete("topics")
    async def _topics(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return choices.topic_list_choices(self.services.topics.topics(), current)

    @set_.autocomplete("weekdays")
    async def _weekdays(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return choices.weekday_choices(current)

    @app_commands.command(name="show", description=description("schedule show"))
    async def show(self, interaction: discord.Interaction) -> None:
        """Show the schedule (to the caller only)."""
        await defer(interaction)
        who = await ensure(self.services, interaction)
        view = await self._call(self.services.schedules.show(who.chat))
        await send(interaction, [render.schedule_embed(view, discord_texts.schedule_title())])

    @app_commands.command(name="pause", description=description("schedule pause"))
    async def pause(self, interaction: discord.Interaction) -> None:
        """Pause posting (the schedule is kept)."""
        await defer(interaction, ephemeral=False)
        who = await ensure(self.services, interaction)
        view = await self._call(self.services.schedules.pause(who.chat))
        embed = render.schedule_embed(view, discord_texts.schedule_paused_title())
        await send(interaction, [embed], ephemeral=False)

    @app_commands.command(name="resume", description=description("schedule resume"))
    async def resume(self, interaction: discord.Interaction) -> None:
        """Resume posting."""
        await defer(interaction, ephemeral=False)
        who = await ensure(self.services, interaction)
        view = await self._call(self.services.schedules.resume(who.chat))
        embed = render.schedule_embed(view, discord_texts.schedule_resumed_title())
        await send(interaction, [embed], ephemeral=False)

    @app_commands.command(name="off", description=description("schedule off"))
    async def off(self, interaction: discord.Interaction) -> None:
        """Unsubscribe; history and leaderboards stay."""
        await defer(interaction, ephemeral=False)
        who = await ensure(self.services, interaction)
        removed = await self.services.schedules.unsubscribe(who.chat)
        await send(interaction, text=wording.schedule_off(removed), ephemeral=False)

    @staticmethod
    async def _call(pending: Awaitable[ScheduleView]) -> ScheduleView:
        """Await a schedule call, phrasing 'not subscribed' for Discord."""
        try:
            return await pending
        except NotFoundError:
            raise NotFoundError(discord_texts.not_subscribed()) from None
