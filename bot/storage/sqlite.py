"""The default Store: SQLite through aiosqlite (WAL, foreign keys, numbered migrations).

One connection in autocommit mode. Every write is a small synchronous function run on
aiosqlite's worker thread inside `BEGIN IMMEDIATE ... COMMIT`; writes that arrive while a
commit is in flight are batched into the next transaction (group commit), each in its own
savepoint. A transaction is one thread hop, so no read ever runs inside another
coroutine's open transaction. Times are epoch seconds, dates ISO text.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import UTC, date, datetime, time
from functools import lru_cache, partial
from importlib import resources
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite

from bot.domain.models import (
    AnswerContext,
    AnswerKind,
    AnswerRecord,
    Chat,
    ChatKey,
    DailyPost,
    DueGroup,
    GroupKey,
    LeaderboardEntry,
    NewOutboxRow,
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
from bot.errors import NotFoundError, StoreError
from bot.storage.checkpoint import CHECKPOINT_SECONDS, WalCheckpointer
from bot.storage.lock import DatabaseLock

log = logging.getLogger(__name__)

T = TypeVar("T")
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


class _Duplicate(Exception):
    """Rolls a write back when the target was already answered."""


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


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every bundled migration, in order."""
    found = []
    for entry in resources.files("bot.storage").joinpath("migrations").iterdir():
        match = MIGRATION_RE.match(entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text("utf-8")))
    return sorted(found)


async def apply_migrations(db: aiosqlite.Connection) -> int:
    """Apply every migration newer than the recorded schema version; return the version."""
    await db.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
    )
    rows = list(await db.execute_fetchall("SELECT MAX(version) FROM schema_version"))
    current = int(rows[0][0] or 0)
    known = migrations()
    latest = known[-1][0] if known else 0
    if current > latest:
        raise StoreError(
            f"the database has schema version {current}, newer than this prepbot knows "
            f"({latest}); upgrade prepbot"
        )
    for version, name, sql in known:
        if version <= current:
            continue
        applied_at = int(datetime.now(UTC).timestamp())
        script = (
            f"BEGIN IMMEDIATE;\n{sql}\n"
            f"INSERT INTO schema_version (version, name, applied_at) "
            f"VALUES ({version}, '{name}', {applied_at});\nCOMMIT;"
        )
        try:
            await db.executescript(script)
        except sqlite3.Error as exc:
            if db.in_transaction:
                await db.execute("ROLLBACK")
            raise StoreError(f"migration {version:03d}_{name} failed: {exc}") from exc
        log.info("applied migration %03d_%s", version, name)
        current = version
    return current


def _run_batch(
    conn: sqlite3.Connection,
    batch: Sequence[tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any]]],
) -> list[tuple[bool, Any]]:
    """Run queued writes in one transaction, each in a savepoint; (ok, result or error)."""
    outcomes: list[tuple[bool, Any]] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for work, _future in batch:
            conn.execute("SAVEPOINT write")
            try:
                result = work(conn)
            except Exception as exc:
                conn.execute("ROLLBACK TO write")
                conn.execute("RELEASE write")
                if isinstance(exc, sqlite3.Error):
                    wrapped = StoreError(f"database write failed: {exc}")
                    wrapped.__cause__ = exc
                    outcomes.append((False, wrapped))
                else:
                    outcomes.append((False, exc))
            else:
                conn.execute("RELEASE write")
                outcomes.append((True, result))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return outcomes


