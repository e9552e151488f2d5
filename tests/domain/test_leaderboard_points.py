from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.leaderboard import Period, rank, window
from bot.domain.models import LeaderboardEntry, UserKey, Verdict, accuracy
from bot.domain.points import cap_points, points_for

NOW = datetime(2024, 3, 6, 12, 0, tzinfo=UTC)  # Wednesday


def test_week_window_starts_monday_local() -> None:
    win = window(Period.WEEK, NOW, "Europe/Berlin")
    assert win.start == datetime(2024, 3, 3, 23, 0, tzinfo=UTC)  # Mon 00:00 CET
    assert win.end == datetime(2024, 3, 10, 23, 0, tzinfo=UTC)


def test_week_window_across_dst_is_167_hours() -> None:
    win = window(Period.WEEK, datetime(2024, 3, 27, tzinfo=UTC), "Europe/Berlin")
    assert win.start is not None and win.end is not None
    assert win.end - win.start == timedelta(hours=167)


def test_week_window_depends_on_zone() -> None:
    sunday_late_utc = datetime(2024, 3, 10, 20, 0, tzinfo=UTC)  # Monday already in Tokyo
    assert window(Period.WEEK, sunday_late_utc, "UTC").start == datetime(
        2024, 3, 4, tzinfo=UTC
    )
    assert window(Period.WEEK, sunday_late_utc, "Asia/Tokyo").start == datetime(
        2024, 3, 10, 15, 0, tzinfo=UTC
    )


def test_month_window() -> None:
    win = window(Period.MONTH, NOW, "Asia/Kolkata")
    assert win.start == datetime(2024, 2, 29, 18, 30, tzinfo=UTC)
    assert win.end == datetime(2024, 3, 31, 18, 30, tzinfo=UTC)
    december = window(Period.MONTH, datetime(2024, 12, 15, tzinfo=UTC), "UTC")
    assert december.end == datetime(2025, 1, 1, tzinfo=UTC)


def test_all_window_is_unbounded() -> None:
    win = window(Period.ALL, NOW, "UTC")
    assert (win.start, win.end) == (None, None)


def entry(
    name: str, points: int, answered: int, correct: int, partial: int, minute: int
) -> LeaderboardEntry:
    reached = NOW + timedelta(minutes=minute)
    return LeaderboardEntry(UserKey("t", name), name, points, answered, correct, partial, reached)


def test_rank_by_points_then_accuracy_then_first_to_reach() -> None:
    ranked = rank(
        [
            entry("late", 20, 2, 2, 0, 9),
            entry("accurate", 20, 2, 2, 0, 5),
            entry("sloppy", 20, 4, 1, 2, 1),
            entry("top", 30, 3, 3, 0, 7),
            entry("twin", 20, 2, 2, 0, 5),
        ]
    )
    names = [r.entry.display_name for r in ranked]
    assert names == ["top", "accurate", "twin", "late", "sloppy"]
    assert [r.rank for r in ranked] == [1, 2, 2, 4, 5]


def test_accuracy_counts_partial_as_half() -> None:
    assert accuracy(1, 2, 4) == 0.5
    assert accuracy(0, 0, 0) == 0.0


def test_points_and_cap() -> None:
    assert [points_for(v) for v in Verdict] == [10, 5, 1]
    assert cap_points(10, 0, 50) == 10
    assert cap_points(10, 45, 50) == 5
    assert cap_points(10, 50, 50) == 0
    assert cap_points(10, 60, 50) == 0
