"""Leaderboards per server or group: this week, this month, all time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.domain.leaderboard import Period, Ranked, Window, combine, rank, window
from bot.domain.models import ChatKey, GroupKey, LeaderboardEntry, UserKey
from bot.domain.schedule import day_bounds_utc, local_date
from bot.domain.streaks import Streak
from bot.domain.timeparse import closest
from bot.errors import InvalidInputError, Notice, did_you_mean
from bot.ports import Clock, Store
from bot.services.base import Directory, Streaks, Zones
from bot.services.results import LeaderboardRow, LeaderboardView, WeekChart

TOP = 10


def parse_period(value: str | Period | None) -> Period:
    if value is None or value == "":
        return Period.WEEK
    if isinstance(value, Period):
        return value
    text = value.strip().lower()
    aliases = {"weekly": "week", "monthly": "month", "alltime": "all", "all-time": "all"}
    text = aliases.get(text, text)
    try:
        return Period(text)
    except ValueError as exc:
        names = [period.value for period in Period]
        raise InvalidInputError(
            Notice(
                "Unknown period '{period}'.{hint} Choose week, month or all.",
                period=value,
                hint=did_you_mean(closest(text, names, 3)),
            )
        ) from exc


@dataclass(eq=False)
class LeaderboardService:
    store: Store
    clock: Clock
    directory: Directory
    zones: Zones
    streaks: Streaks

    async def leaderboard(
        self, chat: ChatKey, caller: UserKey, period: str | Period | None = None, limit: int = TOP
    ) -> LeaderboardView:
        """The chat's group board in the group's zone (its schedule's, else the default)."""
        chosen = parse_period(period)
        group = (await self.directory.chat(chat)).group
        zone = await self.store.group_timezone(group) or self.zones.default
        bounds = window(chosen, self.clock.now(), zone)
        entries = await self.store.leaderboard_entries(group, bounds.start, bounds.end)
        return await self._view(group, zone, chosen, bounds, entries, caller, limit)

    async def week_chart(self, chat: ChatKey, caller: UserKey, limit: int = TOP) -> WeekChart:
        """This week's board and its members' points per local day, from the same rows: one
        query per day, the board built from their sum, so each member's days add up to the
        points on the board."""
        group = (await self.directory.chat(chat)).group
        zone = await self.store.group_timezone(group) or self.zones.default
        now = self.clock.now()
        bounds = window(Period.WEEK, now, zone)
        today = local_date(now, ZoneInfo(zone))
        monday = today - timedelta(days=today.weekday())
        days = tuple(monday + timedelta(days=offset) for offset in range(7))
        per_day = [
            await self.store.leaderboard_entries(group, *day_bounds_utc(day, zone))
            for day in days
        ]
        board = await self._view(group, zone, Period.WEEK, bounds, combine(per_day), caller, limit)
        points = {entry.user: [0] * len(days) for entries in per_day for entry in entries}
        for index, entries in enumerate(per_day):
            for entry in entries:
                points[entry.user][index] = entry.points
        return WeekChart(
            board=board,
            days=days,
            points=tuple(tuple(points[row.user]) for row in board.rows),
        )

    async def _view(
        self,
        group: GroupKey,
        zone: str,
        chosen: Period,
        bounds: Window,
        entries: list[LeaderboardEntry],
        caller: UserKey,
        limit: int,
    ) -> LeaderboardView:
        ranked = rank(entries)
        caller_user = await self.directory.user(caller)
        mine = next((r for r in ranked if r.entry.user == caller), None)
        top = ranked[:limit]
        shown = [*top, mine] if mine else top
        # A few queries for every shown row's zone and streak, not a few per row.
        users = await self.store.get_users([r.entry.user for r in shown])
        zones = {
            r.entry.user: (found.timezone if (found := users.get(r.entry.user)) else None) or zone
            for r in shown
        }
        streaks = await self.streaks.now(zones)
        rows = [self._row(r, streaks[r.entry.user]) for r in shown]
        return LeaderboardView(
            group=group,
            period=chosen,
            timezone=zone,
            # In the board's zone, so plain-text "since ..." lines show local time.
            start=bounds.start.astimezone(ZoneInfo(zone)) if bounds.start else None,
            end=bounds.end.astimezone(ZoneInfo(zone)) if bounds.end else None,
            rows=tuple(rows[: len(top)]),
            caller=rows[-1] if mine else None,
            caller_opted_out=caller_user.leaderboard_opt_out,
        )

    @staticmethod
    def _row(ranked: Ranked, streak: Streak) -> LeaderboardRow:
        entry = ranked.entry
        return LeaderboardRow(
            rank=ranked.rank,
            user=entry.user,
            display_name=entry.display_name,
            points=entry.points,
            answered=entry.answered,
            accuracy=entry.accuracy,
            streak=streak.current,
        )

    async def opt_out(self, user: UserKey) -> bool:
        """Hide the user from every leaderboard; their answers still count for them."""
        await self.directory.user(user)
        await self.store.set_leaderboard_opt_out(user, True)
        return True

    async def opt_in(self, user: UserKey) -> bool:
        await self.directory.user(user)
        await self.store.set_leaderboard_opt_out(user, False)
        return False
