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
    User,
    UserKey,
    Verdict,
)
from bot.domain.streaks import StoredStreak
from bot.storage.sql.cards import SAVE_CARD_BY_KEY
from bot.storage.sql.codecs import (
    _FAR_FUTURE,
    _FAR_PAST,
    CHAT_FIELDS,
    QUARTER_HOUR,
    USER_FIELDS,
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
    chat_at,
    columns,
    post_of,
    quiz_of,
    stored_answer,
    streak_params,
    user_at,
)
from bot.storage.sql.core import (
    USER_REF,
    Script,
    SqlCore,
    chat_pk,
    execute,
    fetch_all,
    fetch_one,
    insert,
    marks,
    user_pk,
)
from bot.storage.sql.posts import POST_COLUMNS
from bot.storage.sql.quizzes import QUIZ_COLUMNS, update_quiz_script
from bot.storage.sql.users import CREATE_USER

STREAK_COLUMNS = "zone, last_day, current, best, freezes"


def answer_columns(chat: str = "c") -> str:
    """An answer's columns (what answer_of reads), its chat aliased `chat`."""
    return (
        f"a.id, u.platform, u.user_id, {chat}.platform, {chat}.chat_id, a.group_key, a.kind, "
        "a.target, a.item_id, a.verdict, a.score, a.points, a.forfeited, a.answered_at, "
        "a.post_id"
    )


ANSWER_COLUMNS = answer_columns()
ANSWERS_FROM = (
    f"SELECT {ANSWER_COLUMNS} FROM answers a JOIN users u ON u.id = a.user_ref "
    "LEFT JOIN chats c ON c.id = a.chat_ref"
)
# Everything the answer path reads, in ONE row per answer: the user and the chat (by key;
# NULL for a newcomer), the earlier answer to the target, the reveal count, the chat's
# schedule zone, the stored streak and the review card. The one-row base makes every part
# optional; the offsets below say where each part starts.
USER_AND_CHAT = (
    "FROM (SELECT 1 AS one) base "
    "LEFT JOIN users u ON u.platform = ? AND u.user_id = ? "
    "LEFT JOIN chats c ON c.platform = ? AND c.chat_id = ? "
)
CONTEXT_COLUMNS = (
    f"{columns(USER_FIELDS, 'u')}, {columns(CHAT_FIELDS, 'c')}, {answer_columns('ac')}, "
    "r.count, sc.timezone, s.zone, s.last_day, s.current, s.best, s.freezes, "
    "rc.item_id, rc.card, rc.due, rc.last_review, rc.prev_card"
)


# Where each part of CONTEXT_COLUMNS starts, counted from its first column.
_CHAT = len(USER_FIELDS)
_EXISTING = _CHAT + len(CHAT_FIELDS)
_REVEALS = _EXISTING + ANSWER_COLUMNS.count(",") + 1
_ZONE = _REVEALS + 1
_STREAK = _ZONE + 1
_CARD = _STREAK + 5


def context_joins(target: str, item_id: str) -> str:
    """The joins CONTEXT_COLUMNS reads, for the target and item the SQL expressions name."""
    return (
        f"LEFT JOIN answers a ON a.user_ref = u.id AND a.target = {target} "
        "LEFT JOIN chats ac ON ac.id = a.chat_ref "
        f"LEFT JOIN reveals r ON r.user_ref = u.id AND r.target = {target} "
        "LEFT JOIN schedules sc ON sc.chat_ref = c.id "
        "LEFT JOIN streaks s ON s.user_ref = u.id "
        f"LEFT JOIN review_cards rc ON rc.user_ref = u.id AND rc.item_id = {item_id}"
    )


