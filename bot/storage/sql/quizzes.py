"""Quiz sessions: at most one active per user and chat."""

from __future__ import annotations

from typing import Any

from bot.domain.models import ChatKey, QuizSession, UserKey
from bot.errors import NotFoundError
from bot.storage.sql.codecs import _ck, _uk, quiz_of, quiz_params, quiz_update_params
from bot.storage.sql.core import Script, SqlCore, chat_pk, execute, fetch_one, user_pk

QUIZ_COLUMNS = (
    "q.id, u.platform, u.user_id, c.platform, c.chat_id, q.item_ids, q.outcomes, q.position, "
    "q.points, q.status, q.started_at, q.topic, q.difficulty, q.ended_at"
)
ACTIVE_QUIZ = (
    f"SELECT {QUIZ_COLUMNS} FROM quiz_sessions q JOIN users u ON u.id = q.user_ref "
    "JOIN chats c ON c.id = q.chat_ref WHERE u.platform = ? AND u.user_id = ? "
    "AND c.platform = ? AND c.chat_id = ? AND q.status = 'active'"
)
# quiz_one_active: a second active session for the pair inserts nothing.
INSERT_QUIZ = (
    "INSERT INTO quiz_sessions (user_ref, chat_ref, topic, difficulty, item_ids, outcomes, "
    "position, points, status, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT DO NOTHING RETURNING id"
)
UPDATE_QUIZ = (
    "UPDATE quiz_sessions SET outcomes = ?, position = ?, points = ?, status = ?, "
    "ended_at = ? WHERE id = ?"
)


def update_quiz_script(session: QuizSession) -> Script[None]:
    """Save a session's progress; NotFoundError for an unknown session."""
    if (yield from execute(UPDATE_QUIZ, *quiz_update_params(session))) == 0:
        raise NotFoundError(f"unknown quiz session {session.id}")


class SqlQuizzes(SqlCore):
    """The QuizStore part of the SQL stores."""

    async def create_quiz(self, session: QuizSession) -> QuizSession | None:
        def script() -> Script[int | None]:
            user = yield from user_pk(session.user)
            chat = yield from chat_pk(session.chat)
            row = yield from fetch_one(INSERT_QUIZ, *quiz_params(user, chat, session))
            return None if row is None else int(row[0])

        session_id = await self._write(script())
        return None if session_id is None else await self.get_quiz(session_id)

    async def _select_quiz(self, where: str, *params: Any) -> QuizSession | None:
        row = await self._one(
            f"SELECT {QUIZ_COLUMNS} FROM quiz_sessions q JOIN users u ON u.id = q.user_ref "
            f"JOIN chats c ON c.id = q.chat_ref WHERE {where}",
            *params,
        )
        return quiz_of(row) if row else None

    async def get_quiz(self, session_id: int) -> QuizSession | None:
        return await self._select_quiz("q.id = ?", session_id)

    async def get_active_quiz(self, user: UserKey, chat: ChatKey) -> QuizSession | None:
        row = await self._one(ACTIVE_QUIZ, *_uk(user), *_ck(chat))
        return quiz_of(row) if row else None

    async def update_quiz(self, session: QuizSession) -> None:
        await self._write(update_quiz_script(session))
