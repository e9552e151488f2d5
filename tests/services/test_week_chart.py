"""The group's week as a chart: points per member and local day, from the board's rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain.models import AnswerKind, AnswerRecord, GroupKey, UserKey, Verdict
from bot.services import Services
from tests.factories import ALICE, BOB, CAROL, CHAT, FakeClock

# Wednesday 2024-03-13, 12:00 in Tokyo; the week runs from Monday 2024-03-11 00:00 Tokyo
# (Sunday 15:00 UTC).
NOW = datetime(2024, 3, 13, 3, 0, tzinfo=UTC)
MONDAY = date(2024, 3, 11)


async def record(
    services: Services, user: UserKey, points: int, at: datetime, n: int, verdict: Verdict
) -> None:
    await services.leaderboards.store.record_answer(
        AnswerRecord(user, CHAT, GroupKey.of_chat(CHAT), AnswerKind.QUIZ, f"quiz:{n}:0",
                     "dl/q01", verdict, 1.0, points, False, at)
    )


async def a_week(services: Services, clock: FakeClock) -> None:
    """Answers on several local days, around the week's and the days' edges in Tokyo."""
    await services.schedules.subscribe(CHAT, "09:00", "Asia/Tokyo", topics="dl")
    for user, name in ((ALICE, "Alice"), (BOB, "Bob $x$ <@123>"), (CAROL, "Carol")):
        await services.users.ensure_user(user, name)
    sunday_late = datetime(2024, 3, 10, 14, 59, tzinfo=UTC)  # last week, 23:59 Tokyo
    monday_early = datetime(2024, 3, 10, 15, 0, tzinfo=UTC)  # Monday 00:00 Tokyo
    tuesday_late = datetime(2024, 3, 12, 14, 59, tzinfo=UTC)  # Tuesday 23:59 Tokyo
    wednesday = datetime(2024, 3, 12, 15, 30, tzinfo=UTC)  # Wednesday 00:30 Tokyo
    answers = [
        (ALICE, 10, sunday_late, Verdict.CORRECT),
        (ALICE, 10, monday_early, Verdict.CORRECT),
        (ALICE, 7, tuesday_late, Verdict.PARTIAL),
        (ALICE, 0, wednesday, Verdict.INCORRECT),
        (BOB, 5, tuesday_late - timedelta(hours=3), Verdict.PARTIAL),
        (BOB, 10, wednesday, Verdict.CORRECT),
        (BOB, 2, wednesday + timedelta(minutes=5), Verdict.PARTIAL),
        (CAROL, 0, monday_early + timedelta(hours=2), Verdict.INCORRECT),
    ]
    for n, (user, points, at, verdict) in enumerate(answers):
        await record(services, user, points, at, n, verdict)
    clock.set(NOW)


async def test_members_days_add_up_to_the_board(services: Services, clock: FakeClock) -> None:
    await a_week(services, clock)
    chart = await services.leaderboards.week_chart(CHAT, ALICE)
    board = await services.leaderboards.leaderboard(CHAT, ALICE, "week")
    assert chart.board == board  # the same ranks, points, ties and caller row
    assert chart.days == tuple(MONDAY + timedelta(days=n) for n in range(7))
    assert [row.display_name for row in chart.members] == ["Bob $x$ <@123>", "Alice", "Carol"]
    assert [sum(days) for days in chart.points] == [row.points for row in board.rows]
    assert chart.points == (
        (0, 5, 12, 0, 0, 0, 0),  # Bob: Tuesday, Wednesday (two answers)
        (10, 7, 0, 0, 0, 0, 0),  # Alice: not last Sunday's 10
        (0, 0, 0, 0, 0, 0, 0),  # Carol answered, earning nothing
    )


async def test_top_ten_and_opted_out_members_left_out(
    services: Services, clock: FakeClock
) -> None:
    await a_week(services, clock)
    await services.leaderboards.opt_out(BOB)
    extra = [UserKey("telegram", f"x{n}") for n in range(10)]
    for n, user in enumerate(extra):
        await services.users.ensure_user(user, f"X{n}")
        await record(services, user, 1 + n, NOW - timedelta(hours=n), 100 + n, Verdict.CORRECT)
    chart = await services.leaderboards.week_chart(CHAT, CAROL)
    board = await services.leaderboards.leaderboard(CHAT, CAROL, "week")
    assert chart.board == board
    assert len(chart.members) == len(chart.points) == 10
    assert all(row.user != BOB for row in chart.members)
    assert [sum(days) for days in chart.points] == [row.points for row in board.rows]
    assert chart.board.caller is not None and chart.board.caller.display_name == "Carol"


async def test_an_empty_week(services: Services, clock: FakeClock) -> None:
    await services.users.ensure_chat(CHAT)
    clock.set(NOW)
    chart = await services.leaderboards.week_chart(CHAT, ALICE)
    assert chart.members == () and chart.points == ()
    assert chart.board.rows == ()
    assert len(chart.days) == 7 and chart.days[0].weekday() == 0
