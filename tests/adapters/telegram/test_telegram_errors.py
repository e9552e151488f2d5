"""End to end: the one error handler (user errors, platform errors, bugs)."""

from __future__ import annotations

import logging
import re

import pytest

from bot.domain.models import ChatKey, UserKey
from bot.errors import StoreError
from bot.services.results import StreakView
from tests.adapters.telegram.conftest import StartTelegram
from tests.factories import bank, open_deck

pytestmark = pytest.mark.timeout(30)

APOLOGY = re.compile(
    r"😕 Sorry, something went wrong on my side\. Please try again in a moment\. "
    r"\(reference ([0-9a-f]{8})\)"
)


def reference(text: str | None) -> str:
    """The reference id of an apology (fails for any other text)."""
    match = APOLOGY.fullmatch(text or "")
    assert match is not None, text
    return match.group(1)


async def test_user_errors_are_shown_as_they_are(
    start_telegram: StartTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    tg = await start_telegram(bank=bank(open_deck("dl", 3)))
    reply = await tg.reply("/quiz <nosuch> 3")
    assert reply.text is not None and reply.text.startswith("Unknown topic '<nosuch>'.")
    assert reply.data["reply_to_message"]["text"] == "/quiz <nosuch> 3"
    nothing = await tg.reply("/answer 42")
    assert nothing.text == "There is no daily question in this chat yet; try /quiz to practise."
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_unexpected_errors_log_a_traceback_and_apologise(
    start_telegram: StartTelegram,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tg = await start_telegram()

    async def broken(user: UserKey, chat: ChatKey | None = None) -> StreakView:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(tg.services.stats, "streak", broken)
    caplog.set_level(logging.INFO, logger="bot.adapters.telegram")
    reply = await tg.reply("/streak")
    ref = reference(reply.text)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is not None
    assert "(message), chat 1001, user 1001, /streak failed" in errors[0].getMessage()
    assert f"[ref {ref}]" in errors[0].getMessage()


async def test_storage_failures_are_not_shown_to_users(
    start_telegram: StartTelegram,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tg = await start_telegram()

    async def broken(user: UserKey, chat: ChatKey | None = None) -> StreakView:
        raise StoreError("database write failed: disk I/O error at /data/prepbot.db")

    monkeypatch.setattr(tg.services.stats, "streak", broken)
    reply = await tg.reply("/streak")
    assert reply.text is not None and "disk I/O" not in reply.text
    ref = reference(reply.text)
    (error,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert error.exc_info is not None and error.exc_info[0] is StoreError
    assert f"[ref {ref}]" in error.getMessage()


async def test_platform_errors_are_one_warning_line(
    start_telegram: StartTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    tg = await start_telegram()
    tg.fake.fail("sendMessage", 400, description="Bad Request: something odd")
    calls = await tg.say("/help", expect=2)
    assert [c.status for c in calls] == [400, 200]
    ref = reference(tg.fake.message_for(calls[1]).text)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and warnings[0].exc_info is None
    assert "/help: BadRequest: Something odd" in warnings[0].getMessage()
    assert f"[ref {ref}]" in warnings[0].getMessage()
    assert "123:TEST" not in caplog.text  # the token never reaches the logs


async def test_a_press_that_fails_names_the_presser_in_a_group(
    start_telegram: StartTelegram,
) -> None:
    tg = await start_telegram(bank=bank(open_deck("dl", 2)))
    question = await tg.reply("/quiz dl 1", chat=tg.group, user=tg.bob)
    await tg.reply("/stop", chat=tg.group, user=tg.bob)
    mark = tg.fake.mark()
    tg.fake.press_button(question, text="⏭ Skip", user=tg.bob)
    answered = await tg.fake.wait_for_call("answerCallbackQuery", since=mark)
    assert "text" not in answered.params  # acknowledged first, plainly
    error = tg.fake.message_for(await tg.fake.wait_for_call("sendMessage", since=mark))
    assert error.text == "Bob: That quiz is over; start a new one with /quiz."
