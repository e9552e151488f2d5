"""Several processes on one PostgreSQL database (a store, services and delivery each):
the tick enqueues each due post once, and a dead sender's rows go to another after the
lease."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Scheduler

from bot.delivery import Delivery
from bot.domain.models import ChatKey, OutboxStatus
from bot.grading.lexical import LexicalGrader
from bot.ports import Outgoing
from bot.services import Services, build_services
from bot.storage.postgres import PostgresStore
from tests.delivery.fakes import FakeMessenger, SimulatedCrash
from tests.factories import FakeClock, bank, open_deck

pytestmark = pytest.mark.postgres

EIGHT = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


@dataclass
class Process:
    """What one `prepbot run` holds: its own pool, services and delivery, one clock."""

    store: PostgresStore
    services: Services
    delivery: Delivery
    clock: FakeClock


@pytest.fixture
async def processes(postgres_url: str) -> AsyncIterator[list[Process]]:
    clock = FakeClock(EIGHT - timedelta(hours=1))  # shared: one wall clock
    questions = bank(open_deck("dl", 5))
    opened: list[Process] = []
    try:
        for _ in range(3):
            store = await PostgresStore.open(postgres_url, max_connections=4)
            services = build_services(
                store, questions, clock, LexicalGrader(), scheduler=Scheduler(enable_fuzzing=False)
            )
            delivery = Delivery(store, services, clock, lease=LEASE)
            opened.append(Process(store, services, delivery, clock))
        yield opened
    finally:
        for process in opened:
            await process.store.close()


async def subscribe(process: Process, count: int) -> list[ChatKey]:
    chats = [ChatKey("telegram", str(-1000 - n)) for n in range(count)]
    for chat in chats:
        await process.services.schedules.subscribe(chat, "08:00", "UTC")
    process.clock.set(EIGHT)  # now they are due
    return chats


async def test_three_ticks_at_once_enqueue_each_due_post_once(processes: list[Process]) -> None:
    chats = await subscribe(processes[0], 150)
    results = await asyncio.gather(*(p.delivery.tick() for p in processes))
    assert sum(result.daily_rows for result in results) == len(chats)
    rows = await processes[1].store.outbox_rows("telegram")
    assert sorted(row.chat for row in rows) == sorted(chats)
    again = await asyncio.gather(*(p.delivery.tick() for p in processes))
    assert sum(result.daily_rows for result in again) == 0  # the schedules moved on

    # Three senders drain together: every chat gets its post exactly once.
    messengers = [FakeMessenger() for _ in processes]
    sent = await asyncio.gather(
        *(p.delivery.sender(m).drain() for p, m in zip(processes, messengers, strict=True))
    )
    keys = [key for m in messengers for key in m.delivered_keys()]
    assert sum(sent) == len(keys) == len(set(keys)) == len(chats)


async def test_rows_a_dead_sender_claimed_go_to_another_after_the_lease(
    processes: list[Process],
) -> None:
    dying, other, _ = processes
    chats = await subscribe(dying, 5)
    await dying.delivery.tick()
    delivered: list[Outgoing] = []
    crashing = FakeMessenger(
        delivered=delivered,
        fail=lambda message: SimulatedCrash() if len(delivered) == 2 else None,
    )
    with pytest.raises(SimulatedCrash):
        await dying.delivery.sender(crashing).drain()  # claimed all five, sent two
    survivor = FakeMessenger(delivered=delivered)  # the platform's one view
    sender = other.delivery.sender(survivor)
    assert await sender.drain() == 0  # the dead process's lease still holds its rows
    other.clock.advance(seconds=LEASE.total_seconds())
    assert await sender.drain() == 3
    keys = survivor.delivered_keys()
    assert len(keys) == len(set(keys)) == len(chats)
    rows = await other.store.outbox_rows("telegram")
    assert [row.status for row in rows] == [OutboxStatus.SENT] * len(chats)
