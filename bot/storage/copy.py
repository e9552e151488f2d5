"""`prepbot db copy`: every table of one prepbot database into another, SQLite <-> PostgreSQL.

The target is migrated first and must then be at the source's schema version. The source
is read in one snapshot (a read transaction) and the target written in one transaction,
table by table in foreign-key order, in batches; each table's row count is checked before
the commit, so a copy is all or nothing. Ids are copied as they are; on PostgreSQL the
identity sequences are then moved past the copied ids. Messages name databases with
`redact_url`, never with a password.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from bot.config import redact_url
from bot.errors import ConfigError, StoreError
from bot.storage import is_in_memory, is_postgres, migrate, sqlite_path
from bot.storage.backup import connect_existing
from bot.storage.lock import DatabaseLock

if TYPE_CHECKING:
    import asyncpg
    from rich.progress import Progress, TaskID

log = logging.getLogger(__name__)

#: Every table of the schema, parents before children (foreign keys hold at each insert).
TABLES = (
    "users",
    "chats",
    "schedules",
    "daily_posts",
    "answers",
    "reveals",
    "quiz_sessions",
    "review_cards",
    "reports",
    "outbox",
    "platform_polls",
    "streaks",
    "grade_cache",
    "interviews",
    "interview_questions",
    "decks",
    "marks",
)
#: The migrations' own bookkeeping, and the leases of the processes running on a database
#: (the Telegram poller's): each database keeps its own.
NOT_COPIED = frozenset({"schema_version", "leases"})
BATCH_ROWS = 5_000
#: From this many rows on, a terminal shows a progress bar.
PROGRESS_ROWS = 20_000

Row = tuple[Any, ...]


class TargetNotEmptyError(StoreError):
    """The target already holds rows and --force was not given."""


class CopyProgress(Protocol):
    """Told the total before the copy and every batch as it is written."""

    def start(self, total: int) -> None: ...

    def advance(self, table: str, rows: int) -> None: ...


@dataclass
class CopyResult:
    """Rows copied per table, and the schema version both databases are at."""

    version: int
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


class _Database(Protocol):
    """One end of a copy."""

    location: str

    async def version(self) -> int: ...
    async def tables(self) -> set[str]: ...
    async def columns(self, table: str) -> list[str]: ...
    async def count(self, table: str) -> int: ...
    def read(self, table: str, columns: list[str], batch: int) -> AsyncIterator[list[Row]]: ...
    async def delete_all(self, table: str) -> None: ...
    async def write(self, table: str, columns: list[str], rows: list[Row]) -> None: ...
    async def finish(self) -> None: ...
    async def commit(self) -> None: ...
    async def close(self) -> None: ...


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Sqlite:
    """A SQLite file: read in one snapshot, or written under the exclusive run lock."""

    def __init__(self, path: str, *, write: bool) -> None:
        self.location = f"sqlite:///{path}"
        self._lock: DatabaseLock | None = None
        if write:
            # Refused while a bot has the file open (it holds the shared lock).
            self._lock = DatabaseLock(path)
            self._lock.acquire(exclusive=True)
        try:
            self._conn = connect_existing(Path(path), readonly=not write)
            self._conn.isolation_level = None  # transactions are begun by hand
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except BaseException:
            if self._lock is not None:
                self._lock.release()
            raise

    async def version(self) -> int:
        try:
            row = self._conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.location} is not a prepbot database: {exc}") from exc
        return int(row[0] or 0)

    async def tables(self) -> set[str]:
        rows = self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        return {str(row[0]) for row in rows}

    async def columns(self, table: str) -> list[str]:
        return [str(row[1]) for row in self._conn.execute(f"PRAGMA table_info({_quoted(table)})")]

    async def count(self, table: str) -> int:
        return int(self._conn.execute(f"SELECT COUNT(*) FROM {_quoted(table)}").fetchone()[0])

    async def read(self, table: str, columns: list[str], batch: int) -> AsyncIterator[list[Row]]:
        names = ", ".join(map(_quoted, columns))
        cursor = self._conn.execute(f"SELECT {names} FROM {_quoted(table)}")
        while rows := cursor.fetchmany(batch):
            yield [tuple(row) for row in rows]

    async def delete_all(self, table: str) -> None:
        self._conn.execute(f"DELETE FROM {_quoted(table)}")

    async def write(self, table: str, columns: list[str], rows: list[Row]) -> None:
        names = ", ".join(map(_quoted, columns))
        marks = ", ".join("?" for _ in columns)
        self._conn.executemany(f"INSERT INTO {_quoted(table)} ({names}) VALUES ({marks})", rows)

    async def finish(self) -> None:
        """Nothing to do: an INTEGER PRIMARY KEY continues after the largest id by itself."""

    async def commit(self) -> None:
        self._conn.execute("COMMIT")

    async def close(self) -> None:
        try:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            self._conn.close()
        finally:
            if self._lock is not None:
                self._lock.release()


class _Postgres:
    """A PostgreSQL database: read in one repeatable-read snapshot, or written in one
    transaction."""

    def __init__(self, conn: asyncpg.Connection, database_url: str) -> None:
        self._conn = conn
        self.location = redact_url(database_url)
        self._transaction: Any = None

    @classmethod
    async def open(cls, database_url: str, *, write: bool) -> _Postgres:
        from bot.storage.postgres import connect

        conn = await connect(database_url, purpose="prepbot-copy")
        self = cls(conn, database_url)
        try:
            if write:
                self._transaction = conn.transaction()
            else:
                self._transaction = conn.transaction(isolation="repeatable_read", readonly=True)
            await self._transaction.start()
        except BaseException:
            await conn.close()
            raise
        return self

    async def version(self) -> int:
        import asyncpg

        try:
            return int(await self._conn.fetchval("SELECT MAX(version) FROM schema_version") or 0)
        except asyncpg.UndefinedTableError as exc:
            raise StoreError(f"{self.location} is not a prepbot database: {exc}") from exc

    async def tables(self) -> set[str]:
        rows = await self._conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        )
        return {str(row[0]) for row in rows}

    async def columns(self, table: str) -> list[str]:
        rows = await self._conn.fetch(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            table,
        )
        return [str(row[0]) for row in rows]

    async def count(self, table: str) -> int:
        return int(await self._conn.fetchval(f"SELECT COUNT(*) FROM {_quoted(table)}"))

    async def read(self, table: str, columns: list[str], batch: int) -> AsyncIterator[list[Row]]:
        names = ", ".join(map(_quoted, columns))
        cursor = await self._conn.cursor(f"SELECT {names} FROM {_quoted(table)}")
        while rows := await cursor.fetch(batch):
            yield [tuple(row) for row in rows]

    async def delete_all(self, table: str) -> None:
        await self._conn.execute(f"DELETE FROM {_quoted(table)}")

    async def write(self, table: str, columns: list[str], rows: list[Row]) -> None:
        # COPY, not INSERTs: a million rows take seconds instead of minutes.
        await self._conn.copy_records_to_table(table, records=rows, columns=columns)

    async def finish(self) -> None:
        """Move each identity sequence past the largest copied id, so new rows get new ids."""
        identities = await self._conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND is_identity = 'YES'"
        )
        for table, column in identities:
            await self._conn.execute(
                f"SELECT setval(pg_get_serial_sequence($1, $2), "
                f"COALESCE(MAX({_quoted(column)}), 0) + 1, false) FROM {_quoted(table)}",
                _quoted(table),
                column,
            )

    async def commit(self) -> None:
        await self._transaction.commit()
        self._transaction = None

    async def close(self) -> None:
        try:
            if self._transaction is not None:
                await self._transaction.rollback()
        finally:
            await self._conn.close()


def _check_url(database_url: str, role: str) -> None:
    if is_in_memory(database_url):
        raise ConfigError(f"{role}: an in-memory database keeps nothing to copy")
    if not (is_postgres(database_url) or database_url.startswith("sqlite:")):
        raise ConfigError(f"{role}: expected sqlite:///path or postgresql://...")


async def _open(database_url: str, *, write: bool) -> _Database:
    if is_postgres(database_url):
        return await _Postgres.open(database_url, write=write)
    return _Sqlite(sqlite_path(database_url), write=write)


def _same_database(source_url: str, target_url: str) -> bool:
    if is_postgres(source_url) or is_postgres(target_url):
        return source_url == target_url
    return Path(sqlite_path(source_url)).resolve() == Path(sqlite_path(target_url)).resolve()


async def copy_database(
    source_url: str,
    target_url: str,
    *,
    force: bool = False,
    batch_rows: int = BATCH_ROWS,
    progress: CopyProgress | None = None,
) -> CopyResult:
    """Copy every table from `source_url` into `target_url` (migrated first).

    TargetNotEmptyError when the target has rows and not `force` (with it, they are
    replaced); StoreError when the schema versions differ or a count does not match.
    """
    _check_url(source_url, "FROM")
    _check_url(target_url, "TO")
    if _same_database(source_url, target_url):
        raise ConfigError("FROM and TO are the same database")
    if not is_postgres(source_url) and not Path(sqlite_path(source_url)).is_file():
        raise StoreError(f"no database at {sqlite_path(source_url)}")
    source = await _open(source_url, write=False)
    try:
        source_version = await source.version()
        target_version = await migrate(target_url)
        if source_version != target_version:
            raise StoreError(
                f"{source.location} has schema version {source_version} and this prepbot's "
                f"is {target_version}: "
                + (
                    "run `prepbot db migrate` on it first (DATABASE_URL=FROM)"
                    if source_version < target_version
                    else "upgrade prepbot"
                )
            )
        unknown = (await source.tables()) - set(TABLES) - NOT_COPIED
        if unknown:
            raise StoreError(
                f"{source.location} has tables this prepbot does not know: "
                f"{', '.join(sorted(unknown))}"
            )
        target = await _open(target_url, write=True)
        try:
            result = await _copy_tables(source, target, force, batch_rows, progress)
            await target.finish()
            await target.commit()
        finally:
            await target.close()
    finally:
        await source.close()
    result.version = target_version
    log.info(
        "copied %d rows from %s to %s", result.total, source.location, redact_url(target_url)
    )
    return result


async def _copy_tables(
    source: _Database,
    target: _Database,
    force: bool,
    batch_rows: int,
    progress: CopyProgress | None,
) -> CopyResult:
    expected = {table: await source.count(table) for table in TABLES}
    filled = [table for table in TABLES if await target.count(table)]
    if filled and not force:
        raise TargetNotEmptyError(
            f"{target.location} is not empty ({', '.join(filled)} have rows); copy into an "
            "empty database, or add --force to replace everything in it"
        )
    for table in reversed(TABLES):  # children first, so no foreign key is left dangling
        await target.delete_all(table)
    if progress is not None:
        progress.start(sum(expected.values()))
    result = CopyResult(version=0)
    for table in TABLES:
        columns = await target.columns(table)
        if set(columns) != set(await source.columns(table)):
            raise StoreError(f"table {table} has other columns in {source.location}")
        async for rows in source.read(table, columns, batch_rows):
            await target.write(table, columns, rows)
            if progress is not None:
                progress.advance(table, len(rows))
        copied = await target.count(table)
        if copied != expected[table]:
            raise StoreError(
                f"table {table}: {copied} rows in {target.location} after the copy, "
                f"{expected[table]} in {source.location}; nothing was copied"
            )
        result.rows[table] = copied
    return result


class TerminalProgress:
    """A rich progress bar on stderr, shown only on a terminal and for a large copy."""

    def __init__(self, threshold: int = PROGRESS_ROWS) -> None:
        self.threshold = threshold
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def start(self, total: int) -> None:
        if total < self.threshold or not sys.stderr.isatty():
            return
        from rich.console import Console
        from rich.progress import Progress

        self._bar = Progress(console=Console(stderr=True), transient=True)
        self._bar.start()
        self._task = self._bar.add_task("copying", total=total)

    def advance(self, table: str, rows: int) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, advance=rows, description=f"copying {table}")

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
