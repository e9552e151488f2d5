"""What the scheduler's tick decides, and how failed sends back off. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from bot.domain.models import ChatKey, DailyPost, NewOutboxRow, OutboxKind, Schedule
from bot.domain.schedule import next_post_utc, scheduled_date

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(minutes=30)


def plan_daily(
    schedules: Iterable[Schedule], now: datetime
) -> tuple[list[NewOutboxRow], list[tuple[ChatKey, datetime | None]]]:
    """Outbox rows for due schedules and each schedule's next post time.

    Channels share a handful of (time, zone, weekdays) combinations, so each combination's
    local date and next instant is computed once, not once per channel.
    """
    rows: list[NewOutboxRow] = []
    advances: list[tuple[ChatKey, datetime | None]] = []
    dates: dict[tuple[time, str, datetime], date] = {}
    nexts: dict[tuple[time, str, frozenset[int], datetime], datetime] = {}
    for schedule in schedules:
        due = schedule.next_post_utc
        if due is None:
            continue
        key = (schedule.local_time, schedule.timezone, due)
        day = dates.get(key)
        if day is None:
            day = dates[key] = scheduled_date(due, schedule.local_time, schedule.timezone)
        rows.append(NewOutboxRow(schedule.chat, OutboxKind.DAILY, day, due))
        # After a long outage, skip the missed days instead of posting them all at once.
        after = max(due, now)
        nkey = (schedule.local_time, schedule.timezone, schedule.weekdays, after)
        nxt = nexts.get(nkey)
        if nxt is None:
            nxt = nexts[nkey] = next_post_utc(
                schedule.local_time, schedule.timezone, schedule.weekdays, after
            )
        advances.append((schedule.chat, nxt))
    return rows, advances


def plan_reveals(posts: Iterable[DailyPost]) -> list[NewOutboxRow]:
    """One reveal row per post whose reveal time has passed."""
    return [
        NewOutboxRow(post.chat, OutboxKind.REVEAL, post.local_date, post.reveal_at, post.id)
        for post in posts
        if post.reveal_at is not None
    ]


def backoff(attempts: int) -> timedelta:
    """Wait before retry number `attempts` (1-based): 30 s, 1 min, 2 min, ... up to 30 min."""
    factor: int = 2 ** max(0, attempts - 1)
    return min(BACKOFF_MAX, BACKOFF_BASE * factor)
