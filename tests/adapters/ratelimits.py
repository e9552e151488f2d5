"""Rate-limit rules the fake platforms enforce when asked (sliding windows).

Telegram: about 30 messages/s overall, 20 a minute in one group (edits count there too),
about one a second in one chat (a short burst of a long message's parts passes). Discord:
50 requests/s global and 5 messages / 5 s per channel (a per-route bucket). A request over
any window is refused with the seconds until the oldest send in that window leaves it;
every accepted send is kept, so a test or benchmark can read the busiest second (overall,
or in one group).
"""

from __future__ import annotations

import collections
import time
from collections.abc import Hashable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Window:
    """At most `limit` sends within any `seconds`."""

    limit: int
    seconds: float


@dataclass(frozen=True)
class Refusal:
    """Why a send was refused: which scope, and when to try again."""

    retry_after: float
    is_global: bool


@dataclass
class RateRules:
    """Sliding windows overall, per group chat and per chat; `check` accepts or refuses."""

    overall: Window | None = None
    per_group: Window | None = None
    per_chat: Window | None = None
    accepted: list[float] = field(default_factory=list)
    refused: int = 0
    _overall: collections.deque[float] = field(default_factory=collections.deque)
    _chats: dict[Hashable, collections.deque[float]] = field(default_factory=dict)
    _groups: dict[Hashable, collections.deque[float]] = field(default_factory=dict)
    #: Every accepted message (sends and edits) in each group, for `group_peak`.
    _group_log: dict[Hashable, list[float]] = field(default_factory=dict)

    def check(
        self,
        chat: Hashable | None,
        *,
        group: bool = False,
        edit: bool = False,
        now: float | None = None,
    ) -> Refusal | None:
        """Record a send to `chat` (a group chat when `group`; None: no chat's limit
        applies), or refuse it. An `edit` counts against a group's window only."""
        now = time.monotonic() if now is None else now
        checks: list[tuple[Window, collections.deque[float], bool]] = []
        if self.overall is not None and not edit:
            checks.append((self.overall, self._overall, True))
        if self.per_chat is not None and chat is not None and not edit:
            chat_sends = self._chats.setdefault(chat, collections.deque())
            checks.append((self.per_chat, chat_sends, False))
        group_window = self.per_group if group and chat is not None else None
        if group_window is not None:
            group_sends = self._groups.setdefault(chat, collections.deque())
            checks.append((group_window, group_sends, False))
        for window, sent, is_global in checks:
            while sent and now - sent[0] >= window.seconds:
                sent.popleft()
            if len(sent) >= window.limit:
                self.refused += 1
                return Refusal(max(0.001, window.seconds - (now - sent[0])), is_global)
        for _, sent, _ in checks:
            sent.append(now)
        if group_window is not None:
            self._group_log.setdefault(chat, []).append(now)
        if not edit:
            self.accepted.append(now)
        return None

    def peak(self, seconds: float = 1.0) -> int:
        """The most accepted sends within any `seconds`."""
        return peak(self.accepted, seconds)

    def group_peak(self, chat: Hashable, seconds: float = 60.0) -> int:
        """The most messages (sends and edits) accepted in group `chat` within any
        `seconds`."""
        return peak(self._group_log.get(chat, []), seconds)


@dataclass
class Buckets:
    """Per-key windows as a platform reports them on every accepted request (Discord's
    `X-RateLimit-*` headers): how many sends are left, and when all of them are back. Only
    reports; enforcing is `RateRules`'. The reset is when the window is empty, so a client
    that waits for it and then spends the whole limit stays inside the sliding window."""

    window: Window
    _sends: dict[Hashable, collections.deque[float]] = field(default_factory=dict)

    def record(self, key: Hashable, now: float | None = None) -> tuple[int, float]:
        """Count a send to `key`; (sends left, seconds until the window is empty)."""
        now = time.monotonic() if now is None else now
        sent = self._sends.setdefault(key, collections.deque())
        while sent and now - sent[0] >= self.window.seconds:
            sent.popleft()
        sent.append(now)
        # This send, the newest, is the last to leave the window.
        return max(0, self.window.limit - len(sent)), self.window.seconds


def peak(times: list[float], seconds: float = 1.0) -> int:
    """The most of `times` (sorted or not) within any window of `seconds`."""
    ordered = sorted(times)
    best = start = 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= seconds:
            start += 1
        best = max(best, end - start + 1)
    return best


def telegram_rules(scale: float = 1.0) -> RateRules:
    """Telegram's documented limits; `scale` > 1 compresses time (limits `scale` times
    higher) for a quick test of the same scenario."""
    return RateRules(
        overall=Window(round(30 * scale), 1.0),
        per_group=Window(20, 60.0 / scale),
        per_chat=Window(3, 1.0 / scale),
    )


def discord_rules(scale: float = 1.0) -> RateRules:
    """Discord's global limit and a channel's message bucket."""
    return RateRules(overall=Window(round(50 * scale), 1.0), per_chat=Window(5, 5.0 / scale))
