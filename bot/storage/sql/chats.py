"""Chats: upsert, moving to a new id (with a merge), and posting breakage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.domain.models import Chat, ChatKey, GroupKey
from bot.storage.sql.codecs import _ck, _group_key, _ts, chat_of
from bot.storage.sql.core import CHAT_PK, Script, SqlCore, chat_pk, execute, fetch_one

UPSERT_CHAT = (
    "INSERT INTO chats (platform, chat_id, group_id, title, seed, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (platform, chat_id) "
    "DO UPDATE SET group_id = excluded.group_id, title = excluded.title RETURNING *"
)
SELECT_CHAT = "SELECT * FROM chats WHERE platform = ? AND chat_id = ?"
MARK_BROKEN = (
    "UPDATE chats SET broken_at = ?, broken_reason = ? "
    "WHERE platform = ? AND chat_id = ? AND broken_at IS NULL"
)
SET_FEEDBACK = "UPDATE chats SET feedback = ? WHERE platform = ? AND chat_id = ?"
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
            "new_platform",
            "new_chat_id",
            "old_platform",
            "old_chat_id",
            "new_platform",
            "new_chat_id",
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


def migrate_chat_script(old: ChatKey, new: ChatKey, group: GroupKey | None) -> Script[None]:
    """migrate_chat's statements: merge an existing `new` into `old`, then rename."""
    old_pk = yield from chat_pk(old)
    row = yield from fetch_one("SELECT group_id FROM chats WHERE id = ?", old_pk)
    assert row is not None
    old_group = GroupKey(old.platform, row[0])
    new_group = group or old_group
    if new != old:
        found = yield from fetch_one(CHAT_PK, *_ck(new))
        if found is not None:
            refs = {"old_pk": old_pk, "new_pk": int(found[0])}
            for sql, names in MERGE_CHAT:
                yield from execute(sql, *bind(names, refs))
    values = move_values(old, new, old_pk, old_group, new_group)
    statements = MOVE_CHAT if new_group == old_group else (*MOVE_CHAT, REGROUP_ANSWERS)
    for sql, names in statements:
        yield from execute(sql, *bind(names, values))


class SqlChats(SqlCore):
    """The ChatStore part of the SQL stores."""

    async def upsert_chat(self, key: ChatKey, group: GroupKey, title: str, now: datetime) -> Chat:
        chat = await self.get_chat(key)
        if chat is not None and chat.group == group and chat.title == title:
            return chat  # the common case writes nothing
        row = await self._write(
            fetch_one(UPSERT_CHAT, *_ck(key), group.group_id, title, str(key), _ts(now))
        )
        assert row is not None
        return chat_of(row)

    async def get_chat(self, key: ChatKey) -> Chat | None:
        row = await self._one(SELECT_CHAT, *_ck(key))
        return chat_of(row) if row else None

    async def migrate_chat(self, old: ChatKey, new: ChatKey, group: GroupKey | None) -> Chat:
        await self._write(migrate_chat_script(old, new, group))
        chat = await self.get_chat(new)
        assert chat is not None
        return chat

    async def mark_chat_broken(self, chat: ChatKey, reason: str, at: datetime) -> bool:
        return await self._write(execute(MARK_BROKEN, _ts(at), reason[:300], *_ck(chat))) > 0

    async def clear_chat_broken(self, chat: ChatKey) -> bool:
        return await self._write(execute(CLEAR_BROKEN, *_ck(chat))) > 0

    async def set_chat_feedback(self, chat: ChatKey, mode: str) -> bool:
        return await self._write(execute(SET_FEEDBACK, mode, *_ck(chat))) > 0
