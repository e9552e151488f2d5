"""The PostgreSQL Store: asyncpg, a connection pool, numbered migrations per dialect.

`DATABASE_URL=postgresql://user:password@host:5432/dbname`. Every operation is the SQL
stores' shared one (`bot.storage.sql`); this module holds the pool, the transactions that
run those scripts, the migrations and the healthcheck. The shared scripts lock the rows
the tick and the senders take (`Dialect.lock`), so several processes on one database
never enqueue a post twice nor claim one row together. The password is never logged:
messages name the database with `redact_url`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

import asyncpg

from bot.config import database_password, redact_url
from bot.errors import StoreError
from bot.storage.sql import POSTGRES, Script, SqlStore, numbered, pending_migrations
from bot.storage.sql.codecs import _ts
from bot.storage.sql.core import Fetch, Statement, execute
from bot.storage.sql.schema import SCHEMA_VERSION_TABLE

log = logging.getLogger(__name__)

URL_SCHEMES = ("postgresql", "postgres")
#: application_name of the bot's connections (the healthcheck looks for them).
APPLICATION_NAME = "prepbot"
#: pg_advisory_lock key held while migrating, so processes starting together migrate once.
MIGRATION_LOCK = 0x70726570  # "prep"
#: What the driver raises for a failed statement or a lost connection.
DB_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
)

RECORD_MIGRATION = "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)"

T = TypeVar("T")


def is_postgres_url(database_url: str) -> bool:
    return urlsplit(database_url).scheme in URL_SCHEMES


async def apply_migrations(conn: asyncpg.Connection) -> int:
    """Apply every PostgreSQL migration newer than the recorded version; return the version.

    Runs under an advisory lock, each migration in its own transaction.
    """
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
    try:
        await conn.execute(SCHEMA_VERSION_TABLE)
        current = int(await conn.fetchval("SELECT MAX(version) FROM schema_version") or 0)
        for version, name, sql in pending_migrations(current, "postgres"):
            try:
                async with conn.transaction():
                    await conn.execute(sql)
                    await conn.execute(
                        numbered(RECORD_MIGRATION), version, name, _ts(datetime.now(UTC))
                    )
            except asyncpg.PostgresError as exc:
                raise StoreError(f"migration {version:03d}_{name} failed: {exc}") from exc
            log.info("applied migration %03d_%s (postgres)", version, name)
            current = version
        return current
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)


async def health_problem(database_url: str) -> str | None:
    """What is wrong with a running bot's PostgreSQL database, or None when it is healthy:
    reachable, migrated to this version's schema, and a prepbot process connected."""
    where = redact_url(database_url)
    try:
        conn = await asyncpg.connect(
            database_url, timeout=5, server_settings={"application_name": "prepbot-health"}
        )
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, ValueError) as exc:
        return f"cannot connect to {where}: {scrub(str(exc) or type(exc).__name__, database_url)}"
    try:
        try:
            version = int(await conn.fetchval("SELECT MAX(version) FROM schema_version") or 0)
        except asyncpg.UndefinedTableError:
            version = 0
        latest = pending_migrations(0, "postgres")[-1][0]
        if version < latest:
            return f"{where} has schema {version}, not {latest} (is the bot starting?)"
        return None if await running_bots(conn) else f"no running prepbot is connected to {where}"
    except DB_ERRORS as exc:
        return f"cannot read {where}: {exc}"
    finally:
        await conn.close()


def scrub(text: str, database_url: str) -> str:
    """`text` (a driver's or a tool's message) with the URL's password replaced by `***`."""
    secret = database_password(database_url)
    return text.replace(secret, "***") if secret else text


async def connect(database_url: str, *, purpose: str = "prepbot-admin") -> asyncpg.Connection:
    """One connection for a maintenance command; StoreError without the password on failure.

    `purpose` is its application_name: not the bot's own, so a running-bot check that
    looks for APPLICATION_NAME does not count it.
    """
    try:
        return await asyncpg.connect(
            database_url, timeout=10, server_settings={"application_name": purpose}
        )
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, ValueError) as exc:
        reason = scrub(str(exc) or type(exc).__name__, database_url)
        raise StoreError(f"cannot connect to {redact_url(database_url)}: {reason}") from exc


