"""Shared set-up for the Discord adapter tests: services on a memory store, a started adapter.

Import the fixtures into a test module (and list them in its `__all__`), as
tests/adapters/discord/test_fake_discord.py does with `fake_discord`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest_asyncio
from fsrs import Scheduler

from bot.adapters.discord.adapter import DiscordAdapter
from bot.adapters.discord.client import PrepBot
from bot.app import Runtime
from bot.config import Settings
from bot.domain.models import ChatKey, UserKey
from bot.grading.lexical import LexicalGrader
from bot.services import Services, build_services
from bot.storage.memory import MemoryStore
from tests.adapters.discord.fake_api import FakeDiscord, FakeUser, InteractionCallback
from tests.adapters.discord.fake_fixtures import GUILD_READY_TIMEOUT, fake_discord
from tests.factories import FakeClock, standard_bank

__all__ = ["Harness", "discord_harness", "fake_discord", "make_runtime", "start_adapter"]


def make_runtime(clock: FakeClock | None = None, **settings: Any) -> Runtime:
    """A runtime with the test bank, a memory store and a hand-moved clock."""
    values: dict[str, Any] = {"discord_bot_token": "fake-token"} | settings
    config = Settings(_env_file=None, **values)
    store = MemoryStore()
    clock = clock or FakeClock()
    bank = standard_bank()
    services = build_services(
        store, bank, clock, LexicalGrader(), default_timezone="UTC",
        scheduler=Scheduler(enable_fuzzing=False),
    )
    return Runtime(config, bank, store, clock, services)


async def start_adapter(fake: FakeDiscord, runtime: Runtime) -> DiscordAdapter:
    """Start an adapter against the fake; the fake stops it on teardown."""
    adapter = DiscordAdapter(
        runtime.settings,
        runtime.services,
        runtime.bank,
        ready_timeout=5.0,
        guild_ready_timeout=GUILD_READY_TIMEOUT,
    )
    fake.add_cleanup(adapter.stop)
    await adapter.start()
    return adapter


@dataclass
class Harness:
    """A started adapter, its runtime and the fake, with shortcuts the tests share."""

    fake: FakeDiscord
    runtime: Runtime
    adapter: DiscordAdapter

    @property
    def services(self) -> Services:
        return self.runtime.services

    @property
    def store(self) -> MemoryStore:
        assert isinstance(self.runtime.store, MemoryStore)
        return self.runtime.store

    @property
    def clock(self) -> FakeClock:
        assert isinstance(self.runtime.clock, FakeClock)
        return self.runtime.clock

    @property
    def bot(self) -> PrepBot:
        return self.adapter.bot

    def user_key(self, user: FakeUser | None = None) -> UserKey:
        return UserKey("discord", str((user or self.fake.user).id))

    def chat_key(self, channel_id: int | None = None) -> ChatKey:
        return ChatKey("discord", str(channel_id or self.fake.channel.id))

    async def slash(self, name: str, options: dict[str, Any] | None = None,
                    **kwargs: Any) -> InteractionCallback:
        """Run a slash command and return the bot's callback."""
        inter = await self.fake.slash(name, options, **kwargs)
        return await self.fake.wait_for_callback(inter)

    async def replies(self, name: str, options: dict[str, Any] | None = None,
                      *, count: int = 1, **kwargs: Any) -> list[dict[str, Any]]:
        """Run a deferred slash command and return its first `count` follow-up messages."""
        inter = await self.fake.slash(name, options, **kwargs)
        await self.fake.wait_until(lambda: len(inter.followup_ids) >= count)
        return [self.fake.messages[i] for i in inter.followup_ids]


@pytest_asyncio.fixture
async def discord_harness(fake_discord: FakeDiscord) -> AsyncIterator[Harness]:
    """The adapter started against the fake, on a fresh memory store."""
    runtime = make_runtime()
    adapter = await start_adapter(fake_discord, runtime)
    yield Harness(fake_discord, runtime, adapter)
    await adapter.stop()
