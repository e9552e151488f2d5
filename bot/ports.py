"""The Protocols between the core and the outside: persistence (Store), time (Clock),
grading (Grader), outbound delivery (Messenger and what it carries) and chat adapters."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from bot.content.schema import Item
from bot.domain.decks import StoredDeck
from bot.domain.interview import InterviewRound
from bot.domain.models import (
    AnswerContext,
    AnswerKind,
    AnswerRecord,
    AnswerStart,
    Chat,
    ChatKey,
    DailyPost,
    DueGroup,
    GradeResult,
    GroupKey,
    LeaderboardEntry,
    Lease,
    NewOutboxRow,
    OutboxHealth,
    OutboxRow,
    OutboxStatus,
    PostResults,
    QuizSession,
    Report,
    ReviewCard,
    Schedule,
    SelectionState,
    User,
    UserKey,
    Verdict,
)
from bot.domain.streaks import StoredStreak
from bot.domain.views import ChannelReveal, DailyQuestion
from bot.errors import Notice


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    """The real clock, in whole seconds (stores keep epoch seconds)."""

    def now(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0)


class Grader(Protocol):
    """Scores an answer to an item (`bot.grading.factory` builds the concrete one)."""

    def grade(self, item: Item, text: str) -> GradeResult:
        """Grade a free-text answer."""
        ...

    def grade_choice(self, item: Item, chosen: str) -> GradeResult:
        """Grade a chosen option (flashcard definition or mcq option text)."""
        ...


class AsyncGrader(Grader, Protocol):
    """A grader with a stage that waits on I/O (a model server): the answer path awaits
    `grade_async`; `grade` stays the synchronous floor."""

    @property
    def slow(self) -> bool:
        """True when answers may wait on the network (show a "grading..." state)."""
        ...

    async def grade_async(self, item: Item, text: str) -> GradeResult:
        """Grade a free-text answer without blocking the event loop."""
        ...


@dataclass(frozen=True)
class DailyPostMessage:
    """A scheduled daily question for one chat.

    `outbox_id` is unique per message and stable across retries and restarts: Discord
    sends it as the message nonce so a resend after a crash is dropped by Discord itself.
    """

    chat: ChatKey
    outbox_id: int
    daily: DailyQuestion

    @property
    def post_id(self) -> int:
        return self.daily.post_id


@dataclass(frozen=True)
class RevealMessage:
    """A scheduled channel reveal for one chat (`outbox_id` as for DailyPostMessage)."""

    chat: ChatKey
    outbox_id: int
    reveal: ChannelReveal

    @property
    def post_id(self) -> int:
        return self.reveal.post_id


#: What the outbox sender hands a Messenger.
Outgoing = DailyPostMessage | RevealMessage


@dataclass(frozen=True)
class RateBudget:
    """How fast the outbox sender may deliver on one platform: `overall` and `per_chat`
    are (messages, seconds) windows, kept below the platform's documented limits."""

    overall: tuple[float, float] = (20, 1.0)
    per_chat: tuple[float, float] | None = None
    #: Sends between their request and their record at once. A kill -9 can resend each
    #: of them once, unless the platform drops a resend itself (Discord's nonce); more
    #: than one keeps the budget's rate when a round trip takes longer than a slot.
    in_flight: int = 1


class Messenger(Protocol):
    """Outbound delivery for one platform; the adapters implement it.

    `deliver` returns the platform message id, raises `ChatUnavailable` when the bot lost
    access to the chat (403/404, kicked), `RateLimited` on a 429 the library did not
    absorb, and any other `DeliveryError` (or exception) for a failure worth retrying.
    """

    platform: str

    async def deliver(self, message: Outgoing) -> str:
        """Send a daily post or a channel reveal."""
        ...

    async def notify_admins(self, chat: ChatKey, notice: Notice) -> bool:
        """Best effort: tell the chat's admins something (e.g. that posting failed); the
        platform writes the notice in its words."""
        ...


