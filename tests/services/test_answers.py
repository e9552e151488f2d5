from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.choices import clean_option
from bot.domain.models import AnswerKind, Verdict
from bot.errors import InvalidInputError, NotFoundError
from bot.ports import InspectableStore
from bot.services import Services
from tests.factories import ALICE, BAD, BOB, CHAT, GOOD, PARTIAL, FakeClock


async def daily(services: Services, topics: str = "dl") -> str:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics=topics)
    return (await services.daily.today(CHAT)).question.item_id


async def test_answer_without_target_goes_to_todays_daily(services: Services) -> None:
    item_id = await daily(services)
    result = await services.answers.answer(ALICE, CHAT, GOOD)
    assert (result.item_id, result.kind) == (item_id, AnswerKind.DAILY)
    assert (result.verdict, result.score, result.points) == (Verdict.CORRECT, 1.0, 10)
    assert result.counted and not result.forfeited
    assert result.covered == ("Uses alpha.", "Uses beta.", "Uses gamma.", "Uses delta.")
    assert result.short_answer == f"Short answer of {item_id}."
    assert result.streak.current == 1


@pytest.mark.parametrize(
    ("text", "verdict", "points"),
    [(GOOD, Verdict.CORRECT, 10), (PARTIAL, Verdict.PARTIAL, 5), (BAD, Verdict.INCORRECT, 1)],
)
async def test_points_per_verdict(
    services: Services, text: str, verdict: Verdict, points: int
) -> None:
    await daily(services)
    result = await services.answers.answer(ALICE, CHAT, text)
    assert (result.verdict, result.points) == (verdict, points)
    assert await services.answers.store.points_between(ALICE, None, None) == points


async def test_only_first_answer_per_post_earns_points(services: Services) -> None:
    await daily(services)
    first = await services.answers.answer(ALICE, CHAT, BAD)
    second = await services.answers.answer(ALICE, CHAT, GOOD)
    assert (first.points, first.counted) == (1, True)
    assert (second.verdict, second.points, second.counted) == (Verdict.CORRECT, 0, False)
    assert await services.answers.store.points_between(ALICE, None, None) == 1
    other = await services.answers.answer(BOB, CHAT, GOOD)
    assert other.points == 10  # per user


async def test_reveal_before_answering_forfeits_points_but_keeps_streak(
    services: Services,
) -> None:
    await daily(services)
    revealed = await services.reveals.reveal(ALICE, CHAT)
    assert revealed.points_forfeited
    result = await services.answers.answer(ALICE, CHAT, GOOD)
    assert (result.verdict, result.points, result.forfeited, result.counted) == (
        Verdict.CORRECT, 0, True, True
    )
    assert result.streak.current == 1
    assert (await services.stats.stats(ALICE, CHAT)).answered == 1


async def test_reveal_after_answering_keeps_points(services: Services) -> None:
    await daily(services)
    result = await services.answers.answer(ALICE, CHAT, GOOD)
    revealed = await services.reveals.reveal(ALICE, CHAT)
    assert revealed.answered and not revealed.points_forfeited
    assert result.points == 10
    assert await services.answers.store.points_between(ALICE, None, None) == 10


async def test_answer_after_channel_reveal_earns_nothing(
    services: Services, clock: FakeClock
) -> None:
    await daily(services)
    post = await services.daily.today(CHAT)
    await services.reveals.reveal_channel(post.post_id)
    clock.advance(minutes=1)
    result = await services.answers.answer(ALICE, CHAT, GOOD)
    assert (result.points, result.forfeited) == (0, True)


async def test_yesterdays_post_is_answered_until_todays_exists(
    services: Services, clock: FakeClock
) -> None:
    first = await daily(services)
    clock.advance(hours=20)  # the next day, before its post
    assert (await services.answers.answer(ALICE, CHAT, GOOD)).item_id == first
    second = (await services.daily.today(CHAT)).question.item_id
    assert (await services.answers.answer(ALICE, CHAT, GOOD)).item_id == second


