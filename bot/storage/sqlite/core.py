"""SqliteStore: one aiosqlite connection, scripts run on its thread, batched commits.

One connection in autocommit mode. A script (`bot.storage.sql.core.Script`) runs
synchronously on aiosqlite's worker thread, all its statements in one hop. Writes run
inside `BEGIN IMMEDIATE ... COMMIT`; writes that arrive while a commit is in flight are
batched into the next transaction (group commit), each in its own savepoint. A
transaction is one thread hop, so no read ever runs inside another coroutine's open
transaction. Times are epoch seconds, dates ISO text.
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


def _statement(conn: sqlite3.Connection, statement: Statement) -> Any:
    """Run one statement of a script; what the script is sent back."""
    if statement.fetch is Fetch.MANY:
        conn.executemany(statement.sql, statement.params)
        return None
    cursor = conn.execute(statement.sql, statement.params)
    if statement.fetch is Fetch.ROWCOUNT:
        return cursor.rowcount
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


def _run_batch(conn: sqlite3.Connection, batch: Sequence[_Pending]) -> list[tuple[bool, Any]]:
    """Run queued writes in one transaction, each in a savepoint; (ok, result or error)."""
    outcomes: list[tuple[bool, Any]] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for script, _future in batch:
            conn.execute("SAVEPOINT write")
            try:
                result = run_script(conn, script)
            except Exception as exc:
                conn.execute("ROLLBACK TO write")
                conn.execute("RELEASE write")
                if isinstance(exc, sqlite3.Error):
                    wrapped = StoreError(f"database write failed: {exc}")
                    wrapped.__cause__ = exc
                    outcomes.append((False, wrapped))
                else:
                    outcomes.append((False, exc))
            else:
                conn.execute("RELEASE write")
                outcomes.append((True, result))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return outcomes


class SqliteStore(SqlStore):
    """Store on one SQLite file; open with `await SqliteStore.open(path)`."""

    dialect = SQLITE

    def __init__(self, db: aiosqlite.Connection, path: str, lock: DatabaseLock | None) -> None:
        self._db = db
        self.path = path
        self._lock = lock
        self._write_lock = asyncio.Lock()
        self._pending: list[_Pending] = []
        self._flusher: asyncio.Task[None] | None = None
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
            if self._flusher is not None:
                await self._flusher
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
        return await self._run(partial(run_script, script=script))

    async def _write(self, script: Script[T]) -> T:
        """Run `script` in a write transaction; concurrent writes share one commit.

        Writes queue up while a batch is being committed; the flusher then runs the whole
        queue in ONE transaction and ONE thread hop, each write inside its own savepoint so
        a failing write is rolled back alone and only its caller sees the error.
        """
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.append((script, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return cast(T, await future)

    async def _flush(self) -> None:
        async with self._write_lock:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    outcomes = await self._run(partial(_run_batch, batch=batch))
                except BaseException as exc:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    if not isinstance(exc, Exception):
                        raise
                    continue
                self.batches += 1
                if self.checkpointer is not None:
                    self.checkpointer.note_write()
                for (ok, value), (_, future) in zip(outcomes, batch, strict=True):
                    if future.done():
                        continue  # the caller was cancelled; its write still committed
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
