"""Stores behind the Store protocol, chosen by DATABASE_URL."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from bot.errors import ConfigError, StoreError
from bot.ports import InspectableStore, Store
from bot.storage.memory import MemoryStore
from bot.storage.sqlite import SqliteStore

if TYPE_CHECKING:
    from bot.storage.postgres import PostgresStore

    # mypy checks that every store implements Store and StoreInspection in full.
    _STORES: tuple[type[InspectableStore], ...] = (MemoryStore, SqliteStore, PostgresStore)


def sqlite_path(database_url: str) -> str:
    """The file path of `sqlite:///relative.db` or `sqlite:////absolute.db`."""
    if not database_url.startswith("sqlite://"):
        raise ConfigError("DATABASE_URL: expected sqlite:///path/to/prepbot.db")
    rest = database_url.removeprefix("sqlite://")
    rest = rest.split("?", 1)[0]
    if rest in ("", "/", "/:memory:"):
        return ":memory:"
    if not rest.startswith("/"):
        raise ConfigError("DATABASE_URL: expected sqlite:///path (three slashes)")
    return rest[1:]


def is_in_memory(database_url: str) -> bool:
    """True when nothing is kept after the process ends (`memory://`, `sqlite:///`)."""
    if database_url.startswith("memory:"):
        return True
    return database_url.startswith("sqlite:") and sqlite_path(database_url) == ":memory:"


def is_postgres(database_url: str) -> bool:
    """True for `postgresql://...` (and `postgres://...`)."""
    return database_url.startswith(("postgresql:", "postgres:"))


async def open_store(database_url: str) -> Store:
    """Open (and migrate) the store for `sqlite:///path`, `postgresql://...` or `memory://`."""
    if database_url.startswith("memory:"):
        return MemoryStore()
    if database_url.startswith("sqlite:"):
        return await _open_sqlite(sqlite_path(database_url))
    if is_postgres(database_url):
        # Imported here: the SQLite default never loads the PostgreSQL driver.
        from bot.storage.postgres import PostgresStore

        return await PostgresStore.open(database_url)
    raise ConfigError("DATABASE_URL: expected sqlite:///path, postgresql://... or memory://")


async def migrate(database_url: str) -> int:
    """Create the database or bring its schema up to date; the schema version it is at."""
    if is_in_memory(database_url):
        raise ConfigError("DATABASE_URL: an in-memory database keeps nothing to migrate")
    store = await open_store(database_url)
    try:
        version = getattr(store, "schema_version", None)
        if not isinstance(version, int):
            raise ConfigError("DATABASE_URL: expected sqlite:///path or postgresql://...")
        return version
    finally:
        await store.close()


async def _open_sqlite(path: str) -> SqliteStore:
    """SqliteStore.open, with a file that cannot be used explained in one line."""
    try:
        return await SqliteStore.open(path)
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc) or "malformed" in str(exc):
            raise StoreError(
                f"DATABASE_URL: {path} is not a SQLite database; point DATABASE_URL at a "
                "prepbot database or a new file name"
            ) from exc
        raise StoreError(f"DATABASE_URL: cannot use {path}: {exc}") from exc
    except sqlite3.Error as exc:
        raise StoreError(f"DATABASE_URL: cannot open {path}: {exc}") from exc
    except OSError as exc:
        reason = exc.strerror or str(exc)
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) != path else ""
        raise StoreError(f"DATABASE_URL: cannot create or open {path}: {reason}{where}") from exc


__all__ = [
    "MemoryStore",
    "SqliteStore",
    "Store",
    "is_in_memory",
    "is_postgres",
    "migrate",
    "open_store",
    "sqlite_path",
]
