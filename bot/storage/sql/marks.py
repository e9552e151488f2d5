"""Marks of things shown once, with a value a mark may keep, pruned by age."""

from __future__ import annotations

from datetime import datetime

from bot.domain.models import UserKey
from bot.storage.sql.codecs import _ts, _uk
from bot.storage.sql.core import USER_REF, SqlCore, execute, fetch_one

# One statement, so two processes claiming the same mark cannot both win: the loser's
# insert waits for the winner's row, then does nothing and returns no row.
CLAIM_MARK = (
    f"INSERT INTO marks (kind, subject, value, created_at, user_ref) VALUES (?, ?, ?, ?, "
    f"{USER_REF}) ON CONFLICT (kind, subject) DO NOTHING RETURNING 1"
)
MARK_VALUE = "SELECT value FROM marks WHERE kind = ? AND subject = ?"
SET_MARK_VALUE = (
    "INSERT INTO marks (kind, subject, value, created_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (kind, subject) DO UPDATE SET value = excluded.value"
)
PRUNE_MARKS = "DELETE FROM marks WHERE kind = ? AND created_at < ?"


class SqlMarks(SqlCore):
    """The MarkStore part of the SQL stores."""

    async def claim_mark(
        self, kind: str, subject: str, now: datetime, value: str = "", user: UserKey | None = None
    ) -> bool:
        # No user: the subquery finds no row, so the mark belongs to nobody (NULL).
        owner = _uk(user) if user is not None else (None, None)
        row = await self._write(fetch_one(CLAIM_MARK, kind, subject, value, _ts(now), *owner))
        return row is not None

    async def mark_value(self, kind: str, subject: str) -> str | None:
        row = await self._read(fetch_one(MARK_VALUE, kind, subject))
        return None if row is None else str(row[0])

    async def set_mark_value(self, kind: str, subject: str, value: str, now: datetime) -> None:
        await self._write(execute(SET_MARK_VALUE, kind, subject, value, _ts(now)))

    async def prune_marks(self, kind: str, before: datetime) -> int:
        return await self._write(execute(PRUNE_MARKS, kind, _ts(before)))
