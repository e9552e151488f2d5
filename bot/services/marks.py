"""Things shown once, remembered in the store: a restart or a second process on the same
database does not show them again."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.models import ChatKey, UserKey
from bot.ports import Clock, Store

log = logging.getLogger(__name__)


class MarkKind(StrEnum):
    """What a mark remembers."""

    BROKEN = "broken"  # an admin was told why a chat's schedule broke (per break)
    HINT = "hint"  # a learner got the hint to start the bot, in one group
    COUNT = "count"  # a daily post's rolling "N answered so far" message


#: How long each kind is kept. A hint may come again after a month; a count's post is
#: long over; a broken chat's admins hear about a break still not fixed twice a year.
KEEP = {
    MarkKind.BROKEN: timedelta(days=180),
    MarkKind.HINT: timedelta(days=30),
    MarkKind.COUNT: timedelta(days=30),
}
#: Pruning runs at most this often (from the delivery tick).
PRUNE_EVERY = timedelta(days=1)


@dataclass(frozen=True)
class CountMessage:
    """The message that shows a daily post's answer count, and the number it shows."""

    message_id: str
    shown: int


def _chat(chat: ChatKey) -> str:
    return f"{chat.platform}:{chat.chat_id}"


@dataclass(eq=False)
class MarkService:
    """Marks of things shown once; the store makes each claim atomic across processes."""

    store: Store
    clock: Clock
    _pruned_at: datetime | None = field(default=None, init=False, repr=False)

    async def first(self, kind: MarkKind, subject: str, user: UserKey | None = None) -> bool:
        """True for the first caller ever (in any process) to mark `subject`; a mark about
        `user` goes when they have the bot forget them."""
        return await self.store.claim_mark(kind.value, subject, self.clock.now(), user=user)

    async def broken_told(self, chat: ChatKey, broken_at: datetime) -> bool:
        """Mark the chat's break at `broken_at` as told; True the first time."""
        return await self.first(MarkKind.BROKEN, f"{_chat(chat)}:{int(broken_at.timestamp())}")

    async def hint_due(self, chat: ChatKey, user: UserKey) -> bool:
        """True once per learner and group: the hint to start the bot is due."""
        return await self.first(MarkKind.HINT, f"{_chat(chat)}:{user.user_id}", user)

    async def count_message(self, post_id: int) -> CountMessage | None:
        """The daily post's answer count message, if one was sent."""
        value = await self.store.mark_value(MarkKind.COUNT.value, str(post_id))
        message_id, _, shown = (value or "").partition(" ")
        if not message_id or not shown.isascii() or not shown.isdigit():
            return None
        return CountMessage(message_id, int(shown))

    async def keep_count_message(self, post_id: int, count: CountMessage) -> None:
        """Remember the post's answer count message and the number it now shows."""
        value = f"{count.message_id} {count.shown}"
        await self.store.set_mark_value(
            MarkKind.COUNT.value, str(post_id), value, self.clock.now()
        )

    async def prune(self) -> int:
        """Forget marks past their kind's retention, at most once every PRUNE_EVERY; how
        many were forgotten."""
        now = self.clock.now()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return 0
        self._pruned_at = now
        pruned = 0
        for kind, keep in KEEP.items():
            pruned += await self.store.prune_marks(kind.value, now - keep)
        if pruned:
            log.info("pruned %d old mark(s)", pruned)
        return pruned
