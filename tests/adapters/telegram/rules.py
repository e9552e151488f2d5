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


@dataclass
class GroupBudget:
    """Telegram's ~20 messages a minute in one group (edits count too), as a sliding
    window: a send over the budget is refused with 429 and `retry_after` (seconds until the
    oldest send ages out). Off (`per_minute=None`) unless a test asks; `sent` keeps every
    accepted send's time."""

    per_minute: int | None = None
    clock: Callable[[], float] = time.monotonic
    sent: dict[int, list[float]] = field(default_factory=dict)
    refused: int = 0

    def retry_after(self, chat_id: int) -> int | None:
        """None when a send to `chat_id` is accepted now (and counted), else seconds to wait."""
        if self.per_minute is None or chat_id >= 0:
            return None
        now = self.clock()
        recent = [t for t in self.sent.get(chat_id, []) if now - t < 60.0]
        if len(recent) >= self.per_minute:
            self.refused += 1
            return max(1, int(60.0 - (now - recent[0])) + 1)
        self.sent[chat_id] = [*recent, now]
        return None

    def most_in_a_minute(self, chat_id: int) -> int:
        """The most sends accepted in any 60 s window in `chat_id`."""
        times = sorted(self.sent.get(chat_id, []))
        return max(
            (sum(1 for t in times[i:] if t - start < 60.0) for i, start in enumerate(times)),
            default=0,
        )
