"""`/interview` in the console: a round runs in the session; plain text answers it."""

from __future__ import annotations

import logging
from collections.abc import Callable

from rich.markup import escape

from bot.adapters.console import render
from bot.domain.models import ChatKey, UserKey
from bot.errors import Command
from bot.presentation import interview_texts as texts
from bot.presentation.commands import command
from bot.services import Services
from bot.services.interview import InterviewPrompt, InterviewReport, InterviewStep

log = logging.getLogger(__name__)


class ConsoleInterview:
    """The session's interview part; `take` answers while a round runs."""

    def __init__(
        self,
        services: Services,
        user: UserKey,
        chat: ChatKey,
        say: Callable[[str], None],
    ) -> None:
        self.services = services
        self.user = user
        self.chat = chat
        self.say = say
        self.active = False

    @property
    def _stop(self) -> str:
        return command(Command.INTERVIEW_STOP)

    async def resume(self) -> None:
        """Show a round left running (a restart resumed it) so the learner can go on."""
        prompt = await self.services.interviews.current(self.user)
        if prompt is not None and prompt.round_id:
            self.active = True
            self._prompt(prompt)

    async def command(self, args: str) -> None:
        interviews = self.services.interviews
        parsed = interviews.parse_args(args.split())
        if parsed.stop:
            self.active = False
            self._report(await interviews.stop(self.user))
            return
        started = await interviews.start(
            self.user, self.chat, parsed.topic, parsed.questions, parsed.minutes
        )
        if started.expired is not None:
            self._report(started.expired)
        if started.conflict is not None:
            self.active = True
            self.say(escape(texts.interview_running(
                started.conflict.position, started.conflict.total, self._stop
            )))
            self._prompt(started.conflict)
            return
        prompt = started.prompt
        assert prompt is not None
        self.active = True
        if prompt.total < started.requested:
            self.say(escape(texts.only_some_questions(prompt.total)))
        self.say(render.M.quiet(escape(texts.console_timer_note(prompt.minutes))))
        self._prompt(prompt)

    async def take(self, text: str) -> bool:
        """Answer the round with `text` when one runs; False when none does."""
        if not self.active:
            return False
        if not await self.services.interviews.running(self.user):
            self.active = False
            return False
        self._step(await self.services.interviews.answer(self.user, text))
        return True

    def _step(self, step: InterviewStep) -> None:
        if step.note is not None:
            self.say(texts.note_line(step.note, render.M))
        if step.report is not None:
            self.active = False
            self._report(step.report)
        elif step.prompt is not None:
            self._prompt(step.prompt)

    def _prompt(self, prompt: InterviewPrompt) -> None:
        self.say("")
        for line in texts.prompt_lines(prompt, self._stop, render.M):
            self.say(line)

    def _report(self, report: InterviewReport) -> None:
        self.say("")
        self.say(render.M.strong(escape(texts.report_title(report))))
        review, quiz = command(Command.REVIEW), command(Command.QUIZ)
        for line in texts.report_lines(report, review, quiz, render.M):
            self.say(line)
