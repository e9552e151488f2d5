from __future__ import annotations

from datetime import time

import pytest

from bot.domain.timeparse import (
    closest,
    format_weekdays,
    parse_local_time,
    parse_on_off,
    parse_reveal_delay,
    parse_timezone,
    parse_weekdays,
)
from bot.errors import InvalidInputError


@pytest.mark.parametrize(
    ("text", "expected"),
    [("09:30", time(9, 30)), ("9:05", time(9, 5)), ("23:59", time(23, 59)), ("0:00", time(0))],
)
def test_parse_time(text: str, expected: time) -> None:
    assert parse_local_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "9", "09:60", "nine", "12:5", ""])
def test_parse_time_rejects(text: str) -> None:
    with pytest.raises(InvalidInputError, match="HH:MM"):
        parse_local_time(text)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("daily", {0, 1, 2, 3, 4, 5, 6}),
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("mon,wed,fri", {0, 2, 4}),
        ("Fri-Mon", {4, 5, 6, 0}),
        ("tues, thursday", {1, 3}),
        ("weekends", {5, 6}),
    ],
)
def test_parse_weekdays(text: str, days: set[int]) -> None:
    assert parse_weekdays(text) == frozenset(days)


def test_unknown_weekday_names_closest_first() -> None:
    with pytest.raises(InvalidInputError) as info:
        parse_weekdays("mon,wedd")
    message = str(info.value)
    assert "Did you mean: wed" in message
    assert "mon-fri" in message


@pytest.mark.parametrize(
    ("days", "text"),
    [({0, 1, 2, 3, 4, 5, 6}, "daily"), ({0, 1, 2, 3, 4}, "mon-fri"), ({0, 2, 4}, "mon,wed,fri")],
)
def test_format_weekdays_round_trips(days: set[int], text: str) -> None:
    assert format_weekdays(days) == text
    assert parse_weekdays(text) == frozenset(days)


def test_timezone_canonical_and_case_insensitive() -> None:
    assert parse_timezone("Europe/Berlin") == "Europe/Berlin"
    assert parse_timezone("europe/berlin") == "Europe/Berlin"
    assert parse_timezone("Asia/Kolkata") == "Asia/Kolkata"
    assert parse_timezone("Berlin") == "Europe/Berlin"
    assert parse_timezone("new york") == "America/New_York"


def test_unknown_timezone_suggests_closest_first() -> None:
    with pytest.raises(InvalidInputError) as info:
        parse_timezone("Europe/Berln")
    assert "Did you mean: Europe/Berlin" in str(info.value)
    assert closest("Amerca/New_Yrok", ["Europe/Paris", "America/New_York"])[0] == (
        "America/New_York"
    )


@pytest.mark.parametrize(
    ("text", "hours"), [("0", 0), ("24", 24), ("12h", 12), ("2d", 48), ("off", 0), (6, 6)]
)
def test_reveal_delay(text: str | int, hours: int) -> None:
    assert parse_reveal_delay(text) == hours


@pytest.mark.parametrize("text", ["-1", "200", "soon", "1w"])
def test_reveal_delay_rejects(text: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_reveal_delay(text)


def test_on_off() -> None:
    assert parse_on_off("on") is True
    assert parse_on_off("OFF") is False
    with pytest.raises(InvalidInputError):
        parse_on_off("maybe")
