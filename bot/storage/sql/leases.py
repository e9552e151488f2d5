"""Named leases: taken by one holder until they expire, renewed by that holder."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.models import Lease
from bot.errors import StoreError
from bot.storage.sql.codecs import _dt, _ts
from bot.storage.sql.core import Script, SqlCore, execute, fetch_one

# One statement, so two processes racing for a free lease cannot both win: the loser's
# conflicting insert waits for the winner's row and then fails the WHERE.
TAKE_LEASE = (
    "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?) "
    "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
    "expires_at = excluded.expires_at "
    "WHERE leases.holder = excluded.holder OR leases.expires_at <= ?"
)
LEASE_HOLDER = "SELECT holder, expires_at FROM leases WHERE name = ?"
RELEASE_LEASE = "DELETE FROM leases WHERE name = ? AND holder = ?"
# substr, not LIKE: a prefix is matched as written, whatever characters it holds.
COUNT_LEASES = (
    "SELECT COUNT(*) FROM leases WHERE substr(name, 1, length(?)) = ? AND expires_at > ?"
)


def take_lease_script(name: str, holder: str, now: datetime, ttl: timedelta) -> Script[Lease]:
    """Take or renew the lease; whoever holds it afterwards."""
    for _ in range(3):
        yield from execute(TAKE_LEASE, name, holder, _ts(now + ttl), _ts(now))
        row = yield from fetch_one(LEASE_HOLDER, name)
        if row is not None:
            return Lease(name, str(row[0]), _dt(int(row[1])))
        # The holder released it between the two statements (PostgreSQL reads each
        # statement's own snapshot): the lease is free, try again.
    raise StoreError(f"lease {name} changed hands too often to be taken")


class SqlLeases(SqlCore):
    """The LeaseStore part of the SQL stores."""

    async def take_lease(self, name: str, holder: str, now: datetime, ttl: timedelta) -> Lease:
        return await self._write(take_lease_script(name, holder, now, ttl))

    async def release_lease(self, name: str, holder: str) -> None:
        await self._write(execute(RELEASE_LEASE, name, holder))

    async def count_leases(self, prefix: str, now: datetime) -> int:
        row = await self._one(COUNT_LEASES, prefix, prefix, _ts(now))
        return int(row[0]) if row else 0
