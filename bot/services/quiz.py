"""Personal quiz sessions: N questions one at a time, skip, stop, and a summary."""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.content.bank import Bank
from bot.domain.decks import scope_of
from bot.domain.models import (
    SKIPPED,
    AnswerKind,
    ChatKey,
    GradeResult,
    QuizSession,
    QuizStatus,
    UserKey,
    Verdict,
    quiz_target,
)
from bot.domain.numbers import parse_int
from bot.domain.timeparse import closest
from bot.domain.views import QuestionView
from bot.errors import (
    Command,
    InvalidInputError,
    NotFoundError,
    Notice,
    StaleQuestionError,
    did_you_mean,
)
from bot.ports import Clock, Store
from bot.services.base import (
    DIFFICULTIES,
    TOPIC_MATCH_CUTOFF,
    Directory,
    Questions,
    Topics,
    parse_difficulty,
)
from bot.services.recording import Recorder
from bot.services.results import AnswerResult, ItemRef, QuizInfo, QuizStart, QuizStep, QuizSummary

log = logging.getLogger(__name__)

DEFAULT_COUNT = 5
MAX_COUNT = 20
_NUMBER = re.compile(r"[+-]?[0-9]+")  # ASCII: `\d` also takes other scripts' digits
NO_QUIZ = Notice("You have no quiz running here; start one with {quiz}.", quiz=Command.QUIZ_USAGE)
NOT_YOUR_QUIZ = Notice(
    "This quiz belongs to someone else; start your own with {quiz}.", quiz=Command.QUIZ
)
QUIZ_OVER = Notice("That quiz is over; start a new one with {quiz}.", quiz=Command.QUIZ)
NOT_CURRENT = Notice("That question was already answered or skipped; answer the latest one.")


