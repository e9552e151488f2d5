"""Answering: `/answer` routes to the active quiz, else to the chat's daily question."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.models import AnswerKind, ChatKey, UserKey, daily_target
from bot.ports import Store
from bot.services.base import Questions, daily_post
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
        """`/answer` without a target: the user's active quiz question, else today's daily."""
        if await self.store.get_active_quiz(user, chat) is not None:
            return await self.quizzes.answer(user, chat, text, choice=choice)
        return await self.answer_daily(user, chat, text, choice=choice)

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
        )
        return recorded.result
