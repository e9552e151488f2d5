from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.models import AnswerKind, Verdict
from bot.errors import InvalidInputError, NotFoundError
from bot.services import Services
from tests.factories import ALICE, BAD, CHAT, GOOD, PARTIAL, FakeClock


async def answered_quiz(services: Services, *texts: str) -> list[str]:
    """A dl quiz answered with `texts`; returns the item ids in order."""
    await services.quizzes.start(ALICE, CHAT, "dl", len(texts))
    items = []
    for text in texts:
        current = await services.quizzes.current(ALICE, CHAT)
        assert current is not None
        items.append(current.item_id)
        await services.quizzes.answer(ALICE, CHAT, text)
    return items


async def test_no_cards_yet(services: Services) -> None:
    prompt = await services.reviews.next(ALICE)
    assert (prompt.question, prompt.due, prompt.next_due) == (None, 0, None)


async def test_graded_item_becomes_a_card(services: Services, clock: FakeClock) -> None:
    [item] = await answered_quiz(services, GOOD)
    card = await services.reviews.store.get_card(ALICE, item)
    assert card is not None
    assert card.last_review == clock.now() and card.due > clock.now()
    state = services.reviews.card_state(card.card_json)
    assert state.due == card.due


async def test_derived_rating_from_verdict(services: Services, clock: FakeClock) -> None:
    wrong, right = await answered_quiz(services, BAD, GOOD)
    store = services.reviews.store
    wrong_card, right_card = await store.get_card(ALICE, wrong), await store.get_card(ALICE, right)
    assert wrong_card is not None and right_card is not None
    # Again comes back after one minute, Good after ten (fsrs learning steps).
    assert wrong_card.due == clock.now() + timedelta(minutes=1)
    assert right_card.due == clock.now() + timedelta(minutes=10)


async def test_review_serves_most_overdue_first_and_says_when_next(
    services: Services, clock: FakeClock
) -> None:
    first, second = await answered_quiz(services, BAD, PARTIAL)
    prompt = await services.reviews.next(ALICE)
    assert prompt.question is None and prompt.due == 0
    assert prompt.next_due == clock.now() + timedelta(minutes=1)
    clock.advance(hours=1)
    prompt = await services.reviews.next(ALICE)
    assert prompt.question is not None and prompt.due == 2 and prompt.next_due is None
    assert (prompt.question.item_id, prompt.question.kind) == (first, AnswerKind.REVIEW)
    result = await services.reviews.answer(ALICE, CHAT, first, GOOD)
    assert (result.kind, result.verdict, result.points) == (AnswerKind.REVIEW, Verdict.CORRECT, 10)
    prompt = await services.reviews.next(ALICE)
    assert prompt.question is not None and prompt.question.item_id == second
    assert prompt.due == 1


async def test_review_answer_once_per_occurrence(services: Services, clock: FakeClock) -> None:
    [item] = await answered_quiz(services, BAD)
    clock.advance(minutes=5)
    first = await services.reviews.answer(ALICE, CHAT, item, GOOD)
    again = await services.reviews.answer(ALICE, CHAT, item, GOOD)
    assert first.counted and first.points == 10
    assert again.counted and again.points == 10  # the card moved on: a new occurrence
    never_answered = next(i for i in ("dl/q01", "dl/q02") if i != item)
    with pytest.raises(NotFoundError, match="not among your reviews"):
        await services.reviews.answer(ALICE, CHAT, never_answered, GOOD)


async def test_rating_after_reveal_replaces_the_derived_one(
    services: Services, clock: FakeClock
) -> None:
    [item] = await answered_quiz(services, GOOD)
    answered_at = clock.now()
    clock.advance(seconds=30)
    await services.reveals.reveal(ALICE, CHAT, item_id=item)
    rated = await services.reviews.rate(ALICE, item, "again")
    assert rated.replaced_derived and rated.rating == "again"
    assert rated.due == answered_at + timedelta(seconds=30, minutes=1)  # dated at the rating
    clock.advance(minutes=2)
    easy = await services.reviews.rate(ALICE, item, 4)
    assert not easy.replaced_derived and easy.rating == "easy"
    assert easy.due - clock.now() >= timedelta(days=1)


async def test_rating_days_later_is_a_new_review_dated_now(
    services: Services, clock: FakeClock
) -> None:
    [item] = await answered_quiz(services, GOOD)  # day 0
    clock.advance(days=3)
    prompt = await services.reviews.next(ALICE)
    assert prompt.question is not None and prompt.question.item_id == item
    await services.reveals.reveal(ALICE, CHAT, item_id=item)
    rated = await services.reviews.rate(ALICE, item, "good")
    assert not rated.replaced_derived
    assert rated.due >= clock.now() + timedelta(minutes=10)  # scheduled from day 3, not day 0
    after = await services.reviews.next(ALICE)
    assert after.question is None and after.due == 0  # the card left the due queue


async def test_review_times_come_in_the_users_zone(services: Services, clock: FakeClock) -> None:
    [item] = await answered_quiz(services, BAD)
    await services.users.set_timezone(ALICE, "Pacific/Pago_Pago", CHAT)
    prompt = await services.reviews.next(ALICE)
    assert prompt.next_due is not None
    assert prompt.next_due.utcoffset() == timedelta(hours=-11)
    assert prompt.next_due == clock.now() + timedelta(minutes=1)  # the same instant
    rated = await services.reviews.rate(ALICE, item, "good", CHAT)
    assert str(rated.due.tzinfo) == "Pacific/Pago_Pago"


async def test_rating_without_answer_creates_a_card(services: Services, clock: FakeClock) -> None:
    rated = await services.reviews.rate(ALICE, "dl/q01", "good")
    assert not rated.replaced_derived
    assert rated.due == clock.now() + timedelta(minutes=10)
    with pytest.raises(InvalidInputError, match="again, hard, good or easy"):
        await services.reviews.rate(ALICE, "dl/q01", "meh")
    with pytest.raises(NotFoundError):
        await services.reviews.rate(ALICE, "dl/none", "good")


async def test_review_points_share_the_quiz_cap(services: Services, clock: FakeClock) -> None:
    items = await answered_quiz(services, BAD, BAD, BAD, BAD, BAD)  # 5 points
    clock.advance(minutes=2)
    points = [(await services.reviews.answer(ALICE, CHAT, i, GOOD)).points for i in items[:4]]
    assert points == [10, 10, 10, 10]  # 45 so far
    assert (await services.reviews.answer(ALICE, CHAT, items[4], GOOD)).points == 5


async def test_cards_for_items_that_left_the_bank_are_skipped(
    services: Services, clock: FakeClock
) -> None:
    first, second = await answered_quiz(services, BAD, BAD)
    del services.reviews.bank.items[first]
    clock.advance(hours=1)
    prompt = await services.reviews.next(ALICE)
    assert prompt.question is not None and prompt.question.item_id == second
    assert prompt.due == 1
