"""What the Telegram handlers share: the services, cached state, and who sent an update."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from telegram import Update

from bot.adapters.telegram.callbacks import ItemKeys
from bot.content.bank import Bank
from bot.domain.models import ChatKey, UserKey
from bot.services import Services

PLATFORM = "telegram"
K = TypeVar("K")
V = TypeVar("V")


class Bounded(OrderedDict[K, V], Generic[K, V]):
    """A dict that forgets its oldest entries beyond `limit` (memory stays flat)."""

    def __init__(self, limit: int = 10_000) -> None:
        super().__init__()
        self.limit = limit

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


@dataclass
class Memory:
    """State kept between updates in memory only; a restart forgets it, harmlessly.

    `private_ok` caches the store's flag per Telegram user id (True: they started the bot
    in private, so feedback can go there); `reviews` the review card (item id, option
    count) shown last to a user in a chat (what plain text answers); `chat_types` the type
    of chats seen (channels get no quiz polls) and `chat_titles` their titles; `schedulers`
    the admin who last set a chat's schedule (told if posting fails). Quiz polls are not
    cached: a vote reads its post from the store, which follows chat migrations.
    """

    private_ok: Bounded[int, bool] = field(default_factory=Bounded)
    reviews: Bounded[tuple[UserKey, ChatKey], tuple[str, int]] = field(default_factory=Bounded)
    chat_types: Bounded[int, str] = field(default_factory=Bounded)
    chat_titles: Bounded[int, str] = field(default_factory=Bounded)
    schedulers: Bounded[int, int] = field(default_factory=Bounded)
    # Messages (chat id, message id) whose keyboard was removed: a double press does not
    # remove it again (Telegram refuses the unchanged edit as "message is not modified").
    bare: Bounded[tuple[int, int], bool] = field(default_factory=Bounded)


@dataclass
class AdapterContext:
    """Built once by the adapter and handed to every handler object."""

    services: Services
    bank: Bank
    keys: ItemKeys
    memory: Memory = field(default_factory=Memory)
    bot_username: str = ""

    def deep_link(self, payload: str = "dm") -> str:
        """`t.me/<bot>?start=<payload>`: opens (and starts) the private chat with the bot."""
        return f"https://t.me/{self.bot_username}?start={payload}"

    async def private_ok(self, user_id: int) -> bool:
        """May personal replies go to the user's private chat? (Stored; cached here.)"""
        cached = self.memory.private_ok.get(user_id)
        if cached is None:
            cached = await self.services.users.private_ok(user_key(user_id))
            self.memory.private_ok[user_id] = cached
        return cached

    async def set_private_ok(self, user_id: int, ok: bool) -> None:
        """The user started (True) or blocked (False) the bot; writes only on change."""
        if self.memory.private_ok.get(user_id) is ok:
            return
        self.memory.private_ok[user_id] = ok
        await self.services.users.set_private_ok(user_key(user_id), ok)

    def forget_user(self, user_id: int) -> None:
        """The user's data was deleted: drop the cached flag so it is not trusted later."""
        self.memory.private_ok.pop(user_id, None)


def user_key(user_id: int) -> UserKey:
    return UserKey(PLATFORM, str(user_id))


def chat_key(chat_id: int) -> ChatKey:
    return ChatKey(PLATFORM, str(chat_id))


@dataclass(frozen=True)
class Who:
    """The sender of an update and the chat it happened in."""

    user: UserKey
    chat: ChatKey
    user_id: int
    chat_id: int
    name: str
    private: bool
    title: str = ""


async def identify(context: AdapterContext, update: Update) -> Who | None:
    """Record the user and chat of an update (both writes happen only on change)."""
    tg_user, tg_chat = update.effective_user, update.effective_chat
    if tg_user is None or tg_chat is None:
        return None
    context.memory.chat_types[tg_chat.id] = tg_chat.type
    private = tg_chat.type == "private"
    name = tg_user.full_name or tg_user.username or str(tg_user.id)
    title = tg_chat.title or tg_chat.full_name or tg_chat.username or ""
    context.memory.chat_titles[tg_chat.id] = title
    who = Who(
        user_key(tg_user.id), chat_key(tg_chat.id), tg_user.id, tg_chat.id, name, private, title
    )
    users = context.services.users
    # Together: two independent writes share one commit instead of waiting for two.
    # Telegram has no servers: each group is its own leaderboard group (group_id None).
    await asyncio.gather(
        users.ensure_user(who.user, name), users.ensure_chat(who.chat, None, title)
    )
    if private:
        # Any private message means the user started the bot: feedback may go there. After
        # ensure_user, so the flag has a user row to live on.
        await context.set_private_ok(tg_user.id, True)
    return who
