"""The /stats picture: a PNG drawn with matplotlib (Agg) off the event loop, cached.

`card_figure` turns a `StatsCard` into the plain data drawn (labels already translated), so
tests check what is drawn without reading pixels; `draw` paints it; `stats_png` runs `draw`
in a worker thread and returns None (after a log line) when drawing fails, so callers fall
back to the text.

Speed: the figure is built once and each card only updates its artists (no axes, ticks or
legends are made per card; labels are plain texts), and the canvas keeps rasterised texts.
The helpers here (`new_figure`, `png_of`, `bare`, `shown`, `DRAW_LOCK`) serve the other
pictures too (`week_chart`).
"""

from __future__ import annotations

import asyncio
import io
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from bot.presentation.i18n import _
from bot.presentation.markup import PLAIN
from bot.presentation.wording import percent
from bot.services.results import CARD_TAGS, CARD_WEEKS, FORECAST_DAYS, StatsCard

if TYPE_CHECKING:
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)
#: The data a picture shows (hashable: it keys the cache).
F = TypeVar("F", bound=Hashable)

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


def short(tag: str, width: int = 16) -> str:
    return tag if len(tag) <= width else tag[: width - 1] + "…"


def plain(text: str) -> str:
    """Text matplotlib shows as written (a `$` would start math)."""
    return text.replace("$", r"\$")


DRAW_LOCK = threading.Lock()  # one prepared figure per picture, and matplotlib's caches
_mpl: Any = None


def _matplotlib() -> Any:
    """matplotlib's Figure and Agg canvas, imported on the first picture."""
    global _mpl
    if _mpl is None:
        import matplotlib

        matplotlib.use("Agg")
        # FreeType's autohinter is most of the cost of drawing text; unhinted glyphs look the
        # same at this size and draw about a third faster.
        matplotlib.rcParams["text.hinting"] = "no_hinting"
        from matplotlib.figure import Figure

        _mpl = (Figure, _canvas_class())
    return _mpl


TEXT_RUNS = 4096  # laid-out, rasterised texts kept: a few hundred distinct labels in use


def _canvas_class() -> Any:
    """An Agg canvas whose renderer keeps each text's rasterised glyphs, keyed by the text
    and its font: laying out and rasterising glyphs is most of a picture's cost, and most
    labels repeat from one picture to the next. Texts are placed on whole pixels so a kept
    run fits anywhere. Math, rotated text and matplotlib versions without the glyph API
    take matplotlib's own path."""
    import numpy as np
    from matplotlib import ft2font
    from matplotlib.backends import backend_agg as imported

    agg: Any = imported  # its renderer is untyped
    if not all(hasattr(ft2font.FT2Font, name) for name in ("_layout", "_render_glyph")):
        return agg.FigureCanvasAgg
    runs: OrderedDict[tuple[Any, ...], list[tuple[Any, int, int]]] = OrderedDict()

    class Renderer(agg.RendererAgg):  # type: ignore[misc]
        def draw_text(
            self, gc: Any, x: float, y: float, s: str, prop: Any, angle: float,
            ismath: Any = False, mtext: Any = None,
        ) -> None:
            if ismath or angle:
                super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
                return
            features = mtext.get_fontfeatures() if mtext is not None else None
            language = mtext.get_language() if mtext is not None else None
            flags = agg.get_hinting_flag()
            smooth = bool(gc.get_antialiased())
            key = (s, hash(prop), prop.get_size_in_points(), self.dpi, smooth, flags,
                   features, language)
            left, top = round(x), round(y)
            run = runs.get(key)
            if run is None:
                run = self._run(s, prop, features, language, flags, smooth, left, top)
                runs[key] = run
                if len(runs) > TEXT_RUNS:
                    runs.popitem(last=False)
            for buffer, dx, dy in run:
                self._renderer.draw_text_image(buffer, left + dx, top + dy, 0, gc)

        def _run(
            self, s: str, prop: Any, features: Any, language: Any, flags: Any, smooth: bool,
            left: int, top: int,
        ) -> list[tuple[Any, int, int]]:
            """The glyphs of `s` drawn at (left, top), as offsets from there."""
            font = self._prepare_font(prop)
            size = prop.get_size_in_points()
            base = self.height - top  # FreeType's y is upwards
            run = []
            for item in font._layout(s, flags=flags, features=features, language=language):
                glyph_font = item.ft_object
                glyph_font.set_size(size, self.dpi)
                glyph_font._set_transform(
                    [[0x10000, 0], [0, 0x10000]],
                    [round(0x40 * (left + item.x)), round(0x40 * (base + item.y))],
                )
                bitmap = glyph_font._render_glyph(
                    item.glyph_index,
                    flags,
                    ft2font.RenderMode.NORMAL if smooth else ft2font.RenderMode.MONO,
                )
                buffer = np.array(bitmap.buffer, copy=True)
                if not smooth:
                    buffer *= 0xFF
                bottom = int(self.height) - bitmap.top + buffer.shape[0]
                run.append((buffer, bitmap.left - left, bottom - top))
            return run

    class Canvas(agg.FigureCanvasAgg):  # type: ignore[misc]
        def get_renderer(self) -> Any:
            width, height = self.get_width_height(physical=True)
            key = width, height, self.figure.dpi
            if getattr(self, "_lastKey", None) != key:
                self.renderer = Renderer(width, height, self.figure.dpi)
                self._lastKey = key
            return self.renderer

    return Canvas


