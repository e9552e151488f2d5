"""Inline button presses and quiz poll votes."""

from __future__ import annotations

import asyncio
import logging

from telegram import CallbackQuery, Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.adapters.telegram import callbacks as cb
from bot.adapters.telegram import keyboards, render
from bot.adapters.telegram.context import (
    PLATFORM,
    AdapterContext,
    Memory,
    Who,
    identify,
    user_key,
)
from bot.adapters.telegram.flows import Flows, Target, options_on
from bot.adapters.telegram.processing import ChatOrderedProcessor
from bot.adapters.telegram.sending import send_html, send_parts
from bot.domain.models import AnswerKind
from bot.errors import Command
from bot.presentation import busy, wording
from bot.presentation.commands import command, say
from bot.presentation.notices import CARD_GONE, NOT_YOUR_CARD
from bot.services.quiz import NOT_YOUR_QUIZ
from bot.services.results import AnswerResult

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
#: Seconds an option press waits for its grade before a plain acknowledgement.
ACK_WAIT = 0.5



def _not_yours(button: cb.Button) -> str:
    """Why someone else's button does nothing for this presser."""
    match button:
        case cb.QuizButton():
            return say(NOT_YOUR_QUIZ)
        case cb.ReviewButton():
            return say(NOT_YOUR_CARD)
        case cb.RateButton():
            return wording.only_revealer_rates()
        case cb.NextReviewButton():
            return wording.own_reviews(command(Command.REVIEW))
        case _:
            return wording.only_asker_confirms()


async def _drop_keyboard(query: CallbackQuery, memory: Memory) -> None:
    """Remove the buttons of an answered question once (already gone: fine)."""
    message = query.message
    if message is not None:
        where = (message.chat.id, message.message_id)
        if where in memory.bare:
            return
        memory.bare[where] = True
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest as exc:
        log.debug("keyboard not removed: %s", exc.message)


def _chooses(button: cb.Button) -> bool:
    """An option press: acknowledged once graded, with the verdict (see `Ack`)."""
    answers = cb.DailyButton | cb.QuizButton | cb.ReviewButton
    return isinstance(button, answers) and cb.option_number(button.action) is not None


def _acked_while_queued(context: Context, query: CallbackQuery) -> bool:
    processor = context.application.update_processor
    return isinstance(processor, ChatOrderedProcessor) and processor.acked_while_queued(query.id)


class Ack:
    """A choice's acknowledgement: the verdict once graded, so the presser sees it even
    when the group's reply waits or is dropped; the plain text if grading takes longer
    than ACK_WAIT or fails, so the spinner stops in time either way."""

    def __init__(
        self, query: CallbackQuery, plain: str | None, *, pending: bool, done: bool = False
    ) -> None:
        self.query = query
        self.plain = plain
        self.pending = pending and not done  # False: acknowledged already, or now
        self.done = done or not pending
        self._late_task: asyncio.Task[bool] | None = None
        self._timer = (
            asyncio.get_running_loop().call_later(ACK_WAIT, self._late) if self.pending else None
        )

    def _late(self) -> None:
        self._late_task = asyncio.get_running_loop().create_task(self._send(self.plain))

    async def _send(self, text: str | None) -> bool:
        if self.done:
            return False
        self.done = True  # before the call: never a second answer for one query
        if self._timer is not None:
            self._timer.cancel()
        try:
            await self.query.answer(text)
        except TelegramError as exc:
            log.info("callback query not acknowledged: %s", exc)
            return False
        return True

    async def graded(self, result: AnswerResult, sent_privately: bool) -> bool:
        """Acknowledge with the verdict; False if the press was acknowledged already."""
        return await self._send(busy.ack_feedback(result, sent_privately=sent_privately))

    async def fallback(self) -> None:
        """After acting: acknowledge plainly if nothing did yet."""
        await self._send(self.plain)
        if self._late_task is not None:
            await self._late_task


