"""`DiscordAdapter`: runs the Discord client in the core's event loop, beside Telegram."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import discord

from bot.adapters.discord.client import build_client
from bot.adapters.discord.messenger import DiscordMessenger
from bot.config import Settings
from bot.content.bank import Bank
from bot.errors import ConfigError
from bot.ports import Messenger
from bot.services import Services

log = logging.getLogger(__name__)


class DiscordAdapter:
    """Owns the client: `start()` logs in and connects, `stop()` closes; `messenger` sends."""

    def __init__(
        self,
        settings: Settings,
        services: Services,
        bank: Bank,
        *,
        ready_timeout: float = 60.0,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        if settings.discord_bot_token is None:
            raise ConfigError("DISCORD_BOT_TOKEN is not set")
        self._token = settings.discord_bot_token
        self._ready_timeout = ready_timeout
        self.bot = build_client(
            services,
            bank,
            shard_count=settings.discord_shard_count,
            shard_ids=settings.discord_shard_ids,
            guild_ids=settings.discord_guild_ids,
            message_answers=settings.discord_message_answers,
            guild_ready_timeout=guild_ready_timeout,
        )
        self.messenger: Messenger = DiscordMessenger(self.bot)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Log in (runs setup_hook: commands sync), connect in the background, wait for READY."""
        try:
            await self.bot.login(self._token.get_secret_value())
        except discord.LoginFailure:
            await self.bot.close()
            raise ConfigError("DISCORD_BOT_TOKEN was rejected by Discord") from None
        self._task = asyncio.create_task(self.bot.connect(), name="discord-gateway")
        self._task.add_done_callback(_log_end)
        ready = asyncio.ensure_future(self.bot.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, self._task}, timeout=self._ready_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready in done:
            return
        ready.cancel()
        failure: BaseException | None = None
        if self._task in done and not self._task.cancelled():
            failure = self._task.exception()
        await self.stop()
        if isinstance(failure, discord.PrivilegedIntentsRequired):
            raise ConfigError(
                "DISCORD_MESSAGE_ANSWERS needs the Message Content intent: enable it for the bot "
                "in the Discord Developer Portal, or set DISCORD_MESSAGE_ANSWERS=false"
            ) from None
        if failure is not None:
            raise failure
        raise TimeoutError(f"Discord did not become ready within {self._ready_timeout:.0f}s")

    async def stop(self) -> None:
        """Close the connection and wait (bounded) for the gateway task to end."""
        self.bot.actions.interviews.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.bot.close(), 10.0)
        task, self._task = self._task, None
        if task is None:
            return
        if not task.done():
            done, _ = await asyncio.wait({task}, timeout=10.0)
            if not done:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task


def _log_end(task: asyncio.Task[None]) -> None:
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        log.error("the Discord connection ended: %s", error.__class__.__name__)
