"""The default Store: SQLite through aiosqlite (WAL, foreign keys, numbered migrations).

One connection in autocommit mode. Every write is a small synchronous function run on
aiosqlite's worker thread inside `BEGIN IMMEDIATE ... COMMIT`; writes that arrive while a
commit is in flight are batched into the next transaction (group commit), each in its own
savepoint. A transaction is one thread hop, so no read ever runs inside another
coroutine's open transaction. Times are epoch seconds, dates ISO text.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite

from bot.domain.models import (
    AnswerContext,
    AnswerRecord,
    Chat,
    ChatKey,
    DailyPost,
    DueGroup,
    GroupKey,
    NewOutboxRow,
    OutboxRow,
    OutboxStatus,
    QuizSession,
    Report,
    ReviewCard,
    Schedule,
    User,
    UserKey,
)
from bot.domain.streaks import StoredStreak
from bot.errors import NotFoundError, StoreError
from bot.storage.checkpoint import CHECKPOINT_SECONDS, WalCheckpointer
from bot.storage.lock import DatabaseLock
from bot.storage.sql import (
    _DUE_FROM,
    ADVANCE_SCHEDULE,
    ANSWER_BY_REF,
    CARD_BY_REF,
    CHAT_PK,
    CLEAR_BROKEN,
    DELETE_SCHEDULE,
    DELETE_USER,
    EXPIRED_OUTBOX,
    INSERT_ANSWER,
    INSERT_OUTBOX,
    INSERT_POST,
    INSERT_QUIZ,
    INSERT_REPORT,
    LEASE_OUTBOX,
    MARK_BROKEN,
    MARK_REVEALED,
    MERGE_CHAT,
    MOVE_CHAT,
    PENDING_OUTBOX,
    POST_EXISTS,
    QUARTER_HOUR,
    RECORD_REVEAL,
    REGROUP_ANSWERS,
    REMEMBER_POLL,
    REVEALS_BY_REF,
    SAVE_CARD,
    SAVE_SCHEDULE,
    SAVE_STREAK,
    SCHEMA_VERSION_TABLE,
    SELECT_CHAT,
    SELECT_USER,
    SET_POST_MESSAGE,
    SET_PRIVATE_OK,
    SKIP_OUTBOX,
    STREAK_BY_REF,
    UPDATE_QUIZ,
    UPDATE_USER,
    UPSERT_CHAT,
    UPSERT_USER,
    USER_PK,
    ZONE_BY_REF,
    SqlReads,
    _bucket_dt,
    _ck,
    _dt,
    _hhmm,
    _keys_filter,
    _mask,
    _opt_ts,
    _streak,
    _ts,
    _uk,
    answer_params,
    bind,
    card_params,
    move_values,
    outbox_changes,
    outbox_inserts,
    pending_migrations,
    quiz_params,
    quiz_update_params,
    schedule_params,
    stored_answer,
    streak_params,
)
from bot.storage.sql import (
    migrations as migrations,  # re-exported: the healthcheck and tests read it here
)

log = logging.getLogger(__name__)

T = TypeVar("T")


class _Duplicate(Exception):
    """Rolls a write back when the target was already answered."""


async def apply_migrations(db: aiosqlite.Connection) -> int:
    """Apply every migration newer than the recorded schema version; return the version."""
    await db.execute(SCHEMA_VERSION_TABLE)
    rows = list(await db.execute_fetchall("SELECT MAX(version) FROM schema_version"))
    current = int(rows[0][0] or 0)
    for version, name, sql in pending_migrations(current, "sqlite"):
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


class SqliteStore(SqlReads):
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
        row = conn.execute(USER_PK, _uk(key)).fetchone()
        if row is None:
            raise NotFoundError(f"unknown user {key}")
        return int(row[0])

    @staticmethod
    def _sync_chat_pk(conn: sqlite3.Connection, key: ChatKey) -> int:
        row = conn.execute(CHAT_PK, _ck(key)).fetchone()
        if row is None:
            raise NotFoundError(f"unknown chat {key}")
        return int(row[0])

    # --- users -----------------------------------------------------------------
    async def upsert_user(self, key: UserKey, display_name: str, now: datetime) -> User:
        user = await self.get_user(key)
        if user is not None and user.display_name == display_name:
            return user  # the common case writes nothing

        def write(conn: sqlite3.Connection) -> sqlite3.Row:
            conn.execute(UPSERT_USER, (key.platform, key.user_id, display_name, _ts(now)))
            return cast(sqlite3.Row, conn.execute(SELECT_USER, _uk(key)).fetchone())

        return self._user(await self._write(write))

    async def _update_user(self, key: UserKey, assignment: str, value: Any) -> None:
        def write(conn: sqlite3.Connection) -> None:
            sql = UPDATE_USER.format(assignment=assignment)
            if conn.execute(sql, (value, *_uk(key))).rowcount == 0:
                raise NotFoundError(f"unknown user {key}")

        await self._write(write)

    async def set_user_timezone(self, key: UserKey, timezone: str | None) -> None:
        await self._update_user(key, "timezone = ?", timezone)

    async def set_leaderboard_opt_out(self, key: UserKey, opt_out: bool) -> None:
        await self._update_user(key, "leaderboard_opt_out = ?", int(opt_out))

    async def delete_user(self, key: UserKey) -> bool:
        # Foreign keys cascade to answers, reveals, sessions, cards and reports.
        return await self._write(lambda conn: conn.execute(DELETE_USER, _uk(key)).rowcount > 0)

    # --- chats -----------------------------------------------------------------
    async def upsert_chat(self, key: ChatKey, group: GroupKey, title: str, now: datetime) -> Chat:
        chat = await self.get_chat(key)
        if chat is not None and chat.group == group and chat.title == title:
            return chat

        def write(conn: sqlite3.Connection) -> sqlite3.Row:
            conn.execute(UPSERT_CHAT, (*_ck(key), group.group_id, title, str(key), _ts(now)))
            return cast(sqlite3.Row, conn.execute(SELECT_CHAT, _ck(key)).fetchone())

        return self._chat(await self._write(write))

    async def migrate_chat(self, old: ChatKey, new: ChatKey, group: GroupKey | None) -> Chat:
        def write(conn: sqlite3.Connection) -> None:
            old_pk = self._sync_chat_pk(conn, old)
            row = conn.execute("SELECT group_id FROM chats WHERE id = ?", (old_pk,)).fetchone()
            old_group = GroupKey(old.platform, row[0])
            new_group = group or old_group
            if new != old:
                found = conn.execute(CHAT_PK, _ck(new)).fetchone()
                if found is not None:
                    refs = {"old_pk": old_pk, "new_pk": int(found[0])}
                    for sql, names in MERGE_CHAT:
                        conn.execute(sql, bind(names, refs))
            values = move_values(old, new, old_pk, old_group, new_group)
            statements = MOVE_CHAT if new_group == old_group else (*MOVE_CHAT, REGROUP_ANSWERS)
            for sql, names in statements:
                conn.execute(sql, bind(names, values))

        await self._write(write)
        chat = await self.get_chat(new)
        assert chat is not None
        return chat

    # --- schedules -------------------------------------------------------------
    async def save_schedule(self, schedule: Schedule) -> None:
        def write(conn: sqlite3.Connection) -> None:
            chat_pk = self._sync_chat_pk(conn, schedule.chat)
            conn.execute(SAVE_SCHEDULE, schedule_params(chat_pk, schedule))

        await self._write(write)

    async def delete_schedule(self, chat: ChatKey) -> bool:
        return await self._write(lambda conn: conn.execute(DELETE_SCHEDULE, _ck(chat)).rowcount > 0)

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
            chat_pk = self._sync_chat_pk(conn, chat)
            conn.execute(
                INSERT_POST,
                (
                    chat_pk,
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

    async def mark_post_revealed(self, post_id: int, at: datetime) -> bool:
        def write(conn: sqlite3.Connection) -> bool:
            if conn.execute(MARK_REVEALED, (_ts(at), post_id)).rowcount:
                return True
            if conn.execute(POST_EXISTS, (post_id,)).fetchone():
                return False
            raise NotFoundError(f"unknown post {post_id}")

        return await self._write(write)

    # --- answers ---------------------------------------------------------------
    async def answer_context(
        self, user: UserKey, chat: ChatKey, target: str, item_id: str
    ) -> AnswerContext:
        def read(conn: sqlite3.Connection) -> AnswerContext:
            user_row = conn.execute(SELECT_USER, _uk(user)).fetchone()
            chat_row = conn.execute(SELECT_CHAT, _ck(chat)).fetchone()
            existing = card = zone = streak = None
            reveals = 0
            if user_row is not None:
                user_pk = user_row["id"]
                answer_row = conn.execute(ANSWER_BY_REF, (user_pk, target)).fetchone()
                existing = self._answer(answer_row) if answer_row else None
                reveal_row = conn.execute(REVEALS_BY_REF, (user_pk, target)).fetchone()
                reveals = int(reveal_row[0]) if reveal_row else 0
                card_row = conn.execute(CARD_BY_REF, (user_pk, item_id)).fetchone()
                card = self._card(user, card_row) if card_row else None
                streak_row = conn.execute(STREAK_BY_REF, (user_pk,)).fetchone()
                streak = _streak(streak_row) if streak_row else None
            if chat_row is not None:
                zone_row = conn.execute(ZONE_BY_REF, (chat_row["id"],)).fetchone()
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
            cursor = conn.execute(INSERT_ANSWER, answer_params(user_pk, chat_pk, answer))
            if cursor.rowcount == 0:
                raise _Duplicate
            if card is not None:
                conn.execute(SAVE_CARD, card_params(user_pk, card))
            if quiz is not None:
                self._sync_update_quiz(conn, quiz)
            if streak is not None:
                conn.execute(SAVE_STREAK, streak_params(user_pk, streak))
            return int(cursor.lastrowid or 0)

        try:
            answer_id = await self._write(write)
        except _Duplicate:
            return None
        return stored_answer(answer, answer_id)

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

    # --- platform state --------------------------------------------------------
    async def remember_poll(
        self, platform: str, poll_id: str, post_id: int, now: datetime
    ) -> None:
        def write(conn: sqlite3.Connection) -> None:
            if conn.execute(POST_EXISTS, (post_id,)).fetchone() is None:
                raise NotFoundError(f"unknown daily post {post_id}")
            conn.execute(REMEMBER_POLL, (platform, poll_id, post_id, _ts(now)))

        await self._write(write)

    async def set_private_ok(self, user: UserKey, ok: bool) -> bool:
        return await self._write(
            lambda conn: conn.execute(SET_PRIVATE_OK, (int(ok), *_uk(user))).rowcount > 0
        )

    # --- reveals ---------------------------------------------------------------
    async def record_reveal(self, user: UserKey, target: str, item_id: str, now: datetime) -> int:
        def write(conn: sqlite3.Connection) -> int:
            user_pk = self._sync_user_pk(conn, user)
            row = conn.execute(RECORD_REVEAL, (user_pk, target, item_id, _ts(now))).fetchone()
            return int(row[0])

        return await self._write(write)

    # --- quiz sessions ---------------------------------------------------------
    async def create_quiz(self, session: QuizSession) -> QuizSession | None:
        def write(conn: sqlite3.Connection) -> int | None:
            user_pk = self._sync_user_pk(conn, session.user)
            chat_pk = self._sync_chat_pk(conn, session.chat)
            try:
                cursor = conn.execute(INSERT_QUIZ, quiz_params(user_pk, chat_pk, session))
            except sqlite3.IntegrityError:
                return None  # another session is active (quiz_one_active)
            return cursor.lastrowid

        session_id = await self._write(write)
        return None if session_id is None else await self.get_quiz(session_id)

    @staticmethod
    def _sync_update_quiz(conn: sqlite3.Connection, session: QuizSession) -> None:
        if conn.execute(UPDATE_QUIZ, quiz_update_params(session)).rowcount == 0:
            raise NotFoundError(f"unknown quiz session {session.id}")

    async def update_quiz(self, session: QuizSession) -> None:
        await self._write(lambda conn: self._sync_update_quiz(conn, session))

    # --- spaced repetition -----------------------------------------------------
    async def save_card(self, card: ReviewCard) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute(SAVE_CARD, card_params(self._sync_user_pk(conn, card.user), card))

        await self._write(write)

    # --- reports ---------------------------------------------------------------
    async def add_report(
        self, user: UserKey | None, item_id: str, reason: str, now: datetime
    ) -> Report:
        def write(conn: sqlite3.Connection) -> int:
            user_pk = self._sync_user_pk(conn, user) if user is not None else None
            cursor = conn.execute(INSERT_REPORT, (user_pk, item_id, reason, _ts(now)))
            return int(cursor.lastrowid or 0)

        report_id = await self._write(write)
        return Report(report_id, user, item_id, reason, _dt(_ts(now)))

    # --- outbox ------------------------------------------------------------------
    async def commit_tick(
        self, rows: Sequence[NewOutboxRow], advances: Sequence[tuple[ChatKey, datetime | None]]
    ) -> int:
        inserts = outbox_inserts(rows, _ts(datetime.now(UTC)))
        updates = [(_opt_ts(nxt), *_ck(chat)) for chat, nxt in advances]

        def write(conn: sqlite3.Connection) -> int:
            before = conn.total_changes
            conn.executemany(INSERT_OUTBOX, inserts)
            inserted = conn.total_changes - before
            conn.executemany(ADVANCE_SCHEDULE, updates)
            return inserted

        return await self._write(write)

    async def claim_outbox(
        self, platform: str, now: datetime, limit: int, lease: timedelta
    ) -> list[OutboxRow]:
        until = _ts(now + lease)

        # One process holds an SQLite file; the lease still hides rows from later claims.
        def write(conn: sqlite3.Connection) -> list[sqlite3.Row]:
            rows = conn.execute(PENDING_OUTBOX, (platform, _ts(now), limit)).fetchall()
            conn.executemany(LEASE_OUTBOX, [(until, row[0]) for row in rows])
            return rows

        leased = _dt(until)
        rows = await self._write(write)
        return [replace(self._outbox(row), next_attempt_at=leased) for row in rows]

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
        sql, values = outbox_changes(
            status, attempts, next_attempt_at, message_id, sent_at, post_id, error
        )
        await self._write(lambda conn: conn.execute(sql, (*values, row_id)))

    async def expire_outbox(self, platform: str, due_before: datetime) -> list[OutboxRow]:
        def write(conn: sqlite3.Connection) -> list[sqlite3.Row]:
            rows = conn.execute(EXPIRED_OUTBOX, (platform, _ts(due_before))).fetchall()
            conn.executemany(SKIP_OUTBOX, [(row[0],) for row in rows])
            return rows

        return [self._outbox(row) for row in await self._write(write)]

    async def set_post_message(self, post_id: int, message_id: str) -> None:
        await self._write(lambda conn: conn.execute(SET_POST_MESSAGE, (message_id, post_id)))

    async def mark_chat_broken(self, chat: ChatKey, reason: str, at: datetime) -> bool:
        params = (_ts(at), reason[:300], *_ck(chat))
        return await self._write(lambda conn: conn.execute(MARK_BROKEN, params).rowcount > 0)

    async def clear_chat_broken(self, chat: ChatKey) -> bool:
        return await self._write(lambda conn: conn.execute(CLEAR_BROKEN, _ck(chat)).rowcount > 0)
