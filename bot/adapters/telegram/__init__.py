"""Telegram adapter (python-telegram-bot): commands, buttons, polls and the outbox Messenger.

`SPEC` is all the composition root imports; the adapter itself is in `app`.
"""

from bot.adapters.telegram.spec import SPEC

__all__ = ["SPEC"]
