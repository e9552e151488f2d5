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


@dataclass(frozen=True)
class StreakState:
    """The day-by-day walk after the last answered local day: all a later streak needs.

    Stored per user and advanced with each answer, so neither the answer path nor a
    leaderboard re-reads a user's whole answer history.
    """

    last_day: date
    current: int
    best: int
    freezes: int


@dataclass(frozen=True)
class StoredStreak:
    """A user's streak state and the zone whose local days it counts."""

    zone: str
    state: StreakState


def advance(state: StreakState | None, day: date) -> StreakState:
    """The state after an answer on `day` (not before `state.last_day`)."""
    if state is None:
        return StreakState(day, 1, 1, 0)
    if day <= state.last_day:
        return state
    current, freezes = state.current, state.freezes
    missed = (day - state.last_day).days - 1
    if missed == 1 and current > 0 and freezes > 0:
        freezes -= 1  # a freeze bridges the single missed day
    elif missed >= 1:
        current = 0
    current += 1
    if current % FREEZE_EVERY == 0:
        freezes = min(MAX_FREEZES, freezes + 1)
    return StreakState(day, current, max(state.best, current), freezes)


def streak_of(state: StreakState | None, today: date) -> Streak:
    """The streak on `today` (not before `state.last_day`); today never breaks it."""
    if state is None:
        return Streak()
    current, freezes = state.current, state.freezes
    missed = (today - state.last_day).days - 1
    if missed == 1 and current > 0 and freezes > 0:
        freezes -= 1
    elif missed >= 1:
        current = 0
    return Streak(current, state.best, freezes, answered_today=today == state.last_day)


def usable_state(stored: StoredStreak | None, zone: str, today: date) -> StreakState | None:
    """The stored state if it counts `zone`'s days and is not ahead of `today`, else None."""
    if stored is None or stored.zone != zone or stored.state.last_day > today:
        return None
    return stored.state


def state_of(days: Iterable[date]) -> StreakState | None:
    """The state after answering on each of `days`."""
    state = None
    for day in sorted(set(days)):
        state = advance(state, day)
    return state


def compute_streak(days: Iterable[date], today: date) -> Streak:
    """The streak as of `today` from the local dates that had a graded answer."""
    return streak_of(state_of(day for day in days if day <= today), today)


def local_days(instants: Iterable[datetime], zone: ZoneInfo | str) -> set[date]:
    """The set of local dates on which the instants fall."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    return {local_date(instant, tz) for instant in instants}


def streak_at(instants: Iterable[datetime], zone: ZoneInfo | str, now: datetime) -> Streak:
    """The streak at `now` from answer instants, counted in `zone`'s local days."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    return compute_streak(local_days(instants, tz), local_date(now, tz))


def state_at(
    instants: Iterable[datetime], zone: ZoneInfo | str, now: datetime
) -> StreakState | None:
    """The stored state rebuilt from answer instants up to `now`, in `zone`'s local days."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    today = local_date(now, tz)
    return state_of(day for day in local_days(instants, tz) if day <= today)


def bridged_days(days: Iterable[date]) -> set[date]:
    """The missed days a freeze bridged, walking the answered `days` as `advance` does."""
    bridged: set[date] = set()
    state = None
    for day in sorted(set(days)):
        missed_one = state is not None and (day - state.last_day).days == 2
        if missed_one and state is not None and state.current > 0 and state.freezes > 0:
            bridged.add(day - timedelta(days=1))
        state = advance(state, day)
    return bridged
