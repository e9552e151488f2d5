"""Store contract (memory, SQLite, PostgreSQL): answers, streaks, reveal counts, reads."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.domain.models import (
    AnswerKind,
    ChatKey,
    GroupKey,
    QuizStatus,
    ReviewCard,
    User,
    UserKey,
    Verdict,
)
from bot.domain.streaks import StoredStreak, StreakState
from bot.errors import NotFoundError
from bot.ports import InspectableStore
from tests.storage.contract.support import (
    ALICE,
    BOB,
    CHAT,
    GROUP,
    STREAK,
    T0,
    answer,
    quiz,
    schedule,
    seed,
)


async def test_record_answer_first_only(store: InspectableStore) -> None:
    await seed(store)
    stored = await store.record_answer(answer())
    assert stored is not None and stored.id is not None
    assert await store.record_answer(answer(verdict=Verdict.INCORRECT, points=1)) is None
    fetched = await store.get_answer(ALICE, "daily:1")
    assert fetched == stored
    assert await store.get_answer(BOB, "daily:1") is None
    with pytest.raises(NotFoundError):
        await store.record_answer(answer(UserKey("telegram", "ghost")))


async def test_record_answer_creates_a_newcomer_with_the_answer(
    store: InspectableStore,
) -> None:
    await seed(store)
    carol = UserKey("telegram", "3")
    newcomer = User(carol, "3", T0 + timedelta(seconds=0.5))
    # A write that is refused creates nobody: an unknown chat ...
    elsewhere = replace(answer(carol), chat=ChatKey("telegram", "nope"))
    with pytest.raises(NotFoundError):
        await store.record_answer(elsewhere, newcomer=newcomer)
    assert await store.get_user(carol) is None
    # ... the newcomer comes with the answer, in whole seconds ...
    stored = await store.record_answer(answer(carol), streak=STREAK, newcomer=newcomer)
    assert stored is not None and await store.get_answer(carol, "daily:1") == stored
    assert await store.get_user(carol) == User(carol, "3", T0)
    assert (await store.streak_states([carol]))[carol] == STREAK
    # ... and a user who exists by then keeps their name.
    await store.upsert_user(carol, "Carol", T0)
    again = await store.record_answer(answer(carol, "daily:2"), newcomer=newcomer)
    assert again is not None
    assert (await store.get_user(carol)) == User(carol, "Carol", T0)


async def test_record_answer_writes_card_and_quiz_atomically(store: InspectableStore) -> None:
    await seed(store)
    session = await store.create_quiz(quiz())
    assert session is not None
    progressed = replace(session, position=1, outcomes=("correct", None), points=10)
    card = ReviewCard(ALICE, "d/q01", '{"x": 1}', T0 + timedelta(days=1), T0)
    await store.record_answer(answer(target="quiz:1:0", kind=AnswerKind.QUIZ), card, progressed)
    assert await store.get_quiz(session.id) == progressed
    assert await store.get_card(ALICE, "d/q01") == card
    # A repeated answer writes nothing, not even its card or quiz progress.
    other_card = replace(card, card_json='{"x": 2}')
    finished = replace(progressed, status=QuizStatus.FINISHED)
    assert (
        await store.record_answer(
            answer(target="quiz:1:0", kind=AnswerKind.QUIZ), other_card, finished
        )
        is None
    )
    assert await store.get_card(ALICE, "d/q01") == card
    assert await store.get_quiz(session.id) == progressed


async def test_answer_queries(store: InspectableStore) -> None:
    await seed(store)
    await store.record_answer(answer(target="t1", at=T0, points=10, item="d/q01"))
    await store.record_answer(
        answer(
            target="t2",
            at=T0 + timedelta(hours=1),
            points=5,
            kind=AnswerKind.QUIZ,
            verdict=Verdict.PARTIAL,
            item="d/q02",
        )
    )
    await store.record_answer(
        answer(
            target="t3",
            at=T0 + timedelta(days=1),
            points=1,
            kind=AnswerKind.REVIEW,
            verdict=Verdict.INCORRECT,
            item="d/q01",
        )
    )
    assert await store.points_between(ALICE, None, None) == 16
    assert await store.points_between(ALICE, T0, T0 + timedelta(hours=1)) == 10
    capped = {AnswerKind.QUIZ, AnswerKind.REVIEW}
    assert await store.points_between(ALICE, T0, None, capped) == 6
    assert await store.points_between(ALICE, None, None, set()) == 0
    assert await store.answer_times(ALICE) == [T0, T0 + timedelta(hours=1), T0 + timedelta(days=1)]
    assert await store.verdict_counts(ALICE) == [
        ("d/q01", Verdict.CORRECT, 1),
        ("d/q01", Verdict.INCORRECT, 1),
        ("d/q02", Verdict.PARTIAL, 1),
    ]
    assert await store.answered_item_ids(ALICE) == {"d/q01", "d/q02"}
    assert await store.answered_item_ids(BOB) == set()


async def test_answer_times_are_distinct_quarter_hours(store: InspectableStore) -> None:
    await seed(store)
    for n, minutes in enumerate([0, 5, 14, 15, 44, 60 * 24]):
        await store.record_answer(answer(target=f"t{n}", at=T0 + timedelta(minutes=minutes)))
    assert await store.answer_times(ALICE) == [
        T0,
        T0 + timedelta(minutes=15),
        T0 + timedelta(minutes=30),
        T0 + timedelta(days=1),
    ]


async def test_streaks_are_stored_with_the_answer(store: InspectableStore) -> None:
    await seed(store)
    assert await store.streak_states([ALICE, BOB]) == {}
    await store.record_answer(answer(), streak=STREAK)
    assert await store.streak_states([ALICE, BOB]) == {ALICE: STREAK}
    context = await store.answer_context(ALICE, CHAT, "daily:2", "d/q02")
    assert context.streak == STREAK
    # A duplicate answer is rolled back whole: its streak is not stored either.
    later = StoredStreak("UTC", StreakState(date(2024, 3, 5), 5, 9, 1))
    assert await store.record_answer(answer(), streak=later) is None
    assert await store.streak_states([ALICE]) == {ALICE: STREAK}
    await store.record_answer(answer(target="daily:2"), streak=later)
    assert await store.streak_states([ALICE]) == {ALICE: later}
    # Users of several platforms in one lookup.
    other = UserKey("discord", "alice")
    await store.upsert_user(other, "Alice", T0)
    await store.record_answer(answer(other), streak=STREAK)
    assert await store.streak_states([ALICE, other]) == {ALICE: later, other: STREAK}


async def test_answer_context(store: InspectableStore) -> None:
    empty = await store.answer_context(ALICE, CHAT, "daily:1", "d/q01")
    assert (empty.user, empty.chat, empty.existing, empty.reveals, empty.card) == (
        None,
        None,
        None,
        0,
        None,
    )
    await seed(store)
    await store.save_schedule(schedule())
    stored = await store.record_answer(answer())
    await store.record_reveal(ALICE, "daily:1", "d/q01", T0)
    card = ReviewCard(ALICE, "d/q01", "{}", T0)
    await store.save_card(card)
    context = await store.answer_context(ALICE, CHAT, "daily:1", "d/q01")
    assert context.user == await store.get_user(ALICE)
    assert context.chat == await store.get_chat(CHAT)
    assert (context.existing, context.reveals, context.card) == (stored, 1, card)
    assert context.chat_timezone == "Europe/Berlin"
    other = await store.answer_context(BOB, CHAT, "daily:1", "d/q01")
    assert (other.existing, other.reveals, other.card) == (None, 0, None)


async def test_leaderboard_entries(store: InspectableStore) -> None:
    await seed(store)
    carol = UserKey("telegram", "3")
    await store.upsert_user(carol, "Carol", T0)
    await store.record_answer(answer(ALICE, "a1", at=T0, points=10))
    await store.record_answer(
        answer(ALICE, "a2", at=T0 + timedelta(hours=2), points=5, verdict=Verdict.PARTIAL)
    )
    await store.record_answer(
        answer(ALICE, "a3", at=T0 + timedelta(hours=3), points=0, verdict=Verdict.INCORRECT)
    )
    await store.record_answer(answer(BOB, "b1", at=T0 + timedelta(hours=1), points=10))
    await store.record_answer(answer(BOB, "b2", at=T0 + timedelta(days=8), points=10))
    await store.record_answer(
        answer(carol, "c1", at=T0, points=10, group=GroupKey("telegram", "elsewhere"))
    )
    week = await store.leaderboard_entries(GROUP, T0, T0 + timedelta(days=7))
    by_name = {e.display_name: e for e in week}
    assert set(by_name) == {"Alice", "Bob"}
    alice = by_name["Alice"]
    assert (alice.points, alice.answered, alice.correct, alice.partial) == (15, 3, 1, 1)
    assert alice.reached_at == T0 + timedelta(hours=2)  # the zero-point answer is ignored
    assert by_name["Bob"].points == 10
    everything = await store.leaderboard_entries(GROUP, None, None)
    assert {e.display_name: e.points for e in everything} == {"Alice": 15, "Bob": 20}
    await store.set_leaderboard_opt_out(BOB, True)
    assert [e.display_name for e in await store.leaderboard_entries(GROUP, None, None)] == ["Alice"]


async def test_reveal_counts(store: InspectableStore) -> None:
    await seed(store)
    assert await store.reveal_count(ALICE, "daily:1") == 0
    assert await store.record_reveal(ALICE, "daily:1", "d/q01", T0) == 1
    assert await store.record_reveal(ALICE, "daily:1", "d/q01", T0) == 2
    assert await store.reveal_count(ALICE, "daily:1") == 2
    assert await store.reveal_count(BOB, "daily:1") == 0


async def test_answer_times_many_matches_answer_times(store: InspectableStore) -> None:
    await seed(store)
    for n, minutes in enumerate([0, 5, 20, 2000]):
        await store.record_answer(answer(target=f"daily:{n}", at=T0 + timedelta(minutes=minutes)))
    await store.record_answer(answer(BOB, at=T0 + timedelta(hours=3)))
    stranger = UserKey("discord", "9")
    times = await store.answer_times_many([ALICE, BOB, stranger])
    assert times == {
        ALICE: await store.answer_times(ALICE),
        BOB: [T0 + timedelta(hours=3)],
        stranger: [],
    }
    assert len(times[ALICE]) == 3  # 0 and 5 minutes share a quarter hour
    assert await store.answer_times_many([]) == {}
