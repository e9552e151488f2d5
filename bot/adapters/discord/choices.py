"""Autocomplete suggestions: topics, time zones, question ids, weekday patterns."""

from __future__ import annotations

from collections.abc import Iterable

from discord import app_commands

from bot.domain.timeparse import WEEKDAY_NAMES, known_timezones
from bot.services.results import TopicInfo

MAX_CHOICES = 25
NAME_LIMIT = 100
COMMON_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Moscow",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
)


def _days(*days: int) -> str:
    """Weekday numbers (Monday 0) as the schedule parser reads a list of them."""
    return ",".join(WEEKDAY_NAMES[day] for day in days)


# Suggestions in the parser's own weekday names (inputs, not translated).
WEEKDAY_PATTERNS = ("daily", "mon-fri", "weekends", _days(0, 2, 4), _days(1, 3))

Choices = list[app_commands.Choice[str]]


def _ranked(names: Iterable[str], current: str) -> list[str]:
    """Names containing `current` (case-insensitive), prefix matches first."""
    needle = current.strip().lower()
    matches = [name for name in names if needle in name.lower()]
    return sorted(matches, key=lambda name: (not name.lower().startswith(needle), len(name)))


def _choice(name: str, value: str) -> app_commands.Choice[str]:
    return app_commands.Choice(name=name[:NAME_LIMIT], value=value[:NAME_LIMIT])


def topic_choices(topics: Iterable[TopicInfo], current: str) -> Choices:
    """Tags first (the services list them first), then deck ids."""
    listed = list(topics)
    by_name = {topic.name: topic for topic in listed}
    needle = current.strip().lower()
    names = [t.name for t in listed if needle in t.name.lower()]
    names.sort(key=lambda name: not name.lower().startswith(needle))  # stable: tags stay first
    return [
        _choice(f"{name} ({by_name[name].kind}, {by_name[name].items})", name)
        for name in names[:MAX_CHOICES]
    ]


def topic_list_choices(topics: Iterable[TopicInfo], current: str) -> Choices:
    """For a comma-separated list: complete the last entry, keep the earlier ones."""
    head, sep, last = current.rpartition(",")
    prefix = f"{head.strip()}, " if sep else ""
    chosen = {part.strip().lower() for part in head.split(",") if part.strip()}
    listed = [t for t in topics if t.name.lower() not in chosen]
    return [
        _choice(prefix + choice.value, prefix + choice.value)
        for choice in topic_choices(listed, last)
    ]


def timezone_choices(current: str) -> Choices:
    """IANA zones matching what was typed; common zones when nothing is typed yet."""
    if not current.strip():
        return [_choice(zone, zone) for zone in COMMON_ZONES]
    typed = current.replace(" ", "_")
    return [_choice(zone, zone) for zone in _ranked(known_timezones(), typed)[:MAX_CHOICES]]


def item_choices(item_ids: Iterable[str], current: str) -> Choices:
    return [_choice(item, item) for item in _ranked(item_ids, current)[:MAX_CHOICES]]


def weekday_choices(current: str) -> Choices:
    patterns = _ranked(WEEKDAY_PATTERNS, current) or [current.strip() or "daily"]
    return [_choice(pattern, pattern) for pattern in patterns[:MAX_CHOICES]]
