"""The question bank as the running bot sees it: published decks, indexed."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.checker import check_paths, load_tags
from bot.content.schema import Deck, Item
from bot.errors import ContentError

log = logging.getLogger(__name__)


@dataclass
class Bank:
    """Every published deck and item, with lookups by id and tag."""

    decks: dict[str, Deck] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_decks(cls, decks: Iterable[Deck], tags: dict[str, str] | None = None) -> Bank:
        bank = cls(tags=dict(tags or {}))
        for deck in decks:
            if not deck.published:
                continue
            bank.decks[deck.id] = deck
            for item in deck.items:
                bank.items[item.id] = item
        return bank

    def item(self, item_id: str) -> Item | None:
        return self.items.get(item_id)

    def by_tag(self, tag: str) -> list[Item]:
        return [item for item in self.items.values() if tag in item.tags]

    def used_tags(self) -> list[str]:
        return sorted({tag for item in self.items.values() for tag in item.tags})

    def pool(self, topics: Iterable[str] = ()) -> list[Item]:
        """Items matching any topic (a tag or a deck id); no topics means every item."""
        wanted = set(topics)
        if not wanted:
            return list(self.items.values())
        return [
            item
            for item in self.items.values()
            if item.deck_id in wanted or wanted.intersection(item.tags)
        ]


def load_bank(content_dir: Path) -> Bank:
    """Load and validate every deck; any error stops with all problems listed."""
    if not content_dir.is_dir():
        raise ContentError(f"content directory not found: {content_dir}")
    tags = load_tags(content_dir)
    result = check_paths([content_dir], tags=tags)
    if result.errors:
        listing = "\n".join(str(p) for p in result.errors[:20])
        more = len(result.errors) - 20
        suffix = f"\n... and {more} more" if more > 0 else ""
        raise ContentError(f"{len(result.errors)} problem(s) in decks:\n{listing}{suffix}")
    bank = Bank.from_decks((deck for _, deck in result.decks), tags)
    log.info("loaded %d items from %d decks", len(bank.items), len(bank.decks))
    return bank
