"""Grading answers against an item's key points: the port the services depend on.

`Grader` is the protocol; the default implementation is `bot.grading.lexical.LexicalGrader`
(the composition root may add the semantic stage). The domain only knows the contract.
"""

from __future__ import annotations

from typing import Protocol

from bot.content.schema import Item, ItemType
from bot.domain.choices import clean_option
from bot.domain.models import GradeResult


class Grader(Protocol):
    """Scores an answer to an item."""

    def grade(self, item: Item, text: str) -> GradeResult:
        """Grade a free-text answer."""
        ...

    def grade_choice(self, item: Item, chosen: str) -> GradeResult:
        """Grade a chosen option (flashcard definition or mcq option text)."""
        ...


def correct_choice(item: Item) -> str | None:
    """The text of the right option, as shown: a flashcard's definition or the correct mcq
    option (through `clean_option`, like every option)."""
    if item.type is ItemType.FLASHCARD:
        return clean_option(item.definition) if item.definition else None
    option = item.correct_option
    return clean_option(option.text) if option else None
