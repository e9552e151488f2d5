"""Parse what users type for schedules: times, weekdays, time zones, reveal delays."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from rapidfuzz import fuzz, process

from bot.errors import InvalidInputError, Notice, did_you_mean

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_DAYS: frozenset[int] = frozenset(range(7))
WORKDAYS: frozenset[int] = frozenset(range(5))
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ALIASES: dict[str, frozenset[int]] = {
    "daily": ALL_DAYS,
    "everyday": ALL_DAYS,
    "all": ALL_DAYS,
    "weekdays": WORKDAYS,
    "workdays": WORKDAYS,
    "weekends": frozenset({5, 6}),
    "weekend": frozenset({5, 6}),
}
MAX_REVEAL_DELAY_HOURS = 168
_TIME_RE = re.compile(r"^([0-9]{1,2})[:.h]([0-9]{2})$")
# Zone-like names in the tz database that are not useful choices for a person.
_HIDDEN_ZONES = {"Factory", "localtime", "posixrules", "posix/Factory"}
#: Longer words get no "did you mean" suggestions.
CLOSEST_MAX_LENGTH = 64
NO_DAYS = Notice("Give the days: daily, mon-fri, or a list like mon,wed,fri.")


def closest(
    word: str, choices: Iterable[str], limit: int = 5, cutoff: float | None = None
) -> list[str]:
    """Choices most similar to `word`, best first (case-insensitive); with `cutoff`, only
    those scoring at least that (0-100), so a far-off word gets no suggestion."""
    options = list(dict.fromkeys(choices))
    # Fuzzy scoring costs length x choices: a pasted essay would take seconds against the
    # tz database, and no name it could mean is that long.
    if not options or len(word) > CLOSEST_MAX_LENGTH:
        return []
    found = process.extract(
        word.lower(),
        options,
        scorer=fuzz.WRatio,
        processor=str.lower,
        limit=limit,
        score_cutoff=cutoff,
    )
    return [match for match, _score, _index in found]



def parse_local_time(text: str) -> time:
    """`HH:MM` in 24-hour time (also `9:30`, `09.30`, `9h30`)."""
    match = _TIME_RE.match(text.strip())
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise InvalidInputError(
        Notice(
            "Invalid time '{time}': use HH:MM in 24-hour time, for example 09:30 or 18:00.",
            time=text,
        )
    )


def format_local_time(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def _day(word: str) -> int:
    if word in WEEKDAY_NAMES:
        return WEEKDAY_NAMES.index(word)
    if word in _FULL_NAMES:
        return _FULL_NAMES.index(word)
    # Accept unambiguous prefixes such as "tues" or "thur".
    for index, name in enumerate(_FULL_NAMES):
        if len(word) >= 3 and name.startswith(word):
            return index
    raise InvalidInputError(
        Notice(
            "Unknown weekday '{day}'.{hint} Use daily, mon-fri, or a list like mon,wed,fri "
            "(days: {days}).",
            day=word,
            hint=did_you_mean(closest(word, WEEKDAY_NAMES, 3)),
            days=", ".join(WEEKDAY_NAMES),
        )
    )


def parse_weekdays(text: str) -> frozenset[int]:
    """`daily`, `mon-fri`, `mon,wed,fri`, `fri-mon` (wraps), `weekends`; Monday is 0."""
    cleaned = text.strip().lower().replace(" ", "")
    if not cleaned:
        raise InvalidInputError(NO_DAYS)
    if cleaned in _ALIASES:
        return _ALIASES[cleaned]
    days: set[int] = set()
    for part in cleaned.split(","):
        if not part:
            continue
        if "-" in part:
            first, _, last = part.partition("-")
            start, end = _day(first), _day(last)
            days.add(start)
            while start != end:
                start = (start + 1) % 7
                days.add(start)
        else:
            days.add(_day(part))
    if not days:
        raise InvalidInputError(NO_DAYS)
    return frozenset(days)


def format_weekdays(days: Iterable[int]) -> str:
    """The shortest spelling: `daily`, `mon-fri`, or `mon,wed,fri`."""
    chosen = sorted(set(days))
    if len(chosen) == 7:
        return "daily"
    if len(chosen) > 2 and chosen == list(range(chosen[0], chosen[-1] + 1)):
        return f"{WEEKDAY_NAMES[chosen[0]]}-{WEEKDAY_NAMES[chosen[-1]]}"
    return ",".join(WEEKDAY_NAMES[day] for day in chosen)


@lru_cache(maxsize=1)
def known_timezones() -> tuple[str, ...]:
    """Every IANA zone name zoneinfo knows (read once: it scans tzdata)."""
    return tuple(sorted(name for name in available_timezones() if name not in _HIDDEN_ZONES))


@lru_cache(maxsize=1)
def _zones_by_lower() -> dict[str, str]:
    return {name.lower(): name for name in known_timezones()}


def parse_timezone(text: str) -> str:
    """A canonical IANA zone name; unknown names raise with the closest zones first."""
    name = text.strip()
    if not name:
        raise InvalidInputError(
            Notice("Give a time zone such as Europe/Berlin or America/New_York.")
        )
    canonical = _zones_by_lower().get(name.lower().replace(" ", "_"))
    if canonical is None and "/" not in name:
        # "Berlin" or "new york": accept a city that names exactly one zone.
        city = name.lower().replace(" ", "_")
        cities = [z for z in known_timezones() if z.lower().rsplit("/", 1)[-1] == city]
        if len(cities) == 1:
            canonical = cities[0]
    if canonical is not None:
        try:
            ZoneInfo(canonical)
        except (ZoneInfoNotFoundError, ValueError):
            canonical = None
    if canonical is None:
        raise InvalidInputError(
            Notice(
                "Unknown time zone '{zone}'.{hint} Use an IANA name like Europe/Berlin.",
                zone=name,
                hint=did_you_mean(closest(name, known_timezones())),
            )
        )
    return canonical


def parse_reveal_delay(value: str | int) -> int:
    """Hours until the automatic reveal, 0 (off) to 168: `0`, `24`, `24h`, `2d`, `off`."""
    if isinstance(value, int):
        hours = value
    else:
        text = value.strip().lower()
        if text in {"off", "none", "no", "never"}:
            return 0
        match = re.fullmatch(r"([0-9]{1,3})\s*(h|hours?|d|days?)?", text)
        if not match:
            raise InvalidInputError(
                Notice(
                    "Invalid reveal delay '{delay}': give hours from 0 to {most}, for example "
                    "0 (no automatic reveal), 12, 24h or 2d.",
                    delay=value,
                    most=MAX_REVEAL_DELAY_HOURS,
                )
            )
        hours = int(match.group(1)) * (24 if (match.group(2) or "h").startswith("d") else 1)
    if not 0 <= hours <= MAX_REVEAL_DELAY_HOURS:
        raise InvalidInputError(
            Notice(
                "Reveal delay must be between 0 and {most} hours, got {hours}.",
                most=MAX_REVEAL_DELAY_HOURS,
                hours=hours,
            )
        )
    return hours


def parse_on_off(value: str | bool) -> bool:
    """`on`/`off` (also yes/no, true/false, 1/0)."""
    if isinstance(value, bool):
        return value
    text = value.strip().lower()
    if text in {"on", "yes", "true", "1", "y"}:
        return True
    if text in {"off", "no", "false", "0", "n"}:
        return False
    raise InvalidInputError(Notice("Expected on or off, got '{value}'.", value=value))


def weekday_names(days: Sequence[int]) -> list[str]:
    return [WEEKDAY_NAMES[day] for day in sorted(days)]
