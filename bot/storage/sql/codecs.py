"""Row codecs both SQL stores share: Python values to columns and rows to models.

Times are epoch seconds in integer columns, dates ISO text, flags 0/1 integers, week
days a bit mask and topic lists JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any, Protocol

from bot.domain.models import (
    AnswerKind,
    AnswerRecord,
    Chat,
    ChatKey,
    DailyPost,
    GroupKey,
    NewOutboxRow,
    OutboxKind,
    OutboxRow,
    OutboxStatus,
    QuizSession,
    QuizStatus,
    ReviewCard,
    Schedule,
    User,
    UserKey,
    Verdict,
)
from bot.domain.streaks import StoredStreak, StreakState


class Row(Protocol):
    """A result row by position or column name (sqlite3.Row, asyncpg.Record)."""

    def __getitem__(self, key: int | str, /) -> Any: ...


#: A row read by position only (a Row, or values gathered from one).
Columns = Row | tuple[Any, ...]


QUARTER_HOUR = 900
_FAR_PAST = -(2**62)
_FAR_FUTURE = 2**62


def _ts(instant: datetime) -> int:
    if instant.tzinfo is None:
        raise ValueError("expected a timezone-aware datetime")
    return int(instant.timestamp())


def _opt_ts(instant: datetime | None) -> int | None:
    return None if instant is None else _ts(instant)


def _dt(value: int) -> datetime:
    return datetime.fromtimestamp(value, UTC)


@lru_cache(maxsize=131_072)
def _bucket_dt(bucket: int) -> datetime:
    """A quarter-hour bucket as an instant; cached because buckets repeat across users."""
    return _dt(bucket * QUARTER_HOUR)


def _opt_dt(value: int | None) -> datetime | None:
    return None if value is None else _dt(value)


# Schedules repeat a few times, masks and topic lists: the tick maps thousands of rows.
@lru_cache(maxsize=4096)
def _local_time(text: str) -> time:
    hour, minute = (int(part) for part in text.split(":"))
    return time(hour, minute)


def _hhmm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


@lru_cache(maxsize=4096)
def _topics(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


def _streak(row: Row, at: int = 0) -> StoredStreak:
    """A StoredStreak from the streak columns of a row, starting at column `at`."""
    zone, day, current, best, freezes = (row[at + offset] for offset in range(5))
    return StoredStreak(
        zone, StreakState(date.fromisoformat(day), int(current), int(best), int(freezes))
    )


def _keys_filter(keys: Iterable[UserKey], prefix: str = "") -> tuple[str, list[str]]:
    """A WHERE clause matching `keys` that uses the (platform, user_id) unique index.

    SQLite scans the table for a row-value `IN (VALUES ...)`; `platform = ? AND user_id
    IN (...)` per platform is an index search.
    """
    by_platform: dict[str, set[str]] = {}
    for key in keys:
        by_platform.setdefault(key.platform, set()).add(key.user_id)
    clauses: list[str] = []
    params: list[str] = []
    for platform, ids in sorted(by_platform.items()):
        marks = ", ".join("?" * len(ids))
        clauses.append(f"({prefix}platform = ? AND {prefix}user_id IN ({marks}))")
        params += [platform, *sorted(ids)]
    return " OR ".join(clauses), params


def _mask(days: Iterable[int]) -> int:
    return sum(1 << day for day in set(days))


@lru_cache(maxsize=128)
def _days(mask: int) -> frozenset[int]:
    return frozenset(day for day in range(7) if mask & (1 << day))


def _group_key(group: GroupKey | None) -> str | None:
    return None if group is None else f"{group.platform}:{group.group_id}"


def _parse_group(value: str | None) -> GroupKey | None:
    if value is None:
        return None
    platform, _, group_id = value.partition(":")
    return GroupKey(platform, group_id)


def _uk(key: UserKey) -> tuple[str, str]:
    """A user key as the parameters of `platform = ? AND user_id = ?`."""
    return (key.platform, key.user_id)


def _ck(key: ChatKey) -> tuple[str, str]:
    """A chat key as the parameters of `platform = ? AND chat_id = ?`."""
    return (key.platform, key.chat_id)


def schedule_params(chat_pk: int, schedule: Schedule) -> tuple[Any, ...]:
    return (
        chat_pk,
        _hhmm(schedule.local_time),
        schedule.timezone,
        _mask(schedule.weekdays),
        json.dumps(list(schedule.topics)),
        schedule.reveal_delay_hours,
        int(schedule.thread),
        int(schedule.paused),
        _opt_ts(schedule.next_post_utc),
        _ts(schedule.created_at),
        _ts(schedule.updated_at),
    )


def answer_params(answer: AnswerRecord) -> tuple[Any, ...]:
    """An answer's columns from group_key to answered_at (its user and chat come by key)."""
    return (
        _group_key(answer.group),
        answer.kind.value,
        answer.target,
        answer.post_id,
        answer.item_id,
        answer.verdict.value,
        float(answer.score),
        answer.points,
        int(answer.forfeited),
        _ts(answer.answered_at),
    )


