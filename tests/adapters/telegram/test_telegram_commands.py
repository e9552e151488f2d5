"""End to end: each user command through the real python-telegram-bot against the fake."""

from __future__ import annotations

import pytest

from bot.adapters.telegram import commands as commands_module
from bot.adapters.telegram import render
from bot.content.bank import Bank
from bot.domain.models import AnswerKind, Verdict
from tests.adapters.telegram.conftest import StartTelegram
from tests.adapters.telegram.fake_api import FakeTelegram
from tests.factories import GOOD, PARTIAL, bank, deck, mcq, open_deck, open_item

pytestmark = pytest.mark.timeout(30)


def open_bank(count: int = 3) -> Bank:
    return bank(open_deck("dl", count))


async def test_start_registers_commands_and_welcomes(
    start_telegram: StartTelegram, fake_telegram: FakeTelegram
) -> None:
    tg = await start_telegram()
    commands = [c["command"] for c in fake_telegram.bot_commands()]
    assert commands[:4] == ["start", "help", "daily", "answer"]
    assert {
        "quiz", "review", "leaderboard", "schedule", "forget", "report", "interview", "deck"
    } <= set(commands)
    welcome = await tg.reply("/start")
    assert welcome.text is not None and "Welcome to prepbot" in welcome.text
    assert "/quiz [topic] [count] [difficulty]" in welcome.text  # escaped, shown as text
    user = await tg.store.get_user(tg.user_key(tg.alice))
    assert user is not None and user.display_name == "Alice"
    chat = await tg.store.get_chat(tg.chat_key(tg.alice))
    assert chat is not None and chat.group.group_id == str(tg.alice["id"])
    assert fake_telegram.unknown_calls == []


async def test_help_in_group_and_group_identity(start_telegram: StartTelegram) -> None:
    tg = await start_telegram()
    reply = await tg.reply("/help@prepbot_test_bot", chat=tg.group, user=tg.bob)
    assert reply.text is not None and "/schedule" in reply.text
    assert "/deck list|show ID|export ID" in reply.text  # everyone's
    assert "/deck add" in reply.text and "/deck remove ID" in reply.text  # the admins'
    assert reply.data["reply_to_message"]["text"] == "/help@prepbot_test_bot"
    chat = await tg.store.get_chat(tg.chat_key(tg.group))
    assert chat is not None and chat.title == "Interview prep"
    assert chat.group.group_id == str(tg.group["id"])  # each group is its own board


async def test_daily_in_private_then_reply_is_graded(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=open_bank())
    question = await tg.reply("/daily")
    assert question.text is not None and question.text.startswith("📅 Question of the day")
    assert "regularization · medium" in question.text
    assert [b["text"] for b in question.buttons] == ["💡 Show answer"]
    await tg.settle()  # the message id is recorded just after the send
    post = await tg.services.daily.current(tg.chat_key(tg.alice))
    assert post is not None and question.callback_data == [f"d:{post.post_id}:r"]
    remembered = await tg.services.daily.by_message(
        tg.chat_key(tg.alice), str(question.message_id)
    )
    assert remembered is not None and remembered.post_id == post.post_id

    feedback = await tg.reply(GOOD, reply_to=question)
    assert feedback.text is not None and feedback.text.startswith("✅ Correct")
    assert "+10 points" in feedback.text or "points" in feedback.text
    assert not any(e["type"] == "spoiler" for e in feedback.entities)  # private: no spoiler
    answer = await tg.store.get_answer(tg.user_key(tg.alice), f"daily:{post.post_id}")
    assert answer is not None and answer.verdict is Verdict.CORRECT


async def test_plain_text_in_private_answers_the_daily_question(
    start_telegram: StartTelegram,
) -> None:
    tg = await start_telegram(bank=open_bank())
    await tg.reply("/daily")
    feedback = await tg.reply(PARTIAL)
    assert feedback.text is not None and "Partly right" in feedback.text
    assert "✗ Uses gamma." in feedback.text


