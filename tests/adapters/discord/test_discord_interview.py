"""`/interview` on the fake Discord server: an ephemeral start, a private thread, answers
through the Answer button's modal (a follow-up, a late answer), the one-minute reminder
edit, `/interview-stop`; the report's figures against the stored answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fsrs import Scheduler

from bot.app import Runtime
from bot.config import Settings
from bot.domain.models import Verdict, interview_target
from bot.grading.lexical import LexicalGrader
from bot.services import build_services
from bot.storage.memory import MemoryStore
from tests.adapters.discord.fake_api import EPHEMERAL, FakeDiscord
from tests.adapters.discord.support import Harness, fake_discord, start_adapter
from tests.factories import GOOD, PARTIAL, FakeClock
from tests.interview_support import FOLLOW_UP, interview_bank

__all__ = ["fake_discord"]

PRIVATE_THREAD = 12


def interview_runtime(store: MemoryStore | None = None, clock: FakeClock | None = None) -> Runtime:
    config = Settings(_env_file=None, discord_bot_token="fake-token")
    bank = interview_bank()
    clock = clock or FakeClock()
    services = build_services(
        store or MemoryStore(), bank, clock, LexicalGrader(),
        scheduler=Scheduler(enable_fuzzing=False),
    )
    return Runtime(config, bank, services.interviews.store, clock, services)


def button_id(message: dict[str, Any]) -> str:
    return str(message["components"][0]["components"][0]["custom_id"])


async def answer(h: Harness, thread: int, text: str, count: int) -> list[dict[str, Any]]:
    """Press the last question's Answer button and submit `text`; the bot's messages in
    the thread after it (the note, then the next question or the report)."""
    last = [m for m in h.fake.channel_messages(thread) if m.get("components")][-1]
    inter = await h.fake.component(button_id(last), channel_id=thread)
    callback = await h.fake.wait_for_callback(inter)
    before = len(h.fake.channel_messages(thread))
    inter = await h.fake.modal_submit(str(callback.data["custom_id"]), {"answer": text},
                                      channel_id=thread)

    def sent() -> list[dict[str, Any]]:
        notes = {str(i) for i in inter.followup_ids}
        return [m for m in h.fake.channel_messages(thread)[before:] if str(m["id"]) not in notes]

    await h.fake.wait_until(lambda: inter.followup_ids and len(sent()) >= count)
    note = h.fake.messages[inter.followup_ids[0]]
    return [note, *sent()]


async def test_a_round_in_a_private_thread_to_the_report(fake_discord: FakeDiscord) -> None:
    runtime = interview_runtime()
    h = Harness(fake_discord, runtime, await start_adapter(fake_discord, runtime))
    inter = await h.fake.slash("interview", {"topic": "attention", "questions": 3, "minutes": 2})
    callback = await h.fake.wait_for_callback(inter)
    assert callback.ephemeral
    await h.fake.wait_until(lambda: inter.followup_ids)
    start = h.fake.messages[inter.followup_ids[0]]
    assert start["flags"] & EPHEMERAL and "Your interview runs in <#" in start["content"]
    thread = int(start["content"].split("<#")[1].split(">")[0])
    channel = h.fake.get_channel(thread)
    assert channel is not None and channel.type == PRIVATE_THREAD
    await h.fake.wait_until(lambda: h.fake.channel_messages(thread))
    first = h.fake.channel_messages(thread)[0]
    assert "Question 1 of 3 · easy · 2 minutes" in first["content"]
    assert f"<@{h.fake.user.id}>" in first["content"]  # the mention adds the member

    h.clock.advance(seconds=30)
    note, second = await answer(h, thread, GOOD, 1)
    assert "Answer 1 noted" in note["content"] and "Correct in 30s." in note["content"]
    assert "Question 2 of 3 · medium" in second["content"]

    h.clock.advance(seconds=70)  # under a minute left: the question is edited once
    await h.fake.wait_until(
        lambda: "One minute left" in h.fake.messages[int(second["id"])]["content"]
    )

    h.clock.advance(seconds=80)
    note, follow = await answer(h, thread, PARTIAL, 1)
    assert "Partly right in 2m 30s" in note["content"] and "(late" in note["content"]
    assert "Follow-up on question 2 of 3" in follow["content"] and FOLLOW_UP in follow["content"]

    h.clock.advance(seconds=20)
    note, third = await answer(h, thread, "It comes from gamma.", 1)
    assert "that point is covered" in note["content"]
    assert "Question 3 of 3 · hard" in third["content"]

    before = len(h.fake.channel_messages(thread))
    await h.fake.slash("interview-stop", channel_id=thread)
    await h.fake.wait_until(
        lambda: any("Overall" in m["content"] for m in h.fake.channel_messages(thread)[before:])
    )
    report = "\n".join(m["content"] for m in h.fake.channel_messages(thread)[before:])
    assert "Interview stopped" in report

    user = h.user_key()
    stopped = await runtime.store.get_interview(1)
    assert stopped is not None and stopped.user == user
    one, two, three = [
        await runtime.store.get_answer(user, interview_target(stopped.id, p)) for p in range(3)
    ]
    assert one is not None and two is not None and three is None
    assert one.verdict is Verdict.CORRECT and two.verdict is Verdict.PARTIAL
    overall = round(100 * (one.score + min(1.0, two.score + 0.25)) / 2)
    points = one.points + two.points
    assert f"Overall **{overall}**/100 · answered 2 of 3 · {points} points" in report
    assert f"Correct, {round(100 * one.score)}/100, 30s" in report
    second_score = round(100 * min(1.0, two.score + 0.25))
    assert f"Partly right, {second_score}/100, 2m 30s" in report
    assert "Follow-up covered: Uses gamma." in report
    await h.adapter.stop()


async def test_where_threads_are_not_allowed_the_round_runs_in_dms(
    fake_discord: FakeDiscord,
) -> None:
    runtime = interview_runtime()
    h = Harness(fake_discord, runtime, await start_adapter(fake_discord, runtime))
    inter = await h.fake.slash("interview", {"topic": "attention"}, guild_id=None)
    await h.fake.wait_until(lambda: inter.followup_ids)
    start = h.fake.messages[inter.followup_ids[0]]
    assert "Private threads are not allowed here" in start["content"]
    assert "direct messages" in start["content"]
    dm = h.fake.dm_channel(h.fake.user)

    def questions() -> list[dict[str, Any]]:
        return [m for m in h.fake.channel_messages(dm.id) if m.get("components")]

    await h.fake.wait_until(questions)
    first = questions()[0]
    assert "Question 1 of 3 · easy · 3 minutes" in first["content"]
    assert button_id(first).startswith("prepbot:ians:")
    round_ = await runtime.store.get_active_interview(h.user_key())
    assert round_ is not None and round_.chat == h.chat_key(dm.id)
    await h.adapter.stop()


async def test_a_restart_sends_the_current_question_again_once(
    fake_discord: FakeDiscord,
) -> None:
    runtime = interview_runtime()
    h = Harness(fake_discord, runtime, await start_adapter(fake_discord, runtime))
    inter = await h.fake.slash("interview", {"topic": "attention", "questions": 3, "minutes": 2})
    await h.fake.wait_until(lambda: inter.followup_ids)
    start = h.fake.messages[inter.followup_ids[0]]
    thread = int(start["content"].split("<#")[1].split(">")[0])
    await h.fake.wait_until(lambda: h.fake.channel_messages(thread))
    h.clock.advance(seconds=30)
    _, second = await answer(h, thread, GOOD, 1)
    assert "Question 2 of 3" in second["content"]
    await h.adapter.stop()

    # A new process on the same database: bootstrap resumes the round, the adapter says so.
    assert isinstance(runtime.store, MemoryStore)
    clock = FakeClock(h.clock.now() + timedelta(hours=1))
    later = interview_runtime(runtime.store, clock)
    await later.services.interviews.resume_all()
    before = len(h.fake.channel_messages(thread))
    after = Harness(fake_discord, later, await start_adapter(fake_discord, later))

    def resent() -> list[dict[str, Any]]:
        return h.fake.channel_messages(thread)[before:]

    await h.fake.wait_until(resent)
    (again,) = resent()  # once
    assert "Resumed after a restart" in again["content"] and "Question 2 of 3" in again["content"]
    assert f"<@{h.fake.user.id}>" not in again["content"]  # already in the thread
    bot = after.adapter.bot
    assert await bot.actions.interviews.resend_resumed(bot) == 0  # never twice
    clock.advance(seconds=40)
    note, third = await answer(after, thread, GOOD, 1)
    assert "Correct in 40s." in note["content"]  # timed from the restart
    assert "Question 3 of 3" in third["content"]
    await after.adapter.stop()
