"""The answer path and the typed commands, fed hostile text through the console session
(the same services the chat adapters use): user errors are told, nothing is an apology
(an apology is an unexpected exception, logged at ERROR)."""

from __future__ import annotations

import asyncio
import io
import logging

import pytest
from fsrs import Scheduler
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.console import ConsoleSession
from bot.domain.models import UserKey
from bot.errors import InvalidInputError
from bot.grading.lexical import LexicalGrader
from bot.services import Services, build_services
from bot.storage.memory import MemoryStore
from tests.factories import FakeClock, standard_bank
from tests.hostile.strategies import hostile_args, hostile_text, short_text

COMMANDS = (
    "quiz", "rate", "timezone", "report", "stats", "skip", "stop", "reveal", "review", "daily",
    "streak", "topics", "help",
)
HYPOTHESIS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def make_services() -> Services:
    return build_services(
        MemoryStore(), standard_bank(), FakeClock(), LexicalGrader(),
        scheduler=Scheduler(enable_fuzzing=False),
    )


async def started(services: Services) -> tuple[ConsoleSession, io.StringIO]:
    out = io.StringIO()
    session = ConsoleSession(services, io.StringIO(""), out, user_id="fuzz", width=120)
    await services.users.ensure_user(session.user, "fuzz")
    await services.users.ensure_chat(session.chat, None, "console")
    return session, out


typed_line = st.one_of(
    hostile_text,
    st.builds(
        lambda name, args: " ".join([f"/{name}", *args]), st.sampled_from(COMMANDS), hostile_args
    ),
)


@HYPOTHESIS
@given(st.lists(typed_line, min_size=1, max_size=6))
def test_hostile_lines_are_answered_never_apologised_for(
    caplog: pytest.LogCaptureFixture, lines: list[str]
) -> None:
    async def run() -> str:
        session, out = await started(make_services())
        for opener in ("/daily", "/quiz 3", "/review"):
            await session.handle_text(opener)
            for line in lines:
                await session.handle_text(line)
        return out.getvalue()

    caplog.clear()
    with caplog.at_level(logging.ERROR):
        output = asyncio.run(run())
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]
    assert output


@HYPOTHESIS
@given(hostile_text)
def test_forget_with_any_code_is_a_user_error(code: str) -> None:
    async def run() -> None:
        services = make_services()
        user = UserKey("telegram", "1001")
        await services.data.request_forget(user)
        with pytest.raises(InvalidInputError):
            await services.data.confirm_forget(user, code)

    asyncio.run(run())


@HYPOTHESIS
@given(hostile_args, short_text)
def test_quiz_arguments_parse_or_refuse(args: list[str], extra: str) -> None:
    services = make_services()
    try:
        _topic, count, _difficulty = services.quizzes.parse_args([*args, extra])
    except InvalidInputError:
        return
    assert count is None or 1 <= count <= 20
