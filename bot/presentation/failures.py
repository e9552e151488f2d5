"""The one rule for telling a user that their request failed, on every platform.

User errors (`bot.errors.UserError`: bad input, not found, not allowed) are theirs to fix:
their message is shown as it is and logged at INFO. Everything else is ours: it is logged at
ERROR with its traceback and a short reference id, and the user sees only an apology with
that id, never the error's own text (a database message, a file path). Failures of the chat
platform itself (`transient`: a refused or failed API call) get the same apology but one
WARNING line without a traceback, since the traceback is only the client library's.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from bot.errors import UserError
from bot.presentation.commands import TEXT_COMMANDS, CommandSyntax, say
from bot.presentation.i18n import N_, _

log = logging.getLogger(__name__)

APOLOGY = N_("Sorry, something went wrong on my side. Please try again in a moment.")


@dataclass(frozen=True)
class Told:
    """What to tell the user, and the reference id logged with the failure (None for user
    errors, which are not failures of the bot)."""

    text: str
    reference: str | None = None


def new_reference() -> str:
    """A short id to quote in the log and to the user: 8 hex digits."""
    return secrets.token_hex(4)


def apology(reference: str) -> str:
    return _("{apology} (reference {reference})").format(apology=_(APOLOGY), reference=reference)


def tell_user(
    error: BaseException,
    where: str,
    *,
    logger: logging.Logger | None = None,
    transient: tuple[type[BaseException], ...] = (),
    syntax: CommandSyntax = TEXT_COMMANDS,
) -> Told:
    """Log `error` (raised while serving `where`) once at the level it deserves and return
    what to tell the user; `syntax` writes the command references a user error names."""
    logger = logger or log
    if isinstance(error, UserError):
        logger.info("%s: %s", where, error)
        return Told(say(error.notice, syntax))
    reference = new_reference()
    if transient and isinstance(error, transient):
        logger.warning("%s: %s: %s [ref %s]", where, type(error).__name__, error, reference)
    else:
        logger.error("%s failed [ref %s]", where, reference, exc_info=error)
    return Told(apology(reference), reference)


__all__ = ["APOLOGY", "Told", "apology", "new_reference", "tell_user"]
