"""Store contract (memory, SQLite, PostgreSQL): `answer_start`, the answer path's one read."""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.models import AnswerStart, ReviewCard, UserKey, daily_target
from bot.ports import InspectableStore
from tests.storage.contract.support import (
    ALICE,
    BOB,
    CHAT,
    STREAK,
    T0,
    answer,
    quiz,
    schedule,
    seed,
)

DAY = date(2024, 3, 4)


async def _agrees(store: InspectableStore, user: UserKey) -> AnswerStart:
    """answer_start for `user` in CHAT, checked against the separate reads it combines."""
    start = await store.answer_start(user, CHAT)
    assert start.quiz == await store.get_active_quiz(user, CHAT)
    if start.quiz is not None:
        assert (start.post, start.context) == (None, None)
        return start
    post = await store.latest_daily_post(CHAT)
    assert start.post == post
    if post is None:
        assert start.context is None
    else:
        target = daily_target(post.id)
        assert start.context == await store.answer_context(user, CHAT, target, post.item_id)
    return start


async def test_answer_start_without_a_post(store: InspectableStore) -> None:
    assert await _agrees(store, ALICE) == AnswerStart(None, None, None)
    await seed(store)
    assert await _agrees(store, ALICE) == AnswerStart(None, None, None)


async def test_answer_start_reads_the_latest_post_and_its_context(
    store: InspectableStore,
) -> None:
    await seed(store)
    await store.create_daily_post(CHAT, DAY, "d/q01", 0, T0, None)
    latest = await store.create_daily_post(CHAT, DAY + timedelta(1), "d/q02", 0, T0, None)
    fresh = await _agrees(store, ALICE)
    assert fresh.post == latest and fresh.context is not None
    assert fresh.context.user == await store.get_user(ALICE)
    assert fresh.context.chat == await store.get_chat(CHAT)
    assert (fresh.context.existing, fresh.context.reveals, fresh.context.card) == (None, 0, None)
    assert (fresh.context.chat_timezone, fresh.context.streak) == (None, None)

    # Everything the context holds, for the latest post's target and item.
    target = daily_target(latest.id)
    await store.save_schedule(schedule())
    stored = await store.record_answer(
        answer(target=target, item="d/q02", post_id=latest.id), streak=STREAK
    )
    await store.record_reveal(ALICE, target, "d/q02", T0)
    await store.record_reveal(ALICE, target, "d/q02", T0)
    card = ReviewCard(ALICE, "d/q02", '{"x": 1}', T0 + timedelta(days=2), T0, '{"x": 0}')
    await store.save_card(card)
    await store.save_card(ReviewCard(ALICE, "d/q01", "{}", T0))  # another item's card
    full = await _agrees(store, ALICE)
    assert full.context is not None
    assert (full.context.existing, full.context.reveals, full.context.card) == (stored, 2, card)
    assert (full.context.chat_timezone, full.context.streak) == ("Europe/Berlin", STREAK)

    # Another member of the chat has none of Alice's answer, reveals, card or streak.
    bob = await _agrees(store, BOB)
    assert bob.context is not None and bob.context.user == await store.get_user(BOB)
    assert (bob.context.existing, bob.context.reveals, bob.context.card) == (None, 0, None)
    assert (bob.context.streak, bob.context.chat_timezone) == (None, "Europe/Berlin")

    # A newcomer the store has never seen still gets the post, with no user yet.
    newcomer = await _agrees(store, UserKey("telegram", "99"))
    assert newcomer.post == latest and newcomer.context is not None
    assert newcomer.context.user is None and newcomer.context.existing is None


async def test_answer_start_prefers_the_active_quiz(store: InspectableStore) -> None:
    await seed(store)
    await store.create_daily_post(CHAT, DAY, "d/q01", 0, T0, None)
    session = await store.create_quiz(quiz())
    assert session is not None
    start = await _agrees(store, ALICE)
    assert start == AnswerStart(session)
    # Bob has no quiz: he answers the daily post.
    assert (await _agrees(store, BOB)).post == await store.latest_daily_post(CHAT)