async def test_answer_a_specific_post(services: Services, clock: FakeClock) -> None:
    await daily(services)
    old = await services.daily.today(CHAT)
    clock.advance(days=1)
    await services.daily.today(CHAT)
    result = await services.answers.answer_daily(ALICE, CHAT, GOOD, post_id=old.post_id)
    assert result.item_id == old.question.item_id and result.points == 10


async def test_choice_answers(services: Services, clock: FakeClock) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="cards")
    for _ in range(6):
        post = await services.daily.today(CHAT)
        if post.question.item_id == "cards/bn":
            break
        clock.advance(days=1)
    assert post.question.item_id == "cards/bn"
    wrong = await services.answers.answer(ALICE, CHAT, choice=2)
    assert (wrong.verdict, wrong.points, wrong.correct_option) == (
        Verdict.INCORRECT, 1, "Right option"
    )
    right = await services.answers.answer(BOB, CHAT, choice="Right option")
    assert (right.verdict, right.points) == (Verdict.CORRECT, 10)
    with pytest.raises(InvalidInputError, match="1 to 3"):
        await services.answers.answer(BOB, CHAT, choice=4)


async def test_flashcard_choice_by_number(services: Services, clock: FakeClock) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="activation-functions")
    post = await services.daily.today(CHAT)
    definition = clean_option(services.topics.bank.items[post.question.item_id].definition or "")
    number = post.question.options.index(definition) + 1
    result = await services.answers.answer(ALICE, CHAT, choice=number)
    assert (result.verdict, result.points, result.correct_option) == (
        Verdict.CORRECT, 10, definition
    )


async def test_open_item_rejects_choice_and_empty_text(services: Services) -> None:
    await daily(services)
    with pytest.raises(InvalidInputError, match="no options"):
        await services.answers.answer(ALICE, CHAT, choice=1)
    with pytest.raises(InvalidInputError, match="Write your answer"):
        await services.answers.answer(ALICE, CHAT, "   ")
    assert await services.answers.store.points_between(ALICE, None, None) == 0


async def test_no_daily_question_yet(services: Services) -> None:
    with pytest.raises(NotFoundError, match="no daily question"):
        await services.answers.answer(ALICE, CHAT, GOOD)


async def test_answer_routes_to_active_quiz_first(services: Services) -> None:
    await daily(services)
    start = await services.quizzes.start(ALICE, CHAT, "cnn", 2)
    assert start.question is not None
    result = await services.answers.answer(ALICE, CHAT, GOOD)
    assert (result.kind, result.item_id) == (AnswerKind.QUIZ, start.question.item_id)
    # Bob has no quiz: his /answer goes to the daily question.
    assert (await services.answers.answer(BOB, CHAT, GOOD)).kind is AnswerKind.DAILY


async def test_misconception_is_reported(services: Services, clock: FakeClock) -> None:
    from tests.factories import bank as make_bank
    from tests.factories import deck, open_item

    item = open_item("m/q01", misconceptions=["Dropout stays active at inference time."])
    services.topics.bank.items.clear()
    services.topics.bank.items.update(make_bank(deck("m", [item])).items)
    await services.daily.today(CHAT)
    result = await services.answers.answer(
        ALICE, CHAT, "It uses alpha, beta, gamma and delta. Dropout stays active at inference time."
    )
    assert result.misconceptions == ("Dropout stays active at inference time.",)
    assert result.verdict is Verdict.PARTIAL


async def test_answer_times_are_recorded_for_stats(
    services: Services, store: InspectableStore, clock: FakeClock
) -> None:
    await daily(services)
    await services.answers.answer(ALICE, CHAT, GOOD)
    clock.advance(days=1)
    await services.daily.today(CHAT)
    clock.advance(minutes=5)
    await services.answers.answer(ALICE, CHAT, PARTIAL)
    times = await store.answer_times(ALICE)
    assert times[1] - times[0] == timedelta(days=1)  # floored to the quarter hour