class Adapter(Protocol):
    """What the composition root needs from a chat adapter."""

    messenger: Messenger

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class UserStore(Protocol):
    """Users, their settings and whether the bot may message them privately.

    delete_user spans aggregates: it deletes everything stored about the user at once.
    """

    async def upsert_user(self, key: UserKey, display_name: str, now: datetime) -> User:
        """Create the user, or update the display name if it changed."""
        ...

    async def get_user(self, key: UserKey) -> User | None: ...

    async def get_users(self, keys: Sequence[UserKey]) -> dict[UserKey, User]:
        """The users that exist among `keys`, in one query."""
        ...

    async def set_user_timezone(self, key: UserKey, timezone: str | None) -> None: ...

    async def set_leaderboard_opt_out(self, key: UserKey, opt_out: bool) -> None: ...

    async def set_private_ok(self, user: UserKey, ok: bool) -> bool:
        """Record whether the bot may message the user privately; False if the user is
        unknown (nothing is stored). Deleted with the user."""
        ...

    async def private_ok(self, user: UserKey) -> bool:
        """True when the user opened a private chat with the bot and did not block it."""
        ...

    async def delete_user(self, key: UserKey) -> bool:
        """Delete the user and everything stored about them; False if unknown."""
        ...


class ChatStore(Protocol):
    """Chats and whether posting to them works.

    migrate_chat spans aggregates: schedule, posts, answers, quizzes and outbox rows move
    with the chat.
    """

    async def upsert_chat(self, key: ChatKey, group: GroupKey, title: str, now: datetime) -> Chat:
        """Create the chat (its selection seed is its key), or update group and title."""
        ...

    async def get_chat(self, key: ChatKey) -> Chat | None: ...

    async def migrate_chat(self, old: ChatKey, new: ChatKey, group: GroupKey | None) -> Chat:
        """Move a chat to a new id keeping schedule, posts, answers, sessions and seed.

        If `new` already exists, its rows are merged into the migrated chat (the old
        chat's schedule and posts win on conflict). Raises NotFoundError for unknown `old`.
        """
        ...

    async def mark_chat_broken(self, chat: ChatKey, reason: str, at: datetime) -> bool:
        """Stop posting to a chat; True when it was not broken before (tell admins once)."""
        ...

    async def clear_chat_broken(self, chat: ChatKey) -> bool:
        """An admin resumed the chat; True when it had been broken."""
        ...

    async def set_chat_feedback(self, chat: ChatKey, mode: str) -> bool:
        """Where answer feedback goes in the chat (one of FEEDBACK_MODES); False for an
        unknown chat."""
        ...


class ScheduleStore(Protocol):
    """Each chat's posting schedule and what is due."""

    async def save_schedule(self, schedule: Schedule) -> None:
        """Insert or replace the chat's schedule (the chat must exist)."""
        ...

    async def get_schedule(self, chat: ChatKey) -> Schedule | None: ...

    async def delete_schedule(self, chat: ChatKey) -> bool: ...

    async def due_groups(self, now: datetime) -> list[DueGroup]:
        """Unpaused schedules of working chats due by `now`, grouped by local time, zone,
        weekdays and due instant; earliest first."""
        ...

    async def enqueue_group(
        self, group: DueGroup, local_date: date, next_post: datetime | None, limit: int
    ) -> tuple[int, int]:
        """In ONE transaction, for up to `limit` of the group's channels still due at
        `group.due`: insert their daily outbox rows for `local_date` (a duplicate chat+date
        is ignored) and set next_post_utc to `next_post`. Returns (channels, new rows)."""
        ...

    async def group_timezone(self, group: GroupKey) -> str | None:
        """The timezone of the group's oldest schedule, if any chat in it has one."""
        ...