class Buttons:
    """Callback queries (acknowledged first) and poll answers."""

    def __init__(self, context: AdapterContext, flows: Flows) -> None:
        self.context = context
        self.flows = flows
        self.services = context.services

    async def press(self, update: Update, context: Context) -> None:
        """Any inline button: check the presser, acknowledge, then act."""
        query = update.callback_query
        if query is None:
            return
        # Acknowledged plainly while it waited behind the presser's earlier press.
        acked = _acked_while_queued(context, query)
        button = cb.decode(query.data)
        if button is None:
            if not acked:
                await query.answer(wording.button_expired())
            return
        owner = getattr(button, "owner", None)
        if owner is not None and owner != str(query.from_user.id):
            if not acked:
                await query.answer(_not_yours(button), show_alert=True)
            return
        plain = await self._ack_text(button, query)
        ack = Ack(query, plain, pending=_chooses(button), done=acked)
        if not acked and not ack.pending:
            await query.answer(plain)
        try:
            who = await identify(self.context, update)
            message = query.message if isinstance(query.message, Message) else None
            if who is None or message is None:
                return
            await self._act(who, button, query, message, ack)
        finally:
            await ack.fallback()

    async def _ack_text(self, button: cb.Button, query: CallbackQuery) -> str | None:
        """Known before any Telegram call: in a group, say where the personal reply goes."""
        in_group = query.message is not None and query.message.chat.type != "private"
        personal = isinstance(button, cb.DailyButton | cb.ReviewButton) and (
            button.action == cb.REVEAL or cb.option_number(button.action) is not None
        )
        # The flag is cached; checked last so other presses never read the store.
        chat_id = query.message.chat.id if query.message is not None else 0
        if in_group and personal and await self.flows.private_feedback(chat_id, query.from_user.id):
            return "✉️ " + wording.sent_privately()
        return None

    async def _act(
        self, who: Who, button: cb.Button, query: CallbackQuery, message: Message, ack: Ack
    ) -> None:
        flows = self.flows
        reply_to = message.message_id
        count = options_on(message)
        match button:
            case cb.DailyButton(post_id, action):
                target = Target(AnswerKind.DAILY, count, post_id=post_id)
                await self._answer_or_reveal(who, target, action, reply_to, ack)
            case cb.QuizButton(session_id, position, _owner, action):
                target = Target(AnswerKind.QUIZ, count, session=(session_id, position))
                if action == cb.SKIP:
                    await flows.skip(who, target)
                    await _drop_keyboard(query, self.context.memory)
                elif action == cb.STOP:
                    await flows.stop(who, target)
                    await _drop_keyboard(query, self.context.memory)
                elif action == cb.SHOW:
                    await _drop_keyboard(query, self.context.memory)
                    await flows.show_current_quiz(who)
                else:
                    await self._answer_or_reveal(who, target, action, reply_to, ack)
                    if cb.option_number(action) is not None:
                        await _drop_keyboard(query, self.context.memory)
            case cb.ReviewButton(key, owner, action):
                item_id = self.context.keys.item_id(key)
                target = Target(AnswerKind.REVIEW, count, item_id=item_id, owner=owner)
                await self._answer_or_reveal(who, target, action, reply_to, ack)
                if cb.option_number(action) is not None:
                    await _drop_keyboard(query, self.context.memory)
            case cb.RateButton(key, _owner, _rating):
                await self._rate(who, button, query)
            case cb.NextReviewButton():
                await _drop_keyboard(query, self.context.memory)
                await flows.show_review(who)
            case cb.ForgetButton(_owner, code):
                await self._forget(who, code, query)

    async def _answer_or_reveal(
        self, who: Who, target: Target, action: str, reply_to: int, ack: Ack
    ) -> None:
        number = cb.option_number(action)
        if number is not None:
            await self.flows.answer(
                who, target, choice=number, reply_to=reply_to, quiet=True, graded=ack.graded
            )
        elif action == cb.REVEAL:
            await self.flows.reveal(who, target, reply_to=reply_to, quiet=True)

    async def _rate(self, who: Who, button: cb.RateButton, query: CallbackQuery) -> None:
        item_id = self.context.keys.item_id(button.item_key)
        if item_id is None:
            await send_html(self.flows.bot, who.chat_id, render.M.text(say(CARD_GONE)))
            return
        result = await self.services.reviews.rate(who.user, item_id, button.rating)
        await _drop_keyboard(query, self.context.memory)
        await send_html(
            self.flows.bot,
            who.chat_id,
            render.rated(result),
            markup=keyboards.next_review(str(who.user_id)),
        )

    async def _forget(self, who: Who, code: str, query: CallbackQuery) -> None:
        data = self.services.data
        await _drop_keyboard(query, self.context.memory)
        if code == cb.CANCEL:
            data.cancel_forget(who.user)
            await send_html(self.flows.bot, who.chat_id, render.M.text(wording.forget_cancelled()))
            return
        await data.confirm_forget(who.user, code)
        self.context.forget_user(who.user_id)
        await send_html(self.flows.bot, who.chat_id, render.forget_done())

    async def poll_answer(self, update: Update, context: Context) -> None:
        """A vote in a daily quiz poll: graded like any answer, feedback in private if we can."""
        vote = update.poll_answer
        if vote is None or vote.user is None or not vote.option_ids:
            return  # a retracted vote, or one cast on behalf of a chat
        daily = await self.services.daily.by_poll(PLATFORM, vote.poll_id)
        if daily is None:
            log.info("vote in unknown poll %s (not one of our daily posts)", vote.poll_id)
            return
        user = user_key(vote.user.id)
        name = vote.user.full_name or str(vote.user.id)
        await self.services.users.ensure_user(user, name)
        result = await self.services.answers.answer_daily(
            user, daily.chat, choice=vote.option_ids[0] + 1, post_id=daily.post_id
        )
        # Telegram already shows the voter right or wrong; the details go privately, if
        # the user started the bot, never to the group (that would spoil the poll).
        if await self.context.private_ok(vote.user.id):
            title = self.context.memory.chat_titles.get(int(daily.chat.chat_id))
            if title is None:  # not seen since a restart: the stored title
                title = (await self.services.users.get_chat(daily.chat)).title
            parts = render.from_group(title, render.feedback(result))
            try:
                await send_parts(self.flows.bot, vote.user.id, parts)
            except Forbidden:
                await self.context.set_private_ok(vote.user.id, False)
