"""Slash commands: each a small handler that identifies the sender and calls one flow."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.constants import MessageEntityType
from telegram.ext import ContextTypes

from bot.adapters.telegram import keyboards, render
from bot.adapters.telegram.context import AdapterContext, Who, identify
from bot.adapters.telegram.flows import Flows, Target
from bot.adapters.telegram.sending import send_html, send_parts, send_photo
from bot.domain.leaderboard import Period
from bot.errors import InvalidInputError
from bot.presentation import wording
from bot.presentation.charts import stats_png
from bot.presentation.notices import CHART_WEEK_ONLY, REPORT_USAGE
from bot.presentation.week_chart import week_png
from bot.services.leaderboard import parse_period

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE


def command_text(message: Message) -> str:
    """The text after the command (`/answer@bot  two\\nlines` -> `two\\nlines`)."""
    text = message.text or ""
    first = message.entities[0] if message.entities else None
    if first is not None and first.type == MessageEntityType.BOT_COMMAND and first.offset == 0:
        # Commands are ASCII, so the entity's UTF-16 length is also its length in str.
        return text[first.length :].strip()
    return text.partition(" ")[2].strip()


class Commands:
    """Handlers for the commands every user has."""

    def __init__(self, context: AdapterContext, flows: Flows) -> None:
        self.context = context
        self.flows = flows
        self.services = context.services

    async def _who(self, update: Update) -> tuple[Who, Message] | None:
        who = await identify(self.context, update)
        message = update.effective_message
        if who is None or message is None:
            return None
        return who, message

    async def _reply(self, who: Who, message: Message, parts: list[str] | str) -> None:
        chunks = [parts] if isinstance(parts, str) else parts
        await send_parts(self.flows.bot, who.chat_id, chunks, reply_to=message.message_id)

    def _from_bot(self, message: Message) -> bool:
        return message.from_user is not None and message.from_user.id == self.flows.bot.id

    async def _target(self, who: Who, message: Message) -> Target:
        """The question replied to, else the user's current one."""
        replied = message.reply_to_message
        if replied is not None and self._from_bot(replied):
            target = await self.flows.target_of(who, replied)
            if target is not None:
                return target
        return await self.flows.default_target(who)

    async def start(self, update: Update, context: Context) -> None:
        """/start [payload]: welcome; the `dm` deep link turns on private feedback."""
        found = await self._who(update)
        if found is None:
            return
        who, message = found
        if not who.private:
            await self._reply(who, message, render.welcome_group())
            return
        dm_link = (context.args or [""])[0] == "dm"
        llm = self.services.answers.slow_grading
        await self._reply(who, message, render.welcome(dm_link, llm))

    async def help(self, update: Update, context: Context) -> None:
        """/help: what the bot does and its commands."""
        found = await self._who(update)
        if found is not None:
            await self._reply(*found, render.help_text(self.services.answers.slow_grading))

    async def daily(self, update: Update, context: Context) -> None:
        """/daily: today's question in this chat (created on first request)."""
        found = await self._who(update)
        if found is None:
            return
        who, message = found
        self.flows.forget_review(who)
        daily = await self.services.daily.today(who.chat)
        sent = await self.flows.messenger.send_daily(
            who.chat_id, daily, reply_to=message.message_id
        )
        await self.services.daily.remember_message(daily.post_id, str(sent.message_id))

    async def answer(self, update: Update, context: Context) -> None:
        """/answer <text> (or as a reply to a question message): grade it."""
        found = await self._who(update)
        if found is None:
            return
        who, message = found
        target = await self._target(who, message)
        await self.flows.answer(
            who,
            target,
            text=command_text(message),
            reply_to=message.message_id,
            edited=update.edited_message is not None,
        )

    async def reveal(self, update: Update, context: Context) -> None:
        """/reveal: the short answer, then the full one (the replied-to question or current)."""
        found = await self._who(update)
        if found is None:
            return
        who, message = found
        await self.flows.reveal(who, await self._target(who, message), reply_to=message.message_id)

    async def quiz(self, update: Update, context: Context) -> None:
        """/quiz [topic] [count] [difficulty]: start a personal quiz here."""
        found = await self._who(update)
        if found is None:
            return
        who, message = found
        quizzes = self.services.quizzes
        topic, count, difficulty = quizzes.parse_args(context.args or [])
        started = await quizzes.start(who.user, who.chat, topic, count, difficulty)
        if started.conflict is not None:
            info = started.conflict
            markup = keyboards.quiz_conflict(info.session_id, info.answered + 1, str(who.user_id))
            text = render.quiz_conflict(info.answered, info.total)
            await send_html(self.flows.bot, who.chat_id, text, markup=markup,
                            reply_to=message.message_id)
            return
        if started.session_id is not None and started.question is not None:
            if started.total < started.requested:
                shorter = wording.only_some_match(started.total)
                await self._reply(who, message, render.M.text(shorter))
            await self.flows.show_quiz(who, started.session_id, started.question)

    async def skip(self, update: Update, context: Context) -> None:
        """/skip: skip the current quiz question."""
        found = await self._who(update)
        if found is not None:
            await self.flows.skip(found[0])

    async def stop(self, update: Update, context: Context) -> None:
        """/stop: end the quiz early and summarise it."""
        found = await self._who(update)
        if found is not None:
            await self.flows.stop(found[0])

    async def review(self, update: Update, context: Context) -> None:
        """/review: the most overdue review card."""
        found = await self._who(update)
        if found is not None:
            await self.flows.show_review(found[0])

    async def streak(self, update: Update, context: Context) -> None:
        """/streak: current and best streak."""
        found = await self._who(update)
        if found is None:
            return
        who, message = found
        await self._reply(who, message, render.streak(await self.services.stats.streak(
            who.user, who.chat)))

    async def stats(self, update: Update, context: Context) -> None:
        """/stats: answers, accuracy by topic, streak, reviews due."""
        found = await self._who(update)
        if found is None:
            return
        who, message = found
        card = await self.services.stats.card(who.user, who.chat)
        parts = render.stats_card(card)
        png = await stats_png(card)
        if png is None:
            await self._reply(who, message, parts)
            return
        await send_photo(self.flows.bot, who.chat_id, png, parts, reply_to=message.message_id)

    async def leaderboard(self, update: Update, context: Context) -> None:
        """/leaderboard [week|month|all|optout|optin] [chart]."""
        found = await self._who(update)
        if found is None:
            return
        who, message = found
        boards = self.services.leaderboards
        words = [word.lower() for word in context.args or []]
        chart = "chart" in words
        arg = next((word for word in words if word != "chart"), "")
        if arg in ("optout", "opt-out"):
            await boards.opt_out(who.user)
            await self._reply(who, message, render.M.text(wording.leaderboard_hidden()))
            return
        if arg in ("optin", "opt-in"):
            await boards.opt_in(who.user)
            await self._reply(who, message, render.M.text(wording.leaderboard_shown()))
            return
        period = parse_period(arg or None)
        if chart:
            await self._week_chart(who, message, period)
            return
        view = await boards.leaderboard(who.chat, who.user, period)
        await self._reply(who, message, render.leaderboard(view))

    async def _week_chart(self, who: Who, message: Message, period: Period) -> None:
        """The week's board as a picture, the text board as its caption."""
        if period is not Period.WEEK:
            raise InvalidInputError(CHART_WEEK_ONLY)
        week = await self.services.leaderboards.week_chart(who.chat, who.user)
        parts = render.leaderboard(week.board)
        png = await week_png(week)
        if png is None:
            await self._reply(who, message, parts)
            return
        await send_photo(
            self.flows.bot, who.chat_id, png, parts, reply_to=message.message_id,
            filename="leaderboard.png",
        )

    async def topics(self, update: Update, context: Context) -> None:
        """/topics: tags and decks to quiz on or schedule."""
        found = await self._who(update)
        if found is not None:
            topics = await self.services.decks.topics(found[0].chat)
            await self._reply(*found, render.topics(topics))

    async def timezone(self, update: Update, context: Context) -> None:
        """/timezone [Area/City|reset]: show or set the user's time zone."""
        found = await self._who(update)
        if found is None:
            return
        who, message = found
        users = self.services.users
        wanted = " ".join(context.args or [])
        result = (
            await users.set_timezone(who.user, wanted, who.chat)
            if wanted
            else await users.timezone(who.user, who.chat)
        )
        await self._reply(who, message, render.timezone(result))

    async def report(self, update: Update, context: Context) -> None:
        """/report <reason> as a reply to a question (or /report <question id> <reason>)."""
        found = await self._who(update)
        if found is None:
            return
        who, message = found
        reason = command_text(message)
        item_id = await self._reported_item(who, message)
        if item_id is None:
            first, _, rest = reason.partition(" ")
            if self.context.bank.item(first) is None:
                raise InvalidInputError(REPORT_USAGE)
            item_id, reason = first, rest
        report = await self.services.data.report(who.user, item_id, reason)
        await self._reply(who, message, render.report_recorded(report))

    async def _reported_item(self, who: Who, message: Message) -> str | None:
        replied = message.reply_to_message
        if replied is None or not self._from_bot(replied):
            return None
        target = await self.flows.target_of(who, replied)
        if target is None:
            return None
        if target.item_id is not None:
            return target.item_id
        if target.post_id is not None:
            daily = await self.services.daily.by_message(who.chat, str(replied.message_id))
            if daily is None:
                current = await self.services.daily.current(who.chat)
                daily = current if current and current.post_id == target.post_id else None
            return daily.question.item_id if daily else None
        view = await self.services.quizzes.current(who.user, who.chat)
        return view.item_id if view else None

    async def forget(self, update: Update, context: Context) -> None:
        """/forget: delete everything stored about the user, after a confirmation."""
        found = await self._who(update)
        if found is None:
            return
        who, message = found
        data = self.services.data
        if context.args:
            await data.confirm_forget(who.user, context.args[0])
            self.context.forget_user(who.user_id)
            await self._reply(who, message, render.forget_done())
            return
        request = await data.request_forget(who.user)
        await send_html(
            self.flows.bot,
            who.chat_id,
            render.forget_confirm(request.code),
            markup=keyboards.forget(str(who.user_id), request.code),
            reply_to=message.message_id,
        )
