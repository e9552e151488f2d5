"""`/interview` on the fake Telegram server: the group's deep link, a round in the private
chat with a follow-up, the one-minute reminder (an edit), a late answer and a stop; the
report's figures against the stored answers."""

from __future__ import annotations

from datetime import timedelta

from bot.adapters.telegram.app import TelegramAdapter
from bot.domain.models import Verdict, interview_target
from bot.storage.memory import MemoryStore
from tests.adapters.telegram.conftest import StartTelegram, TelegramHarness, make_runtime
from tests.adapters.telegram.fake_api import FakeTelegram
from tests.factories import GOOD, PARTIAL, FakeClock
from tests.interview_support import FOLLOW_UP, interview_bank


async def test_a_round_from_a_group_link_to_the_report(
    start_telegram: StartTelegram, fake_telegram: FakeTelegram
) -> None:
    tg = await start_telegram(bank=interview_bank())
    link = await tg.reply("/interview attention 3 2", chat=tg.group)
    assert link.text is not None
    assert "t.me/prepbot_test_bot?start=interview_attention_3_2" in link.text
    assert await tg.services.interviews.current(tg.user_key(tg.alice)) is None  # not yet

    first = await tg.reply("/start interview_attention_3_2")
    assert first.text is not None and "Question 1 of 3 · easy · 2 minutes" in first.text

    tg.clock.advance(seconds=30)
    calls = await tg.say(GOOD, expect=2)
    note, second = (fake_telegram.message_for(c) for c in calls[:2])
    assert note.text is not None and "Answer 1 noted" in note.text
    assert "Correct in 30s." in note.text
    assert second.text is not None and "Question 2 of 3 · medium" in second.text

    mark = fake_telegram.mark()
    tg.clock.advance(seconds=70)  # under a minute left: the question message is edited
    edit = await fake_telegram.wait_for_call("editMessageText", since=mark)
    assert "One minute left" in str(edit.params.get("text"))
    assert int(str(edit.params["message_id"])) == second.message_id

    tg.clock.advance(seconds=80)  # 150 seconds in all: late
    calls = await tg.say(PARTIAL, expect=2)
    note, follow = (fake_telegram.message_for(c) for c in calls[:2])
    assert note.text is not None and "Partly right in 2m 30s" in note.text
    assert "(late" in note.text
    assert follow.text is not None and "Follow-up on question 2 of 3" in follow.text
    assert FOLLOW_UP in follow.text

    tg.clock.advance(seconds=20)
    calls = await tg.say("It comes from gamma.", expect=2)
    third = fake_telegram.message_for(calls[1])
    assert third.text is not None and "Question 3 of 3 · hard" in third.text

    report = await tg.reply("/interview stop")
    assert report.text is not None and "Interview stopped" in report.text

    user = tg.user_key(tg.alice)
    stopped = await tg.store.get_interview(1)
    assert stopped is not None and stopped.user == user
    one, two, three = [
        await tg.store.get_answer(user, interview_target(stopped.id, p)) for p in range(3)
    ]
    assert one is not None and two is not None and three is None
    assert one.verdict is Verdict.CORRECT and two.verdict is Verdict.PARTIAL
    overall = round(100 * (one.score + min(1.0, two.score + 0.25)) / 2)
    points = one.points + two.points
    assert f"Overall {overall}/100 · answered 2 of 3 · {points} points" in report.text
    assert f"Correct, {round(100 * one.score)}/100, 30s" in report.text
    second_score = round(100 * min(1.0, two.score + 0.25))
    assert f"Partly right, {second_score}/100, 2m 30s (late)" in report.text
    assert "Follow-up covered: Uses gamma." in report.text

    calls = await tg.say("/stats", method="sendPhoto")
    shown = str(calls[0].params.get("caption"))
    assert f"Interviews: <b>1</b> round, last scores {overall}/100" in shown


async def test_plain_text_without_a_round_still_answers_the_daily(
    start_telegram: StartTelegram,
) -> None:
    tg = await start_telegram(bank=interview_bank())
    await tg.reply("/daily")
    feedback = await tg.reply(GOOD)
    assert feedback.text is not None and "Answer 1 noted" not in feedback.text


async def test_stop_in_a_group_sends_the_report_to_the_private_chat(
    start_telegram: StartTelegram, fake_telegram: FakeTelegram
) -> None:
    tg = await start_telegram(bank=interview_bank())
    await tg.reply("/interview attention 3")
    calls = await tg.say("/interview stop", chat=tg.group)
    report = fake_telegram.message_for(calls[0])
    assert report.chat_id == tg.alice["id"]  # private, not the group
    assert report.text is not None and "Interview stopped" in report.text
    assert "answered 0 of 3" in report.text


async def test_a_restart_sends_the_current_question_again_once(
    start_telegram: StartTelegram, fake_telegram: FakeTelegram
) -> None:
    store = MemoryStore()  # the database outlives the process
    before = await start_telegram(bank=interview_bank(), store=store)
    await before.reply("/start interview_attention_3_2")
    before.clock.advance(seconds=30)
    calls = await before.say(GOOD, expect=2)
    second = fake_telegram.message_for(calls[1])
    assert second.text is not None and "Question 2 of 3" in second.text
    await before.adapter.stop()

    # A new process on the same database: bootstrap resumes the round, the adapter says so.
    clock = FakeClock(before.clock.now() + timedelta(hours=1))
    runtime = make_runtime(fake_telegram.token, fake_telegram.base_url,
                           bank=interview_bank(), store=store, clock=clock)
    await runtime.services.interviews.resume_all()
    adapter = TelegramAdapter(runtime.settings, runtime.services, runtime.bank, poll_timeout=10)
    mark = fake_telegram.mark()
    await adapter.start()
    try:
        alice = before.alice["id"]
        sent = [c for c in fake_telegram.calls_to("sendMessage", since=mark) if c.ok]
        assert [c.params["chat_id"] for c in sent] == [alice]  # the question, once
        again = str(sent[0].params["text"])
        assert "Resumed after a restart" in again and "Question 2 of 3" in again
        assert await adapter.interviews.resend_resumed() == 0  # never twice
        after = TelegramHarness(fake_telegram, runtime, adapter)
        clock.advance(seconds=40)
        calls = await after.say(GOOD, expect=2)
        note, third = (fake_telegram.message_for(c) for c in calls[:2])
        assert note.text is not None and "Correct in 40s." in note.text  # from the restart
        assert third.text is not None and "Question 3 of 3" in third.text
    finally:
        await adapter.stop()
