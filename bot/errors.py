"""One exception base for prepbot, and its children."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Literal


class Command(StrEnum):
    """A command a user message points to. The value is how a typed-command platform
    (Telegram, the console) writes it; others write it their own way
    (`bot.presentation.commands`)."""

    ANSWER = "/answer <text>"
    QUIZ = "/quiz"
    QUIZ_USAGE = "/quiz [topic] [count] [difficulty]"
    DAILY = "/daily"
    REVIEW = "/review"
    HELP = "/help"
    TOPICS = "/topics"
    FORGET = "/forget"
    REPORT = "/report <question id> <reason>"
    REPORT_REPLY = "/report <reason>"
    REVEAL = "/reveal"
    RATE = "/rate again|hard|good|easy"
    SCHEDULE = "/schedule"
    SCHEDULE_RESUME = "/schedule resume"
    LEADERBOARD_OPTIN = "/leaderboard optin"
    INTERVIEW = "/interview"
    INTERVIEW_USAGE = "/interview [topic] [questions] [minutes]"
    INTERVIEW_STOP = "/interview stop"
    LEADERBOARD_CHART = "/leaderboard week chart"
    DECK_LIST = "/deck list"


class Notice:
    """A user-facing sentence not yet written out: a catalogue message id (English, with
    `{named}` placeholders) and its values; a `Command` value is written per platform."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, **params: object) -> None:
        self.msgid = msgid
        self.params = params

    def __str__(self) -> str:
        """English with typed-command syntax: the fallback for logs and plain callers."""
        values = {
            key: value.value if isinstance(value, Command) else str(value)
            for key, value in self.params.items()
        }
        return self.msgid.format(**values)

    def __repr__(self) -> str:
        return f"Notice({self.msgid!r}, **{self.params!r})"


def did_you_mean(candidates: Sequence[str]) -> Notice | str:
    """What goes after an unknown name: the closest known ones, or nothing if none is close."""
    if not candidates:
        return ""
    return Notice(" Did you mean: {names}?", names=", ".join(candidates))


class PrepbotError(Exception):
    """Base of every error prepbot raises on purpose."""


class ConfigError(PrepbotError):
    """A setting is missing or malformed; the message names the setting, never its value."""


class AdapterStartError(PrepbotError):
    """A chat platform could not be started; the message names it and the cause, no secret."""


class ContentError(PrepbotError):
    """A deck or import source could not be read or is malformed."""


class ImportFormatError(ContentError):
    """An import source does not match the requested format."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


class UserError(PrepbotError):
    """The user's own mistake, theirs to fix: the message is written for them and safe to
    show. Every other error is the bot's and is never shown as it is (`bot.presentation.failures`).

    Raised with a `Notice`, the platform writes its words and command references; `str()`
    stays an English fallback.
    """

    def __init__(self, message: str | Notice = "") -> None:
        self.notice = message if isinstance(message, Notice) else Notice("{text}", text=message)
        super().__init__(str(message))


class NotFoundError(UserError):
    """A requested item, deck, chat or user does not exist."""


class InvalidInputError(UserError):
    """A user-supplied argument is invalid; the message is safe to show to the user."""


class NotAllowedError(UserError):
    """The user may not do this here (an admin command, someone else's quiz)."""


class StaleQuestionError(UserError):
    """A button or reply names a quiz question that is not the user's current one:
    `reason` says whether the quiz is someone else's, over, or has moved on since."""

    def __init__(
        self, message: str | Notice, *, reason: Literal["not_yours", "ended", "moved_on"]
    ) -> None:
        self.reason = reason
        super().__init__(message)


class StoreError(PrepbotError):
    """The storage backend failed."""


class DeliveryError(PrepbotError):
    """A platform refused or failed a send; the outbox retries it with backoff."""


class ChatUnavailable(DeliveryError):
    """The bot lost access to a chat (no permission, kicked, chat gone): never retried
    until an admin resumes the schedule."""


class RateLimited(DeliveryError):
    """The platform asked us to wait `retry_after` seconds before sending again;
    `chat_only` when it said the limit was the one chat's (Discord's per-route bucket)."""

    def __init__(
        self, retry_after: float, message: str = "rate limited", *, chat_only: bool = False
    ) -> None:
        self.retry_after = max(0.0, float(retry_after))
        self.chat_only = chat_only
        super().__init__(f"{message}; retry after {self.retry_after:.1f}s")
