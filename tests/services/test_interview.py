"""The interview service on every store: a round with a follow-up, a late answer, a stop,
the report against the stored answers, idle expiry and a restart mid-round."""

from __future__ import annotations

import pytest
from fsrs import Scheduler

from bot.content.bank import Bank
from bot.domain.interview import RoundStatus
from bot.domain.models import AnswerKind, AnswerRecord, ChatKey, Verdict, interview_target
from bot.errors import InvalidInputError, NotFoundError
from bot.grading.lexical import LexicalGrader
from bot.ports import Store
from bot.presentation import interview_texts as texts
from bot.services import Services, build_services
from tests.factories import ALICE, BAD, GOOD, PARTIAL, FakeClock
from tests.interview_support import FOLLOW_UP, interview_bank

PRIVATE = ChatKey("telegram", "101")


@pytest.fixture
def bank() -> Bank:
    return interview_bank()


def rebuild(store: Store, bank: Bank, clock: FakeClock) -> Services:
    return build_services(
        store, bank, clock, LexicalGrader(), scheduler=Scheduler(enable_fuzzing=False)
    )


async def test_a_round_with_a_follow_up_a_late_answer_and_a_stop(
    services: Services, store: Store, clock: FakeClock
) -> None:
    interviews = services.interviews
    started = await interviews.start(ALICE, PRIVATE, "attention", 3, 2)
    first = started.prompt
    assert first is not None and first.position == 1 and first.total == 3
    assert first.difficulty == "easy" and first.minutes == 2 and first.follow_up is None

    clock.advance(seconds=30)
    step = await interviews.answer(ALICE, GOOD)
    assert step.note is not None and step.note.verdict is Verdict.CORRECT
    assert step.note.seconds == 30 and not step.note.late
    second = step.prompt
    assert second is not None and second.position == 2 and second.difficulty == "medium"

    clock.advance(minutes=2, seconds=10)  # over the two minutes: late
    step = await interviews.answer(ALICE, PARTIAL)
    assert step.note is not None and step.note.late and step.note.verdict is Verdict.PARTIAL
    follow = step.prompt
    assert follow is not None and follow.follow_up == FOLLOW_UP and follow.position == 2
    assert follow.follow_up_point == "Uses gamma." and not follow.neutral

    clock.advance(seconds=20)
    step = await interviews.answer(ALICE, "It comes from gamma.")
    assert step.note is not None and step.note.follow_up and step.note.covered_point
    third = step.prompt
    assert third is not None and third.position == 3 and third.difficulty == "hard"

    report = await interviews.stop(ALICE)
    assert report.status is RoundStatus.STOPPED
    assert (report.answered, report.total) == (2, 3)
    stored = [
        await store.get_answer(ALICE, interview_target(report.round_id, position))
        for position in range(3)
    ]
    assert stored[2] is None
    one, two = stored[0], stored[1]
    assert one is not None and two is not None
    assert one.kind is AnswerKind.INTERVIEW and one.verdict is Verdict.CORRECT
    assert two.verdict is Verdict.PARTIAL
    q1, q2, q3 = report.questions
    assert q1.score == round(100 * one.score) and q1.seconds == 30 and not q1.late
    assert q2.score == round(100 * (two.score + 0.25)) and q2.seconds == 130 and q2.late
    assert q2.follow_up_covered and "Uses gamma." in q2.covered
    assert q3.verdict is None
    assert report.overall == round(100 * (one.score + min(1.0, two.score + 0.25)) / 2)
    assert report.points == one.points + two.points
    # Study next: the weaker answered one, then the one not reached; due now for /review.
    assert [ref.item_id for ref in report.study] == ["dl/medium-1", "dl/hard-1"]
    due = {card.item_id for card in await store.due_cards(ALICE, clock.now(), 10)}
    assert {"dl/medium-1", "dl/hard-1"} <= due
    assert (await services.stats.stats(ALICE)).interviews == 1
    assert (await services.stats.stats(ALICE)).interview_scores == (report.overall,)
    with pytest.raises(NotFoundError):
        await interviews.answer(ALICE, GOOD)


async def test_a_finished_round_reports_every_question(
    services: Services, clock: FakeClock
) -> None:
    interviews = services.interviews
    started = await interviews.start(ALICE, PRIVATE, None, 3, 1)
    assert started.prompt is not None
    report = None
    for _ in range(3):
        clock.advance(seconds=10)
        step = await interviews.answer(ALICE, BAD)
        report = step.report
    assert report is not None and report.status is RoundStatus.FINISHED
    assert report.answered == 3 and len(report.study) == 3
    assert report.next_topic is not None  # a weak tag to /quiz next


