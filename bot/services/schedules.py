"""A channel's daily-question subscription: subscribe, show, update, pause, resume, stop."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.decks import scope_of
from bot.domain.models import Chat, ChatKey, Schedule
from bot.domain.schedule import next_post_utc
from bot.domain.timeparse import (
    format_local_time,
    format_weekdays,
    parse_local_time,
    parse_on_off,
    parse_reveal_delay,
    parse_timezone,
    parse_weekdays,
)
from bot.errors import Command, InvalidInputError, NotFoundError, Notice
from bot.ports import Clock, Store
from bot.services.base import Directory, Topics, Zones, split_topics
from bot.services.marks import MarkService
from bot.services.results import BrokenChat, ScheduleView

log = logging.getLogger(__name__)

# Platform-neutral on purpose: each adapter replaces it with its own command syntax.
NOT_SUBSCRIBED = Notice("This chat has no daily question yet; an admin can schedule one.")


@dataclass(eq=False)
class ScheduleService:
    store: Store
    clock: Clock
    directory: Directory
    zones: Zones
    topics: Topics
    #: Remembers which breaks were told: an admin command other than /schedule mentions a
    #: break once (in any process, across restarts), /schedule shows it every time.
    marks: MarkService

    async def subscribe(
        self,
        chat: ChatKey,
        time: str,
        timezone: str | None = None,
        weekdays: str = "daily",
        topics: str | Sequence[str] | None = None,
        reveal_delay: str | int = 0,
        thread: bool | str = False,
    ) -> ScheduleView:
        """Create or replace the chat's schedule; every argument is validated first."""
        local_time = parse_local_time(time)
        zone = parse_timezone(timezone) if timezone else await self.zones.of_chat(chat)
        days = parse_weekdays(weekdays)
        chosen = await self._topics(chat, topics)
        delay = parse_reveal_delay(reveal_delay)
        threaded = parse_on_off(thread)
        await self.directory.chat(chat)
        now = self.clock.now()
        existing = await self.store.get_schedule(chat)
        schedule = Schedule(
            chat=chat,
            local_time=local_time,
            timezone=zone,
            weekdays=days,
            topics=chosen,
            reveal_delay_hours=delay,
            thread=threaded,
            paused=False,
            next_post_utc=next_post_utc(local_time, zone, days, now),
            created_at=existing.created_at if existing else now,
            updated_at=now,
        )
        await self.store.save_schedule(schedule)
        log.info("chat %s subscribed at %s %s", chat, time, zone)
        return await self._view(schedule)

    async def show(self, chat: ChatKey) -> ScheduleView:
        return await self._view(await self._schedule(chat))

    async def update(
        self,
        chat: ChatKey,
        *,
        time: str | None = None,
        timezone: str | None = None,
        weekdays: str | None = None,
        topics: str | Sequence[str] | None = None,
        reveal_delay: str | int | None = None,
        thread: bool | str | None = None,
    ) -> ScheduleView:
        """Change only the given fields; the next post time is recomputed."""
        schedule = await self._schedule(chat)
        changes: dict[str, object] = {}
        if time is not None:
            changes["local_time"] = parse_local_time(time)
        if timezone is not None:
            changes["timezone"] = parse_timezone(timezone)
        if weekdays is not None:
            changes["weekdays"] = parse_weekdays(weekdays)
        if topics is not None:
            changes["topics"] = await self._topics(chat, topics)
        if reveal_delay is not None:
            changes["reveal_delay_hours"] = parse_reveal_delay(reveal_delay)
        if thread is not None:
            changes["thread"] = parse_on_off(thread)
        if not changes:
            raise InvalidInputError(
                Notice(
                    "Nothing to change: give a time, timezone, days, topics, reveal delay or "
                    "thread."
                )
            )
        updated = replace(schedule, **changes, updated_at=self.clock.now())  # type: ignore[arg-type]
        updated = self._reschedule(updated)
        await self.store.save_schedule(updated)
        return await self._view(updated)

    async def pause(self, chat: ChatKey) -> ScheduleView:
        schedule = replace(
            await self._schedule(chat), paused=True, next_post_utc=None,
            updated_at=self.clock.now(),
        )
        await self.store.save_schedule(schedule)
        return await self._view(schedule)

    async def resume(self, chat: ChatKey) -> ScheduleView:
        """Resume posting; also clears a "broken" mark left by a lost permission."""
        schedule = replace(await self._schedule(chat), paused=False, updated_at=self.clock.now())
        schedule = self._reschedule(schedule)
        await self.store.save_schedule(schedule)
        if await self.store.clear_chat_broken(chat):
            log.info("%s resumed after being marked broken", chat)
        return await self._view(schedule)

    async def broken_once(self, chat: ChatKey) -> BrokenChat | None:
        """Why the chat's schedule stopped posting, the first time an admin acts there after
        it broke (None when it is not broken, has no schedule, or they were told)."""
        record = await self.store.get_chat(chat)
        if record is None or record.broken_at is None:
            return None
        schedule = await self.store.get_schedule(chat)
        if schedule is None or not await self.marks.broken_told(chat, record.broken_at):
            return None
        return _broken(record.broken_reason, record.broken_at, schedule.timezone)

    async def _told(self, record: Chat, zone: str) -> BrokenChat | None:
        """The chat's broken mark in `zone`, remembered as told (None when not broken)."""
        if record.broken_at is None:
            return None
        await self.marks.broken_told(record.key, record.broken_at)
        return _broken(record.broken_reason, record.broken_at, zone)

    async def unsubscribe(self, chat: ChatKey) -> bool:
        """Stop the daily question; history and leaderboards stay. False if none was set."""
        return await self.store.delete_schedule(chat)

    async def _schedule(self, chat: ChatKey) -> Schedule:
        schedule = await self.store.get_schedule(chat)
        if schedule is None:
            raise NotFoundError(NOT_SUBSCRIBED)
        return schedule

    async def _scope(self, chat: ChatKey) -> str:
        return scope_of((await self.directory.chat(chat)).group)

    async def _topics(self, chat: ChatKey, topics: str | Sequence[str] | None) -> tuple[str, ...]:
        scope = await self._scope(chat)
        chosen = self.topics.resolve(split_topics(topics), scope)
        if not self.topics.pool(chosen, scope=scope):
            raise InvalidInputError(
                Notice(
                    "No published questions for {chosen} yet; choose other topics (see {topics}).",
                    chosen=", ".join(chosen), topics=Command.TOPICS,
                )
            )
        return chosen

    def _reschedule(self, schedule: Schedule) -> Schedule:
        if schedule.paused:
            return replace(schedule, next_post_utc=None)
        nxt = next_post_utc(
            schedule.local_time, schedule.timezone, schedule.weekdays, self.clock.now()
        )
        return replace(schedule, next_post_utc=nxt)

    async def _view(self, schedule: Schedule) -> ScheduleView:
        record = await self.directory.chat(schedule.chat)
        local = (
            schedule.next_post_utc.astimezone(ZoneInfo(schedule.timezone))
            if schedule.next_post_utc
            else None
        )
        return ScheduleView(
            chat=schedule.chat,
            time=format_local_time(schedule.local_time),
            timezone=schedule.timezone,
            weekdays=format_weekdays(schedule.weekdays),
            topics=schedule.topics,
            reveal_delay_hours=schedule.reveal_delay_hours,
            thread=schedule.thread,
            paused=schedule.paused,
            next_post_utc=schedule.next_post_utc,
            next_post_local=local,
            pool_size=len(self.topics.pool(schedule.topics, scope=scope_of(record.group))),
            broken=await self._told(record, schedule.timezone),
        )


def _broken(reason: str | None, since: datetime, zone: str) -> BrokenChat:
    """A broken mark shown in the schedule's zone."""
    return BrokenChat(reason or "", since.astimezone(ZoneInfo(zone)))
