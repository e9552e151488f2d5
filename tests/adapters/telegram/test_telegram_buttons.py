"""End to end: inline buttons (quiz, review, reveal, rating, forget) and quiz polls."""

from __future__ import annotations

import pytest

from bot.domain.models import Verdict
from tests.adapters.telegram.conftest import StartTelegram, TelegramHarness
from tests.adapters.telegram.fake_api import RecordedCall, StoredMessage, make_user
from tests.factories import GOOD, PARTIAL, bank, deck, flashcard, mcq, open_deck

pytestmark = pytest.mark.timeout(30)

CAROL = make_user(3003, "Carol")


def sent(tg: TelegramHarness, calls: list[RecordedCall]) -> list[StoredMessage]:
    return [tg.fake.message_for(call) for call in calls]


async def test_quiz_answer_by_reply_then_skip_to_the_summary(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=bank(open_deck("dl", 3)))
    first = await tg.reply("/quiz dl 2")
    assert first.text is not None and first.text.startswith("🧠 Quiz 1/2")
    assert [b["text"] for b in first.buttons] == ["💡 Show answer", "⏭ Skip", "⏹ Stop"]
    assert all(len(d.encode()) <= 64 for d in first.callback_data)

    feedback, second = sent(tg, await tg.say(GOOD, reply_to=first, expect=2))
    assert feedback.text is not None and feedback.text.startswith("✅ Correct")
    assert second.text is not None and second.text.startswith("🧠 Quiz 2/2")

    calls = await tg.press(second, "⏭ Skip", expect=2)
    skipped, summary = sent(tg, calls)
    assert skipped.text is not None and skipped.text.startswith("⏭ Skipped: Question dl/")
    assert summary.text is not None and summary.text.startswith(
        "🏁 Quiz finished: 1 correct, 0 partial, 0 incorrect, 1 skipped of 2"
    )
    await tg.fake.wait_for_call("editMessageReplyMarkup")
    assert second.reply_markup is None  # the answered question lost its buttons
    answer = tg.fake.callback_answers
    assert len(answer) == 1  # every press is acknowledged


async def test_choice_feedback_says_why_not_key_points(start_telegram: StartTelegram) -> None:
    from tests.services.test_choice_feedback import WHY, mcq_with_why

    tg = await start_telegram(bank=bank(deck("quiz", [mcq_with_why()])))
    question = await tg.reply("/quiz quiz 1")
    assert [b["text"] for b in question.buttons][:3] == ["A", "B", "C"]
    feedback = sent(tg, await tg.press(question, "B", expect=2))[0]
    text = feedback.text or ""
    assert text.startswith("❌")
    assert "You chose: Layer normalization" in text and f"Why: {WHY}" in text
    assert "Right answer: Batch normalization" in text
    assert "mini-batch statistics" not in text  # no key point the learner never wrote


async def test_show_answer_of_an_answered_quiz_question(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=bank(open_deck("dl", 3)))
    first = await tg.reply("/quiz dl 3")
    info = await tg.services.quizzes.active(tg.user_key(tg.alice), tg.chat_key(tg.alice))
    assert info is not None
    session = await tg.store.get_quiz(info.session_id)
    assert session is not None
    one, two = session.item_ids[:2]
    _feedback, second = sent(tg, await tg.say(GOOD, reply_to=first, expect=2))
    assert second.text is not None and second.text.startswith("🧠 Quiz 2/3")
    # Question 1's Show answer button still works: question 1's answer, nothing forfeited.
    shown = sent(tg, await tg.press(first, "💡 Show answer"))[0]
    assert shown.text is not None and f"Short answer of {one}." in shown.text
    assert "earns no points" not in shown.text
    full = sent(tg, await tg.press(shown, "📖 Full answer"))[0]
    assert full.text is not None and f"The full answer of {one}" in full.text
    # /reveal in reply to question 1 names it too; /reveal alone is the current question 2.
    again = await tg.reply("/reveal", reply_to=first)
    assert again.text is not None and f"of {one}" in again.text
    current = await tg.reply("/reveal")
    assert current.text is not None and f"Short answer of {two}." in current.text
    assert "earns no points" in current.text
    late, _third = sent(tg, await tg.say(GOOD, reply_to=second, expect=2))
    assert late.text is not None and "no points" in late.text


