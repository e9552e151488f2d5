"""Schedules: one per chat, what is due, and the tick's set-based enqueue of a due group."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.models import ChatKey, DueGroup, GroupKey, Schedule
from bot.storage.sql.codecs import (
    _ck,
    _days,
    _dt,
    _hhmm,
    _local_time,
    _mask,
    _opt_ts,
    _ts,
    schedule_of,
    schedule_params,
)
from bot.storage.sql.core import (
    CHAT_REF,
    Dialect,
    Script,
    SqlCore,
    chat_pk,
    execute,
    fetch_all,
    marks,
)

SCHEDULE_COLUMNS = (
    "c.platform, c.chat_id, s.local_time, s.timezone, s.weekdays, s.topics, "
    "s.reveal_delay_hours, s.thread, s.paused, s.next_post_utc, s.created_at, s.updated_at"
)
DUE_FROM = (
    "FROM schedules s JOIN chats c ON c.id = s.chat_ref WHERE s.paused = 0 AND c.broken_at IS NULL"
)
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
DELETE_SCHEDULE = f"DELETE FROM schedules WHERE chat_ref = {CHAT_REF}"
ADVANCE_SCHEDULE = f"UPDATE schedules SET next_post_utc = ? WHERE chat_ref = {CHAT_REF}"
GROUP_MEMBERS = (
    f"SELECT s.chat_ref {DUE_FROM} AND s.next_post_utc = ? AND s.local_time = ? "
    "AND s.timezone = ? AND s.weekdays = ? ORDER BY s.chat_ref LIMIT ?"
)
# The parameters are cast: PostgreSQL cannot type a bare parameter in a SELECT list.
ENQUEUE_DAILY = (
    "INSERT INTO outbox (platform, chat_id, kind, local_date, due_at, next_attempt_at, "
    "created_at) SELECT platform, chat_id, 'daily', CAST(? AS TEXT), CAST(? AS BIGINT), "
    "CAST(? AS BIGINT), CAST(? AS BIGINT) FROM chats WHERE id IN ({refs}) "
    "ON CONFLICT DO NOTHING"
)


def enqueue_group_script(
    dialect: Dialect, group: DueGroup, local_date: date, next_post: datetime | None, limit: int
) -> Script[tuple[int, int]]:
    """enqueue_group's statements, set-based (no Python object per channel).

    The due channels are locked where the dialect can: a tick in another process skips
    them, and once this transaction commits they are no longer due, so each channel is
    enqueued by one process only.
    """
    due = _ts(group.due)
    match = (due, _hhmm(group.local_time), group.timezone, _mask(group.weekdays))
    rows = yield from fetch_all(GROUP_MEMBERS + dialect.lock("s"), *match, limit)
    refs = [int(row[0]) for row in rows]
    if not refs:
        return 0, 0
    places = marks(len(refs))
    stamp = _ts(datetime.now(UTC))
    inserted = yield from execute(
        ENQUEUE_DAILY.format(refs=places), local_date.isoformat(), due, due, stamp, *refs
    )
    yield from execute(
        f"UPDATE schedules SET next_post_utc = ? WHERE chat_ref IN ({places})",
        _opt_ts(next_post),
        *refs,
    )
    return len(refs), inserted


class SqlSchedules(SqlCore):
    """The ScheduleStore part of the SQL stores."""

    async def save_schedule(self, schedule: Schedule) -> None:
        def script() -> Script[None]:
            pk = yield from chat_pk(schedule.chat)
            yield from execute(SAVE_SCHEDULE, *schedule_params(pk, schedule))

        await self._write(script())

    async def get_schedule(self, chat: ChatKey) -> Schedule | None:
        row = await self._one(
            f"SELECT {SCHEDULE_COLUMNS} FROM schedules s JOIN chats c ON c.id = s.chat_ref "
            "WHERE c.platform = ? AND c.chat_id = ?",
            *_ck(chat),
        )
        return schedule_of(row) if row else None

    async def delete_schedule(self, chat: ChatKey) -> bool:
        return await self._write(execute(DELETE_SCHEDULE, *_ck(chat))) > 0

    async def due_groups(self, now: datetime) -> list[DueGroup]:
        rows = await self._all(
            "SELECT s.local_time, s.timezone, s.weekdays, s.next_post_utc, COUNT(*) "
            f"{DUE_FROM} AND s.next_post_utc <= ? "
            "GROUP BY s.next_post_utc, s.local_time, s.timezone, s.weekdays ORDER BY 4, 1, 2",
            _ts(now),
        )
        return [
            DueGroup(_local_time(row[0]), row[1], _days(row[2]), _dt(row[3]), int(row[4]))
            for row in rows
        ]

    async def enqueue_group(
        self, group: DueGroup, local_date: date, next_post: datetime | None, limit: int
    ) -> tuple[int, int]:
        return await self._write(
            enqueue_group_script(self.dialect, group, local_date, next_post, limit)
        )

    async def group_timezone(self, group: GroupKey) -> str | None:
        row = await self._one(
            "SELECT s.timezone FROM schedules s JOIN chats c ON c.id = s.chat_ref "
            "WHERE c.platform = ? AND c.group_id = ? "
            "ORDER BY s.created_at, c.platform, c.chat_id LIMIT 1",
            group.platform,
            group.group_id,
        )
        return str(row[0]) if row else None
