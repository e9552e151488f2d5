"""Grading rules every grader and service shares (the `Grader` port is in `bot.ports`)."""

from __future__ import annotations

from bot.content.schema import Item, ItemType
from bot.domain.choices import clean_option


def correct_choice(item: Item) -> str | None:
    """The text of the right option, as shown: a flashcard's definition or the correct mcq
    option (through `clean_option`, like every option)."""
    if item.type is ItemType.FLASHCARD:
        return clean_option(item.definition) if item.definition else None
    option = item.correct_option
    return clean_option(option.text) if option else None
