"""Fixtures for the platform end-to-end tests (fake Telegram Bot API server).

`start_telegram` starts the real Telegram adapter (python-telegram-bot) against the fake
server, on a memory (or given) store with the test bank and a hand-moved clock, and returns
a `TelegramHarness` with shortcuts: a user says something, presses a button, votes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest_asyncio
from fsrs import Scheduler

from bot.adapters.telegram.app import TelegramAdapter
from bot.app import Runtime
from bot.config import Settings
from bot.content.bank import Bank
from bot.domain.models import ChatKey, UserKey
from bot.grading.lexical import LexicalGrader
from bot.ports import InspectableStore
from bot.services import Services, build_services
from bot.storage.memory import MemoryStore
from tests.adapters.telegram.fake_api import (
    FakeTelegram,
    JSONDict,
    RecordedCall,
    StoredMessage,
    make_group,
    make_user,
)
from tests.adapters.telegram.fake_fixtures import fake_telegram
from tests.factories import FakeClock, standard_bank

__all__ = ["TelegramHarness", "fake_telegram", "start_telegram"]

ALICE = make_user(1001, "Alice", username="alice")  # the fake's default user
BOB = make_user(2002, "Bob", username="bob")
GROUP = make_group(-1001234567890, "Interview prep")


@dataclass
class TelegramHarness:
    """A started TelegramAdapter, its runtime and the fake, with shortcuts for the tests."""

    fake: FakeTelegram
    runtime: Runtime
    adapter: TelegramAdapter

    alice = ALICE
    bob = BOB
    group = GROUP

    @property
    def services(self) -> Services:
        return self.runtime.services

    @property
    def store(self) -> InspectableStore:
        # The harness builds its runtime from an InspectableStore (see make_runtime).
        return cast(InspectableStore, self.runtime.store)

    @property
    def clock(self) -> FakeClock:
        assert isinstance(self.runtime.clock, FakeClock)
        return self.runtime.clock

    @staticmethod
    def user_key(user: JSONDict) -> UserKey:
        return UserKey("telegram", str(user["id"]))

    @staticmethod
    def chat_key(chat: JSONDict | int) -> ChatKey:
        return ChatKey("telegram", str(chat if isinstance(chat, int) else chat["id"]))

    async def say(
        self,
        text: str,
        *,
        user: JSONDict | None = None,
        chat: JSONDict | None = None,
        reply_to: StoredMessage | None = None,
        expect: int = 1,
        method: str = "sendMessage",
    ) -> list[RecordedCall]:
        """A user sends `text`; waits for the bot's first `expect` calls of `method`."""
        mark = self.fake.mark()
        self.fake.send_text(text, user=user, chat=chat, reply_to=reply_to)
        return await self.fake.wait_for_calls(method, expect, since=mark)

    async def reply(self, text: str, **kwargs: Any) -> StoredMessage:
        """`say`, returning the message the bot sent."""
        calls = await self.say(text, **kwargs)
        assert calls[0].ok, calls[0].response
        return self.fake.message_for(calls[0])

    async def press(
        self,
        message: StoredMessage,
        label: str,
        *,
        user: JSONDict | None = None,
        expect: int = 1,
        method: str = "sendMessage",
    ) -> list[RecordedCall]:
        """A user presses the button labelled `label`; waits for `expect` calls of `method`."""
        mark = self.fake.mark()
        self.fake.press_button(message, text=label, user=user)
        return await self.fake.wait_for_calls(method, expect, since=mark)

    async def settle(self, chat: JSONDict | None = None, user: JSONDict | None = None) -> None:
        """Wait until every update sent so far in `chat` is handled: the bot keeps each
        chat's updates in order, so once /help there is answered, earlier ones are done."""
        await self.say("/help", chat=chat, user=user)


def make_runtime(
    token: str, base_url: str, *, bank: Bank | None = None, store: InspectableStore | None = None,
    clock: FakeClock | None = None, **settings: Any
) -> Runtime:
    config = Settings(
        _env_file=None, telegram_bot_token=token, telegram_base_url=base_url, **settings
    )
    chosen_bank = bank or standard_bank()
    chosen_store = store or MemoryStore()
    chosen_clock = clock or FakeClock()
    services = build_services(
        chosen_store, chosen_bank, chosen_clock, LexicalGrader(),
        scheduler=Scheduler(enable_fuzzing=False),
    )
    return Runtime(config, chosen_bank, chosen_store, chosen_clock, services)


def serve_settings(fake: FakeTelegram, database: Path) -> Settings:
    """Settings for `bot.app.serve` against the fake: an SQLite file, the shipped bank."""
    return Settings(
        _env_file=None,
        telegram_bot_token=fake.token,
        telegram_base_url=fake.base_url,
        database_url=f"sqlite:///{database}",
        content_dir=Path(__file__).resolve().parents[3] / "content",
    )


StartTelegram = Callable[..., Awaitable[TelegramHarness]]


@pytest_asyncio.fixture
async def start_telegram(fake_telegram: FakeTelegram) -> AsyncIterator[StartTelegram]:
    """`await start_telegram(bank=..., store=..., **settings)` -> a started harness."""
    started: list[TelegramAdapter] = []

    async def start(
        *, bank: Bank | None = None, store: InspectableStore | None = None, **settings: Any
    ) -> TelegramHarness:
        runtime = make_runtime(
            fake_telegram.token, fake_telegram.base_url, bank=bank, store=store, **settings
        )
        adapter = TelegramAdapter(
            runtime.settings, runtime.services, runtime.bank, poll_timeout=10
        )
        await adapter.start()
        started.append(adapter)
        return TelegramHarness(fake_telegram, runtime, adapter)

    yield start
    for adapter in reversed(started):
        await adapter.stop()
