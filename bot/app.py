"""Composition root: settings -> bank -> store -> grader -> services -> adapters, one loop."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.config import Settings
from bot.content.bank import Bank, load_bank
from bot.grading.factory import build_grader
from bot.ports import Clock, Store, SystemClock
from bot.services import Services, build_services
from bot.storage import open_store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Runtime:
    """Everything built once at start-up and passed to the adapters."""

    settings: Settings
    bank: Bank
    store: Store
    clock: Clock
    services: Services


@asynccontextmanager
async def bootstrap(settings: Settings, clock: Clock | None = None) -> AsyncIterator[Runtime]:
    """Build the runtime; the store is closed on exit."""
    bank = load_bank(settings.content_dir)
    store = await open_store(settings.database_url)
    clock = clock or SystemClock()
    try:
        services = build_services(
            store,
            bank,
            clock,
            grader=build_grader(settings.grader_semantic),
            default_timezone=settings.default_timezone,
            quiz_daily_points_cap=settings.quiz_daily_points_cap,
        )
        yield Runtime(settings, bank, store, clock, services)
    finally:
        await store.close()


async def practice(settings: Settings) -> int:
    """The console practice mode on the configured database."""
    from bot.adapters.console import ConsoleSession

    async with bootstrap(settings) as runtime:
        return await ConsoleSession(runtime.services, sys.stdin, sys.stdout).run()


async def serve(settings: Settings) -> int:
    """Run the configured chat platforms until stopped."""
    log.error("the Discord and Telegram adapters are not built yet; use `prepbot practice`")
    return 1


def run(settings: Settings) -> int:
    """Entry point of `prepbot run`: platforms when a token is set, else the console."""
    main = serve(settings) if settings.has_platform else practice(settings)
    try:
        return asyncio.run(main)
    except KeyboardInterrupt:
        return 130