def stored_answer(answer: AnswerRecord, answer_id: int) -> AnswerRecord:
    """The record as a store returns it: its id, its time in whole seconds."""
    return AnswerRecord(
        user=answer.user,
        chat=answer.chat,
        group=answer.group,
        kind=answer.kind,
        target=answer.target,
        item_id=answer.item_id,
        verdict=answer.verdict,
        score=answer.score,
        points=answer.points,
        forfeited=answer.forfeited,
        answered_at=_dt(_ts(answer.answered_at)),
        post_id=answer.post_id,
        id=answer_id,
    )


def streak_params(streak: StoredStreak) -> tuple[Any, ...]:
    """A streak's columns after its user's."""
    state = streak.state
    return (
        streak.zone,
        state.last_day.isoformat(),
        state.current,
        state.best,
        state.freezes,
    )


def quiz_params(user_pk: int, chat_pk: int, session: QuizSession) -> tuple[Any, ...]:
    return (
        user_pk,
        chat_pk,
        session.topic,
        session.difficulty,
        json.dumps(list(session.item_ids)),
        json.dumps(list(session.outcomes)),
        session.position,
        session.points,
        session.status.value,
        _ts(session.started_at),
        _opt_ts(session.ended_at),
    )


def quiz_update_params(session: QuizSession) -> tuple[Any, ...]:
    return (
        json.dumps(list(session.outcomes)),
        session.position,
        session.points,
        session.status.value,
        _opt_ts(session.ended_at),
        session.id,
    )


def card_params(card: ReviewCard) -> tuple[Any, ...]:
    """A review card's columns after its user's."""
    return (
        card.item_id,
        card.card_json,
        card.prev_card_json,
        _ts(card.due),
        _opt_ts(card.last_review),
    )


def outbox_inserts(rows: Iterable[NewOutboxRow], now: int) -> list[tuple[Any, ...]]:
    """INSERT_OUTBOX parameters for NewOutboxRows."""
    return [
        (
            r.chat.platform,
            r.chat.chat_id,
            r.kind.value,
            r.local_date.isoformat(),
            r.post_id,
            _ts(r.due_at),
            _ts(r.due_at),
            now,
        )
        for r in rows
    ]


def outbox_changes(
    status: OutboxStatus,
    attempts: int | None,
    next_attempt_at: datetime | None,
    message_id: str | None,
    sent_at: datetime | None,
    post_id: int | None,
    error: str | None,
) -> tuple[str, list[Any]]:
    """`UPDATE outbox SET ... WHERE id = ?` for the fields given, and their values."""
    changes: dict[str, Any] = {"status": status.value}
    if attempts is not None:
        changes["attempts"] = attempts
    if next_attempt_at is not None:
        changes["next_attempt_at"] = _ts(next_attempt_at)
    if message_id is not None:
        changes["message_id"] = message_id
    if sent_at is not None:
        changes["sent_at"] = _ts(sent_at)
    if post_id is not None:
        changes["post_id"] = post_id
    if error is not None:
        changes["error"] = error[:500]
    assignments = ", ".join(f"{name} = ?" for name in changes)
    return f"UPDATE outbox SET {assignments} WHERE id = ?", list(changes.values())


#: The columns `user_at` and `chat_at` read, in order (of `users` and `chats`).
USER_FIELDS = ("platform", "user_id", "display_name", "created_at", "timezone",
               "leaderboard_opt_out")
CHAT_FIELDS = ("platform", "chat_id", "group_id", "title", "seed", "created_at", "broken_at",
               "broken_reason", "feedback")


def columns(fields: Iterable[str], table: str) -> str:
    """`t.a, t.b, ...`: the fields of the table aliased `table`."""
    return ", ".join(f"{table}.{field}" for field in fields)