def new_figure(width: float = WIDTH, height: float = HEIGHT) -> Figure:
    """An empty figure on its own Agg canvas, in the card's colours."""
    figure_class, canvas_class = _matplotlib()
    figure: Figure = figure_class(figsize=(width, height), dpi=DPI, facecolor=BACKGROUND)
    canvas_class(figure)
    return figure


def png_of(figure: Figure) -> bytes:
    """The figure as an RGB PNG: drawn on its canvas and written by Pillow at a fast zlib
    level (the pictures are flat colour, so they stay small), without savefig's layout pass."""
    from PIL import Image

    canvas: Any = figure.canvas
    canvas.draw()
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", compress_level=1)
    return out.getvalue()


def bare(axes: Any, spines: str | None = EMPTY) -> None:
    """Axes without ticks (labels are plain texts the template updates: tick machinery is
    most of a figure's cost), spines in `spines` or hidden."""
    axes.set_xticks([])
    axes.set_yticks([])
    axes.set_facecolor(BACKGROUND)
    for spine in axes.spines.values():
        if spines is None:
            spine.set_visible(False)
        else:
            spine.set_color(spines)


def shown(text: Any, value: str | None) -> None:
    """Set a prepared text, hidden when there is nothing to show."""
    text.set_text(plain(value or ""))
    text.set_visible(bool(value))


