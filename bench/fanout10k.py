"""`python -m bench fanout_10k`: 10,000 chats due in the same minute, against fakes that
enforce the platforms' limits, with answers arriving meanwhile.

This process runs the bot: the real adapter (python-telegram-bot / discord.py) on an SQLite
store, the tick and the outbox sender. Each fake platform (tests/adapters/ratelimits.py
rules) and the Telegram answer driver run in a child process (`bench.fanout_platform`),
so the figures below are the bot's own, not the fakes'. FANOUT_CHATS (or
`python -m bench.fanout10k N`) scales N down for a quick run; the figure names keep `_10k`
and a `.chats` figure says what was run. Figures:

- `fanout_<platform>_10k.ratio`: first to last post over the ideal N / limit seconds;
- `.peak_1s`: the most sends the fake accepted within any one second;
- `.rate_limited`: 429s the fake answered; `.lost` and `.duplicates`: chats with no post,
  posts beyond one per chat;
- `fanout.loop_lag_p99_ms`: the bot's event-loop lag (a 10 ms sleeper's overshoot) during
  fan-out;
- `fanout.answer_p99_ms`: a group member's answer to a posted question until the bot's
  reply reaches the platform, during the fan-out (Telegram; on the fake's clock);
- `memory.fanout_peak_rss_mb`: this process's (the bot's) peak RSS after both runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import ROOT, emit
from bench.fanout_platform import p99, telegram_chats
from bot.delivery import Delivery, OutboxSender
from bot.domain.models import ChatKey
from bot.grading.lexical import LexicalGrader
from bot.heap import freeze_startup
from bot.ports import Messenger, RateBudget
from bot.services import Services, build_services
from bot.storage.sqlite import SqliteStore
from tests.factories import FakeClock, bank, open_deck

CHATS = 10_000
NINE = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
#: Bytes one line from the fake may take (the Discord one lists every channel id).
LINE_LIMIT = 1 << 24


async def drain_all(sender: OutboxSender, clock: FakeClock, store: SqliteStore) -> None:
    """Drain until no row is left pending, moving the clock with real time (a 429's pause
    is kept on the sender's clock)."""
    began = time.monotonic()
    while True:
        await sender.drain()
        clock.set(NINE + timedelta(seconds=time.monotonic() - began))
        if not (await store.outbox_health()).pending:
            return
        await asyncio.sleep(0.1)


def chats_wanted() -> int:
    if len(sys.argv) > 2 and sys.argv[-1].isdigit():
        return int(sys.argv[-1])
    return int(os.environ.get("FANOUT_CHATS", CHATS))


class LagProbe:
    """Overshoot of a 10 ms sleeper, sampled for the probe's lifetime."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.01)
            self.samples.append(max(0.0, (time.perf_counter() - started - 0.01) * 1000))

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class FakePlatform:
    """A fake platform in a child process (`bench.fanout_platform`), over JSON lines."""

    def __init__(self, process: asyncio.subprocess.Process, ready: dict[str, Any]) -> None:
        self.process = process
        self.ready = ready

    @classmethod
    @contextlib.asynccontextmanager
    async def run(cls, platform: str, chats: int) -> AsyncIterator[FakePlatform]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.fanout_platform", platform, str(chats),
            cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            limit=LINE_LIMIT,
        )
        try:
            fake = cls(process, {})
            fake.ready = await fake._expect("ready")
            yield fake
        finally:
            if process.stdin is not None:
                process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()

    async def _expect(self, event: str) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the fake platform ended before {event!r}")
        message: dict[str, Any] = json.loads(line)
        if message.get("event") != event:
            raise RuntimeError(f"the fake platform said {message!r}, not {event!r}")
        return message

    async def command(self, cmd: str, answer: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"cmd": cmd}).encode() + b"\n")
        await self.process.stdin.drain()
        return await self._expect(answer)

    async def start(self) -> None:
        """The fan-out begins: the fake counts from here (and, on Telegram, answers)."""
        await self.command("start", "started")

    async def figures(self) -> None:
        """The fake's figures for the fan-out, emitted as this process's."""
        for name, value, unit in (await self.command("finish", "figures"))["figures"]:
            emit(name, value, unit)


async def subscribe(services: Services, clock: FakeClock, chats: list[ChatKey]) -> None:
    clock.set(NINE - timedelta(minutes=1))
    for start in range(0, len(chats), 100):
        await asyncio.gather(
            *(services.schedules.subscribe(c, "09:00", "UTC") for c in chats[start : start + 100])
        )
    clock.set(NINE)


@contextlib.asynccontextmanager
async def sqlite_services(work: Path) -> AsyncIterator[tuple[SqliteStore, Services, FakeClock]]:
    store = await SqliteStore.open(work / "fanout.db")
    clock = FakeClock(NINE)
    services = build_services(store, bank(open_deck("dl", 20)), clock, LexicalGrader())
    try:
        yield store, services, clock
    finally:
        await store.close()


async def fan_out(
    fake: FakePlatform,
    messenger: Messenger,
    rate: RateBudget,
    keys: list[ChatKey],
    setup: tuple[SqliteStore, Services, FakeClock],
) -> list[float]:
    """Freeze the start-up heap (as `prepbot run` does once its adapters are up), make
    every chat due, tick, and drain the outbox while the fake counts; returns the
    loop-lag samples taken."""
    store, services, clock = setup
    freeze_startup()
    await subscribe(services, clock, keys)
    delivery = Delivery(store, services, clock)
    await delivery.tick()
    sender = delivery.sender(messenger, rate)
    probe = LagProbe()
    probe.start()
    await fake.start()
    try:
        await drain_all(sender, clock, store)
    finally:
        await probe.stop()
    await fake.figures()
    return probe.samples


async def fanout_telegram(chats: int, work: Path) -> list[float]:
    """Returns the loop-lag samples taken during the fan-out."""
    from bot.adapters.telegram.app import TelegramAdapter
    from bot.adapters.telegram.spec import SPEC
    from bot.config import Settings

    async with (
        FakePlatform.run("telegram", chats) as fake,
        sqlite_services(work) as (store, services, clock),
    ):
        settings = Settings(
            _env_file=None,
            telegram_bot_token=fake.ready["token"],
            telegram_base_url=fake.ready["base_url"],
        )
        adapter = TelegramAdapter(settings, services, bank(open_deck("dl", 20)))
        await adapter.start()
        try:
            keys = [ChatKey("telegram", str(chat)) for chat in telegram_chats(chats)]
            return await fan_out(
                fake, adapter.messenger, SPEC.rate, keys, (store, services, clock)
            )
        finally:
            await adapter.stop()


async def fanout_discord(chats: int, work: Path) -> list[float]:
    """Returns the loop-lag samples taken during the fan-out."""
    import discord
    import yarl

    from bot.adapters.discord.adapter import DiscordAdapter
    from bot.adapters.discord.spec import SPEC
    from bot.config import Settings

    async with FakePlatform.run("discord", chats) as fake:
        old_base = discord.http.Route.BASE
        old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = fake.ready["api_base"]
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.ready["gateway_url"])
        try:
            async with sqlite_services(work) as (store, services, clock):
                settings = Settings(_env_file=None, discord_bot_token="fake-token")
                adapter = DiscordAdapter(settings, services, bank(open_deck("dl", 20)),
                                         ready_timeout=60.0, guild_ready_timeout=0.05)
                await adapter.start()
                try:
                    keys = [ChatKey("discord", str(ch)) for ch in fake.ready["channels"]]
                    return await fan_out(
                        fake, adapter.messenger, SPEC.rate, keys, (store, services, clock)
                    )
                finally:
                    await adapter.stop()
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


async def bench_fanout_10k(chats: int | None = None) -> None:
    chats = chats or chats_wanted()
    lags: list[float] = []
    with tempfile.TemporaryDirectory(prefix="prepbot-fanout10k-") as work:
        tg = Path(work, "telegram")
        tg.mkdir()
        lags += await fanout_telegram(chats, tg)
        dc = Path(work, "discord")
        dc.mkdir()
        lags += await fanout_discord(chats, dc)
    emit("fanout.loop_lag_p99_ms", p99(lags), "ms")
    # RUSAGE_SELF: the bot's process only; the fakes ran in children.
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    emit("memory.fanout_peak_rss_mb", rss, "MB")


if __name__ == "__main__":
    asyncio.run(bench_fanout_10k(int(sys.argv[1]) if len(sys.argv) > 1 else None))
    emit("bench.done", 1, "flag")
