"""Telegram errors in core terms: lost chats, rate limits, and everything worth a retry."""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot.errors import ChatUnavailable, DeliveryError, RateLimited

# BadRequest descriptions that mean the bot can no longer post in the chat.
_LOST_CHAT = (
    "chat not found",
    "bot was kicked",
    "not a member",
    "have no rights to send",
    "not enough rights",
    "need administrator rights",
    "chat_write_forbidden",
    "chat is deactivated",
    "group chat was deactivated",
)


def retry_seconds(exc: RetryAfter) -> float:
    """`retry_after` in seconds: an int, or a timedelta when PTB_TIMEDELTA is set."""
    with warnings.catch_warnings():
        # Without PTB_TIMEDELTA, PTB 22 warns on reading the int; both forms are handled.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


def chat_lost(exc: TelegramError) -> bool:
    """403s, and the 400s Telegram sends for chats the bot left or cannot write to."""
    if isinstance(exc, Forbidden):
        return True
    return isinstance(exc, BadRequest) and any(t in exc.message.lower() for t in _LOST_CHAT)


def delivery_error(exc: TelegramError) -> DeliveryError:
    """The core's view of a failed send (ChatMigrated is handled before this)."""
    if isinstance(exc, RetryAfter):
        return RateLimited(retry_seconds(exc))
    if chat_lost(exc):
        return ChatUnavailable(f"telegram: {exc.message}")
    return DeliveryError(f"telegram: {type(exc).__name__}: {exc.message}")
