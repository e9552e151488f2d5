"""python-telegram-bot's side of rate limits, and updates it cannot read.

The outbox sender owns Telegram's send budget (`bot.pacing`, paced from the
platform spec's `RateBudget`), so python-telegram-bot adds no limiter of its own that could
refill between batches and add a second burst. `RetryAfterOnly` just waits out a 429 where
that is right: for calls without a chat (getMe at start-up, setMyCommands), and for replies
to users; an outbox delivery gets the 429 at once, so the sender pauses and counts it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram.error import RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter, ExtBot

from bot.adapters.telegram.pacing import ChatBuckets, GroupWindows, Limiter, is_group
from bot.pacing import Pacer

log = logging.getLogger(__name__)

#: Set while the outbox delivers: its 429s go straight to the sender.
_OUTBOX: ContextVar[bool] = ContextVar("telegram_outbox_delivery", default=False)
#: Set by `useful_until`: a reply to a group not admitted by then is dropped.
_DEADLINE: ContextVar[float | None] = ContextVar("telegram_reply_deadline", default=None)
#: A call without a chat (getMe, setMyCommands) waits out this many 429s.
CHATLESS_RETRIES = 5
#: A reply to a user waits out this many 429s, each no longer than REPLY_WAIT seconds (a
#: longer wait would hold up shutdown and the chat's later updates for a stale reply).
REPLY_RETRIES = 2
REPLY_WAIT = 3.0
#: Update ids already logged as unreadable are remembered up to this many.
SKIPPED_MEMORY = 1000


@contextlib.contextmanager
def outbox_delivery() -> Iterator[None]:
    """Mark the calls made inside as outbox deliveries (no waiting out a 429)."""
    token = _OUTBOX.set(True)
    try:
        yield
    finally:
        _OUTBOX.reset(token)


class ReplyDropped(TelegramError):
    """A reply was dropped: the group's window could not admit it before its deadline."""


@contextlib.contextmanager
def useful_until(seconds: float) -> Iterator[None]:
    """Replies to a group made inside are useful for `seconds` only: one the group's
    window cannot admit by then is dropped (counted, logged at debug), not sent late.
    Meant for replies whose content the user already has (in a button's acknowledgement,
    in private) or that later events make moot."""
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    except ReplyDropped as exc:
        log.debug("telegram: %s", exc)
    finally:
        _DEADLINE.reset(token)


class PacedLimiter(BaseRateLimiter[int]):
    """Calls to a chat take a slot of `pacer` as urgent callers (its spare send when one
    is left; outbox deliveries took theirs in the sender), in a group one of the group's
    minute window, and a message one of its chat's bucket; a 429 is waited out
    (retry_after + 0.1 s) and retried, except for
    outbox deliveries."""

    def __init__(
        self,
        pacer: Pacer,
        groups: GroupWindows | None = None,
        chats: ChatBuckets | None = None,
        *,
        chatless: int = CHATLESS_RETRIES,
        replies: int = REPLY_RETRIES,
    ) -> None:
        self.pacer = pacer
        self.groups = groups if groups is not None else GroupWindows()
        self.chats = chats if chats is not None else ChatBuckets()
        self.chatless = chatless
        self.replies = replies
        self.waited = 0
        self.dropped = 0  # replies past their deadline (`useful_until`)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        outbox = _OUTBOX.get()
        chatless = data.get("chat_id") is None
        if outbox:
            retries = 0
        elif chatless:
            retries = self.chatless
        else:
            retries = self.replies if rate_limit_args is None else rate_limit_args
        chat_id = data.get("chat_id")
        windows: list[Limiter] = []
        if chat_id is not None and _is_message(endpoint):
            windows.append(self.chats.window(chat_id))
        if is_group(chat_id):
            windows.append(self.groups.window(chat_id))
        for attempt in range(retries + 1):
            for window in windows:
                if outbox:
                    window.note()  # a post the sender paced still spends the chat's windows
                elif not await window.acquire(_DEADLINE.get()):  # replies queue in them
                    self.dropped += 1
                    raise ReplyDropped(f"{endpoint} to {chat_id} dropped: no room in time")
            if not (outbox or chatless):
                await self.pacer.acquire(urgent=True)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                wait = exc.retry_after
                seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
                if attempt == retries or (not chatless and seconds > REPLY_WAIT):
                    raise
                deadline = _DEADLINE.get()
                if deadline is not None and time.monotonic() + seconds > deadline:
                    self.dropped += 1
                    raise ReplyDropped(f"{endpoint} to {chat_id} dropped after a 429") from exc
                self.waited += 1
                log.warning("telegram: %s rate limited; retrying in %.1fs", endpoint, seconds)
                await asyncio.sleep(seconds + 0.1)
        raise AssertionError("unreachable")  # the loop returns or raises


def _is_message(endpoint: str) -> bool:
    """A call that posts a message (a chat action or an edit is not one)."""
    return endpoint.startswith("send") and endpoint != "sendChatAction"


def group_room(bot: object, chat_id: int) -> int | None:
    """Messages the group `chat_id` may still receive this minute without waiting (None:
    not a group, or a bot without the paced limiter)."""
    limiter = getattr(bot, "rate_limiter", None)
    if not isinstance(limiter, PacedLimiter) or not is_group(chat_id):
        return None
    return limiter.groups.window(chat_id).room()


class TolerantBot(ExtBot[int]):
    """An ExtBot whose getUpdates skips an update it cannot parse (logged once) instead
    of failing the whole batch, which the poller would fetch again for ever."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._skipped: dict[int, None] = {}

    async def get_updates(  # type: ignore[override]
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: int | None = None,
        allowed_updates: Sequence[str] | None = None,
        *,
        read_timeout: Any = DEFAULT_NONE,
        write_timeout: Any = DEFAULT_NONE,
        connect_timeout: Any = DEFAULT_NONE,
        pool_timeout: Any = DEFAULT_NONE,
        api_kwargs: dict[str, Any] | None = None,
    ) -> tuple[Update, ...]:
        # As ExtBot.get_updates, but parsing each update on its own.
        data = {
            "timeout": timeout,
            "offset": offset,
            "limit": limit,
            "allowed_updates": allowed_updates,
        }
        if isinstance(read_timeout, DefaultValue):
            base = self._request[0].read_timeout or 0
        else:
            base = read_timeout or 0
        result = await self._post(
            "getUpdates",
            data,
            read_timeout=base + (timeout or 0),
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            api_kwargs=api_kwargs,
        )
        return tuple(self._parse(item) for item in result or ())

    def _parse(self, data: dict[str, Any]) -> Update:
        try:
            update = Update.de_json(data, self)
        except Exception as exc:
            update_id = int(data.get("update_id", 0))
            if update_id not in self._skipped:
                self._skipped[update_id] = None
                if len(self._skipped) > SKIPPED_MEMORY:
                    del self._skipped[next(iter(self._skipped))]
                log.error(
                    "telegram: skipped update %d that python-telegram-bot cannot read: %s",
                    update_id,
                    exc,
                )
            # An empty update with the same id: no handler matches it, and the poller
            # still moves its offset past it.
            return Update(update_id)
        self.insert_callback_data(update)
        return update
