"""WAL checkpoints off the answer path.

SQLite's automatic checkpoint runs inside whichever commit crosses its threshold, and that
commit then waits for the copy and an fsync: a 5-20 ms stall for one unlucky answer. The
store turns the automatic checkpoint off and this runs PASSIVE checkpoints on a second
connection from a worker thread while writes happen; PASSIVE never blocks readers or
writers, it copies what it can.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading

log = logging.getLogger(__name__)

CHECKPOINT_SECONDS = 1.0


class WalCheckpointer:
    """Checkpoints the WAL of `path` every `interval` seconds after writes."""

    def __init__(self, path: str, interval: float = CHECKPOINT_SECONDS) -> None:
        self.path = path
        self.interval = interval
        self.checkpoints = 0  # completed checkpoints (observability and tests)
        self._dirty = False
        self._conn: sqlite3.Connection | None = None
        # The worker thread and close() never touch the connection at the same time.
        self._guard = threading.Lock()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="wal-checkpoint")

    def note_write(self) -> None:
        self._dirty = True

    async def checkpoint(self) -> None:
        """One PASSIVE checkpoint now, on the worker thread."""
        self._dirty = False
        try:
            await asyncio.to_thread(self._checkpoint)
        except sqlite3.Error as exc:
            # The WAL just grows until the next try; nothing is lost.
            log.warning("WAL checkpoint of %s failed: %s", self.path, exc)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await asyncio.to_thread(self._close)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            if self._dirty:
                await self.checkpoint()

    def _checkpoint(self) -> None:
        with self._guard:
            if self._conn is None:
                self._conn = sqlite3.connect(self.path, check_same_thread=False)
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.checkpoints += 1

    def _close(self) -> None:
        with self._guard:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
