"""Your data: forget everything about a user (two steps), report problems with items."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from bot.content.bank import Bank
from bot.domain.models import Report, UserKey
from bot.domain.timeparse import closest
from bot.errors import Command, InvalidInputError, Notice, did_you_mean
from bot.ports import Clock, Store
from bot.services.base import Directory
from bot.services.results import ForgetRequest, ForgetResult

log = logging.getLogger(__name__)

CONFIRM_WINDOW = timedelta(minutes=10)
MAX_REASON = 1000


class DataService:
    def __init__(self, store: Store, bank: Bank, clock: Clock, directory: Directory) -> None:
        self.store = store
        self.bank = bank
        self.clock = clock
        self.directory = directory
        # Pending confirmations live only in memory: a restart simply asks again.
        self._pending: dict[UserKey, tuple[str, datetime]] = {}

    async def request_forget(self, user: UserKey) -> ForgetRequest:
        """Step one of /forget: a code to confirm within ten minutes."""
        code = secrets.token_hex(3)
        expires = self.clock.now() + CONFIRM_WINDOW
        self._pending[user] = (code, expires)
        return ForgetRequest(code, expires)

    async def confirm_forget(self, user: UserKey, code: str) -> ForgetResult:
        """Step two: delete the user's answers, streaks, cards, sessions, reports, settings."""
        pending = self._pending.get(user)
        if pending is None or pending[1] < self.clock.now():
            self._pending.pop(user, None)
            raise InvalidInputError(
                Notice(
                    "No deletion is pending (or it expired); run {forget} again.",
                    forget=Command.FORGET,
                )
            )
        # As bytes: compare_digest refuses non-ASCII str (a pasted `ｃｏｄｅ` is just wrong).
        typed = code.strip().lower().encode()
        if not secrets.compare_digest(pending[0].encode(), typed):
            raise InvalidInputError(
                Notice("That confirmation code does not match; nothing was deleted.")
            )
        del self._pending[user]
        deleted = await self.store.delete_user(user)
        log.info("forgot user %s (existed: %s)", user, deleted)
        return ForgetResult(deleted)

    def cancel_forget(self, user: UserKey) -> bool:
        return self._pending.pop(user, None) is not None

    async def report(self, user: UserKey, item_id: str, reason: str) -> Report:
        """Record a problem with an item (`/report <item> <reason>`)."""
        item_id = item_id.strip()
        if self.bank.item(item_id) is None:
            raise InvalidInputError(
                Notice(
                    "Unknown question '{id}'.{hint}",
                    id=item_id,
                    hint=did_you_mean(closest(item_id, self.bank.items, 3)),
                )
            )
        text = reason.strip()
        if not text:
            raise InvalidInputError(
                Notice("Say what is wrong: {report}.", report=Command.REPORT)
            )
        if len(text) > MAX_REASON:
            raise InvalidInputError(
                Notice("Keep the reason under {most} characters.", most=MAX_REASON)
            )
        await self.directory.user(user)
        return await self.store.add_report(user, item_id, text, self.clock.now())

    async def reports(self) -> list[Report]:
        """Every report, oldest first (`prepbot content reports`)."""
        return await self.store.list_reports()
