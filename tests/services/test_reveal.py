from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.models import AnswerKind, Verdict
from bot.errors import InvalidInputError, NotFoundError, StaleQuestionError
from bot.services import Services
from tests.factories import ALICE, BAD, BOB, CAROL, CHAT, GOOD, PARTIAL, FakeClock


async def test_user_reveal_short_then_full(services: Services) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl")
    post = await services.daily.today(CHAT)
    item = services.topics.bank.items[post.question.item_id]
    short = await services.reveals.reveal(ALICE, CHAT)
    assert (short.stage, short.full, short.kind) == (1, False, AnswerKind.DAILY)
    assert short.short_answer == item.short_answer and short.answer == ""
    full = await services.reveals.reveal(ALICE, CHAT)
    assert full.full and full.answer == item.answer
    assert full.key_points == tuple(p.text for p in item.key_points)
    # Reveals are per user: Bob starts at the short answer.
    assert (await services.reveals.reveal(BOB, CHAT)).stage == 1


async def test_reveal_without_question(services: Services) -> None:
    with pytest.raises(NotFoundError):
        await services.reveals.reveal(ALICE, CHAT)


async def test_channel_reveal_summary(services: Services, clock: FakeClock) -> None:
    for user, name in ((ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol")):
        await services.users.ensure_user(user, name)
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl", reveal_delay=6)
    post = await services.daily.today(CHAT)
    await services.answers.answer(ALICE, CHAT, PARTIAL)
    clock.advance(minutes=1)
    await services.answers.answer(BOB, CHAT, GOOD)
    clock.advance(minutes=1)
    await services.answers.answer(CAROL, CHAT, BAD)
    await services.answers.answer(CAROL, CHAT, GOOD)  # a repeat does not count twice
    reveal = await services.reveals.reveal_channel(post.post_id)
    item = services.topics.bank.items[post.question.item_id]
    assert reveal.first and reveal.answer == item.answer
    assert reveal.answered == 3
    assert [(line.display_name, line.verdict, line.points) for line in reveal.top] == [
        ("Bob", Verdict.CORRECT, 10),
        ("Alice", Verdict.PARTIAL, 5),
        ("Carol", Verdict.INCORRECT, 1),
    ]
    again = await services.reveals.reveal_channel(post.post_id)
    assert not again.first and again.answered == 3


async def test_due_reveals_after_the_delay(services: Services, clock: FakeClock) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl", reveal_delay=6)
    post = await services.daily.today(CHAT)
    assert post.reveal_at == clock.now() + timedelta(hours=6)
    clock.advance(hours=5, minutes=59)
    assert await services.reveals.reveal_due() == []
    clock.advance(minutes=1)
    due = await services.reveals.reveal_due()
    assert [r.post_id for r in due] == [post.post_id]
    assert await services.reveals.reveal_due() == []


async def test_no_automatic_reveal_with_zero_delay(services: Services, clock: FakeClock) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl", reveal_delay=0)
    await services.daily.today(CHAT)
    clock.advance(days=3)
    assert await services.reveals.reveal_due() == []


async def test_reveal_targets_the_active_quiz(services: Services) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl")
    await services.daily.today(CHAT)
    start = await services.quizzes.start(ALICE, CHAT, "cnn", 1)
    revealed = await services.reveals.reveal(ALICE, CHAT)
    assert start.question is not None
    assert (revealed.kind, revealed.item_id) == (AnswerKind.QUIZ, start.question.item_id)


async def test_due_reveal_skips_posts_whose_item_left(
    services: Services, clock: FakeClock
) -> None:
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="dl", reveal_delay=1)
    gone = await services.daily.today(CHAT)
    clock.advance(days=1)
    kept = await services.daily.today(CHAT)
    del services.topics.bank.items[gone.question.item_id]
    clock.advance(hours=2)
    assert [r.post_id for r in await services.reveals.reveal_due()] == [kept.post_id]
    assert await services.reveals.reveal_due() == []


async def test_revealing_a_review_card_forfeits_its_points(
    services: Services, clock: FakeClock
) -> None:
    await services.quizzes.start(ALICE, CHAT, "cnn", 1)
    current = await services.quizzes.current(ALICE, CHAT)
    assert current is not None
    await services.quizzes.answer(ALICE, CHAT, BAD)
    clock.advance(minutes=5)
    revealed = await services.reveals.reveal(ALICE, CHAT, item_id=current.item_id)
    assert revealed.kind is AnswerKind.REVIEW and revealed.points_forfeited
    result = await services.reviews.answer(ALICE, CHAT, current.item_id, GOOD)
    assert (result.points, result.forfeited, result.counted) == (0, True, True)


async def test_answered_and_skipped_quiz_questions_may_always_be_revealed(
    services: Services,
) -> None:
    start = await services.quizzes.start(ALICE, CHAT, "cnn", 3)
    assert start.session_id is not None and start.question is not None
    session = start.session_id
    first = start.question.item_id
    answered = await services.quizzes.answer(ALICE, CHAT, GOOD)
    assert answered.counted and answered.points > 0
    # Question 1 is answered: its answer, not the current question's, and nothing forfeited.
    shown = await services.reveals.reveal(ALICE, CHAT, quiz=(session, 1))
    assert (shown.item_id, shown.kind, shown.stage) == (first, AnswerKind.QUIZ, 1)
    assert shown.answered and not shown.points_forfeited
    assert (await services.reveals.reveal(ALICE, CHAT, quiz=(session, 1))).full
    # Question 3 was never reached: refused, and revealing nothing else.
    with pytest.raises(InvalidInputError, match="never reached"):
        await services.reveals.reveal(ALICE, CHAT, quiz=(session, 3))
    # Skipped: revealable, nothing to forfeit (it can no longer be answered).
    step = await services.quizzes.skip(ALICE, CHAT)
    skipped = await services.reveals.reveal(ALICE, CHAT, quiz=(session, 2))
    assert skipped.item_id == step.skipped.item_id
    assert not skipped.answered and not skipped.points_forfeited
    # The current, unanswered question forfeits its points, as before.
    assert step.next_question is not None
    current = await services.reveals.reveal(ALICE, CHAT, quiz=(session, 3))
    assert current.item_id == step.next_question.item_id and current.points_forfeited
    late = await services.quizzes.answer(ALICE, CHAT, GOOD)
    assert late.forfeited and late.points == 0
    # The quiz is over now; its questions still show, other people's never do.
    assert (await services.reveals.reveal(ALICE, CHAT, quiz=(session, 1))).item_id == first
    with pytest.raises(StaleQuestionError) as refused:
        await services.reveals.reveal(BOB, CHAT, quiz=(session, 1))
    assert refused.value.reason == "not_yours"


async def test_an_unreached_question_of_a_stopped_quiz_is_refused(services: Services) -> None:
    start = await services.quizzes.start(ALICE, CHAT, "cnn", 2)
    assert start.session_id is not None
    await services.quizzes.stop(ALICE, CHAT)
    with pytest.raises(InvalidInputError, match="never reached"):
        await services.reveals.reveal(ALICE, CHAT, quiz=(start.session_id, 1))