async def test_quiz_choice_buttons_reveal_stop_and_conflict(start_telegram: StartTelegram) -> None:
    cards = deck("cards", [mcq("cards/bn"), mcq("cards/ln")])
    tg = await start_telegram(bank=bank(cards))
    question = await tg.reply("/quiz cards 2")
    assert [b["text"] for b in question.buttons][:3] == ["A", "B", "C"]

    revealed = sent(tg, await tg.press(question, "💡 Show answer"))[0]
    assert revealed.text is not None and revealed.text.startswith("💡 Short answer")
    assert "Right option." in revealed.text

    conflict = await tg.reply("/quiz")
    assert conflict.text is not None and conflict.text.startswith("You already have a quiz")
    again = sent(tg, await tg.press(conflict, "▶️ Continue"))[0]
    assert again.text is not None and again.text.startswith("🧠 Quiz 1/2")

    feedback, second = sent(tg, await tg.press(again, "A", expect=2))
    assert feedback.text is not None and feedback.text.startswith("✅ Correct")
    assert "no points" in feedback.text  # revealed first
    assert second.text is not None and second.text.startswith("🧠 Quiz 2/2")

    stale = sent(tg, await tg.press(question, "B"))[0]  # the first question's old keyboard
    assert stale.text == "That question was already answered or skipped; answer the latest one."

    summary = sent(tg, await tg.press(second, "⏹ Stop"))[0]
    assert summary.text is not None and summary.text.startswith("🏁 Quiz stopped: 1 correct")


async def test_someone_elses_quiz_buttons_are_refused(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=bank(open_deck("dl", 3)))
    question = await tg.reply("/quiz dl 2", chat=tg.group, user=tg.alice)
    mark = tg.fake.mark()
    update = tg.fake.press_button(question, text="⏭ Skip", user=tg.bob)
    answer = await tg.fake.wait_for_call("answerCallbackQuery", since=mark)
    assert answer.params["callback_query_id"] == update["callback_query"]["id"]
    assert answer.params["show_alert"] is True
    assert answer.params["text"].startswith("This quiz belongs to someone else")
    reply = await tg.reply(PARTIAL, chat=tg.group, user=tg.bob, reply_to=question)
    assert reply.text == "This quiz belongs to someone else; start your own with /quiz."
    quiz = await tg.services.quizzes.active(tg.user_key(tg.alice), tg.chat_key(tg.group))
    assert quiz is not None and quiz.answered == 0


async def test_daily_option_buttons_in_a_group_answer_for_the_presser(
    start_telegram: StartTelegram,
) -> None:
    tg = await start_telegram(bank=bank(deck("cards", [mcq("cards/bn")])))
    await tg.reply("/start", user=tg.bob)  # Bob gets feedback in private from now on
    # Telegram refuses the quiz poll (as channels do): the post falls back to buttons.
    tg.fake.fail("sendPoll", 400, description="Bad Request: non-anonymous polls can't be sent")
    question = await tg.reply("/daily", chat=tg.group, user=tg.alice)
    assert [c.status for c in tg.fake.calls_to("sendPoll")] == [400]
    assert [b["text"] for b in question.buttons] == ["A", "B", "C", "💡 Show answer"]
    mark = tg.fake.mark()
    group_feedback = sent(tg, await tg.press(question, "B", user=tg.alice))[0]
    assert group_feedback.chat_id == tg.group["id"]
    assert any(e["type"] == "spoiler" for e in group_feedback.entities)
    # The verdict is in the acknowledgement too, in case the group reply waits or is dropped.
    wrong = tg.fake.calls_to("answerCallbackQuery", since=mark)[0].params["text"]
    assert wrong.startswith("Incorrect · score 0%") and "Right answer: " in wrong
    mark = tg.fake.mark()
    private = sent(tg, await tg.press(question, "A", user=tg.bob))[0]
    assert private.chat_id == tg.bob["id"]  # quiet: no note in the group for a button
    assert private.text is not None
    assert private.text.startswith("From Interview prep:\n\n✅ Correct")
    ack = tg.fake.calls_to("answerCallbackQuery", since=mark)[0]
    assert ack.params["text"].startswith("Correct · score 100%\n+")
    assert ack.params["text"].endswith("\n✉️ Sent to our private chat.")
    assert question.buttons  # the daily keyboard stays for everyone else


