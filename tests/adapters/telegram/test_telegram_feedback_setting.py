"""/feedback group|private|auto: where a group's answer feedback goes, set by its admins;
in private mode a group answer costs the group at most the rolling answer count, and a
learner who has not started the bot gets their feedback in the group with a one-time hint."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.services.marks import CountMessage
from bot.storage.sqlite import SqliteStore
from tests.adapters.telegram.conftest import StartTelegram, TelegramHarness
from tests.adapters.telegram.fake_api import FakeTelegram, StoredMessage, make_user
from tests.factories import bank, deck, mcq

pytestmark = pytest.mark.timeout(60)

CAROL = make_user(3003, "Carol")
DAVE = make_user(3004, "Dave")


async def daily_in_group(tg: TelegramHarness) -> StoredMessage:
    tg.fake.fail("sendPoll", 400, description="Bad Request: non-anonymous polls can't be sent")
    return await tg.reply("/daily", chat=tg.group, user=tg.alice)


async def private_mode_daily(tg: TelegramHarness) -> StoredMessage:
    """Bob and Dave started the bot, an admin chose private feedback: the daily question."""
    await tg.reply("/start", user=tg.bob)
    await tg.reply("/start", user=DAVE)
    tg.fake.set_member_status(tg.group["id"], tg.alice["id"], "administrator")
    await tg.reply("/feedback private", chat=tg.group, user=tg.alice)
    return await daily_in_group(tg)


async def count_kept(tg: TelegramHarness, post_id: int, expected: CountMessage) -> bool:
    """Does the bot keep `expected` as the post's count message? (Right after sending.)"""
    for _ in range(50):
        if await tg.services.marks.count_message(post_id) == expected:
            return True
        await asyncio.sleep(0.1)
    return False


async def test_only_admins_change_the_setting_and_it_is_stored(
    start_telegram: StartTelegram,
) -> None:
    tg = await start_telegram(bank=bank(deck("cards", [mcq("cards/bn")])))
    shown = await tg.reply("/feedback", chat=tg.group, user=tg.bob)
    assert shown.text is not None and "when the group's message budget runs short" in shown.text
    refused = await tg.reply("/feedback private", chat=tg.group, user=tg.bob)
    assert refused.text is not None and "admin" in refused.text.lower()
    chat = await tg.services.users.get_chat(tg.chat_key(tg.group))
    assert chat.feedback == "auto"
    tg.fake.set_member_status(tg.group["id"], tg.alice["id"], "administrator")
    wrong = await tg.reply("/feedback loud", chat=tg.group, user=tg.alice)
    assert wrong.text is not None and "/feedback group, private or auto" in wrong.text
    changed = await tg.reply("/feedback private", chat=tg.group, user=tg.alice)
    assert changed.text is not None and "private chat" in changed.text
    chat = await tg.services.users.get_chat(tg.chat_key(tg.group))
    assert chat.feedback == "private"


async def test_group_mode_keeps_feedback_in_the_group(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=bank(deck("cards", [mcq("cards/bn")])))
    await tg.reply("/start", user=tg.bob)  # Bob could get feedback in private
    tg.fake.set_member_status(tg.group["id"], tg.alice["id"], "administrator")
    await tg.reply("/feedback group", chat=tg.group, user=tg.alice)
    question = await daily_in_group(tg)
    feedback = await tg.reply("A", chat=tg.group, user=tg.bob, reply_to=question)
    assert feedback.chat_id == tg.group["id"]
    assert any(e["type"] == "spoiler" for e in feedback.entities)
    assert [m.chat_id for m in tg.fake.sent_messages(tg.bob["id"])] == [tg.bob["id"]]  # /start


