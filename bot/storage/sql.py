"""What the SQL stores share: codecs, row mapping, migrations and the SQL itself.

SQLite (`bot.storage.sqlite`) and PostgreSQL (`bot.storage.postgres`) keep the same schema
shape: times are epoch seconds in integer columns, dates ISO text, flags 0/1 integers. So
every query below is written once, with `?` placeholders; the PostgreSQL store numbers
them (`$1`, `$2`, ...) with `numbered`. `SqlReads` holds the read methods of the Store
protocol on top of two primitives each store provides (`_all` and `_one`); the stores keep
only their transactions and the few statements where the dialects differ.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, date, datetime, time
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

from bot.domain.models import (
    AnswerKind,
    AnswerRecord,
    Chat,
    ChatKey,
    DailyPost,
    DueGroup,
    GroupKey,
    LeaderboardEntry,
    OutboxKind,
    OutboxRow,
    OutboxStatus,
    PostResults,
    PostScore,
    QuizSession,
    QuizStatus,
    Report,
    ReviewCard,
    Schedule,
    SelectionState,
    User,
    UserKey,
    Verdict,
)
from bot.domain.streaks import StoredStreak, StreakState
from bot.errors import StoreError

DIALECTS = ("sqlite", "postgres")


class Row(Protocol):
    """A result row by position or column name (sqlite3.Row, asyncpg.Record)."""

    def __getitem__(self, key: int | str, /) -> Any: ...


_PLACEHOLDER = re.compile(r"\?")


@lru_cache(maxsize=2048)
def numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's `$1, $2, ...` (the shared SQL has no `?` literals)."""
    counter = itertools.count(1)
    return _PLACEHOLDER.sub(lambda _match: f"${next(counter)}", sql)


QUARTER_HOUR = 900

MIGRATION_RE = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
_FAR_PAST = -(2**62)
_FAR_FUTURE = 2**62
_USER_REF = "(SELECT id FROM users WHERE platform = ? AND user_id = ?)"
_CHAT_REF = "(SELECT id FROM chats WHERE platform = ? AND chat_id = ?)"
_POST_COLUMNS = (
    "p.id, c.platform, c.chat_id, p.local_date, p.item_id, p.cycle, p.posted_at, "
    "p.reveal_at, p.revealed_at"
)
_OUTBOX_COLUMNS = (
    "id, platform, chat_id, kind, local_date, post_id, due_at, status, attempts, "
    "next_attempt_at, message_id, sent_at, error"
)
_SCHEDULE_COLUMNS = (
    "c.platform, c.chat_id, s.local_time, s.timezone, s.weekdays, s.topics, "
    "s.reveal_delay_hours, s.thread, s.paused, s.next_post_utc, s.created_at, s.updated_at"
)
_DUE_FROM = (
    "FROM schedules s JOIN chats c ON c.id = s.chat_ref "
    "WHERE s.paused = 0 AND c.broken_at IS NULL"
)
_STREAK_COLUMNS = "zone, last_day, current, best, freezes"
_QUIZ_COLUMNS = (
    "q.id, u.platform, u.user_id, c.platform, c.chat_id, q.item_ids, q.outcomes, q.position, "
    "q.points, q.status, q.started_at, q.topic, q.difficulty, q.ended_at"
)
_ANSWER_COLUMNS = (
    "a.id, u.platform, u.user_id, c.platform, c.chat_id, a.group_key, a.kind, a.target, "
    "a.item_id, a.verdict, a.score, a.points, a.forfeited, a.answered_at, a.post_id"
)


def _ts(instant: datetime) -> int:
    if instant.tzinfo is None:
        raise ValueError("expected a timezone-aware datetime")
    return int(instant.timestamp())


def _opt_ts(instant: datetime | None) -> int | None:
    return None if instant is None else _ts(instant)


def _dt(value: int) -> datetime:
    return datetime.fromtimestamp(value, UTC)


@lru_cache(maxsize=131_072)
def _bucket_dt(bucket: int) -> datetime:
    """A quarter-hour bucket as an instant; cached because buckets repeat across users."""
    return _dt(bucket * QUARTER_HOUR)


def _opt_dt(value: int | None) -> datetime | None:
    return None if value is None else _dt(value)


# Schedules repeat a few times, masks and topic lists: the tick maps thousands of rows.
@lru_cache(maxsize=4096)
def _local_time(text: str) -> time:
    hour, minute = (int(part) for part in text.split(":"))
    return time(hour, minute)


def _hhmm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