class SqliteStore:
    """Store on one SQLite file; open with `await SqliteStore.open(path)`."""

    def __init__(self, db: aiosqlite.Connection, path: str, lock: DatabaseLock | None) -> None:
        self._db = db
        self.path = path
        self._lock = lock
        self._write_lock = asyncio.Lock()
        self._pending: list[tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.schema_version = 0
        self.batches = 0  # committed write batches (observability and tests)
        self.checkpointer: WalCheckpointer | None = None

    @classmethod
    async def open(
        cls, path: str | Path, *, checkpoint_seconds: float = CHECKPOINT_SECONDS
    ) -> SqliteStore:
        """Open (creating if needed), take the shared run lock, and migrate."""
        location = str(path)
        lock: DatabaseLock | None = None
        if location != ":memory:":
            Path(location).parent.mkdir(parents=True, exist_ok=True)
            lock = DatabaseLock(location)
            lock.acquire(exclusive=False)
        try:
            db = await aiosqlite.connect(location, isolation_level=None)
        except sqlite3.Error as exc:
            if lock is not None:
                lock.release()
            raise StoreError(f"cannot open database {location}: {exc}") from exc
        store = cls(db, location, lock)
        try:
            db.row_factory = sqlite3.Row
            await db.execute("PRAGMA journal_mode = WAL")
            await db.execute("PRAGMA foreign_keys = ON")
            # WAL with synchronous=NORMAL is durable across application crashes and much
            # faster; only a power cut can lose the last commits.
            await db.execute("PRAGMA synchronous = NORMAL")
            await db.execute("PRAGMA busy_timeout = 5000")
            store.schema_version = await apply_migrations(db)
            if lock is not None:  # a file, not ":memory:"
                await db.execute("PRAGMA wal_autocheckpoint = 0")
                store.checkpointer = WalCheckpointer(location, checkpoint_seconds)
                store.checkpointer.start()
        except BaseException:
            await store.close()
            raise
        return store

    async def close(self) -> None:
        try:
            if self._flusher is not None:
                await self._flusher
            if self.checkpointer is not None:
                await self.checkpointer.stop()
            await self._db.close()
        finally:
            if self._lock is not None:
                self._lock.release()

    # --- plumbing --------------------------------------------------------------
    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        try:
            return list(await self._db.execute_fetchall(sql, params))
        except sqlite3.Error as exc:
            raise StoreError(f"database read failed: {exc}") from exc

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        rows = await self._all(sql, params)
        return rows[0] if rows else None

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` on aiosqlite's worker thread in ONE hop (the hot path's batching).

        aiosqlite sends every call to its thread and back; a transaction of five
        statements would be five round trips. `Connection._execute` is aiosqlite's own
        private dispatcher (stable through the pinned <0.23); the contract suite covers it.
        """
        db = self._db
        try:
            result = await db._execute(work, db._conn)  # type: ignore[no-untyped-call]
        except sqlite3.Error as exc:
            raise StoreError(f"database operation failed: {exc}") from exc
        return cast(T, result)

    async def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` in a write transaction; concurrent writes share one commit.

        Writes queue up while a batch is being committed; the flusher then runs the whole
        queue in ONE transaction and ONE thread hop, each write inside its own savepoint so
        a failing write is rolled back alone and only its caller sees the error.
        """
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.append((work, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return cast(T, await future)

    async def _flush(self) -> None:
        async with self._write_lock:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    outcomes = await self._run(partial(_run_batch, batch=batch))
                except BaseException as exc:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    if not isinstance(exc, Exception):
                        raise
                    continue
                self.batches += 1
                if self.checkpointer is not None:
                    self.checkpointer.note_write()
                for (ok, value), (_, future) in zip(outcomes, batch, strict=True):
                    if future.done():
                        continue  # the caller was cancelled; its write still committed
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)

    @staticmethod
    def _sync_user_pk(conn: sqlite3.Connection, key: UserKey) -> int:
        row = conn.execute(
            "SELECT id FROM users WHERE platform = ? AND user_id = ?", (key.platform, key.user_id)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"unknown user {key}")
        return int(row[0])

    @staticmethod
    def _sync_chat_pk(conn: sqlite3.Connection, key: ChatKey) -> int:
        row = conn.execute(
            "SELECT id FROM chats WHERE platform = ? AND chat_id = ?", (key.platform, key.chat_id)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"unknown chat {key}")
        return int(row[0])

    # --- row mapping -----------------------------------------------------------
    @staticmethod
    def _user(row: sqlite3.Row) -> User:
        return User(
            key=UserKey(row["platform"], row["user_id"]),
            display_name=row["display_name"],
            created_at=_dt(row["created_at"]),
            timezone=row["timezone"],
            leaderboard_opt_out=bool(row["leaderboard_opt_out"]),
        )

    @staticmethod
    def _chat(row: sqlite3.Row) -> Chat:
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
    def _schedule(row: sqlite3.Row) -> Schedule:
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
    def _post(row: sqlite3.Row) -> DailyPost:
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
    def _answer(row: sqlite3.Row) -> AnswerRecord:
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
    def _quiz(row: sqlite3.Row) -> QuizSession:
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
    def _card(user: UserKey, row: sqlite3.Row) -> ReviewCard:
        return ReviewCard(
            user=user,
            item_id=row["item_id"],
            card_json=row["card"],
            due=_dt(row["due"]),
            last_review=_opt_dt(row["last_review"]),
            prev_card_json=row["prev_card"],
        )

    # --- users -----------------------------------------------------------------
    async def get_user(self, key: UserKey) -> User | None:
        row = await self._one(
            "SELECT * FROM users WHERE platform = ? AND user_id = ?", (key.platform, key.user_id)
        )
        return self._user(row) if row else None

    async def upsert_user(self, key: UserKey, display_name: str, now: datetime) -> User:
        user = await self.get_user(key)
        if user is not None and user.display_name == display_name:
            return user  # the common case writes nothing

        def write(conn: sqlite3.Connection) -> sqlite3.Row:
            conn.execute(
                "INSERT INTO users (platform, user_id, display_name, created_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (platform, user_id) "
                "DO UPDATE SET display_name = excluded.display_name",
                (key.platform, key.user_id, display_name, _ts(now)),
            )
            return cast(
                sqlite3.Row,
                conn.execute(
                    "SELECT * FROM users WHERE platform = ? AND user_id = ?",
                    (key.platform, key.user_id),
                ).fetchone(),
            )

        return self._user(await self._write(write))

    async def _update_user(self, key: UserKey, sql: str, value: Any) -> None:
        def write(conn: sqlite3.Connection) -> None:
            cursor = conn.execute(
                f"UPDATE users SET {sql} WHERE platform = ? AND user_id = ?",
                (value, key.platform, key.user_id),
            )
            if cursor.rowcount == 0:
                raise NotFoundError(f"unknown user {key}")

        await self._write(write)

    async def set_user_timezone(self, key: UserKey, timezone: str | None) -> None:
        await self._update_user(key, "timezone = ?", timezone)

    async def set_leaderboard_opt_out(self, key: UserKey, opt_out: bool) -> None:
        await self._update_user(key, "leaderboard_opt_out = ?", int(opt_out))

    async def delete_user(self, key: UserKey) -> bool:
        # Foreign keys cascade to answers, reveals, sessions, cards and reports.
        def write(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "DELETE FROM users WHERE platform = ? AND user_id = ?", (key.platform, key.user_id)
            )
            return cursor.rowcount > 0

        return await self._write(write)

    # --- chats -----------------------------------------------------------------
    async def get_chat(self, key: ChatKey) -> Chat | None:
        row = await self._one(
            "SELECT * FROM chats WHERE platform = ? AND chat_id = ?", (key.platform, key.chat_id)
        )
        return self._chat(row) if row else None

    async def upsert_chat(self, key: ChatKey, group: GroupKey, title: str, now: datetime) -> Chat:
        chat = await self.get_chat(key)
        if chat is not None and chat.group == group and chat.title == title:
            return chat

        def write(conn: sqlite3.Connection) -> sqlite3.Row:
            conn.execute(
                "INSERT INTO chats (platform, chat_id, group_id, title, seed, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (platform, chat_id) "
                "DO UPDATE SET group_id = excluded.group_id, title = excluded.title",
                (key.platform, key.chat_id, group.group_id, title, str(key), _ts(now)),
            )
            return cast(
                sqlite3.Row,
                conn.execute(
                    "SELECT * FROM chats WHERE platform = ? AND chat_id = ?",
                    (key.platform, key.chat_id),
                ).fetchone(),
            )

        return self._chat(await self._write(write))

    async def migrate_chat(self, old: ChatKey, new: ChatKey, group: GroupKey | None) -> Chat:
        def write(conn: sqlite3.Connection) -> None:
            old_pk = self._sync_chat_pk(conn, old)
            row = conn.execute("SELECT group_id FROM chats WHERE id = ?", (old_pk,)).fetchone()
            old_group = GroupKey(old.platform, row[0])
            new_group = group or old_group
            if new != old:
                found = conn.execute(
                    "SELECT id FROM chats WHERE platform = ? AND chat_id = ?",
                    (new.platform, new.chat_id),
                ).fetchone()
                if found is not None:
                    self._merge(conn, old_pk, int(found[0]))
            conn.execute(
                "UPDATE chats SET platform = ?, chat_id = ?, group_id = ? WHERE id = ?",
                (new.platform, new.chat_id, new_group.group_id, old_pk),
            )
            # Messages still to send follow the chat to its new id.
            conn.execute(
                "UPDATE OR IGNORE outbox SET platform = ?, chat_id = ? "
                "WHERE platform = ? AND chat_id = ? AND status = 'pending'",
                (new.platform, new.chat_id, old.platform, old.chat_id),
            )
            if new_group != old_group:
                conn.execute(
                    "UPDATE answers SET group_key = ? WHERE chat_ref = ? AND group_key = ?",
                    (_group_key(new_group), old_pk, _group_key(old_group)),
                )

        await self._write(write)
        chat = await self.get_chat(new)
        assert chat is not None
        return chat

    @staticmethod
    def _merge(conn: sqlite3.Connection, old_pk: int, new_pk: int) -> None:
        """Fold an existing target chat's rows into the migrating one (old wins)."""
        conn.execute(
            "DELETE FROM daily_posts WHERE chat_ref = ? AND local_date IN "
            "(SELECT local_date FROM daily_posts WHERE chat_ref = ?)",
            (new_pk, old_pk),
        )
        conn.execute("UPDATE daily_posts SET chat_ref = ? WHERE chat_ref = ?", (old_pk, new_pk))
        conn.execute(
            "UPDATE quiz_sessions SET status = 'stopped' WHERE chat_ref = ? AND status = 'active' "
            "AND user_ref IN (SELECT user_ref FROM quiz_sessions "
            "WHERE chat_ref = ? AND status = 'active')",
            (new_pk, old_pk),
        )
        conn.execute("UPDATE quiz_sessions SET chat_ref = ? WHERE chat_ref = ?", (old_pk, new_pk))
        conn.execute("UPDATE answers SET chat_ref = ? WHERE chat_ref = ?", (old_pk, new_pk))
        if conn.execute("SELECT 1 FROM schedules WHERE chat_ref = ?", (old_pk,)).fetchone():
            conn.execute("DELETE FROM schedules WHERE chat_ref = ?", (new_pk,))
        else:
            conn.execute("UPDATE schedules SET chat_ref = ? WHERE chat_ref = ?", (old_pk, new_pk))
        conn.execute("DELETE FROM chats WHERE id = ?", (new_pk,))

    # --- schedules -------------------------------------------------------------
    async def save_schedule(self, schedule: Schedule) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT OR REPLACE INTO schedules (chat_ref, local_time, timezone, weekdays, "
                "topics, reveal_delay_hours, thread, paused, next_post_utc, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self._sync_chat_pk(conn, schedule.chat),
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
                ),
            )

        await self._write(write)

    async def get_schedule(self, chat: ChatKey) -> Schedule | None:
        row = await self._one(
            f"SELECT {_SCHEDULE_COLUMNS} FROM schedules s JOIN chats c ON c.id = s.chat_ref "
            "WHERE c.platform = ? AND c.chat_id = ?",
            (chat.platform, chat.chat_id),
        )
        return self._schedule(row) if row else None

    async def delete_schedule(self, chat: ChatKey) -> bool:
        def write(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                f"DELETE FROM schedules WHERE chat_ref = {_CHAT_REF}", (chat.platform, chat.chat_id)
            )
            return cursor.rowcount > 0

        return await self._write(write)

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

    async def enqueue_group(
        self, group: DueGroup, local_date: date, next_post: datetime | None, limit: int
    ) -> tuple[int, int]:
        match = (
            _ts(group.due),
            _hhmm(group.local_time),
            group.timezone,
            _mask(group.weekdays),
        )
        stamp = _ts(datetime.now(UTC))

        # Set-based: SQLite copies the chats into the outbox and advances their schedules
        # without a Python object per channel.
        def write(conn: sqlite3.Connection) -> tuple[int, int]:
            refs = [
                row[0]
                for row in conn.execute(
                    f"SELECT s.chat_ref {_DUE_FROM} AND s.next_post_utc = ? AND s.local_time = ? "
                    "AND s.timezone = ? AND s.weekdays = ? ORDER BY s.chat_ref LIMIT ?",
                    (*match, limit),
                )
            ]
            if not refs:
                return 0, 0
            marks = ", ".join("?" * len(refs))
            inserted = conn.execute(
                "INSERT OR IGNORE INTO outbox (platform, chat_id, kind, local_date, due_at, "
                "next_attempt_at, created_at) SELECT platform, chat_id, 'daily', ?, ?, ?, ? "
                f"FROM chats WHERE id IN ({marks})",
                (local_date.isoformat(), match[0], match[0], stamp, *refs),
            ).rowcount
            conn.execute(
                f"UPDATE schedules SET next_post_utc = ? WHERE chat_ref IN ({marks})",
                (_opt_ts(next_post), *refs),
            )
            return len(refs), inserted

        return await self._write(write)

    async def group_timezone(self, group: GroupKey) -> str | None:
        row = await self._one(
            "SELECT s.timezone FROM schedules s JOIN chats c ON c.id = s.chat_ref "
            "WHERE c.platform = ? AND c.group_id = ? "
            "ORDER BY s.created_at, c.platform, c.chat_id LIMIT 1",
            (group.platform, group.group_id),
        )
        return str(row[0]) if row else None

    # --- daily posts -----------------------------------------------------------
    async def create_daily_post(
        self,
        chat: ChatKey,
        local_date: date,
        item_id: str,
        cycle: int,
        posted_at: datetime,
        reveal_at: datetime | None,
    ) -> DailyPost:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO daily_posts (chat_ref, local_date, item_id, cycle, posted_at, "
                "reveal_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (chat_ref, local_date) DO NOTHING",
                (
                    self._sync_chat_pk(conn, chat),
                    local_date.isoformat(),
                    item_id,
                    cycle,
                    _ts(posted_at),
                    _opt_ts(reveal_at),
                ),
            )

        await self._write(write)
        post = await self.get_daily_post(chat, local_date)
        assert post is not None
        return post

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

    async def mark_post_revealed(self, post_id: int, at: datetime) -> bool:
        def write(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "UPDATE daily_posts SET revealed_at = ? WHERE id = ? AND revealed_at IS NULL",
                (_ts(at), post_id),
            )
            if cursor.rowcount:
                return True
            if conn.execute("SELECT 1 FROM daily_posts WHERE id = ?", (post_id,)).fetchone():
                return False
            raise NotFoundError(f"unknown post {post_id}")

        return await self._write(write)

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

    # --- answers ---------------------------------------------------------------
    async def answer_context(
        self, user: UserKey, chat: ChatKey, target: str, item_id: str
    ) -> AnswerContext:
        def read(conn: sqlite3.Connection) -> AnswerContext:
            user_row = conn.execute(
                "SELECT * FROM users WHERE platform = ? AND user_id = ?",
                (user.platform, user.user_id),
            ).fetchone()
            chat_row = conn.execute(
                "SELECT * FROM chats WHERE platform = ? AND chat_id = ?",
                (chat.platform, chat.chat_id),
            ).fetchone()
            existing = card = zone = streak = None
            reveals = 0
            if user_row is not None:
                user_pk = user_row["id"]
                answer_row = conn.execute(
                    f"SELECT {_ANSWER_COLUMNS} FROM answers a JOIN users u ON u.id = a.user_ref "
                    "LEFT JOIN chats c ON c.id = a.chat_ref "
                    "WHERE a.user_ref = ? AND a.target = ?",
                    (user_pk, target),
                ).fetchone()
                existing = self._answer(answer_row) if answer_row else None
                reveal_row = conn.execute(
                    "SELECT count FROM reveals WHERE user_ref = ? AND target = ?",
                    (user_pk, target),
                ).fetchone()
                reveals = int(reveal_row[0]) if reveal_row else 0
                card_row = conn.execute(
                    "SELECT * FROM review_cards WHERE user_ref = ? AND item_id = ?",
                    (user_pk, item_id),
                ).fetchone()
                card = self._card(user, card_row) if card_row else None
                streak_row = conn.execute(
                    f"SELECT {_STREAK_COLUMNS} FROM streaks WHERE user_ref = ?", (user_pk,)
                ).fetchone()
                streak = _streak(streak_row) if streak_row else None
            if chat_row is not None:
                zone_row = conn.execute(
                    "SELECT timezone FROM schedules WHERE chat_ref = ?", (chat_row["id"],)
                ).fetchone()
                zone = str(zone_row[0]) if zone_row else None
            return AnswerContext(
                user=self._user(user_row) if user_row else None,
                chat=self._chat(chat_row) if chat_row else None,
                existing=existing,
                reveals=reveals,
                card=card,
                chat_timezone=zone,
                streak=streak,
            )

        return await self._run(read)

    async def record_answer(
        self,
        answer: AnswerRecord,
        card: ReviewCard | None = None,
        quiz: QuizSession | None = None,
        streak: StoredStreak | None = None,
    ) -> AnswerRecord | None:
        def write(conn: sqlite3.Connection) -> int:
            user_pk = self._sync_user_pk(conn, answer.user)
            chat_pk = self._sync_chat_pk(conn, answer.chat) if answer.chat else None
            cursor = conn.execute(
                "INSERT INTO answers (user_ref, chat_ref, group_key, kind, target, post_id, "
                "item_id, verdict, score, points, forfeited, answered_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (user_ref, target) DO NOTHING",
                (
                    user_pk,
                    chat_pk,
                    _group_key(answer.group),
                    answer.kind.value,
                    answer.target,
                    answer.post_id,
                    answer.item_id,
                    answer.verdict.value,
                    answer.score,
                    answer.points,
                    int(answer.forfeited),
                    _ts(answer.answered_at),
                ),
            )
            if cursor.rowcount == 0:
                raise _Duplicate
            if card is not None:
                self._sync_save_card(conn, user_pk, card)
            if quiz is not None:
                self._sync_update_quiz(conn, quiz)
            if streak is not None:
                state = streak.state
                conn.execute(
                    f"INSERT OR REPLACE INTO streaks (user_ref, {_STREAK_COLUMNS}) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        user_pk,
                        streak.zone,
                        state.last_day.isoformat(),
                        state.current,
                        state.best,
                        state.freezes,
                    ),
                )
            return int(cursor.lastrowid or 0)

        try:
            answer_id = await self._write(write)
        except _Duplicate:
            return None
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

    async def answer_times_many(
        self, users: Sequence[UserKey]
    ) -> dict[UserKey, list[datetime]]:
        if not users:
            return {}
        where, params = _keys_filter(users)

        def read(conn: sqlite3.Connection) -> dict[UserKey, list[datetime]]:
            found: dict[UserKey, list[datetime]] = {user: [] for user in users}
            refs = {
                row[0]: found[UserKey(row[1], row[2])]
                for row in conn.execute(
                    f"SELECT id, platform, user_id FROM users WHERE {where}", params
                )
            }
            if not refs:
                return found
            marks = ", ".join("?" * len(refs))
            # Rows arrive grouped by user from the answers_user_time index; the key
            # lookup happens once per user, not once per row.
            rows = conn.execute(
                f"SELECT DISTINCT user_ref, answered_at / {QUARTER_HOUR} FROM answers "
                f"WHERE user_ref IN ({marks}) ORDER BY 1, 2",
                list(refs),
            )
            for ref, group in groupby(rows, key=itemgetter(0)):
                refs[ref].extend(_bucket_dt(row[1]) for row in group)
            return found

        return await self._run(read)

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
            "    SUM(verdict = 'correct') AS correct, SUM(verdict = 'partial') AS partial,"
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

    # --- platform state --------------------------------------------------------
    async def remember_poll(
        self, platform: str, poll_id: str, post_id: int, now: datetime
    ) -> None:
        def write(conn: sqlite3.Connection) -> None:
            found = conn.execute("SELECT 1 FROM daily_posts WHERE id = ?", (post_id,)).fetchone()
            if found is None:
                raise NotFoundError(f"unknown daily post {post_id}")
            conn.execute(
                "INSERT INTO platform_polls (platform, poll_id, post_ref, created_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (platform, poll_id) "
                "DO UPDATE SET post_ref = excluded.post_ref",
                (platform, poll_id, post_id, _ts(now)),
            )

        await self._write(write)

    async def poll_post(self, platform: str, poll_id: str) -> DailyPost | None:
        row = await self._one(
            f"SELECT {_POST_COLUMNS} FROM platform_polls l "
            "JOIN daily_posts p ON p.id = l.post_ref JOIN chats c ON c.id = p.chat_ref "
            "WHERE l.platform = ? AND l.poll_id = ?",
            (platform, poll_id),
        )
        return self._post(row) if row else None

    async def set_private_ok(self, user: UserKey, ok: bool) -> bool:
        def write(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "UPDATE users SET private_ok = ? WHERE platform = ? AND user_id = ?",
                (int(ok), user.platform, user.user_id),
            )
            return cursor.rowcount > 0

        return await self._write(write)

    async def private_ok(self, user: UserKey) -> bool:
        row = await self._one(
            "SELECT private_ok FROM users WHERE platform = ? AND user_id = ?",
            (user.platform, user.user_id),
        )
        return bool(row and row[0])

    # --- reveals ---------------------------------------------------------------
    async def record_reveal(self, user: UserKey, target: str, item_id: str, now: datetime) -> int:
        def write(conn: sqlite3.Connection) -> int:
            row = conn.execute(
                "INSERT INTO reveals (user_ref, target, item_id, count, first_at) "
                "VALUES (?, ?, ?, 1, ?) ON CONFLICT (user_ref, target) "
                "DO UPDATE SET count = count + 1 RETURNING count",
                (self._sync_user_pk(conn, user), target, item_id, _ts(now)),
            ).fetchone()
            return int(row[0])

        return await self._write(write)

    async def reveal_count(self, user: UserKey, target: str) -> int:
        row = await self._one(
            f"SELECT count FROM reveals WHERE user_ref = {_USER_REF} AND target = ?",
            (user.platform, user.user_id, target),
        )
        return int(row[0]) if row else 0

    # --- quiz sessions ---------------------------------------------------------
    async def create_quiz(self, session: QuizSession) -> QuizSession | None:
        def write(conn: sqlite3.Connection) -> int | None:
            user_pk = self._sync_user_pk(conn, session.user)
            chat_pk = self._sync_chat_pk(conn, session.chat)
            try:
                cursor = conn.execute(
                    "INSERT INTO quiz_sessions (user_ref, chat_ref, topic, difficulty, item_ids, "
                    "outcomes, position, points, status, started_at, ended_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
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
                    ),
                )
            except sqlite3.IntegrityError:
                return None  # another session is active (quiz_one_active)
            return cursor.lastrowid

        session_id = await self._write(write)
        return None if session_id is None else await self.get_quiz(session_id)

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

    @staticmethod
    def _sync_update_quiz(conn: sqlite3.Connection, session: QuizSession) -> None:
        cursor = conn.execute(
            "UPDATE quiz_sessions SET outcomes = ?, position = ?, points = ?, status = ?, "
            "ended_at = ? WHERE id = ?",
            (
                json.dumps(list(session.outcomes)),
                session.position,
                session.points,
                session.status.value,
                _opt_ts(session.ended_at),
                session.id,
            ),
        )
        if cursor.rowcount == 0:
            raise NotFoundError(f"unknown quiz session {session.id}")

    async def update_quiz(self, session: QuizSession) -> None:
        await self._write(lambda conn: self._sync_update_quiz(conn, session))

    # --- spaced repetition -----------------------------------------------------
    async def get_card(self, user: UserKey, item_id: str) -> ReviewCard | None:
        row = await self._one(
            f"SELECT * FROM review_cards WHERE user_ref = {_USER_REF} AND item_id = ?",
            (user.platform, user.user_id, item_id),
        )
        return self._card(user, row) if row else None

    @staticmethod
    def _sync_save_card(conn: sqlite3.Connection, user_pk: int, card: ReviewCard) -> None:
        conn.execute(
            "INSERT INTO review_cards (user_ref, item_id, card, prev_card, due, last_review) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_ref, item_id) DO UPDATE SET "
            "card = excluded.card, prev_card = excluded.prev_card, due = excluded.due, "
            "last_review = excluded.last_review",
            (
                user_pk,
                card.item_id,
                card.card_json,
                card.prev_card_json,
                _ts(card.due),
                _opt_ts(card.last_review),
            ),
        )

    async def save_card(self, card: ReviewCard) -> None:
        await self._write(
            lambda conn: self._sync_save_card(conn, self._sync_user_pk(conn, card.user), card)
        )

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

    # --- reports ---------------------------------------------------------------
    async def add_report(
        self, user: UserKey | None, item_id: str, reason: str, now: datetime
    ) -> Report:
        def write(conn: sqlite3.Connection) -> int:
            user_pk = self._sync_user_pk(conn, user) if user is not None else None
            cursor = conn.execute(
                "INSERT INTO reports (user_ref, item_id, reason, created_at) VALUES (?, ?, ?, ?)",
                (user_pk, item_id, reason, _ts(now)),
            )
            return int(cursor.lastrowid or 0)

        report_id = await self._write(write)
        return Report(report_id, user, item_id, reason, _dt(_ts(now)))

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

    # --- outbox ------------------------------------------------------------------
    @staticmethod
    def _outbox(row: sqlite3.Row) -> OutboxRow:
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

    async def commit_tick(
        self, rows: Sequence[NewOutboxRow], advances: Sequence[tuple[ChatKey, datetime | None]]
    ) -> int:
        now = _ts(datetime.now(UTC))
        inserts = [
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
        updates = [(_opt_ts(nxt), chat.platform, chat.chat_id) for chat, nxt in advances]

        def write(conn: sqlite3.Connection) -> int:
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO outbox (platform, chat_id, kind, local_date, post_id, "
                "due_at, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                inserts,
            )
            inserted = conn.total_changes - before
            conn.executemany(
                f"UPDATE schedules SET next_post_utc = ? WHERE chat_ref = {_CHAT_REF}", updates
            )
            return inserted

        return await self._write(write)

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
        rows = await self._all(
            f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE platform = ? AND status = 'pending' "
            "AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
            (platform, _ts(now), limit),
        )
        return [self._outbox(row) for row in rows]

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

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                f"UPDATE outbox SET {assignments} WHERE id = ?", (*changes.values(), row_id)
            )

        await self._write(write)

    async def expire_outbox(self, platform: str, due_before: datetime) -> list[OutboxRow]:
        def write(conn: sqlite3.Connection) -> list[sqlite3.Row]:
            rows = conn.execute(
                f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE platform = ? AND status = 'pending' "
                "AND due_at < ? ORDER BY id",
                (platform, _ts(due_before)),
            ).fetchall()
            conn.executemany(
                "UPDATE outbox SET status = 'skipped', error = 'too old to send' WHERE id = ?",
                [(row[0],) for row in rows],
            )
            return rows

        return [self._outbox(row) for row in await self._write(write)]

    async def outbox_rows(self, platform: str | None = None) -> list[OutboxRow]:
        where, params = ("WHERE platform = ?", (platform,)) if platform else ("", ())
        rows = await self._all(f"SELECT {_OUTBOX_COLUMNS} FROM outbox {where} ORDER BY id", params)
        return [self._outbox(row) for row in rows]

    async def set_post_message(self, post_id: int, message_id: str) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE daily_posts SET message_id = ? WHERE id = ?", (message_id, post_id)
            )

        await self._write(write)

    async def post_by_message(self, chat: ChatKey, message_id: str) -> DailyPost | None:
        row = await self._one(
            f"SELECT {_POST_COLUMNS} FROM daily_posts p JOIN chats c ON c.id = p.chat_ref "
            "WHERE c.platform = ? AND c.chat_id = ? AND p.message_id = ?",
            (chat.platform, chat.chat_id, message_id),
        )
        return self._post(row) if row else None

    async def mark_chat_broken(self, chat: ChatKey, reason: str, at: datetime) -> bool:
        def write(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "UPDATE chats SET broken_at = ?, broken_reason = ? "
                "WHERE platform = ? AND chat_id = ? AND broken_at IS NULL",
                (_ts(at), reason[:300], chat.platform, chat.chat_id),
            )
            return cursor.rowcount > 0

        return await self._write(write)

    async def clear_chat_broken(self, chat: ChatKey) -> bool:
        def write(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "UPDATE chats SET broken_at = NULL, broken_reason = NULL "
                "WHERE platform = ? AND chat_id = ? AND broken_at IS NOT NULL",
                (chat.platform, chat.chat_id),
            )
            return cursor.rowcount > 0

        return await self._write(write)
