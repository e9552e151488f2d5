"""The PostgreSQL Store: asyncpg, a connection pool, numbered migrations per dialect.

`DATABASE_URL=postgresql://user:password@host:5432/dbname`. The schema and almost every
statement are the SQLite store's (`bot.storage.sql`); this module holds only what differs:
the pool and its transactions, `RETURNING` where SQLite reads `lastrowid`, and set-based
statements (`enqueue_group`, `commit_tick`) that lock the rows they take, so several
processes on one database never enqueue a post twice. Each write is one transaction;
concurrent writes run on separate pooled connections. The password is never logged:
messages name the database with `redact_url`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from bot.config import database_password, redact_url
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
from bot.storage.sql import (
    _DUE_FROM,
    _OUTBOX_COLUMNS,
    ADVANCE_SCHEDULE,
    ANSWER_BY_REF,
    CARD_BY_REF,
    CHAT_PK,
    CLEAR_BROKEN,
    DELETE_SCHEDULE,
    DELETE_USER,
    EXPIRED_OUTBOX,
    INSERT_ANSWER,
    INSERT_POST,
    INSERT_QUIZ,
    INSERT_REPORT,
    MARK_BROKEN,
    MARK_REVEALED,
    MERGE_CHAT,
    MOVE_CHAT,
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
    numbered,
    outbox_changes,
    outbox_inserts,
    pending_migrations,
    quiz_params,
    quiz_update_params,
    schedule_params,
    stored_answer,
    streak_params,
)

log = logging.getLogger(__name__)

URL_SCHEMES = ("postgresql", "postgres")
#: application_name of the bot's connections (the healthcheck looks for them).
APPLICATION_NAME = "prepbot"
#: pg_advisory_lock key held while migrating, so processes starting together migrate once.
MIGRATION_LOCK = 0x70726570  # "prep"
#: What the driver raises for a failed statement or a lost connection.
DB_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
)

RECORD_MIGRATION = "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)"
# Due channels of one group, locked: a tick in another process skips them (and after this
# transaction commits they are no longer due), so each is enqueued by one process only.
ENQUEUE_GROUP = (
    f"WITH due AS (SELECT s.chat_ref {_DUE_FROM} AND s.next_post_utc = ? "
    "AND s.local_time = ? AND s.timezone = ? AND s.weekdays = ? "
    "ORDER BY s.chat_ref LIMIT ? FOR UPDATE OF s SKIP LOCKED), "
    "queued AS (INSERT INTO outbox (platform, chat_id, kind, local_date, due_at, "
    "next_attempt_at, created_at) SELECT c.platform, c.chat_id, 'daily', CAST(? AS TEXT), "
    "CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT) "
    "FROM chats c JOIN due ON due.chat_ref = c.id ON CONFLICT DO NOTHING RETURNING 1), "
    "advanced AS (UPDATE schedules SET next_post_utc = ? "
    "WHERE chat_ref IN (SELECT chat_ref FROM due) RETURNING 1) "
    "SELECT (SELECT COUNT(*) FROM advanced), (SELECT COUNT(*) FROM queued)"
)
# commit_tick's rows as columns: one statement however many rows, counting the new ones.
INSERT_OUTBOX_ROWS = (
    "WITH queued AS (INSERT INTO outbox (platform, chat_id, kind, local_date, post_id, due_at, "
    "next_attempt_at, created_at) SELECT * FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[]), "
    "CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS INTEGER[]), CAST(? AS BIGINT[]), "
    "CAST(? AS BIGINT[]), CAST(? AS BIGINT[])) ON CONFLICT DO NOTHING RETURNING 1) "
    "SELECT COUNT(*) FROM queued"
)
# Due rows, locked and skipped by concurrent claims, leased until the next attempt time.
CLAIM_OUTBOX = (
    "WITH due AS (SELECT id, next_attempt_at AS was FROM outbox WHERE platform = ? "
    "AND status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ? "
    "FOR UPDATE SKIP LOCKED), "
    "leased AS (UPDATE outbox o SET next_attempt_at = ? FROM due WHERE o.id = due.id "
    f"RETURNING {', '.join('o.' + c.strip() for c in _OUTBOX_COLUMNS.split(','))}, due.was) "
    "SELECT * FROM leased ORDER BY was, id"
)
ANSWER_TIMES_MANY = (
    f"SELECT DISTINCT u.platform, u.user_id, a.answered_at / {QUARTER_HOUR} "
    "FROM answers a JOIN users u ON u.id = a.user_ref WHERE {where} ORDER BY 1, 2, 3"
)


def is_postgres_url(database_url: str) -> bool:
    return urlsplit(database_url).scheme in URL_SCHEMES


def _rowcount(status: str) -> int:
    """Rows a statement touched, from asyncpg's status tag ("UPDATE 3", "INSERT 0 1")."""
    last = status.rpartition(" ")[2]
    return int(last) if last.isdigit() else 0


