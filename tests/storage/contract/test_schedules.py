"""Store contract (memory, SQLite, PostgreSQL): schedules, due groups, the enqueue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain.models import (
    ChatKey,
    DueGroup,
    GroupKey,
    OutboxKind,
)
from bot.errors import NotFoundError
from bot.ports import InspectableStore
from tests.storage.contract.support import (
    CHAT,
    GROUP,
    T0,
    schedule,
    seed,
)


async def test_schedule_round_trip_due_and_delete(store: InspectableStore) -> None:
    await seed(store)
    with pytest.raises(NotFoundError):
        await store.save_schedule(schedule(ChatKey("telegram", "unknown")))
    await store.save_schedule(schedule())
    assert await store.get_schedule(CHAT) == schedule()
    assert await store.due_groups(T0) == []
    one = schedule()
    assert await store.due_groups(T0 + timedelta(hours=1)) == [
        DueGroup(one.local_time, one.timezone, one.weekdays, T0 + timedelta(hours=1), 1)
    ]
    await store.save_schedule(schedule(paused=True, next_post_utc=None))
    assert await store.due_groups(T0 + timedelta(days=9)) == []
    assert await store.group_timezone(GROUP) == "Europe/Berlin"
    assert await store.group_timezone(GroupKey("telegram", "other")) is None
    assert await store.delete_schedule(CHAT) is True
    assert await store.delete_schedule(CHAT) is False
    assert await store.get_schedule(CHAT) is None


async def test_due_groups_order_and_enqueue_in_chunks(store: InspectableStore) -> None:
    for n in range(5):
        key = ChatKey("discord", f"c{n}")
        await store.upsert_chat(key, GroupKey("discord", "g"), "", T0)
        await store.save_schedule(schedule(key, next_post_utc=T0 - timedelta(minutes=n % 3)))
    groups = await store.due_groups(T0)
    # Earliest first; c2 (2 min early) alone, c1 and c4 together, c0 and c3 together.
    assert [(g.due, g.channels) for g in groups] == [
        (T0 - timedelta(minutes=2), 1),
        (T0 - timedelta(minutes=1), 2),
        (T0, 2),
    ]
    later = T0 + timedelta(days=1)
    pair = groups[1]
    assert await store.enqueue_group(pair, date(2024, 3, 4), later, 1) == (1, 1)
    assert await store.enqueue_group(pair, date(2024, 3, 4), later, 1) == (1, 1)
    assert await store.enqueue_group(pair, date(2024, 3, 4), later, 1) == (0, 0)
    queued = await store.outbox_rows()
    assert sorted(r.chat.chat_id for r in queued) == ["c1", "c4"]
    assert {(r.kind, r.local_date, r.due_at) for r in queued} == {
        (OutboxKind.DAILY, date(2024, 3, 4), pair.due)
    }
    assert (await store.get_schedule(ChatKey("discord", "c4"))).next_post_utc == later  # type: ignore[union-attr]
    # A schedule moved back to the same instant cannot post the same local day twice.
    await store.save_schedule(schedule(ChatKey("discord", "c1"), next_post_utc=pair.due))
    assert await store.enqueue_group(pair, date(2024, 3, 4), later, 10) == (1, 0)
    assert len(await store.outbox_rows()) == 2
    # The oldest schedule of a group decides its timezone.
    await store.save_schedule(
        schedule(ChatKey("discord", "c3"), timezone="Asia/Tokyo", created_at=T0 - timedelta(1))
    )
    assert await store.group_timezone(GroupKey("discord", "g")) == "Asia/Tokyo"
