"""Composition root: settings -> bank -> store -> grader -> services -> adapters, one loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from bot.adapters.discord import SPEC as DISCORD
from bot.adapters.spec import PlatformSpec
from bot.adapters.telegram import SPEC as TELEGRAM
from bot.config import Settings
from bot.content.bank import Bank, load_bank
from bot.errors import AdapterStartError, ConfigError
from bot.grading.factory import build_grader
from bot.grading.llm_config import llm_config
from bot.ports import Adapter, Clock, Grader, Store, SystemClock
from bot.services import Services, build_services
from bot.services.decks import DeckLimits
from bot.storage import is_in_memory, open_store, sqlite_path

log = logging.getLogger(__name__)

#: Every chat platform prepbot knows. A new platform is a folder under bot/adapters with a
#: `spec.py`, added here (and its settings in bot/config.py).
PLATFORMS: tuple[PlatformSpec, ...] = (TELEGRAM, DISCORD)


def enabled_platforms(settings: Settings) -> list[PlatformSpec]:
    """The platforms whose token is configured."""
    return [spec for spec in PLATFORMS if spec.enabled(settings)]


def secrets(settings: Settings) -> list[str]:
    """Every configured secret value: each platform's secret settings, the DB password."""
    names = [name for spec in PLATFORMS for name in spec.secret_settings]
    return settings.secrets([*names, "grader_llm_api_key"])


def noisy_loggers() -> list[str]:
    """The platforms' chatty library loggers, kept at WARNING unless debugging."""
    return [name for spec in PLATFORMS for name in spec.noisy_loggers]


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
    grader: Grader | None = None
    try:
        grader = build_grader(
            settings.grader_semantic,
            required=False,
            corpus=bank.items.values(),
            llm=llm_config(settings),
            cache=store,
            clock=clock,
        )
        services = build_services(
            store,
            bank,
            clock,
            grader=grader,
            default_timezone=settings.default_timezone,
            quiz_daily_points_cap=settings.quiz_daily_points_cap,
            deck_limits=DeckLimits(
                settings.deck_max_bytes, settings.deck_max_items, settings.decks_per_chat
            ),
        )
        await services.decks.load()  # first: a resumed round may ask from an uploaded deck
        await services.interviews.resume_all()  # a restart: running rounds count from now
        yield Runtime(settings, bank, store, clock, services)
    finally:
        close = getattr(grader, "aclose", None)
        if close is not None:  # the LLM stage's HTTP client
            await close()
        await store.close()


async def practice(settings: Settings) -> int:
    """The console practice mode on the configured database."""
    from bot.adapters.console import ConsoleSession
    from bot.adapters.console.logfile import console_logging

    console_logging(_database_file(settings.database_url))  # the screen holds the session
    async with bootstrap(settings) as runtime:
        session = ConsoleSession(
            runtime.services,
            sys.stdin,
            sys.stdout,
            # In memory the answers end with the session; it then says so, never "saved".
            keeps_answers=not is_in_memory(settings.database_url),
        )
        return await session.run()


