"""What Telegram and the console read out of typed text."""

from __future__ import annotations

import pytest

from bot.adapters.textcommands import ScheduleRequest, choice_from_text, parse_schedule
from bot.domain.choices import LETTERS
from bot.domain.numbers import is_number
from bot.errors import InvalidInputError
from bot.services.reviews import parse_rating


def test_choice_letters_only_for_choice_questions() -> None:
    assert choice_from_text("b)", 3) == 2 and choice_from_text(" 3 ", 3) == 3
    assert choice_from_text("C.", 3) == 3 and choice_from_text("a", 1) == 1
    assert choice_from_text("D", 3) is None and choice_from_text("42", 0) is None
    assert choice_from_text("0", 3) is None and choice_from_text("4", 3) is None
    assert choice_from_text("a) because", 3) is None
    assert choice_from_text(LETTERS[5], 6) == 6


@pytest.mark.parametrize("text", ["²", "٣", "1²", "+1", "-1", ""])
def test_only_ascii_digits_are_numbers(text: str) -> None:
    assert not is_number(text) and is_number("12")
    assert choice_from_text(text, 3) is None
    if text:
        with pytest.raises(InvalidInputError, match="Rate with"):
            parse_rating(text)


def test_parse_schedule_arguments() -> None:
    assert parse_schedule([]) == ScheduleRequest("show")
    assert parse_schedule(["PAUSE"]) == ScheduleRequest("pause")
    assert parse_schedule(["off"]) == ScheduleRequest("off")
    assert parse_schedule(
        ["9:00", "dl", "Europe/Berlin", "mon,wed,fri", "cnn", "reveal=2d"]
    ) == ScheduleRequest("set", "9:00", "Europe/Berlin", "mon,wed,fri", ("dl", "cnn"), "2d")
    assert parse_schedule(["07:15", "UTC", "weekends"]).timezone == "UTC"
    # A spaced list is one weekday choice, not the last day alone.
    assert parse_schedule(["08:00", "mon,", "wed,", "fri", "cnn"]).weekdays == "mon,wed,fri"
    assert parse_schedule(["08:00", "mon-fri", "sat"]).weekdays == "mon-fri,sat"
    for wrong in (["tomorrow"], ["²:00"]):
        with pytest.raises(InvalidInputError, match="Usage: /schedule HH:MM"):
            parse_schedule(wrong)
