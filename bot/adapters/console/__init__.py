"""The terminal practice mode: one local user, no platform token needed."""

from bot.adapters.console.session import ConsoleSession

__all__ = ["ConsoleSession"]
