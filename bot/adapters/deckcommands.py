"""`/deck` as the text platforms (Telegram, the console) type it: a sub-command and its
argument, `format:NAME` (or a bare format name) after `add`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.uploads import UPLOAD_FORMATS

SUBCOMMANDS = ("add", "list", "show", "remove", "export")


@dataclass(frozen=True)
class DeckRequest:
    """A parsed /deck: `action` is one of SUBCOMMANDS or "help" (anything else)."""

    action: str
    argument: str = ""
    format: str | None = None


def parse_deck(args: str) -> DeckRequest:
    """`add [PATH] [format:csv]`, `list`, `show ID`, `remove ID`, `export ID`."""
    words = args.split()
    if not words or words[0].lower() not in SUBCOMMANDS:
        return DeckRequest("help")
    action, rest = words[0].lower(), words[1:]
    fmt: str | None = None
    kept: list[str] = []
    for word in rest:
        lowered = word.lower().removeprefix("format:").removeprefix("format=")
        if action == "add" and (word.lower().startswith("format") or lowered in UPLOAD_FORMATS):
            fmt = lowered
        else:
            kept.append(word)
    return DeckRequest(action, " ".join(kept), fmt)