@lru_cache(maxsize=4096)
def _topics(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


def _streak(row: Sequence[Any]) -> StoredStreak:
    """A StoredStreak from the _STREAK_COLUMNS of a row."""
    day = date.fromisoformat(row[1])
    return StoredStreak(row[0], StreakState(day, int(row[2]), int(row[3]), int(row[4])))


def _keys_filter(keys: Iterable[UserKey], prefix: str = "") -> tuple[str, list[str]]:
    """A WHERE clause matching `keys` that uses the (platform, user_id) unique index.

    SQLite scans the table for a row-value `IN (VALUES ...)`; `platform = ? AND user_id
    IN (...)` per platform is an index search.
    """
    by_platform: dict[str, set[str]] = {}
    for key in keys:
        by_platform.setdefault(key.platform, set()).add(key.user_id)
    clauses: list[str] = []
    params: list[str] = []
    for platform, ids in sorted(by_platform.items()):
        marks = ", ".join("?" * len(ids))
        clauses.append(f"({prefix}platform = ? AND {prefix}user_id IN ({marks}))")
        params += [platform, *sorted(ids)]
    return " OR ".join(clauses), params


def _mask(days: Iterable[int]) -> int:
    return sum(1 << day for day in set(days))


@lru_cache(maxsize=128)
def _days(mask: int) -> frozenset[int]:
    return frozenset(day for day in range(7) if mask & (1 << day))


def _group_key(group: GroupKey | None) -> str | None:
    return None if group is None else f"{group.platform}:{group.group_id}"


def _parse_group(value: str | None) -> GroupKey | None:
    if value is None:
        return None
    platform, _, group_id = value.partition(":")
    return GroupKey(platform, group_id)


def migrations(dialect: str = "sqlite") -> list[tuple[int, str, str]]:
    """(version, name, sql) of every bundled migration for `dialect`, in order.

    `migrations/NNN_name.sql` is SQL both dialects run; `migrations/<dialect>/NNN_name.sql`
    replaces it for that dialect where the two differ (types, identity columns). The
    default files are SQLite's.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown SQL dialect {dialect!r}")
    root = resources.files("bot.storage").joinpath("migrations")
    found: dict[int, tuple[int, str, str]] = {}
    folders = [root] if dialect == "sqlite" else [root, root.joinpath(dialect)]
    for folder in folders:  # later folders override earlier ones
        for entry in folder.iterdir():
            match = MIGRATION_RE.match(entry.name)
            if match:
                version = int(match.group(1))
                found[version] = (version, match.group(2), entry.read_text("utf-8"))
    return [found[version] for version in sorted(found)]


def pending_migrations(current: int, dialect: str) -> list[tuple[int, str, str]]:
    """The migrations a database at schema version `current` still needs, in order."""
    known = migrations(dialect)
    latest = known[-1][0] if known else 0
    if current > latest:
        raise StoreError(
            f"the database has schema version {current}, newer than this prepbot knows "
            f"({latest}); upgrade prepbot"
        )
    return [migration for migration in known if migration[0] > current]


SCHEMA_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
)



def _uk(key: UserKey) -> tuple[str, str]:
    """A user key as the parameters of `platform = ? AND user_id = ?`."""
    return (key.platform, key.user_id)


def _ck(key: ChatKey) -> tuple[str, str]:
    """A chat key as the parameters of `platform = ? AND chat_id = ?`."""
    return (key.platform, key.chat_id)


# --- statements on internal ids --------------------------------------------------------
USER_PK = "SELECT id FROM users WHERE platform = ? AND user_id = ?"
CHAT_PK = "SELECT id FROM chats WHERE platform = ? AND chat_id = ?"
ANSWER_BY_REF = (
    f"SELECT {_ANSWER_COLUMNS} FROM answers a JOIN users u ON u.id = a.user_ref "
    "LEFT JOIN chats c ON c.id = a.chat_ref WHERE a.user_ref = ? AND a.target = ?"
)
REVEALS_BY_REF = "SELECT count FROM reveals WHERE user_ref = ? AND target = ?"
CARD_BY_REF = "SELECT * FROM review_cards WHERE user_ref = ? AND item_id = ?"
STREAK_BY_REF = f"SELECT {_STREAK_COLUMNS} FROM streaks WHERE user_ref = ?"
ZONE_BY_REF = "SELECT timezone FROM schedules WHERE chat_ref = ?"


# --- writes both dialects run --------------------------------------------------------
UPSERT_USER = (
    "INSERT INTO users (platform, user_id, display_name, created_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (platform, user_id) DO UPDATE SET display_name = excluded.display_name"
)
SELECT_USER = "SELECT * FROM users WHERE platform = ? AND user_id = ?"
UPDATE_USER = "UPDATE users SET {assignment} WHERE platform = ? AND user_id = ?"
DELETE_USER = "DELETE FROM users WHERE platform = ? AND user_id = ?"
SET_PRIVATE_OK = "UPDATE users SET private_ok = ? WHERE platform = ? AND user_id = ?"
UPSERT_CHAT = (
    "INSERT INTO chats (platform, chat_id, group_id, title, seed, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (platform, chat_id) "
    "DO UPDATE SET group_id = excluded.group_id, title = excluded.title"
)
SELECT_CHAT = "SELECT * FROM chats WHERE platform = ? AND chat_id = ?"
SAVE_SCHEDULE = (
    "INSERT INTO schedules (chat_ref, local_time, timezone, weekdays, topics, "
    "reveal_delay_hours, thread, paused, next_post_utc, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (chat_ref) DO UPDATE SET "
    "local_time = excluded.local_time, timezone = excluded.timezone, "
    "weekdays = excluded.weekdays, topics = excluded.topics, "
    "reveal_delay_hours = excluded.reveal_delay_hours, thread = excluded.thread, "
    "paused = excluded.paused, next_post_utc = excluded.next_post_utc, "
    "created_at = excluded.created_at, updated_at = excluded.updated_at"
)
DELETE_SCHEDULE = f"DELETE FROM schedules WHERE chat_ref = {_CHAT_REF}"
ADVANCE_SCHEDULE = f"UPDATE schedules SET next_post_utc = ? WHERE chat_ref = {_CHAT_REF}"
INSERT_POST = (
    "INSERT INTO daily_posts (chat_ref, local_date, item_id, cycle, posted_at, reveal_at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_ref, local_date) DO NOTHING"
)
MARK_REVEALED = "UPDATE daily_posts SET revealed_at = ? WHERE id = ? AND revealed_at IS NULL"
POST_EXISTS = "SELECT 1 FROM daily_posts WHERE id = ?"
SET_POST_MESSAGE = "UPDATE daily_posts SET message_id = ? WHERE id = ?"
INSERT_ANSWER = (
    "INSERT INTO answers (user_ref, chat_ref, group_key, kind, target, post_id, item_id, "
    "verdict, score, points, forfeited, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (user_ref, target) DO NOTHING"
)
SAVE_STREAK = (
    f"INSERT INTO streaks (user_ref, {_STREAK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (user_ref) DO UPDATE SET zone = excluded.zone, last_day = excluded.last_day, "
    "current = excluded.current, best = excluded.best, freezes = excluded.freezes"
)
RECORD_REVEAL = (
    "INSERT INTO reveals (user_ref, target, item_id, count, first_at) VALUES (?, ?, ?, 1, ?) "
    "ON CONFLICT (user_ref, target) DO UPDATE SET count = reveals.count + 1 RETURNING count"
)
INSERT_QUIZ = (
    "INSERT INTO quiz_sessions (user_ref, chat_ref, topic, difficulty, item_ids, outcomes, "
    "position, points, status, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
UPDATE_QUIZ = (
    "UPDATE quiz_sessions SET outcomes = ?, position = ?, points = ?, status = ?, "
    "ended_at = ? WHERE id = ?"
)
SAVE_CARD = (
    "INSERT INTO review_cards (user_ref, item_id, card, prev_card, due, last_review) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_ref, item_id) DO UPDATE SET "
    "card = excluded.card, prev_card = excluded.prev_card, due = excluded.due, "
    "last_review = excluded.last_review"
)
INSERT_REPORT = "INSERT INTO reports (user_ref, item_id, reason, created_at) VALUES (?, ?, ?, ?)"
REMEMBER_POLL = (
    "INSERT INTO platform_polls (platform, poll_id, post_ref, created_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (platform, poll_id) DO UPDATE SET post_ref = excluded.post_ref"
)
INSERT_OUTBOX = (
    "INSERT INTO outbox (platform, chat_id, kind, local_date, post_id, due_at, "
    "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)
EXPIRED_OUTBOX = (
    f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE platform = ? AND status = 'pending' "
    "AND due_at < ? ORDER BY id"
)
PENDING_OUTBOX = (
    f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE platform = ? AND status = 'pending' "
    "AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?"
)
LEASE_OUTBOX = "UPDATE outbox SET next_attempt_at = ? WHERE id = ?"
SKIP_OUTBOX = "UPDATE outbox SET status = 'skipped', error = 'too old to send' WHERE id = ?"
MARK_BROKEN = (
    "UPDATE chats SET broken_at = ?, broken_reason = ? "
    "WHERE platform = ? AND chat_id = ? AND broken_at IS NULL"
)
CLEAR_BROKEN = (
    "UPDATE chats SET broken_at = NULL, broken_reason = NULL "
    "WHERE platform = ? AND chat_id = ? AND broken_at IS NOT NULL"
)

# migrate_chat: statements over the chat's key and internal ids, in order. Each is
# (sql, names of its parameters) so both stores bind them from one dict.
MERGE_CHAT: tuple[tuple[str, tuple[str, ...]], ...] = (
    # The old chat's posts win their dates (a dropped post takes its polls with it).
    (
        "DELETE FROM daily_posts WHERE chat_ref = ? AND local_date IN "
        "(SELECT local_date FROM daily_posts WHERE chat_ref = ?)",
        ("new_pk", "old_pk"),
    ),
    ("UPDATE daily_posts SET chat_ref = ? WHERE chat_ref = ?", ("old_pk", "new_pk")),
    (
        "UPDATE quiz_sessions SET status = 'stopped' WHERE chat_ref = ? AND status = 'active' "
        "AND user_ref IN (SELECT user_ref FROM quiz_sessions "
        "WHERE chat_ref = ? AND status = 'active')",
        ("new_pk", "old_pk"),
    ),
    ("UPDATE quiz_sessions SET chat_ref = ? WHERE chat_ref = ?", ("old_pk", "new_pk")),
    ("UPDATE answers SET chat_ref = ? WHERE chat_ref = ?", ("old_pk", "new_pk")),
    # The old chat's schedule wins; without one, the target's moves over.
    (
        "DELETE FROM schedules WHERE chat_ref = ? "
        "AND EXISTS (SELECT 1 FROM schedules WHERE chat_ref = ?)",
        ("new_pk", "old_pk"),
    ),
    ("UPDATE schedules SET chat_ref = ? WHERE chat_ref = ?", ("old_pk", "new_pk")),
    ("DELETE FROM chats WHERE id = ?", ("new_pk",)),
)
MOVE_CHAT: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "UPDATE chats SET platform = ?, chat_id = ?, group_id = ? WHERE id = ?",
        ("new_platform", "new_chat_id", "new_group_id", "old_pk"),
    ),
    # Messages still to send follow the chat to its new id (unless the target has its own).
    (
        "UPDATE outbox SET platform = ?, chat_id = ? WHERE platform = ? AND chat_id = ? "
        "AND status = 'pending' AND NOT EXISTS (SELECT 1 FROM outbox o WHERE "
        "o.platform = ? AND o.chat_id = ? AND o.local_date = outbox.local_date "
        "AND o.kind = outbox.kind)",
        (
            "new_platform", "new_chat_id", "old_platform", "old_chat_id",
            "new_platform", "new_chat_id",
        ),
    ),
)
# ... and, when the chat moved to another group, its answers count for the new group.
REGROUP_ANSWERS = (
    "UPDATE answers SET group_key = ? WHERE chat_ref = ? AND group_key = ?",
    ("new_group", "old_pk", "old_group"),
)


def bind(names: Sequence[str], values: dict[str, Any]) -> tuple[Any, ...]:
    """The parameters `names` asks for, from `values`."""
    return tuple(values[name] for name in names)


def move_values(
    old: ChatKey, new: ChatKey, old_pk: int, old_group: GroupKey, new_group: GroupKey
) -> dict[str, Any]:
    """What MOVE_CHAT binds."""
    return {
        "old_pk": old_pk,
        "old_platform": old.platform,
        "old_chat_id": old.chat_id,
        "new_platform": new.platform,
        "new_chat_id": new.chat_id,
        "new_group_id": new_group.group_id,
        "old_group": _group_key(old_group),
        "new_group": _group_key(new_group),
    }


def schedule_params(chat_pk: int, schedule: Schedule) -> tuple[Any, ...]:
    return (
        chat_pk,
        _hhmm(schedule.local_time),
        schedule.timezone,
        _mask(schedule.weekdays),
        json.dumps(list(schedule.topics)),
        schedule.reveal_delay_hours,
        int(schedule.thread),
        int(schedule.paused),
        _opt_ts(schedule.next_post_utc),
        _ts(schedule.created_at),
        _ts(schedule.updated_at),
    )


def answer_params(user_pk: int, chat_pk: int | None, answer: AnswerRecord) -> tuple[Any, ...]:
    return (
        user_pk,
        chat_pk,
        _group_key(answer.group),
        answer.kind.value,
        answer.target,
        answer.post_id,
        answer.item_id,
        answer.verdict.value,
        float(answer.score),
        answer.points,
        int(answer.forfeited),
        _ts(answer.answered_at),
    )


def stored_answer(answer: AnswerRecord, answer_id: int) -> AnswerRecord:
    """The record as a store returns it: its id, its time in whole seconds."""
    return AnswerRecord(
        user=answer.user,
        chat=answer.chat,
        group=answer.group,
        kind=answer.kind,
        target=answer.target,
        item_id=answer.item_id,
        verdict=answer.verdict,
        score=answer.score,
        points=answer.points,
        forfeited=answer.forfeited,
        answered_at=_dt(_ts(answer.answered_at)),
        post_id=answer.post_id,
        id=answer_id,
    )


def streak_params(user_pk: int, streak: StoredStreak) -> tuple[Any, ...]:
    state = streak.state
    return (
        user_pk,
        streak.zone,
        state.last_day.isoformat(),
        state.current,
        state.best,
        state.freezes,
    )


def quiz_params(user_pk: int, chat_pk: int, session: QuizSession) -> tuple[Any, ...]:
    return (
        user_pk,
        chat_pk,
        session.topic,
        session.difficulty,
        json.dumps(list(session.item_ids)),
        json.dumps(list(session.outcomes)),
        session.position,
        session.points,
        session.status.value,
        _ts(session.started_at),
        _opt_ts(session.ended_at),
    )


def quiz_update_params(session: QuizSession) -> tuple[Any, ...]:
    return (
        json.dumps(list(session.outcomes)),
        session.position,
        session.points,
        session.status.value,
        _opt_ts(session.ended_at),
        session.id,
    )


def card_params(user_pk: int, card: ReviewCard) -> tuple[Any, ...]:
    return (
        user_pk,
        card.item_id,
        card.card_json,
        card.prev_card_json,
        _ts(card.due),
        _opt_ts(card.last_review),
    )


def outbox_inserts(rows: Iterable[Any], now: int) -> list[tuple[Any, ...]]:
    """INSERT_OUTBOX parameters for NewOutboxRows."""
    return [
        (
            r.chat.platform,
            r.chat.chat_id,
            r.kind.value,
            r.local_date.isoformat(),
            r.post_id,
            _ts(r.due_at),
            _ts(r.due_at),
            now,
        )
        for r in rows
    ]


def outbox_changes(
    status: OutboxStatus,
    attempts: int | None,
    next_attempt_at: datetime | None,
    message_id: str | None,
    sent_at: datetime | None,
    post_id: int | None,
    error: str | None,
) -> tuple[str, list[Any]]:
    """`UPDATE outbox SET ... WHERE id = ?` for the fields given, and their values."""
    changes: dict[str, Any] = {"status": status.value}
    if attempts is not None:
        changes["attempts"] = attempts
    if next_attempt_at is not None:
        changes["next_attempt_at"] = _ts(next_attempt_at)
    if message_id is not None:
        changes["message_id"] = message_id
    if sent_at is not None:
        changes["sent_at"] = _ts(sent_at)
    if post_id is not None:
        changes["post_id"] = post_id
    if error is not None:
        changes["error"] = error[:500]
    assignments = ", ".join(f"{name} = ?" for name in changes)
    return f"UPDATE outbox SET {assignments} WHERE id = ?", list(changes.values())


class SqlReads:
    """The Store protocol's reads, as SQL both dialects run, over `_all` and `_one`."""

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        raise NotImplementedError

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Any | None:
        raise NotImplementedError

    # --- row mapping -----------------------------------------------------------
    @staticmethod
    def _user(row: Row) -> User:
        return User(
            key=UserKey(row["platform"], row["user_id"]),
            display_name=row["display_name"],
            created_at=_dt(row["created_at"]),
            timezone=row["timezone"],
            leaderboard_opt_out=bool(row["leaderboard_opt_out"]),
        )

    @staticmethod
    def _chat(row: Row) -> Chat:
        key = ChatKey(row["platform"], row["chat_id"])
        return Chat(
            key=key,
            group=GroupKey(row["platform"], row["group_id"]),
            title=row["title"],
            seed=row["seed"],
            created_at=_dt(row["created_at"]),
            broken_at=_opt_dt(row["broken_at"]),
            broken_reason=row["broken_reason"],
        )

    @staticmethod
    def _schedule(row: Row) -> Schedule:
        return Schedule(
            chat=ChatKey(row[0], row[1]),
            local_time=_local_time(row[2]),
            timezone=row[3],
            weekdays=_days(row[4]),
            topics=_topics(row[5]),
            reveal_delay_hours=row[6],
            thread=bool(row[7]),
            paused=bool(row[8]),
            next_post_utc=_opt_dt(row[9]),
            created_at=_dt(row[10]),
            updated_at=_dt(row[11]),
        )

    @staticmethod
    def _post(row: Row) -> DailyPost:
        return DailyPost(
            id=row[0],
            chat=ChatKey(row[1], row[2]),
            local_date=date.fromisoformat(row[3]),
            item_id=row[4],
            cycle=row[5],
            posted_at=_dt(row[6]),
            reveal_at=_opt_dt(row[7]),
            revealed_at=_opt_dt(row[8]),
        )

    @staticmethod
    def _answer(row: Row) -> AnswerRecord:
        return AnswerRecord(
            id=row[0],
            user=UserKey(row[1], row[2]),
            chat=ChatKey(row[3], row[4]) if row[3] is not None else None,
            group=_parse_group(row[5]),
            kind=AnswerKind(row[6]),
            target=row[7],
            item_id=row[8],
            verdict=Verdict(row[9]),
            score=row[10],
            points=row[11],
            forfeited=bool(row[12]),
            answered_at=_dt(row[13]),
            post_id=row[14],
        )

    @staticmethod
    def _quiz(row: Row) -> QuizSession:
        return QuizSession(
            id=row[0],
            user=UserKey(row[1], row[2]),
            chat=ChatKey(row[3], row[4]),
            item_ids=tuple(json.loads(row[5])),
            outcomes=tuple(json.loads(row[6])),
            position=row[7],
            points=row[8],
            status=QuizStatus(row[9]),
            started_at=_dt(row[10]),
            topic=row[11],
            difficulty=row[12],
            ended_at=_opt_dt(row[13]),
        )

    @staticmethod
    def _card(user: UserKey, row: Row) -> ReviewCard:
        return ReviewCard(
            user=user,
            item_id=row["item_id"],
            card_json=row["card"],
            due=_dt(row["due"]),
            last_review=_opt_dt(row["last_review"]),
            prev_card_json=row["prev_card"],
        )

    @staticmethod
    def _outbox(row: Row) -> OutboxRow:
        return OutboxRow(
            id=row[0],
            chat=ChatKey(row[1], row[2]),
            kind=OutboxKind(row[3]),
            local_date=date.fromisoformat(row[4]),
            post_id=row[5],
            due_at=_dt(row[6]),
            status=OutboxStatus(row[7]),
            attempts=row[8],
            next_attempt_at=_dt(row[9]),
            message_id=row[10],
            sent_at=_opt_dt(row[11]),
            error=row[12],
        )

    # --- reads ------------------------------------------------------------------
    async def get_user(self, key: UserKey) -> User | None:
        row = await self._one(
            "SELECT * FROM users WHERE platform = ? AND user_id = ?", (key.platform, key.user_id)
        )
        return self._user(row) if row else None

    async def get_chat(self, key: ChatKey) -> Chat | None:
        row = await self._one(
            "SELECT * FROM chats WHERE platform = ? AND chat_id = ?", (key.platform, key.chat_id)
        )
        return self._chat(row) if row else None

    async def get_schedule(self, chat: ChatKey) -> Schedule | None:
        row = await self._one(
            f"SELECT {_SCHEDULE_COLUMNS} FROM schedules s JOIN chats c ON c.id = s.chat_ref "
            "WHERE c.platform = ? AND c.chat_id = ?",
            (chat.platform, chat.chat_id),
        )
        return self._schedule(row) if row else None

    async def due_groups(self, now: datetime) -> list[DueGroup]:
        rows = await self._all(
            "SELECT s.local_time, s.timezone, s.weekdays, s.next_post_utc, COUNT(*) "
            f"{_DUE_FROM} AND s.next_post_utc <= ? "
            "GROUP BY s.next_post_utc, s.local_time, s.timezone, s.weekdays",
            (_ts(now),),
        )
        return [
            DueGroup(_local_time(row[0]), row[1], _days(row[2]), _dt(row[3]), int(row[4]))
            for row in rows
        ]

    async def group_timezone(self, group: GroupKey) -> str | None:
        row = await self._one(
            "SELECT s.timezone FROM schedules s JOIN chats c ON c.id = s.chat_ref "
            "WHERE c.platform = ? AND c.group_id = ? "
            "ORDER BY s.created_at, c.platform, c.chat_id LIMIT 1",
            (group.platform, group.group_id),
        )
        return str(row[0]) if row else None

    async def get_daily_post(self, chat: ChatKey, local_date: date) -> DailyPost | None:
        row = await self._one(
            f"SELECT {_POST_COLUMNS} FROM daily_posts p JOIN chats c ON c.id = p.chat_ref "
            "WHERE c.platform = ? AND c.chat_id = ? AND p.local_date = ?",
            (chat.platform, chat.chat_id, local_date.isoformat()),
        )
        return self._post(row) if row else None

    async def get_post(self, post_id: int) -> DailyPost | None:
        row = await self._one(
            f"SELECT {_POST_COLUMNS} FROM daily_posts p JOIN chats c ON c.id = p.chat_ref "
            "WHERE p.id = ?",
            (post_id,),
        )
        return self._post(row) if row else None

    async def latest_daily_post(self, chat: ChatKey) -> DailyPost | None:
        row = await self._one(
            f"SELECT {_POST_COLUMNS} FROM daily_posts p JOIN chats c ON c.id = p.chat_ref "
            "WHERE c.platform = ? AND c.chat_id = ? ORDER BY p.local_date DESC LIMIT 1",
            (chat.platform, chat.chat_id),
        )
        return self._post(row) if row else None

    async def selection_state(self, chat: ChatKey) -> SelectionState:
        rows = await self._all(
            "SELECT cycle, item_id, local_date FROM daily_posts "
            f"WHERE chat_ref = {_CHAT_REF} AND cycle = "
            f"(SELECT MAX(cycle) FROM daily_posts WHERE chat_ref = {_CHAT_REF}) "
            "ORDER BY local_date",
            (chat.platform, chat.chat_id, chat.platform, chat.chat_id),
        )
        if not rows:
            return SelectionState(0, frozenset(), None)
        return SelectionState(
            cycle=int(rows[0][0]),
            used=frozenset(str(row[1]) for row in rows),
            last_item=str(rows[-1][1]),
        )

    async def posts_due_for_reveal(self, now: datetime, limit: int) -> list[DailyPost]:
        rows = await self._all(
            f"SELECT {_POST_COLUMNS} FROM daily_posts p JOIN chats c ON c.id = p.chat_ref "
            "WHERE p.revealed_at IS NULL AND p.reveal_at <= ? "
            "ORDER BY p.reveal_at, p.id LIMIT ?",
            (_ts(now), limit),
        )
        return [self._post(row) for row in rows]

    async def post_results(self, post_id: int, limit: int) -> PostResults:
        count = await self._one("SELECT COUNT(*) FROM answers WHERE post_id = ?", (post_id,))
        rows = await self._all(
            "SELECT u.platform, u.user_id, u.display_name, a.verdict, a.score, a.points, "
            "a.answered_at FROM answers a JOIN users u ON u.id = a.user_ref "
            "WHERE a.post_id = ? ORDER BY a.score DESC, a.answered_at, a.id LIMIT ?",
            (post_id, limit),
        )
        top = tuple(
            PostScore(UserKey(row[0], row[1]), row[2], Verdict(row[3]), row[4], row[5], _dt(row[6]))
            for row in rows
        )
        return PostResults(answered=int(count[0]) if count else 0, top=top)

    async def get_answer(self, user: UserKey, target: str) -> AnswerRecord | None:
        row = await self._one(
            f"SELECT {_ANSWER_COLUMNS} FROM answers a JOIN users u ON u.id = a.user_ref "
            "LEFT JOIN chats c ON c.id = a.chat_ref "
            "WHERE u.platform = ? AND u.user_id = ? AND a.target = ?",
            (user.platform, user.user_id, target),
        )
        return self._answer(row) if row else None

    async def points_between(
        self,
        user: UserKey,
        start: datetime | None,
        end: datetime | None,
        kinds: Collection[AnswerKind] | None = None,
    ) -> int:
        params: list[Any] = [user.platform, user.user_id]
        params += [_FAR_PAST if start is None else _ts(start)]
        params += [_FAR_FUTURE if end is None else _ts(end)]
        kind_sql = ""
        if kinds is not None:
            if not kinds:
                return 0
            kind_sql = f" AND kind IN ({', '.join('?' for _ in kinds)})"
            params += [kind.value for kind in kinds]
        row = await self._one(
            f"SELECT COALESCE(SUM(points), 0) FROM answers WHERE user_ref = {_USER_REF} "
            f"AND answered_at >= ? AND answered_at < ?{kind_sql}",
            params,
        )
        return int(row[0]) if row else 0

    async def streak_states(self, users: Sequence[UserKey]) -> dict[UserKey, StoredStreak]:
        if not users:
            return {}
        where, params = _keys_filter(users, "u.")
        rows = await self._all(
            f"SELECT u.platform, u.user_id, {_STREAK_COLUMNS} "
            f"FROM streaks s JOIN users u ON u.id = s.user_ref WHERE {where}",
            params,
        )
        return {UserKey(row[0], row[1]): _streak(row[2:]) for row in rows}

    async def get_users(self, keys: Sequence[UserKey]) -> dict[UserKey, User]:
        if not keys:
            return {}
        where, params = _keys_filter(keys)
        rows = await self._all(f"SELECT * FROM users WHERE {where}", params)
        return {user.key: user for user in map(self._user, rows)}

    async def answer_times(self, user: UserKey) -> list[datetime]:
        rows = await self._all(
            f"SELECT DISTINCT answered_at / {QUARTER_HOUR} FROM answers "
            f"WHERE user_ref = {_USER_REF} ORDER BY 1",
            (user.platform, user.user_id),
        )
        return [_bucket_dt(int(row[0])) for row in rows]

    async def verdict_counts(self, user: UserKey) -> list[tuple[str, Verdict, int]]:
        rows = await self._all(
            f"SELECT item_id, verdict, COUNT(*) FROM answers WHERE user_ref = {_USER_REF} "
            "GROUP BY item_id, verdict ORDER BY item_id, verdict",
            (user.platform, user.user_id),
        )
        return [(str(row[0]), Verdict(row[1]), int(row[2])) for row in rows]

    async def answered_item_ids(self, user: UserKey) -> set[str]:
        rows = await self._all(
            f"SELECT DISTINCT item_id FROM answers WHERE user_ref = {_USER_REF}",
            (user.platform, user.user_id),
        )
        return {str(row[0]) for row in rows}

    async def leaderboard_entries(
        self, group: GroupKey, start: datetime | None, end: datetime | None
    ) -> list[LeaderboardEntry]:
        # The inner aggregate reads only the covering index answers_leaderboard.
        rows = await self._all(
            "SELECT u.platform, u.user_id, u.display_name, t.points, t.answered, t.correct, "
            "t.partial, t.reached FROM ("
            "  SELECT user_ref, SUM(points) AS points, COUNT(*) AS answered,"
            "    SUM(CASE WHEN verdict = 'correct' THEN 1 ELSE 0 END) AS correct,"
            "    SUM(CASE WHEN verdict = 'partial' THEN 1 ELSE 0 END) AS partial,"
            "    COALESCE(MAX(CASE WHEN points > 0 THEN answered_at END), MIN(answered_at))"
            "      AS reached"
            "  FROM answers WHERE group_key = ? AND answered_at >= ? AND answered_at < ?"
            "  GROUP BY user_ref"
            ") t JOIN users u ON u.id = t.user_ref WHERE u.leaderboard_opt_out = 0",
            (
                _group_key(group),
                _FAR_PAST if start is None else _ts(start),
                _FAR_FUTURE if end is None else _ts(end),
            ),
        )
        return [
            LeaderboardEntry(
                user=UserKey(row[0], row[1]),
                display_name=row[2],
                points=int(row[3]),
                answered=int(row[4]),
                correct=int(row[5]),
                partial=int(row[6]),
                reached_at=_dt(row[7]),
            )
            for row in rows
        ]

    async def poll_post(self, platform: str, poll_id: str) -> DailyPost | None:
        row = await self._one(
            f"SELECT {_POST_COLUMNS} FROM platform_polls l "
            "JOIN daily_posts p ON p.id = l.post_ref JOIN chats c ON c.id = p.chat_ref "
            "WHERE l.platform = ? AND l.poll_id = ?",
            (platform, poll_id),
        )
        return self._post(row) if row else None

    async def private_ok(self, user: UserKey) -> bool:
        row = await self._one(
            "SELECT private_ok FROM users WHERE platform = ? AND user_id = ?",
            (user.platform, user.user_id),
        )
        return bool(row and row[0])

    async def reveal_count(self, user: UserKey, target: str) -> int:
        row = await self._one(
            f"SELECT count FROM reveals WHERE user_ref = {_USER_REF} AND target = ?",
            (user.platform, user.user_id, target),
        )
        return int(row[0]) if row else 0

    async def _select_quiz(self, where: str, params: Sequence[Any]) -> QuizSession | None:
        row = await self._one(
            f"SELECT {_QUIZ_COLUMNS} FROM quiz_sessions q JOIN users u ON u.id = q.user_ref "
            f"JOIN chats c ON c.id = q.chat_ref WHERE {where}",
            params,
        )
        return self._quiz(row) if row else None

    async def get_quiz(self, session_id: int) -> QuizSession | None:
        return await self._select_quiz("q.id = ?", (session_id,))

    async def get_active_quiz(self, user: UserKey, chat: ChatKey) -> QuizSession | None:
        return await self._select_quiz(
            "u.platform = ? AND u.user_id = ? AND c.platform = ? AND c.chat_id = ? "
            "AND q.status = 'active'",
            (user.platform, user.user_id, chat.platform, chat.chat_id),
        )

    async def get_card(self, user: UserKey, item_id: str) -> ReviewCard | None:
        row = await self._one(
            f"SELECT * FROM review_cards WHERE user_ref = {_USER_REF} AND item_id = ?",
            (user.platform, user.user_id, item_id),
        )
        return self._card(user, row) if row else None

    async def due_cards(self, user: UserKey, now: datetime, limit: int) -> list[ReviewCard]:
        rows = await self._all(
            f"SELECT * FROM review_cards WHERE user_ref = {_USER_REF} AND due <= ? "
            "ORDER BY due, item_id LIMIT ?",
            (user.platform, user.user_id, _ts(now), limit),
        )
        return [self._card(user, row) for row in rows]

    async def count_due(self, user: UserKey, now: datetime) -> int:
        row = await self._one(
            f"SELECT COUNT(*) FROM review_cards WHERE user_ref = {_USER_REF} AND due <= ?",
            (user.platform, user.user_id, _ts(now)),
        )
        return int(row[0]) if row else 0

    async def next_due(self, user: UserKey, after: datetime) -> datetime | None:
        row = await self._one(
            f"SELECT MIN(due) FROM review_cards WHERE user_ref = {_USER_REF} AND due > ?",
            (user.platform, user.user_id, _ts(after)),
        )
        return _opt_dt(row[0]) if row else None

    async def list_reports(self) -> list[Report]:
        rows = await self._all(
            "SELECT r.id, u.platform, u.user_id, r.item_id, r.reason, r.created_at "
            "FROM reports r LEFT JOIN users u ON u.id = r.user_ref ORDER BY r.created_at, r.id"
        )
        return [
            Report(
                id=row[0],
                user=UserKey(row[1], row[2]) if row[1] is not None else None,
                item_id=row[3],
                reason=row[4],
                created_at=_dt(row[5]),
            )
            for row in rows
        ]

    async def reveals_to_enqueue(self, now: datetime, limit: int) -> list[DailyPost]:
        rows = await self._all(
            f"SELECT {_POST_COLUMNS} FROM daily_posts p JOIN chats c ON c.id = p.chat_ref "
            "WHERE p.revealed_at IS NULL AND p.reveal_at <= ? AND c.broken_at IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.platform = c.platform "
            "AND o.chat_id = c.chat_id AND o.local_date = p.local_date AND o.kind = 'reveal') "
            "ORDER BY p.reveal_at, p.id LIMIT ?",
            (_ts(now), limit),
        )
        return [self._post(row) for row in rows]

    async def pending_outbox(self, platform: str, now: datetime, limit: int) -> list[OutboxRow]:
        rows = await self._all(PENDING_OUTBOX, (platform, _ts(now), limit))
        return [self._outbox(row) for row in rows]

    async def outbox_rows(self, platform: str | None = None) -> list[OutboxRow]:
        where, params = ("WHERE platform = ?", (platform,)) if platform else ("", ())
        rows = await self._all(f"SELECT {_OUTBOX_COLUMNS} FROM outbox {where} ORDER BY id", params)
        return [self._outbox(row) for row in rows]

    async def post_by_message(self, chat: ChatKey, message_id: str) -> DailyPost | None:
        row = await self._one(
            f"SELECT {_POST_COLUMNS} FROM daily_posts p JOIN chats c ON c.id = p.chat_ref "
            "WHERE c.platform = ? AND c.chat_id = ? AND p.message_id = ?",
            (chat.platform, chat.chat_id, message_id),
        )
        return self._post(row) if row else None
