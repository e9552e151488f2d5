from __future__ import annotations

from collections.abc import Awaitable

import pytest

from bot.domain.models import AnswerKind, Verdict
from bot.errors import InvalidInputError, NotFoundError, StaleQuestionError
from bot.services import Services
from tests.factories import ALICE, BAD, BOB, CHAT, GOOD, OTHER_CHAT, PARTIAL, FakeClock


async def test_start_default_five_one_at_a_time(services: Services) -> None:
    start = await services.quizzes.start(ALICE, CHAT)
    assert start.started and (start.total, start.requested) == (5, 5)
    assert start.question is not None
    assert (start.question.position, start.question.total) == (1, 5)
    assert start.question.kind is AnswerKind.QUIZ
    current = await services.quizzes.current(ALICE, CHAT)
    assert current == start.question
    if current.options:
        result = await services.quizzes.answer(ALICE, CHAT, choice=1)
    else:
        result = await services.quizzes.answer(ALICE, CHAT, GOOD)
    assert result.next_question is not None and result.next_question.position == 2
    assert result.summary is None


async def test_topic_count_difficulty(services: Services) -> None:
    start = await services.quizzes.start(ALICE, CHAT, "DL", 3, "medium")
    assert start.total == 3
    session = await services.quizzes.store.get_active_quiz(ALICE, CHAT)
    assert session is not None
    assert all(item.startswith("dl/") for item in session.item_ids)
    assert (session.topic, session.difficulty) == ("dl", "medium")


