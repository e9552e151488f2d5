"""The outbox: scheduled deliveries the tick enqueues and the senders claim and settle."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.domain.models import (
    ChatKey,
    DailyPost,
    NewOutboxRow,
    OutboxHealth,
    OutboxRow,
    OutboxStatus,
)
from bot.storage.sql.codecs import (
    _ck,
    _dt,
    _opt_dt,
    _opt_ts,
    _ts,
    outbox_changes,
    outbox_inserts,
    outbox_of,
    post_of,
)
from bot.storage.sql.core import Dialect, Script, SqlCore, execute, execute_many, fetch_all
from bot.storage.sql.posts import POSTS_FROM
from bot.storage.sql.schedules import ADVANCE_SCHEDULE

OUTBOX_COLUMNS = (
    "id, platform, chat_id, kind, local_date, post_id, due_at, status, attempts, "
    "next_attempt_at, message_id, sent_at, error"
)
INSERT_OUTBOX = (
    "INSERT INTO outbox (platform, chat_id, kind, local_date, post_id, due_at, "
    "next_attempt_at, created_at) VALUES {rows} ON CONFLICT DO NOTHING RETURNING 1"
)
#: Rows per INSERT: 8 parameters each stays far below both dialects' parameter limits.
INSERT_CHUNK = 500
EXPIRED_OUTBOX = (
    f"SELECT {OUTBOX_COLUMNS} FROM outbox WHERE platform = ? AND status = 'pending' "
    "AND due_at < ? ORDER BY id"
)
PENDING_OUTBOX = (
    f"SELECT {OUTBOX_COLUMNS} FROM outbox WHERE platform = ? AND status = 'pending' "
    "AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?"
)
LEASE_OUTBOX = "UPDATE outbox SET next_attempt_at = ? WHERE id = ?"
SKIP_OUTBOX = "UPDATE outbox SET status = 'skipped', error = 'too old to send' WHERE id = ?"


def commit_tick_script(
    rows: Sequence[NewOutboxRow], advances: Sequence[tuple[ChatKey, datetime | None]]
) -> Script[int]:
    """Insert outbox rows (duplicates ignored) and advance schedules; the new rows."""
    inserts = outbox_inserts(rows, _ts(datetime.now(UTC)))
    inserted = 0
    for start in range(0, len(inserts), INSERT_CHUNK):
        chunk = inserts[start : start + INSERT_CHUNK]
        values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk))
        params = [value for row in chunk for value in row]
        inserted += len((yield from fetch_all(INSERT_OUTBOX.format(rows=values), *params)))
    yield from execute_many(
        ADVANCE_SCHEDULE, [(_opt_ts(nxt), *_ck(chat)) for chat, nxt in advances]
    )
    return inserted


def claim_outbox_script(
    dialect: Dialect, platform: str, now: datetime, limit: int, until: int
) -> Script[list[OutboxRow]]:
    """Due pending rows, locked where the dialect can (a concurrent claim skips them),
    leased until `until`."""
    rows = yield from fetch_all(PENDING_OUTBOX + dialect.lock("outbox"), platform, _ts(now), limit)
    yield from execute_many(LEASE_OUTBOX, [(until, row[0]) for row in rows])
    leased = _dt(until)
    return [replace(outbox_of(row), next_attempt_at=leased) for row in rows]


def expire_outbox_script(platform: str, due_before: datetime) -> Script[list[OutboxRow]]:
    """Skip pending rows due before `due_before`; the rows as they were."""
    rows = yield from fetch_all(EXPIRED_OUTBOX, platform, _ts(due_before))
    yield from execute_many(SKIP_OUTBOX, [(row[0],) for row in rows])
    return [outbox_of(row) for row in rows]


class SqlOutbox(SqlCore):
    """The OutboxStore part of the SQL stores (and the outbox inspection reads)."""

    async def commit_tick(
        self, rows: Sequence[NewOutboxRow], advances: Sequence[tuple[ChatKey, datetime | None]]
    ) -> int:
        return await self._write(commit_tick_script(rows, advances))

    async def reveals_to_enqueue(self, now: datetime, limit: int) -> list[DailyPost]:
        rows = await self._all(
            f"{POSTS_FROM} WHERE p.revealed_at IS NULL AND p.reveal_at <= ? "
            "AND c.broken_at IS NULL AND NOT EXISTS (SELECT 1 FROM outbox o "
            "WHERE o.platform = c.platform AND o.chat_id = c.chat_id "
            "AND o.local_date = p.local_date AND o.kind = 'reveal') "
            "ORDER BY p.reveal_at, p.id LIMIT ?",
            _ts(now),
            limit,
        )
        return [post_of(row) for row in rows]

    async def claim_outbox(
        self, platform: str, now: datetime, limit: int, lease: timedelta
    ) -> list[OutboxRow]:
        until = _ts(now + lease)
        return await self._write(claim_outbox_script(self.dialect, platform, now, limit, until))

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
        await self._write(execute(sql, *values, row_id))

    async def expire_outbox(self, platform: str, due_before: datetime) -> list[OutboxRow]:
        return await self._write(expire_outbox_script(platform, due_before))

    async def pending_outbox(self, platform: str, now: datetime, limit: int) -> list[OutboxRow]:
        rows = await self._all(PENDING_OUTBOX, platform, _ts(now), limit)
        return [outbox_of(row) for row in rows]

    async def outbox_health(self) -> OutboxHealth:
        pending = await self._one(
            "SELECT COUNT(*), MIN(due_at) FROM outbox WHERE status = 'pending'"
        )
        broken = await self._one("SELECT COUNT(*) FROM chats WHERE broken_at IS NOT NULL")
        count, oldest = (pending[0], pending[1]) if pending else (0, None)
        return OutboxHealth(int(count or 0), _opt_dt(oldest), int(broken[0]) if broken else 0)

    async def outbox_rows(self, platform: str | None = None) -> list[OutboxRow]:
        where, params = ("WHERE platform = ?", (platform,)) if platform else ("", ())
        rows = await self._all(f"SELECT {OUTBOX_COLUMNS} FROM outbox {where} ORDER BY id", *params)
        return [outbox_of(row) for row in rows]
