"""The deck format: pydantic models that every deck file must satisfy.

The models are the single source of truth; `content/deck.schema.json` is exported
from them (`prepbot content schema`) so editors can validate YAML as you type.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

ITEM_ID_RE = r"^[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*$"
DECK_ID_RE = r"^[a-z0-9][a-z0-9._-]*$"
SOURCE_REF_RE = r"^(Q[0-9]+|card [0-9]+|[A-Za-z0-9][A-Za-z0-9 ._:#/-]*)$"
DEFINITION_MAX = 100
POLL_QUESTION_MAX = 300
POLL_OPTION_MAX = 100
FOLLOW_UP_MAX = 300

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class ItemType(StrEnum):
    OPEN = "open"
    FLASHCARD = "flashcard"
    MCQ = "mcq"
    CODING = "coding"


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class Strict(BaseModel):
    """Base for deck models: unknown fields are errors, models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class KeyPoint(Strict):
    """One atomic claim a good answer makes, with the words an answer would use for it.

    `keywords` are alternatives (any one is evidence); `requires` are terms that must all be
    asserted in the same clause as that evidence (`a|b` gives alternatives for one term);
    `contradicted_by` are phrases that assert the opposite claim.
    """

    text: NonEmpty
    keywords: list[NonEmpty] = Field(default_factory=list)
    requires: list[NonEmpty] = Field(
        default_factory=list,
        description="Terms that must all appear in one clause with the evidence; "
        "'a|b' lists alternatives for one term.",
    )
    contradicted_by: list[NonEmpty] = Field(
        default_factory=list,
        description="Phrases asserting the opposite of this key point; an answer that asserts "
        "one is shown the point as contradicted.",
    )
    follow_up: str | None = Field(
        default=None,
        description="A short question a mock interview asks when an answer misses this key "
        "point (written in our own words).",
    )


class Misconception(Strict):
    """A wrong claim, with other wordings of the same claim to match answers against."""

    claim: NonEmpty
    wordings: list[NonEmpty] = Field(default_factory=list)

    @property
    def all_wordings(self) -> tuple[str, ...]:
        return (self.claim, *self.wordings)


class Option(Strict):
    """A multiple-choice option."""

    text: NonEmpty
    correct: bool = False
    why: str | None = None


class Source(Strict):
    """Where the question comes from: the document's file name and the question's ref."""

    document: NonEmpty
    ref: Annotated[str, StringConstraints(pattern=SOURCE_REF_RE)]


class Item(Strict):
    """One question of a deck."""

    id: Annotated[str, StringConstraints(pattern=ITEM_ID_RE)]
    type: ItemType
    question: NonEmpty
    answer: str = ""
    short_answer: str = ""
    key_points: list[KeyPoint] = Field(default_factory=list, max_length=6)
    misconceptions: list[NonEmpty | Misconception] = Field(default_factory=list)
    tags: list[NonEmpty] = Field(default_factory=list)
    difficulty: Difficulty = Difficulty.MEDIUM
    source: Source | None = None
    flags: list[NonEmpty] = Field(default_factory=list)
    term: str | None = None
    definition: str | None = None
    options: list[Option] | None = Field(default=None, min_length=2, max_length=6)

    @model_validator(mode="after")
    def _type_fields(self) -> Item:
        if self.type is ItemType.MCQ:
            if not self.options:
                raise ValueError("mcq items need 'options' (2-6 of them)")
            correct = sum(1 for option in self.options if option.correct)
            if correct != 1:
                raise ValueError(f"mcq items need exactly one correct option, found {correct}")
        elif self.options is not None:
            raise ValueError("only mcq items have 'options'")
        if self.type is ItemType.FLASHCARD:
            if not self.term:
                raise ValueError("flashcard items need a 'term'")
        elif self.term is not None or self.definition is not None:
            raise ValueError("only flashcard items have 'term' and 'definition'")
        return self

    @property
    def claims(self) -> tuple[Misconception, ...]:
        """The misconceptions, each with all its wordings (plain strings have one)."""
        return tuple(
            m if isinstance(m, Misconception) else Misconception(claim=m)
            for m in self.misconceptions
        )

    @property
    def deck_id(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def correct_option(self) -> Option | None:
        for option in self.options or ():
            if option.correct:
                return option
        return None


class Deck(Strict):
    """A deck file: metadata plus its items."""

    id: Annotated[str, StringConstraints(pattern=DECK_ID_RE)]
    title: NonEmpty
    language: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")]
    license: NonEmpty = Field(description="SPDX identifier or NOASSERTION")
    attribution: NonEmpty
    url: str | None = None
    status: Literal["published", "draft"] = "published"
    tags: dict[str, str] = Field(
        default_factory=dict,
        description="Draft decks only: new tags (name -> description) proposed by an import; "
        "merge them into content/tags.yaml before publishing.",
    )
    items: list[Item] = Field(default_factory=list)

    @property
    def published(self) -> bool:
        return self.status == "published"


def slugify(text: str, max_len: int = 40) -> str:
    """Lower-case ASCII slug for ids built from names (never from question text)."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:max_len].rstrip("-") or "x"