class PostStore(Protocol):
    """Daily posts, question selection, and the messages and polls that carried them."""

    async def create_daily_post(
        self,
        chat: ChatKey,
        local_date: date,
        item_id: str,
        cycle: int,
        posted_at: datetime,
        reveal_at: datetime | None,
    ) -> DailyPost:
        """Store the chat's post for a local date; if one exists, return it unchanged."""
        ...

    async def get_daily_post(self, chat: ChatKey, local_date: date) -> DailyPost | None: ...

    async def get_post(self, post_id: int) -> DailyPost | None: ...

    async def latest_daily_post(self, chat: ChatKey) -> DailyPost | None:
        """The chat's post with the latest local date."""
        ...

    async def selection_state(self, chat: ChatKey) -> SelectionState:
        """The chat's current cycle, the items used in it, and the latest item posted."""
        ...

    async def mark_post_revealed(self, post_id: int, at: datetime) -> bool:
        """Record the channel reveal; False if it was already revealed."""
        ...

    async def posts_due_for_reveal(self, now: datetime, limit: int) -> list[DailyPost]:
        """Unrevealed posts whose reveal_at <= now, earliest first."""
        ...

    async def post_results(self, post_id: int, limit: int) -> PostResults:
        """How many users answered a post and the best `limit` (score desc, earliest)."""
        ...

    async def set_post_message(self, post_id: int, message_id: str) -> None:
        """Remember the platform message that carried a daily post."""
        ...

    async def post_by_message(self, chat: ChatKey, message_id: str) -> DailyPost | None:
        """The daily post a platform message carried, if any."""
        ...

    async def remember_poll(self, platform: str, poll_id: str, post_id: int, now: datetime) -> None:
        """Record the daily post a native poll shows (its votes name only the poll).

        Raises NotFoundError for an unknown post; the post's deletion forgets the poll.
        """
        ...

    async def poll_post(self, platform: str, poll_id: str) -> DailyPost | None:
        """The daily post a native poll shows, if the poll is known."""
        ...


class AnswerStore(Protocol):
    """Answers with the streaks and reveal counts they feed, and the figures read from them.

    record_answer spans aggregates: the answer, its review card, quiz progress and streak
    commit together.
    """

    async def answer_context(
        self, user: UserKey, chat: ChatKey, target: str, item_id: str
    ) -> AnswerContext:
        """Everything the answer path reads, in one round trip (the hot path)."""
        ...

    async def answer_start(self, user: UserKey, chat: ChatKey) -> AnswerStart:
        """The user's active quiz in the chat; without one, the chat's latest daily post
        and the answer context for it (`answer_context` of its target and item): what an
        answer without a target needs, in one round trip."""
        ...

    async def record_answer(
        self,
        answer: AnswerRecord,
        card: ReviewCard | None = None,
        quiz: QuizSession | None = None,
        streak: StoredStreak | None = None,
        *,
        newcomer: User | None = None,
    ) -> AnswerRecord | None:
        """Store a first answer with its card, quiz progress and the user's advanced streak
        in one transaction; `newcomer` is the user to create first when the answer context
        found none (a user who exists by then is kept as is).

        Returns the stored record with its id, or None (writing nothing) if the user
        already answered that target.
        """
        ...

    async def get_answer(self, user: UserKey, target: str) -> AnswerRecord | None: ...

    async def points_between(
        self,
        user: UserKey,
        start: datetime | None,
        end: datetime | None,
        kinds: Collection[AnswerKind] | None = None,
    ) -> int:
        """Sum of the user's points answered in [start, end) (None: unbounded)."""
        ...

    async def answer_times_many(self, users: Sequence[UserKey]) -> dict[UserKey, list[datetime]]:
        """When each user answered (as `StoreInspection.answer_times`), in one query."""
        ...

    async def streak_states(self, users: Sequence[UserKey]) -> dict[UserKey, StoredStreak]:
        """The stored streaks of those among `users` that have one, in one query."""
        ...

    async def verdict_counts(self, user: UserKey) -> list[tuple[str, Verdict, int]]:
        """(item id, verdict, number of answers) for the user."""
        ...

    async def answered_item_ids(self, user: UserKey) -> set[str]: ...

    async def leaderboard_entries(
        self, group: GroupKey, start: datetime | None, end: datetime | None
    ) -> list[LeaderboardEntry]:
        """Per-user totals of the group's answers in [start, end), opted-out users left out.

        `reached_at` is the time of the user's last answer that earned points in the window.
        """
        ...

    async def record_reveal(self, user: UserKey, target: str, item_id: str, now: datetime) -> int:
        """Count one more reveal of a target by the user; returns the new count."""
        ...


class QuizStore(Protocol):
    """Quiz sessions, at most one active per user and chat."""

    async def create_quiz(self, session: QuizSession) -> QuizSession | None:
        """Store a new active session (its id is assigned); None if one is already active."""
        ...

    async def get_quiz(self, session_id: int) -> QuizSession | None: ...

    async def get_active_quiz(self, user: UserKey, chat: ChatKey) -> QuizSession | None: ...

    async def update_quiz(self, session: QuizSession) -> None: ...


