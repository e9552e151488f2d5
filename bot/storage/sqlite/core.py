"""SqliteStore: one aiosqlite connection, scripts run on its thread, batched commits.

One connection in autocommit mode. A script (`bot.storage.sql.core.Script`) runs
synchronously on aiosqlite's worker thread, all its statements in one hop. Reads and
writes that arrive while a hop is in flight go together in the next one: the reads in one
read transaction, then the writes inside `BEGIN IMMEDIATE ... COMMIT` (group commit), each
in its own savepoint. A transaction is one thread hop, so no read ever runs inside another
coroutine's open transaction. Times are epoch seconds, dates ISO text.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite

from bot.errors import StoreError
from bot.storage.checkpoint import CHECKPOINT_SECONDS, WalCheckpointer
from bot.storage.lock import DatabaseLock
from bot.storage.sql import SQLITE, Script, SqlStore
from bot.storage.sql.core import Fetch, Statement
from bot.storage.sqlite.migrate import apply_migrations

log = logging.getLogger(__name__)

T = TypeVar("T")
_Pending = tuple[Script[Any], "asyncio.Future[Any]"]
_Outcome = tuple[bool, Any]


def _statement(conn: sqlite3.Connection, statement: Statement) -> Any:
    """Run one statement of a script; what the script is sent back."""
    if statement.fetch is Fetch.MANY:
        conn.executemany(statement.sql, statement.params)
        return None
    cursor = conn.execute(statement.sql, statement.params)
    if statement.fetch is Fetch.ROWCOUNT:
        return cursor.rowcount
    if statement.fetch is Fetch.NEW_ID:
        return cursor.lastrowid if cursor.rowcount > 0 else None
    # All rows, even for ONE: a RETURNING statement finishes its changes only when read.
    rows = cursor.fetchall()
    if statement.fetch is Fetch.ALL:
        return rows
    return rows[0] if rows else None


def run_script(conn: sqlite3.Connection, script: Script[T]) -> T:
    """Run a script to its end on this thread; its return value."""
    try:
        statement = next(script)
        while True:
            statement = script.send(_statement(conn, statement))
    except StopIteration as stop:
        return cast(T, stop.value)
    finally:
        script.close()


def _failure(exc: Exception, what: str) -> Exception:
    """What a caller sees for a failed script: SQLite's errors as StoreError."""
    if isinstance(exc, sqlite3.Error):
        wrapped = StoreError(f"database {what} failed: {exc}")
        wrapped.__cause__ = exc
        return wrapped
    return exc


def _run_reads(conn: sqlite3.Connection, reads: Sequence[_Pending]) -> list[_Outcome]:
    """Run queued reads, several in ONE read transaction (one snapshot, one WAL lock)."""
    outcomes: list[_Outcome] = []
    shared = len(reads) > 1
    if shared:
        conn.execute("BEGIN")
    try:
        for script, _future in reads:
            try:
                outcomes.append((True, run_script(conn, script)))
            except Exception as exc:
                outcomes.append((False, _failure(exc, "operation")))
    finally:
        if shared and conn.in_transaction:
            conn.execute("COMMIT")
    return outcomes


def _run_writes(conn: sqlite3.Connection, writes: Sequence[_Pending]) -> list[_Outcome]:
    """Run queued writes in one transaction; (ok, result or error) for each.

    Several writes each get a savepoint, so a failing one is rolled back alone; a single
    write needs none (its failure rolls the whole transaction back).
    """
    outcomes: list[_Outcome] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        if len(writes) == 1:
            try:
                outcomes.append((True, run_script(conn, writes[0][0])))
            except Exception as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                return [(False, _failure(exc, "write"))]
        else:
            for script, _future in writes:
                conn.execute("SAVEPOINT write")
                try:
                    result = run_script(conn, script)
                except Exception as exc:
                    conn.execute("ROLLBACK TO write")
                    conn.execute("RELEASE write")
                    outcomes.append((False, _failure(exc, "write")))
                else:
                    conn.execute("RELEASE write")
                    outcomes.append((True, result))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return outcomes


def _run_hop(
    conn: sqlite3.Connection, reads: Sequence[_Pending], writes: Sequence[_Pending]
) -> tuple[list[_Outcome], list[_Outcome] | BaseException]:
    """One trip to the database thread: the queued reads, then the queued writes' batch.

    The reads see only committed data (they run before this batch's writes). A batch
    whose transaction fails as a whole fails its writes, never the reads.
    """
    read_outcomes = _run_reads(conn, reads) if reads else []
    if not writes:
        return read_outcomes, []
    try:
        return read_outcomes, _run_writes(conn, writes)
    except Exception as exc:
        return read_outcomes, _failure(exc, "write")


