"""Store contract (memory, SQLite, PostgreSQL): the outbox."""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.models import (
    ChatKey,
    GroupKey,
    NewOutboxRow,
    OutboxKind,
    OutboxStatus,
)
from bot.ports import InspectableStore
from tests.storage.contract.support import CHAT, T0, seed


async def test_claimed_outbox_rows_are_leased_until_they_run_out(store: InspectableStore) -> None:
    chats = [ChatKey("telegram", f"-{n}") for n in range(3)]
    due = [T0 - timedelta(minutes=n) for n in range(3)]  # the last chat is the oldest
    rows = [
        NewOutboxRow(chat, OutboxKind.DAILY, date(2024, 3, 4), at)
        for chat, at in zip(chats, due, strict=True)
    ]
    assert await store.commit_tick(rows, []) == 3
    lease = timedelta(minutes=5)
    first = await store.claim_outbox("telegram", T0, 2, lease)
    assert [row.chat for row in first] == [chats[2], chats[1]]  # oldest first
    assert all(row.next_attempt_at == T0 + lease for row in first)
    second = await store.claim_outbox("telegram", T0, 10, lease)
    assert [row.chat for row in second] == [chats[0]]  # claimed rows are not claimed again
    assert await store.claim_outbox("telegram", T0 + timedelta(minutes=4), 10, lease) == []
    assert await store.claim_outbox("discord", T0 + timedelta(hours=1), 10, lease) == []
    # A sent row is done; an unrecorded claim comes back once its lease has run out.
    await store.update_outbox(first[0].id, status=OutboxStatus.SENT, sent_at=T0)
    later = await store.claim_outbox("telegram", T0 + lease, 10, lease)
    assert sorted(row.id for row in later) == sorted([first[1].id, second[0].id])


async def test_pending_outbox_is_a_read_only_view(store: InspectableStore) -> None:
    chats = [ChatKey("telegram", f"-{n}") for n in range(3)]
    rows = [
        NewOutboxRow(chat, OutboxKind.DAILY, date(2024, 3, 4), T0 - timedelta(minutes=n))
        for n, chat in enumerate(chats)
    ]
    await store.commit_tick(
        [*rows, NewOutboxRow(chats[0], OutboxKind.DAILY, date(2024, 3, 4), T0)], []
    )
    pending = await store.pending_outbox("telegram", T0, 2)
    assert [row.chat for row in pending] == [chats[2], chats[1]]
    assert await store.pending_outbox("telegram", T0, 2) == pending  # nothing was leased
    assert await store.pending_outbox("telegram", T0 - timedelta(minutes=3), 10) == []
    assert await store.pending_outbox("discord", T0, 10) == []
    assert len(await store.outbox_rows("telegram")) == 3  # the duplicate was ignored


async def test_expire_outbox_skips_only_old_pending_rows(store: InspectableStore) -> None:
    old, fresh, sent = (ChatKey("telegram", f"-{n}") for n in range(3))
    day = date(2024, 3, 4)
    await store.commit_tick(
        [
            NewOutboxRow(old, OutboxKind.DAILY, day, T0 - timedelta(hours=5)),
            NewOutboxRow(fresh, OutboxKind.DAILY, day, T0),
            NewOutboxRow(sent, OutboxKind.DAILY, day, T0 - timedelta(hours=6)),
            NewOutboxRow(old, OutboxKind.DAILY, day, T0 - timedelta(hours=5)),
        ],
        [],
    )
    await store.commit_tick(
        [NewOutboxRow(ChatKey("discord", "1"), OutboxKind.DAILY, day, T0 - timedelta(hours=9))], []
    )
    by_chat = {row.chat: row for row in await store.outbox_rows()}
    await store.update_outbox(by_chat[sent].id, status=OutboxStatus.SENT, sent_at=T0)
    expired = await store.expire_outbox("telegram", T0 - timedelta(hours=1))
    assert [row.chat for row in expired] == [old]
    assert expired[0].status is OutboxStatus.PENDING  # as it was before expiring
    after = {row.chat: row for row in await store.outbox_rows()}
    assert after[old].status is OutboxStatus.SKIPPED and after[old].error == "too old to send"
    assert after[fresh].status is OutboxStatus.PENDING
    assert after[sent].status is OutboxStatus.SENT
    assert after[ChatKey("discord", "1")].status is OutboxStatus.PENDING  # other platform
    assert await store.expire_outbox("telegram", T0 - timedelta(hours=1)) == []


async def test_reveals_to_enqueue_skips_queued_revealed_and_broken(
    store: InspectableStore,
) -> None:
    await seed(store)
    other = ChatKey("telegram", "-200")
    await store.upsert_chat(other, GroupKey("telegram", "-200"), "Other", T0)
    day = date(2024, 3, 4)
    due = await store.create_daily_post(CHAT, day, "d/q01", 1, T0, T0 + timedelta(hours=1))
    later = await store.create_daily_post(
        CHAT, date(2024, 3, 5), "d/q02", 1, T0, T0 + timedelta(hours=5)
    )
    broken = await store.create_daily_post(other, day, "d/q01", 1, T0, T0)
    now = T0 + timedelta(hours=2)
    assert await store.reveals_to_enqueue(now, 10) == [broken, due]
    await store.mark_chat_broken(other, "kicked", T0)
    assert await store.reveals_to_enqueue(now, 10) == [due]
    await store.commit_tick([NewOutboxRow(CHAT, OutboxKind.REVEAL, day, now, post_id=due.id)], [])
    assert await store.reveals_to_enqueue(now, 10) == []  # already queued
    assert await store.reveals_to_enqueue(T0 + timedelta(hours=6), 10) == [later]
    await store.mark_post_revealed(later.id, now)
    assert await store.reveals_to_enqueue(T0 + timedelta(hours=6), 10) == []


async def test_outbox_health_counts_pending_rows_and_broken_chats(
    store: InspectableStore,
) -> None:
    empty = await store.outbox_health()
    assert (empty.pending, empty.oldest_pending_due, empty.broken_chats) == (0, None, 0)
    await seed(store)
    chats = [ChatKey("telegram", f"-{n}") for n in range(3)]
    day = date(2024, 3, 4)
    await store.commit_tick(
        [
            NewOutboxRow(chat, OutboxKind.DAILY, day, T0 - timedelta(minutes=n))
            for n, chat in enumerate(chats)
        ],
        [],
    )
    [oldest] = [r for r in await store.outbox_rows() if r.chat == chats[2]]
    await store.update_outbox(oldest.id, status=OutboxStatus.SENT, sent_at=T0)
    await store.mark_chat_broken(CHAT, "403", T0)
    health = await store.outbox_health()
    assert health.pending == 2
    assert health.oldest_pending_due == T0 - timedelta(minutes=1)
    assert health.broken_chats == 1
