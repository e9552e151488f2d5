"""Per-user statistics and streaks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bot.content.bank import Bank
from bot.domain.leaderboard import Period, window
from bot.domain.models import ChatKey, UserKey, Verdict, accuracy
from bot.ports import Clock, Store
from bot.services.base import Directory, Streaks, Zones
from bot.services.results import StatsView, StreakView, TagStat


@dataclass(eq=False)
class StatsService:
    store: Store
    bank: Bank
    clock: Clock
    directory: Directory
    zones: Zones
    streaks: Streaks

    async def streak(self, user: UserKey, chat: ChatKey | None = None) -> StreakView:
        """Current and best streak and freezes, in the user's zone (else the chat's)."""
        return await self.streaks.view(await self.directory.user(user), chat)

    async def stats(self, user: UserKey, chat: ChatKey | None = None) -> StatsView:
        """Answered, accuracy overall and by tag, streaks, due reviews, points this week."""
        person = await self.directory.user(user)
        zone = await self.zones.of_user(person, chat)
        now = self.clock.now()
        totals = [0, 0, 0]  # answered, correct, partial
        per_tag: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for item_id, verdict, count in await self.store.verdict_counts(user):
            item = self.bank.item(item_id)
            buckets = [totals] + [per_tag[tag] for tag in (item.tags if item else [])]
            for bucket in buckets:
                bucket[0] += count
                if verdict is Verdict.CORRECT:
                    bucket[1] += count
                elif verdict is Verdict.PARTIAL:
                    bucket[2] += count
        by_tag = tuple(
            TagStat(tag, answered, accuracy(correct, partial, answered))
            for tag, (answered, correct, partial) in sorted(
                per_tag.items(), key=lambda kv: (-kv[1][0], kv[0])
            )
        )
        week = window(Period.WEEK, now, zone)
        return StatsView(
            user=user,
            answered=totals[0],
            accuracy=accuracy(totals[1], totals[2], totals[0]),
            by_tag=by_tag,
            streak=await self.streaks.view(person, chat),
            due_reviews=await self.store.count_due(user, now),
            points_week=await self.store.points_between(user, week.start, week.end),
            timezone=zone,
        )
