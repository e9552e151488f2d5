"""User errors the adapters raise themselves, as `Notice`s: said in each platform's words
and command syntax (`bot.presentation.commands.say`), like the services' own."""

from __future__ import annotations

from bot.errors import Command, Notice

NOT_YOUR_CARD = Notice(
    "This card belongs to someone else; {review} shows yours.", review=Command.REVIEW
)
CARD_GONE = Notice("That card is no longer in the question bank.")
REPORT_USAGE = Notice(
    "Reply to a question message with {reply} (or {report}).",
    reply=Command.REPORT_REPLY,
    report=Command.REPORT,
)

CHART_WEEK_ONLY = Notice(
    "The chart shows this week's points by day: {chart}.", chart=Command.LEADERBOARD_CHART
)

__all__ = ["CARD_GONE", "CHART_WEEK_ONLY", "NOT_YOUR_CARD", "REPORT_USAGE"]
