"""User errors carry catalogue message ids with named values; the words are said once."""

from __future__ import annotations

import pytest

from bot.domain.timeparse import parse_timezone, parse_weekdays
from bot.errors import InvalidInputError, Notice, did_you_mean
from bot.presentation.commands import say


def test_a_close_name_is_suggested_by_the_notice_not_the_domain() -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_timezone("Europe/Berln")
    notice = caught.value.notice
    assert "Did you mean" not in notice.msgid  # the id has a {hint} slot, no fixed names
    said = say(notice)
    assert said.startswith("Unknown time zone 'Europe/Berln'. Did you mean: Europe/Berlin")
    assert said == str(caught.value)


def test_no_close_name_leaves_no_hint() -> None:
    assert did_you_mean([]) == ""
    notice = Notice("Unknown question '{id}'.{hint}", id="x/9", hint=did_you_mean([]))
    assert say(notice) == "Unknown question 'x/9'."
    with pytest.raises(InvalidInputError) as caught:
        parse_weekdays("frii")
    assert say(caught.value.notice).startswith("Unknown weekday 'frii'. Did you mean: fri")
