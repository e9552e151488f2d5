"""Telegram adapter (python-telegram-bot): commands, buttons, polls and the outbox Messenger."""

from bot.adapters.telegram.app import TelegramAdapter, build_application
from bot.adapters.telegram.messenger import TelegramMessenger

__all__ = ["TelegramAdapter", "TelegramMessenger", "build_application"]
