"""What the store contract modules share: keys, a seeded store, record builders."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from bot.domain.models import (
    AnswerKind,
    AnswerRecord,
    ChatKey,
    GroupKey,
    QuizSession,
    QuizStatus,
    Schedule,
    UserKey,
    Verdict,
)
from bot.domain.streaks import StoredStreak, StreakState
from bot.ports import Store

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
ALICE = UserKey("telegram", "1")
BOB = UserKey("telegram", "2")
CHAT = ChatKey("telegram", "-100")
GROUP = GroupKey("telegram", "-100")


async def seed(store: Store) -> None:
    await store.upsert_user(ALICE, "Alice", T0)
    await store.upsert_user(BOB, "Bob", T0)
    await store.upsert_chat(CHAT, GROUP, "Study", T0)


def answer(
    user: UserKey = ALICE,
    target: str = "daily:1",
    *,
    verdict: Verdict = Verdict.CORRECT,
    points: int = 10,
    at: datetime = T0,
    kind: AnswerKind = AnswerKind.DAILY,
    item: str = "d/q01",
    post_id: int | None = None,
    group: GroupKey | None = GROUP,
    score: float = 1.0,
) -> AnswerRecord:
    return AnswerRecord(
        user=user,
        chat=CHAT,
        group=group,
        kind=kind,
        target=target,
        item_id=item,
        verdict=verdict,
        score=score,
        points=points,
        forfeited=False,
        answered_at=at,
        post_id=post_id,
    )


def schedule(chat: ChatKey = CHAT, **changes: object) -> Schedule:
    base = Schedule(
        chat=chat,
        local_time=time(9, 30),
        timezone="Europe/Berlin",
        weekdays=frozenset({0, 2, 4}),
        topics=("cnn", "dl"),
        reveal_delay_hours=12,
        thread=True,
        paused=False,
        next_post_utc=T0 + timedelta(hours=1),
        created_at=T0,
        updated_at=T0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


STREAK = StoredStreak("Europe/Berlin", StreakState(date(2024, 3, 4), 4, 9, 1))


def quiz(user: UserKey = ALICE, chat: ChatKey = CHAT) -> QuizSession:
    return QuizSession(
        id=0,
        user=user,
        chat=chat,
        item_ids=("d/q01", "d/q02"),
        outcomes=(None, None),
        position=0,
        points=0,
        status=QuizStatus.ACTIVE,
        started_at=T0,
        topic="cnn",
        difficulty="easy",
    )
