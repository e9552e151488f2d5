"""The InterviewStore part of the in-memory store."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.domain.interview import InterviewQuestion, InterviewRound, RoundStatus
from bot.domain.models import AnswerRecord, Chat, ChatKey, User, UserKey, Verdict
from bot.errors import NotFoundError


def _sec(instant: datetime | None) -> datetime | None:
    # Like the SQL stores: whole seconds, UTC.
    return None if instant is None else instant.astimezone(UTC).replace(microsecond=0)


def _stored_question(question: InterviewQuestion) -> InterviewQuestion:
    return replace(
        question,
        asked_at=_sec(question.asked_at),
        answered_at=_sec(question.answered_at),
        follow_up_asked_at=_sec(question.follow_up_asked_at),
        follow_up_answered_at=_sec(question.follow_up_answered_at),
    )


def _stored(round_: InterviewRound) -> InterviewRound:
    started, activity = _sec(round_.started_at), _sec(round_.last_activity)
    assert started is not None and activity is not None
    return replace(
        round_,
        started_at=started,
        last_activity=activity,
        ended_at=_sec(round_.ended_at),
        questions=tuple(_stored_question(q) for q in round_.questions),
    )


class MemoryInterviews:
    """Rounds kept in a dict; the host store supplies users, chats and ids."""

    interviews: dict[int, InterviewRound]
    users: dict[UserKey, User]
    chats: dict[ChatKey, Chat]
    answers: dict[int, AnswerRecord]

    def _new_id(self, kind: str) -> int:
        raise NotImplementedError

    async def create_interview(self, round_: InterviewRound) -> InterviewRound | None:
        if round_.user not in self.users:
            raise NotFoundError(f"unknown user {round_.user}")
        if round_.chat not in self.chats:
            raise NotFoundError(f"unknown chat {round_.chat}")
        if await self.get_active_interview(round_.user) is not None:
            return None
        stored = _stored(replace(round_, id=self._new_id("interview")))
        self.interviews[stored.id] = stored
        return stored

    async def get_interview(self, round_id: int) -> InterviewRound | None:
        return self.interviews.get(round_id)

    async def get_active_interview(self, user: UserKey) -> InterviewRound | None:
        for round_ in self.interviews.values():
            if round_.user == user and round_.status is RoundStatus.ACTIVE:
                return round_
        return None

    async def save_interview(self, round_: InterviewRound) -> None:
        if round_.id not in self.interviews:
            raise NotFoundError(f"unknown interview {round_.id}")
        self.interviews[round_.id] = _stored(round_)

    async def active_interviews(self) -> list[InterviewRound]:
        return sorted(
            (r for r in self.interviews.values() if r.status is RoundStatus.ACTIVE),
            key=lambda r: r.id,
        )

    async def interview_scores(self, user: UserKey, limit: int) -> tuple[int, list[int]]:
        ended = [
            r
            for r in self.interviews.values()
            if r.user == user and r.status is not RoundStatus.ACTIVE and r.score is not None
        ]
        ended.sort(key=lambda r: (r.ended_at or r.started_at, r.id), reverse=True)
        return len(ended), [r.score for r in ended[:limit] if r.score is not None]

    async def correct_item_ids_since(self, user: UserKey, since: datetime) -> set[str]:
        return {
            a.item_id
            for a in self.answers.values()
            if a.user == user and a.verdict is Verdict.CORRECT and a.answered_at >= since
        }
