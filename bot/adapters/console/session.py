"""An interactive practice session in the terminal, driven through text streams.

A line starting with `/` and a command name is a command, at any time: typed in the
middle of an answer, it sends the answer first. How answers end (an empty line, a code
fence, `.` or `/send`, Esc-Enter on a terminal) is up to the reader (see `reader`).
Ctrl-D or the end of input ends the session (exit 0), Ctrl-C too (exit 130); any answer
already typed is sent first, so nothing answered is lost. On an in-memory database
(`keeps_answers=False`) the session says at the start and at the end that nothing is kept.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from bot.adapters.console import render
from bot.adapters.console.interview import ConsoleInterview
from bot.adapters.console.reader import Reader, is_command, reader_for
from bot.adapters.deckcommands import parse_deck
from bot.adapters.textcommands import choice_from_text
from bot.domain.choices import LETTERS
from bot.domain.leaderboard import Period
from bot.domain.models import AnswerKind, ChatKey, UserKey
from bot.domain.views import QuestionView
from bot.errors import Command, InvalidInputError
from bot.presentation import decks as deck_words
from bot.presentation import helptext, wording
from bot.presentation.charts import stats_png
from bot.presentation.commands import command
from bot.presentation.failures import tell_user
from bot.presentation.notices import CHART_WEEK_ONLY
from bot.presentation.week_chart import week_png
from bot.services import Services
from bot.services.leaderboard import parse_period
from bot.services.results import AnswerResult, RevealResult

log = logging.getLogger(__name__)

PLATFORM = "console"
PICTURE = "prepbot-stats.png"  # /stats --png without a path: in the working directory
WEEK_PICTURE = "prepbot-week.png"  # /leaderboard week chart without a path: likewise
INTERRUPTED = 130  # the shell's code for a program ended by Ctrl-C (128 + SIGINT)
@dataclass
class _Current:
    """What an answer typed now would answer."""

    kind: AnswerKind
    view: QuestionView
    post_id: int | None = None
    quiz_session: int | None = None


@dataclass(frozen=True)
class _Rateable:
    """The question `/rate` acts on: the last one answered or revealed."""

    item_id: str
    question: str


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
        reader: Reader | None = None,
        keeps_answers: bool = True,
    ) -> None:
        self.services = services
        self.keeps_answers = keeps_answers
        self.reader = reader or reader_for(stdin)
        self.console = Console(file=stdout, width=width, highlight=False, soft_wrap=False)
        name = user_id or _local_user()
        self.user = UserKey(PLATFORM, name)
        self.chat = ChatKey(PLATFORM, name)
        self.current: _Current | None = None
        self.rateable: _Rateable | None = None
        # The quiz question (session, position) answered last: /reveal shows it, so asking
        # for the answer just graded never forfeits the next question's points.
        self.answered_quiz: tuple[int, int] | None = None
        self._running = True
        self.interview = ConsoleInterview(services, self.user, self.chat, self.print)
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
            "leaderboard": self._leaderboard,
            "topics": self._topics,
            "timezone": self._timezone,
            "report": self._report,
            "send": self._send,
            "interview": self.interview.command,
            "deck": self._deck,
        }

    async def run(self) -> int:
        """Run until /quit or the end of input (0), or Ctrl-C (130)."""
        await self.services.users.ensure_user(self.user, self.user.user_id)
        await self.services.users.ensure_chat(self.chat, None, "console")
        self.print(render.M.fill(
            wording.console_started(), name="[bold]prepbot[/]", help=command(Command.HELP)
        ))
        if not self.keeps_answers:
            self.print(f"[yellow]{escape(wording.not_kept_notice())}[/]")
        await self._daily("")
        await self.interview.resume()
        code = 0
        try:
            while self._running:
                choice = bool(self.current and self.current.view.options)
                text = await self.reader.read(choice=choice)
                if text is None:  # Ctrl-D or the end of input
                    break
                await self.handle_text(text)
        except (KeyboardInterrupt, asyncio.CancelledError):
            code = INTERRUPTED
            self.print("")
            unsent = self.reader.unsent()
            if unsent.strip():
                await self.handle_text(unsent)
        self.print(escape(wording.bye(self.keeps_answers)))
        return code

    def print(self, *renderables: object) -> None:
        self.console.print(*renderables)

    async def handle_text(self, text: str) -> None:
        """One submission: answer lines, sent as one answer, and command lines in order
        (a command under answer text sends the answer first)."""
        answer: list[str] = []
        for line in text.split("\n"):
            if not is_command(line):
                answer.append(line)
                continue
            if "\n".join(answer).strip():
                await self._submit("\n".join(answer))
            answer.clear()
            await self._command(line.strip())
            if not self._running:
                return
        if "\n".join(answer).strip():
            await self._submit("\n".join(answer))

    async def _command(self, line: str) -> None:
        name, _, args = line[1:].partition(" ")
        handler = self._commands.get(name.lower())
        if handler is None:
            self.print(render.unknown_command(f"/{name}"))
            return
        try:
            await handler(args.strip())
        except Exception as exc:
            self._fail(exc, f"/{name.lower()}")

    def _fail(self, error: Exception, where: str) -> None:
        """Say what failed by the shared rule (`bot.presentation.failures`): a user error as it is,
        anything else an apology with the reference id that its ERROR log line carries."""
        self.print(f"[red]{escape(tell_user(error, where, logger=log).text)}[/]")

    # --- answering --------------------------------------------------------------------
    async def _submit(self, text: str) -> None:
        text = text.strip()
        try:
            if await self.interview.take(text):
                return
        except Exception as exc:
            self._fail(exc, "interview")
            return
        current = self.current
        if current is None:
            self.print(escape(wording.nothing_to_answer(*_practice())))
            return
        picked: int | None = None
        if current.view.options:
            picked = choice_from_text(text, len(current.view.options))
            if picked is None:
                self.print(escape(wording.choose_option(LETTERS[len(current.view.options) - 1])))
                return
        try:
            result = await self._answer(current, None if picked else text, picked)
        except Exception as exc:
            self._fail(exc, "answer")
            return
        self.rateable = _Rateable(result.item_id, current.view.question)
        if current.quiz_session is not None and current.view.position is not None:
            self.answered_quiz = (current.quiz_session, current.view.position)
        self.print(render.feedback(result))
        self._after(result)

    async def _answer(
        self, current: _Current, text: str | None, choice: int | None
    ) -> AnswerResult:
        answers = self.services.answers
        if current.kind is AnswerKind.QUIZ:
            return await self.services.quizzes.answer(
                self.user, self.chat, text, choice=choice,
                session_id=current.quiz_session, position=current.view.position,
            )
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
            session = self.current.quiz_session if self.current else None
            self._show(
                _Current(AnswerKind.QUIZ, result.next_question, quiz_session=session),
                wording.quiz_title(),
            )
        elif self.current and self.current.kind is AnswerKind.REVIEW:
            self.current = None
            self.print(render.M.quiet(escape(wording.next_card_hint(command(Command.REVIEW)))))

    def _show(self, current: _Current, heading: str) -> None:
        if self.answered_quiz and current.quiz_session != self.answered_quiz[0]:
            self.answered_quiz = None
        self.current = current
        self.print(render.question(current.view, heading))

    # --- commands ---------------------------------------------------------------------
    async def _help(self, _: str) -> None:
        cap = self.services.answers.recorder.cap
        self.print(
            render.help_table(
                helptext.console_commands(stats_png=PICTURE, week_png=WEEK_PICTURE),
                helptext.console_answering(),
                wording.points_rule(cap),
                wording.freeze_rule(),
                helptext.grading_mode(self.services.answers.slow_grading),
            )
        )

    async def _quit(self, _: str) -> None:
        self._running = False

    async def _send(self, _: str) -> None:
        self.print(escape(wording.nothing_to_send()))

    async def _daily(self, _: str) -> None:
        daily = await self.services.daily.today(self.chat)
        heading = wording.question_of_the_day(f"{daily.local_date:%Y-%m-%d}")
        self._show(_Current(AnswerKind.DAILY, daily.question, daily.post_id), heading)

    async def _quiz(self, args: str) -> None:
        topic, count, difficulty = self.services.quizzes.parse_args(args.split())
        quizzes = self.services.quizzes
        started = await quizzes.start(self.user, self.chat, topic, count, difficulty)
        if started.conflict is not None:
            # One quiz at a time: ask to end the running one rather than drop it silently.
            info = started.conflict
            quiz = command(Command.QUIZ)
            self.print(escape(wording.quiz_running(info.answered, info.total, "/stop", quiz)))
            current = await quizzes.current(self.user, self.chat)
            if current is not None:
                self._show(_Current(AnswerKind.QUIZ, current), wording.quiz_title())
            return
        if started.total < started.requested:
            self.print(escape(wording.only_some_match(started.total)))
        if started.question is not None:
            self._show(
                _Current(AnswerKind.QUIZ, started.question, quiz_session=started.session_id),
                wording.quiz_title(),
            )

    async def _review(self, _: str) -> None:
        prompt = await self.services.reviews.next(self.user, self.chat)
        if prompt.question is None:
            self.print(render.no_reviews(prompt.next_due))
            return
        self._show(_Current(AnswerKind.REVIEW, prompt.question), wording.review_title(prompt.due))

    async def _reveal(self, _: str) -> None:
        current = self.current
        reveals = self.services.reveals
        if self.answered_quiz is not None and (current is None or current.kind is AnswerKind.QUIZ):
            result = await reveals.reveal(self.user, self.chat, quiz=self.answered_quiz)
            self._revealed(result)
            return
        if current is None:
            self.print(escape(wording.nothing_to_reveal(*_practice())))
            return
        if current.kind is AnswerKind.REVIEW:
            result = await reveals.reveal(self.user, self.chat, item_id=current.view.item_id)
        elif current.kind is AnswerKind.DAILY:
            result = await reveals.reveal(self.user, self.chat, post_id=current.post_id)
        else:
            result = await reveals.reveal(self.user, self.chat)
        self._revealed(result)

    def _revealed(self, result: RevealResult) -> None:
        self.rateable = _Rateable(result.item_id, result.question)
        self.print(render.about(result.item_id, result.question, wording.answer_to()))
        for part in render.reveal(result):
            self.print(part)

    async def _rate(self, args: str) -> None:
        rateable = self.rateable
        if rateable is None:
            self.print(escape(wording.nothing_to_rate(command(Command.REVEAL))))
            return
        if not args:
            self.print(render.about(rateable.item_id, rateable.question, wording.rate_which()))
            self.print(escape(wording.rate_usage()))
            return
        rated = await self.services.reviews.rate(self.user, rateable.item_id, args, self.chat)
        verb = wording.rated_which(rated.rating)
        self.print(render.about(rateable.item_id, rateable.question, verb))
        self.print(escape(wording.next_review_at(render.when(rated.due))))

    async def _skip(self, _: str) -> None:
        current = self.current
        step = await self.services.quizzes.skip(self.user, self.chat)
        self.print(wording.skipped(render.M, render.M.content(step.skipped.question)))
        session = current.quiz_session if current else None
        if session is not None and current is not None and current.view.position is not None:
            self.answered_quiz = (session, current.view.position)  # a skipped one may be shown
        if step.summary is not None:
            self.print(render.summary(step.summary))
            self.current = None
        elif step.next_question is not None:
            self._show(
                _Current(AnswerKind.QUIZ, step.next_question, quiz_session=session),
                wording.quiz_title(),
            )

    async def _stop(self, _: str) -> None:
        self.print(render.summary(await self.services.quizzes.stop(self.user, self.chat)))
        self.current = None

    async def _streak(self, _: str) -> None:
        self.print(render.streak(await self.services.stats.streak(self.user, self.chat)))
        self.print(render.M.quiet(escape(wording.freeze_rule())))

    async def _stats(self, args: str) -> None:
        """`/stats`, or `/stats --png [PATH]`: the text, and the picture written to PATH."""
        words = args.split(maxsplit=1)
        if not words or words[0] != "--png":
            self.print(render.stats(await self.services.stats.stats(self.user, self.chat)))
            return
        card = await self.services.stats.card(self.user, self.chat)
        self.print(render.stats(card.view))
        self.print(wording.stats_card_line(card, render.M))
        await self._write_picture(await stats_png(card), words[1] if len(words) > 1 else PICTURE)

    async def _leaderboard(self, args: str) -> None:
        """`/leaderboard [week|month|all]`, or `/leaderboard week chart [--png [PATH]]`: the
        board, and the week's picture written to PATH."""
        words = args.lower().split()
        path, png = WEEK_PICTURE, "--png" in words
        if png:
            at = words.index("--png")
            if at + 1 < len(words):
                path = args.split()[at + 1]  # as typed: paths keep their case
            del words[at : at + 2]
        chart = png or "chart" in words
        period = parse_period(next((word for word in words if word != "chart"), None))
        boards = self.services.leaderboards
        if not chart:
            self.print(render.leaderboard(await boards.leaderboard(self.chat, self.user, period)))
            return
        if period is not Period.WEEK:
            raise InvalidInputError(CHART_WEEK_ONLY)
        week = await boards.week_chart(self.chat, self.user)
        self.print(render.leaderboard(week.board))
        await self._write_picture(await week_png(week), path)

    async def _write_picture(self, png: bytes | None, where: str) -> None:
        """Write a picture to `where` and say so (or why not)."""
        if png is None:
            self.print(render.M.quiet(escape(wording.picture_failed())))
            return
        path = Path(where).expanduser().resolve()
        try:
            await asyncio.to_thread(path.write_bytes, png)
        except OSError as exc:
            self.print(escape(wording.picture_not_written(str(path), exc.strerror or str(exc))))
            return
        self.print(escape(wording.picture_written(str(path))))

    async def _topics(self, _: str) -> None:
        self.print(render.topics(await self.services.decks.topics(self.chat)))

    async def _deck(self, args: str) -> None:
        """The console user owns the console's decks: `/deck add PATH` reads a local file."""
        request = parse_deck(args)
        decks = self.services.decks
        M = render.M
        if request.action == "add" and request.argument:
            path = Path(request.argument).expanduser()
            try:
                data = path.read_bytes()
            except OSError as exc:
                reason = exc.strerror or str(exc)
                self.print(f"[red]{escape(deck_words.file_not_read(str(path), reason))}[/]")
                return
            added = await decks.add(
                self.user, self.chat, data, path.name, request.format, admin=True
            )
            self.print(deck_words.deck_added(M, added, f"/quiz {added.info.id}"))
        elif request.action == "list":
            self.print(deck_words.deck_list(M, await decks.list(self.chat)))
        elif request.action == "show" and request.argument:
            self.print(deck_words.deck_show(M, await decks.show(self.chat, request.argument)))
        elif request.action == "remove" and request.argument:
            removal = await decks.remove(
                self.user, self.chat, request.argument, admin=True, confirmed=False
            )
            again = f"/deck remove {removal.info.id}"
            self.print(deck_words.deck_removal(M, removal, again))
        elif request.action == "export" and request.argument:
            exported = await decks.export(self.chat, request.argument)
            self.print(deck_words.deck_exported(M, exported.filename.removesuffix(".yaml")))
            self.console.print(exported.text, markup=False, highlight=False)
        else:
            self.print(escape(deck_words.deck_usage(
                "/deck add PATH [format:csv]", "/deck list, show ID, remove ID, export ID"
            )))

    async def _timezone(self, args: str) -> None:
        users = self.services.users
        result = (
            await users.set_timezone(self.user, args, self.chat)
            if args
            else await users.timezone(self.user, self.chat)
        )
        self.print(wording.timezone(result, render.M))

    async def _report(self, args: str) -> None:
        first, _, rest = args.partition(" ")
        if first and self.services.data.bank.item(first) is not None:
            item_id, reason = first, rest
        elif self.current is not None:
            item_id, reason = self.current.view.item_id, args
        elif self.rateable is not None:
            item_id, reason = self.rateable.item_id, args
        else:
            self.print(escape(wording.which_question(command(Command.REPORT))))
            return
        if not reason.strip():
            self.print(escape(wording.report_what(command(Command.REPORT_REPLY))))
            return
        report = await self.services.data.report(self.user, item_id, reason)
        self.print(
            render.M.fill(wording.report_recorded(), number=str(report.id), id=escape(item_id))
        )


def _practice() -> tuple[str, str, str]:
    """Where practice starts: /daily, /quiz and /review."""
    return command(Command.DAILY), command(Command.QUIZ), command(Command.REVIEW)


def _local_user() -> str:
    try:
        return getpass.getuser() or "local"
    except (KeyError, OSError):
        return "local"
