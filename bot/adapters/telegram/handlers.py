"""Wiring: every handler registered on the application, and the one error handler."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PollAnswerHandler,
    filters,
)

from bot.adapters.telegram.admin import Admin
from bot.adapters.telegram.busy import FeedbackCommand
from bot.adapters.telegram.buttons import Buttons
from bot.adapters.telegram.commands import Commands
from bot.adapters.telegram.context import AdapterContext
from bot.adapters.telegram.decks import DECK_CAPTION, Decks
from bot.adapters.telegram.events import Events
from bot.adapters.telegram.failures import chat_lost
from bot.adapters.telegram.flows import Flows
from bot.adapters.telegram.formatting import esc, user_text
from bot.adapters.telegram.interview import InterviewFlow
from bot.adapters.telegram.messenger import TelegramMessenger
from bot.adapters.telegram.sending import send_html
from bot.presentation.failures import tell_user

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
TelegramApp = Application[Any, Any, Any, Any, Any, Any]

ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "poll_answer", "my_chat_member")


def register(
    application: TelegramApp, context: AdapterContext, messenger: TelegramMessenger
) -> InterviewFlow:
    """Add every handler; the order decides which one takes a message."""
    flows = Flows(context, messenger)
    commands = Commands(context, flows)
    interview = InterviewFlow(context, messenger.bot, commands.start)
    admin = Admin(context, messenger.bot)
    decks = Decks(context, messenger.bot)
    buttons = Buttons(context, flows)
    events = Events(context, flows)
    feedback = FeedbackCommand(context, flows.busy, messenger.bot)
    new = filters.UpdateType.MESSAGE  # edits of commands are not re-run, except /answer
    for name, callback in (
        ("start", interview.start),
        ("interview", interview.command),
        ("help", commands.help),
        ("daily", commands.daily),
        ("reveal", commands.reveal),
        ("quiz", commands.quiz),
        ("skip", commands.skip),
        ("stop", commands.stop),
        ("review", commands.review),
        ("streak", commands.streak),
        ("leaderboard", commands.leaderboard),
        ("stats", commands.stats),
        ("topics", commands.topics),
        ("timezone", commands.timezone),
        ("report", commands.report),
        ("forget", commands.forget),
        ("schedule", admin.schedule),
        ("deck", decks.command),
        ("feedback", feedback.feedback),
    ):
        application.add_handler(CommandHandler(name, callback, filters=new))
    # A document sent with the caption /deck add (captions are not commands to Telegram).
    application.add_handler(
        MessageHandler(
            new & filters.Document.ALL & filters.CaptionRegex(DECK_CAPTION), decks.command
        )
    )
    application.add_handler(
        CommandHandler("answer", commands.answer, filters=filters.UpdateType.MESSAGES)
    )
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, events.migrate))
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGES & filters.TEXT & ~filters.COMMAND, events.text)
    )
    application.add_handler(MessageHandler(new & filters.COMMAND, events.unknown))
    application.add_handler(CallbackQueryHandler(buttons.press))
    application.add_handler(PollAnswerHandler(buttons.poll_answer))
    application.add_handler(ChatMemberHandler(events.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    # First (group -1): private text answers a running interview round, else goes on.
    application.add_handler(
        MessageHandler(
            new & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, interview.text
        ),
        group=-1,
    )
    application.add_error_handler(on_error)
    return interview


def describe(update: object) -> str:
    """The update in one log line: id, kind, chat, user, command or button (no free text)."""
    if not isinstance(update, Update):
        return repr(update)[:120]
    kind = next(
        (name for name in ALLOWED_UPDATES if getattr(update, name, None) is not None), "update"
    )
    parts = [f"update {update.update_id} ({kind})"]
    if update.effective_chat is not None:
        parts.append(f"chat {update.effective_chat.id}")
    if update.effective_user is not None:
        parts.append(f"user {update.effective_user.id}")
    message = update.effective_message
    if message is not None and message.text and message.text.startswith("/"):
        parts.append(message.text.split()[0][:40])
    if update.callback_query is not None:
        parts.append(f"data {update.callback_query.data!r}")
    return ", ".join(parts)


async def on_error(update: object, context: Context) -> None:
    """Log the failure with its update and tell the user (the shared rule in
    `bot.presentation.failures`): the reason when it is theirs to fix, else a short apology
    with a reference id."""
    error = context.error
    if error is None:
        return
    # Expected platform trouble (network, flood control, lost permissions) is one line.
    told = tell_user(error, describe(update), logger=log, transient=(TelegramError,))
    text = esc(told.text) if told.reference is None else f"😕 {esc(told.text)}"
    where = describe(update)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if isinstance(error, TelegramError) and chat_lost(error):
        return  # the chat is gone for the bot: an apology could not arrive either
    chat = update.effective_chat
    reply_to = None
    if update.callback_query is not None:
        # A button press: the message is the bot's, so name the presser in groups.
        user = update.effective_user
        if user is not None and chat.type != "private":
            text = f"{user_text(user.full_name)}: {text}"
    elif update.effective_message is not None:
        reply_to = update.effective_message.message_id
    try:
        await send_html(context.bot, chat.id, text, reply_to=reply_to)
    except TelegramError as exc:
        log.warning("%s: could not tell the user: %s", where, exc)