async def test_group_answer_feedback_is_under_a_spoiler(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=open_bank())
    await tg.reply("/daily", chat=tg.group, user=tg.bob)
    feedback = await tg.reply(f"/answer {GOOD}", chat=tg.group, user=tg.bob)
    assert feedback.text is not None and feedback.text.startswith("Bob, your result:")
    spoilers = [e for e in feedback.entities if e["type"] == "spoiler"]
    assert len(spoilers) == 1
    hidden = feedback.text[spoilers[0]["offset"] : spoilers[0]["offset"] + spoilers[0]["length"]]
    assert hidden.startswith("✅ Correct") and "✓ Uses alpha." in hidden
    link = [b for b in feedback.buttons if "url" in b]
    assert link and link[0]["url"] == "https://t.me/prepbot_test_bot?start=dm"


async def test_group_feedback_goes_private_once_the_user_started_the_bot(
    start_telegram: StartTelegram,
) -> None:
    tg = await start_telegram(bank=open_bank())
    started = await tg.reply("/start dm", user=tg.bob, chat=None)
    assert started.chat_id == tg.bob["id"]
    assert started.text is not None and started.text.startswith("✅ Done")
    question = await tg.reply("/daily", chat=tg.group, user=tg.bob)
    calls = await tg.say(PARTIAL, chat=tg.group, user=tg.bob, reply_to=question, expect=2)
    private, note = (tg.fake.message_for(c) for c in calls)
    assert private.chat_id == tg.bob["id"]
    assert private.text is not None
    assert private.text.startswith("From Interview prep:\n\n🟡 Partly right")
    assert note.chat_id == tg.group["id"]
    assert note.text == "✉️ Bob: feedback sent to our private chat."
    assert all("Uses" not in (m.text or "") for m in tg.fake.sent_messages(tg.group["id"]))


async def test_reveal_short_then_full(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=bank(deck("code", [open_item("code/q1", question="Q?")])))
    await tg.reply("/daily")
    short = await tg.reply("/reveal")
    assert short.text is not None and short.text.startswith("💡 Short answer")
    assert "Revealed before answering" in short.text
    labels = [b["text"] for b in short.buttons]
    assert labels == ["📖 Full answer", "Again", "Hard", "Good", "Easy"]
    full = await tg.reply("/reveal")
    assert full.text is not None and full.text.startswith("📖 Full answer")
    assert "Key points" in full.text and "• Uses alpha." in full.text
    assert [b["text"] for b in full.buttons] == ["Again", "Hard", "Good", "Easy"]
    # Answering after revealing still grades, but earns no points.
    feedback = await tg.reply(f"/answer {GOOD}")
    assert feedback.text is not None and "no points" in feedback.text


async def test_group_reveal_is_a_spoiler(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=open_bank())
    question = await tg.reply("/daily", chat=tg.group, user=tg.bob)
    revealed = await tg.reply("/reveal", chat=tg.group, user=tg.bob, reply_to=question)
    assert revealed.text is not None and revealed.text.startswith("Bob, the answer:")
    spoiler = next(e for e in revealed.entities if e["type"] == "spoiler")
    hidden = revealed.text[spoiler["offset"] : spoiler["offset"] + spoiler["length"]]
    assert hidden.startswith("💡 Short answer") and "Short answer of dl/" in hidden


async def test_streak_stats_topics_and_timezone(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=open_bank())
    await tg.reply("/daily")
    await tg.reply(f"/answer {GOOD}")
    streak = await tg.reply("/streak")
    assert streak.text == "🔥 Streak: 1 day, best 1, 0 freezes; answered today."
    stats = await tg.reply("/stats", method="sendPhoto")
    assert stats.text is not None and "Answered 1, accuracy 100%" in stats.text
    assert "• regularization: 1 answered, 100%" in stats.text
    # The picture with the same numbers as its caption.
    assert stats.upload is not None and stats.upload.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Points in all 10; rank this week 1 of 1" in stats.text
    topics = await tg.reply("/topics")
    assert topics.text is not None and "regularization (3)" in topics.text
    assert "dl (3) — Deck dl" in topics.text
    zone = await tg.reply("/timezone Europe/Berlin")
    assert zone.text == "🕒 Your time zone: Europe/Berlin (your own)."
    bad = await tg.reply("/timezone Mars/Olympus")
    assert bad.text is not None and "Mars/Olympus" in bad.text
    reset = await tg.reply("/timezone reset")
    assert reset.text == "🕒 Your time zone: UTC (following this chat's schedule)."


