"""What a question, a daily post and a channel reveal look like when shown: the plain views
the services build and the Messenger port carries to the platforms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.content.schema import ItemType
from bot.domain.models import AnswerKind, ChatKey, UserKey, Verdict


@dataclass(frozen=True)
class QuestionView:
    """A question ready to show; `options` is non-empty for choice items."""

    item_id: str
    kind: AnswerKind
    type: ItemType
    question: str
    options: tuple[str, ...]
    tags: tuple[str, ...]
    difficulty: str
    term: str | None = None
    position: int | None = None  # 1-based position in a quiz
    total: int | None = None


@dataclass(frozen=True)
class DailyQuestion:
    post_id: int
    chat: ChatKey
    local_date: date
    posted_at: datetime
    reveal_at: datetime | None
    question: QuestionView
    created: bool  # False when the stored post for that date was returned
    thread: bool = False


@dataclass(frozen=True)
class ScoreLine:
    user: UserKey
    display_name: str
    verdict: Verdict
    score: float
    points: int


@dataclass(frozen=True)
class ChannelReveal:
    post_id: int
    chat: ChatKey
    local_date: date
    item_id: str
    question: str
    short_answer: str
    answer: str
    answered: int
    top: tuple[ScoreLine, ...]
    first: bool  # False when this post had already been revealed