class SqliteStore(SqlStore):
    """Store on one SQLite file; open with `await SqliteStore.open(path)`."""

    dialect = SQLITE

    def __init__(self, db: aiosqlite.Connection, path: str, lock: DatabaseLock | None) -> None:
        self._db = db
        self.path = path
        self._lock = lock
        self._reads: list[_Pending] = []
        self._writes: list[_Pending] = []
        self._pump: asyncio.Task[None] | None = None
        self.schema_version = 0
        self.batches = 0  # committed write batches (observability and tests)
        self.checkpointer: WalCheckpointer | None = None

    @classmethod
    async def open(
        cls, path: str | Path, *, checkpoint_seconds: float = CHECKPOINT_SECONDS
    ) -> SqliteStore:
        """Open (creating if needed), take the shared run lock, and migrate."""
        location = str(path)
        lock: DatabaseLock | None = None
        if location != ":memory:":
            Path(location).parent.mkdir(parents=True, exist_ok=True)
            lock = DatabaseLock(location)
            lock.acquire(exclusive=False)
        try:
            db = await aiosqlite.connect(location, isolation_level=None)
        except sqlite3.Error as exc:
            if lock is not None:
                lock.release()
            raise StoreError(f"cannot open database {location}: {exc}") from exc
        store = cls(db, location, lock)
        try:
            db.row_factory = sqlite3.Row
            await db.execute("PRAGMA journal_mode = WAL")
            await db.execute("PRAGMA foreign_keys = ON")
            # WAL with synchronous=NORMAL is durable across application crashes and much
            # faster; only a power cut can lose the last commits.
            await db.execute("PRAGMA synchronous = NORMAL")
            await db.execute("PRAGMA busy_timeout = 5000")
            store.schema_version = await apply_migrations(db)
            if lock is not None:  # a file, not ":memory:"
                await db.execute("PRAGMA wal_autocheckpoint = 0")
                store.checkpointer = WalCheckpointer(location, checkpoint_seconds)
                store.checkpointer.start()
        except BaseException:
            await store.close()
            raise
        return store

    async def close(self) -> None:
        try:
            if self._pump is not None:
                await self._pump
            if self.checkpointer is not None:
                await self.checkpointer.stop()
            await self._db.close()
        finally:
            if self._lock is not None:
                self._lock.release()

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` on aiosqlite's worker thread in ONE hop (the hot path's batching).

        aiosqlite sends every call to its thread and back; a transaction of five
        statements would be five round trips. `Connection._execute` is aiosqlite's own
        private dispatcher (stable through the pinned <0.23); the contract suite covers it.
        """
        db = self._db
        try:
            result = await db._execute(work, db._conn)  # type: ignore[no-untyped-call]
        except sqlite3.Error as exc:
            raise StoreError(f"database operation failed: {exc}") from exc
        return cast(T, result)

    async def _read(self, script: Script[T]) -> T:
        """Run a read-only `script`; reads queued together share one trip and snapshot."""
        return await self._submit(self._reads, script)

    async def _write(self, script: Script[T]) -> T:
        """Run `script` in a write transaction; concurrent writes share one commit.

        Writes queue up while a batch is being committed; the pump then runs the whole
        queue in ONE transaction and ONE thread hop, each write inside its own savepoint so
        a failing write is rolled back alone and only its caller sees the error. A write's
        caller hears back only after the commit.
        """
        return await self._submit(self._writes, script)

    async def _submit(self, queue: list[_Pending], script: Script[T]) -> T:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        queue.append((script, future))
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._drain())
        return cast(T, await future)

    async def _drain(self) -> None:
        """Send what is queued to the database thread, one hop at a time.

        Reads and writes that arrive while a hop is in flight go together in the next one:
        under load a hop carries many answers' reads and one commit for all their writes.
        """
        while self._reads or self._writes:
            reads, self._reads = self._reads, []
            writes, self._writes = self._writes, []
            try:
                read_outcomes, write_outcomes = await self._run(
                    partial(_run_hop, reads=reads, writes=writes)
                )
            except BaseException as exc:
                _settle_all((*reads, *writes), exc)
                if not isinstance(exc, Exception):
                    raise
                continue
            if isinstance(write_outcomes, BaseException):
                _settle_all(writes, write_outcomes)
            elif writes:
                self.batches += 1
                if self.checkpointer is not None:
                    self.checkpointer.note_write()
                _settle(writes, write_outcomes)
            _settle(reads, read_outcomes)
            # The callers just answered run first and queue what they do next (a write after
            # its read, the next read after a write), so it joins the next hop, not one more.
            await asyncio.sleep(0)


def _settle(queued: Sequence[_Pending], outcomes: Sequence[_Outcome]) -> None:
    """Hand each caller its result or error (a cancelled caller's write still committed)."""
    for (ok, value), (_, future) in zip(outcomes, queued, strict=True):
        if future.done():
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)


def _settle_all(queued: Sequence[_Pending], error: BaseException) -> None:
    for _, future in queued:
        if not future.done():
            future.set_exception(error)
