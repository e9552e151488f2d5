"""A small bank for mock interview tests: related open items of each difficulty, one key
point with a follow-up of its own."""

from __future__ import annotations

from bot.content.bank import Bank
from bot.content.schema import Item
from tests.factories import bank, deck, mcq, open_item

FOLLOW_UP = "Where does gamma come in?"


def with_follow_up(item: Item, point: int = 2, text: str = FOLLOW_UP) -> Item:
    points = list(item.key_points)
    points[point] = points[point].model_copy(update={"follow_up": text})
    return item.model_copy(update={"key_points": points})


def interview_items() -> list[Item]:
    return [
        with_follow_up(open_item("dl/hard-1", difficulty="hard", tags=("attention",))),
        with_follow_up(open_item("dl/easy-1", difficulty="easy", tags=("attention",))),
        with_follow_up(open_item("dl/medium-1", difficulty="medium", tags=("attention",))),
        open_item("dl/medium-2", difficulty="medium", tags=("optimization",)),
        mcq("dl/choice-1", tags=("attention",)),
    ]


def interview_bank() -> Bank:
    return bank(deck("dl", interview_items()))