async def test_one_round_at_a_time_and_argument_limits(services: Services) -> None:
    interviews = services.interviews
    assert (await interviews.start(ALICE, PRIVATE)).prompt is not None
    again = await interviews.start(ALICE, PRIVATE)
    assert again.prompt is None and again.conflict is not None
    for words in (["2"], ["11"], ["3", "0"], ["3", "11"], ["a", "b"]):
        with pytest.raises(InvalidInputError):
            interviews.parse_args(words)
    parsed = interviews.parse_args(["attention", "4", "2"])
    assert (parsed.topic, parsed.questions, parsed.minutes) == ("attention", 4, 2)
    assert interviews.parse_args(["stop"]).stop


async def test_an_idle_round_ends_itself_on_the_next_message(
    services: Services, clock: FakeClock
) -> None:
    interviews = services.interviews
    await interviews.start(ALICE, PRIVATE, None, 3, 1)
    clock.advance(minutes=2 * 3 * 1)  # twice the round's total time
    step = await interviews.answer(ALICE, GOOD)
    assert step.expired and step.report is not None
    assert step.report.status is RoundStatus.EXPIRED and step.report.answered == 0
    assert await interviews.current(ALICE) is None


async def test_a_restart_mid_round_resumes_with_the_clock_from_the_restart(
    store: Store, bank: Bank, clock: FakeClock
) -> None:
    before = rebuild(store, bank, clock)
    await before.interviews.start(ALICE, PRIVATE, "attention", 3, 2)
    clock.advance(seconds=20)
    await before.interviews.answer(ALICE, GOOD)
    clock.advance(minutes=30)  # the bot is down
    after = rebuild(store, bank, clock)
    resumed = await after.interviews.resume_all()
    assert [(p.position, p.resumed) for p in resumed] == [(2, True)]
    clock.advance(seconds=45)
    step = await after.interviews.answer(ALICE, GOOD)
    assert step.note is not None and step.note.seconds == 45 and not step.note.late
    clock.advance(seconds=10)
    final = await after.interviews.answer(ALICE, GOOD)
    assert final.report is not None and final.report.status is RoundStatus.FINISHED
    assert final.report.answered == 3
    assert [q.seconds for q in final.report.questions] == [20, 45, 10]


async def test_without_a_follow_up_in_the_bank_the_neutral_form_is_asked(
    services: Services, clock: FakeClock
) -> None:
    started = await services.interviews.start(ALICE, PRIVATE, "optimization", 3, 2)
    assert started.prompt is not None and started.prompt.total == 1  # the one such item
    clock.advance(seconds=10)
    step = await services.interviews.answer(ALICE, PARTIAL)
    follow = step.prompt
    assert follow is not None and follow.neutral
    assert follow.follow_up_point == "Uses gamma." and follow.follow_up == "Uses gamma."
    assert texts.follow_up_text(follow) == "You did not mention “Uses gamma”. How does it fit in?"
    clock.advance(seconds=10)
    done = await services.interviews.answer(ALICE, "nothing about it")
    assert done.note is not None and done.note.covered_point is False
    assert done.report is not None and done.report.questions[0].follow_up_covered is False


async def test_interview_points_count_under_the_daily_cap(
    services: Services, store: Store, clock: FakeClock
) -> None:
    started = await services.interviews.start(ALICE, PRIVATE, "attention", 3, 2)
    assert started.prompt is not None
    stored = await store.record_answer(
        AnswerRecord(
            user=ALICE, chat=PRIVATE, group=None, kind=AnswerKind.QUIZ, target="quiz:9:0",
            item_id="dl/medium-2", verdict=Verdict.CORRECT, score=1.0, points=45,
            forfeited=False, answered_at=clock.now(),
        )
    )
    assert stored is not None
    clock.advance(seconds=10)
    step = await services.interviews.answer(ALICE, GOOD)  # 10 points, 5 left under 50
    assert step.note is not None and step.note.points == 5 and step.note.capped
    first = await store.get_answer(ALICE, interview_target(started.prompt.round_id, 0))
    assert first is not None and first.points == 5 and first.kind is AnswerKind.INTERVIEW
    assert (await services.stats.streak(ALICE)).current == 1  # counts for the streak
    card = await store.get_card(ALICE, first.item_id)
    assert card is not None and card.last_review == first.answered_at  # and for reviews
