"""`/interview` on Telegram: rounds run in the private chat with the bot. In a group the
command answers with a deep link (`/start interview...`) that opens the private chat and
starts the round there. Plain text in the private chat answers a running round; the
question message is edited once at one minute left."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable

from telegram import Bot, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.adapters.telegram import render
from bot.adapters.telegram.context import PLATFORM, AdapterContext, Who, identify
from bot.adapters.telegram.formatting import pack
from bot.adapters.telegram.sending import send_parts
from bot.errors import Command, DeliveryError
from bot.presentation import interview_texts as texts
from bot.presentation.commands import command
from bot.services.interview import InterviewPrompt, InterviewReport, InterviewStep

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
PAYLOAD = "interview"
# A deep-link payload is 1-64 characters of A-Z, a-z, 0-9, _ and -.
_PAYLOAD_WORD = re.compile(r"[A-Za-z0-9-]+")
_PAYLOAD_MAX = 64
REMINDER_POLL_SECONDS = 1.0


def payload_for(args: list[str]) -> str:
    """`interview_<topic>_<questions>_<minutes>`: the group's arguments carried over the
    deep link when they fit, else plain `interview`."""
    if all(_PAYLOAD_WORD.fullmatch(arg) for arg in args):
        payload = "_".join([PAYLOAD, *args])
        if len(payload) <= _PAYLOAD_MAX:
            return payload
    return PAYLOAD


def args_of(payload: str) -> list[str] | None:
    """The arguments a deep-link payload carries, or None when it is not an interview's."""
    if payload != PAYLOAD and not payload.startswith(PAYLOAD + "_"):
        return None
    return [part for part in payload.split("_")[1:] if part]


