"""Things shown once stay shown once across a restart and across processes: the broken-chat
note, the start-me hint and a daily post's rolling count message; old marks are pruned."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fsrs import Scheduler

from bot.delivery import Delivery
from bot.errors import StoreError
from bot.grading.lexical import LexicalGrader
from bot.ports import Store
from bot.services import Services, build_services
from bot.services.marks import CountMessage, MarkKind
from bot.storage.postgres import PostgresStore
from bot.storage.sqlite import SqliteStore
from tests.factories import ALICE, BOB, CHAT, FakeClock, standard_bank

REASON = "telegram: Forbidden: bot was kicked from the group chat"


def make_services(store: Store, clock: FakeClock) -> Services:
    return build_services(
        store, standard_bank(), clock, LexicalGrader(), scheduler=Scheduler(enable_fuzzing=False)
    )


async def broken_chat(services: Services, clock: FakeClock) -> None:
    await services.schedules.subscribe(CHAT, "10:00", "Europe/Berlin")
    assert await services.schedules.store.mark_chat_broken(CHAT, REASON, clock.now())


async def test_a_restart_does_not_repeat_what_was_shown_once(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "prepbot.db"
    store = await SqliteStore.open(path)
    try:
        before = make_services(store, clock)
        await broken_chat(before, clock)
        told = await before.schedules.broken_once(CHAT)
        assert told is not None and told.reason == REASON
        assert await before.marks.hint_due(CHAT, ALICE)
        await before.marks.keep_count_message(7, CountMessage("4242", 3))
    finally:
        await store.close()

    clock.advance(minutes=5)
    store = await SqliteStore.open(path)
    try:
        after = make_services(store, clock)
        assert await after.schedules.broken_once(CHAT) is None  # told before the restart
        assert (await after.schedules.show(CHAT)).broken == told  # /schedule still shows it
        assert not await after.marks.hint_due(CHAT, ALICE)
        assert await after.marks.hint_due(CHAT, BOB)  # another learner's hint is still due
        assert await after.marks.count_message(7) == CountMessage("4242", 3)
        assert await after.marks.count_message(8) is None
    finally:
        await store.close()


async def test_showing_the_schedule_counts_as_telling(services: Services, clock: FakeClock) -> None:
    await broken_chat(services, clock)
    assert (await services.schedules.show(CHAT)).broken is not None
    assert await services.schedules.broken_once(CHAT) is None


async def test_a_count_message_that_cannot_be_read_is_none(services: Services) -> None:
    store = services.marks.store
    for value in ("", "4242", "4242 x", "4242 ²", " 3"):
        await store.set_mark_value(MarkKind.COUNT.value, "9", value, services.marks.clock.now())
        assert await services.marks.count_message(9) is None, value
    await services.marks.keep_count_message(9, CountMessage("4242", 12))
    assert await services.marks.count_message(9) == CountMessage("4242", 12)


async def test_old_marks_are_pruned_from_the_daily_tick(
    services: Services, clock: FakeClock
) -> None:
    delivery = Delivery(services.marks.store, services, clock)
    await broken_chat(services, clock)
    assert await services.schedules.broken_once(CHAT) is not None
    assert await services.marks.hint_due(CHAT, ALICE)
    await services.marks.keep_count_message(7, CountMessage("4242", 3))
    await delivery.tick()  # the first tick prunes: nothing is old yet
    clock.advance(days=31)
    await services.marks.hint_due(CHAT, BOB)  # a young mark stays
    await delivery.tick()
    assert await services.marks.count_message(7) is None
    assert await services.marks.hint_due(CHAT, ALICE)  # a month on, the hint may come again
    assert not await services.marks.hint_due(CHAT, BOB)
    assert await services.schedules.broken_once(CHAT) is None  # breaks are kept longer
    # Pruning runs at most once a day, however often the tick runs.
    store, hint = services.marks.store, MarkKind.HINT.value
    assert await store.claim_mark(hint, "long ago", clock.now() - timedelta(days=60))
    clock.advance(hours=23)
    await delivery.tick()
    assert not await store.claim_mark(hint, "long ago", clock.now())  # not pruned yet
    clock.advance(hours=2)
    await delivery.tick()
    assert await store.claim_mark(hint, "long ago", clock.now())


async def test_forgetting_a_learner_forgets_their_hints(services: Services) -> None:
    await services.users.ensure_user(ALICE, "Alice")
    assert await services.marks.hint_due(CHAT, ALICE)
    assert await services.marks.hint_due(CHAT, BOB)
    request = await services.data.request_forget(ALICE)
    await services.data.confirm_forget(ALICE, request.code)
    assert await services.marks.hint_due(CHAT, ALICE)  # nothing is left about Alice
    assert not await services.marks.hint_due(CHAT, BOB)


@pytest.mark.postgres
async def test_two_services_on_one_postgres_database_show_a_mark_once(
    postgres_url: str,
) -> None:
    clock = FakeClock()
    first = await PostgresStore.open(postgres_url)
    second = await PostgresStore.open(postgres_url)
    try:
        one, two = make_services(first, clock), make_services(second, clock)
        await broken_chat(one, clock)
        notes = await asyncio.gather(
            *(s.schedules.broken_once(CHAT) for _ in range(5) for s in (one, two))
        )
        assert sum(note is not None for note in notes) == 1
        hints = await asyncio.gather(
            *(s.marks.hint_due(CHAT, ALICE) for _ in range(5) for s in (one, two))
        )
        assert sorted(hints) == [False] * 9 + [True]
    finally:
        await first.close()
        await second.close()


async def test_a_failed_pruning_does_not_fail_the_tick(
    services: Services, clock: FakeClock, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def fail(kind: str, before: datetime) -> int:
        raise StoreError("database is locked")

    monkeypatch.setattr(services.marks.store, "prune_marks", fail)
    await services.schedules.subscribe(CHAT, "09:00", "UTC")
    clock.advance(days=1)
    result = await Delivery(services.marks.store, services, clock).tick()
    assert result.daily_rows == 1  # the tick's own work is done
    assert "old marks not pruned: database is locked" in caplog.text
