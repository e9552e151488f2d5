"""`python -m bench faults`: kill -9 at random points of a fan-out, then a restart.

Each trial: a fresh SQLite database with FAULT_CHATS group chats due now, a fake Telegram
enforcing its limits, a real `prepbot run` (webhook mode, a 5 s outbox lease) SIGKILLed
once a random share of the posts is out, a second `prepbot run` that finishes the fan-out,
then SIGTERM, timed. FAULT_TRIALS sets the number of trials (default 100). Figures:
`faults.kill9_trials`, `faults.lost` (chats without their post, summed), `faults.duplicates`
(posts beyond one per chat, summed; at most one per kill is allowed: the send in flight),
`faults.max_duplicates_per_kill`, `faults.sigterm_max_s` (SIGTERM to exit, slowest).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import ROOT, emit
from bot.domain.models import ChatKey
from bot.grading.lexical import LexicalGrader
from bot.services import build_services
from bot.storage.sqlite import SqliteStore
from devtools import pgserver
from tests.adapters.ratelimits import telegram_rules
from tests.adapters.telegram.fake_api import FakeTelegram
from tests.factories import FakeClock, standard_bank

TOKEN = "987654321:" + "K" * 35
RUNNING = "prepbot is running on"
FIRST_CHAT = -1_000_000_000_000


async def subscribe(db: Path, chats: int) -> None:
    """`chats` groups subscribed a minute ago for this minute: all due now."""
    due = datetime.now(UTC).replace(second=0, microsecond=0)
    store = await SqliteStore.open(db)
    try:
        services = build_services(
            store, standard_bank(), FakeClock(due - timedelta(minutes=1)), LexicalGrader()
        )
        for n in range(chats):
            chat = ChatKey("telegram", str(FIRST_CHAT - n))
            await services.schedules.subscribe(chat, f"{due:%H:%M}", "UTC", reveal_delay=12)
    finally:
        await store.close()


def env_for(db: Path, fake: FakeTelegram) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{db}",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=fake.base_url,
        TELEGRAM_WEBHOOK_URL="https://faults.invalid/telegram",
        TELEGRAM_WEBHOOK_LISTEN="127.0.0.1",
        TELEGRAM_WEBHOOK_PORT=str(pgserver.free_port()),
        SCHEDULER_TICK_SECONDS="1",
        OUTBOX_LEASE_SECONDS="5",
        LOG_LEVEL="INFO",
        PYTHONPATH=str(ROOT),
    )
    return env


async def start_bot(work: Path, db: Path, fake: FakeTelegram, name: str
                    ) -> asyncio.subprocess.Process:
    log = work / f"{name}.log"
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=work, env=env_for(db, fake),
            stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=asyncio.subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while RUNNING not in log.read_text(errors="replace"):
        if proc.returncode is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start:\n{log.read_text()[-2000:]}")
        await asyncio.sleep(0.05)
    return proc


def posted(fake: FakeTelegram) -> Counter[int]:
    return Counter(
        int(c.params["chat_id"])
        for c in fake.calls
        if c.method.lower() in ("sendmessage", "sendpoll") and c.status == 200
        and c.params.get("reply_markup")
    )


async def trial(work: Path, chats: int, rng: random.Random) -> tuple[int, int, float]:
    """(lost, duplicates, SIGTERM seconds) of one kill -9 and restart."""
    db = work / "bot.db"
    fake = FakeTelegram(TOKEN, limits=telegram_rules())
    await fake.start()
    procs: list[asyncio.subprocess.Process] = []
    try:
        await subscribe(db, chats)
        first = await start_bot(work, db, fake, "first")
        procs.append(first)
        kill_after = rng.randint(0, chats - 1)
        deadline = time.monotonic() + 60
        while len(posted(fake)) < kill_after and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        await asyncio.sleep(rng.uniform(0, 0.05))  # anywhere between two posts
        first.kill()
        await first.wait()
        second = await start_bot(work, db, fake, "second")
        procs.append(second)
        deadline = time.monotonic() + 60
        while len(posted(fake)) < chats and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)  # a late duplicate would show now
        started = time.monotonic()
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.wait(), 30)
        stopped = time.monotonic() - started
        counts = posted(fake)
        lost = chats - len(counts)
        duplicates = sum(n - 1 for n in counts.values() if n > 1)
        return lost, duplicates, stopped
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        await fake.close()


async def bench_faults(trials: int | None = None, chats: int | None = None) -> None:
    trials = trials or int(os.environ.get("FAULT_TRIALS", 100))
    chats = chats or int(os.environ.get("FAULT_CHATS", 40))
    rng = random.Random(int(os.environ.get("FAULT_SEED", 19)))
    lost = duplicates = worst = 0
    slowest = 0.0
    for n in range(trials):
        with tempfile.TemporaryDirectory(prefix="prepbot-faults-") as work:
            one_lost, one_dup, stop_s = await trial(Path(work), chats, rng)
        lost += one_lost
        duplicates += one_dup
        worst = max(worst, one_dup)
        slowest = max(slowest, stop_s)
        print(f"# trial {n + 1}: lost {one_lost}, duplicates {one_dup}, SIGTERM {stop_s:.2f}s",
              file=sys.stderr, flush=True)
    emit("faults.kill9_trials", trials, "trials")
    emit("faults.chats_per_trial", chats, "chats")
    emit("faults.lost", lost, "posts")
    emit("faults.duplicates", duplicates, "posts")
    emit("faults.max_duplicates_per_kill", worst, "posts")
    emit("faults.sigterm_max_s", slowest, "s")


if __name__ == "__main__":
    asyncio.run(bench_faults())
    emit("bench.done", 1, "flag")
