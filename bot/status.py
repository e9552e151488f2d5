"""`prepbot status`: is the bot posting? Read from outside the running process.

`prepbot run` writes its live figures to STATUS_FILE every few seconds (`StatusWriter`):
the last tick, sends and 429s in the last minute per platform, the event loop's worst lag.
`prepbot status` adds what the database says (pending outbox rows, the oldest one's age,
broken chats), prints it all as JSON and exits 1 when the bot looks stuck, so Docker's
HEALTHCHECK can use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from bot.config import Settings
from bot.delivery import OutboxSender
from bot.ports import InspectableStore
from bot.scheduling import TickScheduler
from bot.watchdog import Watchdog

log = logging.getLogger(__name__)

WRITE_SECONDS = 5.0
#: The running process's figures older than this mean it is not running (or stuck).
STALE_SECONDS = 60.0
#: A pending row due longer ago than this means posting is stuck.
STUCK_SECONDS = 15 * 60.0


@dataclass
class StatusWriter:
    """Writes the running process's figures to `path` every `every` seconds."""

    path: Path
    senders: Sequence[OutboxSender]
    scheduler: TickScheduler
    watchdog: Watchdog
    every: float = WRITE_SECONDS

    def snapshot(self) -> dict[str, Any]:
        platforms: dict[str, Any] = {}
        for sender in self.senders:
            sent, limited = sender.last_minute()
            platforms[sender.platform] = {
                "sent_last_minute": sent,
                "rate_limited_last_minute": limited,
                "sent": sender.sent,
                "rate_limited": sender.rate_limited,
                "retried": sender.retried,
                "broken": sender.broken,
            }
        last = self.scheduler.last_tick
        return {
            "pid": os.getpid(),
            "written_at": datetime.now(UTC).isoformat(),
            "last_tick": last.isoformat() if last else None,
            "ticks": self.scheduler.ticks,
            "loop_lag_max_ms_last_minute": round(self.watchdog.max_lag_ms(), 1),
            "loop_stalls": self.watchdog.stalls,
            "platforms": platforms,
        }

    def write(self) -> None:
        # Written aside and renamed: a reader never sees half a file.
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps(self.snapshot()))
        temporary.replace(self.path)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                self.write()
            except OSError as exc:
                log.warning("could not write the status file %s: %s", self.path, exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.every)


def read_status(settings: Settings) -> tuple[dict[str, Any], list[str]]:
    """The figures and the problems found (none: healthy)."""
    from bot.storage import open_store

    problems: list[str] = []
    report: dict[str, Any] = {}
    try:
        live = json.loads(settings.status_file.read_text())
        age = time.time() - datetime.fromisoformat(live["written_at"]).timestamp()
        report["process"] = live | {"written_seconds_ago": round(age, 1)}
        if age > STALE_SECONDS:
            problems.append(f"the running bot last wrote {settings.status_file} {age:.0f}s ago")
    except (OSError, ValueError, KeyError) as exc:
        problems.append(f"no live figures in {settings.status_file} ({exc.__class__.__name__})")

    async def database() -> None:
        # Every store implements the inspection reads too.
        store = cast(InspectableStore, await open_store(settings.database_url))
        try:
            health = await store.outbox_health()
        finally:
            await store.close()
        oldest = health.oldest_pending_due
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest else None
        report["outbox"] = {
            "pending": health.pending,
            "oldest_pending_seconds": round(age, 1) if age is not None else None,
        }
        report["broken_chats"] = health.broken_chats
        if age is not None and age > STUCK_SECONDS:
            problems.append(f"the oldest pending post was due {age:.0f}s ago")

    try:
        asyncio.run(database())
    except Exception as exc:  # reported, not raised: status must always answer
        problems.append(f"cannot read the database: {exc}")
    report["healthy"] = not problems
    report["problems"] = problems
    return report, problems
