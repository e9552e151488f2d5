"""Small in-code decks and banks for tests: never depend on the shipped decks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.content.bank import Bank
from bot.content.schema import Deck, Item, KeyPoint, Option
from bot.domain.models import ChatKey, UserKey

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)  # a Monday


def key_points(*points: tuple[str, Sequence[str]]) -> list[KeyPoint]:
    return [KeyPoint(text=text, keywords=list(words)) for text, words in points]


def open_item(
    item_id: str,
    *,
    tags: Sequence[str] = ("regularization",),
    difficulty: str = "medium",
    points: Sequence[tuple[str, Sequence[str]]] | None = None,
    misconceptions: Sequence[str] = (),
    question: str | None = None,
) -> Item:
    """An open item with four key points by default (keywords alpha..delta + item suffix)."""
    if points is None:
        points = [
            ("Uses alpha.", ["alpha"]),
            ("Uses beta.", ["beta"]),
            ("Uses gamma.", ["gamma"]),
            ("Uses delta.", ["delta"]),
        ]
    return Item(
        id=item_id,
        type="open",
        question=question or f"Question {item_id}?",
        answer=f"The full answer of {item_id}: alpha beta gamma delta.",
        short_answer=f"Short answer of {item_id}.",
        key_points=key_points(*points),
        misconceptions=list(misconceptions),
        tags=list(tags),
        difficulty=difficulty,
    )


def flashcard(
    item_id: str, definition: str, *, tags: Sequence[str] = ("activation-functions",)
) -> Item:
    return Item(
        id=item_id,
        type="flashcard",
        question=f"What is {item_id}?",
        term=item_id.split("/")[-1],
        definition=definition,
        answer=f"{definition} (long form)",
        short_answer=definition,
        key_points=key_points(("The definition.", [definition.split()[0].lower()])),
        tags=list(tags),
        difficulty="easy",
    )


def mcq(item_id: str, *, tags: Sequence[str] = ("normalization",)) -> Item:
    return Item(
        id=item_id,
        type="mcq",
        question=f"Pick one for {item_id}",
        options=[
            Option(text="Right option", correct=True),
            Option(text="Wrong option A"),
            Option(text="Wrong option B"),
        ],
        answer="Right option, because.",
        short_answer="Right option.",
        key_points=key_points(("The right option.", ["right"])),
        tags=list(tags),
        difficulty="easy",
    )


def deck(deck_id: str, items: Iterable[Item], **extra: Any) -> Deck:
    return Deck(
        id=deck_id,
        title=f"Deck {deck_id}",
        language="en",
        license="NOASSERTION",
        attribution="tests",
        items=list(items),
        **extra,
    )


def bank(*decks: Deck) -> Bank:
    tags = {"regularization": "", "activation-functions": "", "normalization": "", "cnn": ""}
    return Bank.from_decks(decks, tags)


def open_deck(deck_id: str = "dl", count: int = 6, **kwargs: Any) -> Deck:
    return deck(deck_id, [open_item(f"{deck_id}/q{n:02d}", **kwargs) for n in range(1, count + 1)])


def standard_bank() -> Bank:
    """Two open decks (regularization, cnn), flashcards, and an mcq."""
    cards = deck(
        "cards",
        [
            flashcard("cards/relu", "Max of zero and x."),
            flashcard("cards/sigmoid", "Squashes to between zero and one."),
            flashcard("cards/tanh", "Squashes to between minus one and one."),
            flashcard("cards/softmax", "Turns scores into probabilities."),
            flashcard("cards/gelu", "Gaussian error linear unit.", tags=("regularization",)),
            mcq("cards/bn"),
        ],
    )
    return bank(
        open_deck("dl", 6),
        deck("vision", [open_item(f"vision/q{n:02d}", tags=("cnn",)) for n in range(1, 4)]),
        cards,
    )


GOOD = "It uses alpha, beta, gamma and delta."
PARTIAL = "alpha beta"
BAD = "nothing relevant"


@dataclass
class FakeClock:
    """A clock the test moves by hand."""

    current: datetime = field(default=T0)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current = self.current + timedelta(**delta)
        return self.current

    def set(self, when: datetime) -> datetime:
        self.current = when.astimezone(UTC)
        return self.current


ALICE = UserKey("telegram", "101")
BOB = UserKey("telegram", "102")
CAROL = UserKey("telegram", "103")
CHAT = ChatKey("telegram", "-1001")
OTHER_CHAT = ChatKey("telegram", "-1002")
