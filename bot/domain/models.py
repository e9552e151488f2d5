"""Platform-neutral value objects shared by the domain, the services and the stores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from bot.domain.streaks import StoredStreak


class Verdict(StrEnum):
    """How well an answer matched the reference."""

    CORRECT = "correct"
    PARTIAL = "partial"
    INCORRECT = "incorrect"


class AnswerKind(StrEnum):
    """What an answer was given to; quiz and review points share a daily cap."""

    DAILY = "daily"
    QUIZ = "quiz"
    REVIEW = "review"
    INTERVIEW = "interview"


class QuizStatus(StrEnum):
    ACTIVE = "active"
    FINISHED = "finished"
    STOPPED = "stopped"


SKIPPED = "skipped"
"""Outcome recorded for a quiz question the user skipped."""


@dataclass(frozen=True, order=True)
class UserKey:
    """A user on one platform; ids are strings so every platform fits."""

    platform: str
    user_id: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.user_id}"


@dataclass(frozen=True, order=True)
class ChatKey:
    """A channel or chat on one platform."""

    platform: str
    chat_id: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.chat_id}"


@dataclass(frozen=True, order=True)
class GroupKey:
    """A server (Discord guild) or group; leaderboards are per group."""

    platform: str
    group_id: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.group_id}"

    @classmethod
    def of_chat(cls, chat: ChatKey) -> GroupKey:
        """A chat that belongs to no server is its own group (Telegram groups, DMs)."""
        return cls(chat.platform, chat.chat_id)


@dataclass(frozen=True)
class User:
    key: UserKey
    display_name: str
    created_at: datetime
    timezone: str | None = None
    leaderboard_opt_out: bool = False


@dataclass(frozen=True)
class Chat:
    key: ChatKey
    group: GroupKey
    title: str
    # The selection seed is fixed at creation so a chat migration keeps its question order.
    seed: str
    created_at: datetime
    broken_at: datetime | None = None  # the bot lost access; no posts until resumed
    broken_reason: str | None = None
    feedback: str = "auto"  # where answer feedback goes in a group: FEEDBACK_MODES


#: Where feedback on answers goes in a group chat (an admin's choice; "auto" by default).
FEEDBACK_MODES = ("auto", "group", "private")


@dataclass(frozen=True)
class Schedule:
    """A channel's daily-question subscription."""

    chat: ChatKey
    local_time: time
    timezone: str
    weekdays: frozenset[int]
    topics: tuple[str, ...]
    reveal_delay_hours: int
    thread: bool
    paused: bool
    next_post_utc: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class DailyPost:
    """The question a chat got on one local date; its item never changes once stored."""

    id: int
    chat: ChatKey
    local_date: date
    item_id: str
    cycle: int
    posted_at: datetime
    reveal_at: datetime | None = None
    revealed_at: datetime | None = None


@dataclass(frozen=True)
class SelectionState:
    """Where a chat is in its question order: the cycle, items used in it, the latest item."""

    cycle: int
    used: frozenset[str]
    last_item: str | None


@dataclass(frozen=True)
class GradeResult:
    verdict: Verdict
    score: float
    covered: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()
    misconceptions: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    """Guard notices for the user (too short, truncated, pasted reference, ...)."""
    contradicted: tuple[str, ...] = ()
    """Key points the answer asserts the opposite of."""
    stage: str = "lexical"
    """Which grading stage decided: "lexical" or "llm"."""
    fallback: str | None = None
    """Why an optional stage did not decide ("timeout", "error", "invalid", "daily_limit",
    "rejected"); None when it did, or when no optional stage is configured."""
    feedback: str | None = None
    """A sentence or two of feedback from the LLM stage (model text, not our wording)."""


@dataclass(frozen=True)
class AnswerRecord:
    """A user's first graded answer to one target (a daily post, a quiz slot, a review)."""

    user: UserKey
    chat: ChatKey | None
    group: GroupKey | None
    kind: AnswerKind
    target: str
    item_id: str
    verdict: Verdict
    score: float
    points: int
    forfeited: bool
    answered_at: datetime
    post_id: int | None = None
    id: int | None = None


@dataclass(frozen=True)
class AnswerContext:
    """What the answer path reads before grading, fetched in one go."""

    user: User | None
    chat: Chat | None
    existing: AnswerRecord | None  # the user's earlier answer to the same target
    reveals: int  # how often the user revealed the target
    card: ReviewCard | None
    chat_timezone: str | None  # the chat's schedule zone
    streak: StoredStreak | None = None  # the user's stored streak, if any


