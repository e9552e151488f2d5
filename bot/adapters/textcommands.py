"""What the text platforms (Telegram, the console) read out of typed text: an option letter
or number, and `/schedule` arguments. Discord has buttons and typed slash-command options
instead, so it needs none of this."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.domain.choices import LETTERS
from bot.domain.numbers import is_number, parse_int
from bot.domain.timeparse import parse_weekdays
from bot.errors import InvalidInputError
from bot.presentation import wording

log = logging.getLogger(__name__)

OFF_WORDS = frozenset({"off", "stop", "unsubscribe", "cancel"})


def choice_from_text(text: str, options: int) -> int | None:
    """`B`, `b)`, `2.` -> 2 when the question has that many options; None for anything else
    (the services number options from 1)."""
    if options <= 0:
        return None
    cleaned = text.strip().upper().rstrip(").")
    if len(cleaned) == 1 and cleaned in LETTERS[:options]:
        return LETTERS.index(cleaned) + 1
    return parse_int(cleaned, low=1, high=options)


@dataclass(frozen=True)
class ScheduleRequest:
    """A parsed /schedule: `action` is show, pause, resume, off or set."""

    action: str
    time: str = ""
    timezone: str | None = None
    weekdays: str = "daily"
    topics: tuple[str, ...] = field(default=())
    reveal: str = "0"


def _is_weekdays(token: str) -> bool:
    try:
        parse_weekdays(token)
    except InvalidInputError:
        return False
    return True


def parse_schedule(args: Sequence[str]) -> ScheduleRequest:
    """`/schedule ...` arguments in any order after the time; validation is the service's."""
    if not args:
        return ScheduleRequest("show")
    first = args[0].lower()
    if first in ("show", "pause", "resume"):
        return ScheduleRequest(first)
    if first in OFF_WORDS:
        return ScheduleRequest("off")
    if not is_number(first[:1]):
        raise InvalidInputError(wording.schedule_usage())
    timezone: str | None = None
    days: list[str] = []
    topics: list[str] = []
    reveal = "0"
    for token in args[1:]:
        lower = token.lower()
        if lower.startswith("reveal="):
            reveal = token.partition("=")[2]
        elif "/" in token or token.upper() in ("UTC", "GMT"):
            timezone = token
        elif _is_weekdays(lower):
            days.append(lower.strip(","))  # `mon, wed, fri` arrives as three tokens
        else:
            topics.append(token)
    weekdays = ",".join(days) or "daily"
    return ScheduleRequest("set", args[0], timezone, weekdays, tuple(topics), reveal)
