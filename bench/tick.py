"""tick_10k: one tick with 10,000 channels due in the same minute across 20 time zones."""

from __future__ import annotations

import tempfile
import time as clock_time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import StallProbe, bulk, emit
from bot.delivery.tick import run_tick
from bot.storage.sqlite import SqliteStore

ZONES = [
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Adelaide",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Pacific/Honolulu",
    "Africa/Lagos",
    "Asia/Tehran",
]
CHANNELS = 10_000
DUE = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class _Clock:
    def now(self) -> datetime:
        return DUE


async def populate(path: Path, channels: int, due: datetime) -> None:
    """Chats and schedules, every one due at `due`, spread over ZONES."""
    store = await SqliteStore.open(path)
    await store.close()
    stamp = int(due.timestamp())
    bulk(
        path,
        "INSERT INTO chats (platform, chat_id, group_id, title, seed, created_at) "
        "VALUES (?, ?, ?, '', ?, ?)",
        (
            (("discord" if n % 2 else "telegram"), str(n), str(n // 10), f"c{n}", stamp)
            for n in range(channels)
        ),
    )
    rows = []
    for n in range(channels):
        zone = ZONES[n % len(ZONES)]
        local = due.astimezone(ZoneInfo(zone))
        rows.append(
            (
                n + 1,
                f"{local.hour:02d}:{local.minute:02d}",
                zone,
                127,
                "[]",
                0,
                0,
                0,
                stamp,
                stamp,
                stamp,
            )
        )
    bulk(
        path,
        "INSERT INTO schedules (chat_ref, local_time, timezone, weekdays, topics, "
        "reveal_delay_hours, thread, paused, next_post_utc, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


async def bench_tick() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tick.db"
        await populate(path, CHANNELS, DUE)
        store = await SqliteStore.open(path)
        try:
            async with StallProbe() as probe:
                start = clock_time.perf_counter()
                result = await run_tick(store, _Clock())
                duration = (clock_time.perf_counter() - start) * 1000
            rows = len(await store.outbox_rows())
        finally:
            await store.close()
    emit("tick_10k.duration_ms", duration, "ms")
    emit("tick_10k.rows", rows, "rows")
    emit("tick_10k.max_stall_ms", max(probe.max_gap_ms, result.max_slice_ms), "ms")
