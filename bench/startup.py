"""startup.s (load every deck, open the database) and memory.peak_rss_mb (a child process)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import CONTENT, ROOT, bulk, emit
from bench.tick import DUE, populate
from bot.content.bank import load_bank
from bot.storage import open_store

USERS = 100_000


async def bench_startup() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        bank = load_bank(CONTENT)
        store = await open_store(f"sqlite:///{Path(tmp) / 'start.db'}")
        elapsed = time.perf_counter() - start
        await store.close()
    assert bank.items
    emit("startup.s", elapsed, "s")


def bench_memory() -> None:
    """Run the memory scenario in a fresh interpreter so other benchmarks don't count."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.startup", "--memory-child"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=600,
    )
    emit("memory.peak_rss_mb", json.loads(done.stdout.strip().splitlines()[-1])["rss_mb"], "MB")


async def _memory_child() -> None:
    from bot.delivery.tick import run_tick
    from bot.storage.sqlite import SqliteStore

    class Clock:
        def now(self) -> datetime:
            return DUE

    bank = load_bank(CONTENT)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "memory.db"
        await populate(path, 10_000, DUE)
        stamp = int(datetime.now(UTC).timestamp())
        bulk(
            path,
            "INSERT INTO users (platform, user_id, display_name, created_at) "
            "VALUES ('telegram', ?, ?, ?)",
            ((str(u), f"user {u}", stamp) for u in range(USERS)),
        )
        store = await SqliteStore.open(path)
        try:
            result = await run_tick(store, Clock())
        finally:
            await store.close()
    assert bank.items and result.daily_rows == 10_000
    # Pictures in use: matplotlib loaded and a /stats card drawn in the same process.
    from bench.stats_card import demo_card
    from bot.presentation.charts import stats_png

    assert await stats_png(demo_card()) is not None
    print(json.dumps({"rss_mb": _peak_rss_mb()}))


def _peak_rss_mb() -> float:
    """This process's own peak RSS.

    Linux carries the parent's peak into ru_maxrss across fork and exec, so a child
    started by a large benchmark run would report the parent's size; VmHWM belongs to the
    child's own address space.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


if __name__ == "__main__" and "--memory-child" in sys.argv:
    asyncio.run(_memory_child())
