"""The topics a schedule or quiz can name: tags and deck ids, with item counts."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.bank import Bank
from bot.services.results import TopicInfo


@dataclass(eq=False)
class TopicService:
    bank: Bank

    def topics(self, scope: str | None = None) -> list[TopicInfo]:
        """Tags with at least one published item, then decks (with `scope`'s uploads)."""
        bank = self.bank.view(scope)
        tags = [
            TopicInfo(tag, "tag", len(bank.by_tag(tag)), bank.tags.get(tag, ""))
            for tag in bank.used_tags()
        ]
        decks = [
            TopicInfo(deck.id, "deck", len(deck.items), deck.title)
            for deck in sorted(bank.decks.values(), key=lambda d: d.id)
        ]
        return tags + decks
