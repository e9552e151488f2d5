"""SQLite schema migrations, applied at open."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime

import aiosqlite

from bot.errors import StoreError
from bot.storage.sql.schema import SCHEMA_VERSION_TABLE, pending_migrations

log = logging.getLogger(__name__)


async def apply_migrations(db: aiosqlite.Connection) -> int:
    """Apply every migration newer than the recorded schema version; return the version."""
    await db.execute(SCHEMA_VERSION_TABLE)
    rows = list(await db.execute_fetchall("SELECT MAX(version) FROM schema_version"))
    current = int(rows[0][0] or 0)
    for version, name, sql in pending_migrations(current, "sqlite"):
        applied_at = int(datetime.now(UTC).timestamp())
        script = (
            f"BEGIN IMMEDIATE;\n{sql}\n"
            f"INSERT INTO schema_version (version, name, applied_at) "
            f"VALUES ({version}, '{name}', {applied_at});\nCOMMIT;"
        )
        try:
            await db.executescript(script)
        except sqlite3.Error as exc:
            if db.in_transaction:
                await db.execute("ROLLBACK")
            raise StoreError(f"migration {version:03d}_{name} failed: {exc}") from exc
        log.info("applied migration %03d_%s", version, name)
        current = version
    return current
