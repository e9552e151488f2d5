"""Composition root: settings -> bank -> store -> grader -> services -> adapters, one loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from bot.config import Settings
from bot.content.bank import Bank, load_bank
from bot.grading.factory import build_grader
from bot.ports import Clock, Messenger, Store, SystemClock
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
            grader=build_grader(settings.grader_semantic, required=False),
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


class Adapter(Protocol):
    """What the composition root needs from a chat adapter."""

    messenger: Messenger

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def build_adapters(runtime: Runtime) -> list[Adapter]:
    """One adapter per configured token; imported late so the console needs neither library."""
    adapters: list[Adapter] = []
    if runtime.settings.telegram_bot_token:
        from bot.adapters.telegram import TelegramAdapter

        adapters.append(TelegramAdapter(runtime))
    if runtime.settings.discord_bot_token:
        from bot.adapters.discord import DiscordAdapter

        adapters.append(DiscordAdapter(runtime))
    return adapters


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> int:
    """Run every configured platform, the tick and one outbox sender per platform."""
    from bot.delivery import Delivery
    from bot.scheduling import TickScheduler

    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    async with bootstrap(settings) as runtime:
        adapters = build_adapters(runtime)
        delivery = Delivery(
            runtime.store,
            runtime.services,
            runtime.clock,
            max_age=timedelta(minutes=settings.outbox_max_age_minutes),
        )
        started: list[Adapter] = []
        scheduler = TickScheduler(delivery, settings.scheduler_tick_seconds)
        senders: list[asyncio.Task[None]] = []
        try:
            for adapter in adapters:
                await adapter.start()
                started.append(adapter)
            scheduler.start()
            senders = [
                asyncio.create_task(delivery.sender(adapter.messenger).run(stop))
                for adapter in started
            ]
            log.info("prepbot is running on %s", ", ".join(a.messenger.platform for a in started))
            await stop.wait()
        finally:
            stop.set()
            scheduler.shutdown()
            await asyncio.gather(*senders, return_exceptions=True)
            for adapter in reversed(started):
                try:
                    await adapter.stop()
                except Exception:
                    log.exception("stopping %s failed", adapter.messenger.platform)
    return 0


def run(settings: Settings) -> int:
    """Entry point of `prepbot run`: platforms when a token is set, else the console."""
    main = serve(settings) if settings.has_platform else practice(settings)
    try:
        return asyncio.run(main)
    except KeyboardInterrupt:
        return 130
