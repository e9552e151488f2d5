"""Store contract (memory, SQLite, PostgreSQL): reports."""

from __future__ import annotations

from datetime import timedelta

from bot.ports import InspectableStore
from tests.storage.contract.support import (
    ALICE,
    T0,
    seed,
)


async def test_reports(store: InspectableStore) -> None:
    await seed(store)
    first = await store.add_report(ALICE, "d/q01", "typo in answer", T0)
    second = await store.add_report(None, "d/q02", "wrong", T0 + timedelta(minutes=1))
    assert await store.list_reports() == [first, second]
    assert first.user == ALICE and second.user is None
