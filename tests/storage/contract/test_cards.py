"""Store contract (memory, SQLite, PostgreSQL): review cards."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.models import ReviewCard
from bot.ports import InspectableStore
from tests.storage.contract.support import (
    ALICE,
    BOB,
    T0,
    seed,
)


async def test_cards_due_order(store: InspectableStore) -> None:
    await seed(store)
    for n, hours in enumerate([5, -3, -1, 30]):
        await store.save_card(
            ReviewCard(ALICE, f"d/q0{n}", "{}", T0 + timedelta(hours=hours), None, "prev")
        )
    await store.save_card(ReviewCard(BOB, "d/q09", "{}", T0 - timedelta(days=3)))
    due = await store.due_cards(ALICE, T0, 10)
    assert [c.item_id for c in due] == ["d/q01", "d/q02"]
    assert due[0].prev_card_json == "prev"
    assert await store.count_due(ALICE, T0) == 2
    assert await store.next_due(ALICE, T0) == T0 + timedelta(hours=5)
    assert await store.next_due(ALICE, T0 + timedelta(days=5)) is None
    updated = ReviewCard(ALICE, "d/q01", '{"v": 2}', T0 + timedelta(days=2), T0, None)
    await store.save_card(updated)
    assert await store.get_card(ALICE, "d/q01") == updated
    assert await store.count_due(ALICE, T0) == 1