@dataclass(frozen=True)
class AnswerStart:
    """What `/answer` without a target reads, in one round trip: the user's active quiz;
    else the chat's latest daily post and the answer context for it (None without a post)."""

    quiz: QuizSession | None
    post: DailyPost | None = None
    context: AnswerContext | None = None


@dataclass(frozen=True)
class QuizSession:
    id: int
    user: UserKey
    chat: ChatKey
    item_ids: tuple[str, ...]
    # One entry per item: a Verdict value, SKIPPED, or None when not reached.
    outcomes: tuple[str | None, ...]
    position: int
    points: int
    status: QuizStatus
    started_at: datetime
    topic: str | None = None
    difficulty: str | None = None
    ended_at: datetime | None = None

    @property
    def current_item_id(self) -> str | None:
        if self.status is not QuizStatus.ACTIVE or self.position >= len(self.item_ids):
            return None
        return self.item_ids[self.position]


@dataclass(frozen=True)
class ReviewCard:
    """A user's spaced-repetition card for one item (fsrs state as JSON)."""

    user: UserKey
    item_id: str
    card_json: str
    due: datetime
    last_review: datetime | None = None
    # The state before a rating derived from a verdict, so an explicit rating can replace it.
    prev_card_json: str | None = None


@dataclass(frozen=True)
class Report:
    id: int
    user: UserKey | None
    item_id: str
    reason: str
    created_at: datetime


@dataclass(frozen=True)
class LeaderboardEntry:
    """One user's totals in a group over a window."""

    user: UserKey
    display_name: str
    points: int
    answered: int
    correct: int
    partial: int
    reached_at: datetime

    @property
    def accuracy(self) -> float:
        return accuracy(self.correct, self.partial, self.answered)


@dataclass(frozen=True)
class PostScore:
    user: UserKey
    display_name: str
    verdict: Verdict
    score: float
    points: int
    answered_at: datetime


@dataclass(frozen=True)
class PostResults:
    answered: int
    top: tuple[PostScore, ...]


def accuracy(correct: int, partial: int, answered: int) -> float:
    """(correct + 0.5 * partial) / answered, 0 when nothing was answered."""
    if answered <= 0:
        return 0.0
    return (correct + 0.5 * partial) / answered


def daily_target(post_id: int) -> str:
    return f"daily:{post_id}"


def quiz_target(session_id: int, position: int) -> str:
    return f"quiz:{session_id}:{position}"


def interview_target(round_id: int, position: int) -> str:
    return f"interview:{round_id}:{position}"


def review_target(item_id: str, due: datetime) -> str:
    """One review occurrence: the card's due time tells occurrences apart."""
    return f"review:{item_id}:{int(due.timestamp())}"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"  # too old when the sender got to it
    FAILED = "failed"  # retries exhausted
    BROKEN = "broken"  # the chat is unreachable


class OutboxKind(StrEnum):
    DAILY = "daily"
    REVEAL = "reveal"


@dataclass(frozen=True)
class DueGroup:
    """Due schedules sharing a time, zone, weekdays and due instant: planned once for all."""

    local_time: time
    timezone: str
    weekdays: frozenset[int]
    due: datetime
    channels: int


@dataclass(frozen=True)
class NewOutboxRow:
    """A message the tick decided a chat is due."""

    chat: ChatKey
    kind: OutboxKind
    local_date: date
    due_at: datetime
    post_id: int | None = None


@dataclass(frozen=True)
class OutboxRow:
    """A stored outbox row and its delivery state."""

    id: int
    chat: ChatKey
    kind: OutboxKind
    local_date: date
    post_id: int | None
    due_at: datetime
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    message_id: str | None = None
    sent_at: datetime | None = None
    error: str | None = None


@dataclass(frozen=True)
class Lease:
    """Who holds a named lease (one holder across every process on the database)."""

    name: str
    holder: str
    expires_at: datetime


@dataclass(frozen=True)
class OutboxHealth:
    """What `prepbot status` reads from the database: the outbox's pending rows (how many,
    the oldest's due time) and how many chats are marked broken."""

    pending: int
    oldest_pending_due: datetime | None
    broken_chats: int
