"""The callback data scheme: short, stable strings under Telegram's 64-byte limit.

Every button names what it acts on with ids that survive a restart (post ids, quiz session
ids, a hash of the item id) and, for personal flows, the Telegram id of its owner, so a
press by someone else is refused without a database read:

    d:<post>:<act>                 daily post: r (show answer) or an option number
    q:<session>:<pos>:<owner>:<act> quiz question: r, s (skip), x (stop), c (show), or n
    v:<item>:<owner>:<act>         review card: r (show answer) or an option number
    g:<item>:<owner>:<1-4>         rate after a reveal: again, hard, good, easy
    n:<owner>                      next review card
    f:<owner>:<code>               confirm /forget (code "-" cancels)
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from bot.domain.numbers import parse_id, parse_int

log = logging.getLogger(__name__)

DATA_LIMIT = 64
REVEAL = "r"
SKIP = "s"
STOP = "x"
SHOW = "c"
CANCEL = "-"
RATINGS = ("again", "hard", "good", "easy")


@dataclass(frozen=True)
class DailyButton:
    post_id: int
    action: str


@dataclass(frozen=True)
class QuizButton:
    session_id: int
    position: int  # 1-based, as shown
    owner: str
    action: str


@dataclass(frozen=True)
class ReviewButton:
    item_key: str
    owner: str
    action: str


@dataclass(frozen=True)
class RateButton:
    item_key: str
    owner: str
    rating: int  # 1..4

    @property
    def name(self) -> str:
        return RATINGS[self.rating - 1]


@dataclass(frozen=True)
class NextReviewButton:
    owner: str


@dataclass(frozen=True)
class ForgetButton:
    owner: str
    code: str


Button = DailyButton | QuizButton | ReviewButton | RateButton | NextReviewButton | ForgetButton


def encode(button: Button) -> str:
    """The callback data for a button; raises ValueError if it would exceed 64 bytes."""
    match button:
        case DailyButton(post_id, action):
            data = f"d:{post_id}:{action}"
        case QuizButton(session_id, position, owner, action):
            data = f"q:{session_id}:{position}:{owner}:{action}"
        case ReviewButton(item_key, owner, action):
            data = f"v:{item_key}:{owner}:{action}"
        case RateButton(item_key, owner, rating):
            data = f"g:{item_key}:{owner}:{rating}"
        case NextReviewButton(owner):
            data = f"n:{owner}"
        case ForgetButton(owner, code):
            data = f"f:{owner}:{code}"
    if len(data.encode()) > DATA_LIMIT:
        raise ValueError(f"callback data over {DATA_LIMIT} bytes: {data!r}")
    return data


def decode(data: str | None) -> Button | None:
    """The button behind callback data, or None for data this bot did not make."""
    if not data:
        return None
    kind, _, rest = data.partition(":")
    fields = rest.split(":")
    if kind == "d" and len(fields) == 2:
        post = parse_id(fields[0])
        return None if post is None else DailyButton(post, fields[1])
    if kind == "q" and len(fields) == 4:
        session, position = parse_id(fields[0]), parse_id(fields[1])
        if session is None or position is None:
            return None
        return QuizButton(session, position, fields[2], fields[3])
    if kind == "v" and len(fields) == 3:
        return ReviewButton(fields[0], fields[1], fields[2])
    if kind == "g" and len(fields) == 3 and fields[2] in ("1", "2", "3", "4"):
        return RateButton(fields[0], fields[1], int(fields[2]))
    if kind == "n" and len(fields) == 1:
        return NextReviewButton(fields[0])
    if kind == "f" and len(fields) == 2:
        return ForgetButton(fields[0], fields[1])
    return None


def option_number(action: str) -> int | None:
    """The 1-based option an action chooses, if it is one."""
    return parse_int(action, low=1)


def item_key(item_id: str) -> str:
    """Eight URL-safe characters (48 bits) naming an item in callback data."""
    digest = hashlib.sha256(item_id.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:8]


class ItemKeys:
    """Item id <-> key, built once from the bank's item ids."""

    def __init__(self, item_ids: Iterable[str]) -> None:
        # A live collection (the bank's item dict) is searched again for a key it did not
        # know at start: decks uploaded in a chat add items while the bot runs.
        self._source = item_ids if isinstance(item_ids, Collection) else None
        self._ids: dict[str, str] = {}
        for item_id in item_ids:
            key = item_key(item_id)
            if key in self._ids:  # 48 bits make this practically impossible; say so if not
                log.warning("callback key collision: %s and %s", self._ids[key], item_id)
            self._ids[key] = item_id

    def key(self, item_id: str) -> str:
        return item_key(item_id)

    def item_id(self, key: str) -> str | None:
        found = self._ids.get(key)
        if found is None and self._source is not None:
            found = next((i for i in list(self._source) if item_key(i) == key), None)
            if found is not None:
                self._ids[key] = found
        return found
