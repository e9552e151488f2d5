"""Concurrent update processing that keeps each chat's updates in order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

OrderKey = tuple[str, int]


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

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[OrderKey, asyncio.Lock] = {}
        self._holders: dict[OrderKey, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = order_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] = self._holders.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._holders[key] -= 1
            if not self._holders[key]:  # nobody waits: forget the lock, memory stays flat
                del self._holders[key]
                del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
