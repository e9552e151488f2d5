"""The topics a schedule or quiz can name: tags and deck ids, with item counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.content.bank import Bank
from bot.services.results import TopicInfo


@dataclass(eq=False)
class TopicService:
    bank: Bank

    def topics(self, scope: str | None = None) -> list[TopicInfo]:
        """Tags with at least one published item, then decks (with `scope`'s uploads), each
        counting only the items that can be asked (an upload's no_answer items never are)."""
        bank = self.bank.view(scope)
        askable = Counter(item.deck_id for item in bank.items.values())
        tags = [
            TopicInfo(tag, "tag", len(bank.by_tag(tag)), bank.tags.get(tag, ""))
            for tag in bank.used_tags()
        ]
        decks = [
            TopicInfo(deck.id, "deck", askable[deck.id], deck.title)
            for deck in sorted(bank.decks.values(), key=lambda d: d.id)
        ]
        return tags + decks