async def apply_migrations(conn: asyncpg.Connection) -> int:
    """Apply every PostgreSQL migration newer than the recorded version; return the version.

    Runs under an advisory lock, each migration in its own transaction.
    """
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
    try:
        await conn.execute(SCHEMA_VERSION_TABLE)
        current = int(await conn.fetchval("SELECT MAX(version) FROM schema_version") or 0)
        for version, name, sql in pending_migrations(current, "postgres"):
            try:
                async with conn.transaction():
                    await conn.execute(sql)
                    await conn.execute(
                        numbered(RECORD_MIGRATION), version, name, _ts(datetime.now(UTC))
                    )
            except asyncpg.PostgresError as exc:
                raise StoreError(f"migration {version:03d}_{name} failed: {exc}") from exc
            log.info("applied migration %03d_%s (postgres)", version, name)
            current = version
        return current
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)


async def health_problem(database_url: str) -> str | None:
    """What is wrong with a running bot's PostgreSQL database, or None when it is healthy:
    reachable, migrated to this version's schema, and a prepbot process connected."""
    where = redact_url(database_url)
    try:
        conn = await asyncpg.connect(
            database_url, timeout=5, server_settings={"application_name": "prepbot-health"}
        )
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, ValueError) as exc:
        secret = database_password(database_url)
        reason = str(exc) or type(exc).__name__
        return f"cannot connect to {where}: {reason.replace(secret, '***') if secret else reason}"
    try:
        try:
            version = int(await conn.fetchval("SELECT MAX(version) FROM schema_version") or 0)
        except asyncpg.UndefinedTableError:
            version = 0
        latest = pending_migrations(0, "postgres")[-1][0]
        if version < latest:
            return f"{where} has schema {version}, not {latest} (is the bot starting?)"
        running = await conn.fetchval(
            "SELECT COUNT(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = $1",
            APPLICATION_NAME,
        )
        return None if running else f"no running prepbot is connected to {where}"
    except DB_ERRORS as exc:
        return f"cannot read {where}: {exc}"
    finally:
        await conn.close()


class _Duplicate(Exception):
    """Rolls a write back when the target was already answered."""