class InterviewStore(Protocol):
    """Mock interview rounds with their questions, at most one active per user."""

    async def create_interview(self, round_: InterviewRound) -> InterviewRound | None:
        """Store a new active round and its questions (its id is assigned); None if the
        user already has an active one."""
        ...

    async def get_interview(self, round_id: int) -> InterviewRound | None: ...

    async def get_active_interview(self, user: UserKey) -> InterviewRound | None: ...

    async def save_interview(self, round_: InterviewRound) -> None:
        """Save a round's progress and its questions in one transaction."""
        ...

    async def active_interviews(self) -> list[InterviewRound]:
        """Every active round (a restart resumes them)."""
        ...

    async def interview_scores(self, user: UserKey, limit: int) -> tuple[int, list[int]]:
        """(number of ended rounds, the latest `limit` overall scores, newest first)."""
        ...

    async def correct_item_ids_since(self, user: UserKey, since: datetime) -> set[str]:
        """Items the user answered correctly at or after `since` (any kind of answer)."""
        ...


class ReviewCardStore(Protocol):
    """Spaced-repetition cards, one per user and item."""

    async def get_card(self, user: UserKey, item_id: str) -> ReviewCard | None: ...

    async def save_card(self, card: ReviewCard) -> None: ...

    async def due_cards(self, user: UserKey, now: datetime, limit: int) -> list[ReviewCard]:
        """Cards due at `now`, most overdue first."""
        ...

    async def count_due(self, user: UserKey, now: datetime) -> int: ...

    async def next_due(self, user: UserKey, after: datetime) -> datetime | None:
        """The earliest due time later than `after`."""
        ...


class ReportStore(Protocol):
    """Reports users file about items."""

    async def add_report(
        self, user: UserKey | None, item_id: str, reason: str, now: datetime
    ) -> Report: ...

    async def list_reports(self) -> list[Report]:
        """Every report, oldest first."""
        ...


class OutboxStore(Protocol):
    """Scheduled deliveries: the tick enqueues them, senders claim and settle them.

    commit_tick spans aggregates: outbox rows and the schedules they advance commit together.
    """

    async def commit_tick(
        self, rows: Sequence[NewOutboxRow], advances: Sequence[tuple[ChatKey, datetime | None]]
    ) -> int:
        """In ONE transaction: insert outbox rows (a duplicate chat+date+kind is ignored) and
        set the given schedules' next_post_utc. Returns how many rows were new."""
        ...

    async def reveals_to_enqueue(self, now: datetime, limit: int) -> list[DailyPost]:
        """Unrevealed posts whose reveal time has passed and that have no reveal row yet."""
        ...

    async def claim_outbox(
        self, platform: str, now: datetime, limit: int, lease: timedelta
    ) -> list[OutboxRow]:
        """Take up to `limit` of a platform's due pending rows (oldest first) for this
        process: each one's next attempt moves to `now + lease`, so no other process (or
        later claim) takes it before the lease runs out, and a process that dies mid-send
        leaves its rows to the others after it. Rows come back as stored (leased)."""
        ...

    async def update_outbox(
        self,
        row_id: int,
        *,
        status: OutboxStatus,
        attempts: int | None = None,
        next_attempt_at: datetime | None = None,
        message_id: str | None = None,
        sent_at: datetime | None = None,
        post_id: int | None = None,
        error: str | None = None,
    ) -> None:
        """Record a delivery outcome (only the fields given change)."""
        ...

    async def expire_outbox(self, platform: str, due_before: datetime) -> list[OutboxRow]:
        """Mark pending rows due before `due_before` as skipped; returns them (to log)."""
        ...


class LeaseStore(Protocol):
    """Named leases: one holder at a time across the processes sharing the database."""

    async def take_lease(self, name: str, holder: str, now: datetime, ttl: timedelta) -> Lease:
        """Take `name` for `holder` until `now + ttl` when it is free, expired or already
        `holder`'s (a renewal); returns the lease as it now stands, whoever holds it."""
        ...

    async def release_lease(self, name: str, holder: str) -> None:
        """Give the lease up, if `holder` holds it."""
        ...

    async def count_leases(self, prefix: str, now: datetime) -> int:
        """How many leases whose name starts with `prefix` are unexpired at `now`."""
        ...


