from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.schedule import (
    day_bounds_utc,
    local_date,
    local_to_utc,
    next_post_utc,
    scheduled_date,
)

BERLIN = ZoneInfo("Europe/Berlin")
DAILY = frozenset(range(7))


def test_next_post_same_day_and_next_day() -> None:
    after = datetime(2024, 6, 3, 6, 0, tzinfo=UTC)  # 08:00 in Berlin (CEST)
    assert next_post_utc(time(9, 0), BERLIN, DAILY, after) == datetime(2024, 6, 3, 7, tzinfo=UTC)
    after = datetime(2024, 6, 3, 7, 0, tzinfo=UTC)  # exactly 09:00: strictly after
    assert next_post_utc(time(9, 0), BERLIN, DAILY, after) == datetime(2024, 6, 4, 7, tzinfo=UTC)


def test_next_post_skips_to_allowed_weekday() -> None:
    friday_evening = datetime(2024, 6, 7, 18, 0, tzinfo=UTC)
    nxt = next_post_utc(time(9, 0), "UTC", frozenset(range(5)), friday_evening)
    assert nxt == datetime(2024, 6, 10, 9, 0, tzinfo=UTC)  # Monday


def test_spring_forward_gap_moves_forward() -> None:
    # 2024-03-31 02:30 does not exist in Berlin: 02:00 jumps to 03:00.
    after = datetime(2024, 3, 30, 12, 0, tzinfo=UTC)
    nxt = next_post_utc(time(2, 30), BERLIN, DAILY, after)
    assert nxt == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)
    assert nxt.astimezone(BERLIN).strftime("%H:%M") == "03:30"
    assert scheduled_date(nxt, time(2, 30), BERLIN) == date(2024, 3, 31)


def test_fall_back_fold_takes_first_occurrence() -> None:
    # 2024-10-27 02:30 happens twice in Berlin; the first is at 00:30 UTC (CEST, +2).
    after = datetime(2024, 10, 26, 12, 0, tzinfo=UTC)
    nxt = next_post_utc(time(2, 30), BERLIN, DAILY, after)
    assert nxt == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)
    following = next_post_utc(time(2, 30), BERLIN, DAILY, nxt)
    assert following == datetime(2024, 10, 28, 1, 30, tzinfo=UTC)  # once per local day


def test_day_bounds_on_dst_days() -> None:
    start, end = day_bounds_utc(date(2024, 3, 31), BERLIN)
    assert end - start == timedelta(hours=23)
    start, end = day_bounds_utc(date(2024, 10, 27), BERLIN)
    assert end - start == timedelta(hours=25)
    start, end = day_bounds_utc(date(2024, 4, 7), "Australia/Lord_Howe")  # half-hour DST
    assert end - start == timedelta(hours=24, minutes=30)


def test_half_hour_zone() -> None:
    after = datetime(2024, 1, 1, 0, 0, tzinfo=UTC)
    nxt = next_post_utc(time(9, 0), "Asia/Kolkata", DAILY, after)
    assert nxt == datetime(2024, 1, 1, 3, 30, tzinfo=UTC)
    assert local_date(datetime(2024, 1, 1, 18, 31, tzinfo=UTC), "Asia/Kolkata") == date(2024, 1, 2)


def test_empty_weekdays_rejected() -> None:
    with pytest.raises(ValueError):
        next_post_utc(time(9), "UTC", frozenset(), datetime(2024, 1, 1, tzinfo=UTC))


ZONES = st.sampled_from(
    [
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "Asia/Kolkata",
        "Australia/Lord_Howe",
        "America/Santiago",
        "Pacific/Chatham",
        "Asia/Kathmandu",
    ]
)
INSTANTS = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


@given(
    zone=ZONES,
    after=INSTANTS,
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
    days=st.frozensets(st.integers(0, 6), min_size=1),
)
def test_next_post_properties(
    zone: str, after: datetime, hour: int, minute: int, days: frozenset[int]
) -> None:
    at = time(hour, minute)
    nxt = next_post_utc(at, zone, days, after)
    assert nxt > after
    assert nxt - after <= timedelta(days=8)
    day = scheduled_date(nxt, at, zone)
    assert day.weekday() in days
    assert local_to_utc(day, at, zone) == nxt
    # No scheduled instant is skipped between `after` and `nxt`.
    probe = local_date(after, zone) - timedelta(days=1)
    while probe < day:
        if probe.weekday() in days:
            assert local_to_utc(probe, at, zone) <= after
        probe += timedelta(days=1)
    # Successive posts fall on distinct, increasing local dates: one post per day.
    again = next_post_utc(at, zone, days, nxt)
    assert scheduled_date(again, at, zone) > day