def build_adapters(runtime: Runtime) -> list[tuple[PlatformSpec, Adapter]]:
    """One adapter per configured platform (each spec imports its library late, so the
    console needs none)."""
    return [
        (spec, spec.build(runtime.settings, runtime.services, runtime.bank))
        for spec in enabled_platforms(runtime.settings)
    ]


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> int:
    """Run every configured platform, the tick and one outbox sender per platform."""
    from bot.delivery import Delivery
    from bot.delivery.share import BudgetShare
    from bot.heap import freeze_startup
    from bot.scheduling import TickScheduler
    from bot.services.leases import this_process
    from bot.status import StatusWriter
    from bot.watchdog import Watchdog

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
            lease=timedelta(seconds=settings.outbox_lease_seconds),
        )
        started: list[tuple[PlatformSpec, Adapter]] = []
        scheduler = TickScheduler(delivery, settings.scheduler_tick_seconds)
        senders: list[asyncio.Task[None]] = []
        watchdog = Watchdog()
        watchdog.start()
        try:
            for spec, adapter in adapters:
                await start_adapter(spec, adapter, settings)
                started.append((spec, adapter))
            freeze_startup()  # before the first tick: the long-lived part of the heap is built
            scheduler.start()
            outboxes = [
                delivery.sender(adapter.messenger, spec.rate, settings.outbox_sends_in_flight)
                for spec, adapter in started
            ]
            # Processes sending for the same bot split its budget (see bot.delivery.share);
            # this process knows its share before its first send.
            holder = this_process()
            shares = [
                BudgetShare(runtime.services.leases, outbox.rate, outbox.platform, holder)
                for outbox in outboxes
            ]
            for share in shares:
                await share.renew()
            senders = [asyncio.create_task(outbox.run(stop)) for outbox in outboxes]
            senders += [asyncio.create_task(share.run(stop)) for share in shares]
            status = StatusWriter(settings.status_file, outboxes, scheduler, watchdog)
            senders.append(asyncio.create_task(status.run(stop)))
            log.info("prepbot is running on %s", ", ".join(spec.name for spec, _ in started))
            await stop.wait()
        finally:
            stop.set()
            scheduler.shutdown()
            await asyncio.gather(*senders, return_exceptions=True)
            await watchdog.stop()
            for spec, adapter in reversed(started):
                try:
                    await adapter.stop()
                except Exception:
                    log.exception("stopping %s failed", spec.name)
    return 0


async def start_adapter(spec: PlatformSpec, adapter: Adapter, settings: Settings) -> None:
    """Start one adapter; any failure becomes one AdapterStartError line, no secret in it."""
    platform = spec.name
    try:
        await adapter.start()
    except Exception as exc:
        # The traceback is for debugging only (secrets are scrubbed from it, see logsetup).
        log.debug("%s failed to start", platform, exc_info=True)
        with contextlib.suppress(Exception):
            await adapter.stop()  # close the HTTP sessions a half-started client opened
        message = redact(describe_start_failure(spec, exc, settings), settings)
        # `from None`: the chained error may quote the token (PTB's InvalidToken does).
        raise AdapterStartError(f"{platform} could not start: {message}") from None


def describe_start_failure(spec: PlatformSpec, exc: BaseException, settings: Settings) -> str:
    """The cause of a start-up failure in a few words a bot operator can act on."""
    chain = _exception_chain(exc)
    names = {type(e).__name__ for e in chain}
    host = spec.api_host(settings)
    token = spec.token_name
    for error in chain:
        if isinstance(error, ConfigError):
            return str(error)
    if names & {"InvalidToken", "LoginFailure", "Unauthorized"}:
        return f"{token} was rejected by {host}; check the token"
    if any(isinstance(e, socket.gaierror) for e in chain) or "ClientConnectorDNSError" in names:
        return f"cannot resolve {host} (DNS lookup failed); check the network and the URL"
    if any(isinstance(e, TimeoutError) for e in chain) or names & {"TimedOut", "ConnectTimeout"}:
        return f"{host} did not answer in time"
    if any(isinstance(e, ConnectionError) for e in chain) or names & {
        "NetworkError",
        "ConnectError",
        "ClientConnectorError",
        "ClientOSError",
    }:
        detail = _innermost_text(chain)
        return f"cannot reach {host}" + (f": {detail}" if detail else "")
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}" + (f": {detail}" if detail else "")


def _exception_chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _innermost_text(chain: list[BaseException]) -> str:
    for error in reversed(chain):
        text = str(error).strip()
        if text:
            return text.splitlines()[0]
    return ""


def redact(text: str, settings: Settings) -> str:
    """`text` with every configured secret replaced."""
    for secret in secrets(settings):
        text = text.replace(secret, "[redacted]")
    return text


def _database_file(database_url: str) -> str | None:
    """The SQLite file of `database_url`; None for other stores or a malformed URL (the
    store reports that when it opens)."""
    if not database_url.startswith("sqlite:"):
        return None
    try:
        return sqlite_path(database_url) or None
    except ConfigError:
        return None


def run(settings: Settings) -> int:
    """Entry point of `prepbot run`: platforms when a token is set, else the console."""
    main = serve(settings) if enabled_platforms(settings) else practice(settings)
    try:
        return asyncio.run(main)
    except KeyboardInterrupt:
        return 130
