"""`python -m bench fanout_10k`: 10,000 chats due in the same minute, against fakes that
enforce the platforms' limits, with answers arriving meanwhile.

In one process: the fake platform (tests/adapters/ratelimits.py rules), the real adapter
(python-telegram-bot / discord.py) on an SQLite store, the tick and the outbox sender.
FANOUT_CHATS (or `python -m bench.fanout10k N`) scales N down for a quick run; the figure
names keep `_10k` and a `.chats` figure says what was run. Figures:

- `fanout_<platform>_10k.ratio`: first to last post over the ideal N / limit seconds;
- `.peak_1s`: the most sends the fake accepted within any one second;
- `.rate_limited`: 429s the fake answered; `.lost` and `.duplicates`: chats with no post,
  posts beyond one per chat;
- `fanout.loop_lag_p99_ms`: event-loop lag (a 10 ms sleeper's overshoot) during fan-out;
- `fanout.answer_p99_ms`: a group member's answer to a posted question until the bot's
  reply reaches the platform, during the fan-out (Telegram);
- `memory.fanout_peak_rss_mb`: the process's peak RSS after both runs (the fake included).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import emit
from bot.delivery import Delivery, OutboxSender
from bot.domain.models import ChatKey, OutboxStatus
from bot.grading.lexical import LexicalGrader
from bot.services import Services, build_services
from bot.storage.sqlite import SqliteStore
from tests.adapters.ratelimits import discord_rules, telegram_rules
from tests.adapters.telegram.fake_api import FakeTelegram, RecordedCall, make_user
from tests.factories import GOOD, FakeClock, bank, open_deck

CHATS = 10_000
NINE = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
#: Answers sent per second during the Telegram fan-out.
ANSWERS_PER_SECOND = 1.0


async def drain_all(sender: OutboxSender, clock: FakeClock, store: SqliteStore) -> None:
    """Drain until no row is left pending, moving the clock with real time (a 429's pause
    is kept on the sender's clock)."""
    began = time.monotonic()
    while True:
        await sender.drain()
        clock.set(NINE + timedelta(seconds=time.monotonic() - began))
        rows = await store.outbox_rows(sender.platform)
        if not any(row.status is OutboxStatus.PENDING for row in rows):
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


def p99(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100)[98]


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


async def fanout_telegram(chats: int, work: Path) -> list[float]:
    """Returns the loop-lag samples taken during the fan-out."""
    from bot.adapters.telegram.app import TelegramAdapter
    from bot.adapters.telegram.spec import SPEC
    from bot.config import Settings
    rules = telegram_rules()
    fake = FakeTelegram(limits=rules)
    await fake.start()
    try:
        async with sqlite_services(work) as (store, services, clock):
            settings = Settings(
                _env_file=None, telegram_bot_token=fake.token, telegram_base_url=fake.base_url
            )
            adapter = TelegramAdapter(settings, services, bank(open_deck("dl", 20)))
            await adapter.start()
            try:
                keys = [ChatKey("telegram", str(-1_000_000_000_000 - n)) for n in range(chats)]
                await subscribe(services, clock, keys)
                delivery = Delivery(store, services, clock)
                await delivery.tick()
                sender = delivery.sender(adapter.messenger, SPEC.rate)
                probe = LagProbe()
                probe.start()
                mark = fake.mark()
                stop = asyncio.Event()
                answers: list[float] = []
                answering = asyncio.create_task(_answer_telegram(fake, mark, stop, answers))
                await drain_all(sender, clock, store)
                stop.set()
                await answering
                await probe.stop()
                posts = [
                    c for c in fake.calls[mark:]
                    if c.method.lower() in ("sendmessage", "sendpoll") and c.status == 200
                    and int(c.params["chat_id"]) <= -1_000_000_000_000
                    and c.params.get("reply_markup") and not c.params.get("reply_parameters")
                ]
                times = [(c.started, c.finished or c.started) for c in posts]
                _report("fanout_telegram_10k", chats, 30, posts_chats(posts), times,
                        rules.peak(1.0), fake.rate_limited)
                emit("fanout.answer_p99_ms", p99(answers), "ms")
                emit("fanout.answers", len(answers), "answers")
                return probe.samples
            finally:
                await adapter.stop()
    finally:
        await fake.close()


def posts_chats(posts: list[RecordedCall]) -> Counter[int]:
    return Counter(int(c.params["chat_id"]) for c in posts)


async def _answer_telegram(
    fake: FakeTelegram, mark: int, stop: asyncio.Event, latencies: list[float]
) -> None:
    """A member of each of a few groups whose post is out answers it by replying; the
    latency runs from the update's arrival to the bot's reply at the fake."""
    answered: set[int] = set()
    n = 0
    while not stop.is_set():
        await asyncio.sleep(1 / ANSWERS_PER_SECOND)
        posted = [
            c for c in fake.calls[mark:]
            if c.method.lower() == "sendmessage" and c.status == 200
            and c.params.get("reply_markup") and int(c.params["chat_id"]) not in answered
        ]
        if not posted:
            continue
        call = posted[len(posted) // 2]
        message = fake.message_for(call)
        answered.add(message.chat_id)
        n += 1
        user = make_user(5_000_000 + n, f"Learner{n}")
        chat = {"id": message.chat_id, "type": "supergroup", "title": "group"}
        since = fake.mark()
        started = time.perf_counter()
        fake.send_text(GOOD, user=user, chat=chat, reply_to=message)
        with contextlib.suppress(Exception):
            reply = await fake.wait_for_call("sendMessage", since=since, timeout=10)
            while int(reply.params["chat_id"]) != message.chat_id:
                since = fake.calls.index(reply) + 1
                reply = await fake.wait_for_call("sendMessage", since=since, timeout=10)
            latencies.append((reply.started - started) * 1000)


async def fanout_discord(chats: int, work: Path) -> list[float]:
    import discord
    import yarl

    from bot.adapters.discord.adapter import DiscordAdapter
    from bot.adapters.discord.spec import SPEC
    from bot.config import Settings
    from tests.adapters.discord.fake_api import FakeDiscord

    rules = discord_rules()
    fake = FakeDiscord(limits=rules)
    guild = fake.add_guild("fanout", channels=[f"c{n}" for n in range(chats)])
    await fake.start()
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        async with sqlite_services(work) as (store, services, clock):
            settings = Settings(_env_file=None, discord_bot_token="fake-token")
            adapter = DiscordAdapter(settings, services, bank(open_deck("dl", 20)),
                                     ready_timeout=60.0, guild_ready_timeout=0.05)
            await adapter.start()
            try:
                keys = [ChatKey("discord", str(ch.id)) for ch in guild.channels]
                await subscribe(services, clock, keys)
                delivery = Delivery(store, services, clock)
                await delivery.tick()
                sender = delivery.sender(adapter.messenger, SPEC.rate)
                probe = LagProbe()
                probe.start()
                started_at = time.monotonic()
                await drain_all(sender, clock, store)
                await probe.stop()
                wanted = {ch.id for ch in guild.channels}
                posts = [
                    r for r in fake.requests
                    if r.method == "POST" and r.status == 200 and r.time >= started_at
                    and _channel_of(r.path) in wanted and r.path.endswith("/messages")
                ]
                per_chat = Counter(_channel_of(r.path) for r in posts)
                _report("fanout_discord_10k", chats, 50, per_chat,
                        [(r.time, r.time) for r in posts], rules.peak(1.0), fake.rate_limited)
                return probe.samples
            finally:
                await adapter.stop()
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
        await fake.close()


def _channel_of(path: str) -> int:
    parts = path.strip("/").split("/")
    return int(parts[1]) if len(parts) >= 3 and parts[0] == "channels" else 0


def _report(
    prefix: str,
    chats: int,
    limit: int,
    per_chat: Counter[int],
    times: list[tuple[float, float]],
    peak: int,
    limited: int,
) -> None:
    """`times`: (request start, answer) of every accepted post."""
    span = (max(end for _, end in times) - min(start for start, _ in times)) if times else 0.0
    emit(f"{prefix}.chats", chats, "chats")
    emit(f"{prefix}.ratio", span / (chats / limit), "x")
    emit(f"{prefix}.peak_1s", peak, "sends")
    emit(f"{prefix}.rate_limited", limited, "429s")
    emit(f"{prefix}.lost", chats - len(per_chat), "chats")
    emit(f"{prefix}.duplicates", sum(n - 1 for n in per_chat.values() if n > 1), "posts")


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
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    emit("memory.fanout_peak_rss_mb", rss, "MB")


if __name__ == "__main__":
    asyncio.run(bench_fanout_10k(int(sys.argv[1]) if len(sys.argv) > 1 else None))
    emit("bench.done", 1, "flag")
