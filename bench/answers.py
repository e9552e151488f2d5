"""answer_path: 10,000 free-text answers through the services, default grader (SQLite here;
PostgreSQL in bench.postgres)."""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from bench.common import CONTENT, emit
from bot.content.bank import load_bank
from bot.domain.models import ChatKey, UserKey
from bot.grading.lexical import LexicalGrader
from bot.ports import Store
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


SENTENCES = (
    "The gradient is propagated back through the layers with the chain rule.",
    "A learning rate that is too large makes the loss oscillate or diverge.",
    "Dropout zeroes random activations during training and scales the kept ones up.",
    "Batch normalization standardizes each feature over the mini-batch.",
    "Weight decay adds an L2 penalty so large weights cost more.",
    "Residual connections let the gradient skip layers, which eases very deep training.",
    "Attention weights are a softmax over scaled dot products of queries and keys.",
    "An LSTM gates its cell state so information can persist across many steps.",
    "Convolutions share weights across positions, which cuts the parameter count.",
    "Early stopping halts training when the validation loss stops improving.",
    "Vanishing gradients shrink exponentially through saturating activations like sigmoid.",
    "Adam keeps running averages of the gradient and its square for each weight.",
    "Overfitting shows as low training error but high validation error.",
    "Data augmentation adds flipped, cropped or noisy copies of the inputs.",
    "Cross-entropy compares the predicted distribution with the one-hot label.",
    "ReLU is cheap to compute and does not saturate for positive inputs.",
    "Pooling downsamples feature maps and adds a little translation invariance.",
    "Transfer learning starts from weights pretrained on a large dataset.",
    "Layer normalization normalizes across the features of one example.",
    "The encoder maps the input to a representation the decoder reads from.",
)


def _answer_text(n: int) -> str:
    # Every answer differs (as real ones do, so no cache sees a repeat), built from a
    # couple of sentences of deep-learning prose with a number that varies.
    rng = random.Random(n)
    chosen = rng.sample(SENTENCES, 3)
    return f"{chosen[0]} {chosen[1]} With a rate of {rng.random():.4f}, {chosen[2].lower()}"


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
    with tempfile.TemporaryDirectory() as tmp:
        raw_per_s = await raw_inserts(Path(tmp) / "raw.db")
        store = await SqliteStore.open(Path(tmp) / "answers.db")
        try:
            per_s, latencies, _ = await answer_path(store)
        finally:
            await store.close()
    emit_answer_path("answer_path", per_s, latencies)
    emit("answer_path.raw_insert_per_s", raw_per_s, "inserts/s")
    emit("answer_path.ratio", per_s / raw_per_s, "ratio")


def emit_answer_path(prefix: str, per_s: float, latencies: list[float]) -> None:
    latencies.sort()
    emit(f"{prefix}.per_s", per_s, "answers/s")
    emit(f"{prefix}.p50_ms", statistics.median(latencies), "ms")
    emit(f"{prefix}.p99_ms", latencies[int(len(latencies) * 0.99) - 1], "ms")


async def answer_path(
    store: Store, *, sustainable: bool = False
) -> tuple[float, list[float], float]:
    """Answers per second with 32 concurrent users, latencies (ms) at a steady rate, and
    that rate: STEADY_RATE, or with `sustainable` at most half the measured throughput
    (an open loop faster than the store only measures its queue)."""
    services = build_services(store, load_bank(CONTENT), _Clock(), LexicalGrader())
    chats = [ChatKey("telegram", f"-{n}") for n in range(CHATS)]
    for chat in chats:
        await services.daily.today(chat)
    per_chat = ANSWERS // CHATS
    jobs = [
        (UserKey("telegram", str(u)), chats[c], _answer_text(c * per_chat + u))
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

    # Latency at a steady, sustainable rate (open loop: one answer every 1/rate seconds).
    latencies: list[float] = []
    steady_chat = ChatKey("telegram", "steady")
    await services.daily.today(steady_chat)

    async def one(n: int) -> None:
        begin = time.perf_counter()
        await services.answers.answer(
            UserKey("discord", str(n)), steady_chat, _answer_text(ANSWERS + n)
        )
        latencies.append((time.perf_counter() - begin) * 1000)

    tasks = []
    t0 = time.perf_counter()
    rate = min(STEADY_RATE, per_s / 2) if sustainable else STEADY_RATE
    for n in range(min(STEADY_ANSWERS, int(rate * 10))):
        target = t0 + n / rate
        delay = target - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(n)))
    await asyncio.gather(*tasks)
    return per_s, latencies, rate
