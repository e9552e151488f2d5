"""Pytest fixture and helpers that run a real discord.py client against :class:`FakeDiscord`.

Usage::

    from tests.adapters.discord.fake_fixtures import fake_discord, make_bot, start_client

    async def test_something(fake_discord: FakeDiscord) -> None:
        bot = make_bot()
        ...  # register commands / views
        await start_client(fake_discord, bot)  # login + connect + wait_until_ready
        inter = await fake_discord.slash("daily")
        cb = await fake_discord.wait_for_callback(inter)

The fixture patches ``discord.http.Route.BASE`` and ``DiscordWebSocket.DEFAULT_GATEWAY``
(read at request/connect time, so patching the class attributes is enough) and closes every
client started with :func:`start_client` before stopping the fake.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import discord
import discord.gateway
import discord.http
import pytest
import pytest_asyncio
import yarl
from discord.ext import commands

from tests.adapters.discord.fake_api import FakeDiscord

ClientT = TypeVar("ClientT", bound=discord.Client)

#: Seconds discord.py waits after the last GUILD_CREATE before firing READY (default 2.0).
GUILD_READY_TIMEOUT = 0.05


def client_options(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments for a fast, offline ``discord.Client``/``commands.Bot``."""
    options: dict[str, Any] = {
        "intents": discord.Intents.default(),
        "chunk_guilds_at_startup": False,
        "guild_ready_timeout": GUILD_READY_TIMEOUT,
    }
    options.update(overrides)
    return options


def make_bot(**overrides: Any) -> commands.Bot:
    """A ``commands.Bot`` with :func:`client_options` (prefix ``!`` unless overridden)."""
    overrides.setdefault("command_prefix", "!")
    return commands.Bot(**client_options(**overrides))


def patch_discord(monkeypatch: pytest.MonkeyPatch, fake: FakeDiscord) -> None:
    """Point discord.py's REST base and default gateway at ``fake``."""
    monkeypatch.setattr(discord.http.Route, "BASE", fake.api_base)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url)
    )


async def stop_client(client: discord.Client, task: asyncio.Task[None] | None = None) -> None:
    """Close ``client`` and wait (bounded) for its ``connect()`` task to end."""
    with contextlib.suppress(Exception):
        await asyncio.wait_for(client.close(), 5.0)
    if task is not None and not task.done():
        done, _ = await asyncio.wait({task}, timeout=5.0)
        if not done:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
    if task is not None and task.done() and not task.cancelled():
        task.exception()  # mark retrieved: a connect error after close is not interesting


async def start_client(
    fake: FakeDiscord,
    client: ClientT,
    *,
    token: str = "fake-token",
    timeout: float = 5.0,
) -> ClientT:
    """Log ``client`` in, start ``connect()`` in a task and wait until it is ready.

    The client is closed automatically when the fake shuts down (or call
    :func:`stop_client` yourself, e.g. to simulate a restart). Errors from ``connect()``
    (such as ``PrivilegedIntentsRequired``) are raised here instead of a timeout.
    """
    await client.login(token)
    task: asyncio.Task[None] = asyncio.create_task(client.connect(), name="discord-connect")

    async def cleanup() -> None:
        await stop_client(client, task)

    fake.add_cleanup(cleanup)
    ready = asyncio.ensure_future(client.wait_until_ready())
    done, _ = await asyncio.wait({ready, task}, timeout=timeout, return_when="FIRST_COMPLETED")
    if ready not in done:
        ready.cancel()
        with contextlib.suppress(BaseException):
            await ready
        if task in done:
            task.result()  # raises the connect error
            raise RuntimeError("client.connect() returned before READY")
        raise TimeoutError(f"discord client not ready within {timeout}s")
    return client


@pytest_asyncio.fixture
async def fake_discord(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """A started :class:`FakeDiscord` with discord.py redirected to it.

    Teardown closes clients started with :func:`start_client`, then the fake, and fails
    the test if the fake itself hit an internal error.
    """
    fake = await FakeDiscord().start()
    patch_discord(monkeypatch, fake)
    try:
        yield fake
    finally:
        await fake.close()
    assert not fake.errors, f"fake Discord internal errors: {fake.errors}"
