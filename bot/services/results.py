"""Plain results the services return; adapters render them, nothing here is platform code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.leaderboard import Period
from bot.domain.models import AnswerKind, ChatKey, GroupKey, UserKey, Verdict
from bot.domain.views import QuestionView


@dataclass(frozen=True)
class ItemRef:
    item_id: str
    question: str


@dataclass(frozen=True)
class StreakView:
    current: int
    best: int
    freezes: int
    answered_today: bool


@dataclass(frozen=True)
class QuizSummary:
    session_id: int
    topic: str | None
    difficulty: str | None
    total: int
    correct: int
    partial: int
    incorrect: int
    skipped: int
    unanswered: int
    points: int
    stopped: bool
    to_review: tuple[ItemRef, ...]  # incorrect, partial and skipped questions

    @property
    def answered(self) -> int:
        return self.correct + self.partial + self.incorrect


@dataclass(frozen=True)
class AnswerResult:
    """Feedback on one answer; `counted` is False for repeat answers (feedback only)."""

    item_id: str
    kind: AnswerKind
    verdict: Verdict
    score: float
    covered: tuple[str, ...]
    missed: tuple[str, ...]
    misconceptions: tuple[str, ...]
    points: int
    counted: bool
    forfeited: bool  # revealed before answering: no points, still counts for the streak
    capped: bool  # the daily quiz/review cap reduced the points
    short_answer: str
    correct_option: str | None
    streak: StreakView
    notes: tuple[str, ...] = ()  # grader notices: too short, truncated, pasted reference
    next_question: QuestionView | None = None  # the quiz's next question
    summary: QuizSummary | None = None  # set when this answer finished a quiz
    chosen_option: str | None = None  # a choice answer: the option picked (no key points)
    why: str | None = None  # a choice answer: why the picked option is (not) right, if known
    freeze_earned: bool = False  # this answer made a 7th day in a row: a freeze was earned
    freeze_spent: bool = False  # a freeze bridged the day missed before this answer
    contradicted: tuple[str, ...] = ()  # key points the answer asserted the opposite of
    feedback: str | None = None  # the LLM stage's sentence or two (model text, shown as such)
    fallback: str | None = None  # why the LLM stage did not decide (GradeResult.fallback)
    # An open item without key points: nothing to grade against, so the learner sees the
    # reference answer and rates themselves; only the participation point is earned.
    self_graded: bool = False
    reference: str = ""


@dataclass(frozen=True)
class RevealResult:
    """A per-user reveal: the short answer first, the full answer on the second request."""

    item_id: str
    kind: AnswerKind
    stage: int
    question: str
    short_answer: str
    answer: str  # empty until the full stage
    key_points: tuple[str, ...]  # empty until the full stage
    answered: bool
    points_forfeited: bool  # revealed before answering: a later answer earns no points

    @property
    def full(self) -> bool:
        return self.stage >= 2


@dataclass(frozen=True)
class QuizInfo:
    session_id: int
    topic: str | None
    difficulty: str | None
    answered: int
    total: int


@dataclass(frozen=True)
class QuizStart:
    """A started quiz, or `conflict` describing the session that must end first."""

    session_id: int | None
    total: int
    requested: int
    question: QuestionView | None
    conflict: QuizInfo | None = None

    @property
    def started(self) -> bool:
        return self.conflict is None


@dataclass(frozen=True)
class QuizStep:
    """After a skip: the skipped question and the next one, or the summary."""

    skipped: ItemRef
    next_question: QuestionView | None
    summary: QuizSummary | None


@dataclass(frozen=True)
class ReviewPrompt:
    """The most overdue card and how many are due; if none is, when the next one will be."""

    question: QuestionView | None
    due: int
    next_due: datetime | None  # only set when nothing is due (None: no cards at all)


@dataclass(frozen=True)
class RatingResult:
    item_id: str
    rating: str
    due: datetime
    replaced_derived: bool  # the rating replaced one derived from the verdict


@dataclass(frozen=True)
class TagStat:
    tag: str
    answered: int
    accuracy: float
    correct: int = 0
    partial: int = 0

    @property
    def incorrect(self) -> int:
        return self.answered - self.correct - self.partial


@dataclass(frozen=True)
class StatsView:
    user: UserKey
    answered: int
    accuracy: float
    by_tag: tuple[TagStat, ...]
    streak: StreakView
    due_reviews: int
    points_week: int
    timezone: str
    interviews: int = 0  # mock interview rounds ended
    interview_scores: tuple[int, ...] = ()  # the last three overall scores, newest first


@dataclass(frozen=True)
class StatsCard:
    """Everything the /stats picture shows; `view` is what the text shows."""

    view: StatsView
    today: date  # the user's local day
    start: date  # the first day of the activity grid (a Monday)
    answered_days: tuple[date, ...]  # within [start, today]
    freeze_days: tuple[date, ...]  # missed days a freeze bridged, within [start, today]
    forecast: tuple[int, ...]  # cards coming due on each local day from today on (not yet due)
    points_all: int
    rank: int | None  # in the chat's group this week (None: not on the board)
    ranked: int  # how many are on that board
    last_answer: datetime | None

    @property
    def tags(self) -> tuple[TagStat, ...]:
        """The tags drawn: most answered first, at most 8."""
        return self.view.by_tag[:CARD_TAGS]


CARD_TAGS = 8
CARD_WEEKS = 26
FORECAST_DAYS = 14


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    user: UserKey
    display_name: str
    points: int
    answered: int
    accuracy: float
    streak: int


@dataclass(frozen=True)
class LeaderboardView:
    group: GroupKey
    period: Period
    timezone: str
    start: datetime | None
    end: datetime | None
    rows: tuple[LeaderboardRow, ...]
    caller: LeaderboardRow | None
    caller_opted_out: bool


@dataclass(frozen=True)
class WeekChart:
    """The group's week as a chart: `board` is the text board, `members` its rows, and
    `points[member][day]` their points on each local day of the week (Monday first)."""

    board: LeaderboardView
    days: tuple[date, ...]
    points: tuple[tuple[int, ...], ...]

    @property
    def members(self) -> tuple[LeaderboardRow, ...]:
        return self.board.rows


@dataclass(frozen=True)
class ScheduleView:
    chat: ChatKey
    time: str
    timezone: str
    weekdays: str
    topics: tuple[str, ...]
    reveal_delay_hours: int
    thread: bool
    paused: bool
    next_post_utc: datetime | None
    next_post_local: datetime | None
    pool_size: int
    broken: BrokenChat | None = None  # posting failed for good: paused until resumed


@dataclass(frozen=True)
class BrokenChat:
    """Why posting to a chat stopped (a permanent error) until an admin resumes it."""

    reason: str
    since: datetime  # in the schedule's time zone


@dataclass(frozen=True)
class TimezoneResult:
    own: str | None
    effective: str


@dataclass(frozen=True)
class ForgetRequest:
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class ForgetResult:
    deleted: bool


@dataclass(frozen=True)
class TopicInfo:
    name: str
    kind: str  # "tag" or "deck"
    items: int
    description: str
