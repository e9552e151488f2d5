"""What the scheduler's tick decides, and how failed sends back off. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from bot.domain.models import DailyPost, DueGroup, NewOutboxRow, OutboxKind
from bot.domain.schedule import next_post_utc, scheduled_date

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(minutes=30)


def plan_group(group: DueGroup, now: datetime) -> tuple[date, datetime | None]:
    """The local date a due group's posts belong to, and when its channels post next.

    Channels share a handful of (time, zone, weekdays) combinations, so the tick plans each
    combination once instead of once per channel.
    """
    day = scheduled_date(group.due, group.local_time, group.timezone)
    # After a long outage, skip the missed days instead of posting them all at once.
    after = max(group.due, now)
    return day, next_post_utc(group.local_time, group.timezone, group.weekdays, after)


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
