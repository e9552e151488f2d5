"""Pytest fixtures and PTB helpers for tests against :class:`FakeTelegram`.

Use from a conftest with ``from tests.adapters.telegram.fake_fixtures import fake_telegram``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import pytest_asyncio
from telegram.ext import Application, ApplicationBuilder

from tests.adapters.telegram.fake_api import FakeTelegram

#: Request timeouts (seconds) for PTB against the local fake: fail fast instead of hanging.
FAST_TIMEOUT = 3.0


@pytest_asyncio.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A started :class:`FakeTelegram` on 127.0.0.1 (``fake.base_url`` for PTB's base_url)."""
    fake = FakeTelegram()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


def application_builder(
    fake: FakeTelegram, *, timeout: float = FAST_TIMEOUT
) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """An ``ApplicationBuilder`` pointed at ``fake`` with short request timeouts.

    Add ``.rate_limiter(...)`` or handlers as needed, then ``.build()``.
    """
    return (
        Application.builder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .connect_timeout(timeout)
        .read_timeout(timeout)
        .write_timeout(timeout)
        .pool_timeout(timeout)
        .get_updates_connect_timeout(timeout)
        .get_updates_read_timeout(timeout)
        .get_updates_write_timeout(timeout)
        .get_updates_pool_timeout(timeout)
    )


@asynccontextmanager
async def running_application(
    application: Application[Any, Any, Any, Any, Any, Any],
    *,
    poll_timeout: int = 10,
    allowed_updates: Sequence[str] | None = None,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Initialize, poll (``poll_interval=0``) and start ``application``; stop it on exit.

    The long-poll ``poll_timeout`` can stay long: the fake answers as soon as an update is
    injected, and stopping cancels the pending request.
    """
    async with application:
        updater = application.updater
        if updater is None:
            raise RuntimeError("the application was built without an updater")
        await updater.start_polling(
            poll_interval=0, timeout=poll_timeout, allowed_updates=allowed_updates
        )
        try:
            await application.start()
            yield application
        finally:
            if updater.running:
                await updater.stop()
            if application.running:
                await application.stop()
