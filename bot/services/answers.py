"""Answering: `/answer` routes to the active quiz, else to the chat's daily question."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.models import (
    AnswerContext,
    AnswerKind,
    ChatKey,
    DailyPost,
    UserKey,
    daily_target,
)
from bot.errors import NotFoundError
from bot.ports import Store
from bot.services.base import NO_DAILY, Questions, daily_post
from bot.services.quiz import QuizService
from bot.services.recording import Recorder
from bot.services.results import AnswerResult


@dataclass(eq=False)
class AnswerService:
    store: Store
    questions: Questions
    recorder: Recorder
    quizzes: QuizService

    @property
    def slow_grading(self) -> bool:
        """True when answers wait on a model server (adapters show a "grading..." state)."""
        return self.recorder.slow_grading

    async def answer(
        self,
        user: UserKey,
        chat: ChatKey,
        text: str | None = None,
        *,
        choice: int | str | None = None,
    ) -> AnswerResult:
        """`/answer` without a target: the user's active quiz question, else today's daily.

        The hot path: one read round trip (`answer_start`) before the answer's write.
        """
        start = await self.store.answer_start(user, chat)
        if start.quiz is not None:
            return await self.quizzes.answer(user, chat, text, choice=choice)
        if start.post is None:
            raise NotFoundError(NO_DAILY)
        return await self._record_daily(user, start.post, text, choice, start.context)

    async def answer_daily(
        self,
        user: UserKey,
        chat: ChatKey,
        text: str | None = None,
        *,
        choice: int | str | None = None,
        post_id: int | None = None,
    ) -> AnswerResult:
        """Answer a daily post (the chat's latest unless `post_id` is given).

        Only the first answer per user and post is stored and earns points; revealing
        before answering, or answering after the channel reveal, forfeits the points.
        """
        post = await daily_post(self.store, chat, post_id)
        return await self._record_daily(user, post, text, choice, None)

    async def _record_daily(
        self,
        user: UserKey,
        post: DailyPost,
        text: str | None,
        choice: int | str | None,
        context: AnswerContext | None,
    ) -> AnswerResult:
        recorded = await self.recorder.record(
            user_key=user,
            chat_key=post.chat,
            item=self.questions.item(post.item_id),
            kind=AnswerKind.DAILY,
            target=daily_target(post.id),
            text=text,
            choice=choice,
            post_id=post.id,
            forfeit=post.revealed_at is not None,
            context=context,
        )
        return recorded.result
