"""End to end: start-up and shutdown, webhook mode, and the composition root's serve()."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp
import pytest
from telegram.error import InvalidToken

from bot.app import serve
from bot.domain.models import Verdict
from bot.storage.sqlite import SqliteStore
from tests.adapters.telegram.conftest import StartTelegram, serve_settings
from tests.adapters.telegram.fake_api import FakeTelegram, make_user
from tests.factories import bank, deck, mcq

pytestmark = pytest.mark.timeout(30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_webhook_mode_registers_and_serves_updates(
    start_telegram: StartTelegram, fake_telegram: FakeTelegram
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    tg = await start_telegram(
        telegram_webhook_url=url,
        telegram_webhook_listen="127.0.0.1",
        telegram_webhook_port=port,
        telegram_webhook_secret="s3cret-token",
    )
    hook = fake_telegram.last_call("setWebhook")
    assert hook.params["url"] == url
    assert hook.params["secret_token"] == "s3cret-token"
    assert set(hook.params["allowed_updates"]) == {
        "message", "edited_message", "callback_query", "poll_answer", "my_chat_member"
    }
    assert fake_telegram.calls_to("getUpdates") == []

    update = {"update_id": 1, "message": fake_telegram.make_message("/help").data}
    async with aiohttp.ClientSession() as session:
        async with session.post(
            url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
        ) as refused:
            assert refused.status == 403
        mark = fake_telegram.mark()
        async with session.post(
            url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
        ) as accepted:
            assert accepted.status == 200
        reply = await fake_telegram.wait_for_call("sendMessage", since=mark)
    assert reply.params["text"].startswith("<b>prepbot</b>")
    assert len(fake_telegram.calls_to("sendMessage")) == 1  # the refused one did nothing
    await tg.adapter.stop()
    with pytest.raises(aiohttp.ClientError):
        async with aiohttp.ClientSession() as session, session.post(url, json=update):
            pass


async def test_a_rejected_token_fails_start_cleanly(
    start_telegram: StartTelegram, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.fail("getMe", 401, description="Unauthorized")
    with pytest.raises(InvalidToken):
        await start_telegram()
    assert fake_telegram.calls_to("getUpdates") == []


async def test_serve_runs_the_telegram_adapter_in_the_core_loop(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    settings = serve_settings(fake_telegram, tmp_path / "prepbot.db")
    stop = asyncio.Event()
    running = asyncio.create_task(serve(settings, stop))
    try:
        await fake_telegram.wait_for_long_poll(timeout=30)
        mark = fake_telegram.mark()
        fake_telegram.send_text("/topics")
        reply = await fake_telegram.wait_for_call("sendMessage", since=mark)
        assert reply.ok and reply.params["text"].startswith("<b>Topics</b>")
    finally:
        stop.set()
        assert await asyncio.wait_for(running, 10) == 0
    assert fake_telegram.pending_long_polls == 0


async def test_poll_votes_and_private_feedback_survive_a_restart(
    start_telegram: StartTelegram, tmp_path: Path
) -> None:
    cards = bank(deck("cards", [mcq("cards/bn")]))
    path = tmp_path / "prepbot.db"
    store = await SqliteStore.open(path)
    before = await start_telegram(bank=cards, store=store)
    await before.reply("/start", user=before.bob)  # Bob opens the private chat
    await before.say("/daily", chat=before.group, user=before.alice, method="sendPoll")
    poll = before.fake.message_for(before.fake.last_call("sendPoll"))
    assert poll.poll is not None
    await before.adapter.stop()
    await store.close()

    # A new process: a new Application and caches, the same database file.
    store = await SqliteStore.open(path)
    try:
        after = await start_telegram(bank=cards, store=store)
        assert after.adapter.context.memory.private_ok == {}
        mark = after.fake.mark()
        after.fake.answer_poll(poll.poll["id"], [0], user=after.bob)
        private = after.fake.message_for(
            await after.fake.wait_for_call("sendMessage", since=mark)
        )
        assert private.chat_id == after.bob["id"]
        assert private.text is not None
        assert private.text.startswith("From Interview prep:\n\n✅ Correct")

        carol = make_user(3003, "Carol")  # never started the bot: graded, told nothing
        after.fake.answer_poll(poll.poll["id"], [1], user=carol)
        await after.settle(user=carol)
        post = await after.services.daily.current(after.chat_key(after.group))
        assert post is not None
        bob = await store.get_answer(after.user_key(after.bob), f"daily:{post.post_id}")
        assert bob is not None and bob.verdict is Verdict.CORRECT
        late = await store.get_answer(after.user_key(carol), f"daily:{post.post_id}")
        assert late is not None and late.verdict is Verdict.INCORRECT
        assert [m.chat_id for m in after.fake.sent_messages(carol["id"])] == [carol["id"]]
        await after.adapter.stop()
    finally:
        await store.close()
