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
    #: Decks uploaded in a chat or server: deck id -> the scope that owns it.
    owners: dict[str, str] = field(default_factory=dict)
    _views: dict[str | None, Bank] = field(default_factory=dict, repr=False)

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

    def add_owned(self, deck: Deck, scope: str) -> None:
        """Add an uploaded deck, seen only in `scope`'s view; items flagged no_answer stay
        out (nothing to show after an attempt)."""
        self.drop_owned(deck.id)
        self.decks[deck.id] = deck
        self.owners[deck.id] = scope
        for item in deck.items:
            if "no_answer" not in item.flags:
                self.items[item.id] = item
        self._views.clear()

    def drop_owned(self, deck_id: str) -> None:
        """Forget an uploaded deck and its items."""
        if self.owners.pop(deck_id, None) is None:
            return
        deck = self.decks.pop(deck_id)
        for item in deck.items:
            self.items.pop(item.id, None)
        self._views.clear()

    def view(self, scope: str | None) -> Bank:
        """The bank one chat sees: the shipped decks and its own scope's (cached until a
        deck is added or removed). None sees the shipped decks only."""
        if not self.owners:
            return self
        cached = self._views.get(scope)
        if cached is None:
            visible = {
                deck_id: deck
                for deck_id, deck in self.decks.items()
                if self.owners.get(deck_id, scope) == scope
            }
            cached = Bank(
                decks=visible,
                items={k: v for k, v in self.items.items() if v.deck_id in visible},
                tags=self.tags,
            )
            self._views[scope] = cached
        return cached

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