async def running_bots(conn: asyncpg.Connection) -> int:
    """How many connections of running prepbot processes the connected database has."""
    return int(
        await conn.fetchval(
            "SELECT COUNT(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = $1",
            APPLICATION_NAME,
        )
    )


def _rowcount(status: str) -> int:
    """Rows a statement touched, from asyncpg's status tag ("UPDATE 3", "INSERT 0 1")."""
    last = status.rpartition(" ")[2]
    return int(last) if last.isdigit() else 0


async def _statement(conn: asyncpg.Connection, statement: Statement) -> Any:
    """Run one statement of a script; what the script is sent back."""
    sql = numbered(statement.sql)
    if statement.fetch is Fetch.ROWCOUNT:
        return _rowcount(await conn.execute(sql, *statement.params))
    if statement.fetch is Fetch.ONE:
        return await conn.fetchrow(sql, *statement.params)
    if statement.fetch is Fetch.NEW_ID:
        return await conn.fetchval(numbered(f"{statement.sql} RETURNING id"), *statement.params)
    if statement.fetch is Fetch.ALL:
        return await conn.fetch(sql, *statement.params)
    await conn.executemany(sql, statement.params)
    return None


async def run_script(conn: asyncpg.Connection, script: Script[T]) -> T:
    """Run a script to its end on one connection, awaiting each statement."""
    try:
        statement = next(script)
        while True:
            statement = script.send(await _statement(conn, statement))
    except StopIteration as stop:
        return cast(T, stop.value)
    finally:
        script.close()


class PostgresStore(SqlStore):
    """Store on a PostgreSQL database; open with `await PostgresStore.open(url)`.

    Each write is one transaction on a pooled connection; concurrent writes run on
    separate connections.
    """

    dialect = POSTGRES

    def __init__(self, pool: asyncpg.Pool, database_url: str) -> None:
        self._pool = pool
        self.location = redact_url(database_url)
        self.schema_version = 0

    @classmethod
    async def open(
        cls, database_url: str, *, min_connections: int = 1, max_connections: int = 10
    ) -> PostgresStore:
        """Connect a pool and migrate; StoreError (password-free) when that fails."""
        where = redact_url(database_url)
        try:
            pool = await asyncpg.create_pool(
                database_url,
                min_size=min_connections,
                max_size=max_connections,
                command_timeout=60,
                server_settings={"application_name": APPLICATION_NAME},
            )
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, ValueError) as exc:
            reason = scrub(str(exc) or type(exc).__name__, database_url)
            raise StoreError(f"DATABASE_URL: cannot connect to {where}: {reason}") from exc
        store = cls(pool, database_url)
        try:
            async with pool.acquire() as conn:
                store.schema_version = await apply_migrations(conn)
        except DB_ERRORS as exc:
            await pool.close()
            raise StoreError(f"DATABASE_URL: cannot migrate {where}: {exc}") from exc
        except BaseException:
            await pool.close()
            raise
        log.info("database %s at schema version %d", where, store.schema_version)
        return store

    async def close(self) -> None:
        await self._pool.close()

    async def _read(self, script: Script[T]) -> T:
        try:
            async with self._pool.acquire() as conn:
                return await run_script(conn, script)
        except DB_ERRORS as exc:
            raise StoreError(f"database read failed: {exc}") from exc

    async def _write(self, script: Script[T]) -> T:
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                return await run_script(conn, script)
        except DB_ERRORS as exc:
            raise StoreError(f"database write failed: {exc}") from exc

    async def execute(self, sql: str, *params: Any) -> int:
        """Run one statement (`?` placeholders) in its own transaction; rows it changed."""
        return await self._write(execute(sql, *params))
