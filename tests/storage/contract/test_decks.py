"""Store contract (memory, SQLite, PostgreSQL): uploaded decks."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.decks import StoredDeck
from bot.ports import InspectableStore
from tests.storage.contract.support import T0


def _deck(deck_id: str, scope: str, minutes: int = 0) -> StoredDeck:
    return StoredDeck(
        id=deck_id,
        scope=scope,
        owner="telegram:1",
        name=f"Deck {deck_id}",
        format="csv",
        created=T0 + timedelta(minutes=minutes, microseconds=500),
        item_count=3,
        body=f"id: {deck_id}\nitems: []\n",
    )


async def test_decks_are_kept_per_scope_with_their_body(store: InspectableStore) -> None:
    assert await store.add_deck(_deck("b-2", "telegram:-100", 5), limit=20)
    assert await store.add_deck(_deck("a-1", "telegram:-100", 1), limit=20)
    assert await store.add_deck(_deck("c-3", "discord:guild:7"), limit=20)
    listed = await store.list_decks("telegram:-100")
    assert [d.id for d in listed] == ["a-1", "b-2"]  # oldest first
    assert all(d.body == "" for d in listed)  # listings leave the items out
    assert listed[0].created == T0 + timedelta(minutes=1)  # whole seconds
    assert (listed[0].name, listed[0].format, listed[0].item_count) == ("Deck a-1", "csv", 3)
    got = await store.get_deck("c-3")
    assert got is not None and got.scope == "discord:guild:7"
    assert got.body == "id: c-3\nitems: []\n"
    assert await store.get_deck("nope") is None
    assert [d.id for d in await store.all_decks()] == ["c-3", "a-1", "b-2"]


async def test_a_scope_holds_at_most_the_limit(store: InspectableStore) -> None:
    assert await store.add_deck(_deck("a", "s1"), limit=2)
    assert await store.add_deck(_deck("b", "s1"), limit=2)
    assert not await store.add_deck(_deck("c", "s1"), limit=2)
    assert await store.add_deck(_deck("d", "s2"), limit=2)  # another scope has its own room
    assert [d.id for d in await store.list_decks("s1")] == ["a", "b"]


async def test_only_the_owning_scope_removes_a_deck(store: InspectableStore) -> None:
    await store.add_deck(_deck("a", "s1"), limit=20)
    assert not await store.remove_deck("a", "s2")
    assert await store.get_deck("a") is not None
    assert await store.remove_deck("a", "s1")
    assert await store.get_deck("a") is None
    assert not await store.remove_deck("a", "s1")
