"""Store contract (memory, SQLite, PostgreSQL): marks of things shown once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.ports import InspectableStore
from tests.storage.contract.support import ALICE, BOB, T0, seed


async def test_a_mark_is_claimed_by_the_first_caller_only(store: InspectableStore) -> None:
    assert await store.mark_value("hint", "telegram:-100:1") is None
    assert await store.claim_mark("hint", "telegram:-100:1", T0)
    assert not await store.claim_mark("hint", "telegram:-100:1", T0 + timedelta(days=1))
    assert await store.mark_value("hint", "telegram:-100:1") == ""
    # Kind and subject each make another mark.
    assert await store.claim_mark("hint", "telegram:-100:2", T0)
    assert await store.claim_mark("broken", "telegram:-100:1", T0)


async def test_concurrent_claims_have_one_winner(store: InspectableStore) -> None:
    claims = await asyncio.gather(*(store.claim_mark("hint", "g:u", T0) for _ in range(8)))
    assert sorted(claims) == [False] * 7 + [True]


async def test_a_mark_keeps_a_value(store: InspectableStore) -> None:
    assert await store.claim_mark("count", "7", T0, "101 1")
    assert await store.mark_value("count", "7") == "101 1"
    assert not await store.claim_mark("count", "7", T0, "999 9")  # a lost claim changes nothing
    await store.set_mark_value("count", "7", "101 4", T0 + timedelta(minutes=1))
    assert await store.mark_value("count", "7") == "101 4"
    await store.set_mark_value("count", "8", "102 1", T0)  # sets a mark not yet set
    assert await store.mark_value("count", "8") == "102 1"
    assert not await store.claim_mark("count", "8", T0)


async def test_pruning_forgets_old_marks_of_one_kind(store: InspectableStore) -> None:
    day = timedelta(days=1)
    await store.claim_mark("hint", "old", T0)
    await store.claim_mark("hint", "new", T0 + 2 * day)
    await store.claim_mark("count", "old", T0, "5 1")
    # A value kept later does not make the mark younger: its age counts from the claim.
    await store.set_mark_value("count", "old", "5 2", T0 + 2 * day)
    assert await store.prune_marks("hint", T0 + day) == 1
    assert await store.prune_marks("hint", T0 + day) == 0
    assert await store.claim_mark("hint", "old", T0 + 3 * day)  # forgotten: due again
    assert not await store.claim_mark("hint", "new", T0 + 3 * day)
    assert await store.mark_value("count", "old") == "5 2"  # other kinds untouched
    assert await store.prune_marks("count", T0 + day) == 1
    assert await store.mark_value("count", "old") is None


async def test_a_mark_about_a_user_goes_with_them(store: InspectableStore) -> None:
    await seed(store)
    assert await store.claim_mark("hint", "telegram:-100:1", T0, user=ALICE)
    assert await store.claim_mark("hint", "telegram:-100:2", T0, user=BOB)
    assert await store.claim_mark("count", "7", T0, "5 1")
    assert await store.delete_user(ALICE)
    assert await store.claim_mark("hint", "telegram:-100:1", T0)  # forgotten with Alice
    assert not await store.claim_mark("hint", "telegram:-100:2", T0)
    assert await store.mark_value("count", "7") == "5 1"