async def test_pool_smaller_than_count(services: Services) -> None:
    start = await services.quizzes.start(ALICE, CHAT, "cnn", 10)
    assert (start.total, start.requested) == (3, 10)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"count": 21}, "1 to 20"),
        ({"count": 0}, "1 to 20"),
        ({"topic": "transformer"}, "Unknown topic"),
        ({"topic": "dl", "difficulty": "hardest"}, "Did you mean: hard"),
        ({"topic": "cnn", "difficulty": "hard"}, "No questions for hard cnn"),
    ],
)
async def test_invalid_quiz_requests(
    services: Services, args: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        await services.quizzes.start(ALICE, CHAT, **args)  # type: ignore[arg-type]
    assert await services.quizzes.active(ALICE, CHAT) is None


async def test_unknown_topic_suggests_closest(services: Services) -> None:
    with pytest.raises(InvalidInputError, match="Did you mean: regularization"):
        await services.quizzes.start(ALICE, CHAT, "regularisation")


def test_parse_args(services: Services) -> None:
    parse = services.quizzes.parse_args
    assert parse(["cnn", "10", "hard"]) == ("cnn", 10, "hard")
    assert parse(["7", "Easy"]) == (None, 7, "easy")
    assert parse([]) == (None, None, None)
    with pytest.raises(InvalidInputError, match="One topic"):
        parse(["cnn", "dl"])
    with pytest.raises(InvalidInputError, match="One count per quiz, got 5 and 10"):
        parse(["5", "cnn", "10"])
    with pytest.raises(InvalidInputError, match="One difficulty per quiz, got easy and hard"):
        parse(["easy", "Hard"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cnn", "-3"], "A quiz has 1 to 20 questions, not -3"),
        (["cnn", "21"], "A quiz has 1 to 20 questions, not 21"),
        (["cnn", "3", "impossible"], "'impossible' is not a difficulty"),
        (["cnn", "3", "hardd"], "'hardd' is not a difficulty. Did you mean: hard"),
        (["impossible", "cnn"], "'impossible' is not a difficulty"),
    ],
)
def test_parse_args_names_the_mistake(
    services: Services, args: list[str], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message) as caught:
        services.quizzes.parse_args(args)
    assert "count is 1-20, difficulty is easy, medium or hard" in str(caught.value)
    assert "One topic" not in str(caught.value)


async def test_unknown_topic_suggests_only_close_names(services: Services) -> None:
    with pytest.raises(InvalidInputError) as caught:
        await services.quizzes.start(ALICE, CHAT, "nosuchtopic")
    assert "Did you mean" not in str(caught.value)  # nothing is close: no arbitrary tags
    assert "see /topics" in str(caught.value)
    with pytest.raises(InvalidInputError, match=r"Did you mean: normalization\?"):
        await services.quizzes.start(ALICE, CHAT, "normalisaton")


async def test_full_quiz_summary(services: Services) -> None:
    await services.quizzes.start(ALICE, CHAT, "dl", 4)
    first = await services.quizzes.answer(ALICE, CHAT, GOOD)
    second = await services.quizzes.answer(ALICE, CHAT, PARTIAL)
    step = await services.quizzes.skip(ALICE, CHAT)
    assert step.next_question is not None and step.next_question.position == 4
    assert step.summary is None
    last = await services.quizzes.answer(ALICE, CHAT, BAD)
    assert (first.points, second.points, last.points) == (10, 5, 1)
    summary = last.summary
    assert summary is not None and last.next_question is None
    assert (summary.total, summary.correct, summary.partial, summary.incorrect) == (4, 1, 1, 1)
    assert (summary.skipped, summary.unanswered, summary.points, summary.stopped) == (
        1, 0, 16, False
    )
    session = await services.quizzes.store.get_quiz(summary.session_id)
    assert session is not None
    assert [ref.item_id for ref in summary.to_review] == list(session.item_ids[1:])
    assert step.skipped.item_id == session.item_ids[2]
    assert await services.quizzes.active(ALICE, CHAT) is None
    with pytest.raises(NotFoundError, match="no quiz"):
        await services.quizzes.answer(ALICE, CHAT, GOOD)


async def test_stop_early(services: Services) -> None:
    await services.quizzes.start(ALICE, CHAT, "dl", 5)
    await services.quizzes.answer(ALICE, CHAT, GOOD)
    summary = await services.quizzes.stop(ALICE, CHAT)
    assert (summary.correct, summary.unanswered, summary.stopped, summary.points) == (
        1, 4, True, 10
    )
    assert summary.to_review == ()
    with pytest.raises(NotFoundError):
        await services.quizzes.stop(ALICE, CHAT)


async def test_skip_to_the_end(services: Services) -> None:
    await services.quizzes.start(ALICE, CHAT, "cnn", 2)
    await services.quizzes.skip(ALICE, CHAT)
    step = await services.quizzes.skip(ALICE, CHAT)
    assert step.next_question is None
    assert step.summary is not None and step.summary.skipped == 2
    assert len(step.summary.to_review) == 2


async def test_buttons_act_only_on_their_own_current_question(services: Services) -> None:
    quizzes = services.quizzes
    start = await quizzes.start(ALICE, CHAT, "dl", 3)
    session = start.session_id
    assert session is not None
    await quizzes.answer(ALICE, CHAT, GOOD, session_id=session, position=1)

    async def refused(reason: str, call: Awaitable[object]) -> None:
        with pytest.raises(StaleQuestionError) as error:
            await call
        assert error.value.reason == reason

    # Question 1's buttons are stale now; nothing moves.
    await refused("moved_on", quizzes.answer(ALICE, CHAT, GOOD, session_id=session, position=1))
    await refused("moved_on", quizzes.skip(ALICE, CHAT, session_id=session, position=1))
    # Bob pressing Alice's buttons, with or without a quiz of his own.
    await refused("not_yours", quizzes.skip(BOB, CHAT, session_id=session, position=2))
    await quizzes.start(BOB, CHAT, "cnn", 2)
    await refused("not_yours", quizzes.stop(BOB, CHAT, session_id=session))
    info = await quizzes.active(ALICE, CHAT)
    assert info is not None and info.answered == 1
    step = await quizzes.skip(ALICE, CHAT, session_id=session, position=2)
    assert step.next_question is not None and step.next_question.position == 3
    summary = await quizzes.stop(ALICE, CHAT, session_id=session)
    assert summary.skipped == 1 and summary.stopped
    # An ended quiz's buttons, and a later quiz's buttons after it ended.
    await refused("ended", quizzes.stop(ALICE, CHAT, session_id=session))
    await refused("ended", quizzes.answer(ALICE, CHAT, GOOD, session_id=session, position=3))
    with pytest.raises(NotFoundError, match="no quiz"):
        await quizzes.skip(ALICE, CHAT)


async def test_one_active_session_per_user_and_chat(services: Services) -> None:
    first = await services.quizzes.start(ALICE, CHAT, "dl", 3)
    await services.quizzes.answer(ALICE, CHAT, GOOD)
    second = await services.quizzes.start(ALICE, CHAT, "cnn")
    assert not second.started and second.session_id is None
    assert second.conflict is not None
    assert (second.conflict.session_id, second.conflict.answered, second.conflict.total) == (
        first.session_id, 1, 3
    )
    # Other users and other chats are independent.
    assert (await services.quizzes.start(BOB, CHAT)).started
    assert (await services.quizzes.start(ALICE, OTHER_CHAT)).started
    replaced = await services.quizzes.start(ALICE, CHAT, "cnn", replace_active=True)
    assert replaced.started and replaced.session_id != first.session_id
    assert first.session_id is not None
    old = await services.quizzes.store.get_quiz(first.session_id)
    assert old is not None and old.status.value == "stopped"


async def test_unseen_questions_come_first(services: Services) -> None:
    await services.quizzes.start(ALICE, CHAT, "dl", 3)
    seen = set()
    for _ in range(3):
        current = await services.quizzes.current(ALICE, CHAT)
        assert current is not None
        seen.add(current.item_id)
        await services.quizzes.answer(ALICE, CHAT, GOOD)
    await services.quizzes.start(ALICE, CHAT, "dl", 3)
    session = await services.quizzes.store.get_active_quiz(ALICE, CHAT)
    assert session is not None and not seen & set(session.item_ids)


async def test_quiz_points_capped_per_day(services: Services, clock: FakeClock) -> None:
    await services.quizzes.start(ALICE, CHAT, "dl", 6)
    results = [await services.quizzes.answer(ALICE, CHAT, GOOD) for _ in range(6)]
    assert [r.points for r in results] == [10, 10, 10, 10, 10, 0]
    assert results[-1].capped and not results[0].capped
    assert results[-1].verdict is Verdict.CORRECT and results[-1].counted
    summary = results[-1].summary
    assert summary is not None and summary.points == 50
    # A new local day has a fresh cap.
    clock.advance(days=1)
    await services.quizzes.start(ALICE, CHAT, "cnn", 1)
    assert (await services.quizzes.answer(ALICE, CHAT, GOOD)).points == 10


async def test_cap_is_partial_and_daily_answers_are_not_capped(
    services: Services, clock: FakeClock
) -> None:
    await services.quizzes.start(ALICE, CHAT, "dl", 6)
    for text in (GOOD, GOOD, GOOD, GOOD, PARTIAL):
        await services.quizzes.answer(ALICE, CHAT, text)
    assert (await services.quizzes.answer(ALICE, CHAT, GOOD)).points == 5  # 45 -> 50
    await services.schedules.subscribe(CHAT, "09:00", "UTC", topics="cnn")
    await services.daily.today(CHAT)
    assert (await services.answers.answer(ALICE, CHAT, GOOD)).points == 10


async def test_cap_follows_the_users_local_day(services: Services, clock: FakeClock) -> None:
    await services.users.set_timezone(ALICE, "Asia/Kolkata")
    clock.set(clock.now().replace(hour=18, minute=0))  # 23:30 in Kolkata
    await services.quizzes.start(ALICE, CHAT, "dl", 6)
    for _ in range(5):
        await services.quizzes.answer(ALICE, CHAT, GOOD)
    clock.advance(minutes=31)  # 00:01 the next day in Kolkata, still the same UTC day
    assert (await services.quizzes.answer(ALICE, CHAT, GOOD)).points == 10


async def test_reveal_in_quiz_forfeits_that_question(services: Services) -> None:
    await services.quizzes.start(ALICE, CHAT, "dl", 2)
    revealed = await services.reveals.reveal(ALICE, CHAT)
    assert revealed.kind is AnswerKind.QUIZ
    first = await services.quizzes.answer(ALICE, CHAT, GOOD)
    second = await services.quizzes.answer(ALICE, CHAT, GOOD)
    assert (first.points, first.forfeited) == (0, True)
    assert (second.points, second.forfeited) == (10, False)
