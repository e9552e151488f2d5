"""Decks a chat or server uploaded: how the store keeps them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.models import GroupKey


@dataclass(frozen=True, slots=True)
class StoredDeck:
    """An uploaded deck: its scope (who owns it), metadata and the validated deck.

    `scope` is a platform-qualified owner such as "telegram:-100" (a group) or
    "discord:guild:42" (a server, shared by its channels); `owner` the user who added it.
    `body` is the validated deck as JSON, empty in listings (which do not need the items).
    """

    id: str
    scope: str
    owner: str
    name: str
    format: str
    created: datetime
    item_count: int
    body: str = ""


def scope_of(group: GroupKey) -> str:
    """The scope a chat's decks belong to: its server on Discord, the group itself on
    Telegram (and the console)."""
    return str(group)
