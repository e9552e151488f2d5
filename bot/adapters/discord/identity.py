"""Who is asking, and where: Discord users, channels and servers as the core's keys.

Users are `UserKey("discord", user id)`, channels `ChatKey("discord", channel id)` with
the server (guild) as their group, so leaderboards are per server. A thread counts as its
parent channel: discussion threads under a daily post belong to that channel's post.
"""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot.domain.models import ChatKey, UserKey
from bot.services import Services

PLATFORM = "discord"


@dataclass(frozen=True)
class Who:
    """The user and the chat an interaction or message comes from."""

    user: UserKey
    chat: ChatKey


def user_key(user: discord.abc.User) -> UserKey:
    return UserKey(PLATFORM, str(user.id))


def chat_key(channel_id: int) -> ChatKey:
    return ChatKey(PLATFORM, str(channel_id))


def _place(
    channel: object, channel_id: int | None, guild_id: int | None
) -> tuple[ChatKey, str | None, str]:
    """(chat, group id, title) for a channel, threads folded into their parent."""
    title = getattr(channel, "name", None) or ("direct messages" if guild_id is None else "")
    if isinstance(channel, discord.Thread) and channel.parent_id:
        channel_id = channel.parent_id
        title = channel.parent.name if channel.parent is not None else title
    if channel_id is None:  # Discord always sends one; guard the type
        raise ValueError("interaction without a channel")
    return chat_key(channel_id), (str(guild_id) if guild_id else None), title


def who_of(interaction: discord.Interaction) -> Who:
    """Keys for an interaction, without touching the store."""
    chat, _, _ = _place(interaction.channel, interaction.channel_id, interaction.guild_id)
    return Who(user_key(interaction.user), chat)


async def ensure(services: Services, interaction: discord.Interaction) -> Who:
    """Record the user's name and the channel's server and title (writes only on change)."""
    chat, group, title = _place(interaction.channel, interaction.channel_id, interaction.guild_id)
    user = user_key(interaction.user)
    await services.users.ensure_user(user, interaction.user.display_name)
    await services.users.ensure_chat(chat, group, title)
    return Who(user, chat)


async def ensure_message(services: Services, message: discord.Message) -> Who:
    """The same for a plain channel message."""
    guild_id = message.guild.id if message.guild else None
    chat, group, title = _place(message.channel, message.channel.id, guild_id)
    user = user_key(message.author)
    await services.users.ensure_user(user, message.author.display_name)
    await services.users.ensure_chat(chat, group, title)
    return Who(user, chat)
