from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.ports import Store
from bot.services import Services
from bot.storage.memory import MemoryStore
from bot.storage.postgres import PostgresStore
from bot.storage.sqlite import SqliteStore
from tests.factories import ALICE, BAD, CHAT, GOOD, PARTIAL, FakeClock


async def answer_daily(services: Services, text: str) -> None:
    await services.daily.today(CHAT)
    await services.answers.answer(ALICE, CHAT, text)


async def test_stats_overall_and_by_tag(services: Services, clock: FakeClock) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl")
    await answer_daily(services, GOOD)
    await services.quizzes.start(ALICE, CHAT, "cnn", 2)
    await services.quizzes.answer(ALICE, CHAT, PARTIAL)
    await services.quizzes.answer(ALICE, CHAT, BAD)
    stats = await services.stats.stats(ALICE, CHAT)
    assert stats.answered == 3
    assert stats.accuracy == pytest.approx(0.5)  # (1 + 0.5) / 3
    tags = {t.tag: (t.answered, t.accuracy) for t in stats.by_tag}
    assert tags == {"cnn": (2, 0.25), "regularization": (1, 1.0)}
    assert stats.by_tag[0].tag == "cnn"  # most answered first
    assert stats.points_week == 16
    assert stats.streak.current == 1 and stats.streak.answered_today
    assert stats.timezone == "UTC"
    assert stats.due_reviews == 0
    clock.advance(hours=1)
    assert (await services.stats.stats(ALICE, CHAT)).due_reviews == 3


async def test_points_this_week_resets_on_monday(services: Services, clock: FakeClock) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl")
    clock.set(datetime(2024, 3, 10, 12, tzinfo=UTC))  # Sunday
    await answer_daily(services, GOOD)
    assert (await services.stats.stats(ALICE, CHAT)).points_week == 10
    clock.set(datetime(2024, 3, 11, 0, 1, tzinfo=UTC))  # Monday
    stats = await services.stats.stats(ALICE, CHAT)
    assert (stats.points_week, stats.answered) == (0, 1)


async def test_streak_with_freeze(services: Services, clock: FakeClock) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl")
    for _ in range(7):
        await answer_daily(services, BAD)
        clock.advance(days=1)
    streak = await services.stats.streak(ALICE, CHAT)
    assert (streak.current, streak.best, streak.freezes, streak.answered_today) == (
        7, 7, 1, False
    )
    clock.advance(days=1)  # a day missed: the freeze bridges it
    streak = await services.stats.streak(ALICE, CHAT)
    assert (streak.current, streak.freezes) == (7, 0)
    await answer_daily(services, BAD)
    assert (await services.stats.streak(ALICE, CHAT)).current == 8
    clock.advance(days=3)  # two days missed, no freeze left
    assert (await services.stats.streak(ALICE, CHAT)).current == 0
    assert (await services.stats.streak(ALICE, CHAT)).best == 8


async def test_streak_uses_the_users_timezone(services: Services, clock: FakeClock) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl")
    # 18:00 and 19:00 UTC are the same UTC day, but 19:00 UTC is already the next day in
    # Kolkata (00:30), so in Kolkata time the user has a two-day streak.
    clock.set(datetime(2024, 3, 4, 18, 0, tzinfo=UTC))
    await answer_daily(services, GOOD)
    clock.advance(hours=1)
    await services.quizzes.start(ALICE, CHAT, "cnn", 1)
    await services.quizzes.answer(ALICE, CHAT, GOOD)
    assert (await services.stats.streak(ALICE, CHAT)).current == 1
    await services.users.set_timezone(ALICE, "Asia/Kolkata")
    assert (await services.stats.streak(ALICE, CHAT)).current == 2


async def test_stats_for_a_newcomer(services: Services, clock: FakeClock) -> None:
    stats = await services.stats.stats(ALICE)
    assert (stats.answered, stats.accuracy, stats.by_tag, stats.points_week) == (0, 0.0, (), 0)
    assert stats.streak.current == 0


async def forget_stored_streaks(store: Store) -> None:
    """What a database from before migration 004 looks like: answers, no streak rows."""
    if isinstance(store, SqliteStore):
        await store._db.execute("DELETE FROM streaks")
        await store._db.commit()
    elif isinstance(store, PostgresStore):
        await store.execute("DELETE FROM streaks")
    else:
        assert isinstance(store, MemoryStore)
        store.streaks.clear()


async def test_streak_counts_answers_stored_before_streaks_were(
    services: Services, clock: FakeClock
) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl")
    for _ in range(3):
        await answer_daily(services, BAD)
        clock.advance(days=1)
    await forget_stored_streaks(services.stats.store)
    assert (await services.stats.streak(ALICE, CHAT)).current == 3
    await answer_daily(services, BAD)  # continues from the answers, then stores the streak
    assert await services.stats.store.streak_states([ALICE]) != {}
    streak = await services.stats.streak(ALICE, CHAT)
    assert (streak.current, streak.answered_today) == (4, True)


async def test_streak_follows_a_timezone_change_on_the_next_answer(
    services: Services, clock: FakeClock
) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl")
    clock.set(datetime(2024, 3, 4, 18, 0, tzinfo=UTC))
    await answer_daily(services, GOOD)
    clock.advance(hours=1)  # 00:30 on March 5 in Kolkata
    await services.users.set_timezone(ALICE, "Asia/Kolkata")
    await services.quizzes.start(ALICE, CHAT, "cnn", 1)
    result = await services.quizzes.answer(ALICE, CHAT, GOOD)
    assert result.streak.current == 2
    stored = await services.stats.store.streak_states([ALICE])
    assert stored[ALICE].zone == "Asia/Kolkata"
