"""Grades an optional grading stage cached by item, answer digest and model."""

from __future__ import annotations

from datetime import datetime

from bot.storage.sql.codecs import _ts
from bot.storage.sql.core import SqlCore, execute, fetch_one

CACHED_GRADE = "SELECT payload FROM grade_cache WHERE item_id = ? AND answer_hash = ? AND model = ?"
# A concurrent identical answer may have stored the same grade first: keep the newer one.
CACHE_GRADE = (
    "INSERT INTO grade_cache (item_id, answer_hash, model, payload, created_at) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (item_id, answer_hash, model) DO UPDATE SET "
    "payload = excluded.payload, created_at = excluded.created_at"
)


class SqlGradeCache(SqlCore):
    """The GradeCacheStore part of the SQL stores."""

    async def cached_grade(self, item_id: str, answer_hash: str, model: str) -> str | None:
        row = await self._read(fetch_one(CACHED_GRADE, item_id, answer_hash, model))
        return None if row is None else str(row[0])

    async def cache_grade(
        self, item_id: str, answer_hash: str, model: str, payload: str, now: datetime
    ) -> None:
        await self._write(execute(CACHE_GRADE, item_id, answer_hash, model, payload, _ts(now)))
