"""The options shown for flashcards and multiple-choice items."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from bot.content.schema import Item, ItemType
from bot.domain.numbers import is_number as is_number  # re-export for older imports

MAX_DISTRACTORS = 3
# Option labels on every platform: an item has at most six options (the deck schema), so
# twelve leave room without a platform running out of letters.
LETTERS = "ABCDEFGHIJKL"
# Trailing marks some authors end a definition with and others leave off: dropped from
# every option, so no option stands out (and gives itself away) by its punctuation.
_TRAILING = re.compile(r"(?<!\.)[.;,:]$")


def clean_option(text: str) -> str:
    """An option as shown: `Max of zero and x.` -> `Max of zero and x` (an ellipsis stays)."""
    return _TRAILING.sub("", text.strip()).rstrip()


def _key(seed: str, text: str) -> str:
    return hashlib.sha256(f"{seed}\x1f{text}".encode()).hexdigest()


def flashcard_options(item: Item, candidates: Iterable[Item], seed: str) -> tuple[str, ...]:
    """Its definition plus up to three other definitions (same tag first, then same deck),
    each through `clean_option` so their punctuation is alike.

    Deterministic for a given seed; empty when the card has no definition to choose.
    """
    if not item.definition:
        return ()
    others = [
        other
        for other in candidates
        if other.id != item.id and other.type is ItemType.FLASHCARD and other.definition
    ]
    tags = set(item.tags)
    same_tag = [other for other in others if tags.intersection(other.tags)]
    # By id: comparing pydantic items field by field made this the answer path's hot spot.
    tagged = {other.id for other in same_tag}
    same_deck = [o for o in others if o.deck_id == item.deck_id and o.id not in tagged]
    chosen: list[str] = []
    seen = {_same_text(item.definition)}
    for group in (same_tag, same_deck):
        for other in sorted(group, key=lambda o: _key(seed, o.id)):
            if len(chosen) == MAX_DISTRACTORS:
                break
            assert other.definition is not None
            norm = _same_text(other.definition)
            if norm not in seen:
                seen.add(norm)
                chosen.append(clean_option(other.definition))
    options = [clean_option(item.definition), *chosen]
    return tuple(sorted(options, key=lambda text: _key(seed, text)))


def mcq_options(item: Item) -> tuple[str, ...]:
    """The author's options in the author's order (they may refer to each other), each
    through `clean_option` like flashcard options."""
    return tuple(clean_option(option.text) for option in item.options or ())


def options_for(item: Item, candidates: Iterable[Item], seed: str) -> tuple[str, ...]:
    """Options for a choice item; empty for open and coding items."""
    if item.type is ItemType.FLASHCARD:
        return flashcard_options(item, candidates, seed)
    if item.type is ItemType.MCQ:
        return mcq_options(item)
    return ()


def same_option(a: str, b: str) -> bool:
    """Whether two option texts are the same option (case and punctuation aside)."""
    return _same_text(a) == _same_text(b)


def _same_text(text: str) -> str:
    """Case and punctuation folded, so near-identical definitions count as one option."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))
