"""Reveals: per user on demand (short, then full) and per channel after the delay."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.domain.models import (
    AnswerKind,
    ChatKey,
    DailyPost,
    QuizStatus,
    UserKey,
    daily_target,
    quiz_target,
    review_target,
)
from bot.domain.views import ChannelReveal, ScoreLine
from bot.errors import Command, InvalidInputError, NotFoundError, Notice, StaleQuestionError
from bot.ports import Clock, Store
from bot.services.base import Directory, Questions, daily_post
from bot.services.results import RevealResult

log = logging.getLogger(__name__)

TOP_SCORERS = 3
QUIZ_GONE = Notice(
    "That quiz question is not one of yours; start your own quiz with {quiz}.",
    quiz=Command.QUIZ,
)
NOT_REACHED = Notice(
    "That quiz question was never reached, so there is no answer to show for it."
)


@dataclass(frozen=True)
class _Target:
    """What a reveal shows; `open` when an answer may still follow (a reveal forfeits)."""

    target: str
    item_id: str
    kind: AnswerKind
    open: bool = True


@dataclass(eq=False)
class RevealService:
    store: Store
    clock: Clock
    directory: Directory
    questions: Questions

    async def reveal(
        self,
        user: UserKey,
        chat: ChatKey,
        *,
        post_id: int | None = None,
        item_id: str | None = None,
        quiz: tuple[int, int] | None = None,
    ) -> RevealResult:
        """Reveal to one user: a review card (`item_id`), a daily post (`post_id`), a quiz
        question (`quiz`: session id and 1-based position), else the active quiz question,
        else the chat's daily question. The first call shows the short answer, later calls
        the full one. Revealing a question before answering it forfeits its points; a quiz
        question already answered or skipped may always be revealed.
        """
        await self.directory.user(user)
        found = await self._target(user, chat, post_id, item_id, quiz)
        stage = await self.store.record_reveal(user, found.target, found.item_id, self.clock.now())
        answered = await self.store.get_answer(user, found.target) is not None
        full = stage >= 2
        question = self.questions.item(found.item_id)
        return RevealResult(
            item_id=found.item_id,
            kind=found.kind,
            stage=stage,
            question=question.question,
            short_answer=question.short_answer,
            answer=question.answer if full else "",
            key_points=tuple(p.text for p in question.key_points) if full else (),
            answered=answered,
            points_forfeited=found.open and not answered,
        )

    async def _target(
        self,
        user: UserKey,
        chat: ChatKey,
        post_id: int | None,
        item_id: str | None,
        quiz: tuple[int, int] | None,
    ) -> _Target:
        if item_id is not None:
            self.questions.item(item_id)
            card = await self.store.get_card(user, item_id)
            target = review_target(item_id, card.due) if card else f"review:{item_id}:new"
            return _Target(target, item_id, AnswerKind.REVIEW)
        if quiz is not None:
            return await self._quiz_question(user, *quiz)
        if post_id is None:
            session = await self.store.get_active_quiz(user, chat)
            if session is not None and session.current_item_id is not None:
                target = quiz_target(session.id, session.position)
                return _Target(target, session.current_item_id, AnswerKind.QUIZ)
        post = await daily_post(self.store, chat, post_id)
        return _Target(daily_target(post.id), post.item_id, AnswerKind.DAILY)

    async def _quiz_question(self, user: UserKey, session_id: int, position: int) -> _Target:
        """Question `position` (1-based) of one of the user's quizzes, running or ended.

        Answered or skipped: always revealable, nothing left to forfeit. The running
        quiz's current question: revealable, its points forfeited. Never reached: refused.
        """
        session = await self.store.get_quiz(session_id)
        if session is None:
            raise NotFoundError(QUIZ_GONE)
        if session.user != user:
            raise StaleQuestionError(QUIZ_GONE, reason="not_yours")
        index = position - 1
        if not 0 <= index < len(session.item_ids):
            raise InvalidInputError(NOT_REACHED)
        target = quiz_target(session.id, index)
        item_id = session.item_ids[index]
        if session.outcomes[index] is not None:
            return _Target(target, item_id, AnswerKind.QUIZ, open=False)
        if session.status is QuizStatus.ACTIVE and index == session.position:
            return _Target(target, item_id, AnswerKind.QUIZ)
        raise InvalidInputError(NOT_REACHED)

    async def reveal_channel(self, post_id: int) -> ChannelReveal:
        """The channel reveal of a daily post: reference answer, answer count, top scorers."""
        post = await self.store.get_post(post_id)
        if post is None:
            raise NotFoundError(Notice("No daily post {post}.", post=post_id))
        first = await self.store.mark_post_revealed(post_id, self.clock.now())
        return await self._channel_view(post, first)

    async def reveal_due(self, limit: int = 100) -> list[ChannelReveal]:
        """Reveal every post whose delay has passed (the scheduler calls this)."""
        reveals = []
        for post in await self.store.posts_due_for_reveal(self.clock.now(), limit):
            first = await self.store.mark_post_revealed(post.id, self.clock.now())
            if not first:
                continue
            try:
                reveals.append(await self._channel_view(post, first))
            except NotFoundError:
                # The item left the bank after it was posted: nothing left to show.
                log.warning("post %d: item %s is gone; reveal skipped", post.id, post.item_id)
        return reveals

    async def _channel_view(self, post: DailyPost, first: bool) -> ChannelReveal:
        item = self.questions.item(post.item_id)
        results = await self.store.post_results(post.id, TOP_SCORERS)
        return ChannelReveal(
            post_id=post.id,
            chat=post.chat,
            local_date=post.local_date,
            item_id=item.id,
            question=item.question,
            short_answer=item.short_answer,
            answer=item.answer,
            answered=results.answered,
            top=tuple(
                ScoreLine(s.user, s.display_name, s.verdict, s.score, s.points)
                for s in results.top
            ),
            first=first,
        )
