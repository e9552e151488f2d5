"""Shared helpers: figure output, a loop-stall probe and a bulk data loader."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"


def emit(name: str, value: float | int, unit: str) -> None:
    """One figure as a JSON line, flushed at once so partial runs still report."""
    rounded: Any = round(value, 3) if isinstance(value, float) else value
    print(json.dumps({"name": name, "value": rounded, "unit": unit}), flush=True)


class StallProbe:
    """Measures the longest time the event loop went without running a 1 ms sleeper."""

    def __init__(self) -> None:
        self.max_gap_ms = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            self.max_gap_ms = max(self.max_gap_ms, (now - last) * 1000 - 1.0)
            last = now

    async def __aenter__(self) -> StallProbe:
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0.005)
        self.max_gap_ms = 0.0
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


def bulk(db_path: Path, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
    """Load benchmark data with plain sqlite3 (set-up, not measured)."""
    with sqlite3.connect(db_path) as conn:
        conn.executemany(sql, rows)
        conn.commit()
