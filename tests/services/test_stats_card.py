"""The /stats picture's data: the same numbers as the text, plus activity, forecast, rank."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain.models import UserKey
from bot.domain.streaks import bridged_days
from bot.services import Services
from bot.services.results import CARD_WEEKS, FORECAST_DAYS
from tests.factories import ALICE, BAD, BOB, CHAT, GOOD, PARTIAL, FakeClock


async def answer_daily(services: Services, text: str, user: UserKey = ALICE) -> None:
    await services.daily.today(CHAT)
    await services.answers.answer(user, CHAT, text)


async def test_empty_user_card(services: Services, clock: FakeClock) -> None:
    clock.set(datetime(2024, 3, 13, 12, tzinfo=UTC))  # a Wednesday
    card = await services.stats.card(ALICE, CHAT)
    assert card.view.answered == 0
    assert card.answered_days == () and card.freeze_days == ()
    assert card.forecast == (0,) * FORECAST_DAYS
    assert (card.points_all, card.rank, card.last_answer) == (0, None, None)
    assert card.today == date(2024, 3, 13)
    assert card.start.weekday() == 0
    assert (card.today - card.start).days == 7 * (CARD_WEEKS - 1) + 2


async def test_card_shares_the_texts_numbers(services: Services, clock: FakeClock) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl")
    await answer_daily(services, GOOD)
    await services.quizzes.start(ALICE, CHAT, "cnn", 2)
    await services.quizzes.answer(ALICE, CHAT, PARTIAL)
    await services.quizzes.answer(ALICE, CHAT, BAD)
    await answer_daily(services, BAD, BOB)
    card = await services.stats.card(ALICE, CHAT)
    assert card.view == await services.stats.stats(ALICE, CHAT)
    cnn = card.tags[0]
    assert (cnn.tag, cnn.answered, cnn.correct, cnn.partial, cnn.incorrect) == ("cnn", 2, 0, 1, 1)
    assert card.answered_days == (card.today,)
    assert card.points_all == card.view.points_week == 16
    assert (card.rank, card.ranked) == (1, 2)
    assert (await services.stats.card(BOB, CHAT)).rank == 2
    assert (await services.stats.card(ALICE, None)).rank is None
    # Three new cards come due later: none is due now, all are in the forecast.
    assert card.view.due_reviews == 0
    assert sum(card.forecast) == 3
    clock.advance(hours=1)
    later = await services.stats.card(ALICE, CHAT)
    assert later.view.due_reviews == 3 and sum(later.forecast) == 0


async def test_activity_marks_answered_and_bridged_days(
    services: Services, clock: FakeClock
) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl")
    clock.set(datetime(2024, 3, 4, 12, tzinfo=UTC))
    first = date(2024, 3, 4)
    for _ in range(7):
        await answer_daily(services, BAD)
        clock.advance(days=1)
    clock.advance(days=1)  # 2024-03-12 missed: the earned freeze bridges it
    await answer_daily(services, BAD)
    card = await services.stats.card(ALICE, CHAT)
    assert card.answered_days == (*(first + timedelta(days=i) for i in range(7)), card.today)
    assert card.freeze_days == (date(2024, 3, 11),)
    assert card.view.streak.current == 8
    # Answers older than the grid are left out of it.
    clock.advance(weeks=CARD_WEEKS + 1)
    assert (await services.stats.card(ALICE, CHAT)).answered_days == ()


def test_bridged_days_need_a_held_freeze() -> None:
    start = date(2024, 1, 1)
    six = [start + timedelta(days=i) for i in range(6)]
    assert bridged_days([*six, start + timedelta(days=7)]) == set()  # no freeze yet
    seven = [start + timedelta(days=i) for i in range(7)]
    assert bridged_days([*seven, start + timedelta(days=8)]) == {start + timedelta(days=7)}
    assert bridged_days([*seven, start + timedelta(days=9)]) == set()  # two days: broken
