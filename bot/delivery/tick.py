"""The tick: move due daily posts and reveals into the outbox, in small transactions."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from bot.domain.delivery import plan_group, plan_reveals
from bot.ports import Clock, Store

log = logging.getLogger(__name__)

CHUNK = 1000  # channels per transaction: keeps each event-loop slice well under 50 ms


@dataclass(frozen=True)
class TickResult:
    daily_rows: int
    reveal_rows: int
    chunks: int
    duration_ms: float
    max_slice_ms: float


async def run_tick(store: Store, clock: Clock, chunk: int = CHUNK) -> TickResult:
    """Enqueue everything due at `clock.now()`; safe to run again (rows are unique)."""
    start = time.perf_counter()
    now = clock.now()
    daily = reveals = chunks = 0
    max_slice = 0.0
    for group in await store.due_groups(now):
        sliced = time.perf_counter()
        day, next_post = plan_group(group, now)
        max_slice = max(max_slice, (time.perf_counter() - sliced) * 1000)
        while True:
            matched, inserted = await store.enqueue_group(group, day, next_post, chunk)
            daily += inserted
            chunks += 1
            # A next post at or before the due instant would match the same rows forever.
            if matched < chunk or (next_post is not None and next_post <= group.due):
                break
            await asyncio.sleep(0)  # let interactions in between chunks
    while True:
        posts = await store.reveals_to_enqueue(now, chunk)
        if not posts:
            break
        reveals += await store.commit_tick(plan_reveals(posts), ())
        chunks += 1
        if len(posts) < chunk:
            break
    result = TickResult(daily, reveals, chunks, (time.perf_counter() - start) * 1000, max_slice)
    if daily or reveals:
        log.info(
            "tick: %d daily post(s), %d reveal(s) queued in %.0f ms",
            daily,
            reveals,
            result.duration_ms,
        )
    return result
