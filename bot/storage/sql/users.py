"""Users: profile, settings, private-chat permission, and deletion with everything theirs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.domain.models import User, UserKey
from bot.errors import NotFoundError
from bot.storage.sql.codecs import _keys_filter, _ts, _uk, user_of
from bot.storage.sql.core import SqlCore, execute, fetch_one

UPSERT_USER = (
    "INSERT INTO users (platform, user_id, display_name, created_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (platform, user_id) DO UPDATE SET display_name = excluded.display_name "
    "RETURNING *"
)
#: A user unless one exists with the key (which keeps its name).
CREATE_USER = (
    "INSERT INTO users (platform, user_id, display_name, created_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (platform, user_id) DO NOTHING"
)
SELECT_USER = "SELECT * FROM users WHERE platform = ? AND user_id = ?"
UPDATE_USER = "UPDATE users SET {assignment} WHERE platform = ? AND user_id = ?"
# Answers, reveals, cards, streaks, quizzes, reports and marks about the user go with it
# (ON DELETE CASCADE).
DELETE_USER = "DELETE FROM users WHERE platform = ? AND user_id = ?"
SET_PRIVATE_OK = "UPDATE users SET private_ok = ? WHERE platform = ? AND user_id = ?"


class SqlUsers(SqlCore):
    """The UserStore part of the SQL stores."""

    async def upsert_user(self, key: UserKey, display_name: str, now: datetime) -> User:
        user = await self.get_user(key)
        if user is not None and user.display_name == display_name:
            return user  # the common case writes nothing
        row = await self._write(fetch_one(UPSERT_USER, *_uk(key), display_name, _ts(now)))
        assert row is not None
        return user_of(row)

    async def get_user(self, key: UserKey) -> User | None:
        row = await self._one(SELECT_USER, *_uk(key))
        return user_of(row) if row else None

    async def get_users(self, keys: Sequence[UserKey]) -> dict[UserKey, User]:
        if not keys:
            return {}
        where, params = _keys_filter(keys)
        rows = await self._all(f"SELECT * FROM users WHERE {where}", *params)
        return {user.key: user for user in map(user_of, rows)}

    async def _update_user(self, key: UserKey, assignment: str, value: Any) -> None:
        sql = UPDATE_USER.format(assignment=assignment)
        if await self._write(execute(sql, value, *_uk(key))) == 0:
            raise NotFoundError(f"unknown user {key}")

    async def set_user_timezone(self, key: UserKey, timezone: str | None) -> None:
        await self._update_user(key, "timezone = ?", timezone)

    async def set_leaderboard_opt_out(self, key: UserKey, opt_out: bool) -> None:
        await self._update_user(key, "leaderboard_opt_out = ?", int(opt_out))

    async def delete_user(self, key: UserKey) -> bool:
        return await self._write(execute(DELETE_USER, *_uk(key))) > 0

    async def set_private_ok(self, user: UserKey, ok: bool) -> bool:
        return await self._write(execute(SET_PRIVATE_OK, int(ok), *_uk(user))) > 0

    async def private_ok(self, user: UserKey) -> bool:
        row = await self._one(
            "SELECT private_ok FROM users WHERE platform = ? AND user_id = ?", *_uk(user)
        )
        return bool(row and row[0])