class GradeCacheStore(Protocol):
    """Grades an optional grading stage returned, by item, answer digest and model."""

    async def cached_grade(self, item_id: str, answer_hash: str, model: str) -> str | None:
        """The stored payload, or None when this answer was never graded by `model`."""
        ...

    async def cache_grade(
        self, item_id: str, answer_hash: str, model: str, payload: str, now: datetime
    ) -> None:
        """Store (or replace) the payload for this item, answer digest and model."""
        ...


class DeckStore(Protocol):
    """Decks uploaded in a chat or server (the validated deck as JSON), by scope."""

    async def add_deck(self, deck: StoredDeck, limit: int) -> bool:
        """Store the deck unless its scope already holds `limit` decks (then False)."""
        ...

    async def list_decks(self, scope: str) -> list[StoredDeck]:
        """The scope's decks, oldest first, without their bodies."""
        ...

    async def get_deck(self, deck_id: str) -> StoredDeck | None:
        """One deck with its body, whatever its scope."""
        ...

    async def all_decks(self) -> list[StoredDeck]:
        """Every deck with its body, oldest first (loaded at start)."""
        ...

    async def remove_deck(self, deck_id: str, scope: str) -> bool:
        """Delete the scope's deck; False when the scope holds no such deck."""
        ...


class MarkStore(Protocol):
    """Marks of things shown once (by kind and subject), shared by every process on the
    database, with a value a mark may keep; pruned by age."""

    async def claim_mark(
        self, kind: str, subject: str, now: datetime, value: str = "", user: UserKey | None = None
    ) -> bool:
        """Set the mark (keeping `value`); True only for the first caller ever, atomically
        across processes, until the mark is pruned. A mark about `user` is forgotten with
        them (`delete_user`)."""
        ...

    async def mark_value(self, kind: str, subject: str) -> str | None:
        """The value kept with the mark; None when the mark is not set."""
        ...

    async def set_mark_value(self, kind: str, subject: str, value: str, now: datetime) -> None:
        """Keep `value` with the mark, setting the mark (at `now`) if it is not set."""
        ...

    async def prune_marks(self, kind: str, before: datetime) -> int:
        """Forget the marks of `kind` set before `before`; how many were forgotten."""
        ...


class StoreInspection(Protocol):
    """Reads only tests, benchmarks and maintenance use; not part of `Store`."""

    async def answer_times(self, user: UserKey) -> list[datetime]:
        """When the user answered, floored to the quarter hour, distinct, oldest first.

        Enough for local dates in any zone (UTC offsets are whole quarter hours) and keeps
        the streak input small for users with many answers.
        """
        ...

    async def reveal_count(self, user: UserKey, target: str) -> int: ...

    async def pending_outbox(self, platform: str, now: datetime, limit: int) -> list[OutboxRow]:
        """A platform's pending rows whose next attempt is due, oldest first (a read-only
        view: senders take rows with `claim_outbox`)."""
        ...

    async def outbox_rows(self, platform: str | None = None) -> list[OutboxRow]:
        """Every row, oldest first (for tests and maintenance)."""
        ...

    async def outbox_health(self) -> OutboxHealth:
        """Pending outbox rows on every platform and broken chats (`prepbot status`)."""
        ...


class Store(
    UserStore,
    ChatStore,
    ScheduleStore,
    PostStore,
    AnswerStore,
    QuizStore,
    ReviewCardStore,
    ReportStore,
    OutboxStore,
    LeaseStore,
    GradeCacheStore,
    InterviewStore,
    DeckStore,
    MarkStore,
    Protocol,
):
    """Every persistence operation the services need, one object for all aggregates.

    Datetimes go in and come out timezone-aware UTC, truncated to whole seconds. Methods
    that write do so in one transaction.
    """

    async def close(self) -> None: ...


class InspectableStore(Store, StoreInspection, Protocol):
    """A store with its inspection reads (every store implements both)."""
