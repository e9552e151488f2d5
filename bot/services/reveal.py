"""Reveals: per user on demand (short, then full) and per channel after the delay."""

from __future__ import annotations

import logging

from bot.domain.models import (
    AnswerKind,
    ChatKey,
    DailyPost,
    UserKey,
    daily_target,
    quiz_target,
    review_target,
)
from bot.errors import NotFoundError
from bot.services.answers import NO_DAILY
from bot.services.base import ServiceBase
from bot.services.results import ChannelReveal, RevealResult, ScoreLine

log = logging.getLogger(__name__)

TOP_SCORERS = 3


class RevealService(ServiceBase):
    async def reveal(
        self,
        user: UserKey,
        chat: ChatKey,
        *,
        post_id: int | None = None,
        item_id: str | None = None,
    ) -> RevealResult:
        """Reveal to one user: a review card (`item_id`), a daily post (`post_id`), else the
        active quiz question, else the chat's daily question. The first call shows the short
        answer, later calls the full one. Revealing before answering forfeits the points.
        """
        await self._user(user)
        target, item, kind = await self._target(user, chat, post_id, item_id)
        stage = await self.store.record_reveal(user, target, item, self.clock.now())
        answered = await self.store.get_answer(user, target) is not None
        full = stage >= 2
        question = self._item(item)
        return RevealResult(
            item_id=item,
            kind=kind,
            stage=stage,
            question=question.question,
            short_answer=question.short_answer,
            answer=question.answer if full else "",
            key_points=tuple(p.text for p in question.key_points) if full else (),
            answered=answered,
            points_forfeited=not answered,
        )

    async def _target(
        self, user: UserKey, chat: ChatKey, post_id: int | None, item_id: str | None
    ) -> tuple[str, str, AnswerKind]:
        if item_id is not None:
            self._item(item_id)
            card = await self.store.get_card(user, item_id)
            target = review_target(item_id, card.due) if card else f"review:{item_id}:new"
            return target, item_id, AnswerKind.REVIEW
        if post_id is None:
            session = await self.store.get_active_quiz(user, chat)
            if session is not None and session.current_item_id is not None:
                target = quiz_target(session.id, session.position)
                return target, session.current_item_id, AnswerKind.QUIZ
        post = (
            await self.store.get_post(post_id)
            if post_id is not None
            else await self.store.latest_daily_post(chat)
        )
        if post is None:
            raise NotFoundError(NO_DAILY)
        return daily_target(post.id), post.item_id, AnswerKind.DAILY

    async def reveal_channel(self, post_id: int) -> ChannelReveal:
        """The channel reveal of a daily post: reference answer, answer count, top scorers."""
        post = await self.store.get_post(post_id)
        if post is None:
            raise NotFoundError(f"No daily post {post_id}.")
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
        item = self._item(post.item_id)
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
