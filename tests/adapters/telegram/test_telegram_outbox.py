"""End to end: the outbox posts through the Telegram Messenger (daily, reveal, 429, 403)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.adapters.telegram.app import TelegramAdapter
from bot.delivery import Delivery
from bot.domain.models import OutboxStatus, Verdict
from bot.errors import ChatUnavailable, DeliveryError, NotFoundError
from bot.ports import DailyPostMessage
from bot.storage.sqlite import SqliteStore
from tests.adapters.telegram.conftest import StartTelegram, TelegramHarness, make_runtime
from tests.adapters.telegram.fake_api import FakeTelegram, make_group, make_user
from tests.factories import GOOD, FakeClock, bank, deck, mcq, open_deck

pytestmark = pytest.mark.timeout(30)

EIGHT = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)  # a Monday
NINE = EIGHT + timedelta(hours=1)


def delivery_for(tg: TelegramHarness) -> Delivery:
    return Delivery(tg.store, tg.services, tg.clock, max_age=timedelta(minutes=120))


async def subscribed(start_telegram: StartTelegram, **kwargs: object) -> TelegramHarness:
    tg = await start_telegram(**kwargs)
    tg.clock.set(EIGHT)
    await tg.services.users.ensure_chat(tg.chat_key(tg.group), None, "Interview prep")
    await tg.services.schedules.subscribe(tg.chat_key(tg.group), "09:00", "UTC",
                                          reveal_delay="2h")
    return tg


async def test_tick_posts_the_daily_question_and_later_its_reveal(
    start_telegram: StartTelegram, tmp_path: Path
) -> None:
    store = await SqliteStore.open(tmp_path / "prepbot.db")
    try:
        tg = await subscribed(start_telegram, bank=bank(open_deck("dl", 3)), store=store)
        delivery = delivery_for(tg)
        sender = delivery.sender(tg.adapter.messenger)
        assert (await delivery.tick()).daily_rows == 0
        tg.clock.set(NINE)
        await delivery.tick()
        assert await sender.drain() == 1
        posted = tg.fake.last_sent(tg.group["id"])
        assert posted.text is not None and posted.text.startswith(
            "📅 Question of the day · Mon 4 Mar 2024"
        )
        [row] = await tg.store.outbox_rows("telegram")
        assert row.status is OutboxStatus.SENT and row.message_id == str(posted.message_id)

        # A group member answers by replying to the posted question.
        feedback = await tg.reply(GOOD, chat=tg.group, user=tg.bob, reply_to=posted)
        assert feedback.text is not None and feedback.text.startswith("Bob, your result:")
        assert row.post_id is not None
        answer = await tg.store.get_answer(tg.user_key(tg.bob), f"daily:{row.post_id}")
        assert answer is not None and answer.verdict is Verdict.CORRECT

        tg.clock.set(NINE + timedelta(hours=2))
        await delivery.tick()
        assert await sender.drain() == 1
        reveal = tg.fake.last_sent(tg.group["id"])
        assert reveal.text is not None and reveal.text.startswith(
            "⏰ Answer to the question of Mon 4 Mar 2024"
        )
        assert "👥 1 answered." in reveal.text and "🥇 Bob — ✅ Correct, 10 points" in reveal.text
        assert await sender.drain() == 0  # nothing is posted twice
    finally:
        await store.close()


async def test_choice_questions_go_out_as_quiz_polls(start_telegram: StartTelegram) -> None:
    tg = await subscribed(start_telegram, bank=bank(deck("cards", [mcq("cards/bn")])))
    delivery = delivery_for(tg)
    tg.clock.set(NINE)
    await delivery.tick()
    assert await delivery.sender(tg.adapter.messenger).drain() == 1
    poll_call = tg.fake.last_call("sendPoll")
    assert poll_call.params["is_anonymous"] is False and poll_call.params["type"] == "quiz"
    poll = tg.fake.message_for(poll_call)
    await tg.reply("/start", user=tg.bob)
    mark = tg.fake.mark()
    tg.fake.answer_poll(poll, [1], user=tg.bob)
    feedback = tg.fake.message_for(await tg.fake.wait_for_call("sendMessage", since=mark))
    assert feedback.chat_id == tg.bob["id"]
    assert feedback.text is not None and "Right answer: Right option" in feedback.text


async def test_a_429_is_waited_out_by_the_sender_not_inside_the_library(
    start_telegram: StartTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outbox sender owns Telegram's budget: a 429 reaches it at once (no hidden sleep
    in python-telegram-bot that SIGTERM would wait for), is counted, and pauses it."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    tg = await subscribed(start_telegram, bank=bank(open_deck("dl", 3)))
    delivery = delivery_for(tg)
    tg.clock.set(NINE)
    await delivery.tick()
    tg.fake.fail("sendMessage", 429, retry_after=1, chat_id=tg.group["id"])
    sender = delivery.sender(tg.adapter.messenger)
    assert await sender.drain() == 0
    assert [c.status for c in tg.fake.calls_to("sendMessage")] == [429]
    assert sender.rate_limited == 1 and sender.last_minute() == (0, 1)
    tg.clock.advance(seconds=1)
    assert await sender.drain() == 1
    [row] = await tg.store.outbox_rows("telegram")
    assert row.status is OutboxStatus.SENT


# Without PTB_TIMEDELTA, PTB warns when it builds RetryAfter with int seconds; the adapter
# reads both forms (the test above runs with PTB_TIMEDELTA=1).
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_429_that_persists_pauses_the_sender(start_telegram: StartTelegram) -> None:
    tg = await subscribed(start_telegram, bank=bank(open_deck("dl", 3)))
    delivery = delivery_for(tg)
    tg.clock.set(NINE)
    await delivery.tick()
    tg.fake.fail("sendMessage", 429, retry_after=1, times=3)
    sender = delivery.sender(tg.adapter.messenger)
    assert await sender.drain() == 0
    [row] = await tg.store.outbox_rows("telegram")
    assert row.status is OutboxStatus.PENDING and row.next_attempt_at == NINE + timedelta(
        seconds=1
    )
    assert row.error is not None and "retry after 1.0s" in row.error
    for _ in range(2):  # each later round meets one more 429 and pauses again
        tg.clock.advance(seconds=1)
        assert await sender.drain() == 0
    tg.clock.advance(seconds=1)
    assert await sender.drain() == 1
    assert sender.rate_limited == 3


async def test_a_403_marks_the_chat_broken_and_tells_an_admin(
    start_telegram: StartTelegram,
) -> None:
    tg = await subscribed(start_telegram, bank=bank(open_deck("dl", 3)))
    tg.fake.set_member_status(tg.group["id"], tg.alice["id"], "administrator")
    await tg.reply("/start")  # Alice can be told privately
    tg.fake.kick_bot(tg.group, by=tg.bob)
    delivery = delivery_for(tg)
    tg.clock.set(NINE)
    await delivery.tick()
    mark = tg.fake.mark()
    assert await delivery.sender(tg.adapter.messenger).drain() == 0
    [row] = await tg.store.outbox_rows("telegram")
    assert row.status is OutboxStatus.BROKEN
    chat = await tg.store.get_chat(tg.chat_key(tg.group))
    assert chat is not None and chat.broken_at is not None
    assert "kicked" in (chat.broken_reason or "")
    notices = [c for c in tg.fake.calls_to("sendMessage", since=mark) if c.ok]
    assert [c.params["chat_id"] for c in notices] == [tg.alice["id"]]
    assert "could not post the daily question" in notices[0].params["text"]
    tg.clock.set(NINE + timedelta(days=1))
    assert (await delivery.tick()).daily_rows == 0  # no more posts until resumed


async def test_an_admin_is_shown_why_a_broken_schedule_is_paused(
    start_telegram: StartTelegram,
) -> None:
    tg = await subscribed(start_telegram, bank=bank(open_deck("dl", 3)))
    tg.fake.set_member_status(tg.group["id"], tg.alice["id"], "administrator")
    tg.fake.fail(
        "sendMessage", 403, chat_id=tg.group["id"],
        description="Forbidden: bot is not a member of the supergroup chat",
    )
    delivery = delivery_for(tg)
    tg.clock.set(NINE)
    await delivery.tick()
    assert await delivery.sender(tg.adapter.messenger).drain() == 0
    for _ in range(2):  # /schedule says it every time, in the schedule's own zone
        shown = await tg.reply("/schedule", chat=tg.group, user=tg.alice)
        assert shown.text is not None
        assert "The daily question is paused" in shown.text
        assert "bot is not a member of the supergroup chat" in shown.text
        assert "since Mon 4 Mar 09:00 UTC" in shown.text and "/schedule resume" in shown.text
        assert "Next:" not in shown.text  # nothing is posted until resumed
    resumed = await tg.reply("/schedule resume", chat=tg.group, user=tg.alice)
    assert resumed.text is not None and "paused" not in resumed.text
    assert "Next:" in resumed.text
    tg.clock.set(NINE + timedelta(days=1))
    await delivery.tick()
    assert await delivery.sender(tg.adapter.messenger).drain() == 1  # posting again


# --- the messenger on its own (initialised, not polling) --------------------------------


async def messenger_only(fake: FakeTelegram) -> TelegramAdapter:
    runtime = make_runtime(fake.token, fake.base_url, bank=bank(open_deck("dl", 3)),
                           clock=FakeClock(NINE))
    adapter = TelegramAdapter(runtime.settings, runtime.services, runtime.bank)
    await adapter.application.initialize()
    return adapter


async def test_deliver_follows_a_group_migration(fake_telegram: FakeTelegram) -> None:
    adapter = await messenger_only(fake_telegram)
    try:
        services = adapter.context.services
        old = make_group(-777, "Small group", supergroup=False)
        chat = (await services.users.ensure_chat(
            TelegramHarness.chat_key(old), None, "Small group")).key
        await services.schedules.subscribe(chat, "09:00", "UTC")
        daily = await services.daily.today(chat)
        fake_telegram.migrate_group(old)  # nobody polls: only the send learns of it
        message_id = await adapter.messenger.deliver(DailyPostMessage(chat, 1, daily))
        posted = fake_telegram.last_sent(-100777)
        assert str(posted.message_id) == message_id
        new_chat = TelegramHarness.chat_key(-100777)
        assert (await services.schedules.show(new_chat)).time == "09:00"
        with pytest.raises(NotFoundError):
            await services.schedules.show(chat)  # moved, not copied
    finally:
        await adapter.application.shutdown()


async def test_lost_chats_map_to_chat_unavailable(fake_telegram: FakeTelegram) -> None:
    adapter = await messenger_only(fake_telegram)
    try:
        services = adapter.context.services
        user = make_user(4004, "Dana")
        chat = TelegramHarness.chat_key(user["id"])
        daily = await services.daily.today(chat)
        outgoing = DailyPostMessage(chat, 1, daily)
        fake_telegram.fail("sendMessage", 400, description="Bad Request: chat not found")
        with pytest.raises(ChatUnavailable, match=r"(?i)chat not found"):
            await adapter.messenger.deliver(outgoing)
        fake_telegram.fail("sendMessage", 403, description="Forbidden: bot was blocked by the user")
        with pytest.raises(ChatUnavailable, match="blocked"):
            await adapter.messenger.deliver(outgoing)
        fake_telegram.fail("sendMessage", 400, description="Bad Request: message is too long")
        with pytest.raises(DeliveryError) as other:  # worth a retry, not a lost chat
            await adapter.messenger.deliver(outgoing)
        assert not isinstance(other.value, ChatUnavailable)
        assert await adapter.messenger.deliver(outgoing)
    finally:
        await adapter.application.shutdown()
