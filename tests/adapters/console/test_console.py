"""The console practice mode, driven through its input and output streams on both stores."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

from fsrs import Scheduler

from bot.adapters.console import ConsoleSession
from bot.content.bank import Bank
from bot.domain.models import UserKey
from bot.grading.lexical import LexicalGrader
from bot.ports import Store
from bot.services import Services, build_services
from tests.factories import GOOD, FakeClock, bank, deck, open_deck, open_item, standard_bank

ROOT = Path(__file__).resolve().parents[3]
USER = UserKey("console", "tester")


def make_services(
    store: Store, the_bank: Bank | None = None, clock: FakeClock | None = None
) -> Services:
    """Open questions only by default, so today's question takes free text."""
    return build_services(
        store,
        the_bank or bank(open_deck("dl", 6)),
        clock or FakeClock(),
        LexicalGrader(),
        scheduler=Scheduler(enable_fuzzing=False),
    )


async def run_console(services: Services, text: str) -> tuple[int, str]:
    out = io.StringIO()
    session = ConsoleSession(services, io.StringIO(text), out, user_id="tester", width=200)
    code = await session.run()
    return code, out.getvalue()


async def test_answer_feedback_reveal_and_rating(store: Store) -> None:
    services = make_services(store)
    code, out = await run_console(
        services, f"{GOOD}\nand more words\n\n/reveal\n/reveal\n/rate good\n/quit\n"
    )
    assert code == 0
    assert "Question of the day" in out
    assert "CORRECT" in out
    assert "✓ Uses alpha." in out
    assert "Short answer:" in out
    assert "Key points" in out
    assert "Rated good" in out
    stats = await services.stats.stats(USER)
    assert stats.answered == 1


async def test_closed_input_sends_the_typed_answer(store: Store) -> None:
    services = make_services(store)
    code, out = await run_console(services, f"{GOOD}\n")  # no empty line, then EOF
    assert code == 0
    assert "CORRECT" in out
    assert "your answers are saved" in out
    assert (await services.stats.stats(USER)).answered == 1


class _Interrupted:
    """A reader whose user typed an answer and pressed Ctrl-C before sending it."""

    def __init__(self, typed: str) -> None:
        self.typed = typed

    async def read(self, *, choice: bool) -> str | None:
        raise KeyboardInterrupt

    def unsent(self) -> str:
        typed, self.typed = self.typed, ""
        return typed


async def test_ctrl_c_sends_the_typed_answer_and_exits_130(store: Store) -> None:
    services = make_services(store)
    out = io.StringIO()
    session = ConsoleSession(
        services, io.StringIO(), out, user_id="tester", reader=_Interrupted(GOOD)
    )
    assert await session.run() == 130
    assert "· score" in out.getvalue() and "your answers are saved" in out.getvalue()
    assert (await services.stats.stats(USER)).answered == 1


async def test_quiz_skip_stop_and_summary(store: Store) -> None:
    services = make_services(store)
    code, out = await run_console(services, f"/quiz dl 2\n{GOOD}\n\n/skip\n/quit\n")
    assert code == 0
    assert "Quiz 1/2" in out
    assert "Quiz 2/2" in out
    assert "Quiz finished: 1 correct, 0 partial, 0 incorrect, 1 skipped of 2" in out


async def test_second_quiz_asks_to_end_the_first(store: Store) -> None:
    services = make_services(store)
    _, out = await run_console(services, f"/quiz dl 3\n{GOOD}\n\n/quiz dl 2\n/stop\n/quiz dl 2\n")
    assert "A quiz is already running (1 of 3 answered). Type /stop to end it" in out
    assert out.count("Quiz 2/3") == 2  # the running quiz's question, shown again
    assert "Quiz stopped: 1 correct, 0 partial, 0 incorrect, 0 skipped of 3" in out
    assert "Quiz 1/2" in out  # after /stop a new quiz starts


async def test_review_serves_due_cards(store: Store) -> None:
    clock = FakeClock()
    services = make_services(store, clock=clock)
    _, out = await run_console(services, f"/review\n{GOOD}\n\n/review\n")
    assert "No review cards yet: answer a few questions first (/quiz or /daily)." in out
    assert "No reviews due. The next card is due" in out
    clock.advance(days=60)
    _, out = await run_console(services, f"/review\n{GOOD}\n\n")
    assert "Review · 1 due" in out
    assert "CORRECT" in out
    assert "/review for the next card." in out


