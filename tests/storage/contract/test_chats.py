"""Store contract (memory, SQLite, PostgreSQL): chats: upsert and migration."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.domain.models import (
    ChatKey,
    GroupKey,
    daily_target,
)
from bot.errors import NotFoundError
from bot.ports import InspectableStore
from tests.storage.contract.support import (
    ALICE,
    BOB,
    CHAT,
    GROUP,
    T0,
    answer,
    quiz,
    schedule,
    seed,
)


async def test_chats_keep_seed_and_update_group(store: InspectableStore) -> None:
    chat = await store.upsert_chat(CHAT, GROUP, "Study", T0)
    assert (chat.seed, chat.group, chat.title) == ("telegram:-100", GROUP, "Study")
    other = GroupKey("telegram", "g2")
    updated = await store.upsert_chat(CHAT, other, "Renamed", T0 + timedelta(days=1))
    assert (updated.group, updated.title, updated.seed) == (other, "Renamed", chat.seed)
    assert await store.get_chat(ChatKey("telegram", "nope")) is None


async def test_migrate_chat_keeps_schedule_history_and_seed(store: InspectableStore) -> None:
    await seed(store)
    await store.save_schedule(schedule())
    post = await store.create_daily_post(CHAT, date(2024, 3, 4), "d/q01", 0, T0, None)
    await store.record_answer(answer(target=daily_target(post.id), post_id=post.id))
    session = await store.create_quiz(quiz())
    assert session is not None
    new = ChatKey("telegram", "-100200")
    new_group = GroupKey("telegram", "-100200")
    migrated = await store.migrate_chat(CHAT, new, new_group)
    assert (migrated.key, migrated.group, migrated.seed) == (new, new_group, "telegram:-100")
    assert await store.get_chat(CHAT) is None
    assert await store.get_schedule(CHAT) is None
    moved = await store.get_schedule(new)
    assert moved is not None and moved.timezone == "Europe/Berlin" and moved.chat == new
    assert (await store.latest_daily_post(new)) == replace(post, chat=new)
    assert await store.get_active_quiz(ALICE, new) == replace(session, chat=new)
    stored = await store.get_answer(ALICE, daily_target(post.id))
    assert stored is not None and stored.chat == new and stored.group == new_group
    assert [e.points for e in await store.leaderboard_entries(new_group, None, None)] == [10]
    assert await store.group_timezone(new_group) == "Europe/Berlin"
    with pytest.raises(NotFoundError):
        await store.migrate_chat(CHAT, new, None)


async def test_migrate_chat_merges_into_existing_target(store: InspectableStore) -> None:
    await seed(store)
    new = ChatKey("telegram", "-100200")
    await store.upsert_chat(new, GroupKey("telegram", "-100200"), "Super", T0)
    await store.save_schedule(schedule())
    await store.save_schedule(schedule(new, timezone="Asia/Tokyo"))
    day = date(2024, 3, 4)
    await store.create_daily_post(CHAT, day, "d/q01", 0, T0, None)
    await store.create_daily_post(new, day, "d/q05", 0, T0, None)  # conflicts: old wins
    await store.create_daily_post(new, day + timedelta(1), "d/q06", 0, T0, None)
    await store.create_quiz(quiz(ALICE, CHAT))
    await store.create_quiz(quiz(ALICE, new))
    await store.create_quiz(quiz(BOB, new))
    migrated = await store.migrate_chat(CHAT, new, None)
    assert migrated.seed == "telegram:-100" and migrated.title == "Study"
    schedule_after = await store.get_schedule(new)
    assert schedule_after is not None and schedule_after.timezone == "Europe/Berlin"
    first_day = await store.get_daily_post(new, day)
    assert first_day is not None and first_day.item_id == "d/q01"
    second_day = await store.get_daily_post(new, day + timedelta(1))
    assert second_day is not None and second_day.item_id == "d/q06"
    alice_quiz = await store.get_active_quiz(ALICE, new)
    assert alice_quiz is not None and alice_quiz.topic == "cnn"
    assert await store.get_active_quiz(BOB, new) is not None


async def test_broken_chats_are_marked_once_and_cleared_once(store: InspectableStore) -> None:
    await seed(store)
    await store.save_schedule(schedule(next_post_utc=T0))
    assert [g.channels for g in await store.due_groups(T0)] == [1]
    assert await store.mark_chat_broken(CHAT, "403 " + "x" * 400, T0) is True
    assert await store.mark_chat_broken(CHAT, "again", T0 + timedelta(hours=1)) is False
    chat = await store.get_chat(CHAT)
    assert chat is not None and chat.broken_at == T0
    assert chat.broken_reason is not None and len(chat.broken_reason) == 300
    assert await store.due_groups(T0) == []  # a broken chat is not posted to
    assert await store.clear_chat_broken(CHAT) is True
    assert await store.clear_chat_broken(CHAT) is False
    chat = await store.get_chat(CHAT)
    assert chat is not None and chat.broken_at is None and chat.broken_reason is None
    assert [g.channels for g in await store.due_groups(T0)] == [1]
    unknown = ChatKey("telegram", "-404")
    assert await store.mark_chat_broken(unknown, "gone", T0) is False
    assert await store.clear_chat_broken(unknown) is False


async def test_chat_feedback_setting_is_stored_and_moves_with_the_chat(
    store: InspectableStore,
) -> None:
    chat = await store.upsert_chat(CHAT, GROUP, "Study", T0)
    assert chat.feedback == "auto"  # the default
    assert await store.set_chat_feedback(CHAT, "private") is True
    stored = await store.get_chat(CHAT)
    assert stored is not None and stored.feedback == "private"
    # A rename keeps the setting; an unknown chat is refused.
    renamed = await store.upsert_chat(CHAT, GROUP, "Renamed", T0 + timedelta(days=1))
    assert renamed.feedback == "private"
    assert await store.set_chat_feedback(ChatKey("telegram", "nope"), "group") is False
    new = ChatKey("telegram", "-200")
    moved = await store.migrate_chat(CHAT, new, None)
    assert moved.feedback == "private"
