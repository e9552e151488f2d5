"""One long-poller per Telegram bot: a second process on the database is refused at
start, and Telegram's own 409 Conflict (a poller elsewhere) is said plainly."""

from __future__ import annotations

import asyncio
import logging
import socket
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram import SPEC
from bot.adapters.telegram.app import TelegramAdapter
from bot.adapters.telegram.poller import PollerLease
from bot.app import serve, start_adapter
from bot.errors import AdapterStartError
from bot.ports import InspectableStore
from bot.storage.sqlite import SqliteStore
from tests.adapters.telegram.conftest import StartTelegram, make_runtime, serve_settings
from tests.adapters.telegram.fake_api import FakeTelegram

pytestmark = pytest.mark.timeout(30)

REFUSAL = (
    r"^telegram could not start: another prepbot process is already long-polling this bot "
    r"\(pid \d+ on .+ #[0-9a-f]{6}, lease renewed until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\); "
    r"run one poller, or use TELEGRAM_WEBHOOK_URL behind a load balancer$"
)


def adapter_on(fake: FakeTelegram, store: InspectableStore, **settings: Any) -> TelegramAdapter:
    runtime = make_runtime(fake.token, fake.base_url, store=store, **settings)
    return TelegramAdapter(runtime.settings, runtime.services, runtime.bank, poll_timeout=10)


async def test_a_second_poller_on_one_database_is_refused_until_the_first_stops(
    start_telegram: StartTelegram, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    store = await SqliteStore.open(tmp_path / "prepbot.db")
    try:
        first = await start_telegram(store=store)
        await fake_telegram.wait_for_long_poll()
        second = adapter_on(fake_telegram, store)
        polls = len(fake_telegram.calls_to("getUpdates", done=False))
        with pytest.raises(AdapterStartError, match=REFUSAL):
            await start_adapter(SPEC, second, second.settings)
        # The refused process never polled, so it stole no update from the first.
        assert len(fake_telegram.calls_to("getUpdates", done=False)) == polls
        await first.adapter.stop()  # a clean stop frees the bot at once
        third = adapter_on(fake_telegram, store)
        await start_adapter(SPEC, third, third.settings)
        await third.stop()
    finally:
        await store.close()


async def test_webhook_processes_share_one_bot(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    """Behind a load balancer every process serves the webhook: no poller lease."""
    store = await SqliteStore.open(tmp_path / "prepbot.db")
    adapters = []
    try:
        for _ in range(2):
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = int(sock.getsockname()[1])
            adapter = adapter_on(
                fake_telegram, store, telegram_webhook_url="https://bot.example/telegram",
                telegram_webhook_listen="127.0.0.1", telegram_webhook_port=port,
            )
            await adapter.start()
            adapters.append(adapter)
        assert adapters[0].poller is None and adapters[1].poller is None
    finally:
        for adapter in adapters:
            await adapter.stop()
        await store.close()


async def test_a_killed_poller_frees_the_bot_when_its_lease_runs_out(
    start_telegram: StartTelegram,
) -> None:
    tg = await start_telegram()
    assert tg.adapter.poller is not None
    name = tg.adapter.poller.name
    assert name == f"telegram-poller:{tg.fake.bot_user['id']}"
    leases = tg.services.leases
    assert (await leases.take(name, "another", timedelta(seconds=60))).holder != "another"
    tg.clock.advance(seconds=61)  # no renewal within the lease: the holder is gone
    assert (await leases.take(name, "another", timedelta(seconds=60))).holder == "another"


async def test_the_lease_is_renewed_while_polling(start_telegram: StartTelegram) -> None:
    tg = await start_telegram()
    poller = tg.adapter.poller
    assert poller is not None
    await poller.release()  # swap in a quickly renewing one
    quick = PollerLease(tg.services.leases, tg.fake.bot_user["id"], renew_seconds=0.05)
    await quick.acquire()
    try:
        first = await tg.services.leases.take(quick.name, quick.holder, quick.ttl)
        tg.clock.advance(seconds=30)
        await asyncio.sleep(0.2)
        renewed = await tg.store.take_lease(quick.name, "another", tg.clock.now(), quick.ttl)
        assert renewed.holder == quick.holder and renewed.expires_at > first.expires_at
    finally:
        await quick.release()


async def test_telegram_409_conflict_is_named_once_a_minute(
    start_telegram: StartTelegram, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    """A poller on another host or database: Telegram answers 409; say what it means."""
    caplog.set_level(logging.ERROR)
    fake_telegram.fail(
        "getUpdates", 409, description="Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running", times=3,
    )
    tg = await start_telegram()
    await tg.fake.wait_for_long_poll(timeout=15)  # PTB retried past the three 409s
    lines = [r.getMessage() for r in caplog.records if "409 Conflict" in r.getMessage()]
    assert lines == [
        "telegram: Telegram refused getUpdates with 409 Conflict (Conflict: terminated by "
        "other getUpdates request; make sure that only one bot instance is running): another "
        "process is long-polling this bot, on another host or database; run one poller, or "
        "use TELEGRAM_WEBHOOK_URL behind a load balancer (1 conflict(s) so far)"
    ]
    assert not [r for r in caplog.records if r.exc_info and "409" in str(r.exc_info[1])]


async def test_serve_exits_when_another_process_polls_the_bot(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    settings = serve_settings(fake_telegram, tmp_path / "prepbot.db")
    stop = asyncio.Event()
    running = asyncio.create_task(serve(settings, stop))
    try:
        await fake_telegram.wait_for_long_poll(timeout=30)
        with pytest.raises(AdapterStartError, match="already long-polling this bot"):
            await serve(settings, asyncio.Event())
    finally:
        stop.set()
        assert await asyncio.wait_for(running, 10) == 0

