"""Command references and user-error notices, written the way each platform types them.

Services name commands (`bot.errors.Command`), never their syntax: Telegram and the console
type `/quiz [topic] [count] [difficulty]`, Discord fills `/quiz topic:<topic> count:<count>`
options. Each platform passes its own table; `TEXT_COMMANDS` is the typed-command one.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.errors import Command, Notice
from bot.presentation.echo import echo
from bot.presentation.i18n import _

CommandSyntax = Mapping[Command, str]

# Telegram and the console: a command's value is its typed syntax.
TEXT_COMMANDS: dict[Command, str] = {name: name.value for name in Command}


def command(name: Command, syntax: CommandSyntax = TEXT_COMMANDS) -> str:
    """How a user of this platform writes command `name`."""
    return syntax.get(name) or name.value


#: Characters per line of a listed value: 30 lines stay inside Telegram's 4,096.
LINE_LIMIT = 120


def say(notice: Notice, syntax: CommandSyntax = TEXT_COMMANDS) -> str:
    """A notice in the current language, its command references in this platform's syntax
    (a notice inside a notice, such as a usage line, is said the same way)."""
    values: dict[str, object] = {}
    for key, value in notice.params.items():
        if isinstance(value, Command):
            values[key] = command(value, syntax)
        elif isinstance(value, Notice):
            values[key] = say(value, syntax)
        elif isinstance(value, str):
            values[key] = echo(value)  # may be what the user typed: clipped, mentions inert
        elif isinstance(value, tuple) and all(isinstance(line, str) for line in value):
            # A list (a deck's problems): each line clipped, so every line is seen.
            values[key] = "\n".join(echo(line, LINE_LIMIT) for line in value)
        else:
            values[key] = value
    return _(notice.msgid).format(**values)


__all__ = ["TEXT_COMMANDS", "CommandSyntax", "command", "say"]
