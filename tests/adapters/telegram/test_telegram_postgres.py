"""End to end on PostgreSQL: representative Telegram flows (commands, grading, the
leaderboard, the outbox's daily post and reveal) with the bot on a PostgresStore."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.ports import InspectableStore
from bot.storage.postgres import PostgresStore
from tests.adapters.telegram import test_telegram_commands as commands
from tests.adapters.telegram import test_telegram_outbox as outbox
from tests.adapters.telegram.conftest import StartTelegram, TelegramHarness

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(60)]

Flow = Callable[..., Awaitable[None]]
FLOWS: list[Flow] = [
    commands.test_daily_in_private_then_reply_is_graded,
    commands.test_leaderboard_and_opt_out,
    # It opens a SQLite store of its own and passes it in; the PostgreSQL one replaces it.
    outbox.test_tick_posts_the_daily_question_and_later_its_reveal,
]


@pytest_asyncio.fixture
async def postgres_store(postgres_url: str) -> AsyncIterator[InspectableStore]:
    """Requested before start_telegram, so it closes after the adapters have stopped."""
    store = await PostgresStore.open(postgres_url, max_connections=4)
    try:
        yield store
    finally:
        await store.close()


@pytest.mark.parametrize("flow", FLOWS, ids=lambda flow: flow.__name__.removeprefix("test_"))
async def test_telegram_flow_on_postgres(
    flow: Flow,
    postgres_store: InspectableStore,
    start_telegram: StartTelegram,
    tmp_path: Path,
) -> None:
    async def on_postgres(**kwargs: Any) -> TelegramHarness:
        return await start_telegram(**{**kwargs, "store": postgres_store})

    if "tmp_path" in inspect.signature(flow).parameters:
        await flow(on_postgres, tmp_path)
    else:
        await flow(on_postgres)
    # The flow really ran on PostgreSQL: the users who answered are stored there.
    people = [TelegramHarness.user_key(who) for who in (TelegramHarness.alice, TelegramHarness.bob)]
    assert await postgres_store.get_users(people)
