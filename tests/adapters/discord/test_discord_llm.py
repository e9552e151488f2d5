"""Discord with LLM grading on: deferred "thinking..." replies, typing for message answers,
the model's feedback, and /help saying so."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest
import pytest_asyncio
from fsrs import Scheduler

from bot.grading.lexical import LexicalGrader
from bot.grading.llm import LLMGrader
from bot.grading.llm_config import LLMConfig
from bot.presentation import helptext
from bot.services import build_services
from tests.adapters.discord.fake_api import CALLBACK_DEFERRED_MESSAGE, FakeDiscord
from tests.adapters.discord.support import Harness, fake_discord, make_runtime, start_adapter
from tests.factories import GOOD
from tests.grading.fake_llm import FakeLLM, grade_reply

__all__ = ["fake_discord"]

pytestmark = pytest.mark.timeout(30)

COVERED = [(1, "covered", "alpha"), (2, "covered", "beta")]


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with FakeLLM() as server:
        yield server


@pytest_asyncio.fixture
async def grading(fake_discord: FakeDiscord, llm: FakeLLM) -> AsyncIterator[Harness]:
    runtime = make_runtime(discord_message_answers=True)
    grader = LLMGrader(
        LexicalGrader(corpus=runtime.bank.items.values()), LLMConfig(llm.url, "fake-model")
    )
    services = build_services(
        runtime.store, runtime.bank, runtime.clock, grader, default_timezone="UTC",
        scheduler=Scheduler(enable_fuzzing=False),
    )
    runtime = replace(runtime, services=services)
    adapter = await start_adapter(fake_discord, runtime)
    yield Harness(fake_discord, runtime, adapter)
    await adapter.stop()
    await grader.aclose()


async def test_help_says_llm_grading_is_on(grading: Harness) -> None:
    helped = await grading.slash("help")
    assert helptext.grading_mode(True) in helped.data["embeds"][0]["description"]


async def test_a_modal_answer_is_deferred_then_shows_the_model_feedback(
    grading: Harness, llm: FakeLLM
) -> None:
    h = grading
    await h.services.schedules.subscribe(h.chat_key(), "23:00", topics="cnn")
    await h.replies("daily")
    llm.script(grade_reply(COVERED, "partial", "Explain gamma too."))
    submit = await h.fake.modal_submit("prepbot-modal:a", {"answer": GOOD})
    callback = await h.fake.wait_for_callback(submit)
    assert callback.type == CALLBACK_DEFERRED_MESSAGE  # "thinking..." while the model grades
    await h.fake.wait_until(lambda: submit.followup_ids)
    feedback = json.dumps(h.fake.messages[submit.followup_ids[0]], ensure_ascii=False)
    assert "Grader: Explain gamma too." in feedback
    assert len(llm.requests) == 1


async def test_a_message_answer_shows_typing(grading: Harness, llm: FakeLLM) -> None:
    h = grading
    await h.services.schedules.subscribe(h.chat_key(), "23:00", topics="cnn")
    await h.replies("daily")
    await h.fake.wait_until(lambda: h.store.post_messages)
    llm.script(grade_reply(COVERED, "partial", "Explain gamma too."))
    await h.fake.message_create(f"<@{h.fake.bot.id}> {GOOD}", mentions=[h.fake.bot])
    dm = h.fake.dm_channel(h.fake.user).id
    await h.fake.wait_until(lambda: h.fake.channel_messages(dm))
    typing = h.fake.find_requests("POST", rf"/channels/{h.fake.channel.id}/typing")
    assert len(typing) == 1
    assert len(llm.requests) == 1
