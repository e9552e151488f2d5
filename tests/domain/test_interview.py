"""Mock interview rules: question choice, follow-ups, lifts, timing and scores."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.domain.interview import (
    InterviewQuestion,
    InterviewRound,
    RoundStatus,
    by_tag,
    choose_questions,
    follow_up_for,
    idle_expired,
    is_late,
    lifted,
    overall_score,
    reminder_at,
    study_next,
    wants_follow_up,
)
from bot.domain.models import Verdict
from tests.factories import ALICE, CHAT, T0, open_item
from tests.interview_support import FOLLOW_UP, interview_items


def a_round(*questions: InterviewQuestion, minutes: int = 3) -> InterviewRound:
    return InterviewRound(
        id=1, user=ALICE, chat=CHAT, topic=None, minutes=minutes, questions=questions,
        position=0, status=RoundStatus.ACTIVE, started_at=T0, last_activity=T0,
    )


def test_questions_are_open_related_and_easier_first() -> None:
    chosen = choose_questions(interview_items(), set(), 3, "seed")
    assert chosen == ["dl/easy-1", "dl/medium-1", "dl/hard-1"]  # all tagged attention


def test_recent_correct_items_are_left_out_while_others_exist() -> None:
    items = interview_items()
    chosen = choose_questions(items, {"dl/easy-1"}, 3, "seed")
    assert "dl/easy-1" not in chosen and len(chosen) == 3
    # Not enough others: the recent one comes back rather than a shorter round.
    assert len(choose_questions(items, {"dl/easy-1"}, 4, "seed")) == 4


def test_the_follow_up_is_the_first_missed_point_with_its_own_text() -> None:
    item = interview_items()[1]
    missed = ("Uses beta.", "Uses gamma.")
    point = follow_up_for(item, missed)
    assert point is not None and point.text == "Uses gamma." and point.follow_up == FOLLOW_UP
    plain = open_item("dl/x")
    neutral = follow_up_for(plain, missed)
    assert neutral is not None and neutral.text == "Uses beta." and neutral.follow_up is None
    assert follow_up_for(item, ()) is None
    assert wants_follow_up(Verdict.PARTIAL, missed)
    assert not wants_follow_up(Verdict.INCORRECT, missed)
    assert not wants_follow_up(Verdict.PARTIAL, ())


def test_a_covered_follow_up_lifts_by_that_point_only() -> None:
    item = open_item("dl/x")  # four key points: a quarter each
    asked = InterviewQuestion(
        "dl/x", verdict=Verdict.PARTIAL, score=0.5, covered=("Uses alpha.", "Uses beta."),
        missed=("Uses gamma.", "Uses delta."), follow_up_point="Uses gamma.",
    )
    up = lifted(asked, item, covered=True)
    assert up.score == 0.75 and up.verdict is Verdict.PARTIAL
    assert "Uses gamma." in up.covered and up.missed == ("Uses delta.",)
    assert lifted(asked, item, covered=False) == asked


def test_late_idle_and_reminder_times() -> None:
    assert not is_late(T0, T0 + timedelta(minutes=3), timedelta(minutes=3))
    assert is_late(T0, T0 + timedelta(minutes=3, seconds=1), timedelta(minutes=3))
    round_ = a_round(InterviewQuestion("a", asked_at=T0), InterviewQuestion("b"))
    total = timedelta(minutes=3) * 2
    assert not idle_expired(round_, T0 + 2 * total - timedelta(seconds=1))
    assert idle_expired(round_, T0 + 2 * total)
    assert reminder_at(round_) == T0 + timedelta(minutes=2)
    assert reminder_at(replace(round_, reminded=True)) is None
    assert reminder_at(replace(round_, minutes=1)) is None  # no minute to spare


def test_scores_tags_and_what_to_study() -> None:
    items = {item.id: item for item in interview_items()}
    round_ = a_round(
        InterviewQuestion("dl/easy-1", verdict=Verdict.CORRECT, score=1.0),
        InterviewQuestion("dl/medium-2", verdict=Verdict.INCORRECT, score=0.1),
        InterviewQuestion("dl/medium-1", verdict=Verdict.PARTIAL, score=0.5),
        InterviewQuestion("dl/hard-1"),
    )
    assert overall_score(round_) == round(100 * 1.6 / 3)
    strengths, weak = by_tag(round_, items)
    assert [t.tag for t in strengths] == ["attention"] and strengths[0].score == 75
    assert [t.tag for t in weak] == ["optimization"]
    assert study_next(round_) == ("dl/medium-2", "dl/medium-1", "dl/hard-1")
    assert overall_score(a_round(InterviewQuestion("x"))) == 0
