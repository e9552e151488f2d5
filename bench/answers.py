"""answer_path: 10,000 free-text answers through the services on SQLite, default grader."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from bench.common import CONTENT, emit
from bot.content.bank import load_bank
from bot.domain.models import ChatKey, UserKey
from bot.services import build_services
from bot.storage.sqlite import SqliteStore

ANSWERS = 10_000
CHATS = 100
CONCURRENCY = 32
STEADY_RATE = 500  # answers per second for the latency run
STEADY_ANSWERS = 2_500


class _Clock:
    def now(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0)


def _answer_text(n: int) -> str:
    # Realistic length and vocabulary: a couple of sentences of deep-learning prose.
    return (
        f"The gradient is propagated back through the layers with the chain rule, and a "
        f"learning rate of 0.{n % 9 + 1} scales each update; regularization such as dropout "
        f"or weight decay keeps the model from overfitting the training data."
    )


async def raw_inserts(path: Path, count: int = 2_000) -> float:
    """Single-row aiosqlite inserts, each in its own committed transaction."""
    async with aiosqlite.connect(path) as db:
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=NORMAL")
        await db.execute("CREATE TABLE raw (id INTEGER PRIMARY KEY, user TEXT, v REAL)")
        start = time.perf_counter()
        for n in range(count):
            await db.execute("INSERT INTO raw (user, v) VALUES (?, ?)", (str(n), n / 3))
            await db.commit()
        return count / (time.perf_counter() - start)


async def bench_answers() -> None:
    bank = load_bank(CONTENT)
    with tempfile.TemporaryDirectory() as tmp:
        raw_per_s = await raw_inserts(Path(tmp) / "raw.db")
        store = await SqliteStore.open(Path(tmp) / "answers.db")
        try:
            services = build_services(store, bank, _Clock())
            chats = [ChatKey("telegram", f"-{n}") for n in range(CHATS)]
            for chat in chats:
                await services.daily.today(chat)
            per_chat = ANSWERS // CHATS
            jobs = [
                (UserKey("telegram", str(u)), chats[c], _answer_text(u))
                for c in range(CHATS)
                for u in range(per_chat)
            ]
            queue: asyncio.Queue[tuple[UserKey, ChatKey, str]] = asyncio.Queue()
            for job in jobs:
                queue.put_nowait(job)

            async def worker() -> None:
                while not queue.empty():
                    user, chat, text = queue.get_nowait()
                    await services.answers.answer(user, chat, text)

            start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
            per_s = len(jobs) / (time.perf_counter() - start)

            # Latency at a steady, sustainable rate (open loop: one answer every 2 ms).
            latencies: list[float] = []
            steady_chat = ChatKey("telegram", "steady")
            await services.daily.today(steady_chat)

            async def one(n: int) -> None:
                begin = time.perf_counter()
                await services.answers.answer(
                    UserKey("discord", str(n)), steady_chat, _answer_text(n)
                )
                latencies.append((time.perf_counter() - begin) * 1000)

            tasks = []
            t0 = time.perf_counter()
            for n in range(STEADY_ANSWERS):
                target = t0 + n / STEADY_RATE
                delay = target - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(one(n)))
            await asyncio.gather(*tasks)
        finally:
            await store.close()
    latencies.sort()
    emit("answer_path.per_s", per_s, "answers/s")
    emit("answer_path.p50_ms", statistics.median(latencies), "ms")
    emit("answer_path.p99_ms", latencies[int(len(latencies) * 0.99) - 1], "ms")
    emit("answer_path.raw_insert_per_s", raw_per_s, "inserts/s")
    emit("answer_path.ratio", per_s / raw_per_s, "ratio")
