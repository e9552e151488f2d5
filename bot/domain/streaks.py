"""Streaks: consecutive local days with at least one graded answer, with freezes.

Rules: each 7th consecutive answered day of a streak earns a freeze (at most 2 held). A
freeze bridges a gap of exactly one missed day automatically; a longer gap ends the streak
and spends no freeze. Today never breaks a streak: the user still has time to answer.
Held freezes survive a broken streak (they were earned). Bridged days do not lengthen it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.domain.schedule import local_date

FREEZE_EVERY = 7
MAX_FREEZES = 2


@dataclass(frozen=True)
class Streak:
    current: int = 0
    best: int = 0
    freezes: int = 0
    answered_today: bool = False


def compute_streak(days: Iterable[date], today: date) -> Streak:
    """The streak as of `today` from the local dates that had a graded answer."""
    answered = {day for day in days if day <= today}
    if not answered:
        return Streak()
    current = best = freezes = 0
    day = min(answered)
    one = timedelta(days=1)
    while day <= today:
        if day in answered:
            current += 1
            best = max(best, current)
            if current % FREEZE_EVERY == 0:
                freezes = min(MAX_FREEZES, freezes + 1)
        elif day != today:
            following = day + one
            # A single missed day: the next day was answered, or is today and still open.
            single_gap = following in answered or following == today
            if current > 0 and freezes > 0 and single_gap:
                freezes -= 1
            else:
                current = 0
        day += one
    return Streak(current=current, best=best, freezes=freezes, answered_today=today in answered)


def local_days(instants: Iterable[datetime], zone: ZoneInfo | str) -> set[date]:
    """The set of local dates on which the instants fall."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    return {_local_day(instant, tz) for instant in instants}


@lru_cache(maxsize=262_144)
def _local_day(instant: datetime, tz: ZoneInfo) -> date:
    # Leaderboards compute streaks for ten users per request over the same quarter-hour
    # buckets; caching the zone conversion turns thousands of them into dict lookups.
    return local_date(instant, tz)


def streak_at(instants: Iterable[datetime], zone: ZoneInfo | str, now: datetime) -> Streak:
    """The streak at `now` from answer instants, counted in `zone`'s local days."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    return compute_streak(local_days(instants, tz), local_date(now, tz))
