"""Concurrent update processing that keeps each chat's updates in order."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable
from typing import Any

from telegram import CallbackQuery, Update
from telegram.error import TelegramError
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

OrderKey = tuple[str, int]
#: Seconds a press may wait behind its presser's earlier press before it is acknowledged
#: plainly at once: the earlier press may still be sending a reply that a group's budget
#: holds back, and Telegram stops the spinner (refusing any answer) after about 15 s.
QUEUED_ACK_WAIT = 0.5
#: Updates in progress at once. Most of them only wait: for their chat's earlier updates,
#: or for a chat's message budget. A press must not wait for one of these slots behind
#: them (python-telegram-bot's default of 256 let a flood of messages in a few chats hold
#: presses past Telegram's 15 s); an update waiting costs a task and its few kilobytes.
MAX_CONCURRENT_UPDATES = 4096
#: Query ids acknowledged while queued, remembered up to this many.
ACKED_MEMORY = 1000


def order_key(update: object) -> OrderKey | None:
    """Updates sharing a key run one after another: the chat's, else the user's.

    A button press is ordered with its presser's other presses only: in a busy group it
    must not wait behind replies the group's message budget holds back, since Telegram
    stops the presser's spinner (and refuses the answer) after about 15 s. Its buttons
    exist only once the message that carries them is sent, so it cannot overtake that.
    """
    if not isinstance(update, Update):
        return None
    if update.callback_query is not None:
        return ("press", update.callback_query.from_user.id)
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("chat", update.effective_user.id)
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Different chats are served concurrently (a slow send in one group, held back by the
    rate limiter, does not stall the others); one chat's updates keep their order, so a
    quiz answer is never graded before the command that started the quiz."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[OrderKey, asyncio.Lock] = {}
        self._holders: dict[OrderKey, int] = {}
        self._acked: OrderedDict[str, None] = OrderedDict()

    def acked_while_queued(self, query_id: str) -> bool:
        """Was this press acknowledged while it waited its turn (so its handler must not
        answer it again)?"""
        return query_id in self._acked

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = order_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] = self._holders.get(key, 0) + 1
        query = update.callback_query if isinstance(update, Update) else None
        guard = None
        if query is not None and lock.locked():
            guard = asyncio.get_running_loop().call_later(
                QUEUED_ACK_WAIT, self._ack_queued, query
            )
        try:
            async with lock:
                if guard is not None:
                    guard.cancel()  # its turn came in time: the handler answers it
                await coroutine
        finally:
            self._holders[key] -= 1
            if not self._holders[key]:  # nobody waits: forget the lock, memory stays flat
                del self._holders[key]
                del self._locks[key]

    def _ack_queued(self, query: CallbackQuery) -> None:
        """Acknowledge a press still waiting for its turn."""
        self._acked[query.id] = None
        if len(self._acked) > ACKED_MEMORY:
            self._acked.popitem(last=False)
        asyncio.get_running_loop().create_task(_answer_plainly(query))

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


async def _answer_plainly(query: CallbackQuery) -> None:
    try:
        await query.answer()
    except TelegramError as exc:
        log.info("queued press not acknowledged: %s", exc)
