"""Faults at the Telegram edge: a 429 at start-up, an update the library cannot read."""

from __future__ import annotations

import logging

import pytest

from tests.adapters.telegram.conftest import StartTelegram
from tests.adapters.telegram.fake_api import FakeTelegram

pytestmark = pytest.mark.timeout(30)


async def test_a_429_on_get_me_at_start_up_is_waited_out(
    start_telegram: StartTelegram, fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    fake_telegram.fail("getMe", 429, retry_after=1, times=3)
    tg = await start_telegram()
    calls = fake_telegram.calls_to("getMe")
    assert [call.status for call in calls[:4]] == [429, 429, 429, 200]
    assert calls[0].finished is not None and calls[3].started - calls[0].finished >= 2.0
    await tg.reply("/start")  # and the bot works


async def test_an_unreadable_update_is_logged_once_and_skipped(
    start_telegram: StartTelegram,
    fake_telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    tg = await start_telegram()
    await tg.reply("/start")
    # A chat without its required "type": python-telegram-bot cannot build the Update.
    with caplog.at_level(logging.ERROR, logger="bot.adapters.telegram.limits"):
        bad = fake_telegram.inject("message", {"message_id": 1, "date": 0, "chat": {"id": 7}})
        await fake_telegram.wait_fetched(bad)
        reply = await tg.reply("/help")  # the next update is served
    assert reply.text
    skipped = [r for r in caplog.records if "cannot read" in r.getMessage()]
    assert len(skipped) == 1 and str(bad["update_id"]) in skipped[0].getMessage()
    # The poller moved past it: no getUpdates asked for it again.
    offsets = [int(c.params.get("offset") or 0) for c in fake_telegram.calls_to("getUpdates")]
    assert max(offsets) > bad["update_id"]
