"""Event-loop watchdog: logs a stall over a threshold with the stack that was running.

A probe task in the loop stamps the time every `interval`; a daemon thread checks the
stamp, and when the loop has been silent for `threshold` it captures the loop thread's
stack (what is blocking it) and logs it once per stall. The probe keeps recent lag samples
for `prepbot status`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
import time
import traceback
from collections import deque

log = logging.getLogger(__name__)

THRESHOLD = 0.25
INTERVAL = 0.05
#: Lag samples kept (about a minute at INTERVAL).
SAMPLES = 1200


class Watchdog:
    """Start with `start()` inside the running loop; `stop()` ends both halves."""

    def __init__(self, threshold: float = THRESHOLD, interval: float = INTERVAL) -> None:
        self.threshold = threshold
        self.interval = interval
        self.lags: deque[float] = deque(maxlen=SAMPLES)
        self.stalls = 0
        self._stamp = time.monotonic()
        self._loop_thread = threading.get_ident()
        self._task: asyncio.Task[None] | None = None
        self._thread: threading.Thread | None = None
        self._halt = threading.Event()
        self._stack: str | None = None

    def start(self) -> None:
        self._loop_thread = threading.get_ident()
        self._stamp = time.monotonic()
        self._task = asyncio.create_task(self._probe(), name="watchdog-probe")
        self._thread = threading.Thread(target=self._watch, name="watchdog", daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        self._halt.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._thread is not None:
            self._thread.join(timeout=1.0)

    def max_lag_ms(self) -> float:
        return max(self.lags, default=0.0) * 1000

    async def _probe(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(self.interval)
            now = time.monotonic()
            lag = max(0.0, now - before - self.interval)
            self.lags.append(lag)
            self._stamp = now
            if lag > self.threshold:
                self.stalls += 1
                stack, self._stack = self._stack, None
                log.warning(
                    "event loop lagged %.0f ms; it was running:\n%s",
                    lag * 1000,
                    stack or "(not caught: the stall ended between two looks)",
                )

    def _watch(self) -> None:
        while not self._halt.wait(self.interval):
            silent = time.monotonic() - self._stamp
            if silent > self.threshold and self._stack is None:
                frame = sys._current_frames().get(self._loop_thread)
                if frame is not None:
                    self._stack = "".join(traceback.format_stack(frame, limit=12))