async def test_reveal_buttons_and_rating(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=bank(open_deck("dl", 2)))
    question = await tg.reply("/daily")
    short = sent(tg, await tg.press(question, "💡 Show answer"))[0]
    assert short.text is not None and short.text.startswith("💡 Short answer")
    full = sent(tg, await tg.press(short, "📖 Full answer"))[0]
    assert full.text is not None and full.text.startswith("📖 Full answer")
    rated = sent(tg, await tg.press(full, "Good"))[0]
    assert rated.text is not None and rated.text.startswith("🗓 Rated good: next review")
    assert [b["text"] for b in rated.buttons] == ["🔁 Next review"]
    await tg.fake.wait_for_call("editMessageReplyMarkup")
    assert full.reply_markup is None
    post = await tg.services.daily.current(tg.chat_key(tg.alice))
    assert post is not None
    card = await tg.store.get_card(tg.user_key(tg.alice), post.question.item_id)
    assert card is not None and card.due > tg.clock.now()


async def test_review_flow_with_plain_text_answer(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=bank(open_deck("dl", 2)))
    await tg.reply("/daily")
    await tg.reply(PARTIAL)
    none_due = await tg.reply("/review")
    assert none_due.text is not None and none_due.text.startswith("🎉 No reviews due.")
    tg.clock.advance(days=60)
    card = await tg.reply("/review")
    assert card.text is not None and card.text.startswith("🔁 Review · 1 due")
    assert [b["text"] for b in card.buttons] == ["💡 Show answer"]
    feedback = await tg.reply(GOOD)
    assert feedback.text is not None and feedback.text.startswith("✅ Correct")
    assert [b["text"] for b in feedback.buttons] == ["🔁 Next review"]
    done = sent(tg, await tg.press(feedback, "🔁 Next review"))[0]
    assert done.text is not None and done.text.startswith("🎉 No reviews due.")
    # The card was answered: more text is an answer to the daily question again.
    again = await tg.reply(GOOD)
    assert again.text is not None and "Already answered" in again.text


async def test_review_choice_buttons(start_telegram: StartTelegram) -> None:
    cards = deck("cards", [flashcard("cards/relu", "Max of zero and x."),
                           flashcard("cards/tanh", "Squashes to between minus one and one.")])
    tg = await start_telegram(bank=bank(cards))
    await tg.reply("/daily")
    await tg.reply("/answer A")
    tg.clock.advance(days=60)
    card = await tg.reply("/review")
    labels = [b["text"] for b in card.buttons]
    assert labels == ["A", "B", "💡 Show answer"]
    feedback = sent(tg, await tg.press(card, "A"))[0]
    assert feedback.text is not None and feedback.text.split(" ")[0] in ("✅", "❌")
    await tg.fake.wait_for_call("editMessageReplyMarkup")
    assert card.reply_markup is None


