from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.schedule import day_bounds_utc, local_to_utc
from bot.domain.streaks import (
    MAX_FREEZES,
    StoredStreak,
    Streak,
    StreakState,
    advance,
    compute_streak,
    state_of,
    streak_at,
    streak_of,
    usable_state,
)

D0 = date(2024, 1, 1)


def days(*offsets: int) -> list[date]:
    return [D0 + timedelta(days=n) for n in offsets]


def test_no_answers() -> None:
    assert compute_streak([], D0) == Streak(0, 0, 0, False)


def test_consecutive_days() -> None:
    streak = compute_streak(days(0, 1, 2), D0 + timedelta(days=2))
    assert streak == Streak(current=3, best=3, freezes=0, answered_today=True)


def test_today_not_answered_keeps_streak() -> None:
    streak = compute_streak(days(0, 1, 2), D0 + timedelta(days=3))
    assert (streak.current, streak.answered_today) == (3, False)


def test_missed_day_without_freeze_breaks() -> None:
    streak = compute_streak(days(0, 1, 2, 4), D0 + timedelta(days=4))
    assert (streak.current, streak.best) == (1, 3)


def test_freeze_earned_after_seven_days_bridges_one_missed_day() -> None:
    answered = days(*range(7), 8)  # day 7 missed
    streak = compute_streak(answered, D0 + timedelta(days=8))
    assert streak == Streak(current=8, best=8, freezes=0, answered_today=True)


def test_freeze_bridges_yesterday_while_today_is_open() -> None:
    streak = compute_streak(days(*range(7)), D0 + timedelta(days=8))
    assert (streak.current, streak.freezes) == (7, 0)


def test_two_missed_days_break_and_keep_freeze() -> None:
    answered = days(*range(7), 9)
    streak = compute_streak(answered, D0 + timedelta(days=9))
    assert (streak.current, streak.best, streak.freezes) == (1, 7, 1)


def test_at_most_two_freezes_held() -> None:
    streak = compute_streak(days(*range(30)), D0 + timedelta(days=29))
    assert streak.freezes == MAX_FREEZES
    assert streak.current == 30


def test_two_freezes_bridge_two_separate_gaps() -> None:
    answered = days(*range(14), 15, 17)  # gaps at day 14 and 16
    streak = compute_streak(answered, D0 + timedelta(days=17))
    assert (streak.current, streak.freezes) == (16, 0)


def test_local_days_in_user_zone() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    # 23:00 local on Jan 1 and 00:30 local on Jan 2 are consecutive local days, while
    # in UTC both fall on Jan 1.
    first = datetime(2024, 1, 1, 23, 0, tzinfo=kolkata).astimezone(UTC)
    second = datetime(2024, 1, 2, 0, 30, tzinfo=kolkata).astimezone(UTC)
    assert first.date() == second.date()
    assert streak_at([first, second], kolkata, second).current == 2
    assert streak_at([first, second], "UTC", second).current == 1


ZONES = st.sampled_from(
    [
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "Asia/Kolkata",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
        "America/St_Johns",
        "Asia/Kathmandu",
    ]
)
STARTS = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1))
# Fraction of the local day at which the answer is given (DST days are 23-25 hours).
FRACTIONS = st.floats(min_value=0.0, max_value=0.999)


def instant_in_day(day: date, zone: str, fraction: float) -> datetime:
    start, end = day_bounds_utc(day, zone)
    return start + (end - start) * fraction


@settings(max_examples=150, deadline=None)
@given(zone=ZONES, start=STARTS, length=st.integers(1, 40), fractions=st.data())
def test_answering_every_local_day_counts_every_day(
    zone: str, start: date, length: int, fractions: st.DataObject
) -> None:
    answers = [
        instant_in_day(start + timedelta(days=n), zone, fractions.draw(FRACTIONS))
        for n in range(length)
    ]
    now = answers[-1]
    streak = streak_at(answers, zone, now)
    assert streak.current == length
    assert streak.best == length
    assert streak.freezes == min(MAX_FREEZES, length // 7)
    assert streak.answered_today


@settings(max_examples=150, deadline=None)
@given(
    zone=ZONES,
    start=STARTS,
    offsets=st.lists(st.integers(0, 60), min_size=1, max_size=40),
    fraction=FRACTIONS,
    extra=st.integers(0, 3),
)
def test_streak_invariants(
    zone: str, start: date, offsets: list[int], fraction: float, extra: int
) -> None:
    answered = sorted({start + timedelta(days=n) for n in offsets})
    today = answered[-1] + timedelta(days=extra)
    answers = [instant_in_day(day, zone, fraction) for day in answered]
    now = instant_in_day(today, zone, 0.5)
    streak = streak_at(answers, zone, now)
    assert streak == compute_streak(answered, today)
    assert 0 <= streak.current <= streak.best <= len(answered)
    assert 0 <= streak.freezes <= MAX_FREEZES
    assert streak.answered_today == (extra == 0)
    # More than one missed day before today always ends the streak.
    if extra >= 3:
        assert streak.current == 0
    # Two answers on the same local day count once, whatever the time of day.
    doubled = [*answers, instant_in_day(answered[-1], zone, 0.999)]
    assert streak_at(doubled, zone, now) == streak


@settings(max_examples=100, deadline=None)
@given(zone=ZONES, start=STARTS, minutes=st.integers(0, 24 * 60 - 1), length=st.integers(2, 20))
def test_same_wall_clock_time_each_day_across_dst(
    zone: str, start: date, minutes: int, length: int
) -> None:
    at = time(minutes // 60, minutes % 60)
    answers = [local_to_utc(start + timedelta(days=n), at, zone) for n in range(length)]
    assert streak_at(answers, zone, answers[-1]).current == length


def reference_streak(answered: set[date], today: date) -> Streak:
    """The rules walked day by day, as the module docstring states them: the spec."""
    seen = {day for day in answered if day <= today}
    if not seen:
        return Streak()
    current = best = freezes = 0
    day = min(seen)
    while day <= today:
        if day in seen:
            current += 1
            best = max(best, current)
            if current % 7 == 0:
                freezes = min(MAX_FREEZES, freezes + 1)
        elif day != today:
            following = day + timedelta(days=1)
            if current > 0 and freezes > 0 and (following in seen or following == today):
                freezes -= 1
            else:
                current = 0
        day += timedelta(days=1)
    return Streak(current, best, freezes, today in seen)


@settings(max_examples=300, deadline=None)
@given(offsets=st.sets(st.integers(0, 90), max_size=80), extra=st.integers(-5, 4))
def test_stored_state_matches_the_day_by_day_rules(offsets: set[int], extra: int) -> None:
    answered = {D0 + timedelta(days=n) for n in offsets}
    today = max(answered, default=D0) + timedelta(days=extra)
    assert compute_streak(answered, today) == reference_streak(answered, today)
    # Advancing one answer at a time (the answer path) gives the same state as a rebuild.
    state = None
    for day in sorted(answered):
        state = advance(state, day)
        assert streak_of(state, day) == reference_streak(answered, day)
    assert state == state_of(answered)


def test_usable_state_needs_the_same_zone_and_no_future_day() -> None:
    state = StreakState(D0, 3, 3, 0)
    stored = StoredStreak("Europe/Berlin", state)
    assert usable_state(stored, "Europe/Berlin", D0) == state
    assert usable_state(stored, "UTC", D0) is None
    assert usable_state(stored, "Europe/Berlin", D0 - timedelta(days=1)) is None
    assert usable_state(None, "UTC", D0) is None