async def test_leaderboard_and_opt_out(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=open_bank())
    group = tg.group
    await tg.reply("/daily", chat=group, user=tg.bob)
    await tg.reply(f"/answer {GOOD}", chat=group, user=tg.bob)
    await tg.reply(f"/answer {PARTIAL}", chat=group, user=tg.alice)
    board = await tg.reply("/leaderboard", chat=group, user=tg.alice)
    assert board.text is not None
    lines = board.text.splitlines()
    assert lines[0] == "🏆 Leaderboard · this week"
    assert lines[1].startswith("🥇 Bob — 10 pts") and lines[2].startswith("🥈 Alice")
    assert (await tg.reply("/leaderboard optout", chat=group, user=tg.bob)).text == (
        "You are now hidden from leaderboards."
    )
    board = await tg.reply("/leaderboard all", chat=group, user=tg.alice)
    assert board.text is not None and "Bob" not in board.text and "all time" in board.text
    bad = await tg.reply("/leaderboard yearly", chat=group, user=tg.alice)
    assert bad.text is not None and "Unknown period 'yearly'" in bad.text
    assert (await tg.reply("/leaderboard optin", chat=group, user=tg.bob)).text == (
        "You are back on the leaderboards."
    )
    for window, title in (("week", "this week"), ("month", "this month")):
        board = await tg.reply(f"/leaderboard {window}", chat=group, user=tg.alice)
        assert board.text is not None
        lines = board.text.splitlines()
        assert lines[0] == f"🏆 Leaderboard · {title}"
        assert lines[1].startswith("🥇 Bob — 10 pts")


async def test_report_as_a_reply_to_a_question(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=open_bank())
    question = await tg.reply("/daily")
    usage = await tg.reply("/report typo")
    assert usage.text is not None and usage.text.startswith("Reply to a question message")
    thanks = await tg.reply("/report the answer has a typo", reply_to=question)
    assert thanks.text is not None and thanks.text.startswith("🙏 Thanks")
    post = await tg.services.daily.current(tg.chat_key(tg.alice))
    reports = await tg.store.list_reports()
    assert f"report #{reports[0].id} on" in thanks.text  # the number the maintainers see
    assert post is not None and [(r.item_id, r.reason) for r in reports] == [
        (post.question.item_id, "the answer has a typo")
    ]
    by_id = await tg.reply("/report dl/q02 wrong tag")
    assert by_id.text is not None and by_id.text.startswith("🙏")


async def test_unknown_commands(start_telegram: StartTelegram) -> None:
    tg = await start_telegram()
    unknown = await tg.reply("/dance")
    assert unknown.text == "I don't know /dance. /help lists what I understand."
    mark = tg.fake.mark()
    tg.fake.send_text("/dance", chat=tg.group, user=tg.bob)  # maybe another bot's
    tg.fake.send_text("/dance@otherbot", chat=tg.group, user=tg.bob)
    await tg.settle(chat=tg.group, user=tg.bob)
    texts = [tg.fake.message_for(c).text for c in tg.fake.calls_to("sendMessage", since=mark)]
    assert len(texts) == 1 and texts[0] is not None and texts[0].startswith("prepbot — ")
    addressed = await tg.reply("/dance@prepbot_test_bot", chat=tg.group, user=tg.bob)
    assert addressed.text == "I don't know /dance. /help lists what I understand."


async def test_edited_answer_is_regraded_as_feedback_only(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=open_bank())
    question = await tg.reply("/daily")
    mark = tg.fake.mark()
    original = tg.fake.make_message(PARTIAL, reply_to=question)
    tg.fake.inject("message", original.data)
    await tg.fake.wait_for_call("sendMessage", since=mark)
    mark = tg.fake.mark()
    tg.fake.edit_user_message(original, GOOD)
    edited = tg.fake.message_for(await tg.fake.wait_for_call("sendMessage", since=mark))
    assert edited.text is not None and edited.text.startswith("✅ Correct")
    assert "(edited answer)" in edited.text and "Already answered" in edited.text
    post = await tg.services.daily.current(tg.chat_key(tg.alice))
    assert post is not None
    stored = await tg.store.get_answer(tg.user_key(tg.alice), f"daily:{post.post_id}")
    assert stored is not None and stored.verdict is Verdict.PARTIAL  # the first answer counts
    assert stored.kind is AnswerKind.DAILY


