"""The sender under faults: stopping mid fan-out and mid pause, a chat's own 429."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.delivery import Delivery
from bot.domain.models import ChatKey, OutboxStatus
from bot.errors import RateLimited
from bot.grading.lexical import LexicalGrader
from bot.ports import InspectableStore, Outgoing, RateBudget
from bot.services import build_services
from tests.delivery.fakes import FakeMessenger
from tests.factories import FakeClock, bank, open_deck

pytestmark = pytest.mark.timeout(30)

EIGHT = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)


async def due(store: InspectableStore, chats: int) -> tuple[Delivery, FakeClock]:
    clock = FakeClock(EIGHT - timedelta(minutes=1))
    services = build_services(store, bank(open_deck("dl", 4)), clock, LexicalGrader())
    for n in range(chats):
        await services.schedules.subscribe(ChatKey("telegram", str(-1000 - n)), "08:00", "UTC")
    clock.set(EIGHT)
    delivery = Delivery(store, services, clock)
    await delivery.tick()
    return delivery, clock


async def test_stop_mid_fan_out_finishes_in_flight_sends_and_gives_back_the_rest(
    store: InspectableStore,
) -> None:
    delivery, _ = await due(store, 40)
    messenger = FakeMessenger()
    sender = delivery.sender(messenger, RateBudget(overall=(20, 1.0)))
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    while len(messenger.delivered) < 5:
        await asyncio.sleep(0.01)
    stop.set()
    started = time.monotonic()
    await asyncio.wait_for(task, 5)
    assert time.monotonic() - started < 1.0
    rows = await store.outbox_rows("telegram")
    sent = [row for row in rows if row.status is OutboxStatus.SENT]
    assert len(sent) == len(messenger.delivered) < 40
    # The rest is pending and due at once: a restart sends each exactly once.
    rest = [row for row in rows if row.status is OutboxStatus.PENDING]
    assert len(rest) == 40 - len(sent)
    again = FakeMessenger(delivered=messenger.delivered)
    assert await delivery.sender(again, RateBudget(overall=(1000, 1.0))).drain() == len(rest)
    keys = again.delivered_keys()
    assert len(keys) == len(set(keys)) == 40


async def test_stop_during_a_long_429_pause_ends_at_once(store: InspectableStore) -> None:
    delivery, _ = await due(store, 3)
    limited = FakeMessenger(fail=lambda message: RateLimited(600))
    sender = delivery.sender(limited)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop, interval=0.05))
    while sender.rate_limited == 0:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)
    stop.set()
    started = time.monotonic()
    await asyncio.wait_for(task, 5)
    assert time.monotonic() - started < 1.0
    assert sender.rate_limited == 1  # one 429, then paused: nothing else tried


async def test_a_chats_own_429_pauses_that_chat_only(store: InspectableStore) -> None:
    delivery, clock = await due(store, 3)
    slow_chat = "-1000"

    def fail(message: Outgoing) -> BaseException | None:
        if message.chat.chat_id == slow_chat:
            return RateLimited(30, chat_only=True)
        return None

    messenger = FakeMessenger(fail=fail)
    sender = delivery.sender(messenger, RateBudget(overall=(100, 1.0), per_chat=(20, 60.0)))
    assert await sender.drain() == 2  # the other chats went on
    assert sender.rate_limited == 1
    [row] = [r for r in await store.outbox_rows() if r.status is OutboxStatus.PENDING]
    assert row.chat.chat_id == slow_chat and row.next_attempt_at == clock.now() + timedelta(
        seconds=30
    )
    messenger.fail = lambda message: None
    clock.advance(seconds=31)
    assert await sender.drain() == 1


class SlowMessenger(FakeMessenger):
    """Each delivery takes a round trip; counts how many were awaiting one at once."""

    def __init__(self) -> None:
        super().__init__()
        self.open = 0
        self.most = 0

    async def deliver(self, message: Outgoing) -> str:
        self.open += 1
        self.most = max(self.most, self.open)
        try:
            await asyncio.sleep(0.05)
            return await super().deliver(message)
        finally:
            self.open -= 1


@pytest.mark.parametrize("in_flight", [1, 4])
async def test_sends_awaiting_their_record_never_exceed_in_flight(
    store: InspectableStore, in_flight: int
) -> None:
    delivery, _ = await due(store, 24)
    messenger = SlowMessenger()
    budget = RateBudget(overall=(1000, 1.0), in_flight=in_flight)
    started = time.monotonic()
    assert await delivery.sender(messenger, budget).drain() == 24
    elapsed = time.monotonic() - started
    assert messenger.most == in_flight
    # One at a time costs a round trip per post; four overlap them.
    assert elapsed >= 24 * 0.05 if in_flight == 1 else elapsed < 24 * 0.05 / 2
