"""The console follows the shared error rule: user errors shown, failures an apology."""

from __future__ import annotations

import io
import logging
import re

import pytest
from fsrs import Scheduler

from bot.adapters.console import ConsoleSession
from bot.domain.models import ChatKey, UserKey
from bot.errors import StoreError
from bot.grading.lexical import LexicalGrader
from bot.services import build_services
from bot.services.results import StreakView
from bot.storage.memory import MemoryStore
from tests.factories import FakeClock, bank, open_deck

REFERENCE = re.compile(r"Sorry, something went wrong on my side\. .*\(reference ([0-9a-f]{8})\)")


async def test_failures_are_an_apology_with_the_logged_reference(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = build_services(
        MemoryStore(), bank(open_deck("dl", 3)), FakeClock(), LexicalGrader(),
        scheduler=Scheduler(enable_fuzzing=False),
    )

    async def broken(user: UserKey, chat: ChatKey | None = None) -> StreakView:
        raise StoreError("database write failed: attempt to write a readonly database")

    monkeypatch.setattr(services.stats, "streak", broken)
    out = io.StringIO()
    session = ConsoleSession(
        services, io.StringIO("/quiz nosuchtopic\n/streak\n/quit\n"), out,
        user_id="tester", width=200,
    )
    with caplog.at_level(logging.INFO):
        assert await session.run() == 0
    text = out.getvalue()
    assert "Unknown topic 'nosuchtopic'." in text  # a user error, as it is
    assert "readonly database" not in text
    match = REFERENCE.search(text)
    assert match is not None, text
    (error,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert error.exc_info is not None and error.exc_info[0] is StoreError
    assert f"[ref {match.group(1)}]" in error.getMessage()
