"""A recording Messenger for outbox tests (the adapters implement the real ones)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.domain.models import ChatKey
from bot.errors import Notice
from bot.ports import DailyPostMessage, Messenger, Outgoing


class SimulatedCrash(BaseException):
    """Stands for the process dying: not an Exception, so nothing catches it."""


@dataclass
class FakeMessenger(Messenger):
    """Records every delivery; `fail` decides, per message, to raise instead."""

    platform: str = "telegram"
    delivered: list[Outgoing] = field(default_factory=list)
    notices: list[tuple[ChatKey, str]] = field(default_factory=list)
    fail: Callable[[Outgoing], BaseException | None] = lambda message: None

    async def deliver(self, message: Outgoing) -> str:
        error = self.fail(message)
        if error is not None:
            raise error
        self.delivered.append(message)
        return f"m{len(self.delivered)}"

    async def notify_admins(self, chat: ChatKey, notice: Notice) -> bool:
        self.notices.append((chat, str(notice)))
        return True

    def delivered_keys(self) -> list[tuple[str, str, str]]:
        """(kind, chat id, local date) of every delivery, to count duplicates."""
        out = []
        for m in self.delivered:
            day = m.daily.local_date if isinstance(m, DailyPostMessage) else m.reveal.local_date
            out.append((kind_of(m), m.chat.chat_id, str(day)))
        return out


def kind_of(message: Outgoing) -> str:
    """"daily" or "reveal", to compare deliveries in order."""
    return "daily" if isinstance(message, DailyPostMessage) else "reveal"