class InterviewFlow:
    """Handlers for /interview, /start interview... and answers in the private chat."""

    def __init__(
        self,
        context: AdapterContext,
        bot: Bot,
        start: Callable[[Update, Context], Awaitable[None]],
    ) -> None:
        self.context = context
        self.bot = bot
        self.services = context.services
        self._start = start
        self._reminders: set[asyncio.Task[None]] = set()

    @property
    def _stop(self) -> str:
        return command(Command.INTERVIEW_STOP)

    async def start(self, update: Update, context: Context) -> None:
        """/start: an interview payload starts a round; anything else is the usual welcome."""
        args = args_of((context.args or [""])[0])
        if args is None:
            await self._start(update, context)
            return
        found = await self._who(update)
        if found is not None and found[0].private:
            await self._begin(*found, args)
        elif found is not None:
            await self._start(update, context)

    async def command(self, update: Update, context: Context) -> None:
        """/interview [topic] [questions] [minutes] | stop."""
        found = await self._who(update)
        if found is None:
            return
        who, message = found
        args = list(context.args or [])
        interviews = self.services.interviews
        parsed = interviews.parse_args(args)  # a mistake is said where it was made
        if parsed.stop:
            report = await interviews.stop(who.user)
            # The report goes where the round ran (the private chat), never to a group.
            here = report.chat == who.chat
            await self._report(who, report, message.message_id if here else None)
            return
        if not who.private:
            link = self.context.deep_link(payload_for(args))
            await self._send(who, [render.M.fill(
                texts.open_private_chat("{link}"), link=render.M.text(link)
            )], message.message_id)
            return
        await self._begin(who, message, args)

    async def text(self, update: Update, context: Context) -> None:
        """Private text while a round runs answers it; otherwise the usual handlers go on."""
        found = await self._who(update)
        if found is None or update.edited_message is not None:
            return
        who, message = found
        interviews = self.services.interviews
        if not who.private or not await interviews.running(who.user, who.chat):
            return
        step = await interviews.answer(who.user, message.text or "")
        await self._step(who, step, message.message_id)
        raise ApplicationHandlerStop

    async def resend_resumed(self) -> int:
        """After a restart: each resumed round's current question, sent again once to the
        round's private chat and marked resumed (its clock counts from the restart)."""
        sent = 0
        for resumed in await self.services.interviews.take_resumed(PLATFORM):
            chat_id, user_id = int(resumed.chat.chat_id), int(resumed.user.user_id)
            who = Who(resumed.user, resumed.chat, user_id, chat_id, "", private=True)
            try:
                await self._prompt(who, resumed.prompt)
                sent += 1
            except (TelegramError, DeliveryError) as exc:  # e.g. the learner blocked the bot
                log.warning("resumed interview for %s not sent: %s", resumed.user, exc)
        if sent:
            log.info("sent %d resumed interview questions again", sent)
        return sent

    def close(self) -> None:
        """Cancel pending reminders (the adapter stops)."""
        for task in list(self._reminders):
            task.cancel()

    # --- the round ---------------------------------------------------------------------
    async def _begin(self, who: Who, message: Message, args: list[str]) -> None:
        interviews = self.services.interviews
        parsed = interviews.parse_args(args)
        started = await interviews.start(
            who.user, who.chat, parsed.topic, parsed.questions, parsed.minutes
        )
        if started.expired is not None:
            await self._report(who, started.expired, message.message_id)
        if started.conflict is not None:
            conflict = started.conflict
            note = texts.interview_running(conflict.position, conflict.total, self._stop)
            await self._send(who, [render.M.text(note)], message.message_id)
            await self._prompt(who, conflict)
            return
        prompt = started.prompt
        assert prompt is not None
        if prompt.total < started.requested:
            await self._send(who, [render.M.text(texts.only_some_questions(prompt.total))])
        await self._prompt(who, prompt)

    async def _step(self, who: Who, step: InterviewStep, reply_to: int) -> None:
        if step.note is not None:
            await self._send(who, [texts.note_line(step.note, render.M)], reply_to)
        if step.report is not None:
            await self._report(who, step.report)
        elif step.prompt is not None:
            await self._prompt(who, step.prompt)

    async def _prompt(self, who: Who, prompt: InterviewPrompt) -> None:
        lines = texts.prompt_lines(prompt, self._stop, render.M)
        sent = await self._send(who, ["\n".join(lines)])
        if sent and prompt.follow_up is None:
            self._remind_later(who, prompt, sent[-1], lines)

    async def _report(
        self, who: Who, report: InterviewReport, reply_to: int | None = None
    ) -> None:
        review, quiz = command(Command.REVIEW), command(Command.QUIZ)
        title = render.M.strong(render.M.text(texts.report_title(report)))
        lines = texts.report_lines(report, review, quiz, render.M)
        parts = pack([title, "\n".join(lines)])
        await send_parts(self.bot, int(report.chat.chat_id), parts, reply_to=reply_to)

    async def _send(
        self, who: Who, parts: list[str], reply_to: int | None = None
    ) -> list[Message]:
        return await send_parts(self.bot, who.chat_id, parts, reply_to=reply_to)

    # --- the one reminder --------------------------------------------------------------
    def _remind_later(
        self, who: Who, prompt: InterviewPrompt, message: Message, lines: list[str]
    ) -> None:
        task = asyncio.create_task(self._remind(who, prompt, message.message_id, lines))
        self._reminders.add(task)
        task.add_done_callback(self._reminders.discard)

    async def _remind(
        self, who: Who, prompt: InterviewPrompt, message_id: int, lines: list[str]
    ) -> None:
        """Edit the question message once, at one minute left (time from the clock)."""
        interviews = self.services.interviews
        clock = interviews.clock
        try:
            while True:
                due = await interviews.reminder_due(who.user, prompt.round_id, prompt.position)
                if due is None:
                    return
                if clock.now() >= due:
                    break
                wait = (due - clock.now()).total_seconds()
                await asyncio.sleep(min(wait, REMINDER_POLL_SECONDS))
            if not await interviews.mark_reminded(who.user, prompt.round_id, prompt.position):
                return
            edited = [*lines, render.M.strong(render.M.text(texts.reminder()))]
            await self.bot.edit_message_text(
                "\n".join(edited), chat_id=who.chat_id, message_id=message_id,
                parse_mode=ParseMode.HTML,
            )
        except TelegramError as exc:
            log.warning("interview reminder for %s not sent: %s", who.user, exc)
        except Exception:
            log.exception("interview reminder for %s failed", who.user)

    async def _who(self, update: Update) -> tuple[Who, Message] | None:
        who = await identify(self.context, update)
        message = update.effective_message
        if who is None or message is None:
            return None
        return who, message

