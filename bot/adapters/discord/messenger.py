"""The outbox's Discord side: daily posts and channel reveals as embeds with buttons.

Each send carries `nonce=<outbox row id>`; discord.py then sets `enforce_nonce`, so if the
process dies between Discord accepting a message and the outbox recording it, the resend
returns the first message instead of posting twice.
"""

from __future__ import annotations

import logging
from typing import Literal

import discord

from bot.adapters.discord import render
from bot.adapters.discord.identity import PLATFORM
from bot.adapters.discord.views import daily_view
from bot.domain.models import ChatKey
from bot.domain.views import ChannelReveal, DailyQuestion
from bot.errors import ChatUnavailable, DeliveryError, Notice, RateLimited
from bot.ports import DailyPostMessage, Outgoing
from bot.presentation.commands import say

log = logging.getLogger(__name__)

THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440
DEFAULT_RETRY_AFTER = 60.0


class DiscordMessenger:
    """Implements `bot.ports.Messenger` with a connected discord.py client."""

    platform = PLATFORM

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def deliver(self, message: Outgoing) -> str:
        """Send a daily post or a reveal; returns the (first) message id."""
        try:
            channel = await self._channel(message.chat)
            if isinstance(message, DailyPostMessage):
                sent = await self._daily(channel, message.daily, message.outbox_id)
            else:
                sent = await self._reveal(channel, message.reveal, message.outbox_id)
        except (discord.Forbidden, discord.NotFound) as exc:
            raise ChatUnavailable(
                f"Discord refused the channel (HTTP {exc.status}, code {exc.code}: {exc.text})"
            ) from exc
        except discord.RateLimited as exc:
            raise RateLimited(exc.retry_after) from exc
        except discord.HTTPException as exc:
            if exc.status == 429:
                raise RateLimited(_retry_after(exc)) from exc
            raise DeliveryError(f"Discord answered HTTP {exc.status} (code {exc.code})") from exc
        return str(sent.id)

    async def _channel(self, chat: ChatKey) -> discord.abc.Messageable:
        if not chat.chat_id.isdigit():
            raise ChatUnavailable(f"not a Discord channel id: {chat.chat_id!r}")
        channel_id = int(chat.chat_id)
        channel = self.client.get_channel(channel_id)
        if channel is None:
            channel = await self.client.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise ChatUnavailable(f"channel {channel_id} cannot receive messages")
        return channel

    async def _daily(
        self, channel: discord.abc.Messageable, daily: DailyQuestion, outbox_id: int
    ) -> discord.Message:
        sent = await channel.send(
            embed=render.daily_embed(daily),
            view=daily_view(daily),
            nonce=str(outbox_id),
            allowed_mentions=render.NO_MENTIONS,
        )
        if daily.thread:
            await self._open_thread(sent, daily)
        return sent

    @staticmethod
    async def _open_thread(message: discord.Message, daily: DailyQuestion) -> None:
        """A discussion thread under the post; best effort (the post itself went out)."""
        if not isinstance(message.channel, discord.TextChannel):
            return
        name = f"Discussion · {daily.local_date:%a %d %b}"
        try:
            await message.create_thread(name=name, auto_archive_duration=THREAD_ARCHIVE_MINUTES)
        except discord.HTTPException as exc:
            # 160004: a resend deduplicated by nonce already has its thread.
            log.warning("no thread for post %d: HTTP %s code %s", daily.post_id, exc.status,
                        exc.code)

    async def _reveal(
        self, channel: discord.abc.Messageable, reveal: ChannelReveal, outbox_id: int
    ) -> discord.Message:
        first: discord.Message | None = None
        for index, group in enumerate(render.pack(render.channel_reveal_embeds(reveal))):
            # Each part gets its own nonce, so a resend after a crash skips the parts sent.
            nonce = str(outbox_id) if index == 0 else f"{outbox_id}.{index}"
            sent = await channel.send(
                embeds=group, nonce=nonce, allowed_mentions=render.NO_MENTIONS
            )
            first = first or sent
        assert first is not None  # pack() always yields at least one group here
        return first

    async def notify_admins(self, chat: ChatKey, notice: Notice) -> bool:
        """Tell the server: its system channel if the bot may post there, else DM the owner."""
        if not chat.chat_id.isdigit():
            return False
        channel = self.client.get_channel(int(chat.chat_id))
        guild = getattr(channel, "guild", None)
        if not isinstance(guild, discord.Guild):
            return False  # the bot left the server (or it is a DM): nobody to tell
        body = (
            f"{discord.utils.escape_mentions(say(notice, render.COMMANDS))}\n"
            f"Server: {render.safe(guild.name)} · channel: <#{chat.chat_id}>"
        )
        system = guild.system_channel
        if (
            system is not None
            and str(system.id) != chat.chat_id
            and system.permissions_for(guild.me).send_messages
        ):
            try:
                await system.send(body, allowed_mentions=render.NO_MENTIONS)
                return True
            except discord.HTTPException as exc:
                log.info("system channel of %s refused: %s", guild.id, exc.code)
        try:
            owner = guild.owner or await self.client.fetch_user(guild.owner_id or 0)
            await owner.send(body[: render.CONTENT_LIMIT], allowed_mentions=render.NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("could not tell the owner of server %s: %s", guild.id, exc.code)
            return False
        return True


def _retry_after(exc: discord.HTTPException) -> float:
    header = exc.response.headers.get("Retry-After") if exc.response is not None else None
    try:
        return float(header) if header else DEFAULT_RETRY_AFTER
    except ValueError:
        return DEFAULT_RETRY_AFTER
