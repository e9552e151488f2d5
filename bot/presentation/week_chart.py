"""The group's week as a picture: one horizontal bar per member of the top ten, stacked by
day (Monday first), drawn like the /stats card (Agg, lazy import, worker thread, cache).

`week_figure` turns a `WeekChart` into the plain data drawn, so tests check what is drawn
without reading pixels; `week_png` draws it in a worker thread and returns None (after a log
line) when drawing fails, so callers send the text board alone. Names are drawn as plain
text: nothing in a picture is a live mention.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.presentation.charts import (
    DRAW_LOCK,
    EMPTY,
    INK,
    QUIET,
    Pictures,
    bare,
    new_figure,
    plain,
    png_of,
    short,
    shown,
)
from bot.presentation.i18n import N_, _
from bot.presentation.markup import PLAIN
from bot.services.leaderboard import TOP
from bot.services.results import WeekChart

log = logging.getLogger(__name__)

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
# Seven steps from dark blue to amber: neighbouring days stay apart, the order reads.
DAY_COLOURS = ("#3b1f6e", "#3a4f9a", "#2f7fa8", "#21a38f", "#4fbf62", "#a3b82c", "#d99a1e")


@dataclass(frozen=True)
class WeekFigure:
    """What the week's picture shows, every number taken from the `WeekChart`."""

    title: str
    subtitle: str
    days: tuple[str, ...]  # the legend, Monday first
    names: tuple[str, ...]  # the members' display names, as stored (plain data)
    ranks: tuple[int, ...]
    points: tuple[tuple[int, ...], ...]  # [member][day]
    totals: tuple[int, ...]  # each member's week: the board's points
    empty_note: str | None


def week_figure(chart: WeekChart) -> WeekFigure:
    """The data drawn for `chart`, labels translated."""
    first, last = chart.days[0], chart.days[-1]
    return WeekFigure(
        title=_("This week's points by day"),
        subtitle=PLAIN.fill(
            _("{first} – {last} · {zone}"),
            first=f"{first:%d %b}",
            last=f"{last:%d %b}",
            zone=chart.board.timezone,
        ),
        days=tuple(_(day) for day in WEEKDAYS),
        names=tuple(row.display_name for row in chart.members),
        ranks=tuple(row.rank for row in chart.members),
        points=chart.points,
        totals=tuple(sum(days) for days in chart.points),
        empty_note=(
            None
            if any(any(days) for days in chart.points)
            else _("No points yet: answer the daily question to get on the board.")
        ),
    )


class _WeekTemplate:
    """The week's figure built once; each drawing updates its bars and texts."""

    def __init__(self) -> None:
        figure = self.figure = new_figure()
        self.title = figure.text(0.03, 0.93, "", color=INK, fontsize=17, weight="bold")
        self.subtitle = figure.text(0.03, 0.875, "", color=QUIET, fontsize=10.5)
        self.legend = [
            figure.text(0.03 + 0.1 * day, 0.81, "", color=colour, fontsize=10)
            for day, colour in enumerate(DAY_COLOURS)
        ]
        axes = self.axes = figure.add_axes((0.27, 0.05, 0.62, 0.72))
        bare(axes)
        axes.set_ylim(TOP - 0.5, -0.5)  # first place on top
        slots = range(TOP)
        self.segments = [
            list(axes.barh(slots, [0] * TOP, height=0.7, color=colour)) for colour in DAY_COLOURS
        ]
        beside = axes.get_yaxis_transform()
        self.names = [
            axes.text(-0.02, slot, "", transform=beside, ha="right", va="center", color=INK,
                      fontsize=11)
            for slot in slots
        ]
        self.totals = [
            axes.text(0, slot, "", ha="left", va="center", color=INK, fontsize=11,
                      weight="bold")
            for slot in slots
        ]
        self.empty = figure.text(
            0.58, 0.42, "", color=INK, fontsize=13, ha="center", va="center", wrap=True,
            bbox={"facecolor": "white", "edgecolor": EMPTY, "pad": 10},
        )

    def draw(self, data: WeekFigure) -> bytes:
        self.title.set_text(plain(data.title))
        self.subtitle.set_text(plain(data.subtitle))
        for text, day in zip(self.legend, data.days, strict=True):
            text.set_text("■ " + plain(day))
        widest = max((*data.totals, 1))
        self.axes.set_xlim(0, widest * 1.12)
        for slot in range(TOP):
            member = slot < len(data.names)
            days = data.points[slot] if member else (0,) * len(DAY_COLOURS)
            left = 0
            for bars, points in zip(self.segments, days, strict=True):
                bars[slot].set_x(left)
                bars[slot].set_width(points)
                left += points
            name = f"{data.ranks[slot]}. {short(data.names[slot], 22)}" if member else None
            shown(self.names[slot], name)
            self.totals[slot].set_x(left + widest * 0.015)
            shown(self.totals[slot], str(data.totals[slot]) if member else None)
        shown(self.empty, data.empty_note)
        return png_of(self.figure)


_week: _WeekTemplate | None = None


def draw_week(data: WeekFigure) -> bytes:
    """The week's chart as PNG bytes (blocking: run it in a worker thread)."""
    global _week
    with DRAW_LOCK:
        if _week is None:
            _week = _WeekTemplate()
        return _week.draw(data)


_weeks: Pictures[WeekFigure] = Pictures(lambda data: draw_week(data), log)


async def week_png(chart: WeekChart) -> bytes | None:
    """The week's PNG, drawn in a worker thread and cached by what it shows; None if the
    drawing failed (logged), so the caller sends the text board alone."""
    return await _weeks.png(week_figure(chart), f"the week chart of {chart.board.group}")

