"""/schedule: the chat's daily question, for chat administrators only."""

from __future__ import annotations

import logging

from telegram import Bot, Message, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.adapters.telegram import render
from bot.adapters.telegram.context import AdapterContext, Who, identify
from bot.adapters.telegram.sending import send_html
from bot.adapters.textcommands import ScheduleRequest, parse_schedule
from bot.errors import NotFoundError

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

ADMIN_STATUSES = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})


async def is_admin(bot: Bot, message: Message, who: Who) -> bool:
    """Private chats belong to their user; in groups ask Telegram (getChatMember)."""
    if who.private:
        return True
    if message.sender_chat is not None and message.sender_chat.id == who.chat_id:
        return True  # an anonymous administrator posting as the group
    try:
        member = await bot.get_chat_member(who.chat_id, who.user_id)
    except TelegramError as exc:
        log.warning("getChatMember in %s failed: %s", who.chat, exc.message)
        return False
    return member.status in ADMIN_STATUSES


class Admin:
    """The administrators' commands."""

    def __init__(self, context: AdapterContext, bot: Bot) -> None:
        self.context = context
        self.bot = bot

    async def schedule(self, update: Update, context: Context) -> None:
        """/schedule [HH:MM ...|pause|resume|off]: show or change the daily question."""
        who = await identify(self.context, update)
        message = update.effective_message
        if who is None or message is None:
            return
        if not await is_admin(self.bot, message, who):
            refusal = render.admins_only()
            await send_html(self.bot, who.chat_id, refusal, reply_to=message.message_id)
            return
        request = parse_schedule(context.args or [])
        try:
            text = await self._apply(who, request)
        except NotFoundError:
            # The service's message is platform-neutral; say how to subscribe here.
            text = render.not_scheduled()
        await send_html(self.bot, who.chat_id, text, reply_to=message.message_id)

    async def _apply(self, who: Who, request: ScheduleRequest) -> str:
        schedules = self.context.services.schedules
        if request.action == "off":
            text = render.schedule_off(await schedules.unsubscribe(who.chat))
        elif request.action == "show":
            text = render.schedule(await schedules.show(who.chat))
        elif request.action == "pause":
            text = render.schedule_changed("pause", await schedules.pause(who.chat))
        elif request.action == "resume":
            text = render.schedule_changed("resume", await schedules.resume(who.chat))
        else:
            view = await schedules.subscribe(
                who.chat,
                request.time,
                request.timezone,
                request.weekdays,
                list(request.topics) or None,
                request.reveal,
            )
            self.context.memory.schedulers[who.chat_id] = who.user_id
            text = render.schedule_changed("subscribe", view)
        return text
