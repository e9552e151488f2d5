"""Roles only one process on the database may hold at a time (e.g. the Telegram poller)."""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from datetime import timedelta

from bot.domain.models import Lease
from bot.ports import Clock, LeaseStore


@dataclass(eq=False)
class LeaseService:
    """Takes, renews and gives up named leases at the clock's time."""

    store: LeaseStore
    clock: Clock

    async def take(self, name: str, holder: str, ttl: timedelta) -> Lease:
        """Take or renew `name` for `holder`; the lease as it stands (another holder's
        while theirs has not expired)."""
        return await self.store.take_lease(name, holder, self.clock.now(), ttl)

    async def release(self, name: str, holder: str) -> None:
        await self.store.release_lease(name, holder)

    async def count(self, prefix: str) -> int:
        """Live leases whose name starts with `prefix`."""
        return await self.store.count_leases(prefix, self.clock.now())


def this_process() -> str:
    """How a lease names its holder: host and pid (what an operator looks for), plus a
    random tag, since containers all run as pid 1."""
    return f"pid {os.getpid()} on {socket.gethostname()} #{secrets.token_hex(3)}"
