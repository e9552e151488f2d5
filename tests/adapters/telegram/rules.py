"""Rules the fake Telegram holds the bot to, beyond one method's parameters.

`CallbackRules`: a callback query must be answered once, within `deadline` seconds of the
press. Telegram does not document the window; clients stop the spinner and the Bot API
answers "query is too old" after about 15 s, so the fake refuses answers later than that.
It also records how long each press waited for its answer (the busy-group test asserts
every press is acknowledged within 1 s).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

#: Seconds after a press within which answerCallbackQuery is accepted.
CALLBACK_DEADLINE = 15.0
TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


@dataclass
class CallbackRules:
    """Open callback queries, their press times and their answer latencies."""

    deadline: float = CALLBACK_DEADLINE
    clock: Callable[[], float] = time.monotonic
    pressed_at: dict[str, float] = field(default_factory=dict)
    latency: dict[str, float] = field(default_factory=dict)

    def pressed(self, query_id: str) -> None:
        self.pressed_at[query_id] = self.clock()

    def refusal(self, query_id: str) -> str | None:
        """Why an answer to `query_id` is refused now (None: accepted, and recorded)."""
        started = self.pressed_at.get(query_id)
        if started is None or query_id in self.latency:
            return TOO_OLD  # unknown, or answered already
        waited = self.clock() - started
        if waited > self.deadline:
            return TOO_OLD
        self.latency[query_id] = waited
        return None

    def unanswered(self) -> list[str]:
        """Presses never answered."""
        return [query for query in self.pressed_at if query not in self.latency]
