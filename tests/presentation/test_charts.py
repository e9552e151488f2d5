"""The /stats picture: a PNG of the expected size, drawn from the StatsCard's numbers."""

from __future__ import annotations

import logging
import struct
from datetime import date, timedelta

import pytest

from bot.domain.models import UserKey
from bot.presentation import charts
from bot.services.results import CARD_WEEKS, StatsCard, StatsView, StreakView, TagStat

TODAY = date(2024, 3, 13)  # a Wednesday
START = TODAY - timedelta(days=TODAY.weekday(), weeks=CARD_WEEKS - 1)


def card(answered: int = 10, **changes: object) -> StatsCard:
    tags = (TagStat("cnn", 6, 0.5, 2, 2), TagStat("rnn", 4, 1.0, 4, 0)) if answered else ()
    view = StatsView(
        user=UserKey("telegram", "1"),
        answered=answered,
        accuracy=0.7 if answered else 0.0,
        by_tag=tags,
        streak=StreakView(3, 9, 1, True),
        due_reviews=5,
        points_week=42,
        timezone="UTC",
    )
    values: dict[str, object] = {
        "view": view,
        "today": TODAY,
        "start": START,
        "answered_days": (START, TODAY) if answered else (),
        "freeze_days": (START + timedelta(days=1),) if answered else (),
        "forecast": tuple(range(14)),
        "points_all": 321,
        "rank": 2 if answered else None,
        "ranked": 7 if answered else 0,
        "last_answer": None,
    }
    values.update(changes)
    return StatsCard(**values)  # type: ignore[arg-type]


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_figure_data_comes_from_the_card() -> None:
    data = charts.card_figure(card())
    assert data.activity[0][0] == charts.DONE  # START, a Monday
    assert data.activity[1][0] == charts.FROZEN
    assert data.activity[2][0] == charts.NONE
    today_week = CARD_WEEKS - 1
    assert data.activity[2][today_week] == charts.DONE  # today, a Wednesday
    assert data.activity[3][today_week] == charts.LATER
    assert data.tags == (("cnn", (2 / 6, 2 / 6, 2 / 6)), ("rnn", (1.0, 0.0, 0.0)))
    assert data.forecast == tuple(range(14))
    for number in ("10 answered", "70%", "points this week 42", "321", "2 of 7"):
        assert number in data.totals
    assert "3" in data.streak and "9" in data.streak
    assert "5" in data.forecast_title
    assert data.empty_note is None


def test_at_most_eight_tags_most_answered_first() -> None:
    many = tuple(TagStat(f"t{n}", 20 - n, 0.5, 1, 1) for n in range(12))
    base = card()
    data = charts.card_figure(card(view=StatsView(**{**base.view.__dict__, "by_tag": many})))
    assert [name for name, _shares in data.tags] == [f"t{n}" for n in range(8)]


async def test_png_of_the_expected_size_and_cached() -> None:
    png = await charts.stats_png(card())
    assert png is not None
    assert png_size(png) == (int(charts.WIDTH * charts.DPI), int(charts.HEIGHT * charts.DPI))
    assert await charts.stats_png(card()) is png  # the same data: drawn once


async def test_empty_card_is_friendly() -> None:
    empty = card(answered=0)
    data = charts.card_figure(empty)
    assert data.empty_note and "No answers yet" in data.empty_note
    assert data.tags == ()
    assert {value for row in data.activity for value in row} <= {charts.NONE, charts.LATER}
    assert "board" in data.totals
    png = await charts.stats_png(empty)
    assert png is not None and png_size(png)[0] == int(charts.WIDTH * charts.DPI)


async def test_a_failed_drawing_falls_back_with_a_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(data: charts.CardFigure) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(charts, "draw", broken)
    with caplog.at_level(logging.ERROR, logger="bot.presentation.charts"):
        assert await charts.stats_png(card(points_all=999_999)) is None
    assert "stats card" in caplog.text
