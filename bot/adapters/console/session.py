"""An interactive practice session in the terminal, driven through text streams.

Lines starting with `/` are commands; anything else is answer text, sent by an empty
line. Standard input closing (Ctrl-D, a pipe ending) or Ctrl-C ends the session after
sending any answer already typed, so nothing answered is lost.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from bot.adapters.console import render
from bot.domain.models import AnswerKind, ChatKey, UserKey
from bot.failures import tell_user
from bot.services import Services
from bot.services.results import AnswerResult, QuestionView

log = logging.getLogger(__name__)

PLATFORM = "console"
HELP = """Commands
  /quiz [topic] [count] [difficulty]  start a quiz (e.g. /quiz transformers 5 medium)
  /review                             answer your due review cards
  /reveal                             show the reference answer (twice: the full one)
  /rate again|hard|good|easy          rate the last question for spaced repetition
  /skip, /stop                        skip a quiz question, stop the quiz
  /daily                              back to today's question
  /streak, /stats, /topics            your streak, your statistics, the topics
  /timezone [Area/City|reset]         show or set your time zone
  /help, /quit                        this list, leave (Ctrl-D works too)
Anything else is an answer; an empty line sends it."""


@dataclass
class _Current:
    """What an answer typed now would answer."""

    kind: AnswerKind
    view: QuestionView
    post_id: int | None = None


class ConsoleSession:
    """One local user practising on the same services the chat adapters use."""

    def __init__(
        self,
        services: Services,
        stdin: TextIO,
        stdout: TextIO,
        *,
        user_id: str | None = None,
        width: int | None = None,
    ) -> None:
        self.services = services
        self.stdin = stdin
        self.console = Console(file=stdout, width=width, highlight=False, soft_wrap=False)
        name = user_id or _local_user()
        self.user = UserKey(PLATFORM, name)
        self.chat = ChatKey(PLATFORM, name)
        self.current: _Current | None = None
        self.last_item: str | None = None
        self._buffer: list[str] = []
        self._running = True
        self._commands: dict[str, Callable[[str], Awaitable[None]]] = {
            "help": self._help,
            "quit": self._quit,
            "exit": self._quit,
            "daily": self._daily,
            "quiz": self._quiz,
            "review": self._review,
            "reveal": self._reveal,
            "rate": self._rate,
            "skip": self._skip,
            "stop": self._stop,
            "streak": self._streak,
            "stats": self._stats,
            "topics": self._topics,
            "timezone": self._timezone,
        }

    async def run(self) -> int:
        """Run until /quit or end of input; returns the exit code."""
        await self.services.users.ensure_user(self.user, self.user.user_id)
        await self.services.users.ensure_chat(self.chat, None, "console")
        self.print("[bold]prepbot practice[/] — /help lists the commands.")
        await self._daily("")
        try:
            while self._running:
                line = await asyncio.to_thread(self.stdin.readline)
                if line == "":  # end of input
                    break
                await self.handle_line(line.rstrip("\r\n"))
        except (KeyboardInterrupt, asyncio.CancelledError):
            self.print("")
        finally:
            if self._buffer:
                await self._submit()
            self.print("Bye — your answers are saved.")
        return 0

    def print(self, *renderables: object) -> None:
        self.console.print(*renderables)

    async def handle_line(self, line: str) -> None:
        """One line of input: a command, a line of answer, or the empty line that sends it."""
        stripped = line.strip()
        if stripped.startswith("/") and not self._buffer:
            name, _, args = stripped[1:].partition(" ")
            handler = self._commands.get(name.lower())
            if handler is None:
                self.print(f"Unknown command /{escape(name)}. Type /help.")
                return
            try:
                await handler(args.strip())
            except Exception as exc:
                self._fail(exc, f"/{name.lower()}")
            return
        if stripped and self.current and self.current.view.options and not self._buffer:
            await self._submit(choice=stripped)
            return
        if stripped:
            self._buffer.append(line)
        elif self._buffer:
            await self._submit()

    def _fail(self, error: Exception, where: str) -> None:
        """Say what failed by the shared rule (`bot.failures`): a user error as it is,
        anything else an apology with the reference id that its ERROR log line carries."""
        self.print(f"[red]{escape(tell_user(error, where, logger=log).text)}[/]")

    # --- answering --------------------------------------------------------------------
    async def _submit(self, choice: str | None = None) -> None:
        text = "\n".join(self._buffer).strip()
        self._buffer.clear()
        current = self.current
        if current is None:
            self.print("Nothing to answer right now: try /quiz or /review.")
            return
        picked: int | None = None
        if choice is not None:
            picked = _choice_number(choice, len(current.view.options))
            if picked is None:
                self.print(f"Choose A-{render.LETTERS[len(current.view.options) - 1]}.")
                return
        try:
            result = await self._answer(current, text if picked is None else None, picked)
        except Exception as exc:
            self._fail(exc, "answer")
            return
        self.last_item = result.item_id
        self.print(render.feedback(result))
        self._after(result)

    async def _answer(
        self, current: _Current, text: str | None, choice: int | None
    ) -> AnswerResult:
        answers = self.services.answers
        if current.kind is AnswerKind.QUIZ:
            return await self.services.quizzes.answer(self.user, self.chat, text, choice=choice)
        if current.kind is AnswerKind.REVIEW:
            return await self.services.reviews.answer(
                self.user, self.chat, current.view.item_id, text, choice=choice
            )
        return await answers.answer_daily(
            self.user, self.chat, text, choice=choice, post_id=current.post_id
        )

    def _after(self, result: AnswerResult) -> None:
        if result.summary is not None:
            self.print(render.summary(result.summary))
            self.current = None
        elif result.next_question is not None:
            self._show(_Current(AnswerKind.QUIZ, result.next_question), "Quiz question")
        elif self.current and self.current.kind is AnswerKind.REVIEW:
            self.current = None
            self.print("[dim]/review for the next card.[/]")

    def _show(self, current: _Current, heading: str) -> None:
        self.current = current
        self.last_item = current.view.item_id
        self.print(render.question(current.view, heading))

    # --- commands ---------------------------------------------------------------------
    async def _help(self, _: str) -> None:
        self.console.print(HELP, markup=False)

    async def _quit(self, _: str) -> None:
        self._running = False

    async def _daily(self, _: str) -> None:
        daily = await self.services.daily.today(self.chat)
        self._show(_Current(AnswerKind.DAILY, daily.question, daily.post_id), "Today's question")

    async def _quiz(self, args: str) -> None:
        topic, count, difficulty = self.services.quizzes.parse_args(args.split())
        quizzes = self.services.quizzes
        started = await quizzes.start(self.user, self.chat, topic, count, difficulty)
        if started.conflict is not None:
            # One quiz at a time: ask to end the running one rather than drop it silently.
            info = started.conflict
            self.print(
                f"A quiz is already running ({info.answered} of {info.total} answered). "
                "Type /stop to end it, then /quiz again."
            )
            current = await quizzes.current(self.user, self.chat)
            if current is not None:
                self._show(_Current(AnswerKind.QUIZ, current), "Quiz question")
            return
        if started.total < started.requested:
            self.print(f"Only {started.total} question(s) match, so the quiz is shorter.")
        if started.question is not None:
            self._show(_Current(AnswerKind.QUIZ, started.question), "Quiz question")

    async def _review(self, _: str) -> None:
        prompt = await self.services.reviews.next(self.user)
        if prompt.question is None:
            when = (
                f" The next is due {prompt.next_due:%Y-%m-%d %H:%M} UTC." if prompt.next_due else ""
            )
            self.print(f"No reviews due.{when}")
            return
        self._show(_Current(AnswerKind.REVIEW, prompt.question), f"Review ({prompt.due} due)")

    async def _reveal(self, _: str) -> None:
        current = self.current
        if current is not None and current.kind is AnswerKind.REVIEW:
            result = await self.services.reveals.reveal(
                self.user, self.chat, item_id=current.view.item_id
            )
        elif current is not None and current.kind is AnswerKind.DAILY:
            result = await self.services.reveals.reveal(
                self.user, self.chat, post_id=current.post_id
            )
        else:
            result = await self.services.reveals.reveal(self.user, self.chat)
        self.last_item = result.item_id
        for part in render.reveal(result):
            self.print(part)

    async def _rate(self, args: str) -> None:
        if self.last_item is None:
            self.print("Answer or reveal a question first.")
            return
        rated = await self.services.reviews.rate(self.user, self.last_item, args or "good")
        self.print(f"Rated {rated.rating}; next review {rated.due:%Y-%m-%d %H:%M} UTC.")

    async def _skip(self, _: str) -> None:
        step = await self.services.quizzes.skip(self.user, self.chat)
        self.print(f"Skipped: {escape(step.skipped.question)}")
        if step.summary is not None:
            self.print(render.summary(step.summary))
            self.current = None
        elif step.next_question is not None:
            self._show(_Current(AnswerKind.QUIZ, step.next_question), "Quiz question")

    async def _stop(self, _: str) -> None:
        self.print(render.summary(await self.services.quizzes.stop(self.user, self.chat)))
        self.current = None

    async def _streak(self, _: str) -> None:
        self.print(render.streak(await self.services.stats.streak(self.user, self.chat)))

    async def _stats(self, _: str) -> None:
        self.print(render.stats(await self.services.stats.stats(self.user, self.chat)))

    async def _topics(self, _: str) -> None:
        for topic in self.services.topics.topics():
            self.print(
                f"  {topic.name:<24} {topic.kind:<4} {topic.items:>3}  "
                f"{escape(topic.description)}"
            )

    async def _timezone(self, args: str) -> None:
        users = self.services.users
        result = (
            await users.set_timezone(self.user, args, self.chat)
            if args
            else await users.timezone(self.user, self.chat)
        )
        self.print(f"Time zone: {result.effective}" + ("" if result.own else " (default)"))


def _choice_number(text: str, count: int) -> int | None:
    """`B`, `b)` or `2` -> 2 (the services number options from 1)."""
    text = text.strip().upper().rstrip(").")
    if len(text) == 1 and text in render.LETTERS[:count]:
        return render.LETTERS.index(text) + 1
    if text.isdigit() and 1 <= int(text) <= count:
        return int(text)
    return None


def _local_user() -> str:
    try:
        return getpass.getuser() or "local"
    except (KeyError, OSError):
        return "local"
