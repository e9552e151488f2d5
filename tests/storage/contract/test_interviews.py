"""Store contract (memory, SQLite, PostgreSQL): mock interview rounds and their questions."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain.interview import InterviewQuestion, InterviewRound, RoundStatus
from bot.domain.models import AnswerKind, ChatKey, UserKey, Verdict
from bot.errors import NotFoundError
from bot.ports import InspectableStore
from tests.storage.contract.support import ALICE, BOB, CHAT, T0, answer, seed


def interview(user: UserKey = ALICE) -> InterviewRound:
    return InterviewRound(
        id=0,
        user=user,
        chat=CHAT,
        topic="attention",
        minutes=3,
        questions=(
            InterviewQuestion("dl/a", asked_at=T0),
            InterviewQuestion("dl/b"),
            InterviewQuestion("dl/c"),
        ),
        position=0,
        status=RoundStatus.ACTIVE,
        started_at=T0,
        last_activity=T0,
    )


async def test_one_active_round_per_user_kept_with_its_questions(
    store: InspectableStore,
) -> None:
    await seed(store)
    first = await store.create_interview(interview())
    assert first is not None and first.id > 0
    assert first.questions == interview().questions
    assert await store.create_interview(interview()) is None
    assert await store.get_active_interview(ALICE) == first
    other = await store.create_interview(interview(BOB))
    assert other is not None and other.id != first.id
    assert [r.id for r in await store.active_interviews()] == [first.id, other.id]

    answered = replace(
        first.questions[0],
        answered_at=T0 + timedelta(minutes=4),
        seconds=240,
        late=True,
        verdict=Verdict.PARTIAL,
        score=0.625,
        covered=("scaled dot product",),
        missed=("softmax over keys",),
        contradicted=("a mask",),
        follow_up_point="softmax over keys",
        follow_up_text="Why a softmax?",
        follow_up_asked_at=T0 + timedelta(minutes=4),
        follow_up_answered_at=T0 + timedelta(minutes=5),
        follow_up_covered=True,
    )
    moved = replace(
        first.with_question(0, answered), position=1, reminded=True,
        last_activity=T0 + timedelta(minutes=5),
    )
    await store.save_interview(moved)
    assert await store.get_interview(first.id) == moved

    ended = replace(
        moved, status=RoundStatus.STOPPED, ended_at=T0 + timedelta(minutes=6), score=63
    )
    await store.save_interview(ended)
    assert await store.get_active_interview(ALICE) is None
    assert await store.get_interview(first.id) == ended
    assert [r.id for r in await store.active_interviews()] == [other.id]
    with pytest.raises(NotFoundError):
        await store.save_interview(replace(ended, id=999))


async def test_interview_scores_count_ended_rounds_newest_first(store: InspectableStore) -> None:
    await seed(store)
    assert await store.interview_scores(ALICE, 3) == (0, [])
    for minute, score in enumerate((40, 55, 70, 85), start=1):
        created = await store.create_interview(interview())
        assert created is not None
        await store.save_interview(
            replace(
                created, status=RoundStatus.FINISHED, score=score,
                ended_at=T0 + timedelta(minutes=minute),
            )
        )
    assert await store.create_interview(interview()) is not None  # active: not counted
    assert await store.interview_scores(ALICE, 3) == (4, [85, 70, 55])
    assert await store.interview_scores(BOB, 3) == (0, [])


async def test_deleting_the_user_deletes_their_rounds(store: InspectableStore) -> None:
    await seed(store)
    created = await store.create_interview(interview())
    assert created is not None
    assert await store.delete_user(ALICE)
    assert await store.get_interview(created.id) is None


async def test_correct_items_since_reads_correct_answers_only(store: InspectableStore) -> None:
    await seed(store)
    for minute, (item_id, verdict) in enumerate(
        (("dl/a", Verdict.CORRECT), ("dl/b", Verdict.PARTIAL), ("dl/c", Verdict.CORRECT))
    ):
        stored = await store.record_answer(
            answer(target=f"quiz:1:{minute}", item=item_id, verdict=verdict,
                   at=T0 + timedelta(hours=minute), kind=AnswerKind.QUIZ)
        )
        assert stored is not None
    assert await store.correct_item_ids_since(ALICE, T0) == {"dl/a", "dl/c"}
    assert await store.correct_item_ids_since(ALICE, T0 + timedelta(hours=1)) == {"dl/c"}
    assert await store.correct_item_ids_since(BOB, T0) == set()


async def test_a_round_follows_its_chat_to_a_new_id(store: InspectableStore) -> None:
    await seed(store)
    created = await store.create_interview(interview())
    assert created is not None
    moved = ChatKey(CHAT.platform, "-100999")
    await store.migrate_chat(CHAT, moved, None)
    found = await store.get_interview(created.id)
    assert found is not None and found.chat == moved
    assert await store.get_active_interview(ALICE) == found
