"""Mock interview rounds: the round model and its rules (question choice, follow-ups,
timing, scores, the report's figures). No I/O: the interview service stores and sends."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.content.schema import Difficulty, Item, ItemType, KeyPoint
from bot.domain.models import ChatKey, UserKey, Verdict

DEFAULT_QUESTIONS = 5
DEFAULT_MINUTES = 3
MIN_QUESTIONS, MAX_QUESTIONS = 3, 10
MIN_MINUTES, MAX_MINUTES = 1, 10
RECENT = timedelta(days=14)
"""Items answered correctly this recently are left out when others exist."""
IDLE_FACTOR = 2
"""A round idle for this many times its total time ends itself."""
REMINDER_BEFORE = timedelta(minutes=1)
STUDY_NEXT = 3
STRONG, WEAK = 0.7, 0.5
"""A tag's mean question score from which it is a strength, and below which a weak spot."""
INTERVIEW_TYPES = frozenset({ItemType.OPEN, ItemType.CODING})
_RANK = {Difficulty.EASY: 0, Difficulty.MEDIUM: 1, Difficulty.HARD: 2}


class RoundStatus(StrEnum):
    ACTIVE = "active"
    FINISHED = "finished"
    STOPPED = "stopped"
    EXPIRED = "expired"  # left idle for twice its total time


@dataclass(frozen=True)
class InterviewQuestion:
    """One question of a round and, once answered, how it went."""

    item_id: str
    asked_at: datetime | None = None  # when it was sent (or resumed after a restart)
    answered_at: datetime | None = None
    seconds: int | None = None  # from asked_at to the answer
    late: bool = False
    verdict: Verdict | None = None
    score: float = 0.0  # 0-1, after a follow-up lift
    covered: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()
    contradicted: tuple[str, ...] = ()
    follow_up_point: str | None = None  # the missed key point a follow-up asks about
    follow_up_text: str | None = None
    follow_up_asked_at: datetime | None = None
    follow_up_answered_at: datetime | None = None
    follow_up_covered: bool | None = None  # None: not asked or not answered yet

    @property
    def answered(self) -> bool:
        return self.verdict is not None

    @property
    def awaiting_follow_up(self) -> bool:
        return self.follow_up_point is not None and self.follow_up_answered_at is None


@dataclass(frozen=True)
class InterviewRound:
    """A learner's timed round: at most one active per user."""

    id: int
    user: UserKey
    chat: ChatKey  # where the round runs: a private chat, thread or DM
    topic: str | None
    minutes: int  # allowed per question
    questions: tuple[InterviewQuestion, ...]
    position: int  # index of the current question
    status: RoundStatus
    started_at: datetime
    last_activity: datetime
    ended_at: datetime | None = None
    reminded: bool = False  # the current question's one-minute reminder went out
    score: int | None = None  # overall, out of 100, once ended

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def current(self) -> InterviewQuestion | None:
        if self.status is not RoundStatus.ACTIVE or self.position >= self.total:
            return None
        return self.questions[self.position]

    @property
    def allowed(self) -> timedelta:
        return timedelta(minutes=self.minutes)

    @property
    def answered(self) -> tuple[InterviewQuestion, ...]:
        return tuple(q for q in self.questions if q.answered)

    def with_question(self, index: int, question: InterviewQuestion) -> InterviewRound:
        questions = list(self.questions)
        questions[index] = question
        return replace(self, questions=tuple(questions))


def choose_questions(
    pool: Iterable[Item], recent_correct: Iterable[str], count: int, seed: str
) -> list[str]:
    """Up to `count` open or coding items: related by tag, easier first, none answered
    correctly in the last 14 days while enough others exist."""
    rng = random.Random(seed)
    items = [item for item in pool if item.type in INTERVIEW_TYPES]
    recent = set(recent_correct)
    fresh = [item for item in items if item.id not in recent]
    stale = [item for item in items if item.id in recent]
    rng.shuffle(fresh)
    rng.shuffle(stale)
    candidates = fresh if len(fresh) >= count else fresh + stale
    if not candidates:
        return []
    # Relate the round by one tag: the one most candidates share (ties broken by the shuffle).
    counts: dict[str, int] = defaultdict(int)
    for item in candidates:
        for tag in item.tags:
            counts[tag] += 1
    anchor = max(counts, key=lambda tag: counts[tag]) if counts else None
    order = {item.id: index for index, item in enumerate(candidates)}
    related = sorted(
        candidates,
        key=lambda item: (
            anchor not in item.tags,
            item.id in recent,
            order[item.id],
        ),
    )
    chosen = related[:count]
    chosen.sort(key=lambda item: (_RANK[item.difficulty], order[item.id]))
    return [item.id for item in chosen]


