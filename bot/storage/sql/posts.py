"""Daily posts: one per chat and local date, question selection, reveals, results, and
the platform messages and polls that carried them."""

from __future__ import annotations

from datetime import date, datetime

from bot.domain.models import (
    ChatKey,
    DailyPost,
    PostResults,
    PostScore,
    SelectionState,
    UserKey,
    Verdict,
)
from bot.errors import NotFoundError
from bot.storage.sql.codecs import _ck, _dt, _opt_ts, _ts, post_of
from bot.storage.sql.core import CHAT_REF, Script, SqlCore, chat_pk, execute, fetch_all, fetch_one

POST_COLUMNS = (
    "p.id, c.platform, c.chat_id, p.local_date, p.item_id, p.cycle, p.posted_at, "
    "p.reveal_at, p.revealed_at"
)
POSTS_FROM = f"SELECT {POST_COLUMNS} FROM daily_posts p JOIN chats c ON c.id = p.chat_ref"
LATEST_POST = (
    f"{POSTS_FROM} WHERE c.platform = ? AND c.chat_id = ? ORDER BY p.local_date DESC LIMIT 1"
)
INSERT_POST = (
    "INSERT INTO daily_posts (chat_ref, local_date, item_id, cycle, posted_at, reveal_at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_ref, local_date) DO NOTHING"
)
MARK_REVEALED = "UPDATE daily_posts SET revealed_at = ? WHERE id = ? AND revealed_at IS NULL"
POST_EXISTS = "SELECT 1 FROM daily_posts WHERE id = ?"
SET_POST_MESSAGE = "UPDATE daily_posts SET message_id = ? WHERE id = ?"
REMEMBER_POLL = (
    "INSERT INTO platform_polls (platform, poll_id, post_ref, created_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (platform, poll_id) DO UPDATE SET post_ref = excluded.post_ref"
)


class SqlPosts(SqlCore):
    """The PostStore part of the SQL stores."""

    async def create_daily_post(
        self,
        chat: ChatKey,
        local_date: date,
        item_id: str,
        cycle: int,
        posted_at: datetime,
        reveal_at: datetime | None,
    ) -> DailyPost:
        def script() -> Script[None]:
            pk = yield from chat_pk(chat)
            day = local_date.isoformat()
            stamps = (_ts(posted_at), _opt_ts(reveal_at))
            yield from execute(INSERT_POST, pk, day, item_id, cycle, *stamps)

        await self._write(script())
        post = await self.get_daily_post(chat, local_date)
        assert post is not None
        return post

    async def _post_where(self, where: str, *params: object) -> DailyPost | None:
        row = await self._one(f"{POSTS_FROM} WHERE {where}", *params)
        return post_of(row) if row else None

    async def get_daily_post(self, chat: ChatKey, local_date: date) -> DailyPost | None:
        return await self._post_where(
            "c.platform = ? AND c.chat_id = ? AND p.local_date = ?",
            *_ck(chat),
            local_date.isoformat(),
        )

    async def get_post(self, post_id: int) -> DailyPost | None:
        return await self._post_where("p.id = ?", post_id)

    async def latest_daily_post(self, chat: ChatKey) -> DailyPost | None:
        row = await self._one(LATEST_POST, *_ck(chat))
        return post_of(row) if row else None

    async def post_by_message(self, chat: ChatKey, message_id: str) -> DailyPost | None:
        return await self._post_where(
            "c.platform = ? AND c.chat_id = ? AND p.message_id = ?", *_ck(chat), message_id
        )

    async def selection_state(self, chat: ChatKey) -> SelectionState:
        rows = await self._all(
            "SELECT cycle, item_id, local_date FROM daily_posts "
            f"WHERE chat_ref = {CHAT_REF} AND cycle = "
            f"(SELECT MAX(cycle) FROM daily_posts WHERE chat_ref = {CHAT_REF}) "
            "ORDER BY local_date",
            *_ck(chat),
            *_ck(chat),
        )
        if not rows:
            return SelectionState(0, frozenset(), None)
        return SelectionState(
            cycle=int(rows[0][0]),
            used=frozenset(str(row[1]) for row in rows),
            last_item=str(rows[-1][1]),
        )

    async def mark_post_revealed(self, post_id: int, at: datetime) -> bool:
        def script() -> Script[bool]:
            if (yield from execute(MARK_REVEALED, _ts(at), post_id)):
                return True
            if (yield from fetch_one(POST_EXISTS, post_id)) is not None:
                return False
            raise NotFoundError(f"unknown post {post_id}")

        return await self._write(script())

    async def posts_due_for_reveal(self, now: datetime, limit: int) -> list[DailyPost]:
        rows = await self._all(
            f"{POSTS_FROM} WHERE p.revealed_at IS NULL AND p.reveal_at <= ? "
            "ORDER BY p.reveal_at, p.id LIMIT ?",
            _ts(now),
            limit,
        )
        return [post_of(row) for row in rows]

    async def post_results(self, post_id: int, limit: int) -> PostResults:
        def script() -> Script[PostResults]:
            count = yield from fetch_one("SELECT COUNT(*) FROM answers WHERE post_id = ?", post_id)
            rows = yield from fetch_all(
                "SELECT u.platform, u.user_id, u.display_name, a.verdict, a.score, a.points, "
                "a.answered_at FROM answers a JOIN users u ON u.id = a.user_ref "
                "WHERE a.post_id = ? ORDER BY a.score DESC, a.answered_at, a.id LIMIT ?",
                post_id,
                limit,
            )
            top = tuple(
                PostScore(
                    UserKey(row[0], row[1]), row[2], Verdict(row[3]), row[4], row[5], _dt(row[6])
                )
                for row in rows
            )
            return PostResults(answered=int(count[0]) if count else 0, top=top)

        return await self._read(script())

    async def set_post_message(self, post_id: int, message_id: str) -> None:
        await self._write(execute(SET_POST_MESSAGE, message_id, post_id))

    async def remember_poll(self, platform: str, poll_id: str, post_id: int, now: datetime) -> None:
        def script() -> Script[None]:
            if (yield from fetch_one(POST_EXISTS, post_id)) is None:
                raise NotFoundError(f"unknown daily post {post_id}")
            yield from execute(REMEMBER_POLL, platform, poll_id, post_id, _ts(now))

        await self._write(script())

    async def poll_post(self, platform: str, poll_id: str) -> DailyPost | None:
        row = await self._one(
            f"SELECT {POST_COLUMNS} FROM platform_polls l "
            "JOIN daily_posts p ON p.id = l.post_ref JOIN chats c ON c.id = p.chat_ref "
            "WHERE l.platform = ? AND l.poll_id = ?",
            platform,
            poll_id,
        )
        return post_of(row) if row else None