async def test_private_mode_spares_the_group(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=bank(deck("cards", [mcq("cards/bn")])))
    question = await private_mode_daily(tg)
    group = tg.group["id"]

    # Bob started the bot: feedback in private, no note in the group, one rolling count.
    private = await tg.reply("A", chat=tg.group, user=tg.bob, reply_to=question)
    assert private.chat_id == tg.bob["id"] and "Correct" in (private.text or "")
    count = await tg.fake.wait_for_call(
        "sendMessage", lambda c: "answered so far" in str(c.params.get("text"))
    )
    assert tg.fake.message_for(count).text == "1 answered so far"

    # Carol did not: her feedback stays in the group, with the hint to start the bot once.
    first = await tg.reply("B", chat=tg.group, user=CAROL, reply_to=question)
    assert first.chat_id == group and "start me in private" in (first.text or "")
    again = await tg.reply("A", chat=tg.group, user=CAROL, reply_to=question)
    assert again.chat_id == group and "start me in private" not in (again.text or "")
    # Dave's answer costs the group an edit of the count (Carol's counts too), no message.
    await tg.reply("A", chat=tg.group, user=DAVE, reply_to=question)
    await tg.fake.wait_for_call(
        "editMessageText", lambda c: c.params.get("text") == "3 answered so far", timeout=15
    )
    counts = [m for m in tg.fake.sent_messages(group) if "answered so far" in (m.text or "")]
    assert len(counts) == 1
    notes = [m for m in tg.fake.sent_messages(group) if "feedback sent to" in (m.text or "")]
    assert not notes


async def test_a_restart_repeats_neither_the_hint_nor_the_count(
    start_telegram: StartTelegram, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    path = tmp_path / "prepbot.db"
    store = await SqliteStore.open(path)
    before = await start_telegram(bank=bank(deck("cards", [mcq("cards/bn")])), store=store)
    question = await private_mode_daily(before)
    group = before.group["id"]
    await before.reply("A", chat=before.group, user=before.bob, reply_to=question)
    count = await fake_telegram.wait_for_call(
        "sendMessage", lambda c: "answered so far" in str(c.params.get("text"))
    )
    first = await before.reply("B", chat=before.group, user=CAROL, reply_to=question)
    assert "start me in private" in (first.text or "")
    daily = await before.services.daily.current(before.chat_key(before.group))
    assert daily is not None
    shown = CountMessage(str(fake_telegram.message_for(count).message_id), 1)
    assert await count_kept(before, daily.post_id, shown)
    await before.adapter.stop()
    await store.close()

    # A new process on the same database file.
    store = await SqliteStore.open(path)
    after = await start_telegram(bank=bank(deck("cards", [mcq("cards/bn")])), store=store)
    try:
        mark = fake_telegram.mark()
        again = await after.reply("A", chat=after.group, user=CAROL, reply_to=question)
        assert again.chat_id == group and "start me in private" not in (again.text or "")
        await after.reply("A", chat=after.group, user=DAVE, reply_to=question)
        # Dave's answer edits the count the first process sent, with every answer counted.
        edit = await fake_telegram.wait_for_call(
            "editMessageText", lambda c: c.params.get("text") == "3 answered so far",
            timeout=15, since=mark,
        )
        assert edit.params["message_id"] == fake_telegram.message_for(count).message_id
        counts = [m for m in fake_telegram.sent_messages(group)
                  if "answered so far" in (m.text or "")]
        assert len(counts) == 1
        hints = [m for m in fake_telegram.sent_messages(group)
                 if "start me in private" in (m.text or "")]
        assert len(hints) == 1
    finally:
        await after.adapter.stop()
        await store.close()


async def test_a_deleted_count_is_sent_again(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=bank(deck("cards", [mcq("cards/bn")])))
    question = await private_mode_daily(tg)
    await tg.reply("A", chat=tg.group, user=tg.bob, reply_to=question)
    first = await tg.fake.wait_for_call(
        "sendMessage", lambda c: "answered so far" in str(c.params.get("text"))
    )
    tg.fake.message_for(first).deleted = True  # an admin tidied the group
    mark = tg.fake.mark()
    await tg.reply("A", chat=tg.group, user=DAVE, reply_to=question)
    again = await tg.fake.wait_for_call(
        "sendMessage", lambda c: c.params.get("text") == "2 answered so far",
        timeout=15, since=mark,
    )
    daily = await tg.services.daily.current(tg.chat_key(tg.group))
    assert daily is not None
    new = CountMessage(str(tg.fake.message_for(again).message_id), 2)
    assert await count_kept(tg, daily.post_id, new)
