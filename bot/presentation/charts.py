"""The /stats picture: a PNG drawn with matplotlib (Agg) off the event loop, cached.

`card_figure` turns a `StatsCard` into the plain data drawn (labels already translated), so
tests check what is drawn without reading pixels; `draw` paints it; `stats_png` runs `draw`
in a worker thread and returns None (after a log line) when drawing fails, so callers fall
back to the text.
"""

from __future__ import annotations

import asyncio
import io
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.presentation.i18n import _
from bot.presentation.markup import PLAIN
from bot.presentation.wording import percent
from bot.services.results import CARD_WEEKS, StatsCard

if TYPE_CHECKING:
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)

WIDTH, HEIGHT, DPI = 9.0, 6.0, 100  # inches and dots per inch: a 900 x 600 PNG
CACHE_SIZE = 256

# An opaque light card with dark ink: it reads the same on light and dark chat themes.
BACKGROUND = "#f6f8fa"
INK = "#1f2328"
QUIET = "#59636e"
EMPTY = "#d8dee4"
ANSWERED = "#1a7f37"
FREEZE = "#0969da"
CORRECT, PARTIAL, INCORRECT = "#1a7f37", "#bf8700", "#cf222e"

# Activity cell values.
NONE, DONE, FROZEN, LATER = 0, 1, 2, 3


@dataclass(frozen=True)
class CardFigure:
    """What the picture shows, every number taken from the `StatsCard`."""

    title: str
    totals: str
    streak: str
    activity: tuple[tuple[int, ...], ...]  # 7 rows (Monday first) x CARD_WEEKS columns
    months: tuple[tuple[int, str], ...]  # (column, label) where a month starts
    weekdays: tuple[str, ...]
    legend: tuple[str, str]  # answered, freeze
    tags_title: str
    tags: tuple[tuple[str, tuple[float, float, float]], ...]  # tag, correct/partial/incorrect
    shares: tuple[str, str, str]  # the three share names
    forecast_title: str
    forecast: tuple[int, ...]
    forecast_days: tuple[str, ...]
    empty_note: str | None  # shown when there is nothing to draw yet


def card_figure(card: StatsCard) -> CardFigure:
    """The data drawn for `card`, labels translated."""
    view = card.view
    answered, frozen = set(card.answered_days), set(card.freeze_days)
    rows: list[list[int]] = [[NONE] * CARD_WEEKS for _weekday in range(7)]
    months: list[tuple[int, str]] = []
    for week in range(CARD_WEEKS):
        for weekday in range(7):
            day = card.start + timedelta(weeks=week, days=weekday)
            if day > card.today:
                value = LATER
            elif day in answered:
                value = DONE
            elif day in frozen:
                value = FROZEN
            else:
                value = NONE
            rows[weekday][week] = value
        monday = card.start + timedelta(weeks=week)
        if week == 0 or monday.day <= 7:
            months.append((week, monday.strftime("%b")))
    rank = (
        PLAIN.fill(_("rank this week {rank} of {count}"), rank=card.rank, count=card.ranked)
        if card.rank is not None
        else _("not on this week's board")
    )
    totals = PLAIN.fill(
        _(
            "{answered} answered · {accuracy} · points this week {week} · points in all {all} "
            "· {rank}"
        ),
        answered=view.answered,
        accuracy=percent(view.accuracy),
        week=view.points_week,
        all=card.points_all,
        rank=rank,
    )
    streak = PLAIN.fill(
        _("Streak {current} · best {best} · freezes held {freezes}"),
        current=view.streak.current,
        best=view.streak.best,
        freezes=view.streak.freezes,
    )
    tags = tuple(
        (
            tag.tag,
            (
                tag.correct / tag.answered,
                tag.partial / tag.answered,
                tag.incorrect / tag.answered,
            ),
        )
        for tag in card.tags
        if tag.answered
    )
    return CardFigure(
        title=_("Your statistics"),
        totals=totals,
        streak=streak,
        activity=tuple(tuple(row) for row in rows),
        months=tuple(months),
        weekdays=(_("Mon"), "", _("Wed"), "", _("Fri"), "", _("Sun")),
        legend=(_("answered"), _("freeze used")),
        tags_title=_("Accuracy by topic"),
        tags=tags,
        shares=(_("correct"), _("partial"), _("incorrect")),
        forecast_title=PLAIN.fill(_("Reviews: {due} due now, next 14 days"), due=view.due_reviews),
        forecast=card.forecast,
        forecast_days=tuple(
            (card.today + timedelta(days=offset)).strftime("%d") for offset in range(14)
        ),
        empty_note=(
            _("No answers yet: your first answer starts this card.") if view.answered == 0 else None
        ),
    )


def _short(tag: str, width: int = 16) -> str:
    return tag if len(tag) <= width else tag[: width - 1] + "…"


def _plain(text: str) -> str:
    """Text matplotlib shows as written (a `$` would start math)."""
    return text.replace("$", r"\$")


def _heading(axes: Any, text: str) -> None:
    """A left-aligned heading over `axes` (a plain text: titles re-run layout on each draw)."""
    axes.text(0, 1.04, text, color=INK, fontsize=10.5, transform=axes.transAxes)


_draw_lock = threading.Lock()  # matplotlib's font and text caches are not thread-safe
_figure_class: Any = None


