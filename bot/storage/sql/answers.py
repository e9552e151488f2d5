"""Answers with their streaks and reveal counts: the hot answer path, points, leaderboards."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

from bot.domain.models import (
    AnswerContext,
    AnswerKind,
    AnswerRecord,
    AnswerStart,
    ChatKey,
    GroupKey,
    LeaderboardEntry,
    QuizSession,
    ReviewCard,
    UserKey,
    Verdict,
    daily_target,
)
from bot.domain.streaks import StoredStreak
from bot.storage.sql.cards import SAVE_CARD
from bot.storage.sql.chats import SELECT_CHAT
from bot.storage.sql.codecs import (
    _FAR_FUTURE,
    _FAR_PAST,
    QUARTER_HOUR,
    Row,
    _bucket_dt,
    _ck,
    _dt,
    _group_key,
    _keys_filter,
    _opt_dt,
    _streak,
    _ts,
    _uk,
    answer_of,
    answer_params,
    card_params,
    chat_of,
    post_of,
    quiz_of,
    stored_answer,
    streak_params,
    user_of,
)
from bot.storage.sql.core import (
    USER_REF,
    Script,
    SqlCore,
    chat_pk,
    execute,
    fetch_all,
    fetch_one,
    marks,
    user_pk,
)
from bot.storage.sql.posts import LATEST_POST
from bot.storage.sql.quizzes import ACTIVE_QUIZ, update_quiz_script
from bot.storage.sql.users import SELECT_USER

STREAK_COLUMNS = "zone, last_day, current, best, freezes"
ANSWER_COLUMNS = (
    "a.id, u.platform, u.user_id, c.platform, c.chat_id, a.group_key, a.kind, a.target, "
    "a.item_id, a.verdict, a.score, a.points, a.forfeited, a.answered_at, a.post_id"
)
ANSWERS_FROM = (
    f"SELECT {ANSWER_COLUMNS} FROM answers a JOIN users u ON u.id = a.user_ref "
    "LEFT JOIN chats c ON c.id = a.chat_ref"
)
# The rest of an answer's context in ONE row, by the user's and chat's internal ids (NULL
# for a newcomer): the earlier answer to the target (the ANSWER_COLUMNS first, so answer_of
# reads it), then from CONTEXT_AT the reveal count, the chat's schedule zone, the streak and
# the review card. The one-row base makes every part optional.
CONTEXT_AT = 15
CONTEXT_BY_REFS = (
    f"SELECT {ANSWER_COLUMNS}, "
    "(SELECT count FROM reveals WHERE user_ref = ? AND target = ?), "
    "(SELECT timezone FROM schedules WHERE chat_ref = ?), "
    "s.zone, s.last_day, s.current, s.best, s.freezes, "
    "rc.item_id, rc.card, rc.due, rc.last_review, rc.prev_card "
    "FROM (SELECT 1 AS one) base "
    "LEFT JOIN answers a ON a.user_ref = ? AND a.target = ? "
    "LEFT JOIN users u ON u.id = a.user_ref "
    "LEFT JOIN chats c ON c.id = a.chat_ref "
    "LEFT JOIN streaks s ON s.user_ref = ? "
    "LEFT JOIN review_cards rc ON rc.user_ref = ? AND rc.item_id = ?"
)
INSERT_ANSWER = (
    "INSERT INTO answers (user_ref, chat_ref, group_key, kind, target, post_id, item_id, "
    "verdict, score, points, forfeited, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (user_ref, target) DO NOTHING RETURNING id"
)
SAVE_STREAK = (
    f"INSERT INTO streaks (user_ref, {STREAK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (user_ref) DO UPDATE SET zone = excluded.zone, last_day = excluded.last_day, "
    "current = excluded.current, best = excluded.best, freezes = excluded.freezes"
)
RECORD_REVEAL = (
    "INSERT INTO reveals (user_ref, target, item_id, count, first_at) VALUES (?, ?, ?, 1, ?) "
    "ON CONFLICT (user_ref, target) DO UPDATE SET count = reveals.count + 1 RETURNING count"
)
# The inner aggregate reads only the covering index answers_leaderboard.
LEADERBOARD = (
    "SELECT u.platform, u.user_id, u.display_name, t.points, t.answered, t.correct, "
    "t.partial, t.reached FROM ("
    "  SELECT user_ref, SUM(points) AS points, COUNT(*) AS answered,"
    "    SUM(CASE WHEN verdict = 'correct' THEN 1 ELSE 0 END) AS correct,"
    "    SUM(CASE WHEN verdict = 'partial' THEN 1 ELSE 0 END) AS partial,"
    "    COALESCE(MAX(CASE WHEN points > 0 THEN answered_at END), MIN(answered_at))"
    "      AS reached"
    "  FROM answers WHERE group_key = ? AND answered_at >= ? AND answered_at < ?"
    "  GROUP BY user_ref"
    ") t JOIN users u ON u.id = t.user_ref WHERE u.leaderboard_opt_out = 0"
)


class _Duplicate(Exception):
    """Rolls a write back when the target was already answered."""


def answer_context_script(
    user: UserKey, chat: ChatKey, target: str, item_id: str
) -> Script[AnswerContext]:
    """Everything the answer path reads: the user, the chat, then one row by their ids."""
    user_row = yield from fetch_one(SELECT_USER, *_uk(user))
    chat_row = yield from fetch_one(SELECT_CHAT, *_ck(chat))
    user_ref = user_row["id"] if user_row is not None else None
    chat_ref = chat_row["id"] if chat_row is not None else None
    row = yield from fetch_one(
        CONTEXT_BY_REFS, user_ref, target, chat_ref, user_ref, target, user_ref, user_ref,
        item_id,
    )
    assert row is not None  # the query reads from a one-row base: always one row
    return AnswerContext(
        user=user_of(user_row) if user_row else None,
        chat=chat_of(chat_row) if chat_row else None,
        existing=answer_of(row) if row[0] is not None else None,
        reveals=int(row[CONTEXT_AT]) if row[CONTEXT_AT] is not None else 0,
        card=_context_card(user, row) if row[CONTEXT_AT + 7] is not None else None,
        chat_timezone=row[CONTEXT_AT + 1],
        streak=_streak(row, CONTEXT_AT + 2) if row[CONTEXT_AT + 2] is not None else None,
    )


def _context_card(user: UserKey, row: Row) -> ReviewCard:
    at = CONTEXT_AT + 7
    return ReviewCard(
        user=user,
        item_id=row[at],
        card_json=row[at + 1],
        due=_dt(row[at + 2]),
        last_review=_opt_dt(row[at + 3]),
        prev_card_json=row[at + 4],
    )


def answer_start_script(user: UserKey, chat: ChatKey) -> Script[AnswerStart]:
    """The active quiz; else the latest daily post and the context for answering it."""
    quiz_row = yield from fetch_one(ACTIVE_QUIZ, *_uk(user), *_ck(chat))
    if quiz_row is not None:
        return AnswerStart(quiz_of(quiz_row))
    post_row = yield from fetch_one(LATEST_POST, *_ck(chat))
    if post_row is None:
        return AnswerStart(None)
    post = post_of(post_row)
    context = yield from answer_context_script(user, chat, daily_target(post.id), post.item_id)
    return AnswerStart(None, post, context)


def record_answer_script(
    answer: AnswerRecord,
    card: ReviewCard | None,
    quiz: QuizSession | None,
    streak: StoredStreak | None,
) -> Script[int]:
    """Insert the answer and what it changes; _Duplicate when the target was answered."""
    user_ref = yield from user_pk(answer.user)
    chat_ref = (yield from chat_pk(answer.chat)) if answer.chat else None
    row = yield from fetch_one(INSERT_ANSWER, *answer_params(user_ref, chat_ref, answer))
    if row is None:
        raise _Duplicate
    if card is not None:
        yield from execute(SAVE_CARD, *card_params(user_ref, card))
    if quiz is not None:
        yield from update_quiz_script(quiz)
    if streak is not None:
        yield from execute(SAVE_STREAK, *streak_params(user_ref, streak))
    return int(row[0])


def answer_times_many_script(users: Sequence[UserKey]) -> Script[dict[UserKey, list[datetime]]]:
    """Quarter-hour answer buckets of several users: their ids, then their answers."""
    found: dict[UserKey, list[datetime]] = {user: [] for user in users}
    where, params = _keys_filter(users)
    user_rows = yield from fetch_all(
        f"SELECT id, platform, user_id FROM users WHERE {where}", *params
    )
    refs = {int(row[0]): found[UserKey(row[1], row[2])] for row in user_rows}
    if not refs:
        return found
    # Rows arrive grouped by user from the answers_user_time index; the key lookup
    # happens once per user, not once per row.
    rows = yield from fetch_all(
        f"SELECT DISTINCT user_ref, answered_at / {QUARTER_HOUR} FROM answers "
        f"WHERE user_ref IN ({marks(len(refs))}) ORDER BY 1, 2",
        *refs,
    )
    for ref, group in groupby(rows, key=itemgetter(0)):
        refs[int(ref)].extend(_bucket_dt(int(row[1])) for row in group)
    return found


def _window(start: datetime | None, end: datetime | None) -> tuple[int, int]:
    """[start, end) as epoch seconds, None meaning unbounded."""
    return (_FAR_PAST if start is None else _ts(start), _FAR_FUTURE if end is None else _ts(end))


class SqlAnswers(SqlCore):
    """The AnswerStore part of the SQL stores."""

    async def answer_context(
        self, user: UserKey, chat: ChatKey, target: str, item_id: str
    ) -> AnswerContext:
        return await self._read(answer_context_script(user, chat, target, item_id))

    async def answer_start(self, user: UserKey, chat: ChatKey) -> AnswerStart:
        return await self._read(answer_start_script(user, chat))

    async def record_answer(
        self,
        answer: AnswerRecord,
        card: ReviewCard | None = None,
        quiz: QuizSession | None = None,
        streak: StoredStreak | None = None,
    ) -> AnswerRecord | None:
        try:
            answer_id = await self._write(record_answer_script(answer, card, quiz, streak))
        except _Duplicate:
            return None
        return stored_answer(answer, answer_id)

    async def get_answer(self, user: UserKey, target: str) -> AnswerRecord | None:
        row = await self._one(
            f"{ANSWERS_FROM} WHERE u.platform = ? AND u.user_id = ? AND a.target = ?",
            *_uk(user),
            target,
        )
        return answer_of(row) if row else None

    async def points_between(
        self,
        user: UserKey,
        start: datetime | None,
        end: datetime | None,
        kinds: Collection[AnswerKind] | None = None,
    ) -> int:
        params: list[Any] = [*_uk(user), *_window(start, end)]
        kind_sql = ""
        if kinds is not None:
            if not kinds:
                return 0
            kind_sql = f" AND kind IN ({marks(len(kinds))})"
            params += [kind.value for kind in kinds]
        row = await self._one(
            f"SELECT COALESCE(SUM(points), 0) FROM answers WHERE user_ref = {USER_REF} "
            f"AND answered_at >= ? AND answered_at < ?{kind_sql}",
            *params,
        )
        return int(row[0]) if row else 0

    async def answer_times(self, user: UserKey) -> list[datetime]:
        rows = await self._all(
            f"SELECT DISTINCT answered_at / {QUARTER_HOUR} FROM answers "
            f"WHERE user_ref = {USER_REF} ORDER BY 1",
            *_uk(user),
        )
        return [_bucket_dt(int(row[0])) for row in rows]

    async def answer_times_many(self, users: Sequence[UserKey]) -> dict[UserKey, list[datetime]]:
        if not users:
            return {}
        return await self._read(answer_times_many_script(users))

    async def streak_states(self, users: Sequence[UserKey]) -> dict[UserKey, StoredStreak]:
        if not users:
            return {}
        where, params = _keys_filter(users, "u.")
        rows = await self._all(
            f"SELECT u.platform, u.user_id, {STREAK_COLUMNS} "
            f"FROM streaks s JOIN users u ON u.id = s.user_ref WHERE {where}",
            *params,
        )
        return {UserKey(row[0], row[1]): _streak(row, 2) for row in rows}

    async def verdict_counts(self, user: UserKey) -> list[tuple[str, Verdict, int]]:
        rows = await self._all(
            f"SELECT item_id, verdict, COUNT(*) FROM answers WHERE user_ref = {USER_REF} "
            "GROUP BY item_id, verdict ORDER BY item_id, verdict",
            *_uk(user),
        )
        return [(str(row[0]), Verdict(row[1]), int(row[2])) for row in rows]

    async def answered_item_ids(self, user: UserKey) -> set[str]:
        rows = await self._all(
            f"SELECT DISTINCT item_id FROM answers WHERE user_ref = {USER_REF}", *_uk(user)
        )
        return {str(row[0]) for row in rows}

    async def leaderboard_entries(
        self, group: GroupKey, start: datetime | None, end: datetime | None
    ) -> list[LeaderboardEntry]:
        rows = await self._all(LEADERBOARD, _group_key(group), *_window(start, end))
        return [
            LeaderboardEntry(
                user=UserKey(row[0], row[1]),
                display_name=row[2],
                points=int(row[3]),
                answered=int(row[4]),
                correct=int(row[5]),
                partial=int(row[6]),
                reached_at=_dt(row[7]),
            )
            for row in rows
        ]

    async def record_reveal(self, user: UserKey, target: str, item_id: str, now: datetime) -> int:
        def script() -> Script[int]:
            pk = yield from user_pk(user)
            row = yield from fetch_one(RECORD_REVEAL, pk, target, item_id, _ts(now))
            assert row is not None
            return int(row[0])

        return await self._write(script())

    async def reveal_count(self, user: UserKey, target: str) -> int:
        row = await self._one(
            f"SELECT count FROM reveals WHERE user_ref = {USER_REF} AND target = ?",
            *_uk(user),
            target,
        )
        return int(row[0]) if row else 0
