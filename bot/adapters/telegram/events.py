"""Non-command updates: text answers, membership changes, migrations, unknown commands."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.adapters.telegram import render
from bot.adapters.telegram.context import AdapterContext, chat_key, identify
from bot.adapters.telegram.flows import Flows
from bot.adapters.telegram.sending import send_html
from bot.errors import NotFoundError

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

GONE = frozenset({ChatMemberStatus.LEFT, ChatMemberStatus.BANNED})
PRESENT = frozenset(
    {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.RESTRICTED}
)


class Events:
    """Handlers for everything that is not a known command or a button."""

    def __init__(self, context: AdapterContext, flows: Flows) -> None:
        self.context = context
        self.flows = flows
        self.services = context.services

    async def text(self, update: Update, context: Context) -> None:
        """A reply to a question message, or plain text in a private chat: an answer.

        An edited answer goes through the same path: the services grade it again as
        feedback only (the first answer keeps its points).
        """
        message = update.effective_message
        if message is None or not message.text:
            return
        who = await identify(self.context, update)
        if who is None:
            return
        replied = message.reply_to_message
        target = None
        if replied is not None:
            from_bot = replied.from_user is not None and replied.from_user.id == context.bot.id
            if from_bot:
                target = await self.flows.target_of(who, replied)
        if target is None:
            if not who.private:
                return  # group chatter, or a reply to something that is not a question
            target = await self.flows.default_target(who)
        await self.flows.answer(
            who,
            target,
            text=message.text,
            reply_to=message.message_id,
            edited=update.edited_message is not None,
        )

    async def membership(self, update: Update, context: Context) -> None:
        """The bot was added to or removed from a chat (or blocked in private)."""
        change = update.my_chat_member
        if change is None:
            return
        chat = change.chat
        self.context.memory.chat_types[chat.id] = chat.type
        old, new = change.old_chat_member.status, change.new_chat_member.status
        if new in GONE:
            if chat.type == ChatType.PRIVATE:
                await self.context.set_private_ok(chat.id, False)
                log.info("blocked by user %d", chat.id)
                return
            try:
                await self.services.schedules.pause(chat_key(chat.id))
                log.info("removed from chat %d (%s): schedule paused", chat.id, new)
            except NotFoundError:
                log.info("removed from chat %d (%s); it had no schedule", chat.id, new)
        elif old in GONE and new in PRESENT and chat.type != ChatType.PRIVATE:
            await self.services.users.ensure_chat(chat_key(chat.id), None, chat.title or "")
            try:
                await send_html(context.bot, chat.id, render.welcome_group())
            except TelegramError as exc:  # e.g. no permission to post yet
                log.info("no welcome in %d: %s", chat.id, exc.message)

    async def migrate(self, update: Update, context: Context) -> None:
        """A group became a supergroup: keep its schedule, posts and history."""
        message = update.effective_message
        if message is None:
            return
        if message.migrate_to_chat_id is not None:
            old, new = message.chat.id, message.migrate_to_chat_id
        elif message.migrate_from_chat_id is not None:
            old, new = message.migrate_from_chat_id, message.chat.id
        else:
            return
        try:
            await self.services.users.migrate_chat(chat_key(old), chat_key(new))
            log.info("chat %d migrated to %d", old, new)
        except NotFoundError:
            pass  # Telegram sends two updates per migration; the first one moved it

    async def unknown(self, update: Update, context: Context) -> None:
        """A command this bot does not have: say so in private or when addressed by name."""
        message = update.effective_message
        chat = update.effective_chat
        if message is None or chat is None or not message.text:
            return
        command = message.text.split()[0]
        name, _, addressee = command.partition("@")
        if addressee and addressee.lower() != (self.context.bot_username or "").lower():
            return  # meant for another bot
        if not addressee and chat.type != ChatType.PRIVATE:
            return  # a bare command in a group may be another bot's
        await send_html(
            context.bot,
            chat.id,
            render.unknown_command(name),
            reply_to=message.message_id,
        )
