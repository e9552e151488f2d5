"""Mock interview rounds and their questions: at most one active round per user."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.domain.interview import InterviewQuestion, InterviewRound, RoundStatus
from bot.domain.models import ChatKey, UserKey, Verdict
from bot.errors import NotFoundError
from bot.storage.sql.codecs import Row, _dt, _opt_dt, _opt_ts, _ts, _uk
from bot.storage.sql.core import (
    Script,
    SqlCore,
    chat_pk,
    execute,
    execute_many,
    fetch_all,
    fetch_one,
    user_pk,
)

ROUND_COLUMNS = (
    "i.id, u.platform, u.user_id, c.platform, c.chat_id, i.topic, i.minutes, i.position, "
    "i.status, i.started_at, i.last_activity, i.ended_at, i.reminded, i.score"
)
ROUND_FROM = "interviews i JOIN users u ON u.id = i.user_ref JOIN chats c ON c.id = i.chat_ref"
QUESTION_COLUMNS = (
    "interview_ref, position, item_id, asked_at, answered_at, seconds, late, verdict, score, "
    "covered, missed, contradicted, follow_up_point, follow_up_text, follow_up_asked_at, "
    "follow_up_answered_at, follow_up_covered"
)
# interviews_one_active: a second active round for the user inserts nothing.
INSERT_ROUND = (
    "INSERT INTO interviews (user_ref, chat_ref, topic, minutes, position, status, started_at, "
    "last_activity, ended_at, reminded, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT DO NOTHING RETURNING id"
)
UPDATE_ROUND = (
    "UPDATE interviews SET position = ?, status = ?, last_activity = ?, ended_at = ?, "
    "reminded = ?, score = ? WHERE id = ?"
)
INSERT_QUESTION = (
    f"INSERT INTO interview_questions ({QUESTION_COLUMNS}) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _question_params(round_id: int, position: int, q: InterviewQuestion) -> tuple[Any, ...]:
    return (
        round_id,
        position,
        q.item_id,
        _opt_ts(q.asked_at),
        _opt_ts(q.answered_at),
        q.seconds,
        int(q.late),
        q.verdict.value if q.verdict else None,
        q.score,
        json.dumps(list(q.covered)),
        json.dumps(list(q.missed)),
        json.dumps(list(q.contradicted)),
        q.follow_up_point,
        q.follow_up_text,
        _opt_ts(q.follow_up_asked_at),
        _opt_ts(q.follow_up_answered_at),
        None if q.follow_up_covered is None else int(q.follow_up_covered),
    )


def _question_of(row: Row) -> InterviewQuestion:
    return InterviewQuestion(
        item_id=row[2],
        asked_at=_opt_dt(row[3]),
        answered_at=_opt_dt(row[4]),
        seconds=row[5],
        late=bool(row[6]),
        verdict=Verdict(row[7]) if row[7] else None,
        score=float(row[8]),
        covered=tuple(json.loads(row[9])),
        missed=tuple(json.loads(row[10])),
        contradicted=tuple(json.loads(row[11])),
        follow_up_point=row[12],
        follow_up_text=row[13],
        follow_up_asked_at=_opt_dt(row[14]),
        follow_up_answered_at=_opt_dt(row[15]),
        follow_up_covered=None if row[16] is None else bool(row[16]),
    )


def _round_of(row: Row, questions: list[Row]) -> InterviewRound:
    return InterviewRound(
        id=int(row[0]),
        user=UserKey(row[1], row[2]),
        chat=ChatKey(row[3], row[4]),
        topic=row[5],
        minutes=int(row[6]),
        questions=tuple(_question_of(q) for q in sorted(questions, key=lambda q: q[1])),
        position=int(row[7]),
        status=RoundStatus(row[8]),
        started_at=_dt(row[9]),
        last_activity=_dt(row[10]),
        ended_at=_opt_dt(row[11]),
        reminded=bool(row[12]),
        score=None if row[13] is None else int(row[13]),
    )


def _select_round(where: str, *params: Any) -> Script[InterviewRound | None]:
    row = yield from fetch_one(f"SELECT {ROUND_COLUMNS} FROM {ROUND_FROM} WHERE {where}", *params)
    if row is None:
        return None
    questions = yield from fetch_all(
        f"SELECT {QUESTION_COLUMNS} FROM interview_questions WHERE interview_ref = ?", row[0]
    )
    return _round_of(row, questions)


def _save_questions(round_: InterviewRound) -> Script[None]:
    yield from execute("DELETE FROM interview_questions WHERE interview_ref = ?", round_.id)
    yield from execute_many(
        INSERT_QUESTION,
        [_question_params(round_.id, i, q) for i, q in enumerate(round_.questions)],
    )


class SqlInterviews(SqlCore):
    """The InterviewStore part of the SQL stores."""

    async def create_interview(self, round_: InterviewRound) -> InterviewRound | None:
        def script() -> Script[InterviewRound | None]:
            user = yield from user_pk(round_.user)
            chat = yield from chat_pk(round_.chat)
            row = yield from fetch_one(
                INSERT_ROUND,
                user,
                chat,
                round_.topic,
                round_.minutes,
                round_.position,
                round_.status.value,
                _ts(round_.started_at),
                _ts(round_.last_activity),
                _opt_ts(round_.ended_at),
                int(round_.reminded),
                round_.score,
            )
            if row is None:
                return None
            stored = replace(round_, id=int(row[0]))
            yield from _save_questions(stored)
            return (yield from _select_round("i.id = ?", stored.id))

        return await self._write(script())

    async def get_interview(self, round_id: int) -> InterviewRound | None:
        return await self._read(_select_round("i.id = ?", round_id))

    async def get_active_interview(self, user: UserKey) -> InterviewRound | None:
        return await self._read(
            _select_round(
                "u.platform = ? AND u.user_id = ? AND i.status = 'active'", *_uk(user)
            )
        )

    async def save_interview(self, round_: InterviewRound) -> None:
        def script() -> Script[None]:
            changed = yield from execute(
                UPDATE_ROUND,
                round_.position,
                round_.status.value,
                _ts(round_.last_activity),
                _opt_ts(round_.ended_at),
                int(round_.reminded),
                round_.score,
                round_.id,
            )
            if changed == 0:
                raise NotFoundError(f"unknown interview {round_.id}")
            yield from _save_questions(round_)

        await self._write(script())

    async def active_interviews(self) -> list[InterviewRound]:
        def script() -> Script[list[InterviewRound]]:
            rows = yield from fetch_all(
                f"SELECT i.id FROM {ROUND_FROM} WHERE i.status = 'active' ORDER BY i.id"
            )
            found: list[InterviewRound] = []
            for row in rows:
                round_ = yield from _select_round("i.id = ?", row[0])
                if round_ is not None:
                    found.append(round_)
            return found

        return await self._read(script())

    async def interview_scores(self, user: UserKey, limit: int) -> tuple[int, list[int]]:
        def script() -> Script[tuple[int, list[int]]]:
            where = (
                "u.platform = ? AND u.user_id = ? AND i.status <> 'active' "
                "AND i.score IS NOT NULL"
            )
            count = yield from fetch_one(
                f"SELECT COUNT(*) FROM {ROUND_FROM} WHERE {where}", *_uk(user)
            )
            rows = yield from fetch_all(
                f"SELECT i.score FROM {ROUND_FROM} WHERE {where} "
                "ORDER BY i.ended_at DESC, i.id DESC LIMIT ?",
                *_uk(user),
                limit,
            )
            return (int(count[0]) if count else 0, [int(row[0]) for row in rows])

        return await self._read(script())

    async def correct_item_ids_since(self, user: UserKey, since: datetime) -> set[str]:
        rows = await self._all(
            "SELECT DISTINCT a.item_id FROM answers a JOIN users u ON u.id = a.user_ref "
            "WHERE u.platform = ? AND u.user_id = ? AND a.verdict = 'correct' "
            "AND a.answered_at >= ?",
            *_uk(user),
            _ts(since),
        )
        return {row[0] for row in rows}