@dataclass(eq=False)
class QuizService:
    store: Store
    bank: Bank
    clock: Clock
    directory: Directory
    questions: Questions
    topics: Topics
    recorder: Recorder

    def parse_args(self, args: Sequence[str]) -> tuple[str | None, int | None, str | None]:
        """`/quiz [topic] [count] [difficulty]` in any order -> (topic, count, difficulty).

        Each mistake is named: a count outside 1-MAX_COUNT, a word that is neither a topic
        nor a difficulty, two topics, counts or difficulties.
        """
        topic: str | None = None
        count: int | None = None
        difficulty: str | None = None
        usage = Notice(
            "Usage: {quiz}: count is 1-{most}, difficulty is {some} or {last}.",
            quiz=Command.QUIZ_USAGE,
            most=MAX_COUNT,
            some=", ".join(DIFFICULTIES[:-1]),
            last=DIFFICULTIES[-1],
        )
        words: list[str] = []
        for arg in (a.strip() for a in args):
            if not arg:
                continue
            if _NUMBER.fullmatch(arg):
                if count is not None:
                    raise InvalidInputError(
                        Notice(
                            "One count per quiz, got {first} and {second}. {usage}",
                            first=count, second=arg, usage=usage,
                        )
                    )
                count = parse_int(arg, low=1, high=MAX_COUNT, signed=True)
                if count is None:
                    raise InvalidInputError(
                        Notice(
                            "A quiz has 1 to {most} questions, not {count}. {usage}",
                            most=MAX_COUNT, count=arg, usage=usage,
                        )
                    )
            elif arg.lower() in DIFFICULTIES:
                if difficulty is not None:
                    raise InvalidInputError(
                        Notice(
                            "One difficulty per quiz, got {first} and {second}. {usage}",
                            first=difficulty, second=arg.lower(), usage=usage,
                        )
                    )
                difficulty = arg.lower()
            else:
                words.append(arg)
        if len(words) > 1:
            known = {name.lower() for name in self.topics.names()}
            topics = [word for word in words if word.lower() in known]
            others = [word for word in words if word.lower() not in known]
            if len(topics) > 1 or not others:
                raise InvalidInputError(
                    Notice(
                        "One topic per quiz, got '{first}' and '{second}'. {usage}",
                        first=words[0], second=words[1], usage=usage,
                    )
                )
            odd = others[0] if topics else words[1]
            hint = did_you_mean(closest(odd, DIFFICULTIES, 1, TOPIC_MATCH_CUTOFF))
            raise InvalidInputError(
                Notice(
                    "'{word}' is not a difficulty.{hint} {usage}", word=odd, hint=hint, usage=usage
                )
            )
        if words:
            topic = words[0]
        return topic, count, difficulty

    async def start(
        self,
        user: UserKey,
        chat: ChatKey,
        topic: str | None = None,
        count: int | None = None,
        difficulty: str | None = None,
        *,
        replace_active: bool = False,
    ) -> QuizStart:
        """Start a session; with one already active, return it as `conflict` unless replacing."""
        requested = DEFAULT_COUNT if count is None else count
        if not 1 <= requested <= MAX_COUNT:
            raise InvalidInputError(
                Notice(
                    "A quiz has 1 to {most} questions, not {count}.",
                    most=MAX_COUNT,
                    count=requested,
                )
            )
        level = parse_difficulty(difficulty)
        await self.directory.user(user)
        scope = scope_of((await self.directory.chat(chat)).group)
        topics = self.topics.resolve([topic], scope) if topic else ()
        active = await self.store.get_active_quiz(user, chat)
        if active is not None:
            if not replace_active:
                return QuizStart(None, 0, requested, None, conflict=self._info(active))
            await self._end(active, QuizStatus.STOPPED)
        pool = self.topics.pool(topics, level, scope)
        if not pool:
            what = " ".join(part for part in (level, topic) if part) or "any topic"
            raise InvalidInputError(
                Notice(
                    "No questions for {what} yet; try another topic ({topics}).",
                    what=what, topics=Command.TOPICS,
                )
            )
        now = self.clock.now()
        rng = random.Random(f"{user}\x1f{chat}\x1f{now.isoformat()}")
        seen = await self.store.answered_item_ids(user)
        fresh = [item.id for item in pool if item.id not in seen]
        again = [item.id for item in pool if item.id in seen]
        rng.shuffle(fresh)
        rng.shuffle(again)
        chosen = tuple((fresh + again)[:requested])  # questions not answered before come first
        session = await self.store.create_quiz(
            QuizSession(
                id=0,
                user=user,
                chat=chat,
                item_ids=chosen,
                outcomes=tuple(None for _ in chosen),
                position=0,
                points=0,
                status=QuizStatus.ACTIVE,
                started_at=now,
                topic=topics[0] if topics else None,
                difficulty=level,
            )
        )
        if session is None:  # started concurrently
            active = await self.store.get_active_quiz(user, chat)
            assert active is not None
            return QuizStart(None, 0, requested, None, conflict=self._info(active))
        log.info("quiz %d for %s: %d questions", session.id, user, len(chosen))
        return QuizStart(session.id, len(chosen), requested, self._current(session))

    async def current(self, user: UserKey, chat: ChatKey) -> QuestionView | None:
        """The active session's current question, or None without a session."""
        session = await self.store.get_active_quiz(user, chat)
        return self._current(session) if session else None

    async def active(self, user: UserKey, chat: ChatKey) -> QuizInfo | None:
        session = await self.store.get_active_quiz(user, chat)
        return self._info(session) if session else None

    async def answer(
        self,
        user: UserKey,
        chat: ChatKey,
        text: str | None = None,
        *,
        choice: int | str | None = None,
        session_id: int | None = None,
        position: int | None = None,
    ) -> AnswerResult:
        """Answer the current question; the result carries the next question or the summary.

        `session_id` and `position` (1-based) name the question a button or reply was on:
        answering anything but the user's current question raises `StaleQuestionError`.
        """
        session = await self._pressed(user, chat, session_id, position)
        item = self.questions.item(self._current_id(session))

        def advance(grade: GradeResult, points: int) -> QuizSession:
            return self._advance(session, grade.verdict.value, points)

        recorded = await self.recorder.record(
            user_key=user,
            chat_key=chat,
            item=item,
            kind=AnswerKind.QUIZ,
            target=quiz_target(session.id, session.position),
            text=text,
            choice=choice,
            quiz_update=advance,
        )
        updated = recorded.quiz or session
        return replace(
            recorded.result,
            next_question=self._current(updated),
            summary=self._summary(updated) if updated.status is not QuizStatus.ACTIVE else None,
        )

    async def skip(
        self,
        user: UserKey,
        chat: ChatKey,
        *,
        session_id: int | None = None,
        position: int | None = None,
    ) -> QuizStep:
        """Skip the current question (checked like `answer`), to the next one or the end."""
        session = await self._pressed(user, chat, session_id, position)
        item_id = self._current_id(session)
        item = self.bank.item(item_id)
        updated = self._advance(session, SKIPPED, 0)
        await self.store.update_quiz(updated)
        return QuizStep(
            skipped=ItemRef(item_id, item.question if item else item_id),
            next_question=self._current(updated),
            summary=self._summary(updated) if updated.status is not QuizStatus.ACTIVE else None,
        )

    async def stop(
        self, user: UserKey, chat: ChatKey, *, session_id: int | None = None
    ) -> QuizSummary:
        """End the active session early and summarise it; with `session_id`, only that one
        (else `StaleQuestionError`)."""
        session = await self._pressed(user, chat, session_id, None)
        return self._summary(await self._end(session, QuizStatus.STOPPED))

    async def _pressed(
        self, user: UserKey, chat: ChatKey, session_id: int | None, position: int | None
    ) -> QuizSession:
        """The active session, checked against the session and position a button or reply
        named: the user's own, still running, and (with `position`) still on that question."""
        if session_id is None:
            return await self._active(user, chat)
        session = await self.store.get_active_quiz(user, chat)
        if session is None or session.id != session_id:
            named = await self.store.get_quiz(session_id)
            if named is not None and named.user != user:
                raise StaleQuestionError(NOT_YOUR_QUIZ, reason="not_yours")
            raise StaleQuestionError(QUIZ_OVER, reason="ended")
        if position is not None and session.position + 1 != position:
            raise StaleQuestionError(NOT_CURRENT, reason="moved_on")
        return session

    async def _active(self, user: UserKey, chat: ChatKey) -> QuizSession:
        session = await self.store.get_active_quiz(user, chat)
        if session is None:
            raise NotFoundError(NO_QUIZ)
        return session

    @staticmethod
    def _current_id(session: QuizSession) -> str:
        item_id = session.current_item_id
        if item_id is None:
            raise NotFoundError(NO_QUIZ)
        return item_id

    def _advance(self, session: QuizSession, outcome: str, points: int) -> QuizSession:
        outcomes = list(session.outcomes)
        outcomes[session.position] = outcome
        position = session.position + 1
        done = position >= len(session.item_ids)
        return replace(
            session,
            outcomes=tuple(outcomes),
            position=position,
            points=session.points + points,
            status=QuizStatus.FINISHED if done else QuizStatus.ACTIVE,
            ended_at=self.clock.now() if done else None,
        )

    async def _end(self, session: QuizSession, status: QuizStatus) -> QuizSession:
        ended = replace(session, status=status, ended_at=self.clock.now())
        await self.store.update_quiz(ended)
        return ended

    def _current(self, session: QuizSession) -> QuestionView | None:
        item_id = session.current_item_id
        if item_id is None:
            return None
        item = self.questions.item(item_id)
        position, total = session.position + 1, len(session.item_ids)
        return self.questions.view(item, AnswerKind.QUIZ, position, total)

    @staticmethod
    def _info(session: QuizSession) -> QuizInfo:
        return QuizInfo(
            session.id, session.topic, session.difficulty, session.position,
            len(session.item_ids),
        )

    def _summary(self, session: QuizSession) -> QuizSummary:
        outcomes = session.outcomes
        review = []
        for item_id, outcome in zip(session.item_ids, outcomes, strict=True):
            if outcome in (Verdict.INCORRECT.value, Verdict.PARTIAL.value, SKIPPED):
                item = self.bank.item(item_id)
                review.append(ItemRef(item_id, item.question if item else item_id))
        return QuizSummary(
            session_id=session.id,
            topic=session.topic,
            difficulty=session.difficulty,
            total=len(session.item_ids),
            correct=outcomes.count(Verdict.CORRECT.value),
            partial=outcomes.count(Verdict.PARTIAL.value),
            incorrect=outcomes.count(Verdict.INCORRECT.value),
            skipped=outcomes.count(SKIPPED),
            unanswered=outcomes.count(None),
            points=session.points,
            stopped=session.status is QuizStatus.STOPPED,
            to_review=tuple(review),
        )