def _new_figure() -> Figure:
    """A figure on the Agg canvas; imports matplotlib on the first picture."""
    global _figure_class
    if _figure_class is None:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.figure import Figure

        _figure_class = Figure
    figure: Figure = _figure_class(figsize=(WIDTH, HEIGHT), dpi=DPI, facecolor=BACKGROUND)
    return figure


def draw(data: CardFigure) -> bytes:
    """The card as PNG bytes (blocking: run it in a worker thread)."""
    from matplotlib.colors import ListedColormap
    from matplotlib.ticker import MaxNLocator

    with _draw_lock:
        figure = _new_figure()
        grid = figure.add_gridspec(
            2,
            2,
            height_ratios=(1.0, 1.25),
            left=0.15,
            right=0.97,
            top=0.82,
            bottom=0.08,
            hspace=0.45,
            wspace=0.35,
        )
        figure.text(0.03, 0.94, _plain(data.title), color=INK, fontsize=17, weight="bold")
        figure.text(0.03, 0.885, _plain(data.totals), color=INK, fontsize=10.5)
        heat = figure.add_subplot(grid[0, :])
        colours = ListedColormap([EMPTY, ANSWERED, FREEZE, BACKGROUND])
        # One mesh with background-coloured edges: the cells' gaps without tick-based grids.
        heat.pcolormesh(
            data.activity, cmap=colours, vmin=0, vmax=3, edgecolors=BACKGROUND, linewidth=2
        )
        heat.set_aspect("equal")
        heat.invert_yaxis()
        heat.set_xticks([col + 0.5 for col, _label in data.months], [m for _c, m in data.months])
        heat.set_yticks([0.5, 2.5, 4.5, 6.5], [_plain(day) for day in data.weekdays[::2]])
        heat.tick_params(length=0, colors=QUIET, labelsize=8.5)
        _heading(heat, _plain(data.streak))
        for spine in heat.spines.values():
            spine.set_visible(False)
        for x, (label, colour) in enumerate(zip(data.legend, (ANSWERED, FREEZE), strict=True)):
            heat.text(
                1.0 - 0.16 * (1 - x),
                1.04,
                "■ " + _plain(label),
                color=colour,
                transform=heat.transAxes,
                fontsize=9,
                ha="right",
            )

        tags = figure.add_subplot(grid[1, 0])
        tags.set_facecolor(BACKGROUND)
        _heading(tags, _plain(data.tags_title))
        names = [_plain(_short(name)) for name, _shares in data.tags][::-1]
        left = [0.0] * len(names)
        for index, (share_name, colour) in enumerate(
            zip(data.shares, (CORRECT, PARTIAL, INCORRECT), strict=True)
        ):
            widths = [shares[index] for _name, shares in data.tags][::-1]
            tags.barh(names, widths, left=left, color=colour, label=_plain(share_name))
            left = [a + b for a, b in zip(left, widths, strict=True)]
        tags.set_xlim(0, 1)
        tags.set_xticks([0, 0.5, 1], [percent(0), percent(0.5), percent(1)])
        tags.tick_params(colors=QUIET, labelsize=8.5, length=0)
        if data.tags:
            tags.legend(
                loc="upper center",
                bbox_to_anchor=(0.5, -0.1),
                ncol=3,
                frameon=False,
                fontsize=8.5,
                labelcolor=INK,
            )
        else:
            tags.set_yticks([])
        for spine in tags.spines.values():
            spine.set_color(EMPTY)

        forecast = figure.add_subplot(grid[1, 1])
        forecast.set_facecolor(BACKGROUND)
        _heading(forecast, _plain(data.forecast_title))
        forecast.bar(range(len(data.forecast)), data.forecast, color=FREEZE)
        forecast.set_xticks(range(0, len(data.forecast_days), 2), data.forecast_days[::2])
        forecast.set_ylim(0, max((*data.forecast, 1)) * 1.15)
        forecast.yaxis.set_major_locator(MaxNLocator(integer=True))
        forecast.tick_params(colors=QUIET, labelsize=8.5, length=0)
        for spine in forecast.spines.values():
            spine.set_color(EMPTY)
        if data.empty_note:
            figure.text(
                0.5,
                0.3,
                _plain(data.empty_note),
                color=INK,
                fontsize=13,
                ha="center",
                va="center",
                bbox={"facecolor": "white", "edgecolor": EMPTY, "pad": 10},
            )
        out = io.BytesIO()
        # Fast zlib level: the card is flat colour, so it stays small anyway.
        figure.savefig(
            out, format="png", dpi=DPI, facecolor=BACKGROUND, pil_kwargs={"compress_level": 3}
        )
        return out.getvalue()


_cache: OrderedDict[CardFigure, bytes] = OrderedDict()


async def stats_png(card: StatsCard) -> bytes | None:
    """The card's PNG, drawn in a worker thread and cached by what it shows; None if the
    drawing failed (logged), so the caller sends the text alone."""
    data = card_figure(card)
    cached = _cache.get(data)
    if cached is not None:
        _cache.move_to_end(data)
        return cached
    try:
        png = await asyncio.to_thread(draw, data)
    except Exception:
        log.exception("Drawing the stats card for %s failed; sending the text only", card.view.user)
        return None
    _cache[data] = png
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return png
