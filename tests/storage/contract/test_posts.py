"""Store contract (memory, SQLite, PostgreSQL): daily posts, reveals, results, polls."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.domain.models import (
    ChatKey,
    GroupKey,
    Verdict,
    daily_target,
)
from bot.errors import NotFoundError
from bot.ports import InspectableStore
from tests.storage.contract.support import (
    ALICE,
    BOB,
    CHAT,
    T0,
    answer,
    seed,
)


async def test_daily_posts_are_unique_per_chat_and_date(store: InspectableStore) -> None:
    await seed(store)
    day = date(2024, 3, 4)
    post = await store.create_daily_post(CHAT, day, "d/q01", 0, T0, T0 + timedelta(hours=12))
    again = await store.create_daily_post(CHAT, day, "d/q99", 3, T0 + timedelta(hours=1), None)
    assert again == post
    assert post.item_id == "d/q01" and post.reveal_at == T0 + timedelta(hours=12)
    assert await store.get_post(post.id) == post
    assert await store.get_daily_post(CHAT, day) == post
    later = await store.create_daily_post(CHAT, day + timedelta(1), "d/q02", 0, T0, None)
    assert await store.latest_daily_post(CHAT) == later
    assert await store.get_daily_post(CHAT, day - timedelta(1)) is None


async def test_selection_state(store: InspectableStore) -> None:
    await seed(store)
    state = await store.selection_state(CHAT)
    assert (state.cycle, state.used, state.last_item) == (0, frozenset(), None)
    day = date(2024, 3, 4)
    for n, (item, cycle) in enumerate([("a/1", 0), ("a/2", 0), ("a/3", 1)]):
        await store.create_daily_post(CHAT, day + timedelta(n), item, cycle, T0, None)
    state = await store.selection_state(CHAT)
    assert (state.cycle, state.used, state.last_item) == (1, frozenset({"a/3"}), "a/3")


async def test_reveals_due_and_marking(store: InspectableStore) -> None:
    await seed(store)
    post = await store.create_daily_post(CHAT, date(2024, 3, 4), "d/q01", 0, T0, T0)
    await store.create_daily_post(CHAT, date(2024, 3, 5), "d/q02", 0, T0, None)
    assert [p.id for p in await store.posts_due_for_reveal(T0, 10)] == [post.id]
    assert await store.mark_post_revealed(post.id, T0) is True
    assert await store.mark_post_revealed(post.id, T0) is False
    assert await store.posts_due_for_reveal(T0, 10) == []
    with pytest.raises(NotFoundError):
        await store.mark_post_revealed(9999, T0)


async def test_post_results(store: InspectableStore) -> None:
    await seed(store)
    post = await store.create_daily_post(CHAT, date(2024, 3, 4), "d/q01", 0, T0, None)
    target = daily_target(post.id)
    await store.record_answer(
        answer(ALICE, target, post_id=post.id, score=0.5, points=5, verdict=Verdict.PARTIAL)
    )
    await store.record_answer(
        answer(BOB, target, post_id=post.id, score=1.0, at=T0 + timedelta(minutes=5))
    )
    results = await store.post_results(post.id, 1)
    assert results.answered == 2
    assert [(s.display_name, s.score, s.points) for s in results.top] == [("Bob", 1.0, 10)]


async def test_polls_lead_to_their_post_and_follow_migrations(store: InspectableStore) -> None:
    await seed(store)
    day = date(2024, 3, 4)
    post = await store.create_daily_post(CHAT, day, "d/q01", 0, T0, None)
    await store.remember_poll("telegram", "poll-1", post.id, T0)
    assert await store.poll_post("telegram", "poll-1") == post
    assert await store.poll_post("discord", "poll-1") is None  # ids are per platform
    assert await store.poll_post("telegram", "poll-2") is None
    with pytest.raises(NotFoundError):
        await store.remember_poll("telegram", "poll-3", post.id + 99, T0)
    assert await store.poll_post("telegram", "poll-3") is None

    # A migration keeps the post, so the poll now leads to the new chat; a target post
    # dropped by the merge (the old chat's post wins its date) takes its poll with it.
    new = ChatKey("telegram", "-100200")
    await store.upsert_chat(new, GroupKey("telegram", "-100200"), "Super", T0)
    loser = await store.create_daily_post(new, day, "d/q05", 0, T0, None)
    await store.remember_poll("telegram", "poll-lost", loser.id, T0)
    await store.migrate_chat(CHAT, new, None)
    assert await store.poll_post("telegram", "poll-1") == replace(post, chat=new)
    assert await store.poll_post("telegram", "poll-lost") is None


async def test_posts_are_found_by_the_message_that_carried_them(store: InspectableStore) -> None:
    await seed(store)
    other = ChatKey("telegram", "-200")
    await store.upsert_chat(other, GroupKey("telegram", "-200"), "Other", T0)
    post = await store.create_daily_post(CHAT, date(2024, 3, 4), "d/q01", 1, T0, None)
    assert await store.post_by_message(CHAT, "m1") is None
    await store.set_post_message(post.id, "m1")
    assert await store.post_by_message(CHAT, "m1") == post
    assert await store.post_by_message(other, "m1") is None  # message ids are per chat
    await store.set_post_message(post.id, "m2")  # re-sent: the newer message counts
    assert await store.post_by_message(CHAT, "m2") == post
    assert await store.post_by_message(CHAT, "m1") is None
    await store.set_post_message(999, "m3")  # an unknown post is ignored
    assert await store.post_by_message(CHAT, "m3") is None