def follow_up_for(item: Item, missed: Sequence[str]) -> KeyPoint | None:
    """The key point a follow-up asks about: the first missed one (key points are listed
    most important first) that has its own follow-up, else the first missed."""
    points = [point for point in item.key_points if point.text in missed]
    if not points:
        return None
    with_text = [point for point in points if point.follow_up]
    return (with_text or points)[0]


def wants_follow_up(verdict: Verdict, missed: Sequence[str]) -> bool:
    """A follow-up only for a partial answer that missed a key point."""
    return verdict is Verdict.PARTIAL and bool(missed)


def lifted(question: InterviewQuestion, item: Item, covered: bool) -> InterviewQuestion:
    """The question after its follow-up: a covered point adds its share of the key points,
    at most to partial + that point (the verdict stays partial)."""
    if not covered or question.follow_up_point is None:
        return question
    share = 1.0 / max(1, len(item.key_points))
    return replace(
        question,
        score=min(1.0, question.score + share),
        covered=(*question.covered, question.follow_up_point),
        missed=tuple(p for p in question.missed if p != question.follow_up_point),
    )


def is_late(asked_at: datetime, answered_at: datetime, allowed: timedelta) -> bool:
    return answered_at - asked_at > allowed


def seconds_between(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds()))


def idle_expired(round_: InterviewRound, now: datetime) -> bool:
    """Left idle for twice the round's total time."""
    limit = round_.allowed * round_.total * IDLE_FACTOR
    return round_.status is RoundStatus.ACTIVE and now - round_.last_activity >= limit


def reminder_at(round_: InterviewRound) -> datetime | None:
    """When the current question's one-minute reminder is due; None when there is none
    (already sent, no time to spare, or the question is answered and awaits a follow-up)."""
    question = round_.current
    if question is None or round_.reminded or question.asked_at is None or question.answered:
        return None
    if round_.allowed <= REMINDER_BEFORE:
        return None
    return question.asked_at + round_.allowed - REMINDER_BEFORE


def question_score(question: InterviewQuestion) -> int:
    """0-100."""
    return round(100 * question.score)


def overall_score(round_: InterviewRound) -> int:
    """Out of 100: the mean score of the questions answered (0 when none was)."""
    answered = round_.answered
    if not answered:
        return 0
    return round(100 * sum(q.score for q in answered) / len(answered))


@dataclass(frozen=True)
class TagScore:
    tag: str
    score: int  # mean question score, 0-100
    questions: int


def by_tag(
    round_: InterviewRound, items: Mapping[str, Item]
) -> tuple[tuple[TagScore, ...], tuple[TagScore, ...]]:
    """(strengths, weak spots): tags of the answered questions by their mean score."""
    scores: dict[str, list[float]] = defaultdict(list)
    for question in round_.answered:
        item = items.get(question.item_id)
        for tag in item.tags if item else ():
            scores[tag].append(question.score)
    tags = [
        TagScore(tag, round(100 * sum(values) / len(values)), len(values))
        for tag, values in scores.items()
    ]
    strengths = sorted(
        (t for t in tags if t.score >= 100 * STRONG), key=lambda t: (-t.score, t.tag)
    )
    weak = sorted((t for t in tags if t.score < 100 * WEAK), key=lambda t: (t.score, t.tag))
    return tuple(strengths), tuple(weak)


def study_next(round_: InterviewRound) -> tuple[str, ...]:
    """Three items to study next: the weakest answered questions first (not the perfect
    ones), then the questions not reached."""
    answered = sorted(
        (q for q in round_.answered if q.score < 1.0), key=lambda q: (q.score, q.item_id)
    )
    unanswered = [q for q in round_.questions if not q.answered]
    return tuple(q.item_id for q in [*answered, *unanswered][:STUDY_NEXT])


def weakest_tag(
    round_: InterviewRound, items: Mapping[str, Item], topics: Sequence[str] = ()
) -> str | None:
    """The tag to /quiz next: the weakest spot, else the round's own topic."""
    _, weak = by_tag(round_, items)
    if weak:
        return weak[0].tag
    return topics[0] if topics else None
