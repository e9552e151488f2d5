"""Today's question for a chat: chosen from its own order and stored with the post."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.decks import scope_of
from bot.domain.models import AnswerKind, ChatKey, DailyPost
from bot.domain.schedule import local_date
from bot.domain.selection import next_item
from bot.domain.views import DailyQuestion
from bot.errors import NotFoundError, Notice
from bot.ports import Clock, Store
from bot.services.base import Directory, Questions, Topics, Zones

log = logging.getLogger(__name__)


@dataclass(eq=False)
class DailyService:
    store: Store
    clock: Clock
    directory: Directory
    zones: Zones
    questions: Questions
    topics: Topics

    async def today(self, chat: ChatKey) -> DailyQuestion:
        """The chat's question for today in its time zone, choosing and storing it if new."""
        zone = await self.zones.of_chat(chat)
        return await self.post_for(chat, local_date(self.clock.now(), zone))

    async def post_for(self, chat: ChatKey, day: date) -> DailyQuestion:
        """The chat's question for a local date; once stored, a restart never changes it."""
        existing = await self.store.get_daily_post(chat, day)
        if existing is not None:
            return await self._view(existing, created=False)
        chat_row = await self.directory.chat(chat)
        schedule = await self.store.get_schedule(chat)
        topics = schedule.topics if schedule else ()
        pool = [item.id for item in self.topics.pool(topics, scope=scope_of(chat_row.group))]
        state = await self.store.selection_state(chat)
        pick = next_item(pool, state.used, chat_row.seed, state.cycle, state.last_item)
        if pick is None:
            raise NotFoundError(Notice("No published questions match this chat's topics."))
        now = self.clock.now()
        delay = schedule.reveal_delay_hours if schedule else 0
        reveal_at = now + timedelta(hours=delay) if delay else None
        post = await self.store.create_daily_post(
            chat, day, pick.item_id, pick.cycle, now, reveal_at
        )
        created = post.item_id == pick.item_id and post.posted_at == now.replace(microsecond=0)
        log.info("daily question %s for %s on %s", post.item_id, chat, day)
        return await self._view(post, created=created)

    async def remember_message(self, post_id: int, message_id: str) -> None:
        """Record the platform message that showed a daily question (replies answer it)."""
        await self.store.set_post_message(post_id, message_id)

    async def by_message(self, chat: ChatKey, message_id: str) -> DailyQuestion | None:
        """The daily question a platform message showed, if it showed one."""
        post = await self.store.post_by_message(chat, message_id)
        return await self._view(post, created=False) if post else None

    async def remember_poll(self, platform: str, poll_id: str, post_id: int) -> None:
        """Record the native poll that showed a daily question (its votes name only it)."""
        await self.store.remember_poll(platform, poll_id, post_id, self.clock.now())

    async def by_poll(self, platform: str, poll_id: str) -> DailyQuestion | None:
        """The daily question a native poll showed, if it showed one."""
        post = await self.store.poll_post(platform, poll_id)
        return await self._view(post, created=False) if post else None

    async def answered(self, post_id: int) -> int:
        """How many learners have answered the daily post (one answer each counts)."""
        return (await self.store.post_results(post_id, 0)).answered

    async def current(self, chat: ChatKey) -> DailyQuestion | None:
        """The chat's latest daily question, if any."""
        post = await self.store.latest_daily_post(chat)
        return await self._view(post, created=False) if post else None

    async def _view(self, post: DailyPost, *, created: bool) -> DailyQuestion:
        schedule = await self.store.get_schedule(post.chat)
        return DailyQuestion(
            post_id=post.id,
            chat=post.chat,
            local_date=post.local_date,
            posted_at=post.posted_at,
            reveal_at=post.reveal_at,
            question=self.questions.view(self.questions.item(post.item_id), AnswerKind.DAILY),
            created=created,
            thread=bool(schedule and schedule.thread),
        )
