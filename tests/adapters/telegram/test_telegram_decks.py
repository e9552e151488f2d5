"""End to end: /deck on the fake Telegram server. An admin uploads a document (downloaded
through getFile and the file URL), a member quizzes on it, a non-admin is refused, a
malformed file is answered with its problems, removal, export."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.domain.models import AnswerKind
from tests.adapters.telegram.conftest import StartTelegram, TelegramHarness
from tests.adapters.telegram.fake_api import StoredMessage
from tests.factories import bank, open_deck

pytestmark = pytest.mark.timeout(30)

CSV = (
    b"question,answer\n"
    b"What does CPU stand for?,Central processing unit <b>@everyone</b>\n"
    b"What does RAM stand for?,Random access memory\n"
    b"What is a kernel?,TODO\n"
)


async def _upload(
    tg: TelegramHarness, data: bytes, name: str, caption: str | None = "/deck add", **kw: object
) -> StoredMessage:
    mark = tg.fake.mark()
    tg.fake.send_document(data, name, caption=caption, chat=tg.group, **kw)  # type: ignore[arg-type]
    call = (await tg.fake.wait_for_calls("sendMessage", 1, since=mark))[0]
    return tg.fake.message_for(call)


async def test_admin_uploads_member_quizzes_and_admin_removes(
    start_telegram: StartTelegram,
) -> None:
    tg = await start_telegram(bank=bank(open_deck("dl", 3)))
    tg.fake.set_member_status(tg.group["id"], tg.alice["id"], "administrator")
    added = await _upload(tg, CSV, "hardware.csv", user=tg.alice)
    assert added.text is not None, added
    found = re.search(r"Added deck (hardware-[0-9a-f]{4}) \(hardware\.csv, read as csv\): 3 items",
                      added.text)
    assert found, added.text
    deck_id = found.group(1)
    assert "1 item has no answer yet" in added.text
    # The bytes came through getFile and the file URL, never a user-given URL.
    assert tg.fake.calls_to("getFile") and tg.fake.calls_to("file")
    # A member quizzes on it: the questions are the deck's.
    question = await tg.reply(f"/quiz {deck_id} 2", chat=tg.group, user=tg.bob)
    assert question.text is not None and "What does" in question.text
    listed = await tg.reply("/deck list", chat=tg.group, user=tg.bob)
    assert listed.text is not None and deck_id in listed.text
    topics = await tg.reply("/topics", chat=tg.group, user=tg.bob)
    assert topics.text is not None and deck_id in topics.text
    # Removal asks first, then removes.
    ask = await tg.reply(f"/deck remove {deck_id}", chat=tg.group, user=tg.alice)
    assert ask.text is not None and "To confirm, send" in ask.text
    done = await tg.reply(f"/deck remove {deck_id}", chat=tg.group, user=tg.alice)
    assert done.text == f"Removed deck {deck_id}."
    assert await tg.store.list_decks("telegram:" + str(tg.group["id"])) == []


async def test_reply_to_a_document_and_export(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=bank(open_deck("dl", 3)))
    tg.fake.set_member_status(tg.group["id"], tg.alice["id"], "creator")
    document = tg.fake.send_document(CSV, "hw.csv", chat=tg.group, user=tg.alice)
    added = await tg.reply("/deck add", chat=tg.group, user=tg.alice, reply_to=document)
    assert added.text is not None and added.text.startswith("Added deck hw-")
    deck_id = added.text.split()[2]
    mark = tg.fake.mark()
    tg.fake.send_text(f"/deck export {deck_id}", chat=tg.group, user=tg.alice)
    sent = (await tg.fake.wait_for_calls("sendDocument", 1, since=mark))[0]
    exported = next(iter(sent.files.values())).data.decode()
    assert "Central processing unit" in exported and f"id: {deck_id}" in exported
    # Mentions in uploaded text are inert.
    assert "@everyone" not in exported


async def test_non_admin_is_refused_and_nothing_is_downloaded(
    start_telegram: StartTelegram,
) -> None:
    tg = await start_telegram(bank=bank(open_deck("dl", 3)))
    tg.fake.set_member_status(tg.group["id"], tg.bob["id"], "member")
    refused = await _upload(tg, CSV, "hardware.csv", user=tg.bob)
    assert refused.text == "Only the chat's administrators can add or remove decks."
    assert not tg.fake.calls_to("getFile")
    assert await tg.store.list_decks("telegram:" + str(tg.group["id"])) == []


async def test_a_malformed_file_is_answered_with_its_problems(
    start_telegram: StartTelegram,
) -> None:
    tg = await start_telegram(bank=bank(open_deck("dl", 3)))
    tg.fake.set_member_status(tg.group["id"], tg.alice["id"], "administrator")
    bad = (
        b"id: x\ntitle: X\nlanguage: en\nlicense: MIT\nattribution: me\nitems:\n"
        b"  - id: x/a\n    type: mcq\n    question: Which <b>one</b>?\n"
        b"  - id: x/b\n    type: open\n"
    )
    answer = await _upload(tg, bad, "deck.yaml", user=tg.alice)
    assert answer.text is not None and "nothing was stored" in answer.text
    assert "line 7" in answer.text and "line 10" in answer.text
    assert await tg.store.list_decks("telegram:" + str(tg.group["id"])) == []


async def test_a_self_graded_item_round_trips(start_telegram: StartTelegram) -> None:
    """An open item without key points: the reference answer, "How well did you know it?",
    the learner's own rating schedules the review; one participation point."""
    tg = await start_telegram(bank=bank(open_deck("dl", 3)))
    data = b"question,answer\nWhat is a mutex?,A lock only one thread holds at a time.\n"
    mark = tg.fake.mark()
    tg.fake.send_document(data, "os.csv", caption="/deck add")  # a private chat: its owner
    added = tg.fake.message_for((await tg.fake.wait_for_calls("sendMessage", 1, since=mark))[0])
    assert added.text is not None and added.text.startswith("Added deck os-")
    deck_id = added.text.split()[2]
    question = await tg.reply(f"/quiz {deck_id} 1")
    assert question.text is not None and "What is a mutex?" in question.text
    calls = await tg.say("Something about locking", reply_to=question, expect=2)
    messages = [tg.fake.message_for(call) for call in calls]
    text = "\n".join(m.text or "" for m in messages)
    assert "Reference answer: A lock only one thread holds at a time." in text
    assert "How well did you know it?" in text
    rated_on = next(m for m in messages if m.buttons)
    rated = (await tg.press(rated_on, "Good"))[0]
    assert "Rated good" in (tg.fake.message_for(rated).text or "")
    user = tg.user_key(tg.alice)
    card = await tg.store.get_card(user, f"{deck_id}/row-2")
    assert card is not None and card.prev_card_json is None  # the learner's rating stands
    now = tg.clock.now()
    earned = await tg.store.points_between(
        user, now - timedelta(days=1), now + timedelta(days=1), frozenset(AnswerKind)
    )
    assert earned == 1  # the participation point only
