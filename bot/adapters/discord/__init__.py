"""Discord adapter (discord.py): slash commands, persistent buttons, modals, the outbox.

`SPEC` is all the composition root imports; the adapter itself is in `adapter`.
"""

from bot.adapters.discord.spec import SPEC

__all__ = ["SPEC"]