async def test_group_chatter_and_other_replies_are_ignored(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=open_bank())
    helped = await tg.reply("/help", chat=tg.group, user=tg.bob)
    mark = tg.fake.mark()
    tg.fake.send_text("hello all", chat=tg.group, user=tg.bob)
    tg.fake.send_text("thanks!", chat=tg.group, user=tg.bob, reply_to=helped)
    await tg.settle(chat=tg.group, user=tg.bob)
    assert len(tg.fake.calls_to("sendMessage", since=mark)) == 1  # only the /help


async def test_mcq_daily_in_private_lists_options_with_letter_buttons(
    start_telegram: StartTelegram,
) -> None:
    tg = await start_telegram(bank=bank(deck("cards", [mcq("cards/bn")])))
    question = await tg.reply("/daily")
    assert question.text is not None
    assert "A) Right option\nB) Wrong option A\nC) Wrong option B" in question.text
    assert [b["text"] for b in question.buttons] == ["A", "B", "C", "💡 Show answer"]
    feedback = await tg.reply("/answer b")
    assert feedback.text is not None and feedback.text.startswith("❌ Incorrect")
    assert "Right answer: Right option" in feedback.text


async def test_skip_and_stop_commands(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=open_bank(3))
    await tg.reply("/quiz 3")
    calls = await tg.say("/skip", expect=2)
    skipped, second = (tg.fake.message_for(c) for c in calls)
    assert skipped.text is not None and skipped.text.startswith("⏭ Skipped:")
    assert second.text is not None and second.text.startswith("🧠 Quiz 2/3")
    stopped = await tg.reply("/stop")
    assert stopped.text is not None and stopped.text.startswith(
        "🏁 Quiz stopped: 0 correct, 0 partial, 0 incorrect, 1 skipped of 3"
    )
    none = await tg.reply("/stop")
    assert none.text is not None and none.text.startswith("You have no quiz running here")


async def test_forget_confirmed_by_code(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=open_bank())
    await tg.reply("/daily")
    await tg.reply(GOOD)
    ask = await tg.reply("/forget")
    assert ask.text is not None
    code = ask.text.split("/forget ")[1].split(")")[0]
    wrong = await tg.reply("/forget 000000")
    assert wrong.text is not None and "does not match" in wrong.text
    done = await tg.reply(f"/forget {code}")
    assert done.text == "🗑 Done: everything stored about you is deleted."
    stats = await tg.reply("/stats", method="sendPhoto")
    assert stats.text is not None and "Answered 0" in stats.text


async def test_stop_is_clean_and_quick(
    start_telegram: StartTelegram, fake_telegram: FakeTelegram
) -> None:
    tg = await start_telegram()
    await fake_telegram.wait_for_long_poll()
    await tg.adapter.stop()
    assert fake_telegram.pending_long_polls == 0
    assert not tg.adapter.application.running


async def test_stats_text_too_long_for_a_caption_follows_the_photo(
    start_telegram: StartTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    tg = await start_telegram(bank=open_bank())
    long = ["x" * 1100]
    monkeypatch.setattr(render, "stats_card", lambda card: long)
    mark = tg.fake.mark()
    (photo_call,) = await tg.say("/stats", method="sendPhoto")
    photo = tg.fake.message_for(photo_call)
    assert photo.upload is not None and not photo.text
    (text_call,) = await tg.fake.wait_for_calls("sendMessage", 1, since=mark)
    assert tg.fake.message_for(text_call).text == long[0]


async def test_stats_without_a_picture_is_the_text(
    start_telegram: StartTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    tg = await start_telegram(bank=open_bank())

    async def no_picture(card: object) -> None:
        return None

    monkeypatch.setattr(commands_module, "stats_png", no_picture)
    stats = await tg.reply("/stats")
    assert stats.text is not None and "Answered 0" in stats.text and stats.upload is None
