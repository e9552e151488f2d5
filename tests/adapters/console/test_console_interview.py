"""`/interview` in the console: a scripted round (a follow-up, a late answer, a stop) with
the report checked against the stored answers, and a restart mid-round on a SQLite file."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from fsrs import Scheduler

from bot.adapters.console import ConsoleSession
from bot.app import bootstrap
from bot.config import Settings
from bot.domain.models import UserKey, Verdict, interview_target
from bot.grading.lexical import LexicalGrader
from bot.ports import Store
from bot.services import Services, build_services
from bot.storage import open_store
from tests.factories import GOOD, PARTIAL, FakeClock
from tests.interview_support import FOLLOW_UP, interview_bank

ROOT = Path(__file__).resolve().parents[3]
USER_ID = "tester"
USER = UserKey("console", USER_ID)


class ScriptedReader:
    """Hands the session one submission at a time, moving the clock before each."""

    def __init__(self, clock: FakeClock, steps: Sequence[tuple[timedelta, str]]) -> None:
        self.clock = clock
        self.steps = list(steps)

    async def read(self, *, choice: bool) -> str | None:
        if not self.steps:
            return None
        wait, text = self.steps.pop(0)
        self.clock.advance(seconds=wait.total_seconds())
        return text

    def unsent(self) -> str:
        return ""


def services_on(store: Store, clock: FakeClock) -> Services:
    return build_services(
        store, interview_bank(), clock, LexicalGrader(),
        scheduler=Scheduler(enable_fuzzing=False),
    )


async def play(services: Services, clock: FakeClock, steps: Sequence[tuple[int, str]]) -> str:
    out = io.StringIO()
    reader = ScriptedReader(clock, [(timedelta(seconds=s), text) for s, text in steps])
    session = ConsoleSession(
        services, io.StringIO(""), out, user_id=USER_ID, width=200, reader=reader
    )
    assert await session.run() == 0
    return out.getvalue()


async def test_a_round_with_a_follow_up_a_late_answer_and_a_stop(store: Store) -> None:
    clock = FakeClock()
    services = services_on(store, clock)
    out = await play(
        services,
        clock,
        [
            (0, "/interview attention 3 2"),
            (30, GOOD),
            (150, PARTIAL),  # two and a half minutes: late
            (20, "It comes from gamma."),
            (5, "/interview stop"),
        ],
    )
    assert "Question 1 of 3 · easy · 2 minutes" in out
    assert "the console does not count down" in out
    assert "Question 2 of 3 · medium" in out
    assert "(late: after the time allowed)" in out
    assert "Follow-up on question 2 of 3" in out and FOLLOW_UP in out
    assert "Follow-up noted: that point is covered" in out
    assert "Question 3 of 3 · hard" in out
    assert "Interview stopped" in out

    key = USER
    assert (await services.interviews.current(key)) is None
    count, scores = await store.interview_scores(key, 3)
    assert count == 1
    stopped = await store.get_interview(1)  # the store's only round
    assert stopped is not None and stopped.user == key
    answers = [await store.get_answer(key, interview_target(stopped.id, p)) for p in range(3)]
    one, two, three = answers
    assert one is not None and two is not None and three is None
    assert one.verdict is Verdict.CORRECT and two.verdict is Verdict.PARTIAL
    first = round(100 * one.score)
    second = round(100 * min(1.0, two.score + 0.25))
    overall = round(100 * (one.score + min(1.0, two.score + 0.25)) / 2)
    assert scores == [overall]
    assert f"Overall {overall}/100 · answered 2 of 3 · {one.points + two.points} points" in out
    # The console shows verdicts in capitals.
    assert f"1. correct, {first}/100, 30s" in out.lower()
    assert f"2. partly right, {second}/100, 2m 30s (late)" in out.lower()
    assert "3. not answered, 0/100, -" in out
    assert "Follow-up covered: Uses gamma." in out
    assert "Study next (due now in your reviews):" in out
    assert "dl/medium-1" in out and "dl/hard-1" in out
    stats = await services.stats.stats(key)
    assert stats.interviews == 1 and stats.interview_scores == (overall,)


async def test_a_restart_mid_round_resumes_and_finishes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'prepbot.db'}"
    clock = FakeClock()
    store = await open_store(url)
    try:
        out = await play(
            services_on(store, clock), clock, [(0, "/interview attention 3 2"), (30, GOOD)]
        )
        assert "Question 2 of 3" in out
    finally:
        await store.close()
    clock.advance(hours=1)  # the bot is down for an hour
    store = await open_store(url)
    try:
        services = services_on(store, clock)
        await services.interviews.resume_all()  # as bootstrap does at startup
        out = await play(services, clock, [(40, GOOD), (25, GOOD)])
        assert "Resumed after a restart" in out
        assert "Question 2 of 3" in out and "Question 3 of 3" in out
        assert "Interview over" in out
        assert "answered 3 of 3" in out
        assert re.search(r"2\. correct, \d+/100, 40s", out.lower())  # from the restart, not late
        assert "(late" not in out
    finally:
        await store.close()


async def test_a_restart_through_bootstrap_resumes_the_round(tmp_path: Path) -> None:
    """The composition root resumes running rounds at startup (shipped bank, SQLite)."""
    settings = Settings(
        _env_file=None, database_url=f"sqlite:///{tmp_path / 'prepbot.db'}",
        content_dir=ROOT / "content",
    )
    clock = FakeClock()
    async with bootstrap(settings, clock) as runtime:
        out = await play(runtime.services, clock, [(0, "/interview pmldl-oral 3 1"), (20, "?")])
        assert "Question 2 of 3" in out
    clock.advance(minutes=45)  # down for longer than the round's idle limit: not held against it
    async with bootstrap(settings, clock) as runtime:
        out = await play(runtime.services, clock, [(15, "no idea"), (15, "no idea")])
        assert "Resumed after a restart" in out
        assert "Interview over" in out and "answered 3 of 3" in out
        assert "Interview ended: left idle" not in out
