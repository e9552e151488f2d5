"""Day boundaries and next post times in a time zone, DST-correct.

A local time that does not exist (the spring-forward gap) moves forward by the gap; an
ambiguous one (the autumn fold) takes its first occurrence. Both follow from `fold=0`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_SEARCH_DAYS = 9


def ensure_utc(instant: datetime) -> datetime:
    """The same instant in UTC; naive datetimes are rejected."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("expected a timezone-aware datetime")
    return instant.astimezone(UTC)


def local_to_utc(day: date, at: time, zone: ZoneInfo | str) -> datetime:
    """The UTC instant of local `day` `at`, with gap times moved forward, folds first."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0)).replace(tzinfo=tz)
    return local.astimezone(UTC)


def local_date(instant: datetime, zone: ZoneInfo | str) -> date:
    """The calendar date of `instant` in `zone`."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    return ensure_utc(instant).astimezone(tz).date()


def day_bounds_utc(day: date, zone: ZoneInfo | str) -> tuple[datetime, datetime]:
    """[start, end) of a local day in UTC; 23 or 25 hours long on DST change days."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    return local_to_utc(day, time(0), tz), local_to_utc(day + timedelta(days=1), time(0), tz)


def next_post_utc(
    at: time, zone: ZoneInfo | str, weekdays: Collection[int], after: datetime
) -> datetime:
    """The first scheduled instant strictly after `after` (Monday is weekday 0)."""
    if not weekdays:
        raise ValueError("a schedule needs at least one weekday")
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    after = ensure_utc(after)
    # Start a day early: the local date of `after` may be ahead of a post still due today.
    day = local_date(after, tz) - timedelta(days=1)
    for _ in range(_SEARCH_DAYS):
        if day.weekday() in weekdays:
            candidate = local_to_utc(day, at, tz)
            if candidate > after:
                return candidate
        day += timedelta(days=1)
    raise AssertionError("unreachable: every week has a scheduled day")  # pragma: no cover


def scheduled_date(post_utc: datetime, at: time, zone: ZoneInfo | str) -> date:
    """The local date a post instant belongs to, even when a gap pushed it past midnight."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    day = local_date(post_utc, tz)
    for candidate in (day, day - timedelta(days=1)):
        if local_to_utc(candidate, at, tz) == ensure_utc(post_utc):
            return candidate
    return day
