"""The group's week as a picture: a PNG of the expected size, drawn from the WeekChart."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest

from bot.domain.leaderboard import Period
from bot.domain.models import GroupKey, UserKey
from bot.presentation import charts, week_chart
from bot.services.results import LeaderboardRow, LeaderboardView, WeekChart
from tests.presentation.test_charts import png_size

MONDAY = date(2024, 3, 11)
DAYS = tuple(MONDAY + timedelta(days=n) for n in range(7))


def chart(points: tuple[tuple[int, ...], ...], names: tuple[str, ...]) -> WeekChart:
    rows = tuple(
        LeaderboardRow(n + 1, UserKey("telegram", str(n)), name, sum(days), 3, 0.5, 1)
        for n, (name, days) in enumerate(zip(names, points, strict=True))
    )
    board = LeaderboardView(
        GroupKey("telegram", "-1"), Period.WEEK, "Asia/Tokyo", None, None, rows, None, False
    )
    return WeekChart(board=board, days=DAYS, points=points)


WEEK = chart(
    ((10, 0, 7, 0, 0, 0, 0), (0, 5, 0, 5, 0, 0, 0), (0, 0, 0, 0, 0, 0, 0)),
    ("Alice", "Bob $x$ <@123> **b**", "Carol"),
)


def test_figure_data_comes_from_the_chart() -> None:
    data = week_chart.week_figure(WEEK)
    assert data.names == ("Alice", "Bob $x$ <@123> **b**", "Carol")  # plain, not markup
    assert data.ranks == (1, 2, 3)
    assert data.points == WEEK.points
    assert data.totals == tuple(row.points for row in WEEK.board.rows) == (17, 10, 0)
    assert len(data.days) == 7 and data.days[0] == "Mon" and data.days[-1] == "Sun"
    assert "11 Mar" in data.subtitle and "17 Mar" in data.subtitle
    assert "Asia/Tokyo" in data.subtitle
    assert data.empty_note is None


async def test_png_of_the_expected_size_and_cached() -> None:
    png = await week_chart.week_png(WEEK)
    assert png is not None
    assert png_size(png) == (int(charts.WIDTH * charts.DPI), int(charts.HEIGHT * charts.DPI))
    assert await week_chart.week_png(WEEK) is png  # the same data: drawn once


async def test_empty_week_is_friendly() -> None:
    empty = chart((), ())
    data = week_chart.week_figure(empty)
    assert data.empty_note and "No points yet" in data.empty_note
    assert data.names == () and data.totals == ()
    png = await week_chart.week_png(empty)
    assert png is not None and png_size(png)[0] == int(charts.WIDTH * charts.DPI)
    # Members on the board who earned nothing yet get the same note beside their names.
    nothing = week_chart.week_figure(chart(((0,) * 7,), ("Carol",)))
    assert nothing.empty_note is not None and nothing.names == ("Carol",)


async def test_a_failed_drawing_falls_back_with_a_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(data: week_chart.WeekFigure) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(week_chart, "draw_week", broken)
    other = chart(((1, 2, 3, 0, 0, 0, 0),), ("Dan",))
    with caplog.at_level(logging.ERROR, logger="bot.presentation.week_chart"):
        assert await week_chart.week_png(other) is None
    assert "week chart" in caplog.text
