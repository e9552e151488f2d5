"""`python -m bot.healthcheck`: Docker's HEALTHCHECK for a running bot.

Healthy when the database DATABASE_URL names is migrated to this version's schema and a
running prepbot holds it open (every open SQLite store keeps a shared lock on `<db>.lock`;
Linux lists such locks in /proc/locks; on PostgreSQL, a connection named `prepbot` is open).
Prints one line and exits 0 (healthy) or 1.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

from bot.errors import ConfigError
from bot.storage import is_postgres, sqlite_path
from bot.storage.lock import lock_path
from bot.storage.sqlite import migrations

DEFAULT_URL = "sqlite:///prepbot.db"
PROC_LOCKS = Path("/proc/locks")


def lock_held(path: Path, proc_locks: Path = PROC_LOCKS) -> bool | None:
    """Whether some process holds a lock on `path`; None where the kernel does not say."""
    try:
        table = proc_locks.read_text()
        inode = path.stat().st_ino
    except OSError:
        return None
    for line in table.splitlines():
        # "1: FLOCK  ADVISORY  READ  1234 08:01:131090 0 EOF" (blocked waiters have "->").
        fields = line.split()
        if len(fields) < 6 or "->" in fields:
            continue
        device_inode = fields[5].rsplit(":", 1)
        if len(device_inode) == 2 and device_inode[1] == str(inode):
            return True
    return False


def problem(database_url: str, proc_locks: Path = PROC_LOCKS) -> str | None:
    """What is wrong with the bot's database, or None when it is healthy."""
    if is_postgres(database_url):
        import asyncio

        from bot.storage.postgres import health_problem

        return asyncio.run(health_problem(database_url))
    try:
        location = sqlite_path(database_url)
    except ConfigError as exc:
        return str(exc)
    if location == ":memory:":
        return "an in-memory database cannot be checked from another process"
    path = Path(location)
    if not path.is_file():
        return f"no database at {path} yet (is the bot starting?)"
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            version = int(db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0)
    except sqlite3.Error as exc:
        return f"cannot read the database {path}: {exc}"
    latest = migrations()[-1][0]
    if version < latest:
        return f"the database {path} has schema {version}, not {latest} (is the bot starting?)"
    if lock_held(lock_path(path), proc_locks) is False:
        return f"no running prepbot has the database {path} open"
    return None


def main() -> int:
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    found = problem(url)
    if found is not None:
        print(f"unhealthy: {found}", file=sys.stderr)
        return 1
    print("healthy")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
