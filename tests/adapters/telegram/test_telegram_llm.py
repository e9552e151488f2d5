"""Telegram with LLM grading on: a typing state while the model grades, its feedback, /help."""

from __future__ import annotations

from dataclasses import replace

from fsrs import Scheduler

from bot.adapters.telegram.app import TelegramAdapter
from bot.grading.lexical import LexicalGrader
from bot.grading.llm import LLMGrader
from bot.grading.llm_config import LLMConfig
from bot.presentation import helptext
from bot.services import build_services
from tests.adapters.telegram.conftest import TelegramHarness, make_runtime
from tests.adapters.telegram.fake_api import FakeTelegram
from tests.factories import GOOD, bank, open_deck
from tests.grading.fake_llm import FakeLLM, grade_reply


async def test_an_answer_shows_typing_then_the_model_feedback(
    fake_telegram: FakeTelegram,
) -> None:
    chosen = bank(open_deck("dl", 1))
    runtime = make_runtime(fake_telegram.token, fake_telegram.base_url, bank=chosen)
    with FakeLLM() as llm:
        grader = LLMGrader(
            LexicalGrader(corpus=chosen.items.values()), LLMConfig(llm.url, "fake-model")
        )
        services = build_services(
            runtime.store, chosen, runtime.clock, grader,
            scheduler=Scheduler(enable_fuzzing=False),
        )
        runtime = replace(runtime, services=services)
        adapter = TelegramAdapter(runtime.settings, services, chosen, poll_timeout=10)
        await adapter.start()
        try:
            tg = TelegramHarness(fake_telegram, runtime, adapter)
            helped = await tg.reply("/help")
            assert helped.text is not None and helptext.grading_mode(True) in helped.text
            await tg.reply("/daily")
            llm.script(
                grade_reply(
                    [(1, "covered", "alpha"), (2, "covered", "beta")], "partial", "Say more."
                )
            )
            mark = fake_telegram.mark()
            feedback = await tg.reply(f"/answer {GOOD}")
            assert feedback.text is not None and "Grader: Say more." in feedback.text
            assert "✓ Uses alpha." in feedback.text and "✗ Uses gamma." in feedback.text
            [typing] = fake_telegram.calls_to("sendChatAction", since=mark)
            assert typing.params["action"] == "typing"
            sent = fake_telegram.calls_to("sendMessage", since=mark)[0]
            assert typing.index < sent.index
            body = str(llm.requests[0].body)
            assert "Alice" not in body and str(tg.alice["id"]) not in body
        finally:
            await adapter.stop()
            await grader.aclose()


async def test_without_llm_grading_help_says_so_and_no_typing(
    fake_telegram: FakeTelegram,
) -> None:
    chosen = bank(open_deck("dl", 1))
    runtime = make_runtime(fake_telegram.token, fake_telegram.base_url, bank=chosen)
    assert not runtime.services.answers.slow_grading
    adapter = TelegramAdapter(runtime.settings, runtime.services, chosen, poll_timeout=10)
    await adapter.start()
    try:
        tg = TelegramHarness(fake_telegram, runtime, adapter)
        helped = await tg.reply("/help")
        assert helped.text is not None and helptext.grading_mode(False) in helped.text
        await tg.reply("/daily")
        mark = fake_telegram.mark()
        await tg.reply(f"/answer {GOOD}")
        assert fake_telegram.calls_to("sendChatAction", since=mark) == []
    finally:
        await adapter.stop()