class _CardTemplate:
    """The card's figure built once; each drawing updates its artists' data and texts."""

    MONTHS = 8  # month labels over 26 weeks: at most 7, and one spare

    def __init__(self) -> None:
        from matplotlib.colors import ListedColormap

        figure = self.figure = new_figure()
        self.title = figure.text(0.03, 0.94, "", color=INK, fontsize=17, weight="bold")
        self.totals = figure.text(0.03, 0.885, "", color=INK, fontsize=10.5)
        grid = figure.add_gridspec(
            2, 2, height_ratios=(1.0, 1.25), left=0.15, right=0.97, top=0.82, bottom=0.08,
            hspace=0.45, wspace=0.35,
        )
        heat = figure.add_subplot(grid[0, :])
        colours = ListedColormap([EMPTY, ANSWERED, FREEZE, BACKGROUND])
        # One mesh with background-coloured edges: the cells' gaps without tick-based grids.
        self.mesh = heat.pcolormesh(
            [[NONE] * CARD_WEEKS] * 7, cmap=colours, vmin=0, vmax=3, edgecolors=BACKGROUND,
            linewidth=2,
        )
        heat.set_aspect("equal")
        heat.set_xlim(0, CARD_WEEKS)
        heat.set_ylim(7, 0)  # Monday on top
        bare(heat, None)
        small: dict[str, Any] = {"color": QUIET, "fontsize": 8.5}
        below = heat.get_xaxis_transform()  # x in cells, y in the axes' height
        self.months = [
            heat.text(0, -0.04, "", transform=below, ha="center", va="top", **small)
            for _slot in range(self.MONTHS)
        ]
        beside = heat.get_yaxis_transform()
        self.weekdays = [
            heat.text(-0.01, row + 0.5, "", transform=beside, ha="right", va="center", **small)
            for row in (0, 2, 4, 6)
        ]
        self.streak = self._heading(heat)
        self.legend = [
            heat.text(1.0 - 0.16 * (1 - x), 1.04, "", color=colour, transform=heat.transAxes,
                      fontsize=9, ha="right")
            for x, colour in enumerate((ANSWERED, FREEZE))
        ]

        tags = figure.add_subplot(grid[1, 0])
        bare(tags)
        tags.set_xlim(0, 1)
        tags.set_ylim(CARD_TAGS - 0.5, -0.5)  # the most answered on top
        self.tags_title = self._heading(tags)
        slots = range(CARD_TAGS)
        self.shares = [
            list(tags.barh(slots, [0.0] * CARD_TAGS, color=colour))
            for colour in (CORRECT, PARTIAL, INCORRECT)
        ]
        beside = tags.get_yaxis_transform()
        self.tag_names = [
            tags.text(-0.02, slot, "", transform=beside, ha="right", va="center", **small)
            for slot in slots
        ]
        below = tags.get_xaxis_transform()
        self.scale = [
            tags.text(x, -0.03, "", transform=below, ha="center", va="top", **small)
            for x in (0.0, 0.5, 1.0)
        ]
        self.share_names = [
            tags.text(0.02 + 0.34 * index, -0.16, "", color=colour, transform=tags.transAxes,
                      fontsize=8.5, va="top")
            for index, colour in enumerate((CORRECT, PARTIAL, INCORRECT))
        ]

        forecast = figure.add_subplot(grid[1, 1])
        bare(forecast)
        forecast.set_xlim(-0.6, FORECAST_DAYS - 0.4)
        self.forecast_axes = forecast
        self.forecast_title = self._heading(forecast)
        self.bars = list(forecast.bar(range(FORECAST_DAYS), [0] * FORECAST_DAYS, color=FREEZE))
        self.counts = [
            forecast.text(day, 0, "", ha="center", va="bottom", **small)
            for day in range(FORECAST_DAYS)
        ]
        below = forecast.get_xaxis_transform()
        self.days = [
            forecast.text(day, -0.03, "", transform=below, ha="center", va="top", **small)
            for day in range(0, FORECAST_DAYS, 2)
        ]
        self.empty = figure.text(
            0.5, 0.3, "", color=INK, fontsize=13, ha="center", va="center",
            bbox={"facecolor": "white", "edgecolor": EMPTY, "pad": 10},
        )

    @staticmethod
    def _heading(axes: Any) -> Any:
        """A left-aligned heading over `axes` (a plain text: titles re-run layout)."""
        return axes.text(0, 1.04, "", color=INK, fontsize=10.5, transform=axes.transAxes)

    def draw(self, data: CardFigure) -> bytes:
        self.title.set_text(plain(data.title))
        self.totals.set_text(plain(data.totals))
        self.mesh.set_array([value for row in data.activity for value in row])
        months = data.months[: self.MONTHS]
        for slot, text in enumerate(self.months):
            column, label = months[slot] if slot < len(months) else (0, "")
            text.set_x(column + 0.5)
            shown(text, label)
        for text, label in zip(self.weekdays, data.weekdays[::2], strict=True):
            shown(text, label)
        self.streak.set_text(plain(data.streak))
        for text, label in zip(self.legend, data.legend, strict=True):
            text.set_text("■ " + plain(label))

        self.tags_title.set_text(plain(data.tags_title))
        for slot in range(CARD_TAGS):
            name, shares = data.tags[slot] if slot < len(data.tags) else ("", (0.0, 0.0, 0.0))
            shown(self.tag_names[slot], short(name) if name else None)
            left = 0.0
            for bars, share in zip(self.shares, shares, strict=True):
                bars[slot].set_x(left)
                bars[slot].set_width(share)
                left += share
        for text, share in zip(self.scale, (0.0, 0.5, 1.0), strict=True):
            text.set_text(percent(share))
        for text, label in zip(self.share_names, data.shares, strict=True):
            shown(text, "■ " + label if data.tags else None)

        self.forecast_title.set_text(plain(data.forecast_title))
        top = max((*data.forecast, 1))
        self.forecast_axes.set_ylim(0, top * 1.2)
        for bar, text, count in zip(self.bars, self.counts, data.forecast, strict=True):
            bar.set_height(count)
            text.set_y(count + top * 0.02)
            shown(text, str(count) if count else None)
        for text, label in zip(self.days, data.forecast_days[::2], strict=True):
            shown(text, label)
        shown(self.empty, data.empty_note)
        return png_of(self.figure)


_card: _CardTemplate | None = None


def draw(data: CardFigure) -> bytes:
    """The card as PNG bytes (blocking: run it in a worker thread)."""
    global _card
    with DRAW_LOCK:
        if _card is None:
            _card = _CardTemplate()
        return _card.draw(data)


class Pictures(Generic[F]):
    """Pictures drawn in a worker thread and cached by the data they show (LRU)."""

    def __init__(self, draw: Callable[[F], bytes], logger: logging.Logger) -> None:
        self.draw = draw
        self.log = logger
        self.cache: OrderedDict[F, bytes] = OrderedDict()

    async def png(self, data: F, what: object) -> bytes | None:
        """`data` drawn (or cached); None if the drawing failed (logged with `what`), so the
        caller sends the text alone."""
        cached = self.cache.get(data)
        if cached is not None:
            self.cache.move_to_end(data)
            return cached
        try:
            png = await asyncio.to_thread(self.draw, data)
        except Exception:
            self.log.exception("Drawing %s failed; sending the text only", what)
            return None
        self.cache[data] = png
        while len(self.cache) > CACHE_SIZE:
            self.cache.popitem(last=False)
        return png


# Looked up when drawing, so a replaced `draw` (tests) is the one used.
_cards: Pictures[CardFigure] = Pictures(lambda data: draw(data), log)


async def stats_png(card: StatsCard) -> bytes | None:
    """The card's PNG, drawn in a worker thread and cached by what it shows; None if the
    drawing failed (logged), so the caller sends the text alone."""
    return await _cards.png(card_figure(card), f"the stats card for {card.view.user}")