#: Parameters: the user's key, the chat's key, the target twice, the item id.
ANSWER_CONTEXT = f"SELECT {CONTEXT_COLUMNS} {USER_AND_CHAT}{context_joins('?', '?')}"
#: `daily_target(p.id)` in SQL.
DAILY_TARGET_SQL = "'daily:' || p.id"
#: answer_start in one statement: the active quiz, the chat's latest post, then the
#: context for answering that post. Parameters: the user's key, the chat's key.
QUIZ_AT = 0
POST_AT = QUIZ_AT + QUIZ_COLUMNS.count(",") + 1
START_CONTEXT_AT = POST_AT + POST_COLUMNS.count(",") + 1
ANSWER_START = (
    f"SELECT {QUIZ_COLUMNS}, {POST_COLUMNS}, {CONTEXT_COLUMNS} {USER_AND_CHAT}"
    "LEFT JOIN quiz_sessions q ON q.user_ref = u.id AND q.chat_ref = c.id "
    "AND q.status = 'active' "
    "LEFT JOIN daily_posts p ON p.id = (SELECT id FROM daily_posts WHERE chat_ref = c.id "
    "ORDER BY local_date DESC LIMIT 1) "
    f"{context_joins(DAILY_TARGET_SQL, 'p.item_id')}"
)
# The answer by its user's and chat's keys (a NULL chat key for none): nothing is
# inserted for an unknown user or chat, or a target already answered.
INSERT_ANSWER = (
    "INSERT INTO answers (user_ref, chat_ref, group_key, kind, target, post_id, item_id, "
    "verdict, score, points, forfeited, answered_at) "
    "SELECT u.id, c.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM users u "
    "LEFT JOIN chats c ON c.platform = ? AND c.chat_id = ? "
    "WHERE u.platform = ? AND u.user_id = ? AND (c.id IS NOT NULL OR CAST(? AS TEXT) IS NULL) "
    "ON CONFLICT (user_ref, target) DO NOTHING"
)
# By the user's key (the answer path's write has no internal ids to hand).
SAVE_STREAK = (
    f"INSERT INTO streaks (user_ref, {STREAK_COLUMNS}) VALUES ({USER_REF}, ?, ?, ?, ?, ?) "
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


def context_of(user: UserKey, row: Row, at: int) -> AnswerContext:
    """An AnswerContext from the CONTEXT_COLUMNS of a row, starting at column `at`."""
    card_at = at + _CARD
    return AnswerContext(
        user=user_at(row, at) if row[at] is not None else None,
        chat=chat_at(row, at + _CHAT) if row[at + _CHAT] is not None else None,
        existing=answer_of(row, at + _EXISTING) if row[at + _EXISTING] is not None else None,
        reveals=int(row[at + _REVEALS] or 0),
        card=ReviewCard(
            user=user,
            item_id=row[card_at],
            card_json=row[card_at + 1],
            due=_dt(row[card_at + 2]),
            last_review=_opt_dt(row[card_at + 3]),
            prev_card_json=row[card_at + 4],
        )
        if row[card_at] is not None
        else None,
        chat_timezone=row[at + _ZONE],
        streak=_streak(row, at + _STREAK) if row[at + _STREAK] is not None else None,
    )


def answer_context_script(
    user: UserKey, chat: ChatKey, target: str, item_id: str
) -> Script[AnswerContext]:
    """Everything the answer path reads, in one statement."""
    row = yield from fetch_one(ANSWER_CONTEXT, *_uk(user), *_ck(chat), target, target, item_id)
    assert row is not None  # the query reads from a one-row base: always one row
    return context_of(user, row, 0)


def answer_start_script(user: UserKey, chat: ChatKey) -> Script[AnswerStart]:
    """The active quiz; else the latest daily post and the context for answering it."""
    row = yield from fetch_one(ANSWER_START, *_uk(user), *_ck(chat))
    assert row is not None  # the query reads from a one-row base: always one row
    if row[QUIZ_AT] is not None:
        return AnswerStart(quiz_of(row, QUIZ_AT))
    if row[POST_AT] is None:
        return AnswerStart(None)
    return AnswerStart(None, post_of(row, POST_AT), context_of(user, row, START_CONTEXT_AT))


def record_answer_script(
    answer: AnswerRecord,
    card: ReviewCard | None,
    quiz: QuizSession | None,
    streak: StoredStreak | None,
    newcomer: User | None = None,
) -> Script[int]:
    """Insert the answer and what it changes; _Duplicate when the target was answered."""
    chat = _ck(answer.chat) if answer.chat else (None, None)
    user = _uk(answer.user)
    if newcomer is not None:
        yield from execute(CREATE_USER, *user, newcomer.display_name, _ts(newcomer.created_at))
    answer_id = yield from insert(
        INSERT_ANSWER, *answer_params(answer), *chat, *user, chat[0]
    )
    if answer_id is None:  # which of the three: only this rare path asks
        yield from user_pk(answer.user)  # NotFoundError for an unknown user
        if answer.chat is not None:
            yield from chat_pk(answer.chat)  # ... or chat
        raise _Duplicate
    if card is not None:
        yield from execute(SAVE_CARD_BY_KEY, *user, *card_params(card))
    if quiz is not None:
        yield from update_quiz_script(quiz)
    if streak is not None:
        yield from execute(SAVE_STREAK, *user, *streak_params(streak))
    return answer_id


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
        *,
        newcomer: User | None = None,
    ) -> AnswerRecord | None:
        try:
            answer_id = await self._write(
                record_answer_script(answer, card, quiz, streak, newcomer)
            )
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
