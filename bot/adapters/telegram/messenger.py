"""The Telegram Messenger: daily posts and channel reveals from the outbox, admin notices."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from telegram import Bot, Message
from telegram.constants import PollLimit, PollType
from telegram.error import BadRequest, ChatMigrated, TelegramError

from bot.adapters.telegram import keyboards, render
from bot.adapters.telegram.context import PLATFORM, AdapterContext, chat_key
from bot.adapters.telegram.failures import chat_lost, delivery_error
from bot.adapters.telegram.limits import outbox_delivery
from bot.adapters.telegram.sending import send_html, send_parts
from bot.domain.grading import correct_choice
from bot.domain.models import ChatKey
from bot.domain.views import ChannelReveal, DailyQuestion
from bot.errors import NotFoundError, Notice, StoreError
from bot.pacing import Pacer
from bot.ports import DailyPostMessage, Outgoing
from bot.presentation.commands import say
from bot.render import render_math

log = logging.getLogger(__name__)

DESCRIPTION_LIMIT = 255  # keep the poll's description line short


@dataclass(frozen=True)
class PollSpec:
    question: str
    options: tuple[str, ...]
    correct: int  # 0-based
    explanation: str | None


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class TelegramMessenger:
    """Implements the core's Messenger port with the application's bot (rate limited)."""

    platform = "telegram"

    def __init__(self, bot: Bot, context: AdapterContext, pacer: Pacer | None = None) -> None:
        self.bot = bot
        self.context = context
        #: The send budget's one pacer, shared with the outbox sender (see `limits`).
        self.pacer = pacer

    async def deliver(self, message: Outgoing) -> str:
        """Send a daily post or a channel reveal; returns the Telegram message id."""
        chat_id = int(message.chat.chat_id)
        with outbox_delivery():  # a 429 reaches the sender at once, which pauses
            return await self._deliver_or_migrate(chat_id, message)

    async def _deliver_or_migrate(self, chat_id: int, message: Outgoing) -> str:
        try:
            return await self._deliver(chat_id, message)
        except ChatMigrated as exc:
            # The group became a supergroup: move its schedule and history, post there.
            new_id = int(exc.new_chat_id)
            await self._migrate(message.chat, new_id)
            try:
                return await self._deliver(new_id, message)
            except TelegramError as retry_exc:
                raise delivery_error(retry_exc) from retry_exc
        except TelegramError as exc:
            raise delivery_error(exc) from exc

    async def _deliver(self, chat_id: int, message: Outgoing) -> str:
        if isinstance(message, DailyPostMessage):
            return str((await self.send_daily(chat_id, message.daily)).message_id)
        return str((await self.send_reveal(chat_id, message.reveal)).message_id)

    async def _migrate(self, old: ChatKey, new_id: int) -> None:
        try:
            await self.context.services.users.migrate_chat(old, chat_key(new_id))
            log.info("chat %s migrated to telegram:%d", old, new_id)
        except NotFoundError:
            pass  # already moved when the migration update arrived

    async def notify_admins(self, chat: ChatKey, notice: Notice) -> bool:
        """Best effort: message the chat's admins privately (they must have started the bot)."""
        chat_id = int(chat.chat_id)
        candidates: list[int] = []
        remembered = self.context.memory.schedulers.get(chat_id)
        if remembered is not None:
            candidates.append(remembered)
        if chat_id < 0:
            try:
                admins = await self.bot.get_chat_administrators(chat_id)
                candidates += [a.user.id for a in admins if not a.user.is_bot]
            except TelegramError as exc:
                log.info("admins of %s unavailable: %s", chat, exc.message)
        text = render.admin_notice(chat_id, say(notice))
        delivered = False
        for user_id in dict.fromkeys(candidates):
            try:
                await send_html(self.bot, user_id, text)
                delivered = True
            except TelegramError as exc:
                log.info("could not notify admin %d of %s: %s", user_id, chat, exc.message)
        return delivered

    # --- daily questions ------------------------------------------------------------------
    async def send_daily(
        self, chat_id: int, daily: DailyQuestion, *, reply_to: int | None = None
    ) -> Message:
        """Post a daily question: a native quiz poll in groups when it fits, else buttons.

        Returns the message carrying the keyboard (the one a reply answers).
        """
        spec = self.poll_spec(chat_id, daily)
        if spec is not None:
            try:
                return await self._send_poll(chat_id, daily, spec, reply_to)
            except TelegramError as exc:
                if chat_lost(exc) or not _poll_refused(exc):
                    raise
                log.info("quiz poll refused in %d (%s); sending buttons", chat_id, exc.message)
        parts = render.daily(daily)
        markup = keyboards.daily(daily.post_id, daily.question)
        sent = await send_parts(self.bot, chat_id, parts, markup=markup, reply_to=reply_to)
        return sent[-1]

    def poll_spec(self, chat_id: int, daily: DailyQuestion) -> PollSpec | None:
        """A quiz poll for choice items in groups when question and options fit the limits."""
        view = daily.question
        if chat_id > 0 or not view.options:
            return None
        if self.context.memory.chat_types.get(chat_id) == "channel":
            return None  # channels cannot carry non-anonymous polls
        item = self.context.bank.item(view.item_id)
        right = correct_choice(item) if item else None
        if right is None or right not in view.options:
            return None
        question = render_math(view.question).strip()
        options = tuple(render_math(option).strip() for option in view.options)
        if not PollLimit.MIN_QUESTION_LENGTH <= _utf16(question) <= PollLimit.MAX_QUESTION_LENGTH:
            return None
        if not 2 <= len(options) <= PollLimit.MAX_OPTION_NUMBER:
            return None
        if any(
            not PollLimit.MIN_OPTION_LENGTH <= _utf16(o) <= PollLimit.MAX_OPTION_LENGTH
            for o in options
        ):
            return None
        short = render_math(item.short_answer).strip() if item else ""
        fits = 0 < _utf16(short) <= PollLimit.MAX_EXPLANATION_LENGTH and short.count("\n") <= 2
        return PollSpec(question, options, view.options.index(right), short if fits else None)

    async def _send_poll(
        self, chat_id: int, daily: DailyQuestion, spec: PollSpec, reply_to: int | None
    ) -> Message:
        description = render.poll_description(daily)[:DESCRIPTION_LIMIT]
        # PTB types the ids as Literal[0..11]; poll_spec keeps the index in that range.
        correct: list[Any] = [spec.correct]
        message = await self.bot.send_poll(
            chat_id,
            spec.question,
            list(spec.options),
            # Non-anonymous so each vote arrives as a poll_answer from a user we can grade.
            is_anonymous=False,
            type=PollType.QUIZ,
            correct_option_ids=correct,
            explanation=spec.explanation,
            description=description,
            reply_markup=keyboards.daily_poll(daily.post_id),
            reply_to_message_id=reply_to,
            allow_sending_without_reply=True,
        )
        if message.poll is not None:
            try:
                await self.context.services.daily.remember_poll(
                    PLATFORM, message.poll.id, daily.post_id
                )
            except StoreError as exc:
                # The poll is out: failing here would make the outbox post it again.
                log.error("poll %s of post %d not stored: %s", message.poll.id, daily.post_id, exc)
        return message

    # --- reveals -------------------------------------------------------------------------
    async def send_reveal(self, chat_id: int, reveal: ChannelReveal) -> Message:
        """The scheduled answer of a daily question, for the whole chat."""
        sent = await send_parts(self.bot, chat_id, render.channel_reveal(reveal))
        return sent[0]


def _poll_refused(exc: TelegramError) -> bool:
    """A 400 about the poll itself (e.g. a channel refusing non-anonymous polls)."""
    text = exc.message.lower()
    return isinstance(exc, BadRequest) and any(w in text for w in ("poll", "anonymous", "option"))
