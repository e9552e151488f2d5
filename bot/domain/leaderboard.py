"""Leaderboard windows in a time zone, and the ranking order."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.models import LeaderboardEntry, UserKey
from bot.domain.schedule import day_bounds_utc, local_date


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"
    ALL = "all"


@dataclass(frozen=True)
class Window:
    """[start, end) in UTC; None means unbounded."""

    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class Ranked:
    rank: int
    entry: LeaderboardEntry


def window(period: Period, now: datetime, zone: ZoneInfo | str) -> Window:
    """This ISO week (from Monday 00:00), this month, or all time, in `zone`."""
    if period is Period.ALL:
        return Window(None, None)
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    today = local_date(now, tz)
    if period is Period.WEEK:
        first = today - timedelta(days=today.weekday())
        after = first + timedelta(days=7)
    else:
        first = today.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
    return Window(_start(first, tz), _start(after, tz))


def _start(day: date, tz: ZoneInfo) -> datetime:
    return day_bounds_utc(day, tz)[0]


def rank_key(entry: LeaderboardEntry) -> tuple[int, float, datetime, str]:
    """Points desc, accuracy desc, whoever reached the total first; the id keeps it total."""
    return (-entry.points, -entry.accuracy, entry.reached_at, str(entry.user))


def rank(entries: Iterable[LeaderboardEntry]) -> list[Ranked]:
    """Sorted entries with competition ranks (a full tie shares a rank: 1, 1, 3)."""
    ordered = sorted(entries, key=rank_key)
    ranked: list[Ranked] = []
    for position, entry in enumerate(ordered, start=1):
        previous = ranked[-1] if ranked else None
        if previous is not None and rank_key(previous.entry)[:3] == rank_key(entry)[:3]:
            ranked.append(Ranked(previous.rank, entry))
        else:
            ranked.append(Ranked(position, entry))
    return ranked


def combine(windows: Sequence[Iterable[LeaderboardEntry]]) -> list[LeaderboardEntry]:
    """One entry per user over adjacent windows, as one query over their union counts it
    (points, answers and verdicts add up; `reached_at` is the last earning answer's time,
    else the first answer's)."""
    merged: dict[UserKey, LeaderboardEntry] = {}
    for entries in windows:
        for entry in entries:
            before = merged.get(entry.user)
            if before is None:
                merged[entry.user] = entry
                continue
            if entry.points > 0 and before.points > 0:
                reached = max(before.reached_at, entry.reached_at)
            elif entry.points > 0 or before.points > 0:
                reached = entry.reached_at if entry.points > 0 else before.reached_at
            else:
                reached = min(before.reached_at, entry.reached_at)
            merged[entry.user] = replace(
                before,
                display_name=entry.display_name,
                points=before.points + entry.points,
                answered=before.answered + entry.answered,
                correct=before.correct + entry.correct,
                partial=before.partial + entry.partial,
                reached_at=reached,
            )
    return list(merged.values())
