"""Store contract (memory, SQLite, PostgreSQL): users, settings, private chats, deletion."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.models import (
    ReviewCard,
    UserKey,
)
from bot.errors import NotFoundError
from bot.ports import InspectableStore
from tests.storage.contract.support import (
    ALICE,
    BOB,
    CHAT,
    STREAK,
    T0,
    answer,
    quiz,
    seed,
)


async def test_users_round_trip_and_update(store: InspectableStore) -> None:
    assert await store.get_user(ALICE) is None
    created = await store.upsert_user(ALICE, "Alice", T0 + timedelta(microseconds=5))
    assert created.created_at == T0 and created.display_name == "Alice"
    renamed = await store.upsert_user(ALICE, "Alice B.", T0 + timedelta(days=1))
    assert renamed.display_name == "Alice B." and renamed.created_at == T0
    await store.set_user_timezone(ALICE, "Asia/Kolkata")
    await store.set_leaderboard_opt_out(ALICE, True)
    user = await store.get_user(ALICE)
    assert user is not None
    assert (user.timezone, user.leaderboard_opt_out) == ("Asia/Kolkata", True)
    with pytest.raises(NotFoundError):
        await store.set_user_timezone(BOB, "UTC")


async def test_delete_user_removes_everything_about_them(store: InspectableStore) -> None:
    await seed(store)
    await store.record_answer(answer(), streak=STREAK)
    await store.record_answer(answer(BOB), streak=STREAK)
    await store.record_reveal(ALICE, "daily:1", "d/q01", T0)
    await store.create_quiz(quiz())
    await store.save_card(ReviewCard(ALICE, "d/q01", "{}", T0))
    await store.add_report(ALICE, "d/q01", "mine", T0)
    assert await store.delete_user(ALICE) is True
    assert await store.delete_user(ALICE) is False
    assert await store.get_user(ALICE) is None
    assert await store.get_answer(ALICE, "daily:1") is None
    assert await store.reveal_count(ALICE, "daily:1") == 0
    assert await store.get_active_quiz(ALICE, CHAT) is None
    assert await store.get_card(ALICE, "d/q01") is None
    assert await store.list_reports() == []
    assert await store.answer_times(ALICE) == []
    assert await store.streak_states([ALICE, BOB]) == {BOB: STREAK}
    # Other users are untouched.
    assert await store.get_answer(BOB, "daily:1") is not None


async def test_private_ok_is_per_user_and_deleted_with_them(store: InspectableStore) -> None:
    await seed(store)
    assert await store.private_ok(ALICE) is False
    assert await store.set_private_ok(ALICE, True) is True
    assert (await store.private_ok(ALICE), await store.private_ok(BOB)) == (True, False)
    await store.upsert_user(ALICE, "Alice renamed", T0)  # an update keeps the flag
    assert await store.private_ok(ALICE) is True
    assert await store.set_private_ok(ALICE, False) is True
    assert await store.private_ok(ALICE) is False

    stranger = UserKey("telegram", "404")
    assert await store.set_private_ok(stranger, True) is False  # nothing to attach it to
    assert await store.private_ok(stranger) is False

    await store.set_private_ok(BOB, True)
    assert await store.delete_user(BOB) is True
    await store.upsert_user(BOB, "Bob", T0)
    assert await store.private_ok(BOB) is False  # /forget took the flag too


async def test_get_users_returns_the_known_ones(store: InspectableStore) -> None:
    await seed(store)
    carol = UserKey("discord", "1")  # same id, other platform: not Alice
    found = await store.get_users([ALICE, carol, UserKey("telegram", "404")])
    assert set(found) == {ALICE}
    assert found[ALICE].display_name == "Alice"
    assert await store.get_users([]) == {}