async def test_choice_items_take_a_letter(store: Store) -> None:
    services = make_services(store, standard_bank())
    _, out = await run_console(services, "/quiz cards 6\nZ\nA\n/stop\n")
    assert " A) " in out
    assert "Choose A-" in out  # Z is not an option: a helpful reply, nothing recorded
    assert "Quiz stopped" in out
    assert (await services.stats.stats(USER)).answered == 1


async def test_bad_commands_get_helpful_replies(store: Store) -> None:
    services = make_services(store)
    code, out = await run_console(
        services, "/bogus\n/quiz nosuchtopic\n/timezone Mars/Base\n/timezone Asia/Kolkata\n/help\n"
    )
    assert code == 0
    assert "I don't know /bogus" in out
    assert "Unknown topic 'nosuchtopic'" in out
    assert "Unknown time zone" in out
    assert "Your time zone: Asia/Kolkata" in out
    assert "/quiz [topic] [count] [difficulty]" in out
    assert "/deck add PATH [format:NAME]" in out and "/deck list|show ID|export ID" in out


async def test_maths_is_rendered_readably(store: Store) -> None:
    item = open_item("m/q01").model_copy(
        update={"answer": "Scale the kept units by $\\frac{1}{1-p}$ during training."}
    )
    services = make_services(store, bank(deck("m", [item])))
    _, out = await run_console(services, "/reveal\n/reveal\n")
    assert "1/(1-p)" in out
    assert "\\frac" not in out


async def test_streak_and_stats_commands(store: Store) -> None:
    services = make_services(store)
    _, out = await run_console(services, f"{GOOD}\n\n/streak\n/stats\n/topics\n")
    assert "Streak: 1 day, best 1" in out
    assert "Answered 1, accuracy 100%" in out
    assert "dl" in out and "deck" in out


async def test_stats_png_writes_the_picture(store: Store, tmp_path: Path) -> None:
    services = make_services(store)
    target = tmp_path / "me.png"
    _, out = await run_console(services, f"{GOOD}\n\n/stats --png {target}\n")
    assert "Answered 1, accuracy 100%" in out
    assert "Points in all" in out
    assert f"Picture written to {target}" in out.replace("\n", "")
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The path is not writable: the text still comes, with the reason.
    _, out = await run_console(services, f"/stats --png {tmp_path / 'no' / 'x.png'}\n")
    assert "Answered 1" in out and "Could not write the picture" in out


def run_prepbot(
    tmp_path: Path, args: list[str], token: str = ""
) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` on a fresh database with standard input already closed."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_BOT_TOKEN")} | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
        "CONTENT_DIR": str(ROOT / "content"),
        "DISCORD_BOT_TOKEN": "",
        "TELEGRAM_BOT_TOKEN": token,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=env,
        check=False,
    )


def test_prepbot_without_tokens_starts_the_console_and_exits_on_closed_stdin(
    tmp_path: Path,
) -> None:
    done = run_prepbot(tmp_path, [])
    assert done.returncode == 0, done.stderr
    assert "Question of the day" in done.stdout
    assert (tmp_path / "p.db").exists()


def test_practice_runs_the_console_even_with_a_token(tmp_path: Path) -> None:
    # A token that would fail at Telegram: practice never connects, so it cannot matter.
    done = run_prepbot(tmp_path, ["practice"], token="123456:not-a-real-token")
    assert done.returncode == 0, done.stderr
    assert "prepbot practice" in done.stdout and "Question of the day" in done.stdout
    assert "your answers are saved" in done.stdout


async def test_reveal_after_a_quiz_answer_shows_that_question_and_keeps_the_next(
    store: Store,
) -> None:
    services = make_services(store)
    _, out = await run_console(services, f"/quiz dl 2\n{GOOD}\n\n/reveal\n{GOOD}\n\n/quit\n")
    first = re.search(r"Quiz 1/2.*?\[(dl/q\d+)\]", out, re.S)
    reveal = re.search(r"Answer to .*?\[(dl/q\d+)\]", out, re.S)
    assert first and reveal and reveal.group(1) == first.group(1)  # question 1, not 2
    assert "forfeit" not in out.lower()
    assert out.count("+10 points") == 2  # question 2 still earns its points
