from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.leaderboard import Period
from bot.domain.models import AnswerKind, AnswerRecord, ChatKey, GroupKey, UserKey, Verdict
from bot.errors import InvalidInputError
from bot.services import Services
from tests.factories import ALICE, BAD, BOB, CAROL, CHAT, GOOD, PARTIAL, FakeClock


async def names(services: Services) -> None:
    for user, name in ((ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol")):
        await services.users.ensure_user(user, name)


async def test_rank_points_accuracy_then_first_to_reach(
    services: Services, clock: FakeClock
) -> None:
    await names(services)
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl")
    await services.daily.today(CHAT)
    await services.answers.answer(BOB, CHAT, GOOD)
    clock.advance(minutes=1)
    await services.answers.answer(ALICE, CHAT, GOOD)
    await services.answers.answer(CAROL, CHAT, PARTIAL)
    clock.advance(minutes=1)
    # Carol reaches 10 points too, but with lower accuracy (1 correct of 3 answers).
    await services.quizzes.start(CAROL, CHAT, "cnn", 2)
    await services.quizzes.answer(CAROL, CHAT, BAD)
    await services.quizzes.answer(CAROL, CHAT, BAD)
    board = await services.leaderboards.leaderboard(CHAT, ALICE)
    assert board.period is Period.WEEK
    rows = [(r.rank, r.display_name, r.points, r.answered) for r in board.rows]
    assert rows == [(1, "Bob", 10, 1), (2, "Alice", 10, 1), (3, "Carol", 7, 3)]
    assert board.rows[2].accuracy == pytest.approx(0.5 / 3)
    assert [r.streak for r in board.rows] == [1, 1, 1]
    assert board.caller is not None and board.caller.rank == 2
    assert not board.caller_opted_out


async def test_top_ten_plus_callers_rank(services: Services, clock: FakeClock) -> None:
    store = services.leaderboards.store
    await services.users.ensure_chat(CHAT)
    group = GroupKey.of_chat(CHAT)
    users = [UserKey("telegram", f"u{n:02d}") for n in range(12)]
    for n, user in enumerate(users):
        await services.users.ensure_user(user, f"User {n}")
        for k in range(n + 1):
            await store.record_answer(
                AnswerRecord(user, CHAT, group, AnswerKind.QUIZ, f"quiz:{n}:{k}", "dl/q01",
                             Verdict.CORRECT, 1.0, 10, False, clock.now())
            )
    board = await services.leaderboards.leaderboard(CHAT, users[0], "all")
    assert len(board.rows) == 10
    assert [r.points for r in board.rows] == [120 - 10 * n for n in range(10)]
    assert board.caller is not None
    assert (board.caller.rank, board.caller.display_name, board.caller.points) == (12, "User 0", 10)
    mid = await services.leaderboards.leaderboard(CHAT, users[6], "all")
    assert mid.caller is not None and mid.caller.rank == 6
    nobody = await services.leaderboards.leaderboard(CHAT, ALICE, "all")
    assert nobody.caller is None


async def test_windows_in_the_groups_timezone(services: Services, clock: FakeClock) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "Asia/Tokyo", topics="dl")
    clock.set(datetime(2024, 3, 10, 16, 0, tzinfo=UTC))  # Monday 01:00 in Tokyo
    await services.quizzes.start(ALICE, CHAT, "cnn", 1)
    await services.quizzes.answer(ALICE, CHAT, GOOD)
    clock.set(datetime(2024, 3, 11, 2, 0, tzinfo=UTC))
    week = await services.leaderboards.leaderboard(CHAT, ALICE, "week")
    assert week.timezone == "Asia/Tokyo"
    assert week.start == datetime(2024, 3, 10, 15, 0, tzinfo=UTC)
    assert f"{week.start:%Y-%m-%d %H:%M}" == "2024-03-11 00:00"  # shown in the board's zone
    assert [r.points for r in week.rows] == [10]
    # Without the schedule the default zone (UTC) puts that answer in the previous week.
    await services.schedules.unsubscribe(CHAT)
    utc_week = await services.leaderboards.leaderboard(CHAT, ALICE, "week")
    assert utc_week.timezone == "UTC" and utc_week.rows == ()
    month = await services.leaderboards.leaderboard(CHAT, ALICE, "month")
    assert [r.points for r in month.rows] == [10]
    clock.set(datetime(2024, 4, 1, 0, 0, tzinfo=UTC))
    assert (await services.leaderboards.leaderboard(CHAT, ALICE, "month")).rows == ()
    assert len((await services.leaderboards.leaderboard(CHAT, ALICE, "all")).rows) == 1


async def test_boards_are_per_group(services: Services, clock: FakeClock) -> None:
    general, random = ChatKey("discord", "c1"), ChatKey("discord", "c2")
    elsewhere = ChatKey("discord", "c3")
    await services.users.ensure_chat(general, "guild-a")
    await services.users.ensure_chat(random, "guild-a")
    await services.users.ensure_chat(elsewhere, "guild-b")
    for chat, user in ((general, ALICE), (random, BOB), (elsewhere, CAROL)):
        await services.quizzes.start(user, chat, "cnn", 1)
        await services.quizzes.answer(user, chat, GOOD)
    board = await services.leaderboards.leaderboard(random, ALICE, "all")
    assert {r.user for r in board.rows} == {ALICE, BOB}
    assert board.group == GroupKey("discord", "guild-a")


async def test_opt_out_and_in(services: Services, clock: FakeClock) -> None:
    await names(services)
    for user in (ALICE, BOB):
        await services.quizzes.start(user, CHAT, "cnn", 1)
        await services.quizzes.answer(user, CHAT, GOOD)
    assert await services.leaderboards.opt_out(ALICE) is True
    board = await services.leaderboards.leaderboard(CHAT, ALICE)
    assert [r.display_name for r in board.rows] == ["Bob"]
    assert board.caller is None and board.caller_opted_out
    assert (await services.stats.stats(ALICE, CHAT)).answered == 1  # still counted for her
    assert await services.leaderboards.opt_in(ALICE) is False
    board = await services.leaderboards.leaderboard(CHAT, ALICE)
    assert {r.display_name for r in board.rows} == {"Alice", "Bob"}
    assert not board.caller_opted_out


async def test_unknown_period(services: Services) -> None:
    with pytest.raises(InvalidInputError, match="Did you mean: month"):
        await services.leaderboards.leaderboard(CHAT, ALICE, "mnth")
    assert (await services.leaderboards.leaderboard(CHAT, ALICE, "weekly")).period is Period.WEEK