async def test_forget_with_buttons(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=bank(open_deck("dl", 2)))
    await tg.reply("/daily")
    await tg.reply(GOOD)
    ask = await tg.reply("/forget")
    assert [b["text"] for b in ask.buttons] == ["🗑 Delete my data", "Cancel"]
    cancelled = sent(tg, await tg.press(ask, "Cancel"))[0]
    assert cancelled.text == "Cancelled: nothing was deleted."
    ask = await tg.reply("/forget")
    stranger = tg.fake.mark()
    tg.fake.press_button(ask, text="🗑 Delete my data", user=tg.bob)
    refused = await tg.fake.wait_for_call("answerCallbackQuery", since=stranger)
    assert refused.params["text"] == "Only the person who asked can confirm this."
    done = sent(tg, await tg.press(ask, "🗑 Delete my data"))[0]
    assert done.text == "🗑 Done: everything stored about you is deleted."
    assert await tg.store.get_answer(tg.user_key(tg.alice), "daily:1") is None


async def test_quiz_poll_in_a_group_is_graded_per_voter(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=bank(deck("cards", [mcq("cards/bn")])))
    await tg.reply("/start", user=tg.bob)
    calls = await tg.say("/daily", chat=tg.group, user=tg.alice, method="sendPoll")
    poll_call = calls[0]
    assert poll_call.ok, poll_call.response
    params = poll_call.params
    assert params["type"] == "quiz" and params["is_anonymous"] is False
    assert params["question"] == "Pick one for cards/bn"
    assert [o["text"] for o in params["options"]] == [
        "Right option", "Wrong option A", "Wrong option B"
    ]
    assert params["correct_option_ids"] == [0]
    assert params["explanation"] == "Right option."
    assert params["description"].startswith("Question of the day")
    poll_message = tg.fake.message_for(poll_call)
    assert poll_message.poll is not None
    poll_id = poll_message.poll["id"]

    mark = tg.fake.mark()
    tg.fake.answer_poll(poll_id, [0], user=tg.bob)
    private = tg.fake.message_for(await tg.fake.wait_for_call("sendMessage", since=mark))
    assert private.chat_id == tg.bob["id"]
    assert private.text is not None
    assert private.text.startswith("From Interview prep:\n\n✅ Correct")

    tg.fake.answer_poll(poll_id, [2], user=CAROL)  # never started the bot: nothing is sent
    await tg.settle(user=CAROL)
    post = await tg.services.daily.current(tg.chat_key(tg.group))
    assert post is not None
    bob = await tg.store.get_answer(tg.user_key(tg.bob), f"daily:{post.post_id}")
    carol = await tg.store.get_answer(tg.user_key(CAROL), f"daily:{post.post_id}")
    assert bob is not None and bob.verdict is Verdict.CORRECT
    assert carol is not None and carol.verdict is Verdict.INCORRECT
    assert [m.chat_id for m in tg.fake.sent_messages(tg.group["id"])] == [tg.group["id"]]

    # The poll's Show answer button reveals to the presser (privately for Bob).
    revealed = sent(tg, await tg.press(poll_message, "💡 Show answer", user=tg.bob))[0]
    assert revealed.chat_id == tg.bob["id"]
    assert revealed.text is not None
    assert revealed.text.startswith("From Interview prep:\n\n💡 Short answer")


async def test_a_group_quiz_keeps_its_feedback_in_the_group(start_telegram: StartTelegram) -> None:
    tg = await start_telegram(bank=bank(open_deck("dl", 3)))
    await tg.reply("/start", user=tg.bob)  # private feedback is on, but not for quizzes
    question = await tg.reply("/quiz dl 2", chat=tg.group, user=tg.bob)
    revealed = sent(tg, await tg.press(question, "💡 Show answer", user=tg.bob))[0]
    assert revealed.chat_id == tg.group["id"]
    assert revealed.text is not None and revealed.text.startswith("Bob, the answer:")
    again = sent(tg, await tg.press(revealed, "📖 Full answer", user=tg.bob))[0]
    assert again.text is not None and "📖 Full answer" in again.text
    feedback, second = sent(tg, await tg.say(GOOD, chat=tg.group, user=tg.bob,
                                             reply_to=question, expect=2))
    assert feedback.chat_id == second.chat_id == tg.group["id"]
    assert any(e["type"] == "spoiler" for e in feedback.entities)
    assert not [b for b in feedback.buttons if "url" in b]  # no deep link for quizzes
