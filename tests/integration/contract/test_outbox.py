"""Store contract (memory, SQLite, PostgreSQL): the outbox."""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.models import (
    ChatKey,
    NewOutboxRow,
    OutboxKind,
    OutboxStatus,
)
from bot.ports import InspectableStore
from tests.integration.contract.support import T0


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
