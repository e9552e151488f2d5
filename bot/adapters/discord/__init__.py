"""Discord adapter (discord.py): slash commands, persistent buttons, modals, the outbox."""

from __future__ import annotations

from bot.adapters.discord.adapter import DiscordAdapter
from bot.adapters.discord.messenger import DiscordMessenger

__all__ = ["DiscordAdapter", "DiscordMessenger"]
