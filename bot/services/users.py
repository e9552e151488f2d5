"""Users and chats: names, groups, personal time zones, chat id migrations."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.models import FEEDBACK_MODES, Chat, ChatKey, GroupKey, User, UserKey
from bot.domain.timeparse import parse_timezone
from bot.ports import Clock, Store
from bot.services.base import Directory, Zones
from bot.services.results import TimezoneResult

_RESET_WORDS = {"", "reset", "default", "none", "off", "clear"}


@dataclass(eq=False)
class UserService:
    """Adapters call ensure_user/ensure_chat on each event; both write only on change."""

    store: Store
    clock: Clock
    directory: Directory
    zones: Zones


    async def ensure_user(self, key: UserKey, display_name: str) -> User:
        name = display_name.strip() or key.user_id
        return await self.store.upsert_user(key, name, self.clock.now())

    async def ensure_chat(
        self, key: ChatKey, group_id: str | None = None, title: str = ""
    ) -> Chat:
        """Record a chat; `group_id` is the server (Discord guild), None for a standalone chat."""
        group = GroupKey(key.platform, group_id) if group_id else GroupKey.of_chat(key)
        return await self.store.upsert_chat(key, group, title, self.clock.now())

    async def set_private_ok(self, key: UserKey, ok: bool) -> bool:
        """Whether personal messages may go to the user's private chat (False: unknown user)."""
        return await self.store.set_private_ok(key, ok)

    async def private_ok(self, key: UserKey) -> bool:
        return await self.store.private_ok(key)

    async def get_user(self, key: UserKey) -> User:
        return await self.directory.user(key)

    async def get_chat(self, key: ChatKey) -> Chat:
        return await self.directory.chat(key)

    async def set_chat_feedback(self, key: ChatKey, mode: str) -> str:
        """Where answer feedback goes in the chat (an admin's choice, checked by the
        adapter); returns the mode stored. Raises ValueError for an unknown mode."""
        if mode not in FEEDBACK_MODES:
            raise ValueError(f"unknown feedback mode {mode!r}")
        await self.directory.chat(key)  # the row the setting lives on
        await self.store.set_chat_feedback(key, mode)
        return mode

    async def set_timezone(
        self, key: UserKey, timezone: str | None, chat: ChatKey | None = None
    ) -> TimezoneResult:
        """Set the user's own zone (`/timezone Area/City`); `reset` follows the chat again."""
        await self.directory.user(key)
        own = None
        if timezone is not None and timezone.strip().lower() not in _RESET_WORDS:
            own = parse_timezone(timezone)
        await self.store.set_user_timezone(key, own)
        return await self.timezone(key, chat)

    async def timezone(self, key: UserKey, chat: ChatKey | None = None) -> TimezoneResult:
        user = await self.directory.user(key)
        return TimezoneResult(user.timezone, await self.zones.of_user(user, chat))

    async def migrate_chat(
        self, old: ChatKey, new: ChatKey, new_group_id: str | None = None
    ) -> Chat:
        """A chat changed id (Telegram group -> supergroup): keep schedule and history.

        A standalone chat is its own group, so its group follows the new id unless given.
        """
        chat = await self.directory.chat(old)
        group: GroupKey | None = None
        if new_group_id is not None:
            group = GroupKey(new.platform, new_group_id)
        elif chat.group == GroupKey.of_chat(old):
            group = GroupKey.of_chat(new)
        return await self.store.migrate_chat(old, new, group)
