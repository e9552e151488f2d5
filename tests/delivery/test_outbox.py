"""The outbox guarantees, on both stores: no duplicates, no misses, one post per local day."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from fsrs import Scheduler

from bot.delivery import Delivery, TickResult
from bot.delivery.sender import JITTER
from bot.domain.delivery import backoff
from bot.domain.models import ChatKey, OutboxStatus
from bot.errors import ChatUnavailable, RateLimited
from bot.grading.lexical import LexicalGrader
from bot.ports import DailyPostMessage, InspectableStore, Outgoing, RevealMessage
from bot.scheduling import TickScheduler
from bot.services import Services, build_services
from tests.delivery.fakes import FakeMessenger, SimulatedCrash, kind_of
from tests.factories import FakeClock, bank, open_deck

A = ChatKey("telegram", "-1001")
B = ChatKey("telegram", "-1002")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2024, 3, 4, 7, 0, tzinfo=UTC))  # a Monday, 08:00 in Berlin


@pytest.fixture
def services(store: InspectableStore, clock: FakeClock) -> Services:
    return build_services(
        store, bank(open_deck("dl", 8)), clock, LexicalGrader(),
        scheduler=Scheduler(enable_fuzzing=False),
    )


@pytest.fixture
def delivery(store: InspectableStore, services: Services, clock: FakeClock) -> Delivery:
    return Delivery(store, services, clock, max_age=timedelta(minutes=120))


async def at(clock: FakeClock, delivery: Delivery, when: datetime) -> None:
    clock.set(when)
    await delivery.tick()


async def test_tick_enqueues_once_and_advances(
    store: InspectableStore, services: Services, clock: FakeClock, delivery: Delivery
) -> None:
    await services.schedules.subscribe(A, "09:00", "Europe/Berlin")
    await services.schedules.subscribe(B, "13:30", "Asia/Kolkata")
    result = await delivery.tick()
    assert result.daily_rows == 0  # nothing due yet
    clock.set(datetime(2024, 3, 4, 8, 0, tzinfo=UTC))  # 09:00 Berlin, 13:30 Kolkata
    first = await delivery.tick()
    again = await delivery.tick()
    assert (first.daily_rows, again.daily_rows) == (2, 0)
    rows = await store.outbox_rows()
    assert {(r.chat, r.local_date) for r in rows} == {(A, date(2024, 3, 4)), (B, date(2024, 3, 4))}
    schedule = await store.get_schedule(A)
    assert schedule is not None and schedule.next_post_utc == datetime(2024, 3, 5, 8, tzinfo=UTC)


async def test_sender_delivers_and_records(
    store: InspectableStore, services: Services, clock: FakeClock, delivery: Delivery
) -> None:
    await services.schedules.subscribe(A, "08:00", "UTC")
    await at(clock, delivery, datetime(2024, 3, 4, 8, 0, tzinfo=UTC))
    messenger = FakeMessenger()
    assert await delivery.sender(messenger).drain() == 1
    message = messenger.delivered[0]
    assert isinstance(message, DailyPostMessage)
    assert message.outbox_id == (await store.outbox_rows())[0].id
    row = (await store.outbox_rows())[0]
    assert (row.status, row.message_id) == (OutboxStatus.SENT, "m1")
    replied = await services.daily.by_message(A, "m1")
    assert replied is not None and replied.post_id == message.daily.post_id
    assert await delivery.sender(messenger).drain() == 0  # nothing twice


async def test_crash_between_rows_gives_no_duplicate_and_no_miss(
    store: InspectableStore, services: Services, clock: FakeClock, delivery: Delivery
) -> None:
    for chat in (A, B):
        await services.schedules.subscribe(chat, "08:00", "UTC")
    await at(clock, delivery, datetime(2024, 3, 4, 8, 0, tzinfo=UTC))
    sent: list[Outgoing] = []
    crashing = FakeMessenger(
        delivered=sent,
        fail=lambda m: SimulatedCrash() if len(sent) == 1 else None,  # dies before row 2
    )
    with pytest.raises(SimulatedCrash):
        await delivery.sender(crashing).drain()
    assert len(sent) == 1
    restarted = FakeMessenger(delivered=sent)  # same recording: the platform's view
    sender = delivery.sender(restarted)
    await sender.resume()
    # The dead sender's claim on row 2 holds until its lease runs out (another process
    # sharing the database must not send it meanwhile); then it goes out once.
    assert await sender.drain() == 0
    clock.advance(seconds=sender.lease.total_seconds())
    assert await sender.drain() == 1
    keys = restarted.delivered_keys()
    assert len(keys) == len(set(keys)) == 2
    assert {k[1] for k in keys} == {A.chat_id, B.chat_id}


async def test_a_slow_batch_gives_back_its_rows_before_the_lease_ends(
    store: InspectableStore, services: Services, clock: FakeClock, delivery: Delivery
) -> None:
    for chat in (A, B):
        await services.schedules.subscribe(chat, "08:00", "UTC")
    await at(clock, delivery, datetime(2024, 3, 4, 8, 0, tzinfo=UTC))
    sender = delivery.sender(FakeMessenger())
    half = sender.lease.total_seconds() / 2

    def slow(message: Outgoing) -> None:
        clock.advance(seconds=half)  # the first send takes half the lease
        return None

    messenger = FakeMessenger(fail=slow)
    sender = delivery.sender(messenger)
    assert await sender.drain() == 1
    # The second row was given back, not kept past the point where another process on
    # the database could take it over: it is pending and claimable at once.
    statuses = sorted(row.status.value for row in await store.outbox_rows())
    assert statuses == sorted([OutboxStatus.SENT.value, OutboxStatus.PENDING.value])
    other = FakeMessenger()
    assert await delivery.sender(other).drain() == 1
    keys = messenger.delivered_keys() + other.delivered_keys()
    assert len(keys) == len(set(keys)) == 2


async def test_dst_changes_give_one_post_per_local_day(
    store: InspectableStore, services: Services, clock: FakeClock, delivery: Delivery
) -> None:
    # 02:30 does not exist in Berlin on 2024-03-31 and happens twice on 2024-10-27.
    await services.schedules.subscribe(A, "02:30", "Europe/Berlin")
    messenger = FakeMessenger()
    for start in (datetime(2024, 3, 29, tzinfo=UTC), datetime(2024, 10, 25, tzinfo=UTC)):
        clock.set(start)
        await services.schedules.resume(A)  # recompute next_post_utc from this date
        now = start
        while now < start + timedelta(days=4):
            now += timedelta(minutes=15)
            await at(clock, delivery, now)
            await delivery.sender(messenger).drain()
    days = [k[2] for k in messenger.delivered_keys()]
    assert sorted(days) == [
        "2024-03-29",
        "2024-03-30",
        "2024-03-31",
        "2024-04-01",
        "2024-10-25",
        "2024-10-26",
        "2024-10-27",
        "2024-10-28",
    ]


async def test_schedule_change_mid_day_gives_at_most_one_post(
    store: InspectableStore, services: Services, clock: FakeClock, delivery: Delivery
) -> None:
    await services.schedules.subscribe(A, "08:00", "UTC")
    messenger = FakeMessenger()
    await at(clock, delivery, datetime(2024, 3, 4, 8, 0, tzinfo=UTC))
    await delivery.sender(messenger).drain()
    clock.set(datetime(2024, 3, 4, 9, 0, tzinfo=UTC))
    await services.schedules.update(A, time="20:00")
    await at(clock, delivery, datetime(2024, 3, 4, 20, 0, tzinfo=UTC))
    await delivery.sender(messenger).drain()
    await at(clock, delivery, datetime(2024, 3, 5, 20, 0, tzinfo=UTC))
    await delivery.sender(messenger).drain()
    assert [k[2] for k in messenger.delivered_keys()] == ["2024-03-04", "2024-03-05"]


async def test_reveal_goes_out_after_the_delay(
    store: InspectableStore, services: Services, clock: FakeClock, delivery: Delivery
) -> None:
    await services.schedules.subscribe(A, "08:00", "UTC", reveal_delay="2h")
    messenger = FakeMessenger()
    await at(clock, delivery, datetime(2024, 3, 4, 8, 0, tzinfo=UTC))
    await delivery.sender(messenger).drain()
    await at(clock, delivery, datetime(2024, 3, 4, 9, 59, tzinfo=UTC))
    await delivery.sender(messenger).drain()
    assert [kind_of(m) for m in messenger.delivered] == ["daily"]
    await at(clock, delivery, datetime(2024, 3, 4, 10, 0, tzinfo=UTC))
    await delivery.sender(messenger).drain()
    await at(clock, delivery, datetime(2024, 3, 4, 10, 30, tzinfo=UTC))
    await delivery.sender(messenger).drain()
    assert [kind_of(m) for m in messenger.delivered] == ["daily", "reveal"]
    first, second = messenger.delivered
    assert isinstance(second, RevealMessage) and second.reveal.first
    assert second.post_id == first.post_id


async def test_lost_permission_marks_the_chat_broken_and_tells_admins_once(
    store: InspectableStore, services: Services, clock: FakeClock, delivery: Delivery
) -> None:
    await services.schedules.subscribe(A, "08:00", "UTC")
    forbidden = FakeMessenger(fail=lambda m: ChatUnavailable("Forbidden: bot was kicked"))
    for day in (4, 5):
        await at(clock, delivery, datetime(2024, 3, day, 8, 0, tzinfo=UTC))
        await delivery.sender(forbidden).drain()
    rows = await store.outbox_rows()
    assert [r.status for r in rows] == [OutboxStatus.BROKEN]  # no new rows once broken
    assert len(forbidden.notices) == 1 and "resume" in forbidden.notices[0][1]
    chat = await store.get_chat(A)
    assert chat is not None and chat.broken_at is not None
    await services.schedules.resume(A)
    working = FakeMessenger()
    await at(clock, delivery, datetime(2024, 3, 6, 8, 0, tzinfo=UTC))
    assert await delivery.sender(working).drain() == 1


async def test_rate_limit_pauses_and_resends_later(
    store: InspectableStore, services: Services, clock: FakeClock, delivery: Delivery
) -> None:
    await services.schedules.subscribe(A, "08:00", "UTC")
    await at(clock, delivery, datetime(2024, 3, 4, 8, 0, tzinfo=UTC))
    limited = FakeMessenger(fail=lambda m: RateLimited(30))
    sender = delivery.sender(limited)
    assert await sender.drain() == 0
    clock.advance(seconds=10)
    limited.fail = lambda m: None
    assert await sender.drain() == 0  # still inside retry_after
    clock.advance(seconds=25)
    assert await sender.drain() == 1


async def test_rows_a_rate_limit_stopped_are_given_back_for_after_the_pause(
    store: InspectableStore, services: Services, clock: FakeClock, delivery: Delivery
) -> None:
    for chat in (A, B):
        await services.schedules.subscribe(chat, "08:00", "UTC")
    await at(clock, delivery, datetime(2024, 3, 4, 8, 0, tzinfo=UTC))
    limited = FakeMessenger(fail=lambda m: RateLimited(30))
    sender = delivery.sender(limited)
    assert await sender.drain() == 0  # the first row hit the limit; the second was not tried
    clock.advance(seconds=31)  # well inside the claim's lease
    limited.fail = lambda m: None
    assert await sender.drain() == 2
    assert {k[1] for k in limited.delivered_keys()} == {A.chat_id, B.chat_id}


async def test_transient_failures_back_off_then_give_up(
    store: InspectableStore, services: Services, clock: FakeClock, delivery: Delivery
) -> None:
    await services.schedules.subscribe(A, "08:00", "UTC")
    await at(clock, delivery, datetime(2024, 3, 4, 8, 0, tzinfo=UTC))
    flaky = FakeMessenger(fail=lambda m: ConnectionError("reset"))
    sender = delivery.sender(flaky)
    waits = []
    for _ in range(10):
        await sender.drain()
        row = (await store.outbox_rows())[0]
        if row.status is not OutboxStatus.PENDING:
            break
        waits.append(row.next_attempt_at - clock.now())
        clock.set(row.next_attempt_at)
    # Backoff with jitter: each wait is the attempt's backoff plus at most JITTER of it.
    for attempt, wait in enumerate(waits, start=1):
        assert backoff(attempt) <= wait <= backoff(attempt) * (1 + JITTER)
    assert waits[1] > waits[0]
    assert sender.retried == len(waits)
    assert (await store.outbox_rows())[0].status is OutboxStatus.FAILED


async def test_rows_too_old_are_skipped_and_logged_at_start(
    store: InspectableStore,
    services: Services,
    clock: FakeClock,
    delivery: Delivery,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await services.schedules.subscribe(A, "08:00", "UTC")
    await at(clock, delivery, datetime(2024, 3, 4, 8, 0, tzinfo=UTC))
    clock.set(datetime(2024, 3, 4, 11, 0, tzinfo=UTC))  # the bot was down for 3 hours
    messenger = FakeMessenger()
    sender = delivery.sender(messenger)
    with caplog.at_level(logging.WARNING):
        assert await sender.resume() == 1
    assert "skipped" in caplog.text
    assert await sender.drain() == 0
    assert (await store.outbox_rows())[0].status is OutboxStatus.SKIPPED


async def test_tick_scheduler_runs_the_tick_job(
    store: InspectableStore,
    services: Services,
    clock: FakeClock,
    delivery: Delivery,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await services.schedules.subscribe(A, "08:00", "UTC")
    clock.set(datetime(2024, 3, 4, 8, 0, tzinfo=UTC))
    ticked = asyncio.Event()
    real_tick = delivery.tick

    async def tick() -> TickResult:
        result = await real_tick()
        ticked.set()
        return result

    monkeypatch.setattr(delivery, "tick", tick)
    scheduler = TickScheduler(delivery, seconds=3600)
    scheduler.start()
    try:
        # The first run is due at once; the timeout is only a safety net.
        await asyncio.wait_for(ticked.wait(), 30)
    finally:
        scheduler.shutdown()
    assert scheduler.ticks == 1
    assert len(await store.outbox_rows()) == 1
