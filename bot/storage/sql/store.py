"""The SQL stores' shared body: every aggregate part, over a store's two script runners."""

from __future__ import annotations

from bot.storage.sql.answers import SqlAnswers
from bot.storage.sql.cards import SqlCards
from bot.storage.sql.chats import SqlChats
from bot.storage.sql.decks import SqlDecks
from bot.storage.sql.gradecache import SqlGradeCache
from bot.storage.sql.interviews import SqlInterviews
from bot.storage.sql.leases import SqlLeases
from bot.storage.sql.marks import SqlMarks
from bot.storage.sql.outbox import SqlOutbox
from bot.storage.sql.posts import SqlPosts
from bot.storage.sql.quizzes import SqlQuizzes
from bot.storage.sql.reports import SqlReports
from bot.storage.sql.schedules import SqlSchedules
from bot.storage.sql.users import SqlUsers


class SqlStore(
    SqlUsers,
    SqlChats,
    SqlSchedules,
    SqlPosts,
    SqlAnswers,
    SqlQuizzes,
    SqlCards,
    SqlReports,
    SqlOutbox,
    SqlLeases,
    SqlGradeCache,
    SqlInterviews,
    SqlDecks,
    SqlMarks,
):
    """Store and StoreInspection in SQL; a subclass supplies `dialect`, `_read`, `_write`
    and `close`."""

    async def close(self) -> None:
        raise NotImplementedError
