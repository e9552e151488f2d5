"""`make interview-example`: docs/interview-example.txt, a scripted mock interview played
through the real services on the bundled decks (an in-memory store, a hand-moved clock),
written as the console shows it in plain text; the README's example block is refreshed
from it."""

from __future__ import annotations

import asyncio
import io
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from bot.adapters.console import render
from bot.content.bank import load_bank
from bot.content.schema import Item
from bot.domain.models import ChatKey, UserKey
from bot.errors import Command
from bot.grading.lexical import LexicalGrader
from bot.presentation import interview_texts as texts
from bot.presentation.commands import command
from bot.services import build_services
from bot.services.interview import InterviewPrompt, InterviewStep
from bot.storage.memory import MemoryStore

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
START = "<!-- interview-example:start -->"
END = "<!-- interview-example:end -->"
NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
USER = UserKey("console", "demo")
CHAT = ChatKey("console", "demo")
TOPIC = "pmldl-oral"
WIDTH = 100


@dataclass
class _Clock:
    current: datetime

    def now(self) -> datetime:
        return self.current


def _points(item: Item, count: int) -> str:
    """An answer naming the last `count` key points (the first, most important one is the
    one a partial answer leaves out)."""
    return "; ".join(point.text.rstrip(".") for point in item.key_points[-count:]) + "."


async def play() -> list[str]:
    """The round's transcript: prompts, notes and the report."""
    bank = load_bank(ROOT / "content")
    clock = _Clock(NOW)
    services = build_services(MemoryStore(), bank, clock, LexicalGrader())
    interviews = services.interviews
    stop = command(Command.INTERVIEW_STOP)
    m = render.M
    out = [escape(f"> /interview {TOPIC} 4 2"), escape(texts.console_timer_note(2))]

    def show(prompt: InterviewPrompt) -> None:
        out.append("")
        out.extend(texts.prompt_lines(prompt, stop, m))

    started = await interviews.start(USER, CHAT, TOPIC, 4, 2)
    assert started.prompt is not None
    show(started.prompt)
    # Per question: (seconds to wait, how many key points the answer names; 0: a vague
    # answer). A follow-up is answered 40 seconds later with its key point.
    script = [(70, 99), (95, 1), (190, 2), (60, 0)]
    prompt: InterviewPrompt | None = started.prompt
    while prompt is not None:
        item = bank.item(prompt.question.item_id)
        assert item is not None
        if prompt.follow_up is not None:
            clock.current += timedelta(seconds=40)
            text = (prompt.follow_up_point or "").rstrip(".") + "."
        else:
            wait, named = script.pop(0)
            clock.current += timedelta(seconds=wait)
            text = _points(item, named) if named else "I am not sure; something about layers."
        out.append(escape(f"> {text}"))
        step: InterviewStep = await interviews.answer(USER, text)
        if step.note is not None:
            out.append(texts.note_line(step.note, m))
        if step.report is not None:
            out.append("")
            out.append(m.strong(escape(texts.report_title(step.report))))
            review, quiz = command(Command.REVIEW), command(Command.QUIZ)
            out.extend(texts.report_lines(step.report, review, quiz, m))
        prompt = step.prompt
        if prompt is not None:
            show(prompt)
    return out


def refresh_readme(example: str) -> None:
    text = README.read_text(encoding="utf-8")
    block = f"{START}\n```text\n{example}```\n{END}"
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{README}: no {START} ... {END} block to refresh")
    README.write_text(pattern.sub(lambda _m: block, text), encoding="utf-8")


def as_text(lines: list[str]) -> str:
    """The lines as the console prints them (its markers), without colours."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=WIDTH, color_system=None, highlight=False)
    for line in lines:
        console.print(line)
    return "\n".join(row.rstrip() for row in buffer.getvalue().splitlines()) + "\n"


def main(target: Path) -> None:
    example = as_text(asyncio.run(play()))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(example, encoding="utf-8")
    refresh_readme(example)
    print(f"wrote {target} and the README's example", file=sys.stderr)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/interview-example.txt"))