class PostgresStore(SqlReads):
    """Store on a PostgreSQL database; open with `await PostgresStore.open(url)`."""

    def __init__(self, pool: asyncpg.Pool, database_url: str) -> None:
        self._pool = pool
        self.location = redact_url(database_url)
        self.schema_version = 0

    @classmethod
    async def open(
        cls, database_url: str, *, min_connections: int = 1, max_connections: int = 10
    ) -> PostgresStore:
        """Connect a pool and migrate; StoreError (password-free) when that fails."""
        where = redact_url(database_url)
        secret = database_password(database_url)
        try:
            pool = await asyncpg.create_pool(
                database_url,
                min_size=min_connections,
                max_size=max_connections,
                command_timeout=60,
                server_settings={"application_name": APPLICATION_NAME},
            )
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, ValueError) as exc:
            reason = str(exc) or type(exc).__name__
            if secret:
                reason = reason.replace(secret, "***")
            raise StoreError(f"DATABASE_URL: cannot connect to {where}: {reason}") from exc
        store = cls(pool, database_url)
        try:
            async with pool.acquire() as conn:
                store.schema_version = await apply_migrations(conn)
        except DB_ERRORS as exc:
            await pool.close()
            raise StoreError(f"DATABASE_URL: cannot migrate {where}: {exc}") from exc
        except BaseException:
            await pool.close()
            raise
        log.info("database %s at schema version %d", where, store.schema_version)
        return store

    async def close(self) -> None:
        await self._pool.close()

    # --- plumbing --------------------------------------------------------------
    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            return list(await self._pool.fetch(numbered(sql), *params))
        except DB_ERRORS as exc:
            raise StoreError(f"database read failed: {exc}") from exc

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Any | None:
        try:
            return await self._pool.fetchrow(numbered(sql), *params)
        except DB_ERRORS as exc:
            raise StoreError(f"database read failed: {exc}") from exc

    async def execute(self, sql: str, *params: Any) -> str:
        """Run one statement (`?` placeholders) in its own transaction; its status tag."""
        async with self._tx() as conn:
            return str(await conn.execute(numbered(sql), *params))

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection inside one transaction; rolled back if the body raises."""
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                yield conn
        except DB_ERRORS as exc:
            raise StoreError(f"database write failed: {exc}") from exc

    @staticmethod
    async def _exec(conn: asyncpg.Connection, sql: str, *params: Any) -> int:
        return _rowcount(await conn.execute(numbered(sql), *params))

    @staticmethod
    async def _row(conn: asyncpg.Connection, sql: str, *params: Any) -> Any | None:
        return await conn.fetchrow(numbered(sql), *params)

    @staticmethod
    async def _pk(conn: asyncpg.Connection, sql: str, key: tuple[str, str], what: str) -> int:
        found = await conn.fetchval(numbered(sql), *key)
        if found is None:
            raise NotFoundError(f"unknown {what} {key[0]}:{key[1]}")
        return int(found)

    async def _user_pk(self, conn: asyncpg.Connection, key: UserKey) -> int:
        return await self._pk(conn, USER_PK, _uk(key), "user")

    async def _chat_pk(self, conn: asyncpg.Connection, key: ChatKey) -> int:
        return await self._pk(conn, CHAT_PK, _ck(key), "chat")

    # --- users -----------------------------------------------------------------
    async def upsert_user(self, key: UserKey, display_name: str, now: datetime) -> User:
        user = await self.get_user(key)
        if user is not None and user.display_name == display_name:
            return user  # the common case writes nothing
        async with self._tx() as conn:
            row = await self._row(
                conn, UPSERT_USER + " RETURNING *", *_uk(key), display_name, _ts(now)
            )
        assert row is not None
        return self._user(row)

    async def _update_user(self, key: UserKey, assignment: str, value: Any) -> None:
        async with self._tx() as conn:
            sql = UPDATE_USER.format(assignment=assignment)
            if await self._exec(conn, sql, value, *_uk(key)) == 0:
                raise NotFoundError(f"unknown user {key}")

    async def set_user_timezone(self, key: UserKey, timezone: str | None) -> None:
        await self._update_user(key, "timezone = ?", timezone)

    async def set_leaderboard_opt_out(self, key: UserKey, opt_out: bool) -> None:
        await self._update_user(key, "leaderboard_opt_out = ?", int(opt_out))

    async def delete_user(self, key: UserKey) -> bool:
        async with self._tx() as conn:
            return await self._exec(conn, DELETE_USER, *_uk(key)) > 0

    # --- chats -----------------------------------------------------------------
    async def upsert_chat(self, key: ChatKey, group: GroupKey, title: str, now: datetime) -> Chat:
        chat = await self.get_chat(key)
        if chat is not None and chat.group == group and chat.title == title:
            return chat
        async with self._tx() as conn:
            row = await self._row(
                conn,
                UPSERT_CHAT + " RETURNING *",
                *_ck(key),
                group.group_id,
                title,
                str(key),
                _ts(now),
            )
        assert row is not None
        return self._chat(row)

    async def migrate_chat(self, old: ChatKey, new: ChatKey, group: GroupKey | None) -> Chat:
        async with self._tx() as conn:
            old_pk = await self._chat_pk(conn, old)
            old_group_id = await conn.fetchval("SELECT group_id FROM chats WHERE id = $1", old_pk)
            old_group = GroupKey(old.platform, old_group_id)
            new_group = group or old_group
            if new != old:
                found = await conn.fetchval(numbered(CHAT_PK), *_ck(new))
                if found is not None:
                    refs = {"old_pk": old_pk, "new_pk": int(found)}
                    for sql, names in MERGE_CHAT:
                        await self._exec(conn, sql, *bind(names, refs))
            values = move_values(old, new, old_pk, old_group, new_group)
            statements = MOVE_CHAT if new_group == old_group else (*MOVE_CHAT, REGROUP_ANSWERS)
            for sql, names in statements:
                await self._exec(conn, sql, *bind(names, values))
        chat = await self.get_chat(new)
        assert chat is not None
        return chat

    # --- schedules -------------------------------------------------------------
    async def save_schedule(self, schedule: Schedule) -> None:
        async with self._tx() as conn:
            chat_pk = await self._chat_pk(conn, schedule.chat)
            await self._exec(conn, SAVE_SCHEDULE, *schedule_params(chat_pk, schedule))

    async def delete_schedule(self, chat: ChatKey) -> bool:
        async with self._tx() as conn:
            return await self._exec(conn, DELETE_SCHEDULE, *_ck(chat)) > 0

    async def enqueue_group(
        self, group: DueGroup, local_date: date, next_post: datetime | None, limit: int
    ) -> tuple[int, int]:
        due = _ts(group.due)
        async with self._tx() as conn:
            row = await self._row(
                conn,
                ENQUEUE_GROUP,
                due,
                _hhmm(group.local_time),
                group.timezone,
                _mask(group.weekdays),
                limit,
                local_date.isoformat(),
                due,
                due,
                _ts(datetime.now(UTC)),
                _opt_ts(next_post),
            )
        assert row is not None
        return int(row[0]), int(row[1])

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
        async with self._tx() as conn:
            chat_pk = await self._chat_pk(conn, chat)
            await self._exec(
                conn,
                INSERT_POST,
                chat_pk,
                local_date.isoformat(),
                item_id,
                cycle,
                _ts(posted_at),
                _opt_ts(reveal_at),
            )
        post = await self.get_daily_post(chat, local_date)
        assert post is not None
        return post

    async def mark_post_revealed(self, post_id: int, at: datetime) -> bool:
        async with self._tx() as conn:
            if await self._exec(conn, MARK_REVEALED, _ts(at), post_id):
                return True
            if await self._row(conn, POST_EXISTS, post_id) is not None:
                return False
        raise NotFoundError(f"unknown post {post_id}")

    # --- answers ---------------------------------------------------------------
    async def answer_context(
        self, user: UserKey, chat: ChatKey, target: str, item_id: str
    ) -> AnswerContext:
        try:
            async with self._pool.acquire() as conn:
                user_row = await self._row(conn, SELECT_USER, *_uk(user))
                chat_row = await self._row(conn, SELECT_CHAT, *_ck(chat))
                existing = card = zone = streak = None
                reveals = 0
                if user_row is not None:
                    user_pk = user_row["id"]
                    answer_row = await self._row(conn, ANSWER_BY_REF, user_pk, target)
                    existing = self._answer(answer_row) if answer_row else None
                    reveal_row = await self._row(conn, REVEALS_BY_REF, user_pk, target)
                    reveals = int(reveal_row[0]) if reveal_row else 0
                    card_row = await self._row(conn, CARD_BY_REF, user_pk, item_id)
                    card = self._card(user, card_row) if card_row else None
                    streak_row = await self._row(conn, STREAK_BY_REF, user_pk)
                    streak = _streak(streak_row) if streak_row else None
                if chat_row is not None:
                    zone_row = await self._row(conn, ZONE_BY_REF, chat_row["id"])
                    zone = str(zone_row[0]) if zone_row else None
        except DB_ERRORS as exc:
            raise StoreError(f"database read failed: {exc}") from exc
        return AnswerContext(
            user=self._user(user_row) if user_row else None,
            chat=self._chat(chat_row) if chat_row else None,
            existing=existing,
            reveals=reveals,
            card=card,
            chat_timezone=zone,
            streak=streak,
        )

    async def record_answer(
        self,
        answer: AnswerRecord,
        card: ReviewCard | None = None,
        quiz: QuizSession | None = None,
        streak: StoredStreak | None = None,
    ) -> AnswerRecord | None:
        try:
            async with self._tx() as conn:
                user_pk = await self._user_pk(conn, answer.user)
                chat_pk = await self._chat_pk(conn, answer.chat) if answer.chat else None
                answer_id = await conn.fetchval(
                    numbered(INSERT_ANSWER + " RETURNING id"),
                    *answer_params(user_pk, chat_pk, answer),
                )
                if answer_id is None:
                    raise _Duplicate
                if card is not None:
                    await self._exec(conn, SAVE_CARD, *card_params(user_pk, card))
                if quiz is not None:
                    await self._update_quiz(conn, quiz)
                if streak is not None:
                    await self._exec(conn, SAVE_STREAK, *streak_params(user_pk, streak))
        except _Duplicate:
            return None
        return stored_answer(answer, int(answer_id))

    async def answer_times_many(
        self, users: Sequence[UserKey]
    ) -> dict[UserKey, list[datetime]]:
        if not users:
            return {}
        where, params = _keys_filter(users, "u.")
        found: dict[UserKey, list[datetime]] = {user: [] for user in users}
        for row in await self._all(ANSWER_TIMES_MANY.format(where=where), params):
            found[UserKey(row[0], row[1])].append(_bucket_dt(int(row[2])))
        return found

    # --- platform state --------------------------------------------------------
    async def remember_poll(
        self, platform: str, poll_id: str, post_id: int, now: datetime
    ) -> None:
        async with self._tx() as conn:
            if await self._row(conn, POST_EXISTS, post_id) is None:
                raise NotFoundError(f"unknown daily post {post_id}")
            await self._exec(conn, REMEMBER_POLL, platform, poll_id, post_id, _ts(now))

    async def set_private_ok(self, user: UserKey, ok: bool) -> bool:
        async with self._tx() as conn:
            return await self._exec(conn, SET_PRIVATE_OK, int(ok), *_uk(user)) > 0

    # --- reveals ---------------------------------------------------------------
    async def record_reveal(self, user: UserKey, target: str, item_id: str, now: datetime) -> int:
        async with self._tx() as conn:
            user_pk = await self._user_pk(conn, user)
            count = await conn.fetchval(
                numbered(RECORD_REVEAL), user_pk, target, item_id, _ts(now)
            )
        return int(count)

    # --- quiz sessions ---------------------------------------------------------
    async def create_quiz(self, session: QuizSession) -> QuizSession | None:
        async with self._tx() as conn:
            user_pk = await self._user_pk(conn, session.user)
            chat_pk = await self._chat_pk(conn, session.chat)
            # quiz_one_active: a second active session for the pair inserts nothing.
            session_id = await conn.fetchval(
                numbered(INSERT_QUIZ + " ON CONFLICT DO NOTHING RETURNING id"),
                *quiz_params(user_pk, chat_pk, session),
            )
        return None if session_id is None else await self.get_quiz(int(session_id))

    async def _update_quiz(self, conn: asyncpg.Connection, session: QuizSession) -> None:
        if await self._exec(conn, UPDATE_QUIZ, *quiz_update_params(session)) == 0:
            raise NotFoundError(f"unknown quiz session {session.id}")

    async def update_quiz(self, session: QuizSession) -> None:
        async with self._tx() as conn:
            await self._update_quiz(conn, session)

    # --- spaced repetition -----------------------------------------------------
    async def save_card(self, card: ReviewCard) -> None:
        async with self._tx() as conn:
            user_pk = await self._user_pk(conn, card.user)
            await self._exec(conn, SAVE_CARD, *card_params(user_pk, card))

    # --- reports ---------------------------------------------------------------
    async def add_report(
        self, user: UserKey | None, item_id: str, reason: str, now: datetime
    ) -> Report:
        async with self._tx() as conn:
            user_pk = await self._user_pk(conn, user) if user is not None else None
            report_id = await conn.fetchval(
                numbered(INSERT_REPORT + " RETURNING id"), user_pk, item_id, reason, _ts(now)
            )
        return Report(int(report_id), user, item_id, reason, _dt(_ts(now)))

    # --- outbox ------------------------------------------------------------------
    async def commit_tick(
        self, rows: Sequence[NewOutboxRow], advances: Sequence[tuple[ChatKey, datetime | None]]
    ) -> int:
        inserts = outbox_inserts(rows, _ts(datetime.now(UTC)))
        columns = [list(column) for column in zip(*inserts, strict=True)] if inserts else []
        updates = [(_opt_ts(nxt), *_ck(chat)) for chat, nxt in advances]
        inserted = 0
        async with self._tx() as conn:
            if columns:
                inserted = int(await conn.fetchval(numbered(INSERT_OUTBOX_ROWS), *columns))
            if updates:
                await conn.executemany(numbered(ADVANCE_SCHEDULE), updates)
        return inserted

    async def claim_outbox(
        self, platform: str, now: datetime, limit: int, lease: timedelta
    ) -> list[OutboxRow]:
        async with self._tx() as conn:
            rows = await conn.fetch(
                numbered(CLAIM_OUTBOX), platform, _ts(now), limit, _ts(now + lease)
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
        sql, values = outbox_changes(
            status, attempts, next_attempt_at, message_id, sent_at, post_id, error
        )
        async with self._tx() as conn:
            await self._exec(conn, sql, *values, row_id)

    async def expire_outbox(self, platform: str, due_before: datetime) -> list[OutboxRow]:
        async with self._tx() as conn:
            rows = await conn.fetch(numbered(EXPIRED_OUTBOX), platform, _ts(due_before))
            if rows:
                await conn.executemany(numbered(SKIP_OUTBOX), [(row[0],) for row in rows])
        return [self._outbox(row) for row in rows]

    async def set_post_message(self, post_id: int, message_id: str) -> None:
        async with self._tx() as conn:
            await self._exec(conn, SET_POST_MESSAGE, message_id, post_id)

    async def mark_chat_broken(self, chat: ChatKey, reason: str, at: datetime) -> bool:
        async with self._tx() as conn:
            return await self._exec(conn, MARK_BROKEN, _ts(at), reason[:300], *_ck(chat)) > 0

    async def clear_chat_broken(self, chat: ChatKey) -> bool:
        async with self._tx() as conn:
            return await self._exec(conn, CLEAR_BROKEN, *_ck(chat)) > 0
