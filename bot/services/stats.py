"""Per-user statistics and streaks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.content.bank import Bank
from bot.domain.leaderboard import Period, rank, window
from bot.domain.models import ChatKey, UserKey, Verdict, accuracy
from bot.domain.schedule import local_date
from bot.domain.streaks import bridged_days, local_days
from bot.ports import Clock, Store
from bot.services.base import Directory, Streaks, Zones
from bot.services.results import (
    CARD_WEEKS,
    FORECAST_DAYS,
    StatsCard,
    StatsView,
    StreakView,
    TagStat,
)

# More cards than any bank holds: the forecast reads them all.
_FORECAST_CARDS = 100_000
INTERVIEW_SCORES = 3


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
            TagStat(tag, answered, accuracy(correct, partial, answered), correct, partial)
            for tag, (answered, correct, partial) in sorted(
                per_tag.items(), key=lambda kv: (-kv[1][0], kv[0])
            )
        )
        week = window(Period.WEEK, now, zone)
        rounds, scores = await self.store.interview_scores(user, INTERVIEW_SCORES)
        return StatsView(
            user=user,
            answered=totals[0],
            accuracy=accuracy(totals[1], totals[2], totals[0]),
            by_tag=by_tag,
            streak=await self.streaks.view(person, chat),
            due_reviews=await self.store.count_due(user, now),
            points_week=await self.store.points_between(user, week.start, week.end),
            timezone=zone,
            interviews=rounds,
            interview_scores=tuple(scores),
        )

    async def card(self, user: UserKey, chat: ChatKey | None = None) -> StatsCard:
        """The /stats picture's data: the text's `stats` plus activity, forecast and rank."""
        view = await self.stats(user, chat)
        zone = ZoneInfo(view.timezone)
        now = self.clock.now()
        today = local_date(now, zone)
        start = today - timedelta(days=today.weekday(), weeks=CARD_WEEKS - 1)
        times = (await self.store.answer_times_many([user])).get(user, [])
        days = {day for day in local_days(times, zone) if day <= today}
        forecast = [0] * FORECAST_DAYS
        horizon = now + timedelta(days=FORECAST_DAYS + 1)
        for card in await self.store.due_cards(user, horizon, _FORECAST_CARDS):
            offset = (local_date(card.due, zone) - today).days
            if card.due > now and 0 <= offset < FORECAST_DAYS:
                forecast[offset] += 1
        place, ranked = await self._rank(user, chat)
        return StatsCard(
            view=view,
            today=today,
            start=start,
            answered_days=tuple(sorted(day for day in days if day >= start)),
            freeze_days=tuple(sorted(day for day in bridged_days(days) if day >= start)),
            forecast=tuple(forecast),
            points_all=await self.store.points_between(user, None, None),
            rank=place,
            ranked=ranked,
            last_answer=max(times, default=None),
        )

    async def _rank(self, user: UserKey, chat: ChatKey | None) -> tuple[int | None, int]:
        """The user's rank on the chat's board this week (as /leaderboard counts it)."""
        if chat is None or (found := await self.store.get_chat(chat)) is None:
            return None, 0
        zone = await self.store.group_timezone(found.group) or self.zones.default
        week = window(Period.WEEK, self.clock.now(), zone)
        board = rank(await self.store.leaderboard_entries(found.group, week.start, week.end))
        mine = next((r.rank for r in board if r.entry.user == user), None)
        return mine, len(board)