def user_at(row: Columns, at: int = 0) -> User:
    """A User from the USER_FIELDS columns of a row, starting at column `at`."""
    return User(
        key=UserKey(row[at], row[at + 1]),
        display_name=row[at + 2],
        created_at=_dt(row[at + 3]),
        timezone=row[at + 4],
        leaderboard_opt_out=bool(row[at + 5]),
    )


def chat_at(row: Columns, at: int = 0) -> Chat:
    """A Chat from the CHAT_FIELDS columns of a row, starting at column `at`."""
    platform = row[at]
    return Chat(
        key=ChatKey(platform, row[at + 1]),
        group=GroupKey(platform, row[at + 2]),
        title=row[at + 3],
        seed=row[at + 4],
        created_at=_dt(row[at + 5]),
        broken_at=_opt_dt(row[at + 6]),
        broken_reason=row[at + 7],
        feedback=str(row[at + 8]),
    )


def user_of(row: Row) -> User:
    """A User from a whole `users` row (by column name)."""
    return user_at(tuple(row[name] for name in USER_FIELDS))


def _feedback(row: Row) -> str:
    try:
        return str(row["feedback"])
    except (IndexError, KeyError):  # a database still before migration 010
        return "auto"


def chat_of(row: Row) -> Chat:
    """A Chat from a whole `chats` row (by column name)."""
    return chat_at((*(row[name] for name in CHAT_FIELDS[:-1]), _feedback(row)))


def schedule_of(row: Row) -> Schedule:
    return Schedule(
        chat=ChatKey(row[0], row[1]),
        local_time=_local_time(row[2]),
        timezone=row[3],
        weekdays=_days(row[4]),
        topics=_topics(row[5]),
        reveal_delay_hours=row[6],
        thread=bool(row[7]),
        paused=bool(row[8]),
        next_post_utc=_opt_dt(row[9]),
        created_at=_dt(row[10]),
        updated_at=_dt(row[11]),
    )


def post_of(row: Row, at: int = 0) -> DailyPost:
    return DailyPost(
        id=row[at],
        chat=ChatKey(row[at + 1], row[at + 2]),
        local_date=date.fromisoformat(row[at + 3]),
        item_id=row[at + 4],
        cycle=row[at + 5],
        posted_at=_dt(row[at + 6]),
        reveal_at=_opt_dt(row[at + 7]),
        revealed_at=_opt_dt(row[at + 8]),
    )


def answer_of(row: Row, at: int = 0) -> AnswerRecord:
    return AnswerRecord(
        id=row[at],
        user=UserKey(row[at + 1], row[at + 2]),
        chat=ChatKey(row[at + 3], row[at + 4]) if row[at + 3] is not None else None,
        group=_parse_group(row[at + 5]),
        kind=AnswerKind(row[at + 6]),
        target=row[at + 7],
        item_id=row[at + 8],
        verdict=Verdict(row[at + 9]),
        score=row[at + 10],
        points=row[at + 11],
        forfeited=bool(row[at + 12]),
        answered_at=_dt(row[at + 13]),
        post_id=row[at + 14],
    )


def quiz_of(row: Row, at: int = 0) -> QuizSession:
    return QuizSession(
        id=row[at],
        user=UserKey(row[at + 1], row[at + 2]),
        chat=ChatKey(row[at + 3], row[at + 4]),
        item_ids=tuple(json.loads(row[at + 5])),
        outcomes=tuple(json.loads(row[at + 6])),
        position=row[at + 7],
        points=row[at + 8],
        status=QuizStatus(row[at + 9]),
        started_at=_dt(row[at + 10]),
        topic=row[at + 11],
        difficulty=row[at + 12],
        ended_at=_opt_dt(row[at + 13]),
    )


def card_of(user: UserKey, row: Row) -> ReviewCard:
    return ReviewCard(
        user=user,
        item_id=row["item_id"],
        card_json=row["card"],
        due=_dt(row["due"]),
        last_review=_opt_dt(row["last_review"]),
        prev_card_json=row["prev_card"],
    )


def outbox_of(row: Row) -> OutboxRow:
    return OutboxRow(
        id=row[0],
        chat=ChatKey(row[1], row[2]),
        kind=OutboxKind(row[3]),
        local_date=date.fromisoformat(row[4]),
        post_id=row[5],
        due_at=_dt(row[6]),
        status=OutboxStatus(row[7]),
        attempts=row[8],
        next_attempt_at=_dt(row[9]),
        message_id=row[10],
        sent_at=_opt_dt(row[11]),
        error=row[12],
    )
